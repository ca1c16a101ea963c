package reports

import (
	"bytes"
	"encoding/xml"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/grantcheck/grantcheck/harness/safetext/rendered"

	"github.com/grantcheck/grantcheck/harness/catalog"
	"github.com/grantcheck/grantcheck/harness/verdict"
)

func TestJSONRoundTrip(t *testing.T) {
	run := sampleRun()
	var buf bytes.Buffer
	if err := WriteJSON(&buf, run); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), `"schema": "grantcheck.report/v2"`) {
		t.Errorf("no schema line in:\n%s", buf.String())
	}
	got, err := ReadJSON(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, run) {
		t.Errorf("round trip:\n%+v\nwant\n%+v", got, run)
	}
	if _, err := ReadJSON(strings.NewReader(`{"schema":"grantcheck.report/v0"}`)); err == nil {
		t.Error("ReadJSON accepted another schema")
	}
}

func TestJUnitIsValidAndMapsEachResult(t *testing.T) {
	run := sampleRun()
	run.Results[1].Transcript = "binary \x00\x1b[31m bytes" // must not make the XML invalid
	run.SuiteErrors = []string{"Interrupted by User"}
	var buf bytes.Buffer
	if err := WriteJUnit(&buf, run); err != nil {
		t.Fatal(err)
	}
	var doc junitSuites
	if err := xml.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatalf("invalid XML: %v\n%s", err, buf.String())
	}
	if doc.Tests != 9 || doc.Failures != 1 || doc.Errors != 3 || doc.Skipped != 2 || len(doc.Suites) != 1 {
		t.Fatalf("counts tests=%d failures=%d errors=%d skipped=%d", doc.Tests, doc.Failures, doc.Errors, doc.Skipped)
	}
	cases := map[string]junitCase{}
	for _, c := range doc.Suites[0].Cases {
		cases[strings.SplitN(c.Name, ":", 2)[0]] = c
	}

	if c := cases["code-reuse"]; c.ClassName != "code-reuse" || c.Failure != nil || c.Error != nil || c.Skipped != nil || c.SystemOut != "" {
		t.Errorf("PASS case = %+v, want a bare pass without transcript", c)
	}
	if c := cases["code-reuse"]; c.Name != "code-reuse: a redeemed authorization code is rejected on second use" || c.Time != "0.250" {
		t.Errorf("PASS case name %q time %q", c.Name, c.Time)
	}
	port := cases["redirect-uri-mismatch/port"]
	if port.Failure == nil || port.Failure.Type != "security" ||
		port.Failure.Message != "`F1: accepted where a rejection is due: "+catalog.RedirectURIMismatch.Title+" — tokens were issued for a redirect_uri with another port`" ||
		!strings.Contains(port.Failure.Text, "How to fix: Compare redirect_uri") || !strings.Contains(port.SystemOut, "<script>") {
		t.Errorf("FAIL case = %+v", port)
	}
	if c := cases["code-reuse-revokes"]; c.Failure != nil || c.Error != nil || !strings.Contains(c.SystemOut, "WARN: the first access token still works") {
		t.Errorf("WARN case = %+v, want a pass with the warning in system-out", c)
	}
	if c := cases["client-secret-wrong-post"]; c.Skipped == nil || c.Skipped.Message != "`needs the secondary client role`" {
		t.Errorf("SKIP case = %+v", c)
	}
	if c := cases["cross-client-code"]; c.Error == nil || !strings.Contains(c.Error.Text, "boom") || !strings.Contains(c.SystemOut, "GET /authorize") {
		t.Errorf("ERROR case = %+v", c)
	}
	if c := cases["suite"]; c.Error == nil || c.Error.Message != "`Interrupted by User`" {
		t.Errorf("suite error case = %+v", c)
	}
}

func TestHTMLEscapesTranscript(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteHTML(&buf, sampleRun()); err != nil {
		t.Fatal(err)
	}
	page := buf.String()
	if strings.Contains(page, "<script>alert") || strings.Count(page, "<script") != 1 {
		t.Errorf("unescaped <script> in HTML (only the page's own filter script may be there):\n%s", page)
	}
	for _, want := range []string{
		"&lt;script&gt;alert(1)&lt;/script&gt;",
		`<span class="word">not conformant</span>`,
		`<details class="scenario" id="s-redirect-uri-mismatch/port" data-result="FAIL" data-family="redirect-uri">`,
		`<section class="finding" id="F1">`,
		`<a href="https://www.rfc-editor.org/rfc/rfc9700#section-2.1">RFC 9700 §2.1</a>`,
		`<details class="exchange">`,
		"grantcheck run --config example.yaml",
		"grantcheck: 2 passed, 1 failed, 1 warned, 2 skipped, 2 errored",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("HTML lacks %q", want)
		}
	}
}

func TestMarkdownReport(t *testing.T) {
	run := sampleRun()
	run.Results[4].Transcript = "body with ``` inside\n" + scriptTranscript
	var buf bytes.Buffer
	if err := WriteMarkdown(&buf, run); err != nil {
		t.Fatal(err)
	}
	md := buf.String()
	page, err := rendered.Render(md)
	if err != nil {
		t.Fatal(err)
	}
	text := page.Text()
	for _, want := range []string{
		"grantcheck conformance report: example",
		"Outcome: not conformant — 4 findings across 4 of 8 scenarios",
		"F1 · FAIL:security · accepted where a rejection is due: redirect_uri at the token endpoint",
		"How to fix: Compare redirect_uri at the token endpoint",
		"FAIL:security · redirect-uri-mismatch/port",
		"ERROR · cross-client-code",
		"How to reproduce",
		"grantcheck run --config example.yaml",
		"go install github.com/grantcheck/grantcheck/cmd/grantcheck@v0.1.0",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the rendered Markdown lacks %q", want)
		}
	}
	if !strings.Contains(md, "````text\nbody with ``` inside\n") {
		t.Error("the transcript with a backtick fence inside is not in a longer fence")
	}
	rows := map[string]bool{}
	for _, r := range page.Rows() {
		rows[strings.Join(r, " | ")] = true
	}
	for _, want := range []string{
		"PASS | FAIL | WARN | SKIP | ERROR",
		"2 | 1 | 1 | 2 | 2",
		"ID | Level | References | Result | Finding | Reason",
		"code-reuse | MUST | RFC 6749 §4.1.2, OpenID Connect Core 1.0 §3.1.3.2 | PASS |  | ",
		"redirect-uri-mismatch/port | MUST | RFC 6749 §4.1.3, RFC 9700 §2.1 | FAIL:security | F1 | [security] tokens were issued for a redirect_uri with another port",
	} {
		if !rows[want] {
			t.Errorf("no table row %q", want)
		}
	}
	links := map[string]bool{}
	for _, e := range page.Active() {
		links[e.Text+" → "+e.URL] = true
	}
	for _, want := range []string{
		"RFC 6749 §4.1.2 → https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2",
		"OpenID Connect Core 1.0 §3.1.3.2 → https://openid.net/specs/openid-connect-core-1_0.html#rfc.section.3.1.3.2",
	} {
		if !links[want] {
			t.Errorf("no link %q", want)
		}
	}
	warned := false
	for r := range rows {
		warned = warned || strings.HasSuffix(r, "| PASS |  | warning: Pragma: no-cache is missing")
	}
	if !warned {
		t.Error("no row shows the warning of a passing scenario")
	}
	// Only results that need attention get a section; a PASS or SKIP does not.
	for _, absent := range []string{"### PASS · `code-reuse`", "`client-secret-wrong-post`\n\n"} {
		if strings.Contains(md, absent) {
			t.Errorf("Markdown has %q", absent)
		}
	}
	if t.Failed() {
		t.Log(md)
	}
}

func TestSummary(t *testing.T) {
	run := FromGinkgo(types.Report{SpecReports: types.SpecReports{
		spec("code-reuse", types.SpecStatePassed, &verdict.Verdict{ID: "code-reuse", Result: verdict.Pass}, ""),
		spec("code-reuse-revokes", types.SpecStatePassed, &verdict.Verdict{ID: "code-reuse-revokes", Result: verdict.Warn, Reason: "still valid\nmore"}, ""),
		spec("redirect-uri-mismatch/port", types.SpecStateFailed, &verdict.Verdict{ID: "redirect-uri-mismatch/port",
			Result: verdict.Fail, Category: verdict.Security, Reason: "tokens issued\nstatus 200"}, ""),
	}}, Meta{})
	var buf bytes.Buffer
	if err := WriteSummary(&buf, run); err != nil {
		t.Fatal(err)
	}
	want := "" +
		"2 findings (from 2 scenarios that did not pass):\n" +
		"  F1  FAIL:security  accepted where a rejection is due: " + catalog.RedirectURIMismatch.Title + "\n" +
		"                     1 scenario: redirect-uri-mismatch/port\n" +
		"                     fix: " + mustGuidance(t, "redirect-uri-mismatch").Fix + "\n" +
		"  F2  WARN           tokens issued from a code are revoked when the code is presented again: still valid\n" +
		"                     1 scenario: code-reuse-revokes\n" +
		"                     fix: " + mustGuidance(t, "code-reuse-revokes").Fix + "\n" +
		"\n" +
		"PASS   MUST    code-reuse                  RFC 6749 §4.1.2, OpenID Connect Core 1.0 §3.1.3.2\n" +
		"WARN   SHOULD  code-reuse-revokes          F2 still valid\n" +
		"FAIL   MUST    redirect-uri-mismatch/port  F1 [security] tokens issued\n" +
		"grantcheck: 1 passed, 1 failed, 1 warned, 0 skipped, 0 errored\n" +
		"grantcheck: not conformant\n"
	if buf.String() != want {
		t.Errorf("summary:\n%s\nwant:\n%s", buf.String(), want)
	}
}

// The cost of the run's logins is one line before the totals, and a field of results.json.
func TestSummaryAndJSONShowLogins(t *testing.T) {
	logins := &Logins{Driver: "browser", Flows: 67, Median: 478 * time.Millisecond, Max: 1516 * time.Millisecond, Ahead: 48, Unused: 2}
	run := FromGinkgo(types.Report{SpecReports: types.SpecReports{
		spec("code-reuse", types.SpecStatePassed, &verdict.Verdict{ID: "code-reuse", Result: verdict.Pass}, ""),
	}}, Meta{Logins: logins})
	var buf bytes.Buffer
	if err := WriteSummary(&buf, run); err != nil {
		t.Fatal(err)
	}
	want := "grantcheck: 67 logins with the browser driver, median 478ms, slowest 1.516s; 48 logged in ahead of their scenario (login.ahead), 2 unused\n" +
		"grantcheck: 1 passed"
	if !strings.Contains(buf.String(), want) {
		t.Errorf("summary:\n%s\nwant it to contain:\n%s", buf.String(), want)
	}
	buf.Reset()
	if err := WriteJSON(&buf, run); err != nil {
		t.Fatal(err)
	}
	back, err := ReadJSON(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if back.Logins == nil || *back.Logins != *logins {
		t.Errorf("results.json logins: %+v, want %+v", back.Logins, logins)
	}
}

func mustGuidance(t *testing.T, id string) catalog.Guidance {
	t.Helper()
	g, ok := catalog.GuidanceFor(id)
	if !ok {
		t.Fatalf("no guidance for %s", id)
	}
	return g
}

func TestWriteAll(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "reports", "run-1")
	run := sampleRun()
	paths, err := WriteAll(dir, run)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, p := range paths {
		names = append(names, filepath.Base(p))
		if info, err := os.Stat(p); err != nil || info.Size() == 0 {
			t.Errorf("%s: %v", p, err)
		}
	}
	if want := []string{"results.json", "junit.xml", "report.md", "report.html"}; !reflect.DeepEqual(names, want) {
		t.Errorf("wrote %v, want %v", names, want)
	}
	f, err := os.Open(paths[0])
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got, err := ReadJSON(f); err != nil || !reflect.DeepEqual(got, run) {
		t.Errorf("results.json reads back as %+v, %v", got, err)
	}
}
