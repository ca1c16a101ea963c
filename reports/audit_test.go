package reports

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/grantcheck/grantcheck/harness/catalog"
	"github.com/grantcheck/grantcheck/harness/verdict"
)

// clientChecks is one client's audit: every audit entry PASS but those given.
func clientChecks(id string, index int, got map[string]verdict.Verdict) ClientChecks {
	c := ClientChecks{ClientID: id, Index: index, Duration: 100 * time.Millisecond}
	for _, e := range catalog.AuditEntries() {
		v, ok := got[e.ID]
		if !ok {
			v = verdict.Verdict{Result: verdict.Pass}
		}
		c.Checks = append(c.Checks, CheckOutcome{Entry: e, Verdict: v})
	}
	return c
}

var accepted = verdict.Verdict{Result: verdict.Fail, Category: verdict.Security, Reason: "the provider issued a code"}

func TestAuditModel(t *testing.T) {
	hostile := "evil|<b>x</b>"
	clients := []ClientChecks{
		clientChecks("web-1", 0, nil),
		clientChecks(hostile, 1, map[string]verdict.Verdict{
			catalog.AuditPKCERequired.ID:                   accepted,
			catalog.AuditAuthzRedirect.VariantID("scheme"): {Result: verdict.Skip, NotApplicable: true, Reason: "does not apply"},
		}),
		clientChecks("svc-1", 2, map[string]verdict.Verdict{catalog.AuditControl.ID: {Result: verdict.Error, Reason: "control failed"}}),
	}
	run := FromAudit(clients, Meta{Provider: "p"}, time.Now(), time.Second)
	if run.Outcome != NotConformant {
		t.Errorf("outcome %s", run.Outcome)
	}
	for _, f := range run.Findings {
		if f.Client == "" || !strings.HasPrefix(f.Title, "client "+f.Client+": ") {
			t.Errorf("finding %s does not name its client: %q", f.ID, f.Title)
		}
	}
	rows := run.Matrix()
	if len(rows) != 3 || rows[1].Problems != 1 || rows[2].Problems != 1 || rows[0].Problems != 0 {
		t.Fatalf("matrix rows %+v", rows)
	}
	if cell := rows[1].Cells[slicesIndex(run.Audit.Checks, catalog.AuditPKCERequired.ID)]; cell.Short() != "FAIL "+cell.Finding || cell.Finding == "" {
		t.Errorf("the failing cell is %q", cell.Short())
	}
	if got := run.Audit.Matrix[1].Cells[slicesIndex(run.Audit.Checks, catalog.AuditPKCERequired.ID)]; !strings.HasPrefix(got, "FAIL:security F") {
		t.Errorf("results.json's matrix cell is %q", got)
	}
	if got := run.Audit.Matrix[1].Cells[slicesIndex(run.Audit.Checks, catalog.AuditAuthzRedirect.VariantID("scheme"))]; got != "n/a" {
		t.Errorf("results.json's matrix cell for a check that does not apply is %q", got)
	}
	var md, html, junit bytes.Buffer
	if err := WriteMarkdown(&md, run); err != nil {
		t.Fatal(err)
	}
	if err := WriteHTML(&html, run); err != nil {
		t.Fatal(err)
	}
	if err := WriteJUnit(&junit, run); err != nil {
		t.Fatal(err)
	}
	// The matrix row escapes the client_id (the findings list it in a code span, shown literally).
	if strings.Contains(html.String(), "<b>x</b>") || !strings.Contains(md.String(), "| evil\\|\\<b\\>x\\</b\\> | pass |") {
		t.Error("a client_id is interpreted as markup in the matrix")
	}
	if n := strings.Count(junit.String(), "<testsuite "); n != 3 {
		t.Errorf("junit.xml has %d test suites, want one per client", n)
	}
	if !strings.Contains(md.String(), "## Audit: client × check") || strings.Contains(md.String(), "\n### audit\n") {
		t.Error("report.md shows the audit in the matrix, not as a family table")
	}

	// Two parts, merged, are the whole.
	a := FromAudit([]ClientChecks{clients[2], clients[0]}, Meta{Provider: "p"}, time.Now(), time.Second)
	b := FromAudit([]ClientChecks{clients[1]}, Meta{Provider: "p"}, time.Now(), time.Second)
	merged, err := Merge([]string{"a", "b"}, []Run{a, b})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := summaryOf(merged), summaryOf(run); got != want {
		t.Errorf("merged:\n%s\nwant:\n%s", got, want)
	}
	if _, err := Merge([]string{"a", "a again"}, []Run{a, a}); err == nil || !strings.Contains(err.Error(), "both hold") {
		t.Errorf("overlapping parts merged: %v", err)
	}

	// A per-client baseline: the known finding matches, n/a needs no entry.
	base := Baseline{Clients: map[string]map[string]BaselineVerdict{
		hostile: {catalog.AuditPKCERequired.ID: {Result: "FAIL:security"}},
		"svc-1": {catalog.AuditControl.ID: {Result: "ERROR"}},
	}}
	if diff := base.Compare(run); len(diff) != 0 {
		t.Errorf("differences from a matching baseline: %v", diff)
	}
}

func summaryOf(r Run) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %v\n", r.Outcome, r.Totals)
	for _, res := range r.Results {
		fmt.Fprintf(&b, "%s %s %s\n", res.Key(), res.Verdict.String(), res.Finding)
	}
	for _, f := range r.Findings {
		fmt.Fprintf(&b, "%s %s %v\n", f.ID, f.Title, f.Scenarios)
	}
	return b.String()
}

func slicesIndex(s []string, v string) int {
	for i, x := range s {
		if x == v {
			return i
		}
	}
	return -1
}
