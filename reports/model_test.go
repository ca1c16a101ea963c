package reports

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/grantcheck/grantcheck/harness/verdict"
)

var started = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

const scriptTranscript = "POST /token HTTP/1.1\n\nHTTP/1.1 200 OK\n\n{\"access_token\":\"<script>alert(1)</script>\"}"

// spec builds a scenario spec report the way the harness labels it.
func spec(id string, state types.SpecState, v *verdict.Verdict, transcript string) types.SpecReport {
	scenario, variant, _ := strings.Cut(id, "/")
	s := types.SpecReport{
		LeafNodeType:   types.NodeTypeIt,
		LeafNodeText:   id,
		LeafNodeLabels: []string{"id:" + scenario, "family:test", "level:MUST"},
		State:          state,
		RunTime:        250 * time.Millisecond,
	}
	if variant != "" {
		s.LeafNodeLabels = append(s.LeafNodeLabels, "variant:"+variant)
	}
	if v != nil {
		s.ReportEntries = append(s.ReportEntries, types.ReportEntry{Name: verdict.EntryVerdict, Value: types.WrapEntryValue(*v)})
	}
	if transcript != "" {
		s.ReportEntries = append(s.ReportEntries, types.ReportEntry{Name: verdict.EntryTranscript, Value: types.WrapEntryValue(transcript)})
	}
	return s
}

func failed(s types.SpecReport, f types.Failure) types.SpecReport {
	s.Failure = f
	return s
}

// sampleReport has one spec of every kind, in an order unlike the catalogue's.
func sampleReport() types.Report {
	// The id label may sit on a container (DescribeTable), not the leaf.
	variant := spec("redirect-uri-mismatch/port", types.SpecStateFailed,
		&verdict.Verdict{ID: "redirect-uri-mismatch/port", Result: verdict.Fail, Category: verdict.Security,
			Reason: "tokens were issued for a redirect_uri with another port\nstatus 200"}, scriptTranscript)
	variant.ContainerHierarchyLabels = [][]string{{"id:redirect-uri-mismatch"}}
	variant.LeafNodeLabels = []string{"variant:port"}

	return types.Report{
		StartTime: started, EndTime: started.Add(3 * time.Second), RunTime: 3 * time.Second,
		SuiteSucceeded: false,
		SpecReports: types.SpecReports{
			spec("cross-client-code", types.SpecStatePanicked, nil, "GET /authorize"),
			variant,
			spec("code-reuse-revokes", types.SpecStatePassed,
				&verdict.Verdict{ID: "code-reuse-revokes", Result: verdict.Warn, Reason: "the first access token still works"}, "GET /userinfo"),
			failed(spec("client-secret-wrong-post", types.SpecStateSkipped, nil, ""),
				types.Failure{Message: "needs the secondary client role"}),
			spec("code-expired", types.SpecStateSkipped,
				&verdict.Verdict{ID: "code-expired", Result: verdict.Skip, Reason: "provider.code_ttl is not set"}, ""),
			spec("pkce-downgrade", types.SpecStateSkipped, nil, ""), // filtered out: never ran
			spec("code-reuse", types.SpecStatePassed,
				&verdict.Verdict{ID: "code-reuse", Result: verdict.Pass}, "POST /token (twice)"),
			failed(spec("grant-type-missing", types.SpecStateTimedout, nil, ""),
				types.Failure{Message: "A spec timeout occurred"}),
			spec("baseline-exchange", types.SpecStatePassed,
				&verdict.Verdict{ID: "baseline-exchange", Result: verdict.Pass, Warnings: []string{"Pragma: no-cache is missing"}}, "POST /token"),
		},
	}
}

func sampleReportPanicked(r types.Report) types.Report {
	r.SpecReports[0].Failure = types.Failure{Message: "Test Panicked", ForwardedPanic: "boom"}
	return r
}

var sampleMeta = Meta{Provider: "example", Issuer: "https://id.example.com", Version: "v0.1.0", ConfigFile: "example.yaml"}

func sampleRun() Run { return FromGinkgo(sampleReportPanicked(sampleReport()), sampleMeta) }

func TestFromGinkgoResultsInCatalogueOrder(t *testing.T) {
	run := sampleRun()
	want := []struct {
		id     string
		result verdict.Result
		reason string
	}{
		{"baseline-exchange", verdict.Pass, ""},
		{"code-reuse", verdict.Pass, ""},
		{"code-reuse-revokes", verdict.Warn, "the first access token still works"},
		{"code-expired", verdict.Skip, "provider.code_ttl is not set"},
		{"redirect-uri-mismatch/port", verdict.Fail, "tokens were issued for a redirect_uri with another port\nstatus 200"},
		{"client-secret-wrong-post", verdict.Skip, "needs the secondary client role"},
		{"grant-type-missing", verdict.Error, "no verdict recorded: the spec timed out: A spec timeout occurred"},
		{"cross-client-code", verdict.Error, "no verdict recorded: the spec panicked: Test Panicked: boom"},
	}
	if len(run.Results) != len(want) {
		t.Fatalf("got %d results, want %d: %+v", len(run.Results), len(want), run.Results)
	}
	for i, w := range want {
		got := run.Results[i]
		if got.ID != w.id || got.Verdict.ID != w.id || got.Verdict.Result != w.result || got.Verdict.Reason != w.reason {
			t.Errorf("result %d = %s %s %q, want %s %s %q", i, got.ID, got.Verdict.Result, got.Verdict.Reason, w.id, w.result, w.reason)
		}
	}
}

func TestFromGinkgoTakesMetadataFromCatalogue(t *testing.T) {
	run := sampleRun()
	port := run.Results[4]
	if port.Title != "redirect_uri at the token endpoint must equal the one sent to the authorization endpoint: an explicit other port" ||
		port.Family != "redirect-uri" || port.Level != "MUST" || port.Refs.String() != "RFC 6749 §4.1.3, RFC 9700 §2.1" {
		t.Errorf("metadata = %q %q %q %q", port.Title, port.Family, port.Level, port.Refs.String())
	}
	if port.Transcript != scriptTranscript || port.Duration != 250*time.Millisecond {
		t.Errorf("transcript %q, duration %v", port.Transcript, port.Duration)
	}
	if run.Provider != "example" || run.GrantcheckVersion != "v0.1.0" || !run.Started.Equal(started) || run.Duration != 3*time.Second {
		t.Errorf("run metadata = %+v", run)
	}
}

func TestTotalsAndOutcome(t *testing.T) {
	run := sampleRun()
	want := map[verdict.Result]int{verdict.Pass: 2, verdict.Fail: 1, verdict.Warn: 1, verdict.Skip: 2, verdict.Error: 2}
	if !reflect.DeepEqual(run.Totals, want) {
		t.Errorf("totals = %v, want %v", run.Totals, want)
	}
	if run.Outcome != NotConformant || len(run.SuiteErrors) != 0 {
		t.Errorf("outcome %q, suite errors %q", run.Outcome, run.SuiteErrors)
	}
	if got := run.TotalsLine(); got != "grantcheck: 2 passed, 1 failed, 1 warned, 2 skipped, 2 errored" {
		t.Errorf("totals line = %q", got)
	}

	pass := func(id string) types.SpecReport {
		return spec(id, types.SpecStatePassed, &verdict.Verdict{ID: id, Result: verdict.Pass}, "")
	}
	with := func(id string, res verdict.Result) types.SpecReport {
		return spec(id, types.SpecStatePassed, &verdict.Verdict{ID: id, Result: res, Reason: "r"}, "")
	}
	cases := []struct {
		name   string
		specs  types.SpecReports
		strict bool
		want   Outcome
	}{
		{"all passed", types.SpecReports{pass("code-reuse"), pass("code-reuse-revokes")}, false, Conformant},
		{"a WARN", types.SpecReports{pass("code-reuse"), with("code-reuse-revokes", verdict.Warn)}, false, ConformantWithWarnings},
		{"a WARN under --strict", types.SpecReports{pass("code-reuse"), with("code-reuse-revokes", verdict.Warn)}, true, NotConformant},
		{"a SHOULD skipped", types.SpecReports{pass("code-reuse"), with("code-reuse-revokes", verdict.Skip)}, false, Conformant},
		{"a MUST skipped", types.SpecReports{pass("code-reuse-revokes"), with("code-reuse", verdict.Skip)}, false, Incomplete},
		{"a MUST that does not apply", types.SpecReports{pass("code-reuse-revokes"), spec("pkce-downgrade", types.SpecStatePassed,
			&verdict.Verdict{ID: "pkce-downgrade", Result: verdict.Skip, Reason: "does not apply: r", NotApplicable: true}, "")}, false, Conformant},
		{"a scenario errored", types.SpecReports{pass("code-reuse"), with("code-reuse-revokes", verdict.Error)}, false, Incomplete},
		{"only skips: nothing tested", types.SpecReports{with("code-reuse-revokes", verdict.Skip)}, false, Incomplete},
		{"a FAIL outranks an ERROR", types.SpecReports{with("code-reuse", verdict.Fail), with("code-unknown", verdict.Error)}, false, NotConformant},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			run := FromGinkgo(types.Report{SpecReports: c.specs}, Meta{Strict: c.strict})
			if run.Outcome != c.want || run.Outcome.Passed() != (c.want == Conformant || c.want == ConformantWithWarnings) {
				t.Errorf("outcome = %q, want %q", run.Outcome, c.want)
			}
		})
	}
}

func TestPassRecordedBeforeSpecFailedIsError(t *testing.T) {
	s := failed(spec("code-reuse", types.SpecStateFailed, &verdict.Verdict{ID: "code-reuse", Result: verdict.Pass}, ""),
		types.Failure{Message: "cleanup failed"})
	run := FromGinkgo(types.Report{SpecReports: types.SpecReports{s}}, Meta{})
	if v := run.Results[0].Verdict; v.Result != verdict.Error || !strings.Contains(v.Reason, "cleanup failed") {
		t.Errorf("verdict = %+v, want ERROR naming the failure", v)
	}
}

func TestSuiteErrorsMakeRunIncomplete(t *testing.T) {
	beforeSuite := types.SpecReport{LeafNodeType: types.NodeTypeSynchronizedBeforeSuite, State: types.SpecStateFailed,
		Failure: types.Failure{Message: "discovery: connection refused"}}
	run := FromGinkgo(types.Report{SpecReports: types.SpecReports{beforeSuite},
		SpecialSuiteFailureReasons: []string{"Interrupted by User"}}, Meta{})
	want := []string{
		"SynchronizedBeforeSuite failed: discovery: connection refused",
		"Interrupted by User",
		"no catalogue scenario reported a result",
	}
	if !reflect.DeepEqual(run.SuiteErrors, want) || run.Outcome != Incomplete {
		t.Errorf("suite errors = %q, outcome %q", run.SuiteErrors, run.Outcome)
	}

	unknown := FromGinkgo(types.Report{SpecReports: types.SpecReports{
		spec("code-reuse", types.SpecStatePassed, &verdict.Verdict{ID: "code-reuse", Result: verdict.Pass}, ""),
		spec("no-such-scenario", types.SpecStatePassed, &verdict.Verdict{ID: "no-such-scenario", Result: verdict.Pass}, ""),
	}}, Meta{})
	if len(unknown.Results) != 1 || len(unknown.SuiteErrors) != 1 || !strings.Contains(unknown.SuiteErrors[0], "no-such-scenario") {
		t.Errorf("unknown ID: results %v, suite errors %q", unknown.Results, unknown.SuiteErrors)
	}
}

// A report loaded from ginkgo --json-report carries entry values only as JSON.
func TestFromGinkgoJSONReportMatchesInProcess(t *testing.T) {
	report := sampleReportPanicked(sampleReport())
	data, err := json.Marshal(report)
	if err != nil {
		t.Fatal(err)
	}
	var loaded types.Report
	if err := json.Unmarshal(data, &loaded); err != nil {
		t.Fatal(err)
	}
	if _, raw := loaded.SpecReports[1].ReportEntries[0].Value.GetRawValue().(verdict.Verdict); raw {
		t.Fatal("loaded report still holds the raw verdict; the JSON path is not exercised")
	}
	if got, want := FromGinkgo(loaded, sampleMeta), FromGinkgo(report, sampleMeta); !reflect.DeepEqual(got, want) {
		t.Errorf("from JSON:\n%+v\nin process:\n%+v", got, want)
	}
}
