package suites

import (
	"slices"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/grantcheck/grantcheck/harness"
	"github.com/grantcheck/grantcheck/harness/catalog"
	"github.com/grantcheck/grantcheck/harness/config"
	"github.com/grantcheck/grantcheck/harness/oauth"
	"github.com/grantcheck/grantcheck/harness/pkce"
)

var _ = Describe("authorization endpoint", func() {
	harness.Table(catalog.AuthzUnregisteredRedirect, func(r *harness.Run, mutate redirectMutation) {
		authzUnregisteredRedirect(r, config.Primary, mutate)
	}, authzRedirectMutations, func(p *harness.Provider, mutate redirectMutation) string {
		client := p.Config.Clients.Primary
		if client == nil || len(client.RedirectURIs) == 0 {
			return "" // the needs decide
		}
		if wrong := mutate(client.RedirectURIs[0], client.RedirectURIs); wrong == "" || slices.Contains(client.RedirectURIs, wrong) {
			return "the variant changes nothing in the primary client's redirect URIs"
		}
		return ""
	})

	harness.It(catalog.AuthzGrantNotAllowed, func(r *harness.Run) {
		authzNoCode(r, config.Restricted)
	}, harness.Applies(func(p *harness.Provider) string {
		if c := p.Config.Clients.Restricted; c != nil && c.Allows("authorization_code") {
			return "clients.restricted.grant_types includes authorization_code"
		}
		return ""
	}))

	harness.It(catalog.AuthzPKCERequired, func(r *harness.Run) {
		authzPKCERequired(r, config.Public)
	}, harness.Applies(func(p *harness.Provider) string {
		if c := p.Config.Clients.Public; c != nil && c.PKCE != "required" {
			return "set clients.public.pkce: required when the provider requires PKCE of the public client; the scenario asserts what the config states"
		}
		return ""
	}))

	harness.It(catalog.AuthzPKCEPlainUnsupported, func(r *harness.Run) {
		r.ExpectAuthzRefused(config.Primary, "", harness.WithVerifier(pkce.New(pkce.Plain)))
	}, harness.Applies(func(p *harness.Provider) string {
		switch methods := p.Discovery.CodeChallengeMethodsSupported; {
		case len(methods) == 0:
			return "discovery has no code_challenge_methods_supported, so nothing says plain is unsupported"
		case slices.Contains(methods, string(pkce.Plain)):
			return "discovery lists plain in code_challenge_methods_supported"
		}
		return ""
	}))

	harness.It(catalog.AuthzIssParameter, func(r *harness.Run) {
		Expect(r.Code(config.Primary)).To(oauth.CarryIssuer(r.P.Discovery.Issuer))
	}, harness.Applies(func(p *harness.Provider) string {
		if !p.Discovery.AuthorizationResponseIssParameterSupported {
			return "discovery does not set authorization_response_iss_parameter_supported (RFC 9207 §3)"
		}
		return ""
	}))

	harness.It(catalog.AuthzParamsOnce, func(r *harness.Run) {
		Expect(r.Code(config.Primary)).To(oauth.CarryEachParamOnce())
	})
})

// authzUnregisteredRedirect: a flow with mutate(the role's first registered URI) as redirect_uri is
// refused, redirecting neither to it nor to a registered URI.
func authzUnregisteredRedirect(r *harness.Run, role config.Role, mutate redirectMutation) {
	client := r.Client(role)
	if len(client.RedirectURIs) == 0 {
		r.NotApplicable(field(r, role, "redirect_uris") + " is empty: there is no registered URI to vary")
	}
	wrong := mutate(client.RedirectURIs[0], client.RedirectURIs)
	if wrong == "" || slices.Contains(client.RedirectURIs, wrong) {
		r.NotApplicable("the variant changes nothing in " + field(r, role, "redirect_uris"))
	}
	r.ExpectAuthzRefused(role, wrong, harness.WithRedirectURI(wrong))
}

// authzNoCode: a client not allowed the code grant gets no code at its own registered URI.
func authzNoCode(r *harness.Run, role config.Role) {
	client := r.Client(role)
	if client.Allows("authorization_code") {
		r.NotApplicable(field(r, role, "grant_types") + " includes authorization_code")
	}
	if len(client.RedirectURIs) == 0 && role.Audited() {
		r.NotApplicable("the client has no registered redirect URI, so no code request can be refused for the grant alone")
	}
	if len(client.RedirectURIs) == 0 {
		r.Skip("needs " + field(r, role, "redirect_uris") + ": a URI registered for the client, so a refusal is about the grant, not the redirect URI")
	}
	r.ExpectAuthzRefused(role, "")
}

// authzPKCERequired: a client whose configuration says pkce: required gets no code without a challenge.
func authzPKCERequired(r *harness.Run, role config.Role) {
	if r.Client(role).PKCE != "required" && role.Audited() {
		r.NotApplicable("the client does not declare pkce: required")
	}
	if r.Client(role).PKCE != "required" {
		r.NotApplicable("set " + field(r, role, "pkce") + ": required when the provider requires PKCE of the client; the scenario asserts what the config states")
	}
	r.ExpectAuthzRefused(role, "", harness.WithoutPKCE())
}

// field names a client's setting in messages: clients.primary.pkce, or an audited client's.
func field(r *harness.Run, role config.Role, key string) string {
	if role.Audited() {
		return key + " of " + r.P.Config.Describe(role)
	}
	return "clients." + string(role) + "." + key
}

// authzRedirectMutations are authz-unregistered-redirect's variants, by name.
var authzRedirectMutations = map[string]redirectMutation{
	"other-path": func(u string, _ []string) string {
		return withPath(u, func(p string) string { return p + "-grantcheck" })
	},
	"other-host": func(u string, _ []string) string {
		p := mustParse(u)
		p.Host = "grantcheck-unregistered.invalid"
		return p.String()
	},
	"other-scheme": func(u string, _ []string) string { return otherScheme(u) },
}
