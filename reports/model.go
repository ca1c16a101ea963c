// Package reports turns Ginkgo's report of a grantcheck run into one result model, Run, and writes it
// as JSON, JUnit XML, Markdown, HTML and a terminal summary. Every writer reads the same Run, so the
// formats cannot disagree about a verdict.
package reports

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/grantcheck/grantcheck/harness/catalog"
	"github.com/grantcheck/grantcheck/harness/safetext"
	"github.com/grantcheck/grantcheck/harness/verdict"
)

// Labels the harness puts on every scenario spec.
const (
	labelID      = "id:"
	labelVariant = "variant:"
)

// Meta is what the run knows that Ginkgo's report does not.
type Meta struct {
	Provider string
	Issuer   string
	Strict   bool
	// Version is the grantcheck version that ran.
	Version string
	// ConfigFile is the configuration the run used, for the "how to reproduce" section.
	ConfigFile string
	// Clean redacts and escapes text from the run (the run's redactor); nil escapes only. Every
	// reason, transcript and suite error of the model passes it, so no writer shows raw bytes.
	Clean func(string) string
	// Logins is what the run's authorization flows cost, nil when none ran.
	Logins *Logins
}

// Logins is what the run's authorization flows cost: the suite needs one per scenario, so with a
// slow login driver they dominate the run's time.
type Logins struct {
	Driver string `json:"driver"`
	// Flows counts every flow the run logged in (controls and flows logged in ahead included).
	Flows int `json:"flows"`
	// Median and Max are the time of one flow as the run ran it (with the flows beside it).
	Median time.Duration `json:"median_ns"`
	Max    time.Duration `json:"max_ns"`
	// Ahead counts the flows logged in before a scenario asked (login.ahead) and handed to one;
	// Unused those dropped (their code waited too long, or no scenario asked for them).
	Ahead  int `json:"ahead,omitempty"`
	Unused int `json:"unused,omitempty"`
}

// NewLogins sums up a run's flow times (nil when none ran) and what login.ahead did.
func NewLogins(driver string, times []time.Duration, ahead, unused int) *Logins {
	if len(times) == 0 {
		return nil
	}
	sorted := slices.Sorted(slices.Values(times))
	return &Logins{Driver: driver, Flows: len(sorted), Median: sorted[len(sorted)/2], Max: sorted[len(sorted)-1],
		Ahead: ahead, Unused: unused}
}

// String is the one line the summary and the reports print.
func (l Logins) String() string {
	s := fmt.Sprintf("%d %s with the %s driver, median %s, slowest %s", l.Flows, plural(l.Flows, "login", "logins"),
		l.Driver, l.Median.Round(time.Millisecond), l.Max.Round(time.Millisecond))
	if l.Ahead+l.Unused > 0 {
		s += fmt.Sprintf("; %d logged in ahead of their scenario (login.ahead), %d unused", l.Ahead, l.Unused)
	}
	return s
}

// Outcome rolls a whole run into one word, as the Gateway API conformance report does. Only
// Conformant and ConformantWithWarnings are a pass (under --strict a WARN is already a FAIL).
type Outcome string

const (
	// Conformant: every scenario that ran passed, and every MUST scenario ran.
	Conformant Outcome = "conformant"
	// ConformantWithWarnings: as Conformant, but a SHOULD was broken (WARN).
	ConformantWithWarnings Outcome = "conformant with warnings"
	// NotConformant: at least one FAIL — the provider broke a MUST.
	NotConformant Outcome = "not conformant"
	// Incomplete: no FAIL, but the run cannot vouch for the provider: a MUST scenario was skipped,
	// a scenario errored, the suite itself failed, or nothing was tested.
	Incomplete Outcome = "incomplete"
)

// Passed is true for the outcomes that exit 0.
func (o Outcome) Passed() bool { return o == Conformant || o == ConformantWithWarnings }

// Run is the result model every writer reads.
type Run struct {
	Provider          string        `json:"provider"`
	Issuer            string        `json:"issuer"`
	Started           time.Time     `json:"started"`
	Finished          time.Time     `json:"finished"`
	Duration          time.Duration `json:"duration_ns"`
	Strict            bool          `json:"strict"`
	GrantcheckVersion string        `json:"grantcheck_version"`
	ConfigFile        string        `json:"config_file,omitempty"`
	// LabelFilter is Ginkgo's --label-filter; a filtered run covers only part of the catalogue.
	LabelFilter string `json:"label_filter,omitempty"`

	Outcome Outcome                `json:"outcome"`
	Totals  map[verdict.Result]int `json:"totals"`
	// SuiteErrors are failures outside any scenario (suite setup, interrupts, unknown IDs). Any of
	// them makes the run not conformant: a run that could not test is never a pass.
	SuiteErrors []string `json:"suite_errors,omitempty"`
	// Findings group the results that need attention by their reason, most severe first.
	Findings []Finding `json:"findings"`
	Results  []Result  `json:"results"`
	Logins   *Logins   `json:"logins,omitempty"`
	// Catalogue identifies the catalogue the run judged by (catalog.Version): results of different
	// catalogues are not merged.
	Catalogue string `json:"catalogue,omitempty"`
	// Audit is set by an audit (grantcheck audit): the matrix of its clients and checks.
	Audit *Audit `json:"audit,omitempty"`
}

// ResultKinds lists every result, in the order totals are shown.
var ResultKinds = []verdict.Result{verdict.Pass, verdict.Fail, verdict.Warn, verdict.Skip, verdict.Error}

// Result is one catalogue entry's outcome with its catalogue metadata.
type Result struct {
	ID string `json:"id"`
	// Client is the audited client_id of an audit result ("" for the catalogue's scenarios).
	Client   string          `json:"client,omitempty"`
	Title    string          `json:"title"`
	Family   string          `json:"family"`
	Level    catalog.Level   `json:"level"`
	Refs     catalog.Refs    `json:"refs"`
	Verdict  verdict.Verdict `json:"verdict"`
	Duration time.Duration   `json:"duration_ns"`
	// Why and Fix come from the catalogue's guidance.
	Why string `json:"why,omitempty"`
	Fix string `json:"fix,omitempty"`
	// Finding is the ID of the finding this result belongs to ("" for a PASS or SKIP).
	Finding string `json:"finding,omitempty"`
	// Transcript is the redacted transcript, cut to a bounded excerpt (the cut is marked).
	Transcript string `json:"transcript,omitempty"`
}

// NeedsAttention is true for what a reader must look at: FAIL, WARN, ERROR, or a PASS with warnings.
// A SKIP has no evidence to show; its reason is enough.
func (r Result) NeedsAttention() bool {
	return r.Verdict.Result != verdict.Pass && r.Verdict.Result != verdict.Skip || len(r.Verdict.Warnings) > 0
}

// Failed counts FAIL and ERROR: what makes a run not conformant.
func (r Run) Failed() int { return r.Totals[verdict.Fail] + r.Totals[verdict.Error] }

// TotalsLine is the one-line count every human-readable format prints; each result is counted
// once, so the numbers add up to the results shown.
func (r Run) TotalsLine() string {
	return fmt.Sprintf("grantcheck: %d passed, %d failed, %d warned, %d skipped, %d errored",
		r.Totals[verdict.Pass], r.Totals[verdict.Fail], r.Totals[verdict.Warn], r.Totals[verdict.Skip], r.Totals[verdict.Error])
}

// ReproduceCommand is the command line that repeats this run.
func (r Run) ReproduceCommand() string {
	file := r.ConfigFile
	if file == "" {
		file = "<file>"
	}
	cmd := "grantcheck run --config " + file
	if r.Strict {
		cmd += " --strict"
	}
	return cmd
}

// FromGinkgo builds the model from Ginkgo's (merged) report, e.g. in ReportAfterSuite or from a
// report loaded from --json-report. Results follow catalogue order.
func FromGinkgo(r types.Report, meta Meta) Run {
	run := meta.run(r.StartTime, r.EndTime, r.RunTime)
	run.LabelFilter = r.SuiteConfig.LabelFilter
	clean := meta.clean()
	byID := map[string]Result{}
	for _, spec := range r.SpecReports {
		id := entryID(spec)
		if id == "" {
			if spec.State.Is(types.SpecStateFailureStates) {
				run.SuiteErrors = append(run.SuiteErrors, nodeName(spec)+" "+failureText(spec))
			}
			continue
		}
		v, ran := verdictOf(spec, meta.Strict)
		if !ran {
			continue
		}
		if _, dup := byID[id]; dup {
			run.SuiteErrors = append(run.SuiteErrors, fmt.Sprintf("scenario %s reported by more than one spec", id))
			continue
		}
		v.ID = id
		byID[id] = Result{
			ID: id, Verdict: cleanVerdict(v, clean), Duration: spec.RunTime,
			Transcript: excerpt(clean(verdict.TranscriptFromEntries(spec.ReportEntries)), maxTranscript, transcriptTail),
		}
	}
	for _, e := range catalog.Entries() {
		res, ok := byID[e.ID]
		if !ok {
			continue
		}
		delete(byID, e.ID)
		res.describe(e)
		run.Results = append(run.Results, res)
	}
	for _, id := range slices.Sorted(maps.Keys(byID)) {
		run.SuiteErrors = append(run.SuiteErrors, fmt.Sprintf("a spec reported %q, which is not in the catalogue", id))
	}
	run.SuiteErrors = append(run.SuiteErrors, r.SpecialSuiteFailureReasons...)
	for i, e := range run.SuiteErrors {
		run.SuiteErrors[i] = clean(e)
	}
	if len(run.Results) == 0 {
		run.SuiteErrors = append(run.SuiteErrors, "no catalogue scenario reported a result")
	}
	run.tally()
	return run
}

// run is a run's header from meta: the model both FromGinkgo and FromAudit fill.
func (meta Meta) run(started, finished time.Time, took time.Duration) Run {
	return Run{
		Provider: meta.Provider, Issuer: meta.Issuer, Strict: meta.Strict,
		GrantcheckVersion: meta.Version, ConfigFile: meta.ConfigFile,
		Started: started, Finished: finished, Duration: took, Logins: meta.Logins, Catalogue: catalog.Version(),
	}
}

// clean is Meta.Clean, escaping only when it is nil.
func (meta Meta) clean() func(string) string {
	if meta.Clean == nil {
		return safetext.Terminal
	}
	return meta.Clean
}

// cleanVerdict passes the verdict's reason (cut to maxReason) and warnings through clean.
func cleanVerdict(v verdict.Verdict, clean func(string) string) verdict.Verdict {
	v.Reason = excerpt(clean(v.Reason), maxReason, 0)
	for i, w := range v.Warnings {
		v.Warnings[i] = clean(w)
	}
	return v
}

// describe fills the result's catalogue metadata and guidance from its entry.
func (r *Result) describe(e catalog.Entry) {
	r.Title, r.Family, r.Level, r.Refs = e.Title(), e.Scenario.Family, e.Scenario.Level, e.Scenario.Refs
	if g, ok := catalog.GuidanceFor(e.ID); ok {
		r.Why, r.Fix = g.Why, g.Fix
	}
}

// tally fills Totals, Outcome and Findings from Results and SuiteErrors.
func (r *Run) tally() {
	defer r.buildFindings()
	r.Totals = map[verdict.Result]int{}
	for _, kind := range ResultKinds {
		r.Totals[kind] = 0 // every kind appears in the JSON, even at zero
	}
	for _, res := range r.Results {
		r.Totals[res.Verdict.Result]++
	}
	mustUntested, tested := false, false
	for _, res := range r.Results {
		switch res.Verdict.Result {
		case verdict.Error:
			mustUntested = true
		case verdict.Skip:
			mustUntested = mustUntested || (res.Level == catalog.MUST && !res.Verdict.NotApplicable)
		default:
			tested = true
		}
	}
	switch {
	case r.Totals[verdict.Fail] > 0:
		r.Outcome = NotConformant
	case mustUntested || !tested || len(r.SuiteErrors) > 0:
		r.Outcome = Incomplete
	case r.Totals[verdict.Warn] > 0:
		r.Outcome = ConformantWithWarnings
	default:
		r.Outcome = Conformant
	}
}

// entryID is "<scenario>" or "<scenario>/<variant>" from the spec's labels (Ginkgo labels cannot
// hold "/"), falling back to the verdict's own ID; "" for a spec that is not a scenario.
func entryID(spec types.SpecReport) string {
	var id, variant string
	for _, l := range spec.Labels() {
		if v, ok := strings.CutPrefix(l, labelID); ok && !strings.Contains(v, ":") { // not a variant's own id label
			id = v
		} else if v, ok := strings.CutPrefix(l, labelVariant); ok {
			variant = v
		}
	}
	if id == "" {
		v, _ := verdict.FromEntries(spec.ReportEntries)
		return v.ID
	}
	if variant != "" {
		return id + "/" + variant
	}
	return id
}

// verdictOf is the spec's recorded verdict, or one derived from how Ginkgo ended the spec when the
// harness recorded none. ran is false for a spec that never ran (label filter, interrupt, pending).
func verdictOf(spec types.SpecReport, strict bool) (v verdict.Verdict, ran bool) {
	v, recorded := verdict.FromEntries(spec.ReportEntries)
	failed := spec.State.Is(types.SpecStateFailureStates)
	switch {
	case recorded && failed && (v.Result == verdict.Pass || v.Result == verdict.Warn):
		// Something broke after the verdict (e.g. cleanup); the pass is not trustworthy.
		v = verdict.Verdict{Result: verdict.Error, Reason: "recorded " + string(v.Result) + ", then the spec " + failureText(spec)}
	case recorded:
	case failed:
		v = verdict.Verdict{Result: verdict.Error, Reason: "no verdict recorded: the spec " + failureText(spec)}
	case spec.State == types.SpecStateSkipped && spec.Failure.Message != "":
		v = verdict.Verdict{Result: verdict.Skip, Reason: spec.Failure.Message}
	case spec.State == types.SpecStatePassed:
		v = verdict.Verdict{Result: verdict.Error, Reason: "no verdict recorded: the spec passed without one"}
	default:
		return verdict.Verdict{}, false
	}
	if strict && v.Result == verdict.Warn {
		v.Result, v.Reason = verdict.Fail, "WARN under --strict: "+v.Reason
	}
	return v, true
}

// failureText is e.g. "panicked: Test Panicked: runtime error: index out of range".
func failureText(spec types.SpecReport) string {
	text := spec.State.String()
	if spec.State == types.SpecStateTimedout {
		text = "timed out"
	}
	for _, part := range []string{spec.Failure.Message, spec.Failure.ForwardedPanic} {
		if part != "" {
			text += ": " + part
		}
	}
	return text
}

// nodeName names a spec or suite node (BeforeSuite has no text) in a suite error.
func nodeName(spec types.SpecReport) string {
	if text := spec.FullText(); text != "" {
		return fmt.Sprintf("%q", text)
	}
	return spec.LeafNodeType.String()
}
