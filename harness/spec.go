package harness

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/onsi/ginkgo/v2"
	"github.com/onsi/gomega"

	"github.com/grantcheck/grantcheck/harness/catalog"
	"github.com/grantcheck/grantcheck/harness/config"
	"github.com/grantcheck/grantcheck/harness/transcript"
	"github.com/grantcheck/grantcheck/harness/verdict"
)

// Applies decides from the configuration and discovery alone whether a scenario applies here:
// the reason it does not ("" when it does). It is asked before any control's failure is, so what
// does not apply is SKIP "does not apply" even when the role's control failed (DESIGN.md: decided
// before, and independent of, any control).
type Applies func(p *Provider) string

// It registers a scenario as a spec: labels from the catalogue, needs checked, a verdict and the
// redacted transcript attached. An Applies among the decorators is the scenario's applicability.
func It(sc catalog.Scenario, body func(r *Run), decorators ...any) bool {
	e := catalog.Entry{ID: sc.ID, Scenario: sc}
	var applies []Applies
	// Offset(1): Ginkgo reports the suite file's line, not this wrapper's.
	args := []any{ginkgo.Label(Labels(e)...), ginkgo.Offset(1)}
	for _, d := range decorators {
		if a, ok := d.(Applies); ok {
			applies = append(applies, a)
			continue
		}
		args = append(args, d)
	}
	args = append(args, func(ctx ginkgo.SpecContext) { runEntry(ctx, e, body, applies...) })
	return ginkgo.It(specText(e), args...)
}

// Table registers every variant of a scenario as one DescribeTable. cases must hold exactly the
// catalogue's variants: the catalogue, not the suite, says which variants exist. applies, when
// given, decides each variant's applicability from the configuration and discovery (see Applies).
func Table[T any](sc catalog.Scenario, body func(r *Run, arg T), cases map[string]T, applies ...func(p *Provider, arg T) string) bool {
	if len(cases) != len(sc.Variants) {
		panic(fmt.Sprintf("suite bug: %s has %d variants in the catalogue and %d cases", sc.ID, len(sc.Variants), len(cases)))
	}
	var entries []any
	for i := range sc.Variants {
		v := sc.Variants[i]
		arg, ok := cases[v.Name]
		if !ok {
			panic(fmt.Sprintf("suite bug: %s has no case for variant %q", sc.ID, v.Name))
		}
		e := catalog.Entry{ID: sc.VariantID(v.Name), Scenario: sc, Variant: &v}
		entries = append(entries, ginkgo.Entry(specText(e), e, arg, ginkgo.Label(Labels(e)...), ginkgo.Offset(1)))
	}
	args := append([]any{func(ctx ginkgo.SpecContext, e catalog.Entry, arg T) {
		var as []Applies
		for _, a := range applies {
			as = append(as, func(p *Provider) string { return a(p, arg) })
		}
		runEntry(ctx, e, func(r *Run) { body(r, arg) }, as...)
	}}, entries...)
	return ginkgo.DescribeTable(sc.Title, append(args, ginkgo.Offset(1))...)
}

func specText(e catalog.Entry) string { return "[" + e.ID + "] " + e.Title() }

// Labels are the entry's Ginkgo labels: id, family, level and, for a variant, variant and the
// variant's own ID. Ginkgo labels cannot hold "/", so a variant's ID is labelled with ":" in its
// place (id:grant-type-not-allowed:password); LabelFilter turns the "/" form into that one.
func Labels(e catalog.Entry) []string {
	l := []string{labelID + e.Scenario.ID, "family:" + e.Scenario.Family, "level:" + string(e.Scenario.Level)}
	if e.Variant != nil {
		l = append(l, "variant:"+e.Variant.Name, labelID+e.Scenario.ID+":"+e.Variant.Name)
	}
	return l
}

const labelID = "id:"

// variantIDInFilter is an id: label naming a variant by its ID, with the "/" Ginkgo would read as
// the start of a regular expression ("Found two adjacent labels").
var variantIDInFilter = regexp.MustCompile(`\b(id:\s*[a-z0-9-]+)/([A-Za-z0-9_.-]+)`)

// LabelFilter rewrites a label filter so every catalogue ID can be written as it is reported:
// id:grant-type-not-allowed/password becomes id:grant-type-not-allowed:password, the variant's
// label. A "/" right after an id: label is never valid Ginkgo syntax, so nothing valid changes.
func LabelFilter(expr string) string { return variantIDInFilter.ReplaceAllString(expr, "$1:$2") }

// needReason says why a need is not met (a SKIP), or "" when it is.
func needReason(p *Provider, n catalog.Need) string {
	if role := n.Role(); role != "" {
		if p.Config.Clients.Get(config.Role(role)) == nil {
			return fmt.Sprintf("needs the %s client role (clients.%s is not configured)", role, role)
		}
	}
	switch n {
	case catalog.CodeTTL:
		if p.Config.Provider.CodeTTL == 0 {
			return "needs the provider's code lifetime (provider.code_ttl is not configured)"
		}
	}
	return ""
}

// categoryTag is how a failure names its category; " MUST" (oauth.MustTag) marks a finding that
// breaks a MUST whatever the scenario's level, e.g. a malformed error response in a SHOULD scenario.
// controlFailure is the failed control of a role the needs rely on, or nil.
//
// files are what the failed control saved (a screenshot of the login page it stopped on), which
// the scenario's verdict links.
func controlFailure(p *Provider, needs []catalog.Need) (files []verdict.File, err error) {
	for _, n := range needs {
		if n.IsControl() {
			role := config.Role(n.Role())
			if err := p.ControlErr(role); err != nil {
				return p.controlFilesOf(role), err
			}
		}
	}
	return nil, nil
}

var categoryTag = regexp.MustCompile(`^\[(security|error-code|format)( MUST)?\] `)

func runEntry(ctx ginkgo.SpecContext, e catalog.Entry, body func(r *Run), applies ...Applies) {
	p := Current()
	if p == nil {
		ginkgo.Fail("[error] no provider: the suite setup did not run")
	}
	variant := ""
	if e.Variant != nil {
		variant = e.Variant.Name
	}
	needs := e.Scenario.NeedsFor(variant)
	for _, n := range needs {
		if why := needReason(p, n); why != "" {
			skip(e, why)
		}
	}
	for _, a := range applies {
		if why := a(p); why != "" {
			notApplicable(e, why)
		}
	}
	if files, err := controlFailure(p, needs); err != nil {
		v := verdict.Verdict{ID: e.ID, Result: verdict.Error, Reason: err.Error(), Files: files} // cleaned in Control
		ginkgo.AddReportEntry(verdict.EntryVerdict, v, ginkgo.ReportEntryVisibilityNever)
		ginkgo.Fail("ERROR: " + v.Reason)
	}
	v, log := judge(ctx, p, e, false, body)
	// Bounded as the reports bound it: Ginkgo's files keep each entry, some of them twice.
	defer ginkgo.AddReportEntry(verdict.EntryTranscript, verdict.Transcript(transcript.ExcerptEnds(log, transcript.KeptTranscript, transcript.KeptTranscriptTail)),
		ginkgo.ReportEntryVisibilityFailureOrVerbose)
	switch {
	case v.Result == verdict.Skip && v.NotApplicable:
		ginkgo.AddReportEntry(verdict.EntryVerdict, v, ginkgo.ReportEntryVisibilityNever)
		ginkgo.Skip(v.Reason)
	case v.Result == verdict.Skip:
		skip(e, v.Reason)
	}
	ginkgo.AddReportEntry(verdict.EntryVerdict, v, ginkgo.ReportEntryVisibilityNever)
	switch v.Result {
	case verdict.Fail, verdict.Error:
		ginkgo.Fail(string(v.Result) + " " + v.String() + ": " + v.Reason)
	case verdict.Warn:
		ginkgo.AddReportEntry("WARN", v.Reason)
	}
}

// judge runs one entry's body and turns how it ended into the verdict, with the redacted transcript:
// the one path from a scenario body to a verdict, for the Ginkgo specs (gomega's global failure
// handler, one spec at a time) and for the audit (own: a Gomega of the run's own, so clients can be
// judged at once).
func judge(ctx context.Context, p *Provider, e catalog.Entry, own bool, body func(r *Run)) (verdict.Verdict, string) {
	limit := scenarioTimeout(p, e)
	// The cause names the setting: "context deadline exceeded" tells a user nothing.
	runCtx, cancel := context.WithTimeoutCause(ctx, limit, fmt.Errorf("timeouts.scenario (%s, with any code wait) ran out", limit))
	defer cancel()
	r := newRun(runCtx, p, e)
	var stop signal
	var failure error
	if own {
		r.ownLogin = true
		r.g = gomega.NewGomega(func(message string, _ ...int) { panic(failSignal(message)) })
		stop = catchSignal(func() { body(r) })
		if f, ok := stop.(failSignal); ok {
			failure, stop = errors.New(string(f)), nil
		}
	} else {
		failure = gomega.InterceptGomegaFailure(func() { stop = catchSignal(func() { body(r) }) })
	}
	switch s := stop.(type) {
	case skipSignal:
		return verdict.Verdict{ID: e.ID, Result: verdict.Skip, Reason: string(s)}, r.Log.String()
	case notApplicableSignal:
		return verdict.Verdict{ID: e.ID, Result: verdict.Skip, Reason: "does not apply: " + string(s), NotApplicable: true}, r.Log.String()
	}
	v := classify(e, failure, r.warnings())
	r.attachEvidence(&v)
	if a, ok := stop.(abortSignal); ok {
		v = verdict.Verdict{ID: e.ID, Result: verdict.Error, Reason: string(a)}
	}
	if v.Result == verdict.Pass && v.Reason == "" {
		v.Reason = r.passReason
	}
	v.Files = r.Log.Files()
	// The one place every reason passes on its way to console and reports: matcher messages
	// quote the provider's bytes, abort reasons its errors.
	v.Reason = transcript.Excerpt(p.redactor.Clean(v.Reason), transcript.ShownReason)
	for i, w := range v.Warnings {
		v.Warnings[i] = p.redactor.Clean(w)
	}
	return v, r.Log.String()
}

// expect is the run's assertion: its own Gomega when judged by the audit, else the global one
// Ginkgo intercepts.
func (r *Run) expect(actual any) gomega.Assertion {
	if r.g != nil {
		return r.g.Expect(actual)
	}
	return gomega.ExpectWithOffset(2, actual)
}

// Passed records what a PASS observed (every round of a race), kept as its reason like a FAIL's.
func (r *Run) Passed(observed string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.passReason = observed
}

// Skip ends the scenario as SKIP with a reason the reports show.
func (r *Run) Skip(reason string) { panic(skipSignal(reason)) }

// NotApplicable ends the scenario as SKIP because it does not apply here (the configuration allows
// what it tests, the provider offers no such feature, it stops the attack before this point): unlike
// Skip, the run is not left incomplete by it.
func (r *Run) NotApplicable(reason string) { panic(notApplicableSignal(reason)) }

// signal is how Skip, NotApplicable and Abort leave a scenario body early.
type signal interface{ isSignal() }

type skipSignal string

type notApplicableSignal string

func (notApplicableSignal) isSignal() {}

type abortSignal string

// failSignal is a failed assertion of a run with its own Gomega.
type failSignal string

func (failSignal) isSignal() {}

func (skipSignal) isSignal()  {}
func (abortSignal) isSignal() {}

func catchSignal(f func()) (stop signal) {
	defer func() {
		if rec := recover(); rec != nil {
			s, ok := rec.(signal)
			if !ok {
				panic(rec)
			}
			stop = s
		}
	}()
	f()
	return nil
}

func notApplicable(e catalog.Entry, why string) {
	ginkgo.AddReportEntry(verdict.EntryVerdict, verdict.Verdict{ID: e.ID, Result: verdict.Skip,
		Reason: "does not apply: " + why, NotApplicable: true}, ginkgo.ReportEntryVisibilityNever)
	ginkgo.Skip("does not apply: " + why)
}

func skip(e catalog.Entry, why string) {
	ginkgo.AddReportEntry(verdict.EntryVerdict, verdict.Verdict{ID: e.ID, Result: verdict.Skip, Reason: why},
		ginkgo.ReportEntryVisibilityNever)
	ginkgo.Skip(why)
}

// classify turns the first failure into the verdict: its tag gives the category. A broken SHOULD
// is WARN unless strict; a finding tagged MUST (the form of an error response, RFC 6749 §5.2) is
// FAIL in every scenario, so a SHOULD scenario never softens a broken MUST. Without a failure, a
// SHOULD-level detail the matchers noted (CR/LF in error_description, Pragma missing) makes the
// result WARN too, so it is seen, not buried in a PASS.
func classify(e catalog.Entry, failure error, warnings []string) verdict.Verdict {
	v := verdict.Verdict{ID: e.ID, Result: verdict.Pass, Warnings: warnings}
	if failure == nil {
		if len(warnings) > 0 {
			v.Result, v.Reason = verdict.Warn, strings.Join(warnings, "; ")
			if strict {
				v.Result, v.Category = verdict.Fail, verdict.Format
			}
		}
		return v
	}
	msg := withoutMatcherDump(failure.Error())
	tag, must := "error-code", false // an untagged assertion is a broken requirement of the scenario
	if m := categoryTag.FindStringSubmatch(msg); m != nil {
		tag, must = m[1], m[2] != ""
		msg = strings.TrimPrefix(msg, m[0])
	}
	v.Reason = msg
	switch {
	case e.Scenario.Level == catalog.SHOULD && !must && !strict:
		v.Result = verdict.Warn
	default:
		v.Result, v.Category = verdict.Fail, verdict.Category(tag)
	}
	return v
}

// gomegaDump is where a plain Gomega matcher's message starts ("Expected\n    <[]string | len:1>:
// …\nto be empty"), after the description the assertion gave, if any.
var gomegaDump = regexp.MustCompile(`(?m)^Expected\n\s+<`)

// withoutMatcherDump keeps a failure's sentence and drops a Gomega matcher's dump of Go values
// (STYLE.md 13: a reason is a sentence a person reads). Scenarios say why with Run.Fail or the
// oauth matchers; this is the net under an assertion that slipped through.
func withoutMatcherDump(msg string) string {
	loc := gomegaDump.FindStringIndex(msg)
	if loc == nil {
		return msg
	}
	if head := strings.TrimSpace(msg[:loc[0]]); head != "" {
		return head
	}
	return "a check of the scenario failed without saying why in words (a grantcheck bug: please report it with the transcript)"
}

// scenarioTimeout is timeouts.scenario, plus the code lifetime for a scenario that must wait it
// out: a provider with ten-minute codes should not need a ten-minute scenario budget everywhere.
func scenarioTimeout(p *Provider, e catalog.Entry) time.Duration {
	d := p.Config.Timeouts.Scenario.D()
	if slices.Contains(e.Scenario.Needs, catalog.CodeTTL) {
		d += p.Config.Provider.CodeTTL.D() + p.Config.Provider.ExpiryMargin.D()
	}
	return d
}
