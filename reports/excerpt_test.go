package reports

import (
	"bytes"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/grantcheck/grantcheck/harness/catalog"
	"github.com/grantcheck/grantcheck/harness/verdict"
)

func TestExcerptKeepsHeadAndTailOnRuneBoundaries(t *testing.T) {
	s := strings.Repeat("é", 40000) + "THE END"
	got := excerpt(s, 1000, 100)
	if !utf8.ValidString(got) || !strings.HasSuffix(got, "THE END") || !strings.HasPrefix(got, "éé") {
		t.Errorf("excerpt is not valid UTF-8 with head and tail: %.40q … %q", got, got[len(got)-20:])
	}
	if !strings.Contains(got, "bytes cut here") || len(got) > 1200 {
		t.Errorf("excerpt of %d bytes is %d bytes, marker present: %v", len(s), len(got), strings.Contains(got, "cut"))
	}
	if excerpt("short", 1000, 100) != "short" {
		t.Error("a short text was changed")
	}
}

// A provider answering every request with 1 MB still gives reports of a few MB.
func TestReportSizeIsBounded(t *testing.T) {
	huge := strings.Repeat("<p>provider page</p>\n", 1<<20/21)
	var specs types.SpecReports
	for _, e := range catalog.Entries() {
		// Each scenario's transcript holds several such bodies, and the reason quotes one.
		specs = append(specs, spec(e.ID, types.SpecStateFailed, &verdict.Verdict{ID: e.ID, Result: verdict.Fail,
			Category: verdict.Format, Reason: "not JSON\n" + huge,
			Signature: &verdict.Signature{Check: "not-json", MediaType: "text/html"}}, huge+huge+huge))
	}
	run := FromGinkgo(types.Report{SpecReports: specs}, Meta{Provider: "huge"})
	for name, write := range map[string]func(*bytes.Buffer) error{
		"results.json": func(b *bytes.Buffer) error { return WriteJSON(b, run) },
		"report.html":  func(b *bytes.Buffer) error { return WriteHTML(b, run) },
		"report.md":    func(b *bytes.Buffer) error { return WriteMarkdown(b, run) },
		"junit.xml":    func(b *bytes.Buffer) error { return WriteJUnit(b, run) },
	} {
		var b bytes.Buffer
		if err := write(&b); err != nil {
			t.Fatal(err)
		}
		t.Logf("%s: %.1f MB for %d scenarios with 4 MB of provider text each", name, float64(b.Len())/1e6, len(run.Results))
		// 64 KiB a scenario (4 MiB when the catalogue had 64 entries): the bound grows with the
		// catalogue, never with what the provider sends.
		if limit := len(run.Results) * 64 << 10; b.Len() > limit {
			t.Errorf("%s is %d bytes for %d scenarios (limit %d); the report model must keep bounded excerpts", name, b.Len(), len(run.Results), limit)
		}
		if name == "report.html" && !strings.Contains(b.String(), "bytes cut here") {
			t.Error("the HTML does not say where it cut")
		}
	}
}
