package suites

import (
	"fmt"
	"slices"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/grantcheck/grantcheck/harness"
	"github.com/grantcheck/grantcheck/harness/catalog"
	"github.com/grantcheck/grantcheck/harness/config"
	"github.com/grantcheck/grantcheck/harness/oauth"
	"github.com/grantcheck/grantcheck/harness/token"
	"github.com/grantcheck/grantcheck/harness/verdict"
)

// issuedRefresh runs one flow for role and returns the tokens, skipping when the provider issues
// no refresh token: every refresh scenario needs one.
func issuedRefresh(r *harness.Run, role config.Role) (*token.Response, string) {
	first := r.Tokens(r.Code(role), role)
	rt := first.String("refresh_token")
	if rt == "" && !r.Client(role).Allows("refresh_token") {
		r.NotApplicable(fmt.Sprintf("the %s client is not configured for refresh tokens (clients.%s.grant_types has no refresh_token) and got none", role, role))
	}
	if rt == "" {
		r.Skip(fmt.Sprintf("the provider issued no refresh token to the %s client (it asked for scope %q: provider.scope or clients.%s.scope; many providers need offline_access, and clients.%s.grant_types refresh_token)",
			role, r.P.Config.ScopeOf(role), role, role))
	}
	return first, rt
}

func refresh(r *harness.Run, role config.Role, rt, step string) *token.Request {
	return r.Request(role, step).Set("grant_type", "refresh_token").Set("refresh_token", rt)
}

var _ = Describe("refresh tokens", func() {
	harness.It(catalog.CrossClientRefresh, func(r *harness.Run) {
		_, rt := issuedRefresh(r, config.Primary)
		r.ExpectRejected(r.Send(refresh(r, config.Secondary, rt, "the primary client's refresh token used by the secondary client")))
	})

	harness.It(catalog.RefreshInvalid, func(r *harness.Run) {
		_, rt := issuedRefresh(r, config.Primary)
		r.ExpectRejected(r.Send(refresh(r, config.Primary, tamper(rt), "refresh with the refresh token with one character changed")))
	})

	harness.It(catalog.RefreshWithoutAuth, func(r *harness.Run) {
		client := r.Client(config.Primary)
		if client.AuthMethod == config.AuthNone {
			r.Skip("needs a confidential primary client (clients.primary.auth_method is none)")
		}
		_, rt := issuedRefresh(r, config.Primary)
		r.ExpectRejected(r.Send(refresh(r, config.Primary, rt, "refresh by a confidential client sending only client_id").
			Authenticate(token.Auth{Method: config.AuthNone, ClientID: client.ClientID})))
	})

	// RFC 6749 §3.3 lets the provider ignore requested scope it will not grant, so a 200 is judged
	// by the scope it granted: narrowed or unchanged passes, the new scope fails.
	harness.It(catalog.RefreshScopeEscalation, func(r *harness.Run) {
		first, rt := issuedRefresh(r, config.Primary)
		asked := strings.Fields(r.P.Config.ScopeOf(config.Primary))
		granted := strings.Fields(first.String("scope"))
		if len(granted) == 0 {
			granted = asked // §5.1: scope omitted means as requested
		}
		extra := escalationScope(r.P.Discovery.ScopesSupported, append(granted, asked...))
		requested := append(slices.Clone(granted), extra)
		resp := r.Send(refresh(r, config.Primary, rt, "refresh asking for the scope "+extra+" as well").
			Set("scope", strings.Join(requested, " ")))
		if len(resp.Tokens()) == 0 {
			r.ExpectRejected(resp)
			return
		}
		judge := oauth.GrantWithin(granted, requested, r.GrantedScope(resp, config.Primary))
		Expect(resp).To(judge)
		r.Note("%s", judge.Summary())
	})

	harness.It(catalog.RefreshRotatedReuse, func(r *harness.Run) {
		role := config.Primary
		if r.P.Config.Clients.Public != nil {
			role = config.Public // RFC 9700 §4.14.2 is about public clients
		}
		p := r.P.Config.Provider
		_, old := issuedRefresh(r, role)
		next := r.Send(refresh(r, role, old, "refresh with the first refresh token"))
		if ok, _ := oauth.BeTokenResponse(false).Match(next); !ok {
			r.Abort("a valid refresh (the control of this scenario) failed:%s", next.GomegaString())
		}
		rotatedAt := time.Now()
		current := next.String("refresh_token")
		rotated := current != "" && current != old

		if p.RefreshRotation == "" {
			r.Skip("provider.refresh_rotation is not set (none | rotate | rotate-detect-reuse); observed: " + observeRotation(r, role, old, current, rotated))
		}
		if p.RefreshRotation == config.RotationNone {
			if rotated {
				r.Fail(verdict.ErrorCode, "the refresh response carries a new refresh_token although provider.refresh_rotation is none")
			}
			Expect(r.Send(refresh(r, role, old, "refresh again with the same refresh token"))).To(oauth.BeTokenResponse(false))
			return
		}
		if !rotated {
			r.Fail(verdict.ErrorCode, "the refresh response carries no new refresh_token although provider.refresh_rotation is %s", p.RefreshRotation)
		}
		if g := p.RefreshReuseGrace.D(); g > 0 {
			r.WaitUntil(rotatedAt.Add(g+p.ExpiryMargin.D()), "provider.refresh_reuse_grace + provider.expiry_margin after the rotation")
		}
		r.ExpectRejected(r.Send(refresh(r, role, old, "reuse of the rotated-out refresh token")))
		if p.RefreshRotation == config.RotationDetectReuse {
			r.Note("rotate-detect-reuse: the reuse is expected to have revoked the current refresh token too (RFC 9700 §4.14.2)")
			r.ExpectRejected(r.Send(refresh(r, role, current, "the current refresh token after the detected reuse")))
		}
	})
})

// escalationScope is a scope to add that was not granted: one the provider advertises, else a
// standard one.
func escalationScope(supported, granted []string) string {
	for _, s := range append(slices.Clone(supported), "profile", "email", "address", "phone") {
		if s != "openid" && s != "offline_access" && !slices.Contains(granted, s) {
			return s
		}
	}
	return "grantcheck-not-granted"
}

// observeRotation says what the provider does when the config states no policy; the requests it
// sends are in the transcript.
func observeRotation(r *harness.Run, role config.Role, old, current string, rotated bool) string {
	if !rotated {
		return "the refresh response carried no new refresh token (policy none)"
	}
	reuse := r.Send(refresh(r, role, old, "observe: reuse of the rotated-out refresh token"))
	if len(reuse.Tokens()) > 0 {
		return "the provider rotated, and the old refresh token still worked immediately afterwards (rotate with a grace period, or no revocation)"
	}
	after := r.Send(refresh(r, role, current, "observe: the current refresh token after the reuse"))
	if len(after.Tokens()) > 0 {
		return fmt.Sprintf("the provider rotated and refused the old token (HTTP %d %s); the current one kept working (rotate)", reuse.Status, reuse.String("error"))
	}
	return fmt.Sprintf("the provider rotated, refused the old token (HTTP %d %s) and then the current one (rotate-detect-reuse)", reuse.Status, reuse.String("error"))
}
