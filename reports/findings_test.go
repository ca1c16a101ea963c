package reports

import (
	"bytes"
	"slices"
	"strings"
	"testing"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/grantcheck/grantcheck/harness/safetext/rendered"

	"github.com/grantcheck/grantcheck/harness/catalog"
	"github.com/grantcheck/grantcheck/harness/verdict"
)

func failing(id string, cat verdict.Category, sig *verdict.Signature, req *verdict.Request) types.SpecReport {
	return spec(id, types.SpecStateFailed, &verdict.Verdict{ID: id, Result: verdict.Fail, Category: cat,
		Reason: "reason of " + id, Signature: sig, Request: req}, "POST /token")
}

func notJSON(status int, want string) *verdict.Signature {
	return &verdict.Signature{Check: "not-json", Status: status, MediaType: "text/html", Want: want, Accepted: []string{want}}
}

func wrongCode(observed string, accepted ...string) *verdict.Signature {
	return &verdict.Signature{Check: "error", Status: 400, MediaType: "application/json", Error: observed,
		Want: accepted[0], Accepted: accepted}
}

var codeRequest = &verdict.Request{Method: "POST", URL: "https://id.example/token", Basic: "app-a",
	Authorize: "https://id.example/authorize?client_id=app-a&state=$STATE",
	Params:    []verdict.Param{{Name: "grant_type", Value: "authorization_code"}, {Name: "code", Env: "CODE"}}}

var plainRequest = &verdict.Request{Method: "POST", URL: "https://id.example/token", Basic: "app-a",
	Params: []verdict.Param{{Name: "grant_type", Value: "urn:unknown"}}}

func findingsRun() Run {
	return FromGinkgo(types.Report{SpecReports: types.SpecReports{
		spec("baseline-exchange", types.SpecStatePassed, &verdict.Verdict{ID: "baseline-exchange", Result: verdict.Pass}, ""),
		// One defect, HTML error pages, across scenarios with other statuses and wanted codes.
		failing("code-reuse", verdict.Format, notJSON(400, "invalid_grant"), codeRequest),
		failing("client-unknown", verdict.Format, notJSON(401, "invalid_client"), codeRequest),
		failing("grant-type-missing", verdict.Format, notJSON(400, "invalid_request"), plainRequest),
		// One defect, an unsupported grant answered invalid_request, in two scenarios whose
		// accepted codes differ but share unsupported_grant_type.
		failing("grant-type-unsupported", verdict.ErrorCode, wrongCode("invalid_request", "unsupported_grant_type"), plainRequest),
		failing("grant-type-not-allowed/password", verdict.ErrorCode,
			wrongCode("invalid_request", "unauthorized_client", "unsupported_grant_type"), plainRequest),
		// The same observed code where another code is due is another defect.
		failing("code-unknown", verdict.ErrorCode, wrongCode("invalid_request", "invalid_grant"), codeRequest),
		// Accepted requests: one finding per scenario, variants together.
		failing("redirect-uri-mismatch/port", verdict.Security, &verdict.Signature{Check: "accepted", Status: 200}, codeRequest),
		failing("redirect-uri-mismatch/scheme", verdict.Security, &verdict.Signature{Check: "accepted", Status: 200}, codeRequest),
		failing("code-expired", verdict.Security, &verdict.Signature{Check: "accepted", Status: 200}, codeRequest),
		spec("code-reuse-revokes", types.SpecStatePassed, &verdict.Verdict{ID: "code-reuse-revokes", Result: verdict.Warn,
			Reason: "the first access token still works"}, ""),
		spec("cross-client-code", types.SpecStateFailed, &verdict.Verdict{ID: "cross-client-code", Result: verdict.Error,
			Reason: "login failed"}, ""),
		spec("cross-client-code-public", types.SpecStateFailed, &verdict.Verdict{ID: "cross-client-code-public", Result: verdict.Error,
			Reason: "login failed"}, ""),
	}}, Meta{Provider: "example"})
}

func TestFindingsGroupByObservedAnswer(t *testing.T) {
	run := findingsRun()
	type want struct {
		kind      Kind
		title     string
		scenarios []string
	}
	wants := []want{
		{KindSecurity, "accepted where a rejection is due: redirect_uri at the token endpoint must equal the one sent to the authorization endpoint",
			[]string{"redirect-uri-mismatch/port", "redirect-uri-mismatch/scheme"}},
		{KindSecurity, "accepted where a rejection is due: an authorization code is rejected after its lifetime", []string{"code-expired"}},
		{KindErrorCode, "error is invalid_request where unsupported_grant_type is due",
			[]string{"grant-type-unsupported", "grant-type-not-allowed/password"}},
		{KindErrorCode, "error is invalid_request where invalid_grant is due", []string{"code-unknown"}},
		{KindFormat, "error responses are text/html, not a JSON object", []string{"code-reuse", "client-unknown", "grant-type-missing"}},
		{KindWarning, "tokens issued from a code are revoked when the code is presented again: the first access token still works",
			[]string{"code-reuse-revokes"}},
		{KindError, "could not test: login failed", []string{"cross-client-code", "cross-client-code-public"}},
	}
	if len(run.Findings) != len(wants) {
		for _, f := range run.Findings {
			t.Logf("%s %s %q %v", f.ID, f.Kind, f.Title, f.Scenarios)
		}
		t.Fatalf("%d findings, want %d", len(run.Findings), len(wants))
	}
	for i, w := range wants {
		f := run.Findings[i]
		if f.Kind != w.kind || f.Title != w.title || !slices.Equal(f.Scenarios, w.scenarios) {
			t.Errorf("finding %d = %s %q %v, want %s %q %v", i+1, f.Kind, f.Title, f.Scenarios, w.kind, w.title, w.scenarios)
		}
		if f.Why == "" || f.Fix == "" || len(f.Refs) == 0 {
			t.Errorf("%s %q lacks why, fix or references", f.ID, f.Title)
		}
		for _, id := range f.Scenarios {
			if res, _ := run.Result(id); res.Finding != f.ID {
				t.Errorf("%s belongs to %q, want %s", id, res.Finding, f.ID)
			}
		}
	}
	format := run.Findings[4]
	// The answer's rule, not the union of every scenario's references; the easiest request to
	// replay (no code to obtain) is the reproduction.
	if format.Refs.String() != "RFC 6749 §5.2" || format.Exposed != "grant-type-missing" ||
		!strings.Contains(format.Reproduce, "urn:unknown") || strings.Contains(format.Reproduce, "authorize") {
		t.Errorf("format finding refs %q, exposed by %s, reproduce:\n%s", format.Refs, format.Exposed, format.Reproduce)
	}
	if !strings.Contains(run.Findings[0].Reproduce, `read -r -p 'code: ' CODE`) {
		t.Errorf("a code redemption is reproduced without the way to a fresh code:\n%s", run.Findings[0].Reproduce)
	}
	if run.FailingScenarios() <= len(run.Findings)-1 {
		t.Errorf("%d failing scenarios, %d findings", run.FailingScenarios(), len(run.Findings))
	}
}

func TestFindingsAreInEveryWriter(t *testing.T) {
	run := findingsRun()
	writers := map[string]func(*bytes.Buffer) error{
		"json":     func(b *bytes.Buffer) error { return WriteJSON(b, run) },
		"junit":    func(b *bytes.Buffer) error { return WriteJUnit(b, run) },
		"markdown": func(b *bytes.Buffer) error { return WriteMarkdown(b, run) },
		"summary":  func(b *bytes.Buffer) error { return WriteMarkdownSummary(b, run) },
		"html":     func(b *bytes.Buffer) error { return WriteHTML(b, run) },
		"console":  func(b *bytes.Buffer) error { return WriteSummary(b, run) },
		"github":   func(b *bytes.Buffer) error { return WriteGitHubAnnotations(b, run) },
	}
	for name, write := range writers {
		var b bytes.Buffer
		if err := write(&b); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		out := strings.NewReplacer("%2C", ",", "%3A", ":").Replace(b.String())
		if name == "markdown" || name == "summary" { // what a reader sees
			page, err := rendered.Render(out)
			if err != nil {
				t.Fatal(err)
			}
			out = page.Text()
		}
		for _, want := range []string{"text/html, not a JSON object", "invalid_request where unsupported_grant_type is due"} {
			if !strings.Contains(out, want) {
				t.Errorf("%s lacks the finding %q", name, want)
			}
		}
		if name != "github" && name != "console" && !strings.Contains(strings.ReplaceAll(out, "&#39;", "'"), mustGuidanceText("not-json")) {
			t.Errorf("%s lacks the why of the format finding", name)
		}
	}
}

func TestGitHubAnnotations(t *testing.T) {
	var b bytes.Buffer
	if err := WriteGitHubAnnotations(&b, findingsRun()); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	if len(lines) != len(findingsRun().Findings) {
		t.Fatalf("%d annotation lines for %d findings:\n%s", len(lines), len(findingsRun().Findings), b.String())
	}
	for _, l := range lines {
		level, rest, ok := strings.Cut(strings.TrimPrefix(l, "::"), " title=")
		title, _, ok2 := strings.Cut(rest, "::")
		if !ok || !ok2 || (level != "error" && level != "warning") || strings.ContainsAny(title, ":,") {
			t.Errorf("not a workflow command with an escaped title: %q", l)
		}
	}
	if !strings.HasPrefix(lines[5], "::warning title=grantcheck F6 WARN") {
		t.Errorf("the WARN finding is %q, want a ::warning", lines[5])
	}
}

func mustGuidanceText(check string) string {
	g, _ := catalog.AnswerGuidance(check)
	return g.Why[:40]
}

// The fix follows what was observed (issue 14 item 15): a redirect_uri mismatch refused with the
// wrong error needs "answer invalid_grant", not the scenario's "compare exactly"; accepted, it
// needs the comparison.
func TestFixFollowsTheObservedAnswer(t *testing.T) {
	run := FromGinkgo(types.Report{SpecReports: types.SpecReports{
		failing("redirect-uri-mismatch/port", verdict.ErrorCode, wrongCode("invalid_request", "invalid_grant"), codeRequest),
		failing("redirect-uri-mismatch/scheme", verdict.Security, &verdict.Signature{Check: "accepted", Status: 200}, codeRequest),
	}}, Meta{Provider: "example"})
	scenarioFix, _ := catalog.GuidanceFor("redirect-uri-mismatch")
	for _, f := range run.Findings {
		switch f.Kind {
		case KindErrorCode:
			if !strings.Contains(f.Fix, "answer invalid_grant instead of invalid_request") || f.Fix == scenarioFix.Fix {
				t.Errorf("wrong-code finding's fix: %q", f.Fix)
			}
		case KindSecurity:
			if f.Fix != scenarioFix.Fix {
				t.Errorf("accepted finding's fix is %q, want the scenario's", f.Fix)
			}
		}
	}
	if len(run.Findings) != 2 {
		t.Errorf("%d findings, want 2", len(run.Findings))
	}
}

// One root cause, one finding (issue 14 item 14): accepted requests that share one missing check,
// as the catalogue declares (catalog.Check), are one finding listing the scenarios; a check shown
// missing by one scenario alone keeps that scenario's own finding.
func TestAcceptancesOfOneCheckAreOneFinding(t *testing.T) {
	accepted := &verdict.Signature{Check: "accepted", Status: 200}
	pkce := []string{"pkce-verifier-mismatch", "pkce-verifier-missing", "pkce-downgrade", "pkce-challenge-as-verifier", "request-empty-param"}
	var specs types.SpecReports
	for _, id := range pkce {
		specs = append(specs, failing(id, verdict.Security, accepted, codeRequest))
	}
	specs = append(specs,
		failing("cross-client-code", verdict.Security, accepted, codeRequest),
		failing("redirect-uri-mismatch/port", verdict.Security, accepted, codeRequest),
		failing("redirect-uri-mismatch/scheme", verdict.Security, accepted, codeRequest))
	run := FromGinkgo(types.Report{SpecReports: specs}, Meta{Provider: "example"})
	if len(run.Findings) != 3 {
		t.Fatalf("%d findings, want 3 (the PKCE check, cross-client-code, redirect-uri-mismatch): %+v", len(run.Findings), run.Findings)
	}
	f := run.Findings[0]
	if f.Title != catalog.CheckPKCEVerifier.Title || f.Fix != catalog.CheckPKCEVerifier.Fix || !slices.Equal(f.Scenarios, pkce) {
		t.Errorf("the PKCE finding is %q %v, fix %q", f.Title, f.Scenarios, f.Fix)
	}
	for _, f := range run.Findings[1:] {
		if strings.Contains(f.Title, catalog.CheckCodeClient.Title) {
			t.Errorf("one scenario of a shared check keeps its own finding, got %q", f.Title)
		}
	}
}
