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

// StandardErrors are the token endpoint error codes RFC 6749 §5.2 defines; an answer outside them
// breaks the MUST of the error form whatever the scenario's level.
var StandardErrors = []string{InvalidRequest, InvalidClient, InvalidGrant, UnauthorizedClient, UnsupportedGrantType, InvalidScope}

// MustTag marks a finding that breaks a MUST whatever the scenario's own level: the harness never
// softens "[format MUST] ..." to WARN in a SHOULD scenario. A finding without it is about the
// scenario's own rule (did the provider refuse, with the expected code), which the level grades.
const MustTag = " MUST"

// finding is one problem the matcher saw. must: it breaks RFC 6749 §5.2's error form (status, media
// type, a standard error code, character sets), which is MUST in every scenario.
type finding struct {
	category verdict.Category
	must     bool
	reason   string
}

// ErrorMatcher checks an RFC 6749 §5.2 error response.
type ErrorMatcher struct {
	accepted  []string // empty: any §5.2 error code
	status    int      // 0: 400, or 400/401 for invalid_client
	challenge string   // the WWW-Authenticate scheme required on a 401
	should    bool     // the scenario's rule is a SHOULD: its wording, and which finding leads
	owner     *Owner   // whose tokens an acceptance issued, when the scenario found out
	found     finding
	also      []string
	refusal   bool               // a 4xx other than 400/401 without tokens is accepted (AllowHTTPRefusal)
	observed  *verdict.Signature // see Observation
	request   *verdict.Request
}

// BeError matches a rejection with one of the accepted error codes (none given: any §5.2 code).
func BeError(accepted ...string) *ErrorMatcher { return &ErrorMatcher{accepted: accepted} }

// WithStatus requires one HTTP status.
func (m *ErrorMatcher) WithStatus(status int) *ErrorMatcher { m.status = status; return m }

// WithChallenge requires WWW-Authenticate with this scheme (RFC 6749 §5.2 after Basic).
func (m *ErrorMatcher) WithChallenge(scheme string) *ErrorMatcher { m.challenge = scheme; return m }

// AllowHTTPRefusal accepts a refusal below OAuth (a 4xx other than 400 and 401, e.g. 405 or 415)
// for requests the token endpoint must not process at all; 400 and 401 are still checked as §5.2
// errors.
func (m *ErrorMatcher) AllowHTTPRefusal() *ErrorMatcher { m.refusal = true; return m }

// AsShould says the scenario's rule is a SHOULD: the reasons say "should", and a broken MUST of the
// error form is reported before a broken SHOULD, since only the SHOULD may be softened.
func (m *ErrorMatcher) AsShould() *ErrorMatcher { m.should = true; return m }

// Owner is whose tokens a response carries, token by token, as far as the harness could tell.
type Owner struct {
	// Authenticated is the client that authenticated the request; Named the one its body named.
	Authenticated, Named string
	// Tokens says, for each issued token the harness could read, whose it is and how it knows.
	Tokens []TokenOwner
	// Unknown says why no token's owner could be read (when Tokens is empty).
	Unknown string
}

// TokenOwner is whose one token is: ClientID from introspection's client_id or the id_token's
// azp/aud, as Evidence says.
type TokenOwner struct {
	Token, ClientID, Evidence string
}

func (t TokenOwner) String() string {
	if t.ClientID == "" {
		return fmt.Sprintf("the %s's client is unknown (%s)", t.Token, t.Evidence)
	}
	return fmt.Sprintf("the %s belongs to %s (%s)", t.Token, t.ClientID, t.Evidence)
}

// IssuedTo grades an acceptance by whose tokens it issued (cross-client-id-mismatch): a token of
// the client the body named breaks RFC 6749 §4.1.3 whatever the level (the code was issued to the
// authenticated client); tokens of the authenticated client break only the scenario's own rule.
func (m *ErrorMatcher) IssuedTo(o Owner) *ErrorMatcher { m.owner = &o; return m }

func (m *ErrorMatcher) ownerFinding(r *token.Response, toks []string) finding {
	o := m.owner
	issued := fmt.Sprintf("the provider issued tokens (HTTP %d with %s)", r.Status, strings.Join(toks, ", "))
	var named, all []string
	known := false
	for _, t := range o.Tokens {
		all = append(all, t.String())
		known = known || t.ClientID != ""
		if t.ClientID != "" && t.ClientID == o.Named {
			named = append(named, t.Token)
		}
	}
	switch {
	case len(named) > 0:
		return finding{verdict.Security, true, fmt.Sprintf("%s, and the %s %s bound to %s, the client the body names, from a code issued to %s: "+
			"RFC 6749 §4.1.3 requires the code to have been issued to the client that redeems it (%s)",
			issued, strings.Join(named, " and "), isAre(len(named)), o.Named, o.Authenticated, strings.Join(all, "; "))}
	case known:
		return finding{verdict.Security, false, fmt.Sprintf("%s to the authenticated client %s, ignoring the body client_id %s (%s): "+
			"safe under RFC 6749 §3.2.1, but a request naming two clients should be refused (the OpenID FAPI profiles require it)%s",
			issued, o.Authenticated, o.Named, strings.Join(all, "; "), m.want())}
	}
	unknown := o.Unknown
	if len(all) > 0 {
		unknown = strings.Join(all, "; ")
	}
	return finding{verdict.Security, false, fmt.Sprintf("%s where it should reject the request, and whose tokens they are is unknown (%s)%s",
		issued, unknown, m.want())}
}

func isAre(n int) string {
	if n == 1 {
		return "is"
	}
	return "are"
}

// Match never errors on a *token.Response: every problem is a failure with a category.
func (m *ErrorMatcher) Match(actual any) (bool, error) {
	r, ok := actual.(*token.Response)
	if !ok || r == nil {
		return false, fmt.Errorf("BeError expects a *token.Response, got %T", actual)
	}
	m.found, m.also = finding{}, nil
	findings := m.check(r)
	defer m.observe(r)
	if len(findings) == 0 {
		return true, nil
	}
	lead := 0
	if m.should { // a broken MUST outranks the SHOULD it accompanies
		for i, f := range findings {
			if f.must {
				lead = i
				break
			}
		}
	}
	m.found = findings[lead]
	for i, f := range findings {
		if i != lead {
			m.also = append(m.also, f.reason)
		}
	}
	return false, nil
}

func (m *ErrorMatcher) check(r *token.Response) []finding {
	verb := "must"
	if m.should {
		verb = "should"
	}
	if r.Status >= 200 && r.Status < 300 {
		if toks := r.Tokens(); len(toks) > 0 && m.owner != nil {
			return []finding{m.ownerFinding(r, toks)}
		} else if len(toks) > 0 {
			return []finding{{verdict.Security, false, fmt.Sprintf("the provider issued tokens (HTTP %d with %s) where it %s reject the request%s",
				r.Status, strings.Join(toks, ", "), verb, m.want())}}
		}
		// A 2xx carrying an error object issued nothing: a wrong status, not an acceptance.
		if code := r.String("error"); code != "" {
			return []finding{{verdict.ErrorCode, true, fmt.Sprintf("HTTP status is %d with error %q; RFC 6749 §5.2 requires 400 (400 or 401 for invalid_client)%s",
				r.Status, code, m.want())}}
		}
		return []finding{{verdict.Security, false, fmt.Sprintf("the provider accepted the request (HTTP %d) where it %s reject it%s", r.Status, verb, m.want())}}
	}
	if m.refusal && r.Status >= 400 && r.Status < 500 && r.Status != 400 && r.Status != 401 && len(r.Tokens()) == 0 {
		return nil
	}
	if r.JSON == nil {
		return []finding{{verdict.Format, true, fmt.Sprintf("the error response is not a JSON object (HTTP %d, Content-Type %q); RFC 6749 §5.2 requires application/json%s",
			r.Status, r.Header.Get("Content-Type"), m.want())}}
	}
	code, isString := r.JSON["error"].(string)
	if !isString || code == "" {
		return []finding{{verdict.Format, true, fmt.Sprintf("the error response has no \"error\" string (HTTP %d); RFC 6749 §5.2 requires it%s", r.Status, m.want())}}
	}
	var out []finding
	add := func(c verdict.Category, must bool, format string, args ...any) {
		out = append(out, finding{c, must, fmt.Sprintf(format, args...)})
	}
	switch standard := slices.Contains(StandardErrors, code); {
	case !standard:
		add(verdict.ErrorCode, true, "error is %q, which is not an RFC 6749 §5.2 error code%s", code, m.want())
	case len(m.accepted) > 0 && !slices.Contains(m.accepted, code):
		add(verdict.ErrorCode, false, "error is %q%s", code, m.want())
	}
	if cat, why := m.checkStatus(r, code); cat != "" {
		add(cat, true, "%s", why)
	}
	if r.MediaType != "application/json" {
		add(verdict.Format, true, "Content-Type is %q; RFC 6749 §5.2 requires application/json", r.Header.Get("Content-Type"))
	}
	if bad := outside(code, errorChars); bad != "" {
		add(verdict.Format, true, "error %q contains %s, outside RFC 6749 §5.2's %%x20-21 / %%x23-5B / %%x5D-7E", code, bad)
	}
	if desc, present := r.JSON["error_description"]; present {
		s, _ := desc.(string)
		if bad := outside(strings.NewReplacer("\r", "", "\n", "", "\t", "").Replace(s), errorChars); bad != "" {
			add(verdict.Format, true, "error_description contains %s, outside RFC 6749 §5.2's %%x20-21 / %%x23-5B / %%x5D-7E", bad)
		} else if strings.ContainsAny(s, "\r\n\t") {
			r.Warnings = append(r.Warnings, "error_description contains CR, LF or TAB, outside RFC 6749 §5.2's character set")
		}
	}
	if uri, present := r.JSON["error_uri"].(string); present {
		if bad := outside(uri, uriChars); bad != "" {
			add(verdict.Format, true, "error_uri contains %s, outside RFC 6749 §5.2's %%x21 / %%x23-5B / %%x5D-7E", bad)
		}
	}
	if toks := r.Tokens(); len(toks) > 0 {
		add(verdict.Format, true, "the error response carries %s", strings.Join(toks, ", "))
	}
	return out
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
	if why := m.challengeProblem(r); why != "" {
		return verdict.Format, why
	}
	return "", ""
}

// challengeProblem says what is wrong with the 401's challenge ("" when nothing is, or none is
// required): RFC 6749 §5.2 requires WWW-Authenticate with the scheme the client used, and for
// Basic, RFC 7617 §2 makes the realm parameter REQUIRED.
func (m *ErrorMatcher) challengeProblem(r *token.Response) string {
	if m.challenge == "" {
		return ""
	}
	got := r.Header.Values("WWW-Authenticate")
	for _, c := range parseChallenges(got) {
		if !strings.EqualFold(c.scheme, m.challenge) {
			continue
		}
		if strings.EqualFold(c.scheme, "Basic") && !slices.Contains(c.params, "realm") {
			return fmt.Sprintf("WWW-Authenticate is %q: the Basic challenge has no realm parameter, which RFC 7617 §2 requires", strings.Join(got, ", "))
		}
		return ""
	}
	if len(got) == 0 {
		return fmt.Sprintf("401 without WWW-Authenticate; RFC 6749 §5.2 requires a %s challenge matching the scheme the client used", m.challenge)
	}
	return fmt.Sprintf("WWW-Authenticate is %q; RFC 6749 §5.2 requires the %s scheme the client used", strings.Join(got, ", "), m.challenge)
}

func (m *ErrorMatcher) want() string {
	switch len(m.accepted) {
	case 0:
		return "; want an RFC 6749 §5.2 error response"
	case 1:
		return fmt.Sprintf("; want %q", m.accepted[0])
	}
	return fmt.Sprintf("; want one of %q", m.accepted)
}

// FailureMessage starts with the category (and MustTag for a broken MUST of the form), then the
// leading finding, the others, and the redacted exchange.
func (m *ErrorMatcher) FailureMessage(actual any) string {
	tag := string(m.found.category)
	if m.found.must {
		tag += MustTag
	}
	also := ""
	if len(m.also) > 0 {
		also = " (also: " + strings.Join(m.also, "; ") + ")"
	}
	return fmt.Sprintf("[%s] %s%s%s", tag, m.found.reason, also, printed(actual))
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

// challenge is one challenge of a WWW-Authenticate field: its scheme and its parameter names
// (lower case).
type challenge struct {
	scheme string
	params []string
}

// parseChallenges reads the challenges of WWW-Authenticate values. One field may carry several
// challenges separated by commas (RFC 9110 §11.6.1), e.g. `Bearer realm="a", Basic realm="b"`; a
// comma-separated part starting with name= is an auth-param of the challenge before it.
func parseChallenges(values []string) []challenge {
	var out []challenge
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
			first, rest, _ := strings.Cut(strings.TrimSpace(p), " ")
			switch {
			case first != "" && !strings.Contains(first, "="):
				out = append(out, challenge{scheme: first})
				if name, _, ok := strings.Cut(strings.TrimSpace(rest), "="); ok {
					out[len(out)-1].params = append(out[len(out)-1].params, strings.ToLower(strings.TrimSpace(name)))
				}
			case len(out) > 0 && strings.Contains(first, "="):
				name, _, _ := strings.Cut(strings.TrimSpace(p), "=")
				out[len(out)-1].params = append(out[len(out)-1].params, strings.ToLower(strings.TrimSpace(name)))
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
