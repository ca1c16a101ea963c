package oauth

import (
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strings"

	"github.com/onsi/gomega/types"

	"github.com/grantcheck/grantcheck/harness/authorize"
	"github.com/grantcheck/grantcheck/harness/verdict"
)

// BeAuthzRefusal matches an authorization flow the provider refused: an error page, or an error
// redirect (RFC 6749 §4.1.2.1) with one of the accepted codes (none: any code). A code delivered
// anywhere (a registered URI, the unregistered one, any other URL) is FAIL:security. noRedirect
// lists URIs that must receive no redirect at all (an invalid redirect_uri, §3.1.2.3 and §4.1.2.1):
// any redirect to the unregistered one, with an error or with nothing, is FAIL:security (the open
// redirector §4.1.2.1 forbids); to a registered one FAIL:error-code.
func BeAuthzRefusal(unregistered string, noRedirect []string, accepted ...string) types.GomegaMatcher {
	return &funcMatcher{check: func(actual any) (verdict.Category, string, error) {
		o, ok := actual.(authorize.Outcome)
		if !ok {
			return "", "", fmt.Errorf("BeAuthzRefusal expects an authorize.Outcome, got %T", actual)
		}
		switch o.Ending {
		case authorize.EndedWithCode:
			return verdict.Security, fmt.Sprintf("the provider issued a code (redirect to %s) where it must refuse the request", o.RedirectURI), nil
		case authorize.EndedWithRefusal, authorize.EndedBare:
			what := "with neither code nor error"
			if o.Refusal != nil {
				what = "error=" + o.Refusal.Error
			}
			switch {
			case unregistered != "" && o.RedirectURI == unregistered:
				return verdict.Security, fmt.Sprintf("the provider redirected (%s) to the unregistered redirect_uri %s; RFC 6749 §4.1.2.1 forbids redirecting to an invalid redirect URI",
					what, o.RedirectURI), nil
			case slices.Contains(noRedirect, o.RedirectURI):
				return verdict.ErrorCode, fmt.Sprintf("the provider redirected (%s) to the registered %s instead of informing the resource owner (RFC 6749 §4.1.2.1)",
					what, o.RedirectURI), nil
			case o.Ending == authorize.EndedBare:
				return verdict.ErrorCode, fmt.Sprintf("the provider redirected to %s with neither code nor error; a refusal carries error (RFC 6749 §4.1.2.1)", o.RedirectURI), nil
			case len(accepted) > 0 && !slices.Contains(accepted, o.Refusal.Error):
				return verdict.ErrorCode, fmt.Sprintf("the error redirect carries error=%s; want one of %q", o.Refusal.Error, accepted), nil
			case len(o.Refusal.Repeated) > 0:
				return repeatedParams("the error redirect", o.Refusal.Repeated)
			}
		case authorize.EndedElsewhere:
			if o.CarriesCode {
				return verdict.Security, fmt.Sprintf("the provider sent a code to %s, which is not a registered redirect URI of the client (RFC 6749 §3.1.2, §4.1.2.1)", o.URL), nil
			}
			return verdict.ErrorCode, fmt.Sprintf("the provider redirected off its own pages to %s instead of refusing the request", o.URL), nil
		}
		return "", "", nil
	}}
}

// CarryIssuer matches a flow that ended with a code whose redirect carries iss = issuer (RFC 9207 §2).
func CarryIssuer(issuer string) types.GomegaMatcher {
	return &funcMatcher{check: func(actual any) (verdict.Category, string, error) {
		c, ok := actual.(*authorize.Code)
		if !ok || c == nil {
			return "", "", fmt.Errorf("CarryIssuer expects an *authorize.Code, got %T", actual)
		}
		if isses := c.Repeated["iss"]; len(isses) > 1 {
			return verdict.Security, fmt.Sprintf("the authorization response carries iss %d times (%s): a client that reads another value than the first takes the response for another issuer's (RFC 9207 §2.4, RFC 6749 §3.1)",
				len(isses), quoteAll(isses)), nil
		}
		switch c.Issuer {
		case issuer:
			return "", "", nil
		case "":
			return verdict.Format, "the authorization response has no iss parameter although discovery says authorization_response_iss_parameter_supported (RFC 9207 §2)", nil
		}
		return verdict.Security, fmt.Sprintf("the authorization response's iss is %q, not the issuer %q (RFC 9207 §2.4)", c.Issuer, issuer), nil
	}}
}

// CarryEachParamOnce matches a flow that ended with a code whose redirect carries every parameter
// once (RFC 6749 §3.1: "Request and response parameters MUST NOT be included more than once").
// A repeated iss is FAIL:security (which issuer answered is then the reader's guess, RFC 9207
// §2.4); any other repeated parameter FAIL:format. A repeated code, state or error never gets here:
// the flow takes no code from such a redirect (authorize.Driver.Flow says why).
func CarryEachParamOnce() types.GomegaMatcher {
	return &funcMatcher{check: func(actual any) (verdict.Category, string, error) {
		c, ok := actual.(*authorize.Code)
		if !ok || c == nil {
			return "", "", fmt.Errorf("CarryEachParamOnce expects an *authorize.Code, got %T", actual)
		}
		if len(c.Repeated) == 0 {
			return "", "", nil
		}
		return repeatedParams("the authorization response", c.Repeated)
	}}
}

// repeatedParams is the failure for parameters an authorization response carries more than once:
// FAIL:security for iss (which issuer answered is then the reader's guess, RFC 9207 §2.4),
// FAIL:format for any other.
func repeatedParams(what string, repeated url.Values) (verdict.Category, string, error) {
	category := verdict.Format
	var parts []string
	for _, name := range slices.Sorted(maps.Keys(repeated)) {
		if name == "iss" {
			category = verdict.Security
		}
		parts = append(parts, fmt.Sprintf("%s %d times (%s)", name, len(repeated[name]), quoteAll(repeated[name])))
	}
	return category, what + " carries " + strings.Join(parts, ", ") +
		"; RFC 6749 §3.1: response parameters MUST NOT be included more than once", nil
}

func quoteAll(vs []string) string {
	q := make([]string, len(vs))
	for i, v := range vs {
		q[i] = fmt.Sprintf("%q", v)
	}
	return strings.Join(q, ", ")
}
