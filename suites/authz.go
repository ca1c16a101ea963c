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
		_, why := redirectVariant(p.Config, config.Primary, unregisteredOnly(mutate))
		return why
	})

	harness.It(catalog.AuthzGrantNotAllowed, func(r *harness.Run) {
		authzNoCode(r, config.Restricted)
	}, harness.Applies(func(p *harness.Provider) string {
		return grantAllowed(p.Config, config.Restricted, "authorization_code")
	}))

	harness.It(catalog.AuthzPKCERequired, func(r *harness.Run) {
		authzPKCERequired(r, config.Public)
	}, harness.Applies(func(p *harness.Provider) string { return pkceNotRequired(p.Config, config.Public) }))

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
	wrong, why := redirectVariant(r.P.Config, role, unregisteredOnly(mutate))
	notApplicableIf(r, why)
	r.ExpectAuthzRefused(role, wrong, harness.WithRedirectURI(wrong))
}

// unregisteredOnly is mutate with a result the client registered anyway counted as no change: the
// authorization request must name a URI the client never registered.
func unregisteredOnly(mutate redirectMutation) redirectMutation {
	return func(u string, registered []string) string {
		if wrong := mutate(u, registered); !slices.Contains(registered, wrong) {
			return wrong
		}
		return ""
	}
}

// authzNoCode: a client not allowed the code grant gets no code at its own registered URI.
func authzNoCode(r *harness.Run, role config.Role) {
	notApplicableIf(r, grantAllowed(r.P.Config, role, "authorization_code"))
	if len(r.Client(role).RedirectURIs) == 0 && role.Audited() {
		r.NotApplicable("the client has no registered redirect URI, so no code request can be refused for the grant alone")
	}
	if len(r.Client(role).RedirectURIs) == 0 {
		r.Skip("needs " + field(r.P.Config, role, "redirect_uris") + ": a URI registered for the client, so a refusal is about the grant, not the redirect URI")
	}
	r.ExpectAuthzRefused(role, "")
}

// authzPKCERequired: a client whose configuration says pkce: required gets no code without a challenge.
func authzPKCERequired(r *harness.Run, role config.Role) {
	notApplicableIf(r, pkceNotRequired(r.P.Config, role))
	r.ExpectAuthzRefused(role, "", harness.WithoutPKCE())
}

// pkceNotRequired is why authz-pkce-required does not apply to role's client ("" when it does):
// the scenario asserts what the configuration states.
func pkceNotRequired(cfg *config.Config, role config.Role) string {
	switch c := cfg.Clients.Get(role); {
	case c == nil || c.PKCE == "required":
		return "" // the needs decide
	case role.Audited():
		return "the client does not declare pkce: required"
	}
	return "set " + field(cfg, role, "pkce") + ": required when the provider requires PKCE of the " + string(role) +
		" client; the scenario asserts what the config states"
}

// field names a client's setting in messages: clients.primary.pkce, or an audited client's.
func field(cfg *config.Config, role config.Role, key string) string {
	if role.Audited() {
		return key + " of " + cfg.Describe(role)
	}
	return "clients." + string(role) + "." + key
}

// notApplicableIf ends the scenario as not applicable when why (an applicability check's answer,
// shared with the scenario's harness.Applies) is not "".
func notApplicableIf(r *harness.Run, why string) {
	if why != "" {
		r.NotApplicable(why)
	}
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
