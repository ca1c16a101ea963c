package main

import (
	"testing"

	"github.com/grantcheck/grantcheck/harness/catalog"
)

// The README's form, id:<scenario>/<variant>, selects exactly that variant in a real run (Ginkgo
// alone answers "Found two adjacent labels").
func TestRunSelectsAVariantByItsID(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the suite")
	}
	id := catalog.GrantTypeNotAllowed.VariantID("password")
	c := runChild(t, "--label-filter", "id:"+id)
	var ran []string
	for _, r := range c.run.Results {
		ran = append(ran, r.ID+" "+r.Verdict.String())
	}
	if len(ran) != 1 || ran[0] != id+" PASS" {
		t.Errorf("--label-filter id:%s ran %v, want only %s PASS\n%s", id, ran, id, c.output)
	}
}
