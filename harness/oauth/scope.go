package oauth

import (
	"fmt"
	"slices"
	"strings"

	"github.com/onsi/gomega/types"

	"github.com/grantcheck/grantcheck/harness/verdict"
)

// LeaveOutScope matches a token response whose granted scope leaves out extra: the response's
// scope, or, when the response omits it, the scope requested (RFC 6749 §5.1: scope is REQUIRED
// when it differs from the request, so an omitted scope is the requested one). A granted extra is
// FAIL:security.
func LeaveOutScope(requested, extra string) types.GomegaMatcher {
	return &funcMatcher{check: func(actual any) (verdict.Category, string, error) {
		resp, err := asResponse(actual)
		if err != nil {
			return "", "", err
		}
		granted, said := resp.String("scope"), true
		if granted == "" {
			granted, said = requested, false
		}
		if !slices.Contains(strings.Fields(granted), extra) {
			return "", "", nil
		}
		how := fmt.Sprintf("the response's scope %q", granted)
		if !said {
			how = fmt.Sprintf("the response omits scope, which RFC 6749 §5.1 reads as the scope requested (%q)", requested)
		}
		return verdict.Security, fmt.Sprintf("tokens were issued with the scope %s the client does not declare: %s", extra, how), nil
	}}
}
