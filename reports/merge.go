package reports

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/grantcheck/grantcheck/harness/catalog"
	"github.com/grantcheck/grantcheck/harness/verdict"
)

// Merge joins runs of one provider (the parts of a sharded audit, or a catalogue run and an audit)
// into the run one process would have produced: the same results in the same order, so the same
// totals, findings and outcome. names label the runs in errors (their files).
func Merge(names []string, runs []Run) (Run, error) {
	if len(runs) == 0 {
		return Run{}, fmt.Errorf("merge: no results to merge")
	}
	first := runs[0]
	out := Run{Provider: first.Provider, Issuer: first.Issuer, Strict: first.Strict, GrantcheckVersion: first.GrantcheckVersion,
		ConfigFile: first.ConfigFile, LabelFilter: first.LabelFilter, Catalogue: first.Catalogue, Started: first.Started}
	owner := map[string]string{}
	var parts []string
	for i, r := range runs {
		switch {
		case r.Strict != first.Strict:
			return Run{}, fmt.Errorf("merge: %s ran with --strict %v, %s with %v: their WARNs are judged differently", names[i], r.Strict, names[0], first.Strict)
		case r.Catalogue != first.Catalogue:
			return Run{}, fmt.Errorf("merge: %s was judged by catalogue %s, %s by %s: rerun both with the same grantcheck", names[i], orNone(r.Catalogue), names[0], orNone(first.Catalogue))
		}
		if r.Started.Before(out.Started) {
			out.Started = r.Started
		}
		if r.Finished.After(out.Finished) {
			out.Finished = r.Finished
		}
		out.Duration = max(out.Duration, r.Duration) // the parts ran side by side
		out.Logins = addLogins(out.Logins, r.Logins)
		for _, res := range r.Results {
			if at, dup := owner[res.Key()]; dup {
				return Run{}, fmt.Errorf("merge: %s and %s both hold %s: the runs overlap (one file given twice, or shards of different totals)", at, names[i], res.Key())
			}
			owner[res.Key()] = names[i]
			res.Finding = ""
			out.Results = append(out.Results, res)
		}
		out.SuiteErrors = append(out.SuiteErrors, r.SuiteErrors...)
		if r.Audit != nil {
			if out.Audit == nil {
				out.Audit = &Audit{Checks: r.Audit.Checks, Sees: r.Audit.Sees, CannotSee: r.Audit.CannotSee}
			}
			out.Audit.Clients = append(out.Audit.Clients, r.Audit.Clients...)
			out.Audit.Jobs = max(out.Audit.Jobs, r.Audit.Jobs)
			if r.Audit.Shard != "" {
				parts = append(parts, r.Audit.Shard)
			}
		}
	}
	if out.Audit != nil {
		slices.SortStableFunc(out.Audit.Clients, func(a, b AuditClient) int { return cmp.Compare(a.Index, b.Index) })
		if len(parts) > 0 {
			out.Audit.Shard = "merged " + strings.Join(parts, ", ")
		}
	}
	sortResults(&out)
	out.tally()
	out.fillMatrix()
	return out, nil
}

// sortResults puts results in the order one run reports them: the catalogue's, then each audited
// client in list order with its checks in catalogue order.
func sortResults(r *Run) {
	rank := map[string]int{}
	for i, e := range catalog.Entries() {
		rank[e.ID] = i
	}
	checks := map[string]int{}
	for i, e := range catalog.AuditEntries() {
		checks[e.ID] = i
	}
	client := map[string]int{}
	if r.Audit != nil {
		for _, c := range r.Audit.Clients {
			client[c.ClientID] = c.Index
		}
	}
	slices.SortStableFunc(r.Results, func(a, b Result) int {
		if (a.Client == "") != (b.Client == "") {
			if a.Client == "" {
				return -1
			}
			return 1
		}
		if a.Client == "" {
			return cmp.Compare(rank[a.ID], rank[b.ID])
		}
		return cmp.Or(cmp.Compare(client[a.Client], client[b.Client]), cmp.Compare(checks[a.ID], checks[b.ID]))
	})
}

func addLogins(a, b *Logins) *Logins {
	switch {
	case a == nil:
		return b
	case b == nil:
		return a
	}
	sum := *a
	if b.Flows > a.Flows {
		sum.Median = b.Median
	}
	sum.Flows += b.Flows
	sum.Max = max(a.Max, b.Max)
	sum.Ahead += b.Ahead
	sum.Unused += b.Unused
	return &sum
}

// Comparison is a provider × scenario matrix: runs against different providers (or releases of
// one, named apart in provider.name), side by side.
type Comparison struct {
	Runs []ComparedRun  `json:"runs"`
	Rows []ComparedItem `json:"rows"`
}

// ComparedRun is one column of the comparison.
type ComparedRun struct {
	Provider          string                 `json:"provider"`
	Issuer            string                 `json:"issuer"`
	GrantcheckVersion string                 `json:"grantcheck_version"`
	Outcome           Outcome                `json:"outcome"`
	Totals            map[verdict.Result]int `json:"totals"`
}

// ComparedItem is one scenario (or audited client's check) across the runs; a run without it has "".
type ComparedItem struct {
	Key      string   `json:"key"`
	Level    string   `json:"level"`
	Verdicts []string `json:"verdicts"`
	// Differs: not every run that has the item gave the same verdict.
	Differs bool `json:"differs"`
}

// Compare lines up runs of different providers, results in the order of the first run that has them.
func Compare(runs []Run) Comparison {
	var c Comparison
	at := map[string]int{}
	for i, r := range runs {
		c.Runs = append(c.Runs, ComparedRun{Provider: r.Provider, Issuer: r.Issuer, GrantcheckVersion: r.GrantcheckVersion,
			Outcome: r.Outcome, Totals: r.Totals})
		for _, res := range r.Results {
			j, ok := at[res.Key()]
			if !ok {
				j = len(c.Rows)
				at[res.Key()] = j
				c.Rows = append(c.Rows, ComparedItem{Key: res.Key(), Level: string(res.Level), Verdicts: make([]string, len(runs))})
			}
			c.Rows[j].Verdicts[i] = res.Verdict.String()
		}
	}
	for i := range c.Rows {
		seen := ""
		for _, v := range c.Rows[i].Verdicts {
			if v == "" {
				continue
			}
			if seen != "" && v != seen {
				c.Rows[i].Differs = true
			}
			seen = v
		}
	}
	return c
}
