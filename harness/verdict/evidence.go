package verdict

import (
	"fmt"
	"strings"
)

// Signature is the machine form of what a failing check observed: reports group verdicts with the
// same signature into one finding without reading the prose of Reason.
type Signature struct {
	// Check names the rule the answer broke: "accepted" (tokens or a 2xx where a rejection is due),
	// "status", "error", "not-json", "no-error", "media-type", "challenge", "charset",
	// "tokens-in-error", or a matcher's own name.
	Check     string `json:"check"`
	Status    int    `json:"status,omitempty"`
	MediaType string `json:"media_type,omitempty"`
	// Error is the observed "error" value ("" when there was none).
	Error string `json:"error,omitempty"`
	// Want is the error code the scenario requires first (alternatives aside); Accepted is every
	// code it accepted in this run.
	Want     string   `json:"want,omitempty"`
	Accepted []string `json:"accepted,omitempty"`
}

// Pattern is the grouping key for the observed answer, e.g. "not-json text/html" or
// "error invalid_request want unsupported_grant_type". Fields that vary per scenario but not per
// defect are left out: a page served as text/html is one defect whether it came with 400 or 401.
func (s Signature) Pattern() string {
	switch s.Check {
	case "not-json", "media-type":
		return s.Check + " " + s.MediaType
	case "error":
		return fmt.Sprintf("error %s want %s", orDash(s.Error), orDash(s.Want))
	case "status":
		return fmt.Sprintf("status %d error %s", s.Status, orDash(s.Error))
	}
	return s.Check
}

// Summary is the pattern in words, e.g. "error responses are text/html, not JSON".
func (s Signature) Summary() string {
	switch s.Check {
	case "accepted":
		if s.Status >= 200 && s.Status < 300 {
			return fmt.Sprintf("the provider answers HTTP %d where it must reject the request", s.Status)
		}
		return "the provider accepts a request it must reject"
	case "not-json":
		return fmt.Sprintf("error responses are %s, not a JSON object", orDash(s.MediaType))
	case "media-type":
		return fmt.Sprintf("error responses are labelled %s, not application/json", orDash(s.MediaType))
	case "error":
		return fmt.Sprintf("error is %s where %s is due", orDash(s.Error), orDash(s.Want))
	case "status":
		return fmt.Sprintf("error %s comes with HTTP status %d", orDash(s.Error), s.Status)
	case "no-error":
		return "error responses carry no \"error\" string"
	case "challenge":
		return "a 401 after Basic authentication lacks a matching WWW-Authenticate challenge"
	case "charset":
		return "error or error_description uses characters outside RFC 6749 §5.2's set"
	case "tokens-in-error":
		return "error responses carry tokens"
	}
	return strings.ReplaceAll(s.Check, "-", " ")
}

func orDash(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

// Request is a structured, secret-free description of the token request that exposed a verdict,
// from which the reports build a curl command. Secret values are never stored: a parameter that
// carries one holds a shell variable instead (Env), and Value is empty.
type Request struct {
	// Step is the harness's name for the request, e.g. "redemption after the code's lifetime".
	Step   string `json:"step,omitempty"`
	Method string `json:"method"`
	URL    string `json:"url"`
	// Basic is the client_id sent in Authorization: Basic (its secret is $CLIENT_SECRET).
	Basic string `json:"basic,omitempty"`
	// Bearer: an access token was presented in Authorization: Bearer ($ACCESS_TOKEN).
	Bearer bool    `json:"bearer,omitempty"`
	JSON   bool    `json:"json,omitempty"`
	Params []Param `json:"params,omitempty"`
	// Authorize is the authorization request that obtains a fresh code, when the request
	// redeemed one; the PKCE challenge and state in it are shell variables too.
	Authorize string `json:"authorize,omitempty"`
	// Assertion is how the client assertion sent as $CLIENT_ASSERTION was made: never the
	// assertion itself, which is a credential until it expires.
	Assertion *Assertion `json:"assertion,omitempty"`
}

// Assertion describes a client assertion without its signature: the JOSE header, the claims
// with their times relative to when it was sent (seconds), and the authentication method whose
// key signs it.
type Assertion struct {
	Method string         `json:"method"`
	Header map[string]any `json:"header"`
	Claims map[string]any `json:"claims"`
	// Times are the NumericDate claims as seconds from the moment the assertion was sent.
	Times map[string]int64 `json:"times,omitempty"`
	// Replayed: the request sent an assertion an earlier request had already sent.
	Replayed bool `json:"replayed,omitempty"`
}

// Param is one request parameter, in the order sent.
type Param struct {
	Name  string `json:"name"`
	Value string `json:"value,omitempty"`
	// Env names the shell variable that stands for a secret value, e.g. "CLIENT_SECRET".
	Env string `json:"env,omitempty"`
}
