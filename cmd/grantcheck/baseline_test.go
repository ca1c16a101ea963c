package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestBaselineDecidesTheExitStatus: with --baseline, known findings pass CI and any change fails
// it, including a scenario that got better.
func TestBaselineDecidesTheExitStatus(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the suite")
	}
	t.Parallel()
	baseline := filepath.Join(t.TempDir(), "baseline.yaml")
	// The clean reference passes code-reuse; this baseline claims the reuse was accepted.
	if err := os.WriteFile(baseline, []byte(`provider: reference
verdicts:
  code-reuse: {result: "FAIL:security", observed: "200 with tokens", clause: "RFC 6749 §4.1.2"}
`), 0o600); err != nil {
		t.Fatal(err)
	}
	c := runChild(t, "--code-ttl", "1s", "--label-filter", "family:code-reuse", "--baseline", baseline)
	if !strings.Contains(c.output, "1 differences from the baseline") ||
		!strings.Contains(c.output, "code-reuse: baseline FAIL:security, now PASS") {
		t.Errorf("the difference is not reported:\n%s", c.output)
	}
	if c.exit != exitNotConformant {
		t.Errorf("a difference from the baseline must exit %d, got %d", exitNotConformant, c.exit)
	}

	// The same run against a baseline that records what the provider does: exit 0.
	if err := os.WriteFile(baseline, []byte("provider: reference\nverdicts: {}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c = runChild(t, "--code-ttl", "1s", "--label-filter", "family:code-reuse", "--baseline", baseline)
	if c.exit != exitConformant || !strings.Contains(c.output, "every verdict matches the baseline") {
		t.Errorf("a run matching its baseline must exit 0, got %d:\n%s", c.exit, c.output)
	}
}
