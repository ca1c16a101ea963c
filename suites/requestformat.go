package suites

import (
	. "github.com/onsi/ginkgo/v2"

	"github.com/grantcheck/grantcheck/harness"
	"github.com/grantcheck/grantcheck/harness/catalog"
	"github.com/grantcheck/grantcheck/harness/config"
	"github.com/grantcheck/grantcheck/harness/pkce"
)

var _ = Describe("request format", func() {
	// Each request but the missing code's is a valid redemption of a live code with one thing
	// wrong, so a provider that overlooks it issues tokens.
	harness.It(catalog.RequestGET, func(r *harness.Run) {
		code := r.Code(config.Primary)
		r.ExpectRejected(r.Send(r.Redeem(code, config.Primary, "valid redemption sent by GET").AsGET()))
	})

	harness.Table(catalog.RequestDuplicateParam, func(r *harness.Run, param string) {
		code := r.Code(config.Primary)
		req := r.Redeem(code, config.Primary, "valid redemption with "+param+" sent twice")
		r.ExpectRejected(r.Send(req.Duplicate(param, req.Get(param))))
	}, map[string]string{"code": "code", "grant_type": "grant_type", "redirect_uri": "redirect_uri"})

	harness.It(catalog.RequestMissingCode, func(r *harness.Run) {
		client := r.Client(config.Primary)
		r.ExpectRejected(r.Send(r.Request(config.Primary, "authorization_code request without code").
			Set("grant_type", "authorization_code").
			Set("redirect_uri", client.RedirectURIs[0]).
			Set("code_verifier", pkce.New(pkce.S256).Value)))
	})

	harness.It(catalog.RequestJSONBody, func(r *harness.Run) {
		code := r.Code(config.Primary)
		r.ExpectRejected(r.Send(r.Redeem(code, config.Primary, "valid redemption sent as a JSON body").AsJSON()))
	})

	harness.It(catalog.RequestEmptyParam, func(r *harness.Run) {
		code := r.Code(config.Primary)
		r.ExpectRejected(r.Send(r.Redeem(code, config.Primary, "redemption with an empty code_verifier=").Set("code_verifier", "")))
	})
})
