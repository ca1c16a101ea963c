package suites

import (
	. "github.com/onsi/ginkgo/v2"

	"github.com/grantcheck/grantcheck/harness"
	"github.com/grantcheck/grantcheck/harness/assertion"
	"github.com/grantcheck/grantcheck/harness/catalog"
	"github.com/grantcheck/grantcheck/harness/config"
	"github.com/grantcheck/grantcheck/harness/oauth"
	"github.com/grantcheck/grantcheck/harness/pkce"
	"github.com/grantcheck/grantcheck/harness/token"
)

// wrongSecret is a secret that is certainly not the client's.
func wrongSecret(c *config.Client) string { return c.ClientSecret + "-grantcheck-wrong" }

// wrongCredentials is the role's registered authentication made wrong: a wrong secret, or for a
// client that authenticates with an assertion, one signed by a key it never registered.
func wrongCredentials(r *harness.Run, role config.Role) token.Auth {
	c := r.Client(role)
	a := r.AuthOf(role)
	a.Secret = wrongSecret(c)
	if c.UsesAssertion() {
		a.Mutations = append(a.Mutations, otherKey(r, role))
	}
	return a
}

// otherKey signs the role's assertion with a key of its kind the client never registered.
func otherKey(r *harness.Run, role config.Role) assertion.Mutation {
	k, err := r.Client(role).SigningKey().Generate()
	if err != nil {
		r.Abort("%v", err)
	}
	return assertion.SignWith(k)
}

var _ = Describe("client authentication", func() {
	// Each scenario redeems a real code, so a provider that looks at the code before the client
	// cannot answer invalid_grant for the wrong reason.
	redeemWithWrongSecret := func(r *harness.Run, method string) *token.Response {
		return redeemWrongSecret(r, r.RoleWithAuth(method, config.Primary, config.Secondary), method)
	}

	harness.It(catalog.ClientSecretWrongBasic, func(r *harness.Run) {
		r.ExpectRejected(redeemWithWrongSecret(r, config.AuthBasic))
	})

	harness.It(catalog.InvalidClientChallenge, func(r *harness.Run) {
		r.ExpectRejected(redeemWithWrongSecret(r, config.AuthBasic),
			func(m *oauth.ErrorMatcher) { m.WithChallenge("Basic") })
	})

	harness.It(catalog.ClientSecretWrongPost, func(r *harness.Run) {
		r.ExpectRejected(redeemWithWrongSecret(r, config.AuthPost))
	})

	// An issued code, so the one rule under test is the unknown client: with a never-issued code a
	// provider that looks the code up first answers invalid_grant, which client-auth-before-code
	// judges (a SHOULD); one behaviour is judged by one scenario.
	harness.It(catalog.ClientUnknown, func(r *harness.Run) {
		unknown := wrongCredentials(r, config.Primary) // an assertion client's names the unknown client
		unknown.ClientID = "grantcheck-unknown-" + pkce.Random(12)
		code := r.Code(config.Primary)
		r.ExpectRejected(r.Send(r.Redeem(code, config.Primary, "redemption of an issued code by an unknown client_id").
			Authenticate(unknown)))
	})

	harness.It(catalog.ClientAuthMissing, func(r *harness.Run) {
		client := r.Client(config.Primary)
		if client.AuthMethod == config.AuthNone {
			r.Skip("needs a confidential primary client (clients.primary.auth_method is none)")
		}
		code := r.Code(config.Primary)
		r.ExpectRejected(r.Send(r.Redeem(code, config.Primary, "redemption by a confidential client sending only client_id").
			Authenticate(token.Auth{Method: config.AuthNone, ClientID: client.ClientID})))
	})
})

var _ = Describe("client authentication, second edition", func() {
	harness.It(catalog.ClientAuthMethodUnregistered, func(r *harness.Run) {
		if other := otherAuthMethod(r.Client(config.Primary)); other == "" {
			r.Skip("needs a primary client registered for client_secret_basic or client_secret_post (clients.primary.auth_method)")
		}
		r.ExpectRejected(redeemOtherAuthMethod(r, config.Primary))
	})

	harness.It(catalog.ClientAuthMultiple, func(r *harness.Run) {
		client := r.Client(config.Primary)
		if client.AuthMethod == config.AuthNone {
			r.Skip("needs a confidential primary client (clients.primary.auth_method is none)")
		}
		if client.UsesAssertion() {
			r.NotApplicable("the primary client authenticates with an assertion, not a secret sent two ways " +
				"(client-assertion/with-client-secret sends an assertion and a secret at once)")
		}
		code := r.Code(config.Primary)
		r.ExpectRejected(r.Send(r.Redeem(code, config.Primary, "redemption authenticated by Basic and by client_secret in the body").
			Authenticate(token.Auth{Method: config.AuthBasic, ClientID: client.ClientID, Secret: client.ClientSecret}).
			Set("client_secret", client.ClientSecret)))
	})

	harness.It(catalog.ClientUnknownPost, func(r *harness.Run) {
		client := r.Client(config.Primary)
		code := r.Code(config.Primary)
		r.ExpectRejected(r.Send(r.Redeem(code, config.Primary, "redemption by an unknown client_id with client_secret in the body").
			Authenticate(token.Auth{Method: config.AuthPost, ClientID: "grantcheck-unknown-" + pkce.Random(12), Secret: wrongSecret(client)})))
	})

	harness.It(catalog.ClientAuthMalformedBasic, func(r *harness.Run) {
		code := r.Code(config.Primary)
		r.ExpectRejected(r.Send(r.Redeem(code, config.Primary, "redemption with Authorization: Basic %%%").
			Authenticate(token.Auth{Method: token.AuthRawHeader, Header: "Basic %%%"})))
	})

	harness.It(catalog.ClientAuthBeforeCode, func(r *harness.Run) {
		client := r.Client(config.Primary)
		if client.AuthMethod == config.AuthNone {
			r.Skip("needs a confidential primary client (clients.primary.auth_method is none)")
		}
		r.ExpectRejected(r.Send(r.Request(config.Primary, "a never-issued code with a wrong client secret").
			Authenticate(wrongCredentials(r, config.Primary)).
			Set("grant_type", "authorization_code").
			Set("code", "grantcheck-never-issued-"+pkce.Random(24)).
			Set("redirect_uri", client.RedirectURIs[0]).
			Set("code_verifier", pkce.New(pkce.S256).Value)))
	})
})

// redeemWrongSecret redeems the role's own code with a wrong secret sent by method.
func redeemWrongSecret(r *harness.Run, role config.Role, method string) *token.Response {
	client := r.Client(role)
	code := r.Code(role)
	return r.Send(r.Redeem(code, role, "redemption with a wrong client secret ("+method+")").
		Authenticate(token.Auth{Method: method, ClientID: client.ClientID, Secret: wrongSecret(client)}))
}

// otherAuthMethod is the secret method the client is not registered for ("" for a public client).
func otherAuthMethod(c *config.Client) string {
	return map[string]string{config.AuthBasic: config.AuthPost, config.AuthPost: config.AuthBasic}[c.AuthMethod]
}

// redeemOtherAuthMethod redeems the role's own code with its correct secret sent by the method it
// is not registered for.
func redeemOtherAuthMethod(r *harness.Run, role config.Role) *token.Response {
	client := r.Client(role)
	other := otherAuthMethod(client)
	code := r.Code(role)
	return r.Send(r.Redeem(code, role, "redemption with the correct secret sent by "+other).
		Authenticate(token.Auth{Method: other, ClientID: client.ClientID, Secret: client.ClientSecret}))
}
