package suites

import (
	"fmt"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/grantcheck/grantcheck/harness"
	"github.com/grantcheck/grantcheck/harness/authorize"
	"github.com/grantcheck/grantcheck/harness/catalog"
	"github.com/grantcheck/grantcheck/harness/config"
	"github.com/grantcheck/grantcheck/harness/oauth"
	"github.com/grantcheck/grantcheck/harness/token"
)

var _ = Describe("code reuse", func() {
	harness.It(catalog.CodeReuse, func(r *harness.Run) {
		code := r.Code(config.Primary)
		r.Tokens(code, config.Primary)
		again := r.Send(r.Redeem(code, config.Primary, "second redemption of the same code"))
		r.ExpectRejected(again)
	})

	harness.It(catalog.CodeReuseRevokes, func(r *harness.Run) {
		code := r.Code(config.Primary)
		first := r.Tokens(code, config.Primary)
		at, rt := first.String("access_token"), first.String("refresh_token")
		// Only a check that accepts the fresh access token can show it was revoked later.
		check, unproven := r.ProvenAccessCheck(at)
		if check == nil && unproven == "" && rt == "" {
			r.Skip("the provider has neither userinfo nor introspection and issued no refresh token: nothing to test the revocation on")
		}
		// Whether the reuse itself is refused is code-reuse's finding; this scenario looks only
		// at what happened to the tokens of the first redemption.
		r.Send(r.Redeem(code, config.Primary, "second redemption of the same code"))

		rev := oauth.Revocation{AccessUnchecked: unproven}
		if check != nil {
			state := check.State(r, at, "with the first access token, after the reuse")
			rev.Access = &state
		} else if unproven == "" {
			rev.AccessUnchecked = "the provider has neither userinfo nor introspection"
		}
		if rt != "" {
			rev.Refresh = r.Send(r.Request(config.Primary, "refresh with the first refresh token").
				Set("grant_type", "refresh_token").Set("refresh_token", rt))
		}
		r.ExpectRevoked(rev)
	})

	// Each round is a fresh code whose redemptions are released together; rounds are sampled
	// until the verdict holds (harness.RaceRounds), and a PASS keeps every round's answers too.
	harness.It(catalog.CodeReuseConcurrent, func(r *harness.Run) {
		c := r.P.Config.Concurrency
		judge := oauth.WinOnceEachRound(r.Rejection)
		rounds := r.RaceRounds(c, func(code *authorize.Code, k, i int) *token.Request {
			return r.Redeem(code, config.Primary, fmt.Sprintf("round %d: parallel redemption %d of %d", k+1, i+1, c.Parallel))
		}, judge.Outcome)
		Expect(rounds).To(judge)
		r.Passed(judge.Summary())
	})
})
