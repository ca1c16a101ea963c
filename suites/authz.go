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
		if wrong == "" || slices.Contains(client.RedirectURIs, wrong) {
			r.NotApplicable("the variant changes nothing in the primary client's redirect URIs")
		}
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
	})

	harness.It(catalog.AuthzGrantNotAllowed, func(r *harness.Run) {
		client := r.Client(config.Restricted)
		if client.Allows("authorization_code") {
			r.NotApplicable("clients.restricted.grant_types includes authorization_code")
		}
		if len(client.RedirectURIs) == 0 {
			r.Skip("needs clients.restricted.redirect_uris: a URI registered for the restricted client, so a refusal is about the grant, not the redirect URI")
		}
		r.ExpectAuthzRefused(r.Outcome(config.Restricted), config.Restricted, "")
	})

	harness.It(catalog.AuthzPKCERequired, func(r *harness.Run) {
		if r.Client(config.Public).PKCE != "required" {
			r.NotApplicable("set clients.public.pkce: required when the provider requires PKCE of the public client; the scenario asserts what the config states")
		}
		r.ExpectAuthzRefused(r.Outcome(config.Public, harness.WithoutPKCE()), config.Public, "")
	})

	harness.It(catalog.AuthzPKCEPlainUnsupported, func(r *harness.Run) {
		methods := r.P.Discovery.CodeChallengeMethodsSupported
		switch {
		case len(methods) == 0:
			r.NotApplicable("discovery has no code_challenge_methods_supported, so nothing says plain is unsupported")
		case slices.Contains(methods, string(pkce.Plain)):
			r.NotApplicable("discovery lists plain in code_challenge_methods_supported")
		}
		o := r.Outcome(config.Primary, harness.WithVerifier(pkce.New(pkce.Plain)))
		r.ExpectAuthzRefused(o, config.Primary, "")
	})

	harness.It(catalog.AuthzIssParameter, func(r *harness.Run) {
		if !r.P.Discovery.AuthorizationResponseIssParameterSupported {
			r.NotApplicable("discovery does not set authorization_response_iss_parameter_supported (RFC 9207 §3)")
		}
		Expect(r.Code(config.Primary)).To(oauth.CarryIssuer(r.P.Discovery.Issuer))
	})

	harness.It(catalog.AuthzParamsOnce, func(r *harness.Run) {
		Expect(r.Code(config.Primary)).To(oauth.CarryEachParamOnce())
	})
})
