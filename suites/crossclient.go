package suites

import (
	. "github.com/onsi/ginkgo/v2"

	"github.com/grantcheck/grantcheck/harness"
	"github.com/grantcheck/grantcheck/harness/catalog"
	"github.com/grantcheck/grantcheck/harness/config"
	"github.com/grantcheck/grantcheck/harness/oauth"
)

var _ = Describe("cross client", func() {
	harness.It(catalog.CrossClientCode, func(r *harness.Run) {
		code := r.Code(config.Primary)
		r.ExpectRejected(r.Send(r.Redeem(code, config.Secondary, "the primary client's code redeemed by the secondary client")))
	})

	harness.It(catalog.CrossClientCodePublic, func(r *harness.Run) {
		code := r.Code(config.Primary)
		r.ExpectRejected(r.Send(r.Redeem(code, config.Public, "the primary client's code redeemed by the public client")))
	})

	harness.It(catalog.CrossClientIDMismatch, func(r *harness.Run) {
		role := r.RoleWithAuth(config.AuthBasic, config.Primary)
		code := r.Code(role)
		resp := r.Send(r.Redeem(code, role, "Basic as the primary client, body client_id of the secondary client").
			Set("client_id", r.Client(config.Secondary).ClientID))
		if len(resp.Tokens()) > 0 {
			// Accepted: whose tokens they are decides between a warning and a security failure.
			owner := r.OwnerOf(resp, role, config.Secondary)
			r.ExpectRejected(resp, func(m *oauth.ErrorMatcher) { m.IssuedTo(owner) })
			return
		}
		r.ExpectRejected(resp)
	})
})
