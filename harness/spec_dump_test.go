package harness

import (
	"testing"

	"github.com/onsi/gomega"

	"github.com/grantcheck/grantcheck/harness/catalog"
	"github.com/grantcheck/grantcheck/harness/verdict"
)

// TestReasonIsNeverAMatcherDump: a plain Gomega assertion that slipped into a scenario yields its
// description, or a sentence saying the check failed, never "Expected <[]string | len:1>…".
func TestReasonIsNeverAMatcherDump(t *testing.T) {
	gomega.RegisterTestingT(t)
	described := gomega.InterceptGomegaFailure(func() {
		gomega.Expect([]string{"nbf: in the future"}).To(gomega.BeEmpty(), "[format] the ID token fails: nbf")
	})
	bare := gomega.InterceptGomegaFailure(func() { gomega.Expect(true).To(gomega.BeFalse()) })
	sentence := gomega.InterceptGomegaFailure(func() {
		r := &Run{}
		r.Fail(verdict.Security, "the response carries %s", "two iss")
	})
	e := catalog.Entry{ID: catalog.IDTokenValid.ID, Scenario: catalog.IDTokenValid}
	for _, c := range []struct {
		name     string
		failure  error
		category verdict.Category
		reason   string
	}{
		{"described assertion", described, verdict.Format, "the ID token fails: nbf"},
		{"bare assertion", bare, verdict.ErrorCode, "a check of the scenario failed without saying why in words (a grantcheck bug: please report it with the transcript)"},
		{"Run.Fail", sentence, verdict.Security, "the response carries two iss"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if c.failure == nil {
				t.Fatal("the assertion did not fail")
			}
			v := classify(e, c.failure, nil)
			if v.Category != c.category || v.Reason != c.reason {
				t.Errorf("classify = [%s] %q, want [%s] %q (from %q)", v.Category, v.Reason, c.category, c.reason, c.failure)
			}
		})
	}
}
