package suites

import (
	"errors"

	. "github.com/onsi/ginkgo/v2"

	"github.com/grantcheck/grantcheck/harness"
	"github.com/grantcheck/grantcheck/harness/authorize"
	"github.com/grantcheck/grantcheck/harness/catalog"
	"github.com/grantcheck/grantcheck/harness/config"
	"github.com/grantcheck/grantcheck/harness/pkce"
)

var _ = Describe("PKCE", func() {
	harness.It(catalog.PKCEVerifierMismatch, func(r *harness.Run) {
		code := r.Code(config.Primary)
		r.ExpectRejected(r.Send(r.Redeem(code, config.Primary, "redemption with a regenerated code_verifier").
			Set("code_verifier", pkce.New(pkce.S256).Value)))
	})

	harness.It(catalog.PKCEVerifierMissing, func(r *harness.Run) {
		code := r.Code(config.Primary)
		r.ExpectRejected(r.Send(r.Redeem(code, config.Primary, "redemption without code_verifier").Omit("code_verifier")))
	})

	harness.It(catalog.PKCEDowngrade, func(r *harness.Run) {
		code, err := r.TryCode(config.Primary, harness.WithoutPKCE())
		var refused *authorize.RefusalError
		if errors.As(err, &refused) {
			r.NotApplicable("the provider refuses authorization requests without code_challenge (" + refused.Refusal.Error +
				"), so no code exists to downgrade: the attack is stopped at the authorization endpoint")
		}
		if err != nil {
			r.Abort("%v", err)
		}
		r.ExpectRejected(r.Send(r.Redeem(code, config.Primary, "redemption with a code_verifier for a code requested without challenge").
			Set("code_verifier", pkce.New(pkce.S256).Value)))
	})

	harness.It(catalog.PKCEChallengeAsVerifier, func(r *harness.Run) {
		code := r.Code(config.Primary)
		r.ExpectRejected(r.Send(r.Redeem(code, config.Primary, "redemption with the S256 challenge as code_verifier").
			Set("code_verifier", code.PKCE.Challenge)))
	})

	harness.Table(catalog.PKCEVerifierMalformed, func(r *harness.Run, verifier string) {
		code := r.Code(config.Primary, harness.WithVerifier(pkce.FromValue(verifier, pkce.S256)))
		r.ExpectRejected(r.Send(r.Redeem(code, config.Primary, "redemption with a malformed code_verifier")))
	}, map[string]string{
		"42-chars":      pkce.Random(42),
		"129-chars":     pkce.Random(129),
		"bad-character": pkce.Random(21) + "+" + pkce.Random(21),
	})
})
