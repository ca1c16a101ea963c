package catalog

import "testing"

// Every finding shows why it matters and how to fix it, so no scenario may lack either.
func TestEveryScenarioHasGuidance(t *testing.T) {
	ids := map[string]bool{}
	for _, s := range append(All(), Audit()...) {
		ids[s.ID] = true
		g, ok := GuidanceFor(s.ID)
		if !ok || g.Why == "" || g.Fix == "" {
			t.Errorf("%s: no why/fix in guidance.go", s.ID)
		}
		for _, v := range s.Variants {
			ids[s.VariantID(v.Name)] = true
			if _, ok := GuidanceFor(s.VariantID(v.Name)); !ok {
				t.Errorf("%s: a variant finds no guidance", s.VariantID(v.Name))
			}
		}
	}
	for id := range guidance {
		if !ids[id] {
			t.Errorf("guidance for %q, which is not in All()", id)
		}
	}
}
