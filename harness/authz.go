package harness

import (
	"net/url"
	"slices"
	"strings"

	"github.com/onsi/gomega"

	"github.com/grantcheck/grantcheck/harness/authorize"
	"github.com/grantcheck/grantcheck/harness/config"
	"github.com/grantcheck/grantcheck/harness/oauth"
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

// ExpectAuthzRefused asserts the entry's catalogue expectation on where a flow ended. unregistered
// is the invalid redirect_uri sent ("" when the request's redirect_uri is valid); then no redirect
// to it nor to a registered URI of the role is allowed.
func (r *Run) ExpectAuthzRefused(o authorize.Outcome, role config.Role, unregistered string) {
	// A redirect to a host that is neither the provider's, nor in login.hosts, nor a host of the
	// client's redirect URIs (the one sent included) may be the provider's own error pages on a
	// separate login application: nothing was observed to judge, and the message names login.hosts.
	if o.Ending == authorize.EndedElsewhere && !slices.ContainsFunc(append(r.Client(role).RedirectURIs, unregistered), func(u string) bool {
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
	gomega.ExpectWithOffset(1, o).To(oauth.BeAuthzRefusal(unregistered, noRedirect, exp.Accepts(r.holds)...))
}
