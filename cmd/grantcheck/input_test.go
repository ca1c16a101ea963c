package main

import (
	"bytes"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/grantcheck/grantcheck/harness/loopback"
)

// TestBadLabelFilterIsAUsageError: exit 2 with one line, before discovery or any login.
func TestBadLabelFilterIsAUsageError(t *testing.T) {
	var hits atomic.Int32
	srv := loopback.Server(t, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		hits.Add(1)
		http.NotFound(w, nil)
	}))
	path := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(path, []byte("provider:\n  issuer: "+srv.URL+"\n"+validClients), 0o600); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	code := Main([]string{"run", "--config", path, "--label-filter", "family:pkce && (", "--reports", t.TempDir()}, &stdout, &stderr)
	msg := stderr.String()
	if code != exitUsage {
		t.Errorf("exit %d, want %d; stderr: %s", code, exitUsage, msg)
	}
	if !strings.HasPrefix(msg, `grantcheck: --label-filter "family:pkce && (": `) || strings.Count(strings.TrimSpace(msg), "\n") > 0 ||
		strings.Contains(msg, "\x1b") || strings.Contains(msg, "{{") {
		t.Errorf("want one plain line naming the flag, got %q", msg)
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("the provider got %d requests before the filter was checked", n)
	}
}

// TestColourOnlyOnATerminal: a file or pipe gets no colour; NO_COLOR wins everywhere.
func TestColourOnlyOnATerminal(t *testing.T) {
	f, err := os.Create(filepath.Join(t.TempDir(), "out.txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	t.Setenv("NO_COLOR", "")
	t.Setenv("CI", "")
	if !noColor(f) {
		t.Error("a file gets colour")
	}
	if tty, err := os.OpenFile("/dev/tty", os.O_WRONLY, 0); err == nil {
		defer tty.Close()
		if noColor(tty) {
			t.Error("a terminal gets no colour")
		}
		t.Setenv("NO_COLOR", "1")
		if !noColor(tty) {
			t.Error("NO_COLOR=1 on a terminal still gets colour")
		}
	}
}
