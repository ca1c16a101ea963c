package oauth

import (
	"fmt"
	"slices"
	"strings"

	"github.com/onsi/gomega/types"

	"github.com/grantcheck/grantcheck/harness/token"
	"github.com/grantcheck/grantcheck/harness/verdict"
)

// Grant is the scope a token response granted, from the strongest evidence the harness found
// (introspection, the access token's own scope claim, the response's scope field).
type Grant struct {
	// Scope is nil when nothing but the response could tell, and the response has no scope.
	Scope    []string
	Evidence string
}

// ScopeMatcher judges a successful request (a refresh, an audited client's undeclared scope) that asked for more scope than was granted: RFC 6749
// §3.3 lets the provider ignore what it will not grant, and §6 forbids granting more than the
// original grant, so the granted scope decides, not the status.
type ScopeMatcher struct {
	original, requested []string
	grant               Grant
	message             string
}

// GrantWithin matches a token response whose granted scope holds nothing beyond original, and
// which names its scope when that differs from requested (RFC 6749 §5.1).
func GrantWithin(original, requested []string, g Grant) *ScopeMatcher {
	return &ScopeMatcher{original: original, requested: requested, grant: g}
}

func (m *ScopeMatcher) Match(actual any) (bool, error) {
	r, ok := actual.(*token.Response)
	if !ok || r == nil {
		return false, fmt.Errorf("GrantWithin expects a *token.Response, got %T", actual)
	}
	granted, evidence := m.grant.Scope, m.grant.Evidence
	inResponse := strings.Fields(r.String("scope"))
	if granted == nil {
		// RFC 6749 §5.1: scope is OPTIONAL "if identical to the scope requested by the client".
		granted, evidence = m.requested, "the response omits scope, which RFC 6749 §5.1 reads as the scope requested"
	}
	asked := fmt.Sprintf("asked for %q, originally granted %q", strings.Join(m.requested, " "), strings.Join(m.original, " "))
	if beyond := missingFrom(granted, m.original); len(beyond) > 0 {
		m.message = fmt.Sprintf("[%s] the tokens were granted %q, beyond the original grant (%s; %s): RFC 6749 §6 forbids "+
			"a scope not originally granted by the resource owner", verdict.Security, strings.Join(beyond, " "), asked, evidence)
		return false, nil
	}
	if len(inResponse) == 0 && !sameSet(granted, m.requested) {
		m.message = fmt.Sprintf("[%s%s] the tokens were granted %q (%s) but the response omits scope, which RFC 6749 §5.1 "+
			"requires when the granted scope differs from the request (%s)", verdict.Format, MustTag, strings.Join(granted, " "), evidence, asked)
		return false, nil
	}
	m.message = fmt.Sprintf("the tokens were granted %q, nothing beyond the original grant (%s; %s)", strings.Join(granted, " "), asked, evidence)
	return true, nil
}

// Summary says what was granted and how it is known, also after a match.
func (m *ScopeMatcher) Summary() string { return m.message }

func (m *ScopeMatcher) FailureMessage(any) string { return m.message }

func (m *ScopeMatcher) NegatedFailureMessage(any) string {
	return "[error-code] negation is not supported by this matcher"
}

// missingFrom is what of a is not in b, in a's order.
func missingFrom(a, b []string) []string {
	var out []string
	for _, s := range a {
		if !slices.Contains(b, s) && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

func sameSet(a, b []string) bool { return len(missingFrom(a, b)) == 0 && len(missingFrom(b, a)) == 0 }

var _ types.GomegaMatcher = (*ScopeMatcher)(nil)
