package oauth

import (
	"fmt"
	"slices"

	"github.com/onsi/gomega/types"

	"github.com/grantcheck/grantcheck/harness/authorize"
	"github.com/grantcheck/grantcheck/harness/verdict"
)

// BeAuthzRefusal matches an authorization flow the provider refused: an error page, or an error
// redirect (RFC 6749 §4.1.2.1) with one of the accepted codes (none: any code). A code is
// FAIL:security. noRedirect lists URIs that must receive no redirect at all (an invalid
// redirect_uri, §3.1.2.3 and §4.1.2.1): a redirect there is FAIL:security when the URI is the
// unregistered one, FAIL:error-code when it is a registered one.
func BeAuthzRefusal(unregistered string, noRedirect []string, accepted ...string) types.GomegaMatcher {
	return &funcMatcher{check: func(actual any) (verdict.Category, string, error) {
		o, ok := actual.(authorize.Outcome)
		if !ok {
			return "", "", fmt.Errorf("BeAuthzRefusal expects an authorize.Outcome, got %T", actual)
		}
		switch o.Ending {
		case authorize.EndedWithCode:
			return verdict.Security, fmt.Sprintf("the provider issued a code (redirect to %s) where it must refuse the request", o.RedirectURI), nil
		case authorize.EndedWithRefusal:
			switch {
			case unregistered != "" && o.RedirectURI == unregistered:
				return verdict.Security, fmt.Sprintf("the provider redirected (error=%s) to the unregistered redirect_uri %s; RFC 6749 §4.1.2.1 forbids redirecting to an invalid redirect URI",
					o.Refusal.Error, o.RedirectURI), nil
			case slices.Contains(noRedirect, o.RedirectURI):
				return verdict.ErrorCode, fmt.Sprintf("the provider redirected (error=%s) to the registered %s instead of informing the resource owner (RFC 6749 §4.1.2.1)",
					o.Refusal.Error, o.RedirectURI), nil
			case len(accepted) > 0 && !slices.Contains(accepted, o.Refusal.Error):
				return verdict.ErrorCode, fmt.Sprintf("the error redirect carries error=%s; want one of %q", o.Refusal.Error, accepted), nil
			}
		case authorize.EndedElsewhere:
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
		switch c.Issuer {
		case issuer:
			return "", "", nil
		case "":
			return verdict.Format, "the authorization response has no iss parameter although discovery says authorization_response_iss_parameter_supported (RFC 9207 §2)", nil
		}
		return verdict.Security, fmt.Sprintf("the authorization response's iss is %q, not the issuer %q (RFC 9207 §2.4)", c.Issuer, issuer), nil
	}}
}
