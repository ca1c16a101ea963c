package harness

import (
	"fmt"
	"slices"
	"strings"

	"github.com/grantcheck/grantcheck/harness/authorize"
	"github.com/grantcheck/grantcheck/harness/catalog"
	"github.com/grantcheck/grantcheck/harness/config"
	"github.com/grantcheck/grantcheck/harness/token"
)

// A scenario tests one rule. When the provider refuses for a cause the scenario's request carried
// without meaning to (catalog.Incidentals: the scope every request of a role sends), the refusal
// proves nothing about that rule: the harness asks again with the cause removed and judges that
// answer, or, when every attempt names the cause, SKIPs saying so (DESIGN.md, "A scenario tests one
// rule"). Every token endpoint and authorization endpoint judgement passes through here.

// incidental is the incidental cause a refusal's error code names for this entry.
func (r *Run) incidental(code string) (catalog.Incidental, bool) {
	if code == "" {
		return catalog.Incidental{}, false
	}
	return r.Entry.Scenario.IncidentalFor(r.variant(), code, r.holds)
}

// withoutIncidental returns the answer to judge: resp itself, or the answer to the same token
// request with the incidental cause removed.
func (r *Run) withoutIncidental(resp *token.Response) *token.Response {
	inc, ok := r.incidental(resp.String("error"))
	if !ok || resp.Sent == nil || len(resp.Tokens()) > 0 {
		return resp
	}
	req := resp.Sent
	role := r.roleOf(req.ClientID())
	sent := req.Get(inc.Param)
	tried := []string{shownValue(inc.Param, sent)}
	for _, alt := range tokenRetries(inc, sent, r.P.Config.ScopeOf(role)) {
		r.Note("the provider answered %s, a cause this scenario did not mean to create (%s): asking again with %s",
			inc.Error, inc.Why, shownValue(inc.Param, alt))
		if alt == "" {
			req.Omit(inc.Param)
		} else {
			req.Set(inc.Param, alt)
		}
		retry := r.Send(req.Step("the same request with " + shownValue(inc.Param, alt)))
		if retry.String("error") != inc.Error {
			return retry
		}
		tried = append(tried, shownValue(inc.Param, alt))
	}
	r.Skip(incidentalReason(inc, role, tried))
	return nil
}

// authzWithoutIncidental returns the flow ending to judge: o itself, or the ending of the same
// authorization request with the incidental cause removed.
func (r *Run) authzWithoutIncidental(o authorize.Outcome, role config.Role, opts []CodeOption) authorize.Outcome {
	if o.Refusal == nil {
		return o
	}
	inc, ok := r.incidental(o.Refusal.Error)
	if !ok {
		return o
	}
	sent := r.P.Config.ScopeOf(role)
	tried := []string{shownValue(inc.Param, sent)}
	for _, alt := range authzRetries(inc, sent) {
		r.Note("the provider answered %s, a cause this scenario did not mean to create (%s): asking again with %s",
			inc.Error, inc.Why, shownValue(inc.Param, alt))
		retry := r.Outcome(role, append(slices.Clone(opts), WithScope(alt))...)
		if retry.Refusal == nil || retry.Refusal.Error != inc.Error {
			return retry
		}
		tried = append(tried, shownValue(inc.Param, alt))
	}
	r.Skip(incidentalReason(inc, role, tried))
	return o
}

// tokenRetries are the values to try instead of sent at the token endpoint: the role's own
// scope, then none (RFC 6749 §3.3: the provider then uses a default or refuses).
func tokenRetries(inc catalog.Incidental, sent, own string) []string {
	if inc.Param != "scope" {
		return nil
	}
	var out []string
	if own != sent {
		out = append(out, own)
	}
	if sent != "" {
		out = append(out, "")
	}
	return out
}

// authzRetries are the scopes to try instead of sent at the authorization endpoint, which sent
// the role's own scope already: openid alone, the least an OpenID request asks for.
func authzRetries(inc catalog.Incidental, sent string) []string {
	if inc.Param != "scope" || sent == "openid" || !slices.Contains(strings.Fields(sent), "openid") {
		return nil
	}
	return []string{"openid"}
}

func incidentalReason(inc catalog.Incidental, role config.Role, tried []string) string {
	setting := strings.ReplaceAll(inc.Setting, "<role>", string(role))
	return fmt.Sprintf("the provider refused with %s each time (%s): %s, a cause this scenario did not mean to create, so "+
		"the rule it tests was not reached; set %s to what the %s client is registered for",
		inc.Error, strings.Join(tried, ", then "), inc.Why, setting, role)
}

func shownValue(param, v string) string {
	if v == "" {
		return "no " + param
	}
	return fmt.Sprintf("%s %q", param, v)
}

// roleOf is the configured role with this client_id, an audited client's own role included
// (primary when none has it: an unknown client).
func (r *Run) roleOf(clientID string) config.Role {
	for _, role := range config.Roles {
		if c := r.P.Config.Clients.Get(role); c != nil && c.ClientID == clientID {
			return role
		}
	}
	if audited := config.AuditRole(clientID); r.P.Config.Clients.Get(audited) != nil {
		return audited
	}
	return config.Primary
}
