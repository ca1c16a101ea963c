package suites

import (
	"fmt"

	. "github.com/onsi/ginkgo/v2"

	"github.com/grantcheck/grantcheck/harness"
	"github.com/grantcheck/grantcheck/harness/catalog"
	"github.com/grantcheck/grantcheck/harness/config"
	"github.com/grantcheck/grantcheck/harness/token"
)

// forbiddenGrant is a grant one role must not use, and the request that tries it.
type forbiddenGrant struct {
	role    config.Role
	grant   string
	request func(r *harness.Run, role config.Role) *token.Request
}

var _ = Describe("grant types", func() {
	harness.It(catalog.GrantTypeUnsupported, func(r *harness.Run) {
		r.ExpectRejected(r.Send(r.Request(config.Primary, "token request with an unknown grant_type").
			Set("grant_type", "urn:grantcheck:unknown-grant")))
	})

	harness.It(catalog.GrantTypeMissing, func(r *harness.Run) {
		client := r.Client(config.Primary)
		r.ExpectRejected(r.Send(r.Request(config.Primary, "token request without grant_type").
			Set("code", "grantcheck-placeholder").
			Set("redirect_uri", client.RedirectURIs[0])))
	})

	harness.Table(catalog.GrantTypeNotAllowed, func(r *harness.Run, g forbiddenGrant) {
		refuseGrant(r, g.role, g.grant, g.request)
	}, map[string]forbiddenGrant{
		"client_credentials": {config.Primary, "client_credentials", clientCredentialsRequest},
		"password":           {config.Primary, "password", passwordRequest},
		"refresh_token": {config.Restricted, "refresh_token", func(r *harness.Run, role config.Role) *token.Request {
			first := r.Tokens(r.Code(config.Primary), config.Primary)
			rt := first.String("refresh_token")
			if rt == "" {
				r.Skip(fmt.Sprintf("the provider issued no refresh token to the primary client (%s is %q)",
					r.P.Config.ScopeKey(config.Primary), r.P.Config.ScopeOf(config.Primary)))
			}
			return r.Request(role, "refresh_token grant by a client configured without it").
				Set("grant_type", "refresh_token").Set("refresh_token", rt)
		}},
		"authorization_code": {config.Restricted, "authorization_code", func(r *harness.Run, role config.Role) *token.Request {
			return r.Redeem(r.Code(config.Primary), role, "authorization_code grant by a client configured without it")
		}},
	}, func(p *harness.Provider, g forbiddenGrant) string { return grantAllowed(p.Config, g.role, g.grant) })
})

// refuseGrant: a grant the role's client is not configured for is refused.
func refuseGrant(r *harness.Run, role config.Role, grant string, request func(r *harness.Run, role config.Role) *token.Request) {
	notApplicableIf(r, grantAllowed(r.P.Config, role, grant))
	r.ExpectRejected(r.Send(request(r, role)))
}

// grantAllowed is why a check that role's client is refused grant does not apply ("" when it
// does): the client is configured for it. The scenario's harness.Applies and its body (run by the
// audit, which has no Applies) both ask it.
func grantAllowed(cfg *config.Config, role config.Role, grant string) string {
	if c := cfg.Clients.Get(role); c != nil && c.Allows(grant) {
		return field(cfg, role, "grant_types") + " includes " + grant
	}
	return ""
}

func clientCredentialsRequest(r *harness.Run, role config.Role) *token.Request {
	return r.Request(role, "client_credentials by a client configured without it").
		Set("grant_type", "client_credentials")
}

func passwordRequest(r *harness.Run, role config.Role) *token.Request {
	login := r.P.Config.Login
	return r.Request(role, "password grant by a client configured without it").
		Set("grant_type", "password").Set("username", login.Username).Set("password", login.Password)
}
