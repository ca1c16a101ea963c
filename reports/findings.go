package reports

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/grantcheck/grantcheck/harness/catalog"
	"github.com/grantcheck/grantcheck/harness/verdict"
)

// Kind of a finding, in the order findings are shown: the FAIL categories most severe first,
// then broken SHOULDs, then what the run could not test.
type Kind string

const (
	KindSecurity  Kind = "security"
	KindErrorCode Kind = "error-code"
	KindFormat    Kind = "format"
	KindWarning   Kind = "warning"
	KindError     Kind = "error"
)

// Kinds in presentation order.
var Kinds = []Kind{KindSecurity, KindErrorCode, KindFormat, KindWarning, KindError}

// Finding is one distinct problem: the results that fail for the same reason (same kind, same
// observed answer pattern), with why it matters, how to fix it and how to reproduce it.
type Finding struct {
	ID    string `json:"id"` // "F1", "F2", … in presentation order
	Kind  Kind   `json:"kind"`
	Title string `json:"title"`
	// Pattern is the machine grouping key (kind and observed answer), stable across runs.
	Pattern   string             `json:"pattern"`
	Scenarios []string           `json:"scenarios"`
	Refs      catalog.Refs       `json:"refs"`
	Why       string             `json:"why"`
	Fix       string             `json:"fix"`
	Signature *verdict.Signature `json:"signature,omitempty"`
	// Example is the reason (first line) of the scenario Reproduce repeats, as observed.
	Example string `json:"example,omitempty"`
	// Request and Reproduce are the request that exposed the finding and a curl command for it
	// (secrets as shell variables); empty when no token request was involved.
	Request   *verdict.Request `json:"request,omitempty"`
	Reproduce string           `json:"reproduce,omitempty"`
	// Exposed is the scenario whose request Reproduce repeats (and whose reason Example is).
	Exposed string `json:"exposed_by,omitempty"`
	// Client is the audited client the finding is about ("" for the catalogue's scenarios): an
	// audit's findings are per client, since each client's registration is fixed on its own.
	Client string `json:"client,omitempty"`
	// Files are what the harness saved for the grouped scenarios (screenshots), each once.
	Files []verdict.File `json:"files,omitempty"`

	ruleRefs bool     // Refs are the rule's (answer guidance), not the union of the scenarios'
	due      []string // for a wrong error code: the codes every grouped scenario accepts
}

// effort ranks how much a reader must do to replay a request: every secret to supply, and
// above all a fresh code from a login, makes it harder.
func effort(r verdict.Request) int {
	n := 0
	for _, p := range r.Params {
		if p.Env != "" {
			n++
		}
	}
	if r.Authorize != "" {
		n += 10
	}
	return n
}

// kindOf is the finding kind of a result, or "" for results that are not findings.
func kindOf(res Result) Kind {
	v := res.Verdict
	switch {
	case v.Result == verdict.Fail && v.Category != "":
		return Kind(v.Category)
	case v.Result == verdict.Fail:
		return KindErrorCode // an uncategorised FAIL broke a requirement of the scenario
	case v.Result == verdict.Warn:
		return KindWarning
	case v.Result == verdict.Error:
		return KindError
	}
	return ""
}

// patternOf groups results from structured data only: the signature of the failing check, else
// the scenario (a check without a signature tells nothing shared), or for a WARN raised only by
// noted warnings their fixed text, for an ERROR the harness's reason.
func patternOf(res Result, kind Kind) string {
	v := res.Verdict
	base, _, _ := strings.Cut(res.ID, "/")
	switch {
	case kind == KindError:
		return "error|" + firstLine(v.Reason)
	case v.Signature == nil && kind == KindWarning && len(v.Warnings) > 0 && v.Reason == strings.Join(v.Warnings, "; "):
		return "warning|noted|" + v.Warnings[0]
	case v.Signature == nil, v.Signature.Check == "accepted":
		// Each accepted request is its own hole, its variants one defect; but scenarios that probe
		// one check from different sides share the hole of that check (catalog.Check).
		if s, ok := catalog.Lookup(res.ID); ok && kind == KindSecurity {
			if c, ok := catalog.CheckOf(s); ok {
				return string(kind) + "|check|" + c.ID
			}
		}
		return string(kind) + "|scenario|" + base
	}
	return string(kind) + "|" + v.Signature.Pattern()
}

// buildFindings groups the results needing attention into findings, in presentation order, and
// marks each result with its finding. A wrong error code joins a finding with the same observed
// code whose due codes overlap its accepted ones: an unsupported grant answered invalid_request
// is one defect whether the scenario also accepts unauthorized_client or not.
func (r *Run) buildFindings() {
	byPattern := map[string]*Finding{}
	wrongCode := map[string][]*Finding{} // by kind and observed error
	var order []*Finding
	first := map[*Finding]int{}
	for i, res := range r.Results {
		kind := kindOf(res)
		if kind == "" {
			continue
		}
		var f *Finding
		sig := res.Verdict.Signature
		if sig != nil && sig.Check == "error" && len(sig.Accepted) > 0 {
			base := clientPattern(res) + string(kind) + "|error " + sig.Error
			for _, c := range wrongCode[base] {
				if due := intersect(c.due, sig.Accepted); len(due) > 0 {
					f, c.due = c, due
					break
				}
			}
			if f == nil {
				f = newFinding(res, kind, base)
				f.due = slices.Clone(sig.Accepted)
				wrongCode[base] = append(wrongCode[base], f)
				order = append(order, f)
				first[f] = i
			}
		} else {
			pattern := clientPattern(res) + patternOf(res, kind)
			if f = byPattern[pattern]; f == nil {
				f = newFinding(res, kind, pattern)
				byPattern[pattern] = f
				order = append(order, f)
				first[f] = i
			}
		}
		f.Scenarios = append(f.Scenarios, res.Key())
		for _, file := range res.Verdict.Files {
			if !slices.Contains(f.Files, file) {
				f.Files = append(f.Files, file)
			}
		}
		if !f.ruleRefs {
			for _, ref := range res.Refs {
				if !slices.Contains(f.Refs, ref) {
					f.Refs = append(f.Refs, ref)
				}
			}
		}
		if req := res.Verdict.Request; req != nil && (f.Request == nil || effort(*req) < effort(*f.Request)) {
			f.Request, f.Example, f.Exposed = req, firstLine(res.Verdict.Reason), res.Key()
		}
	}
	slices.SortStableFunc(order, func(a, b *Finding) int {
		return cmp.Or(
			cmp.Compare(slices.Index(Kinds, a.Kind), slices.Index(Kinds, b.Kind)),
			cmp.Compare(len(b.Scenarios), len(a.Scenarios)),
			cmp.Compare(first[a], first[b]))
	})
	r.Findings = nil
	at := map[string]string{}
	for i, f := range order {
		f.ID = fmt.Sprintf("F%d", i+1)
		if len(f.due) > 0 {
			f.Pattern += " due " + strings.Join(f.due, ",")
			f.Title = fmt.Sprintf("error is %s where %s is due", orNone(f.Signature.Error), strings.Join(f.due, " or "))
			// What was observed decides the fix: the requests are refused already, so the code
			// is what needs fixing, not the scenario's check.
			g := catalog.WrongCodeGuidance(f.Signature.Error, f.due)
			f.Why, f.Fix = g.Why, g.Fix
		}
		if c, ok := sharedCheck(f); ok {
			// One root cause: the finding is the check, listing every scenario that showed it.
			f.Title, f.Why, f.Fix = c.Title, c.Why, c.Fix
		}
		if f.Request != nil {
			f.Reproduce = Curl(*f.Request)
		}
		r.Findings = append(r.Findings, *f)
		for _, id := range f.Scenarios {
			at[id] = f.ID
		}
	}
	for i := range r.Results {
		r.Results[i].Finding = at[r.Results[i].Key()]
	}
}

// sharedCheck is the check a finding groups when it holds more than one scenario that probes it.
func sharedCheck(f *Finding) (catalog.Check, bool) {
	id, ok := strings.CutPrefix(f.Pattern, string(f.Kind)+"|check|")
	if !ok {
		return catalog.Check{}, false
	}
	bases := map[string]bool{}
	for _, sc := range f.Scenarios {
		base, _, _ := strings.Cut(sc, "/")
		bases[base] = true
	}
	for _, c := range catalog.Checks() {
		if c.ID == id && len(bases) > 1 {
			return c, true
		}
	}
	return catalog.Check{}, false
}

// intersect keeps the codes of a that b also holds, in a's order.
func intersect(a, b []string) []string {
	var out []string
	for _, x := range a {
		if slices.Contains(b, x) {
			out = append(out, x)
		}
	}
	return out
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

func newFinding(res Result, kind Kind, pattern string) *Finding {
	v := res.Verdict
	f := &Finding{Kind: kind, Pattern: pattern, Signature: v.Signature, Example: firstLine(v.Reason),
		Why: res.Why, Fix: res.Fix, Request: v.Request}
	if v.Signature != nil {
		if g, ok := catalog.AnswerGuidance(v.Signature.Check); ok && kind != KindSecurity {
			f.Why, f.Fix, f.Refs, f.ruleRefs = g.Why, g.Fix, g.Refs, true
		}
	}
	switch {
	case kind == KindError:
		f.Title = "could not test: " + firstLine(v.Reason)
		f.Why = "An ERROR is no verdict on the provider: the harness could not set the scenario up, so the run is incomplete."
		f.Fix = "Fix the cause named here (login steps, client configuration, provider reachability) and run again."
	case v.Signature != nil && v.Signature.Check != "accepted":
		f.Title = v.Signature.Summary()
	case kind == KindSecurity:
		f.Title = "accepted where a rejection is due: " + scenarioTitle(res)
	case kind == KindWarning && v.Signature == nil && len(v.Warnings) > 0:
		f.Title = v.Warnings[0]
	default:
		f.Title = scenarioTitle(res) + ": " + firstLine(v.Reason)
	}
	if res.Client != "" {
		f.Client = res.Client
		f.Title = "client " + res.Client + ": " + f.Title
	}
	f.Title = clip(f.Title, 200)
	f.Request = nil // buildFindings picks the simplest request among the scenarios
	return f
}

// scenarioTitle is the title of the result's scenario without the variant: findings grouped by
// scenario hold all its variants.
func scenarioTitle(res Result) string {
	if s, ok := catalog.Lookup(res.ID); ok {
		return s.Title
	}
	return res.Title
}

// FindingsOf returns the findings of one kind (for the writers' sections).
func (r Run) FindingsOf(kind Kind) []Finding {
	var out []Finding
	for _, f := range r.Findings {
		if f.Kind == kind {
			out = append(out, f)
		}
	}
	return out
}

// Result returns the result with this ID.
func (r Run) Result(id string) (Result, bool) {
	for _, res := range r.Results {
		if res.ID == id {
			return res, true
		}
	}
	return Result{}, false
}

// FailingScenarios counts results that are FAIL or WARN (what findings group).
func (r Run) FailingScenarios() int { return r.Totals[verdict.Fail] + r.Totals[verdict.Warn] }

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

// clientPattern keeps the findings of different audited clients apart.
func clientPattern(res Result) string {
	if res.Client == "" {
		return ""
	}
	return "client " + res.Client + "|"
}
