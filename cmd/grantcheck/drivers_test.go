package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/grantcheck/grantcheck/fixtures/reference"
	"github.com/grantcheck/grantcheck/harness/authorize/browser"
	"github.com/grantcheck/grantcheck/harness/verdict"
	"github.com/grantcheck/grantcheck/reports"
)

// needBrowser skips without Chromium — except in CI, where a missing browser fails the build
// instead of silently dropping the browser driver's tests (make test installs it).
func needBrowser(t *testing.T) {
	t.Helper()
	_, err := browser.Find("", true)
	if err == nil {
		return
	}
	if os.Getenv("CI") != "" {
		t.Fatalf("CI: %v (`make test` installs it)", err)
	}
	t.Skip(err)
}

// TestBrowserDriverOnJavaScriptLogin: the reference's JavaScript-only login with consent, driven
// by the browser driver from the generated config alone, gives the clean verdicts.
func TestBrowserDriverOnJavaScriptLogin(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the whole suite with a browser")
	}
	needBrowser(t)
	c := runChild(t, "--code-ttl", selfTestTTL, "--login", "js")
	if diff := mismatches(c.run, nil); len(diff) > 0 {
		t.Errorf("the clean reference with --login js and the browser driver must pass every scenario:\n  %s\n%s", strings.Join(diff, "\n  "), c.output)
	}
	t.Logf("browser driver: %s", lastLine(c.output))
}

// TestCommandDriverOnJavaScriptLogin: the same login through its JSON API by the repository's
// Node script, as the command driver runs it, gives the clean verdicts.
func TestCommandDriverOnJavaScriptLogin(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the whole suite")
	}
	cfg := referenceConfig(t, reference.Options{CodeTTL: 2e9, Login: reference.LoginJS, LoginCommand: jsLoginProgram(t)},
		func(yaml []byte) []byte { return yaml })
	c := runChild(t, "--config", cfg)
	if diff := mismatches(c.run, nil); len(diff) > 0 {
		t.Errorf("the clean reference with the command driver must pass every scenario:\n  %s\n%s", strings.Join(diff, "\n  "), c.output)
	}
	t.Logf("command driver: %s", lastLine(c.output))
}

// jsLoginProgram is the command that runs the repository's Node login script.
func jsLoginProgram(t *testing.T) []string {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatalf("node is needed for the command driver's script: %v", err)
	}
	script, err := filepath.Abs("../../fixtures/reference/jslogin.mjs")
	if err != nil {
		t.Fatal(err)
	}
	return []string{node, script}
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		if strings.HasPrefix(lines[i], "seed ") {
			return lines[i]
		}
	}
	return lines[len(lines)-1]
}

// TestUnmatchedBrowserStepIsLinkedFromTheReports: a consent step whose button does not exist
// leaves the control and every scenario that needs it ERROR, with the page described and a
// screenshot saved in the reports folder, linked from report.html and report.md.
func TestUnmatchedBrowserStepIsLinkedFromTheReports(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a browser")
	}
	needBrowser(t)
	cfg := referenceConfig(t, reference.Options{CodeTTL: 2e9, Login: reference.LoginJS}, func(yaml []byte) []byte {
		broken := bytes.Replace(yaml, []byte(`click: "#consent-allow"`), []byte(`click: "#approve"`), 1)
		if bytes.Equal(broken, yaml) {
			t.Fatal("the generated config has no consent step to break")
		}
		return append(broken, "timeouts:\n  login: 3s\n"...)
	})
	c := runChild(t, "--config", cfg, "--label-filter", "id:baseline-exchange")
	var res *reports.Result
	for i := range c.run.Results {
		if c.run.Results[i].ID == "baseline-exchange" {
			res = &c.run.Results[i]
		}
	}
	if res == nil || res.Verdict.Result != verdict.Error {
		t.Fatalf("baseline-exchange: %+v, want ERROR\n%s", res, c.output)
	}
	// The consent page: no step matches it, and its Allow button is offered by selector.
	for _, want := range []string{"no login.steps entry matched page", "#consent-allow", "screenshot"} {
		if !strings.Contains(res.Verdict.Reason, want) {
			t.Errorf("reason lacks %q: %s", want, res.Verdict.Reason)
		}
	}
	if len(res.Verdict.Files) != 1 {
		t.Fatalf("verdict files: %+v, want the one screenshot", res.Verdict.Files)
	}
	shot := res.Verdict.Files[0].Path
	if filepath.IsAbs(shot) {
		t.Errorf("screenshot path %s is absolute; beside the reports it is linked relative to them", shot)
	}
	png, err := os.ReadFile(filepath.Join(c.dir, shot))
	if err != nil || !bytes.HasPrefix(png, []byte("\x89PNG")) {
		t.Fatalf("screenshot %s in the reports folder: %v", shot, err)
	}
	for _, doc := range []struct{ file, link string }{
		{"report.html", `href="` + shot + `"`},
		{"report.md", "](" + shot + ")"},
	} {
		b, err := os.ReadFile(filepath.Join(c.dir, doc.file))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(b), doc.link) {
			t.Errorf("%s does not link the screenshot (%s)", doc.file, doc.link)
		}
	}
}
