package main

import (
	"slices"
	"testing"

	"github.com/grantcheck/grantcheck/harness/catalog"
)

// A provider that ignores code_verifier unless the client must use PKCE gets one security
// finding listing the five scenarios that show it, not five (issue 14 item 14).
func TestOneMissingCheckIsOneFinding(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the suite")
	}
	c := runChild(t, "--fault", "pkce-checked-only-when-required", "--label-filter", "family:pkce || id:request-empty-param")
	var security []string
	for _, f := range c.run.Findings {
		if f.Kind == "security" {
			security = append(security, f.Title)
			want := []string{catalog.PKCEVerifierMismatch.ID, catalog.PKCEVerifierMissing.ID, catalog.PKCEDowngrade.ID,
				catalog.PKCEChallengeAsVerifier.ID, catalog.RequestEmptyParam.ID}
			got := slices.Sorted(slices.Values(f.Scenarios))
			slices.Sort(want)
			if !slices.Equal(got, want) || f.Title != catalog.CheckPKCEVerifier.Title {
				t.Errorf("the finding %q lists %v, want %q listing %v", f.Title, got, catalog.CheckPKCEVerifier.Title, want)
			}
		}
	}
	if len(security) != 1 {
		t.Errorf("%d security findings %q, want one\n%s", len(security), security, c.output)
	}
}
