package suites

import (
	"fmt"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"

	"github.com/grantcheck/grantcheck/harness"
	"github.com/grantcheck/grantcheck/harness/catalog"
	"github.com/grantcheck/grantcheck/harness/config"
	"github.com/grantcheck/grantcheck/harness/idtoken"
	"github.com/grantcheck/grantcheck/harness/verdict"
)

// clockSkew is the clock difference between the provider and this machine tolerated for exp/iat.
const clockSkew = time.Minute

var _ = Describe("ID token", func() {
	harness.It(catalog.IDTokenValid, func(r *harness.Run) {
		code := r.Code(config.Primary)
		resp := r.Tokens(code, config.Primary)
		raw := resp.String("id_token")
		if raw == "" {
			r.Skip(fmt.Sprintf("the token response has no id_token (%s is %q; baseline-exchange reports a missing one for scope openid)",
				r.P.Config.ScopeKey(config.Primary), code.Scope))
		}
		jwksURI := r.P.Discovery.JWKSURI
		if jwksURI == "" {
			r.Fail(verdict.Format, "discovery has no jwks_uri (OpenID Connect Discovery 1.0 §3 requires it), so no ID token signature can be checked")
		}
		jwks := r.Fetch(jwksURI, "the provider's JWK Set (jwks_uri)")
		if jwks.Status != 200 {
			r.Fail(verdict.Format, "jwks_uri answered HTTP %d, not 200 with the JWK Set", jwks.Status)
		}
		problems := idtoken.Check(raw, jwks.Body, idtoken.Want{
			Issuer: r.P.Discovery.Issuer, ClientID: r.Client(config.Primary).ClientID, Nonce: code.Nonce,
			AccessToken: resp.String("access_token"), Now: time.Now(), Skew: clockSkew,
		})
		if len(problems) > 0 {
			r.Fail(verdict.Format, "the ID token fails OpenID Connect Core 1.0 §3.1.3.7: %s", strings.Join(problems, "; "))
		}
	})
})
