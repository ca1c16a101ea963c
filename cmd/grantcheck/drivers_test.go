package main

import (
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/grantcheck/grantcheck/fixtures/reference"
	"github.com/grantcheck/grantcheck/harness/authorize/browser"
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
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatalf("node is needed for the command driver's script: %v", err)
	}
	script, err := filepath.Abs("../../fixtures/reference/jslogin.mjs")
	if err != nil {
		t.Fatal(err)
	}
	// The provider runs in this process: its log of refused requests is noise here.
	prev := slog.Default()
	slog.SetDefault(slog.New(slog.DiscardHandler))
	defer slog.SetDefault(prev)
	srv, err := reference.Start(reference.Options{CodeTTL: 2e9, Login: reference.LoginJS, LoginCommand: []string{node, script}})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	cfg := filepath.Join(t.TempDir(), "command.yaml")
	if err := os.WriteFile(cfg, srv.ConfigYAML(), 0o600); err != nil {
		t.Fatal(err)
	}
	c := runChild(t, "--config", cfg)
	if diff := mismatches(c.run, nil); len(diff) > 0 {
		t.Errorf("the clean reference with the command driver must pass every scenario:\n  %s\n%s", strings.Join(diff, "\n  "), c.output)
	}
	t.Logf("command driver: %s", lastLine(c.output))
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
