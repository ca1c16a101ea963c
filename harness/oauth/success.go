package oauth

import (
	"fmt"
	"strings"

	"github.com/onsi/gomega/types"

	"github.com/grantcheck/grantcheck/harness/token"
	"github.com/grantcheck/grantcheck/harness/verdict"
)

// TokenMatcher checks a successful token response (RFC 6749 §5.1, OIDC Core §3.1.3.3).
type TokenMatcher struct {
	idToken bool
	reason  string
}

// BeTokenResponse matches 200 with access_token and a Bearer token_type; withIDToken also
// requires id_token (scope openid was requested).
func BeTokenResponse(withIDToken bool) *TokenMatcher { return &TokenMatcher{idToken: withIDToken} }

func (m *TokenMatcher) Match(actual any) (bool, error) {
	r, ok := actual.(*token.Response)
	if !ok || r == nil {
		return false, fmt.Errorf("BeTokenResponse expects a *token.Response, got %T", actual)
	}
	switch {
	case r.Status != 200:
		m.reason = fmt.Sprintf("HTTP status is %d, want 200 for a valid request", r.Status)
		if e := r.String("error"); e != "" {
			m.reason += fmt.Sprintf(" (error %q)", e)
		}
	case r.JSON == nil:
		m.reason = fmt.Sprintf("the token response is not a JSON object (Content-Type %q)", r.Header.Get("Content-Type"))
	case r.String("access_token") == "":
		m.reason = "the token response has no access_token"
	case !strings.EqualFold(r.String("token_type"), "bearer"):
		m.reason = fmt.Sprintf("token_type is %q, want Bearer", r.String("token_type"))
	case m.idToken && r.String("id_token") == "":
		m.reason = "no id_token although scope openid was requested (OpenID Connect Core §3.1.3.3)"
	default:
		return true, nil
	}
	return false, nil
}

func (m *TokenMatcher) FailureMessage(actual any) string {
	return fmt.Sprintf("[%s] %s%s", verdict.ErrorCode, m.reason, printed(actual))
}

func (m *TokenMatcher) NegatedFailureMessage(actual any) string {
	return fmt.Sprintf("[%s] expected no token response%s", verdict.Security, printed(actual))
}

// NoStoreMatcher checks RFC 6749 §5.1's cache headers on a token response.
type NoStoreMatcher struct{ reason string }

// HaveNoStore requires Cache-Control: no-store; a missing Pragma: no-cache is a warning.
func HaveNoStore() *NoStoreMatcher { return &NoStoreMatcher{} }

func (m *NoStoreMatcher) Match(actual any) (bool, error) {
	r, ok := actual.(*token.Response)
	if !ok || r == nil {
		return false, fmt.Errorf("HaveNoStore expects a *token.Response, got %T", actual)
	}
	if !hasDirective(r.Header.Values("Cache-Control"), "no-store") {
		m.reason = fmt.Sprintf("Cache-Control is %q; RFC 6749 §5.1 requires no-store on responses with tokens",
			strings.Join(r.Header.Values("Cache-Control"), ", "))
		return false, nil
	}
	if !hasDirective(r.Header.Values("Pragma"), "no-cache") {
		r.Warnings = append(r.Warnings, "Pragma: no-cache is missing (RFC 6749 §5.1)")
	}
	return true, nil
}

func hasDirective(values []string, want string) bool {
	for _, v := range values {
		for _, d := range strings.Split(v, ",") {
			name, _, _ := strings.Cut(strings.TrimSpace(d), "=")
			if strings.EqualFold(name, want) {
				return true
			}
		}
	}
	return false
}

func (m *NoStoreMatcher) FailureMessage(actual any) string {
	return fmt.Sprintf("[%s] %s%s", verdict.Format, m.reason, printed(actual))
}

func (m *NoStoreMatcher) NegatedFailureMessage(actual any) string {
	return "[format] expected caching to be allowed" + printed(actual)
}

var (
	_ types.GomegaMatcher = (*TokenMatcher)(nil)
	_ types.GomegaMatcher = (*NoStoreMatcher)(nil)
)
