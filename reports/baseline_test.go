package reports

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/grantcheck/grantcheck/harness/catalog"
	"github.com/grantcheck/grantcheck/harness/verdict"
)

func TestBaselineCompare(t *testing.T) {
	b := Baseline{Verdicts: map[string]BaselineVerdict{
		"code-reuse":   {Result: "FAIL:security", Observed: "200", Clause: "§4.1.2"},
		"code-expired": {Result: "PASS"},
	}}
	run := Run{Results: []Result{
		{ID: "code-reuse", Verdict: verdict.Verdict{ID: "code-reuse", Result: verdict.Fail, Category: verdict.Security}},
		{ID: "code-expired", Verdict: verdict.Verdict{ID: "code-expired", Result: verdict.Fail, Category: verdict.Security, Reason: "tokens issued\nmore"}},
		{ID: "code-unknown", Verdict: verdict.Verdict{ID: "code-unknown", Result: verdict.Pass}},
	}}
	diff := b.Compare(run)
	if len(diff) != 1 || !strings.HasPrefix(diff[0], "code-expired: baseline PASS, now FAIL:security — tokens issued") {
		t.Errorf("Compare = %q, want only code-expired's change (an unlisted entry is PASS)", diff)
	}
	run.SuiteErrors = []string{"suite setup failed"}
	if diff := b.Compare(run); diff[len(diff)-1] != "suite setup failed" {
		t.Errorf("suite errors are differences too: %q", diff)
	}
}

func TestBaselineProblemsAndLoad(t *testing.T) {
	path := filepath.Join(t.TempDir(), "expected.yaml")
	var sb strings.Builder
	sb.WriteString("provider: x\nverdicts:\n")
	for _, e := range catalog.Entries() {
		result := "PASS"
		if e.ID == catalog.CodeReuse.ID {
			result = "WARN"
		}
		sb.WriteString("  " + e.ID + ": {result: " + result + "}\n")
	}
	sb.WriteString("  not-a-scenario: {result: PASS}\n")
	if err := os.WriteFile(path, []byte(sb.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	b, err := LoadBaseline(path)
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(b.Problems(), "\n")
	for _, want := range []string{"code-reuse: WARN without the observed response", "not-a-scenario: not in the catalogue"} {
		if !strings.Contains(got, want) {
			t.Errorf("Problems() = %q, missing %q", got, want)
		}
	}
	if err := os.WriteFile(path, []byte("provider: x\nverdict: {}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadBaseline(path); err == nil || !strings.Contains(err.Error(), "verdict") {
		t.Errorf("an unknown key must be an error naming it, got %v", err)
	}
}
