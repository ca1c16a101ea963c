package main

import (
	"encoding/json"
	"encoding/xml"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/grantcheck/grantcheck/harness/transcript"
)

// header200K adds a 200 KB header to every answer (issue 16: Ginkgo's own reports kept it 6–12
// times, while grantcheck's reports kept excerpts).
func header200K(next http.Handler) http.Handler {
	big := strings.Repeat("h", 200<<10)
	return serve(next, func(w http.ResponseWriter, r *http.Request, b *buffered) {
		b.header.Set("X-Header", big)
		send(w, b)
	})
}

// TestGinkgoReportsAreBounded: the excerpt limits of grantcheck's reports hold for Ginkgo's own
// files too: no spec in ginkgo.json or ginkgo-junit.xml takes more than one kept transcript and a
// few kept reasons, and the console log no more than that per spec.
func TestGinkgoReportsAreBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the whole suite")
	}
	t.Parallel()
	h := runHostile(t, header200K, "")
	// One transcript (JSON-escaped, so up to twice its bytes), the reason in the verdict entry,
	// the failure message and the failure's location: what one spec may take in any file.
	const perSpec = 2*transcript.KeptTranscript + 4*transcript.ShownReason + 8<<10

	var reports []struct{ SpecReports []json.RawMessage }
	if err := json.Unmarshal([]byte(readFile(t, filepath.Join(h.dir, "ginkgo.json"))), &reports); err != nil || len(reports) != 1 {
		t.Fatalf("ginkgo.json: %v (%d reports)", err, len(reports))
	}
	specs := reports[0].SpecReports
	largest := 0
	for _, raw := range specs {
		var s types.SpecReport
		_ = json.Unmarshal(raw, &s)
		largest = max(largest, len(raw))
		if len(raw) > perSpec {
			t.Errorf("ginkgo.json: %s takes %d kB, more than the %d kB one spec may", s.LeafNodeText, len(raw)>>10, perSpec>>10)
		}
	}
	var junit struct {
		Cases []struct {
			Name string `xml:"name,attr"`
			Body string `xml:",innerxml"`
		} `xml:"testsuite>testcase"`
	}
	if err := xml.Unmarshal([]byte(readFile(t, filepath.Join(h.dir, "ginkgo-junit.xml"))), &junit); err != nil {
		t.Fatal(err)
	}
	for _, c := range junit.Cases {
		if len(c.Body) > perSpec {
			t.Errorf("ginkgo-junit.xml: %s takes %d kB, more than the %d kB one spec may", c.Name, len(c.Body)>>10, perSpec>>10)
		}
	}
	console, err := os.Stat(filepath.Join(h.dir, "ginkgo-console.log"))
	if err != nil {
		t.Fatal(err)
	}
	if console.Size() > int64(len(specs)*perSpec) {
		t.Errorf("ginkgo-console.log takes %d kB for %d specs", console.Size()>>10, len(specs))
	}
	t.Logf("%d specs; the largest in ginkgo.json %d kB (limit %d kB); console log %d kB", len(specs), largest>>10, perSpec>>10, console.Size()>>10)
	if largest < transcript.KeptTranscript {
		t.Error("no spec kept a whole transcript excerpt: the planted header reached nothing")
	}
}
