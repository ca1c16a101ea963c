package main

import (
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/grantcheck/grantcheck/fixtures/reference"
	"github.com/grantcheck/grantcheck/harness/config"
)

// TestNoSecretsInReports runs the suite against a reference provider in this process that
// witnesses every secret crossing its edge (codes, tokens, verifiers, client secrets, passwords),
// then searches every report file and the console output for each of them, in every encoding a
// provider plausibly echoes. hostile_test.go plants those echoes (and failing logins); this run is
// the clean provider's.
func TestNoSecretsInReports(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the whole suite")
	}
	t.Parallel()
	slog.SetDefault(slog.New(slog.DiscardHandler)) // the provider library's request log
	var mu sync.Mutex
	seen := map[string]bool{}
	srv, err := reference.Start(reference.Options{CodeTTL: 2 * time.Second, Witness: func(v string) {
		mu.Lock()
		seen[v] = true
		mu.Unlock()
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	cfgPath := filepath.Join(t.TempDir(), "reference.yaml")
	if err := os.WriteFile(cfgPath, srv.ConfigYAML(), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(cfgPath)
	if err != nil {
		t.Fatal(err)
	}

	dir := runChild(t, "--config", cfgPath).dir

	mu.Lock()
	secrets := cfg.Secrets()
	for v := range seen {
		secrets = append(secrets, v)
	}
	mu.Unlock()
	// A handful of values would mean the witness or the run is broken, and the test proves nothing.
	if len(secrets) < 100 {
		t.Fatalf("only %d secret values witnessed; expected hundreds from a full run", len(secrets))
	}
	t.Logf("searching the reports for %d secret values the provider witnessed", len(secrets))
	files, err := filepath.Glob(filepath.Join(dir, "*"))
	if err != nil || len(files) < 6 {
		t.Fatalf("expected the reports and the console output in %s, found %v (%v)", dir, files, err)
	}
	sawTranscript := false
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		text := string(data)
		sawTranscript = sawTranscript || strings.Contains(text, "‹code:")
		for _, s := range secrets {
			for _, form := range append(secretForms(s), url.QueryEscape(s)) {
				if strings.Contains(text, form) {
					t.Errorf("%s contains a secret value (%d characters, starts %.4q)", filepath.Base(f), len(s), s)
				}
			}
		}
	}
	if !sawTranscript {
		t.Error("no report holds a redacted transcript (‹code:…›): the search above looked at nothing useful")
	}
}
