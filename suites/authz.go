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
		client := r.Client(config.Primary)
		wrong := mutate(client.RedirectURIs[0], client.RedirectURIs)
		o := r.Outcome(config.Primary, harness.WithRedirectURI(wrong))
		r.ExpectAuthzRefused(o, config.Primary, wrong)
	}, map[string]redirectMutation{
		"other-path": func(u string, _ []string) string {
			return withPath(u, func(p string) string { return p + "-grantcheck" })
		},
		"other-host": func(u string, _ []string) string {
			p := mustParse(u)
			p.Host = "grantcheck-unregistered.invalid"
			return p.String()
		},
		"other-scheme": func(u string, _ []string) string { return otherScheme(u) },
	}, func(p *harness.Provider, mutate redirectMutation) string {
		client := p.Config.Clients.Primary
		if wrong := mutate(client.RedirectURIs[0], client.RedirectURIs); wrong == "" || slices.Contains(client.RedirectURIs, wrong) {
			return "the variant changes nothing in the primary client's redirect URIs"
		}
		return ""
	})

	harness.It(catalog.AuthzGrantNotAllowed, func(r *harness.Run) {
		client := r.Client(config.Restricted)
		if len(client.RedirectURIs) == 0 {
			r.Skip("needs clients.restricted.redirect_uris: a URI registered for the restricted client, so a refusal is about the grant, not the redirect URI")
		}
		r.ExpectAuthzRefused(r.Outcome(config.Restricted), config.Restricted, "")
	}, harness.Applies(func(p *harness.Provider) string {
		if p.Config.Clients.Restricted.Allows("authorization_code") {
			return "clients.restricted.grant_types includes authorization_code"
		}
		return ""
	}))

	harness.It(catalog.AuthzPKCERequired, func(r *harness.Run) {
		r.ExpectAuthzRefused(r.Outcome(config.Public, harness.WithoutPKCE()), config.Public, "")
	}, harness.Applies(func(p *harness.Provider) string {
		if p.Config.Clients.Public.PKCE != "required" {
			return "set clients.public.pkce: required when the provider requires PKCE of the public client; the scenario asserts what the config states"
		}
		return ""
	}))

	harness.It(catalog.AuthzPKCEPlainUnsupported, func(r *harness.Run) {
		o := r.Outcome(config.Primary, harness.WithVerifier(pkce.New(pkce.Plain)))
		r.ExpectAuthzRefused(o, config.Primary, "")
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
})
