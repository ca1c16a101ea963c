package suites

import (
	. "github.com/onsi/ginkgo/v2"

	"github.com/grantcheck/grantcheck/harness"
	"github.com/grantcheck/grantcheck/harness/authorize"
	"github.com/grantcheck/grantcheck/harness/catalog"
	"github.com/grantcheck/grantcheck/harness/config"
	"github.com/grantcheck/grantcheck/harness/pkce"
)

// The expiring code is obtained when the suite starts, so its lifetime runs out while the other
// scenarios run; the spec itself runs last (lowest priority) and waits only for what is left.
var expiringCode = harness.Prefetch(catalog.CodeExpired, func(r *harness.Run) (*authorize.Code, error) {
	return r.TryCode(config.Primary)
})

var _ = Describe("code validity", func() {
	harness.It(catalog.CodeExpired, func(r *harness.Run) {
		code := expiringCode.Get(r)
		r.WaitUntil(harness.ExpiredAfter(r.P.Config.Provider, code),
			"provider.code_ttl + provider.expiry_margin (at least a second: lifetimes are often counted in whole seconds) after the redirect carrying the code arrived")
		r.ExpectRejected(r.Send(r.Redeem(code, config.Primary, "redemption after the code's lifetime")))
	}, SpecPriority(-1))

	harness.It(catalog.CodeUnknown, func(r *harness.Run) {
		client := r.Client(config.Primary)
		verifier := pkce.New(pkce.S256)
		r.ExpectRejected(r.Send(r.Request(config.Primary, "redemption of a code never issued").
			Set("grant_type", "authorization_code").
			Set("code", "grantcheck-never-issued-"+pkce.Random(24)).
			Set("redirect_uri", client.RedirectURIs[0]).
			Set("code_verifier", verifier.Value)))
	})

	harness.It(catalog.CodeTampered, func(r *harness.Run) {
		code := r.Code(config.Primary)
		r.ExpectRejected(r.Send(r.Redeem(code, config.Primary, "redemption of the code with one character changed").
			Set("code", tamper(code.Value))))
	})
})

// tamper changes the middle character to another one of the same kind, so the code keeps its
// shape and only its value is wrong.
func tamper(code string) string {
	b := []byte(code)
	i := len(b) / 2
	switch c := b[i]; {
	case c >= 'a' && c <= 'z':
		b[i] = 'a' + (c-'a'+1)%26
	case c >= 'A' && c <= 'Z':
		b[i] = 'A' + (c-'A'+1)%26
	case c >= '0' && c <= '9':
		b[i] = '0' + (c-'0'+1)%10
	default:
		b[i] = 'x'
	}
	return string(b)
}
