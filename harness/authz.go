package harness

import (
	"net/url"
	"slices"
	"strings"

	"github.com/grantcheck/grantcheck/harness/authorize"
	"github.com/grantcheck/grantcheck/harness/config"
	"github.com/grantcheck/grantcheck/harness/oauth"
	"github.com/grantcheck/grantcheck/harness/token"
)

// Outcome runs one authorization flow that the provider should refuse; a failure of the harness
// itself (timeout, transport) is ERROR.
func (r *Run) Outcome(role config.Role, opts ...CodeOption) authorize.Outcome {
	o, err := r.Flow(role, opts...)
	if err != nil {
		r.Abort("%v", err)
	}
	r.Note("the authorization flow ended: %s at %s", o.Ending, o.URL)
	return o
}

// ExpectAuthzRefused runs one authorization flow of role with opts and asserts the entry's
// catalogue expectation on where it ended. unregistered is the invalid redirect_uri sent ("" when
// the request's redirect_uri is valid); then no redirect to it nor to a registered URI of the role
// is allowed. A refusal for a cause the scenario did not mean to create is asked again without it
// first (incidental.go).
func (r *Run) ExpectAuthzRefused(role config.Role, unregistered string, opts ...CodeOption) {
	r.ExpectAuthzEnding(r.authzWithoutIncidental(r.Outcome(role, opts...), role, opts), role, unregistered)
}

// ExpectAuthzEnding asserts the entry's expectation on where a flow that already ran ended, as
// ExpectAuthzRefused does but without asking again: for a caller whose request is the point (the
// audit's undeclared scope).
func (r *Run) ExpectAuthzEnding(o authorize.Outcome, role config.Role, unregistered string) {
	// A redirect to a host that is neither the provider's, nor in login.hosts, nor a host of the
	// client's redirect URIs (the one sent included) may be the provider's own error pages on a
	// separate login application: nothing was observed to judge, and the message names login.hosts.
	// A redirect that carries a code is judged wherever it goes: a code delivered anywhere but a
	// registered redirect URI is a leak (FAIL:security), whoever's host that is.
	if o.Ending == authorize.EndedElsewhere && !o.CarriesCode && !slices.ContainsFunc(append(r.Client(role).RedirectURIs, unregistered), func(u string) bool {
		p, err := url.Parse(u)
		return err == nil && strings.EqualFold(p.Host, o.Host)
	}) {
		r.Abort("%v", o.Err())
	}
	var noRedirect []string
	if unregistered != "" {
		noRedirect = r.Client(role).RedirectURIs
	}
	exp := r.Entry.Scenario.ExpectFor(r.variant())
	r.expect(o).To(oauth.BeAuthzRefusal(unregistered, noRedirect, exp.Accepts(r.holds)...))
}

// ExpectScopeLeftOut asserts that tokens requested with scope requested (the client's declared
// scope and one more) were granted nothing beyond what the client declares, judged by the granted
// scope as refresh-scope-escalation judges it: RFC 6749 §3.3 lets the provider ignore what it will
// not grant, and the strongest evidence of the grant decides (GrantedScope).
func (r *Run) ExpectScopeLeftOut(resp *token.Response, role config.Role, requested string) {
	declared := strings.Fields(r.Client(role).Scope)
	r.expect(resp).To(oauth.GrantWithin(declared, strings.Fields(requested), r.GrantedScope(resp, role)))
}
