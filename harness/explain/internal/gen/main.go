// Command gen records the explain test cases from real exchanges with the embedded reference
// provider: for each cause a valid flow, then the mistake; controls with no mistake; cases with
// two mistakes at once. It writes HAR files, curl text and raw HTTP into harness/explain/testdata.
// The secrets in them belong to a throwaway provider that no longer runs.
//
//	go run ./harness/explain/internal/gen
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/grantcheck/grantcheck/fixtures/reference"
	"github.com/grantcheck/grantcheck/harness/config"
)

func main() {
	out := flag.String("out", "harness/explain/testdata", "folder to write into")
	flag.Parse()
	if err := run(*out); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

// codeTTL is short so the expiry case waits little; every other redemption takes milliseconds.
const codeTTL = 2 * time.Second

func run(out string) error {
	slog.SetDefault(slog.New(slog.DiscardHandler))
	srv, err := reference.Start(reference.Options{CodeTTL: codeTTL})
	if err != nil {
		return err
	}
	defer srv.Close()
	yml := srv.ConfigYAML()
	cfg, err := config.Parse("reference", yml, os.LookupEnv)
	if err != nil {
		return err
	}
	if err := os.RemoveAll(filepath.Join(out, "cases")); err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Join(out, "cases"), 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(out, "reference.yaml"), yml, 0o644); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	g, err := newGenerator(ctx, cfg, out)
	if err != nil {
		return err
	}
	defer g.close()
	for _, c := range cases {
		if err := g.record(c); err != nil {
			return fmt.Errorf("case %s: %w", c.name, err)
		}
	}
	fmt.Printf("gen: %d cases in %s\n", len(cases), filepath.Join(out, "cases"))
	return nil
}
