package main

import (
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/grantcheck/grantcheck/fixtures/reference"
)

// referenceConfig starts the reference provider in this process (its request log silenced: the
// transcripts say the same), writes its configuration as edit returns it to a file, and stops the
// provider when the test ends.
func referenceConfig(t *testing.T, opts reference.Options, edit func([]byte) []byte) (cfgPath string) {
	t.Helper()
	slog.SetDefault(slog.New(slog.DiscardHandler))
	srv, err := reference.Start(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	cfgPath = filepath.Join(t.TempDir(), "reference.yaml")
	if err := os.WriteFile(cfgPath, edit(srv.ConfigYAML()), 0o600); err != nil {
		t.Fatal(err)
	}
	return cfgPath
}

// startWitnessed is referenceConfig (plus extraYAML) with the provider recording every secret
// value crossing its edge; seen lists the values witnessed so far.
func startWitnessed(t *testing.T, opts reference.Options, extraYAML string) (cfgPath string, seen func() []string) {
	t.Helper()
	var mu sync.Mutex
	values := map[string]bool{}
	opts.Witness = func(v string) {
		mu.Lock()
		values[v] = true
		mu.Unlock()
	}
	cfgPath = referenceConfig(t, opts, func(yaml []byte) []byte { return append(yaml, extraYAML...) })
	return cfgPath, func() []string {
		mu.Lock()
		defer mu.Unlock()
		out := make([]string, 0, len(values))
		for v := range values {
			out = append(out, v)
		}
		return out
	}
}
