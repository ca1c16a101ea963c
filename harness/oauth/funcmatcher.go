package oauth

import (
	"fmt"

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
