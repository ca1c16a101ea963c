package oauth

import (
	"net/http"
	"strings"
	"testing"

	"github.com/grantcheck/grantcheck/harness/token"
	"github.com/grantcheck/grantcheck/harness/transcript"
)

// refresh-scope-escalation is judged by the granted scope, strongest evidence first (issue 14
// item 7; RFC 6749 §3.3, §5.1, §6).
func TestGrantWithin(t *testing.T) {
	original := []string{"openid", "offline_access"}
	requested := []string{"openid", "offline_access", "profile"}
	withScope := `{"access_token":"a","token_type":"Bearer","scope":"openid offline_access"}`
	withExtra := `{"access_token":"a","token_type":"Bearer","scope":"openid offline_access profile"}`
	without := `{"access_token":"a","token_type":"Bearer"}`
	introspected := func(s string) Grant {
		return Grant{Scope: strings.Fields(s), Evidence: "introspection gives scope " + s}
	}
	cases := []struct {
		name string
		body string
		// grant is what the harness found beyond the response (introspection, the token's claim).
		grant Grant
		want  string // "" for a pass, else the tag the failure starts with
	}{
		{"narrowed, and the response says so", withScope, Grant{Scope: original, Evidence: "the token response's scope"}, ""},
		{"narrowed, shown by introspection and the response", withScope, introspected("openid offline_access"), ""},
		{"a narrower scope still", `{"access_token":"a","scope":"openid"}`, Grant{Scope: []string{"openid"}}, ""},
		{"the new scope granted, by introspection", withScope, introspected("openid offline_access profile"), "[security]"},
		{"the new scope granted, by the response", withExtra, Grant{Scope: requested}, "[security]"},
		{"scope omitted and no other evidence: what was requested", without, Grant{}, "[security]"},
		{"scope omitted while introspection shows it narrowed", without, introspected("openid offline_access"), "[format MUST]"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			resp := token.NewResponse(200, http.Header{"Content-Type": {"application/json"}}, []byte(c.body), false, transcript.Record{})
			m := GrantWithin(original, requested, c.grant)
			ok, err := m.Match(resp)
			if err != nil {
				t.Fatal(err)
			}
			switch {
			case c.want == "" && !ok:
				t.Errorf("want a pass, got %s", m.FailureMessage(resp))
			case c.want != "" && ok:
				t.Errorf("want %s, got a pass: %s", c.want, m.Summary())
			case c.want != "" && !strings.HasPrefix(m.FailureMessage(resp), c.want+" "):
				t.Errorf("want %s, got %s", c.want, m.FailureMessage(resp))
			}
		})
	}
}
