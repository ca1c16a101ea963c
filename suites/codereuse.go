package suites

import (
	"fmt"
	"sync"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/grantcheck/grantcheck/harness"
	"github.com/grantcheck/grantcheck/harness/catalog"
	"github.com/grantcheck/grantcheck/harness/config"
	"github.com/grantcheck/grantcheck/harness/oauth"
	"github.com/grantcheck/grantcheck/harness/token"
)

// parallelRedemptions is how many requests race for one code: enough to hit a check-then-delete
// window, few enough for any provider's rate limits.
const parallelRedemptions = 8

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
		// Whether the reuse itself is refused is code-reuse's finding; this scenario looks only
		// at what happened to the tokens of the first redemption.
		r.Send(r.Redeem(code, config.Primary, "second redemption of the same code"))

		checked := false
		if at := first.String("access_token"); at != "" {
			switch {
			case r.P.Discovery.UserinfoEndpoint != "":
				resp := r.Send(r.Bearer(r.P.Discovery.UserinfoEndpoint, at, "userinfo with the first access token"))
				Expect(resp).To(oauth.BeRefusedAccessToken())
				checked = true
			case r.P.Discovery.IntrospectionEndpoint != "":
				resp := r.Send(r.Request(config.Primary, "introspection of the first access token").
					Set("token", at).Set("token_type_hint", "access_token").
					Retarget(r.P.Discovery.IntrospectionEndpoint))
				Expect(resp).To(oauth.BeInactiveIntrospection())
				checked = true
			}
		}
		if rt := first.String("refresh_token"); rt != "" {
			resp := r.Send(r.Request(config.Primary, "refresh with the first refresh token").
				Set("grant_type", "refresh_token").Set("refresh_token", rt))
			r.ExpectRejected(resp)
			checked = true
		}
		if !checked {
			r.Skip("the provider has neither userinfo nor introspection and issued no refresh token: nothing to test the revocation on")
		}
	})

	harness.It(catalog.CodeReuseConcurrent, func(r *harness.Run) {
		code := r.Code(config.Primary)
		requests := make([]*token.Request, parallelRedemptions)
		for i := range requests {
			requests[i] = r.Redeem(code, config.Primary, fmt.Sprintf("parallel redemption %d of %d", i+1, parallelRedemptions))
		}
		responses := make([]*token.Response, parallelRedemptions)
		errs := make([]error, parallelRedemptions)
		gate := make(chan struct{})
		var wg sync.WaitGroup
		for i := range requests {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-gate // released together, so the requests overlap at the provider
				responses[i], errs[i] = r.TrySend(requests[i])
			}()
		}
		close(gate)
		wg.Wait()
		for _, err := range errs {
			if err != nil {
				r.Abort("%v", err)
			}
		}
		Expect(responses).To(oauth.SucceedExactlyOnce())
		for _, resp := range responses {
			if resp.Status != 200 {
				r.ExpectRejected(resp)
			}
		}
	})
})
