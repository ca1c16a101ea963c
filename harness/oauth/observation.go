package oauth

import (
	"slices"

	"github.com/grantcheck/grantcheck/harness/token"
	"github.com/grantcheck/grantcheck/harness/verdict"
)

// Observation is what a failed ErrorMatcher saw, in machine form, with the request behind it;
// both nil after a match. The harness puts them on the verdict so reports can group findings and
// reproduce them without parsing the failure message.
func (m *ErrorMatcher) Observation() (*verdict.Signature, *verdict.Request) {
	if m.observed == nil {
		return nil, nil
	}
	return m.observed, m.request
}

// observe names the rule check broke from the category and the response's facts, in check's order.
func (m *ErrorMatcher) observe(r *token.Response) {
	m.observed, m.request = nil, nil
	if m.found.category == "" {
		return
	}
	code, _ := r.JSON["error"].(string)
	s := &verdict.Signature{Status: r.Status, MediaType: r.MediaType, Error: code}
	if len(m.accepted) > 0 {
		s.Want, s.Accepted = m.accepted[0], slices.Clone(m.accepted)
	}
	switch m.found.category {
	case verdict.Security:
		s.Check = "accepted"
	case verdict.ErrorCode:
		s.Check = "status"
		if code != "" && len(m.accepted) > 0 && !slices.Contains(m.accepted, code) {
			s.Check = "error"
		}
	default:
		switch {
		case r.JSON == nil:
			s.Check = "not-json"
		case code == "":
			s.Check = "no-error"
		case m.challengeProblem(r) != "":
			s.Check = "challenge"
		case r.MediaType != "application/json":
			s.Check = "media-type"
		case len(r.Tokens()) > 0:
			s.Check = "tokens-in-error"
		default:
			s.Check = "charset"
		}
	}
	m.observed, m.request = s, r.Request
}
