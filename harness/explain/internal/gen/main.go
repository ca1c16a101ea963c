// Command gen records the explain test cases from real exchanges with the embedded reference
// provider: for each cause a valid flow, then the mistake; controls with no mistake; cases with
// two mistakes at once. It writes HAR files, curl text and raw HTTP into harness/explain/testdata.
// The secrets in them belong to a throwaway provider that no longer runs.
//
//	go run ./harness/explain/internal/gen
//	fixtures/providers/node-oidc-provider/run.sh go run ./harness/explain/internal/gen \
//	    -config fixtures/providers/node-oidc-provider/provider.yaml -out harness/explain/testdata/node-oidc-provider
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
	"gopkg.in/yaml.v3"
)

func main() {
	out := flag.String("out", "harness/explain/testdata", "folder to write into")
	cfgPath := flag.String("config", "", "record against this provider instead of the embedded reference "+
		"(e.g. under fixtures/providers/node-oidc-provider/run.sh); its resolved configuration is written as config.yaml")
	flag.Parse()
	var err error
	if *cfgPath != "" {
		err = runConfig(*cfgPath, *out)
	} else {
		err = run(*out)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

// codeTTL is short so the expiry case waits little; every other redemption takes milliseconds.
// Against another provider it is that provider's code_ttl.
var codeTTL = 2 * time.Second

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
	return recordAll(cfg, out)
}

// runConfig records against a running provider; the configuration is written resolved (its
// secrets are that throwaway run's) so the test can load it without the environment.
func runConfig(path, out string) error {
	cfg, err := config.Load(path)
	if err != nil {
		return err
	}
	if cfg.Provider.CodeTTL > 0 {
		codeTTL = cfg.Provider.CodeTTL.D()
	}
	if err := os.RemoveAll(filepath.Join(out, "cases")); err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Join(out, "cases"), 0o755); err != nil {
		return err
	}
	yml, err := yaml.Marshal(cfg)
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(out, "config.yaml"), yml, 0o644); err != nil {
		return err
	}
	return recordAll(cfg, out)
}

func recordAll(cfg *config.Config, out string) error {
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
