package main

import (
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/grantcheck/grantcheck/fixtures/reference"
	"github.com/grantcheck/grantcheck/harness/config"
)

// TestNoSecretsInReports runs the suite against a reference provider in this process that
// witnesses every secret crossing its edge (codes, tokens, verifiers, client secrets, passwords),
// then searches every report file, the console output (with GitHub annotations) and the GitHub
// step summary for each of them, in every encoding a provider plausibly echoes. The clean provider
// covers transcripts of passing exchanges; the error-html fault makes nearly every scenario a
// finding, so the findings, their curl commands and the verdicts' request descriptions are searched
// too. hostile_test.go plants the echoes (and failing logins).
func TestNoSecretsInReports(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the whole suite")
	}
	t.Parallel()
	for _, fault := range []string{"", "error-html"} {
		name := fault
		if name == "" {
			name = "clean"
		}
		t.Run(name, func(t *testing.T) { checkNoSecrets(t, fault) })
	}
}

func checkNoSecrets(t *testing.T, fault string) {
	cfgPath, seen := startWitnessed(t, reference.Options{CodeTTL: 2 * time.Second, Fault: fault}, "")
	cfg, err := config.Load(cfgPath)
	if err != nil {
		t.Fatal(err)
	}

	summary := filepath.Join(t.TempDir(), "step-summary.md")
	c := runChildEnv(t, []string{"GITHUB_ACTIONS=true", "GITHUB_STEP_SUMMARY=" + summary}, "--config", cfgPath)
	dir := c.dir

	secrets := append(cfg.Secrets(), seen()...)
	// A handful of values would mean the witness or the run is broken, and the test proves nothing.
	if len(secrets) < 100 {
		t.Fatalf("only %d secret values witnessed; expected hundreds from a full run", len(secrets))
	}
	t.Logf("searching the reports for %d secret values the provider witnessed", len(secrets))
	files, err := filepath.Glob(filepath.Join(dir, "*"))
	if err != nil || len(files) < 6 {
		t.Fatalf("expected the reports and the console output in %s, found %v (%v)", dir, files, err)
	}
	files = append(files, summary)

	// The new fields, on their own: a secret there would also be in results.json, but this names
	// the field that leaked.
	fields := map[string]string{}
	curls := 0
	for _, f := range c.run.Findings {
		fields["finding "+f.ID+" reproduce"] = f.Reproduce
		fields["finding "+f.ID+" title"] = f.Title + " " + f.Example
		if strings.Contains(f.Reproduce, "curl ") {
			curls++
		}
	}
	for _, r := range c.run.Results {
		if r.Verdict.Request != nil {
			raw, _ := json.Marshal(r.Verdict.Request)
			fields["request of "+r.ID] = string(raw)
		}
	}
	if fault != "" && (curls < 1 || !strings.Contains(c.output, "::error title=")) {
		t.Errorf("with fault %s: %d findings with a curl, annotations printed: %v; the search would cover nothing new",
			fault, curls, strings.Contains(c.output, "::error title="))
	}
	if fault != "" {
		if data, err := os.ReadFile(summary); err != nil || !strings.Contains(string(data), "## Findings") {
			t.Errorf("GITHUB_STEP_SUMMARY %s was not written: %v", summary, err)
		}
	}

	sawTranscript := false
	search := func(where, text string) {
		for _, s := range secrets {
			for _, form := range append(secretForms(s), url.QueryEscape(s)) {
				if strings.Contains(text, form) {
					t.Errorf("%s contains a secret value (%d characters, starts %.4q)", where, len(s), s)
				}
			}
		}
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		text := string(data)
		sawTranscript = sawTranscript || strings.Contains(text, "‹code:")
		search(filepath.Base(f), text)
	}
	for where, text := range fields {
		search(where, text)
	}
	if !sawTranscript {
		t.Error("no report holds a redacted transcript (‹code:…›): the search above looked at nothing useful")
	}
}
