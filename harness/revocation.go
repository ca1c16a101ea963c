package harness

import (
	"fmt"
	"strings"

	"github.com/grantcheck/grantcheck/harness/config"
	"github.com/grantcheck/grantcheck/harness/oauth"
	"github.com/grantcheck/grantcheck/harness/token"
)

// AccessCheck asks the provider whether an access token still works: at userinfo (RFC 6750: 2xx
// accepted, 401 refused) or at introspection (RFC 7662 §2.2: active true or false). It is only
// trusted once it has accepted a fresh token, so a userinfo answering 503 to everything, or an
// introspection answering {}, proves nothing.
type AccessCheck struct {
	name string
	send func(r *Run, accessToken, step string) (*token.Response, error)
	// read turns an answer into a state: "active", "inactive", or "" with why it is neither.
	read func(resp *token.Response) (state, why string)
}

var accessChecks = []AccessCheck{
	{
		name: "userinfo",
		send: func(r *Run, at, step string) (*token.Response, error) {
			return r.TrySend(r.Bearer(r.P.Discovery.UserinfoEndpoint, at, step))
		},
		read: func(resp *token.Response) (string, string) {
			switch {
			case resp.Status >= 200 && resp.Status < 300:
				return "active", ""
			case resp.Status == 401: // RFC 6750 §3.1 invalid_token
				return "inactive", ""
			}
			return "", fmt.Sprintf("userinfo answered HTTP %d, neither 2xx nor RFC 6750 §3.1's 401", resp.Status)
		},
	},
	{
		name: "introspection",
		send: func(r *Run, at, step string) (*token.Response, error) {
			return r.introspect(config.Primary, "access_token", at, step)
		},
		read: func(resp *token.Response) (string, string) {
			active, isBool := resp.JSON["active"].(bool)
			switch {
			case resp.Status == 200 && isBool && active:
				return "active", ""
			case resp.Status == 200 && isBool:
				return "inactive", ""
			}
			return "", fmt.Sprintf("introspection answered HTTP %d without a boolean active (RFC 7662 §2.2)", resp.Status)
		},
	},
}

func (c AccessCheck) available(p *Provider) bool {
	switch c.name {
	case "userinfo":
		return p.Discovery.UserinfoEndpoint != ""
	case "introspection":
		return p.Discovery.IntrospectionEndpoint != ""
	}
	return false
}

// ProvenAccessCheck is the first check that accepts the fresh access token at, or nil and why none
// did ("" when the provider has neither endpoint).
func (r *Run) ProvenAccessCheck(at string) (*AccessCheck, string) {
	var why []string
	for i := range accessChecks {
		c := &accessChecks[i]
		if !c.available(r.P) {
			continue
		}
		resp, err := c.send(r, at, c.name+" with the fresh access token (does the check work?)")
		if err != nil {
			why = append(why, fmt.Sprintf("%s: %v", c.name, err))
			continue
		}
		if state, reason := c.read(resp); state == "active" {
			return c, ""
		} else if state == "inactive" {
			why = append(why, c.name+" calls the fresh access token inactive")
		} else {
			why = append(why, reason+" for the fresh access token")
		}
	}
	return nil, strings.Join(why, "; ")
}

// State asks the proven check about at again.
func (c *AccessCheck) State(r *Run, at, step string) oauth.TokenState {
	resp, err := c.send(r, at, c.name+" "+step)
	if err != nil {
		return oauth.TokenState{Unknown: fmt.Sprintf("%s: %v", c.name, err)}
	}
	state, why := c.read(resp)
	switch state {
	case "active":
		return oauth.TokenState{Works: true, Evidence: fmt.Sprintf("%s answered HTTP %d", c.name, resp.Status)}
	case "inactive":
		return oauth.TokenState{Evidence: c.name + " refused it"}
	}
	return oauth.TokenState{Unknown: why + ", after it accepted the fresh token"}
}

// ExpectRevoked asserts both tokens were revoked. A finding (a token still works, a malformed
// refusal) is reported with both tokens' account; without one, an access token whose state could
// not be read makes the scenario ERROR: "revoked" needs evidence.
func (r *Run) ExpectRevoked(rev oauth.Revocation) {
	m := oauth.BeRevoked(r.Rejection)
	r.expect(rev).To(m)
	if m.Unknown != "" {
		r.Abort("cannot tell whether the first access token was revoked: %s (%s)", m.Unknown, m.Summary())
	}
	r.Note("%s", m.Summary())
}
