package oauth

import (
	"fmt"

	"github.com/onsi/gomega/types"

	"github.com/grantcheck/grantcheck/harness/token"
	"github.com/grantcheck/grantcheck/harness/verdict"
)

// funcMatcher is a matcher whose check returns the failure category and reason ("" when met).
type funcMatcher struct {
	check  func(actual any) (verdict.Category, string, error)
	cat    verdict.Category
	reason string
}

func (m *funcMatcher) Match(actual any) (bool, error) {
	cat, reason, err := m.check(actual)
	m.cat, m.reason = cat, reason
	return cat == "" && err == nil, err
}

func (m *funcMatcher) FailureMessage(actual any) string {
	return fmt.Sprintf("[%s] %s%s", m.cat, m.reason, printed(actual))
}

func (m *funcMatcher) NegatedFailureMessage(actual any) string {
	return "[error-code] negation is not supported by this matcher" + printed(actual)
}

func asResponse(actual any) (*token.Response, error) {
	r, ok := actual.(*token.Response)
	if !ok || r == nil {
		return nil, fmt.Errorf("expected a *token.Response, got %T", actual)
	}
	return r, nil
}

// BeRefusedAccessToken matches a resource answer refusing the token (RFC 6750 §3.1: 401
// invalid_token); a 2xx means the token still works.
func BeRefusedAccessToken() types.GomegaMatcher {
	return &funcMatcher{check: func(actual any) (verdict.Category, string, error) {
		r, err := asResponse(actual)
		if err != nil {
			return "", "", err
		}
		if r.Status >= 200 && r.Status < 300 {
			return verdict.Security, fmt.Sprintf("the access token still works (HTTP %d)", r.Status), nil
		}
		return "", "", nil
	}}
}

// BeInactiveIntrospection matches an introspection answer with active:false (RFC 7662 §2.2).
func BeInactiveIntrospection() types.GomegaMatcher {
	return &funcMatcher{check: func(actual any) (verdict.Category, string, error) {
		r, err := asResponse(actual)
		if err != nil {
			return "", "", err
		}
		if active, _ := r.JSON["active"].(bool); active {
			return verdict.Security, "introspection says the access token is still active", nil
		}
		if r.Status != 200 || r.JSON == nil {
			return verdict.Format, fmt.Sprintf("introspection answered HTTP %d without a JSON object (RFC 7662 §2.2)", r.Status), nil
		}
		return "", "", nil
	}}
}

// SucceedExactlyOnce matches parallel redemptions of one code of which exactly one got tokens.
func SucceedExactlyOnce() types.GomegaMatcher {
	return &funcMatcher{check: func(actual any) (verdict.Category, string, error) {
		rs, ok := actual.([]*token.Response)
		if !ok {
			return "", "", fmt.Errorf("SucceedExactlyOnce expects []*token.Response, got %T", actual)
		}
		ok200 := 0
		for _, r := range rs {
			if r.Status >= 200 && r.Status < 300 {
				ok200++
			}
		}
		switch {
		case ok200 > 1:
			return verdict.Security, fmt.Sprintf("%d of %d parallel redemptions of one code issued tokens", ok200, len(rs)), nil
		case ok200 == 0:
			return verdict.ErrorCode, fmt.Sprintf("none of %d parallel redemptions of a valid code succeeded", len(rs)), nil
		}
		return "", "", nil
	}}
}
