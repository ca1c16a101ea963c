package main

import (
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/grantcheck/grantcheck/fixtures/reference"
)

// startWitnessed starts the reference provider recording every secret value crossing its edge,
// writes its configuration (plus extraYAML) to a file, and stops it when the test ends. seen lists
// the values witnessed so far.
func startWitnessed(t *testing.T, opts reference.Options, extraYAML string) (cfgPath string, seen func() []string) {
	t.Helper()
	var mu sync.Mutex
	values := map[string]bool{}
	opts.Witness = func(v string) {
		mu.Lock()
		values[v] = true
		mu.Unlock()
	}
	srv, err := reference.Start(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	cfgPath = filepath.Join(t.TempDir(), "reference.yaml")
	if err := os.WriteFile(cfgPath, append(srv.ConfigYAML(), extraYAML...), 0o600); err != nil {
		t.Fatal(err)
	}
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
