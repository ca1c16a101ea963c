package oauth

import (
	"fmt"
	"strings"

	"github.com/onsi/gomega/types"

	"github.com/grantcheck/grantcheck/harness/verdict"
)

// BeRefused matches a refusal of a request the token endpoint must not process at all (GET, a JSON
// body): any 4xx without tokens. A 400 or 401 is the OAuth layer answering, so it must be an
// RFC 6749 §5.2 error response (any code); another 4xx (405, 415) is an HTTP-level refusal.
func BeRefused() types.GomegaMatcher {
	return &funcMatcher{check: func(actual any) (verdict.Category, string, error) {
		r, err := asResponse(actual)
		if err != nil {
			return "", "", err
		}
		if toks := r.Tokens(); len(toks) > 0 {
			return verdict.Security, fmt.Sprintf("the provider issued tokens (HTTP %d with %s) where it must refuse the request",
				r.Status, strings.Join(toks, ", ")), nil
		}
		switch {
		case r.Status == 400 || r.Status == 401:
			m := BeError()
			if ok, _ := m.Match(r); !ok {
				return m.found.category, m.found.reason, nil
			}
		case r.Status >= 400 && r.Status < 500:
		case r.Status >= 200 && r.Status < 300:
			return verdict.Security, fmt.Sprintf("the provider accepted the request (HTTP %d); it must refuse it with a 4xx", r.Status), nil
		default:
			return verdict.ErrorCode, fmt.Sprintf("HTTP status is %d; want a 4xx refusal", r.Status), nil
		}
		return "", "", nil
	}}
}
