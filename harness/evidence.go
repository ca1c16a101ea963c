package harness

import (
	"net/url"
	"strings"

	"github.com/grantcheck/grantcheck/harness/authorize"
	"github.com/grantcheck/grantcheck/harness/oauth"
	"github.com/grantcheck/grantcheck/harness/verdict"
)

// judged remembers a matcher ExpectRejected applies, so the verdict can carry what the failing
// one observed (Gomega hands the harness only the failure message).
func (r *Run) judged(m *oauth.ErrorMatcher) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.matchers = append(r.matchers, m)
}

// attachEvidence puts the failing check's signature and request on a FAIL or WARN verdict: the
// last ErrorMatcher that failed (a body stops at its first failure), else the last request sent.
func (r *Run) attachEvidence(v *verdict.Verdict) {
	if v.Result != verdict.Fail && v.Result != verdict.Warn {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for i := len(r.matchers) - 1; i >= 0; i-- {
		if sig, req := r.matchers[i].Observation(); sig != nil {
			v.Signature, v.Request = sig, req
			return
		}
	}
	if n := len(r.responses); n > 0 {
		v.Request = r.responses[n-1].Request
	}
}

// authorizeTemplate is the authorization request that obtains a code like this one, for a
// reproduction: state and the PKCE challenge are shell variables, never this run's values.
func (r *Run) authorizeTemplate(code *authorize.Code) string {
	u, err := url.Parse(r.P.Discovery.AuthorizationEndpoint)
	if err != nil {
		return ""
	}
	q := u.Query()
	q.Set("response_type", "code")
	q.Set("client_id", code.ClientID)
	q.Set("redirect_uri", code.RedirectURI)
	q.Set("scope", code.Scope)
	for k, v := range r.P.Config.Provider.AuthorizeParams {
		q.Set(k, v)
	}
	vars := []string{"state=$STATE", "nonce=$NONCE"}
	if code.PKCE != nil {
		vars = append(vars, "code_challenge=$CODE_CHALLENGE", "code_challenge_method="+url.QueryEscape(string(code.PKCE.Method)))
	}
	u.RawQuery = q.Encode()
	// Redacted before the variables go in: the redactor would hide $CODE_CHALLENGE as a value.
	return r.Log.Redactor.Redact(u.String()) + "&" + strings.Join(vars, "&")
}
