package harness

import (
	"net/http"
	"strings"
	"testing"

	"github.com/grantcheck/grantcheck/harness/authorize"
	"github.com/grantcheck/grantcheck/harness/config"
	"github.com/grantcheck/grantcheck/harness/token"
	"github.com/grantcheck/grantcheck/harness/transcript"
)

// TestControlAdvice: a failed control says what to do from what the provider answered: a refused
// scope names the setting that sends it, a server error says the provider failed (not the
// configuration), a 403 to a client without its own scope points at clients.<role>.scope.
func TestControlAdvice(t *testing.T) {
	answer := func(status int, body string) *token.Response {
		return token.NewResponse(status, http.Header{"Content-Type": {"application/json"}}, []byte(body), false, transcript.Record{})
	}
	cfg := &config.Config{Provider: config.Provider{Scope: "openid offline_access"}, Clients: config.Clients{
		Primary:    &config.Client{ClientID: "app-a"},
		Restricted: &config.Client{ClientID: "svc", Scope: "api"},
		Secondary:  &config.Client{ClientID: "app-b"},
	}}
	cases := []struct {
		name    string
		role    config.Role
		resp    *token.Response
		refused *authorize.RefusalError
		failure string
		want    []string
		not     string
	}{
		{name: "invalid_scope at the token endpoint, the client's own scope", role: config.Restricted,
			resp: answer(400, `{"error":"invalid_scope"}`), want: []string{`"api"`, "clients.restricted.scope"}, not: "fix"},
		{name: "invalid_scope at the authorization endpoint, provider.scope", role: config.Primary,
			refused: &authorize.RefusalError{Refusal: authorize.Refusal{Error: "invalid_scope"}},
			want:    []string{`"openid offline_access"`, "provider.scope", "clients.primary.scope"}, not: "fix"},
		{name: "a server error after the retries", role: config.Primary, resp: answer(500, `{"error":"server_error"}`), failure: "HTTP 500",
			want: []string{"the provider failed"}, not: "fix the login steps"},
		{name: "a server_error redirect", role: config.Primary, refused: &authorize.RefusalError{Refusal: authorize.Refusal{Error: "temporarily_unavailable"}},
			want: []string{"the provider failed"}, not: "fix the login steps"},
		{name: "403 to a client without its own scope", role: config.Secondary, resp: answer(403, `{"error":"access_denied"}`),
			want: []string{"fix the login steps", "clients.secondary.scope"}},
		{name: "anything else", role: config.Primary, resp: answer(401, `{"error":"invalid_client"}`), want: []string{"fix the login steps"}, not: "scope"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := controlAdvice(cfg, tc.role, tc.resp, tc.refused, tc.failure, "fix the login steps or the client configuration")
			for _, w := range tc.want {
				if !strings.Contains(got, w) {
					t.Errorf("%q does not say %q", got, w)
				}
			}
			if tc.not != "" && strings.Contains(got, tc.not) {
				t.Errorf("%q says %q", got, tc.not)
			}
		})
	}
}
