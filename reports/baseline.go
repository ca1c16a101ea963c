package reports

import (
	"fmt"
	"os"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/grantcheck/grantcheck/harness/catalog"
)

// Baseline is the verdicts a run is expected to produce against one provider (the format of
// fixtures/providers/*/expected.yaml). CI compares against it so that known findings do not break
// the build and any change, better or worse, does.
type Baseline struct {
	Provider string                     `yaml:"provider"`
	Verdicts map[string]BaselineVerdict `yaml:"verdicts"`
	// Clients are an audit's expected verdicts, per client_id and audit entry. An entry not named
	// is expected to PASS, or not to apply (a check the client's registration rules out is no
	// verdict on the provider).
	Clients map[string]map[string]BaselineVerdict `yaml:"clients,omitempty"`
}

// BaselineVerdict is one expected verdict; anything but PASS carries its evidence.
type BaselineVerdict struct {
	Result string `yaml:"result"` // e.g. PASS, WARN, FAIL:error-code
	// Observed is the provider's response that makes this verdict right.
	Observed string `yaml:"observed,omitempty"`
	// Clause is the spec text that makes the observed response a finding.
	Clause string `yaml:"clause,omitempty"`
}

// LoadBaseline reads a baseline file; unknown keys are errors.
func LoadBaseline(path string) (Baseline, error) {
	f, err := os.Open(path)
	if err != nil {
		return Baseline{}, fmt.Errorf("load baseline: %w", err)
	}
	defer f.Close()
	dec := yaml.NewDecoder(f)
	dec.KnownFields(true)
	var b Baseline
	if err := dec.Decode(&b); err != nil {
		return Baseline{}, fmt.Errorf("load baseline %s: %w", path, err)
	}
	return b, nil
}

// Problems lists what makes the baseline incomplete: a catalogue entry without a verdict, an
// unknown entry, a non-PASS without its evidence.
func (b Baseline) Problems() []string {
	var out []string
	known := map[string]bool{}
	for _, e := range catalog.Entries() {
		known[e.ID] = true
		v, ok := b.Verdicts[e.ID]
		switch {
		case !ok || v.Result == "":
			out = append(out, fmt.Sprintf("%s: no expected result", e.ID))
		case v.Result != "PASS" && (v.Observed == "" || v.Clause == ""):
			out = append(out, fmt.Sprintf("%s: %s without the observed response and the clause that make it a finding", e.ID, v.Result))
		}
	}
	for id := range b.Verdicts {
		if !known[id] {
			out = append(out, fmt.Sprintf("%s: not in the catalogue", id))
		}
	}
	slices.Sort(out)
	return out
}

// Compare lists every entry of the run whose verdict differs from the baseline, with the reason
// the run gave, and every suite-level error. Entries the run did not cover (a label filter) are
// not differences.
func (b Baseline) Compare(run Run) []string {
	var out []string
	for _, r := range run.Results {
		want := "PASS"
		v, ok := b.Verdicts[r.ID]
		if r.Client != "" {
			v, ok = b.Clients[r.Client][r.ID]
			if !ok && r.Verdict.NotApplicable {
				continue
			}
		}
		if ok && v.Result != "" {
			want = v.Result
		}
		if got := r.Verdict.String(); got != want {
			line := fmt.Sprintf("%s: baseline %s, now %s", r.Key(), want, got)
			if reason, _, _ := strings.Cut(r.Verdict.Reason, "\n"); reason != "" {
				line += " — " + reason
			}
			out = append(out, line)
		}
	}
	slices.Sort(out)
	return append(out, run.SuiteErrors...)
}
