package suites

import (
	"fmt"
	"time"

	"github.com/go-jose/go-jose/v4"
	. "github.com/onsi/ginkgo/v2"

	"github.com/grantcheck/grantcheck/harness"
	"github.com/grantcheck/grantcheck/harness/assertion"
	"github.com/grantcheck/grantcheck/harness/catalog"
	"github.com/grantcheck/grantcheck/harness/config"
	"github.com/grantcheck/grantcheck/harness/oauth"
	"github.com/grantcheck/grantcheck/harness/token"
)

// What to set when a client-assertion scenario finds no client for it.
const (
	setKeyJWT    = "set clients.assertion with auth_method: private_key_jwt and private_key or private_key_file"
	setSecretJWT = "set clients.assertion_secret with auth_method: client_secret_jwt and client_secret"
	setAnyJWT    = "set clients.assertion (private_key_jwt) or clients.assertion_secret (client_secret_jwt)"
	setSecondJWT = "set both clients.assertion and clients.assertion_secret"
	setSecretFor = "set clients.assertion_secret (client_secret_jwt): a client with both an assertion and a secret to send"
)

var (
	keyJWT    = []string{config.AuthPrivateKeyJWT}
	secretJWT = []string{config.AuthSecretJWT}
	anyJWT    = []string{config.AuthPrivateKeyJWT, config.AuthSecretJWT}
)

// assertionCase sends one scenario's request and returns the answer its verdict judges.
type assertionCase func(r *harness.Run) *token.Response

// mutated redeems a fresh grant of the first client using one of methods, its assertion changed
// by the mutations (made when the request is sent, so times are current).
func mutated(hint string, methods []string, mutations ...func(r *harness.Run, role config.Role) assertion.Mutation) assertionCase {
	return func(r *harness.Run) *token.Response {
		role := r.ClientRole(hint, methods)
		auth := r.AuthOf(role)
		for _, m := range mutations {
			auth.Mutations = append(auth.Mutations, m(r, role))
		}
		return r.Send(r.Grant(role, "redemption with a client assertion: "+r.Entry.Variant.Title).Authenticate(auth))
	}
}

// fixed is a mutation that needs nothing from the run.
func fixed(m assertion.Mutation) func(*harness.Run, config.Role) assertion.Mutation {
	return func(*harness.Run, config.Role) assertion.Mutation { return m }
}

// at is a claim set to now plus d, in seconds (a NumericDate).
func at(name string, d time.Duration) func(*harness.Run, config.Role) assertion.Mutation {
	return func(*harness.Run, config.Role) assertion.Mutation {
		return assertion.SetClaim(name, time.Now().Add(d).Unix())
	}
}

const otherServer = "https://grantcheck-other-server.example"

var assertionCases = map[string]assertionCase{
	"wrong-key": mutated(setKeyJWT, keyJWT, otherKey),
	"alg-none":  mutated(setAnyJWT, anyJWT, fixed(assertion.Unsigned())),
	"hs256-public-key": mutated(setKeyJWT, keyJWT, func(r *harness.Run, role config.Role) assertion.Mutation {
		pub, err := r.Client(role).SigningKey().PublicPEM()
		if err != nil {
			r.Abort("%v", err)
		}
		return assertion.MACWith(jose.HS256, pub)
	}),
	"broken-signature": mutated(setAnyJWT, anyJWT, fixed(assertion.BreakSignature())),
	"wrong-secret":     mutated(setSecretJWT, secretJWT, otherKey),
	"exp-past":         mutated(setAnyJWT, anyJWT, at("exp", -time.Hour), at("iat", -time.Hour-time.Minute)),
	"exp-missing":      mutated(setAnyJWT, anyJWT, fixed(assertion.WithoutClaim("exp"))),
	"nbf-future":       mutated(setAnyJWT, anyJWT, at("nbf", time.Hour)),
	"iss-not-client": mutated(setAnyJWT, anyJWT, func(r *harness.Run, role config.Role) assertion.Mutation {
		return assertion.SetClaim("iss", r.Client(role).ClientID+"-grantcheck-other")
	}),
	"sub-not-client": mutated(setAnyJWT, anyJWT, func(r *harness.Run, role config.Role) assertion.Mutation {
		return assertion.SetClaim("sub", r.Client(role).ClientID+"-grantcheck-other")
	}),
	"other-client": func(r *harness.Run) *token.Response {
		role := r.ClientRole(setAnyJWT, anyJWT)
		other := r.ClientRole(setSecondJWT, anyJWT, role)
		// The other client's own valid assertion; the body names this client.
		auth := r.AuthOf(other)
		return r.Send(r.Grant(role, "redemption with another client's valid assertion").Authenticate(auth).
			Set("client_id", r.Client(role).ClientID))
	},
	"aud-other-server": mutated(setAnyJWT, anyJWT, fixed(assertion.SetClaim("aud", otherServer))),
	"wrong-type": func(r *harness.Run) *token.Response {
		role := r.ClientRole(setAnyJWT, anyJWT)
		return r.Send(r.Grant(role, "redemption with client_assertion_type of a SAML assertion").
			Set("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:saml2-bearer"))
	},
	"with-client-secret": func(r *harness.Run) *token.Response {
		role := r.ClientRole(setSecretFor, secretJWT)
		return r.Send(r.Grant(role, "redemption with a valid assertion and the client_secret").
			Set("client_secret", r.Client(role).ClientSecret))
	},
}

var assertionRecommendedCases = map[string]assertionCase{
	"aud-token-endpoint": mutated(setAnyJWT, anyJWT, func(r *harness.Run, role config.Role) assertion.Mutation {
		if r.Client(role).AssertionAudience == config.AudienceTokenEndpoint {
			r.NotApplicable(fmt.Sprintf("the %s client is configured to name the token endpoint as aud (clients.%s.assertion_audience)", role, role))
		}
		return assertion.SetClaim("aud", r.P.Discovery.TokenEndpoint)
	}),
	"aud-multiple": mutated(setAnyJWT, anyJWT, func(r *harness.Run, role config.Role) assertion.Mutation {
		// The audience the client's valid assertions carry, and another server.
		return assertion.SetClaim("aud", []string{r.AuthOf(role).Audience, otherServer})
	}),
	"iat-future": mutated(setAnyJWT, anyJWT, at("iat", 365*24*time.Hour)),
	"replay": func(r *harness.Run) *token.Response {
		role := r.ClientRole(setAnyJWT, anyJWT)
		auth := r.AuthOf(role)
		a, err := auth.MakeAssertion()
		if err != nil {
			r.Abort("%v", err)
		}
		r.Log.Redactor.Learn("client_assertion", a)
		auth.Prepared = a
		first := r.Send(r.Grant(role, "control: redemption with a fresh assertion").Authenticate(auth))
		if ok, _ := oauth.BeTokenResponse(false).Match(first); !ok {
			r.Abort("the first use of the assertion was refused, so its replay proves nothing:%s", first.GomegaString())
		}
		return r.Send(r.Grant(role, "the same assertion again, with a new grant").Authenticate(auth))
	},
	"method-unregistered": func(r *harness.Run) *token.Response {
		role := config.Primary
		c := r.Client(role)
		if c.AuthMethod != config.AuthBasic && c.AuthMethod != config.AuthPost {
			r.Skip("needs a primary client registered for client_secret_basic or client_secret_post (clients.primary.auth_method)")
		}
		key, err := assertion.Secret(c.ClientSecret, "")
		if err != nil { // a short secret: no provider may verify such a MAC either (RFC 7518 §3.2)
			r.NotApplicable("the primary client's secret cannot key a client_secret_jwt assertion: " + err.Error())
		}
		auth := r.AuthOf(role)
		auth.Method, auth.Key = config.AuthSecretJWT, key
		return r.Send(r.Grant(role, "redemption with a client_secret_jwt assertion keyed by the correct secret").Authenticate(auth))
	},
}

var _ = Describe("client assertions", func() {
	body := func(r *harness.Run, send assertionCase) { r.ExpectRejected(send(r)) }
	harness.Table(catalog.ClientAssertion, body, assertionCases)
	harness.Table(catalog.ClientAssertionRecommended, body, assertionRecommendedCases)
})
