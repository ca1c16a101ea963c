package oauth

import (
	"net/http"
	"strings"
	"testing"

	"github.com/grantcheck/grantcheck/harness/token"
	"github.com/grantcheck/grantcheck/harness/transcript"
)

// cross-client-id-mismatch says which token showed what (issue 14 item 15): an id_token whose aud
// is the body's client is reported as that, not as "tokens bound to the other client".
func TestIssuedToSaysWhichTokenShowedWhat(t *testing.T) {
	body := `{"access_token":"a","refresh_token":"r","id_token":"i","token_type":"Bearer"}`
	resp := token.NewResponse(200, http.Header{"Content-Type": {"application/json"}}, []byte(body), true, transcript.Record{})
	access := TokenOwner{Token: "access_token", ClientID: "app-a", Evidence: "introspection's client_id"}
	refresh := TokenOwner{Token: "refresh_token", ClientID: "app-a", Evidence: "introspection's client_id"}
	idAud := func(c string) TokenOwner { return TokenOwner{Token: "id_token", ClientID: c, Evidence: "its aud"} }
	cases := []struct {
		name   string
		tokens []TokenOwner
		tag    string
		says   []string
		never  []string
	}{
		{"only the id_token's aud names the body's client", []TokenOwner{access, refresh, idAud("app-b")}, "[security MUST]",
			[]string{"the id_token is bound to app-b", "the access_token belongs to app-a", "the refresh_token belongs to app-a"},
			[]string{"access_token and", "tokens bound to app-b"}},
		{"every token the authenticated client's", []TokenOwner{access, refresh, idAud("app-a")}, "[security]",
			[]string{"to the authenticated client app-a", "the id_token belongs to app-a (its aud)"}, nil},
		{"nothing could tell", nil, "[security]", []string{"whose tokens they are is unknown (no introspection endpoint and no id_token)"}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := BeError(InvalidRequest).AsShould().IssuedTo(Owner{Authenticated: "app-a", Named: "app-b", Tokens: c.tokens,
				Unknown: "no introspection endpoint and no id_token"})
			if ok, err := m.Match(resp); ok || err != nil {
				t.Fatalf("Match = %v, %v; want a failure", ok, err)
			}
			msg := m.FailureMessage(resp)
			if !strings.HasPrefix(msg, c.tag+" ") {
				t.Errorf("want %s, got %s", c.tag, msg)
			}
			for _, s := range c.says {
				if !strings.Contains(msg, s) {
					t.Errorf("the reason does not say %q: %s", s, msg)
				}
			}
			for _, s := range c.never {
				if strings.Contains(msg, s) {
					t.Errorf("the reason says %q: %s", s, msg)
				}
			}
		})
	}
}
