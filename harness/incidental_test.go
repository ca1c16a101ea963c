package harness

import (
	"strings"
	"testing"

	"github.com/grantcheck/grantcheck/harness/catalog"
)

// A refusal names an incidental cause only for an entry that does not mean it: one mechanism for
// the whole catalogue, decided by each entry's expectation (issue 14 item 8). The reference
// provider's legal fault scope-checked-first proves it end to end.
func TestIncidentalCausesAreDecidedByTheCatalogue(t *testing.T) {
	meant, skipped := 0, 0
	for _, e := range catalog.Entries() {
		variant := ""
		if e.Variant != nil {
			variant = e.Variant.Name
		}
		accepted := e.Scenario.ExpectFor(variant).Accepts(func(catalog.Condition) bool { return true })
		_, incidental := e.Scenario.IncidentalFor(variant, "invalid_scope", nil)
		switch {
		case len(accepted) == 0 && incidental:
			t.Errorf("%s accepts any error code, so no error code is incidental to it", e.ID)
		case strings.Contains(strings.Join(accepted, ","), "invalid_scope") && incidental:
			t.Errorf("%s means to create invalid_scope, yet it is treated as incidental", e.ID)
		case len(accepted) > 0 && !strings.Contains(strings.Join(accepted, ","), "invalid_scope") && !incidental:
			t.Errorf("%s does not test scope, yet invalid_scope is not incidental to it", e.ID)
		case incidental:
			skipped++
		default:
			meant++
		}
		if _, ok := e.Scenario.IncidentalFor(variant, "invalid_grant", nil); ok {
			t.Errorf("%s: invalid_grant is never an incidental cause", e.ID)
		}
	}
	if _, ok := catalog.RefreshScopeEscalation.IncidentalFor("", "invalid_scope", nil); ok {
		t.Error("refresh-scope-escalation tests scope: its invalid_scope is the rule, not an incidental cause")
	}
	if skipped == 0 || meant == 0 {
		t.Errorf("%d entries retry an incidental invalid_scope, %d do not: the table decides nothing", skipped, meant)
	}
}

func TestScopeRetries(t *testing.T) {
	scope := catalog.Incidentals[0]
	cases := []struct {
		name, sent, own string
		token, authz    []string
	}{
		{"none sent: the client's own, at the token endpoint", "", "openid offline_access", []string{"openid offline_access"}, nil},
		{"the provider's sent: the client's own, then none", "openid offline_access", "api", []string{"api", ""}, nil},
		{"the client's own sent: none, or openid alone", "openid offline_access", "openid offline_access", []string{""}, []string{"openid"}},
		{"openid alone sent: nothing smaller to ask", "openid", "openid", []string{""}, nil},
		{"no openid: nothing to keep", "api", "api", []string{""}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := tokenRetries(scope, c.sent, c.own); strings.Join(got, "|") != strings.Join(c.token, "|") || len(got) != len(c.token) {
				t.Errorf("token endpoint retries %q, want %q", got, c.token)
			}
			if c.sent == c.own {
				if got := authzRetries(scope, c.sent); strings.Join(got, "|") != strings.Join(c.authz, "|") || len(got) != len(c.authz) {
					t.Errorf("authorization endpoint retries %q, want %q", got, c.authz)
				}
			}
		})
	}
}
