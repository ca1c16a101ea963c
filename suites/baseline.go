package suites

import (
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/grantcheck/grantcheck/harness"
	"github.com/grantcheck/grantcheck/harness/catalog"
	"github.com/grantcheck/grantcheck/harness/config"
	"github.com/grantcheck/grantcheck/harness/oauth"
)

var _ = Describe("baseline", func() {
	harness.It(catalog.BaselineExchange, func(r *harness.Run) {
		code := r.Code(config.Primary)
		resp := r.Send(r.Redeem(code, config.Primary, "valid redemption"))
		openid := strings.Contains(" "+code.Scope+" ", " openid ")
		Expect(resp).To(oauth.BeTokenResponse(openid))
	})

	harness.It(catalog.TokenResponseNoStore, func(r *harness.Run) {
		resp := r.Tokens(r.Code(config.Primary), config.Primary)
		Expect(resp).To(oauth.HaveNoStore())
	})
})
