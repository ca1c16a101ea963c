package harness

import (
	"fmt"
	"slices"
	"strings"

	"github.com/grantcheck/grantcheck/harness/config"
	"github.com/grantcheck/grantcheck/harness/token"
)

// ClientRole is the first configured role (in config.Roles order) whose client authenticates with
// one of methods and is not excluded, its control having succeeded; a scenario about a method
// uses a client that really authenticates that way. None configured: SKIP naming what to set. A
// failed control: ERROR with its cause.
func (r *Run) ClientRole(hint string, methods []string, exclude ...config.Role) config.Role {
	for _, role := range config.Roles {
		c := r.P.Config.Clients.Get(role)
		if c == nil || !slices.Contains(methods, c.AuthMethod) || slices.Contains(exclude, role) {
			continue
		}
		if !c.Allows("authorization_code") && !c.Allows("client_credentials") {
			continue // nothing to present the authentication with
		}
		if err := r.P.ControlErr(role); err != nil {
			r.Abort("the control of the %s client failed, so a refusal would prove nothing: %v", role, err)
		}
		return role
	}
	// OpenID Connect Discovery §3: token_endpoint_auth_methods_supported lists what the provider
	// accepts; a provider that lists none of methods offers no such feature.
	if listed := r.P.Discovery.TokenEndpointAuthMethodsSupported; len(listed) > 0 && len(exclude) == 0 &&
		!slices.ContainsFunc(methods, func(m string) bool { return slices.Contains(listed, m) }) {
		r.NotApplicable(fmt.Sprintf("the provider lists none of %s in token_endpoint_auth_methods_supported", strings.Join(methods, ", ")))
	}
	r.Skip(fmt.Sprintf("needs %sa client registered for %s that may use the authorization_code or client_credentials grant (%s)",
		map[bool]string{true: "another ", false: ""}[len(exclude) > 0], strings.Join(methods, " or "), hint))
	return ""
}

// Grant is a valid grant request of role, authenticated as the role is registered: the redemption
// of a fresh code, or for a client without the code grant the client_credentials grant. A scenario
// changes its authentication only.
func (r *Run) Grant(role config.Role, step string) *token.Request {
	if r.Client(role).Allows("authorization_code") {
		return r.Redeem(r.Code(role), role, step)
	}
	return r.ClientCredentials(role, step)
}

// ClientCredentials is role's client_credentials grant request, asking for the client's own scope
// if it declares one (provider.scope is for logins; a service client asks only for its own).
func (r *Run) ClientCredentials(role config.Role, step string) *token.Request {
	req := r.Request(role, step).Set("grant_type", "client_credentials")
	if c := r.Client(role); c.Scope != "" {
		req.Set("scope", c.Scope)
	}
	return req
}
