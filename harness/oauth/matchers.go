// Package oauth holds the Gomega matchers for token endpoint answers. Each failure message starts
// with the failure's category in brackets ("[security] ..."), which the harness turns into the
// verdict; the response is printed only in its redacted form.
package oauth

import (
	"fmt"
	"slices"
	"strings"

	"github.com/onsi/gomega/types"

	"github.com/grantcheck/grantcheck/harness/token"
	"github.com/grantcheck/grantcheck/harness/verdict"
)

// Error codes of RFC 6749 §5.2.
const (
	InvalidRequest       = "invalid_request"
	InvalidClient        = "invalid_client"
	InvalidGrant         = "invalid_grant"
	UnauthorizedClient   = "unauthorized_client"
	UnsupportedGrantType = "unsupported_grant_type"
	InvalidScope         = "invalid_scope"
)

// ErrorMatcher checks an RFC 6749 §5.2 error response.
type ErrorMatcher struct {
	accepted  []string // empty: any error code
	status    int      // 0: 400, or 400/401 for invalid_client
	challenge string   // the WWW-Authenticate scheme required on a 401
	category  verdict.Category
	reason    string
	observed  *verdict.Signature // see Observation
	request   *verdict.Request
}

// BeError matches a rejection with one of the accepted error codes (none given: any code).
func BeError(accepted ...string) *ErrorMatcher { return &ErrorMatcher{accepted: accepted} }

// WithStatus requires one HTTP status.
func (m *ErrorMatcher) WithStatus(status int) *ErrorMatcher { m.status = status; return m }

// WithChallenge requires WWW-Authenticate with this scheme (RFC 6749 §5.2 after Basic).
func (m *ErrorMatcher) WithChallenge(scheme string) *ErrorMatcher { m.challenge = scheme; return m }

// Match never errors on a *token.Response: every problem is a failure with a category.
func (m *ErrorMatcher) Match(actual any) (bool, error) {
	r, ok := actual.(*token.Response)
	if !ok || r == nil {
		return false, fmt.Errorf("BeError expects a *token.Response, got %T", actual)
	}
	m.category, m.reason = m.check(r)
	m.observe(r)
	return m.category == "", nil
}

func (m *ErrorMatcher) check(r *token.Response) (verdict.Category, string) {
	if r.Status >= 200 && r.Status < 300 {
		if toks := r.Tokens(); len(toks) > 0 {
			return verdict.Security, fmt.Sprintf("the provider issued tokens (HTTP %d with %s) where it must reject the request%s",
				r.Status, strings.Join(toks, ", "), m.want())
		}
		// A 2xx carrying an error object issued nothing: a wrong status, not an acceptance.
		if code := r.String("error"); code != "" {
			return verdict.ErrorCode, fmt.Sprintf("HTTP status is %d with error %q; RFC 6749 §5.2 requires 400 (400 or 401 for invalid_client)%s",
				r.Status, code, m.want())
		}
		return verdict.Security, fmt.Sprintf("the provider accepted the request (HTTP %d)%s", r.Status, m.want())
	}
	if r.JSON == nil {
		return verdict.Format, fmt.Sprintf("the error response is not a JSON object (HTTP %d, Content-Type %q); RFC 6749 §5.2 requires application/json%s",
			r.Status, r.Header.Get("Content-Type"), m.want())
	}
	code, isString := r.JSON["error"].(string)
	if !isString || code == "" {
		return verdict.Format, fmt.Sprintf("the error response has no \"error\" string (HTTP %d); RFC 6749 §5.2 requires it%s", r.Status, m.want())
	}
	if len(m.accepted) > 0 && !slices.Contains(m.accepted, code) {
		return verdict.ErrorCode, fmt.Sprintf("error is %q%s", code, m.want())
	}
	if cat, why := m.checkStatus(r, code); cat != "" {
		return cat, why
	}
	if r.MediaType != "application/json" {
		return verdict.Format, fmt.Sprintf("Content-Type is %q; RFC 6749 §5.2 requires application/json", r.Header.Get("Content-Type"))
	}
	if bad := outside(code, errorChars); bad != "" {
		return verdict.Format, fmt.Sprintf("error %q contains %s, outside RFC 6749 §5.2's %%x20-21 / %%x23-5B / %%x5D-7E", code, bad)
	}
	if desc, present := r.JSON["error_description"]; present {
		s, _ := desc.(string)
		if bad := outside(strings.NewReplacer("\r", "", "\n", "", "\t", "").Replace(s), errorChars); bad != "" {
			return verdict.Format, fmt.Sprintf("error_description contains %s, outside RFC 6749 §5.2's %%x20-21 / %%x23-5B / %%x5D-7E", bad)
		}
		if strings.ContainsAny(s, "\r\n\t") {
			r.Warnings = append(r.Warnings, "error_description contains CR, LF or TAB, outside RFC 6749 §5.2's character set")
		}
	}
	if uri, present := r.JSON["error_uri"].(string); present {
		if bad := outside(uri, uriChars); bad != "" {
			return verdict.Format, fmt.Sprintf("error_uri contains %s, outside RFC 6749 §5.2's %%x21 / %%x23-5B / %%x5D-7E", bad)
		}
	}
	if toks := r.Tokens(); len(toks) > 0 {
		return verdict.Format, fmt.Sprintf("the error response carries %s", strings.Join(toks, ", "))
	}
	return "", ""
}

func (m *ErrorMatcher) checkStatus(r *token.Response, code string) (verdict.Category, string) {
	switch {
	case m.status != 0 && r.Status != m.status:
		return verdict.ErrorCode, fmt.Sprintf("HTTP status is %d, want %d", r.Status, m.status)
	case m.status == 0 && code == InvalidClient && r.Status != 400 && r.Status != 401:
		return verdict.ErrorCode, fmt.Sprintf("HTTP status is %d; RFC 6749 §5.2 allows 400 or 401 for invalid_client", r.Status)
	case m.status == 0 && code != InvalidClient && r.Status != 400:
		return verdict.ErrorCode, fmt.Sprintf("HTTP status is %d; RFC 6749 §5.2 requires 400 for %s", r.Status, code)
	}
	if m.challenge != "" {
		got := r.Header.Values("WWW-Authenticate")
		for _, scheme := range challengeSchemes(got) {
			if strings.EqualFold(scheme, m.challenge) {
				return "", ""
			}
		}
		if len(got) == 0 {
			return verdict.Format, fmt.Sprintf("401 without WWW-Authenticate; RFC 6749 §5.2 requires a %s challenge matching the scheme the client used", m.challenge)
		}
		return verdict.Format, fmt.Sprintf("WWW-Authenticate is %q; RFC 6749 §5.2 requires the %s scheme the client used", strings.Join(got, ", "), m.challenge)
	}
	return "", ""
}

func (m *ErrorMatcher) want() string {
	switch len(m.accepted) {
	case 0:
		return "; want a §5.2 error response"
	case 1:
		return fmt.Sprintf("; want %q", m.accepted[0])
	}
	return fmt.Sprintf("; want one of %q", m.accepted)
}

// FailureMessage starts with the category, then the reason, then the redacted exchange.
func (m *ErrorMatcher) FailureMessage(actual any) string {
	return fmt.Sprintf("[%s] %s%s", m.category, m.reason, printed(actual))
}

// NegatedFailureMessage exists for the interface; scenarios never negate BeError.
func (m *ErrorMatcher) NegatedFailureMessage(actual any) string {
	return "[error-code] expected the response not to be an accepted error" + printed(actual)
}

func printed(actual any) string {
	if r, ok := actual.(*token.Response); ok {
		return "\n" + r.GomegaString()
	}
	return ""
}

// challengeSchemes lists the auth-schemes of WWW-Authenticate values. One field may carry several
// challenges separated by commas (RFC 9110 §11.6.1), e.g. `Bearer realm="a", Basic realm="b"`; a
// comma-separated part starting with name= is an auth-param of the challenge before it.
func challengeSchemes(values []string) []string {
	var out []string
	for _, v := range values {
		var parts []string
		quoted, escaped, start := false, false, 0
		for i, c := range v {
			switch {
			case escaped:
				escaped = false
			case quoted && c == '\\':
				escaped = true
			case c == '"':
				quoted = !quoted
			case c == ',' && !quoted:
				parts = append(parts, v[start:i])
				start = i + 1
			}
		}
		parts = append(parts, v[start:])
		for _, p := range parts {
			first, _, _ := strings.Cut(strings.TrimSpace(p), " ")
			if first != "" && !strings.Contains(first, "=") {
				out = append(out, first)
			}
		}
	}
	return out
}

// Character sets of RFC 6749 §5.2.
func errorChars(c rune) bool {
	return c == 0x20 || c == 0x21 || (c >= 0x23 && c <= 0x5B) || (c >= 0x5D && c <= 0x7E)
}

func uriChars(c rune) bool { return c == 0x21 || (c >= 0x23 && c <= 0x5B) || (c >= 0x5D && c <= 0x7E) }

func outside(s string, ok func(rune) bool) string {
	for _, c := range s {
		if !ok(c) {
			return fmt.Sprintf("%q", c)
		}
	}
	return ""
}

var _ types.GomegaMatcher = (*ErrorMatcher)(nil)
