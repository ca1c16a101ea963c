package harness

import (
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

// ExpectAuthzRefused runs one authorization flow of role with opts and asserts the entry's
// catalogue expectation on where it ended. unregistered is the invalid redirect_uri sent ("" when
// the request's redirect_uri is valid); then no redirect to it nor to a registered URI of the role
// is allowed. A refusal for a cause the scenario did not mean to create is asked again without it
// first (incidental.go).
func (r *Run) ExpectAuthzRefused(role config.Role, unregistered string, opts ...CodeOption) {
	o := r.authzWithoutIncidental(r.Outcome(role, opts...), role, opts)
	var noRedirect []string
	if unregistered != "" {
		noRedirect = r.Client(role).RedirectURIs
	}
	exp := r.Entry.Scenario.ExpectFor(r.variant())
	gomega.ExpectWithOffset(1, o).To(oauth.BeAuthzRefusal(unregistered, noRedirect, exp.Accepts(r.holds)...))
}
