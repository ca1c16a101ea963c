package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/grantcheck/grantcheck/fixtures/reference"
	"github.com/grantcheck/grantcheck/harness"
	"github.com/grantcheck/grantcheck/harness/config"
	"github.com/grantcheck/grantcheck/reports"
	"github.com/grantcheck/grantcheck/suites"
)

func runCmd(args []string, stdout, stderr io.Writer) (int, error) {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	configPath := fs.String("config", os.Getenv(suites.ConfigEnv), "configuration file (default $GRANTCHECK_CONFIG; none: the embedded reference provider)")
	fault := fs.String("fault", "", "embedded reference provider only: inject this fault (see grantcheck faults)")
	codeTTL := fs.Duration("code-ttl", 2*time.Second, "embedded reference provider only: authorization code lifetime")
	login := fs.String("login", "", "embedded reference provider only: its sign-in page, form (default) or js (JavaScript only; the browser driver logs in)")
	reportDir := fs.String("reports", "grantcheck-reports", "folder for the reports (results.json, junit.xml, report.md, report.html, Ginkgo's JSON and JUnit)")
	labelFilter := fs.String("label-filter", "", `Ginkgo label filter, e.g. "family:pkce" or "level:MUST && !id:code-expired"`)
	strict := fs.Bool("strict", false, "SHOULD-level findings FAIL instead of WARN")
	verbose := fs.Bool("v", false, "verbose Ginkgo output (every spec, with transcripts)")
	seed := fs.Int64("seed", 0, "random order seed (0: from the clock; printed for reproduction)")
	baselinePath := fs.String("baseline", "", "expected verdicts (the format of fixtures/providers/*/expected.yaml): exit 0 when the run matches them, 1 on any difference")
	if err := fs.Parse(args); err != nil {
		return exitUsage, err
	}
	if fs.NArg() > 0 {
		return exitUsage, fmt.Errorf("run takes no arguments, got %q", fs.Args())
	}

	var baseline *reports.Baseline
	if *baselinePath != "" {
		b, err := reports.LoadBaseline(*baselinePath)
		if err != nil {
			return exitUsage, err
		}
		baseline = &b
	}
	var cfg *config.Config
	var err error
	if *configPath != "" {
		if *fault != "" || *login != "" {
			return exitUsage, errors.New("--fault and --login apply to the embedded reference provider; drop --config to use it")
		}
		if cfg, err = config.Load(*configPath); err != nil {
			return exitUsage, err
		}
	} else {
		// The library logs every refused request through slog; in this command that is noise
		// between the suite's own output (its transcripts say the same, redacted).
		slog.SetDefault(slog.New(slog.DiscardHandler))
		srv, err := reference.Start(reference.Options{CodeTTL: *codeTTL, Fault: *fault, Login: *login})
		if err != nil {
			return exitUsage, err // names the reference provider already
		}
		defer srv.Close()
		if cfg, err = config.Parse("embedded reference provider", srv.ConfigYAML(), os.LookupEnv); err != nil {
			return exitUsage, err
		}
		if *fault != "" {
			fmt.Fprintf(stdout, "embedded reference provider with fault %q at %s\n", *fault, srv.Issuer())
		}
	}

	dir, err := filepath.Abs(*reportDir)
	if err != nil {
		return exitUsage, fmt.Errorf("--reports %s: %w", *reportDir, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), cfg.Timeouts.Request.D()+cfg.Timeouts.Login.D())
	defer cancel()
	p, err := harness.Connect(ctx, cfg)
	if err != nil {
		return exitUsage, err
	}
	defer p.Close()
	p.Artifacts = dir // screenshots of login pages no step matched, beside the reports
	if err := p.Control(ctx); err != nil {
		fmt.Fprintf(stderr, "grantcheck: %v\ngrantcheck: every scenario but baseline-exchange will be ERROR; fix the login steps or the client configuration first\n", err)
	}

	if err := os.MkdirAll(dir, 0o755); err != nil {
		return exitUsage, fmt.Errorf("--reports: %w", err)
	}
	if *seed == 0 {
		*seed = time.Now().UnixNano() % 100000
	}
	started := time.Now()
	report := suites.Run(suites.Options{
		Provider: p, LabelFilter: *labelFilter, Strict: *strict, Verbose: *verbose, Seed: *seed,
		GinkgoJSON: filepath.Join(dir, "ginkgo.json"), GinkgoJUnit: filepath.Join(dir, "ginkgo-junit.xml"),
		NoColor: os.Getenv("NO_COLOR") != "" || os.Getenv("CI") != "",
	})
	run := reports.FromGinkgo(report, reports.Meta{
		Provider: cfg.Provider.Name, Issuer: cfg.Provider.Issuer, Strict: *strict,
		Version: version(), ConfigFile: *configPath,
	})
	fmt.Fprintln(stdout)
	if err := reports.WriteSummary(stdout, run); err != nil {
		return exitUsage, err
	}
	paths, err := reports.WriteAll(dir, run)
	if err != nil {
		return exitUsage, fmt.Errorf("write reports: %w", err)
	}
	fmt.Fprintf(stdout, "seed %d, %s; reports: %s\n", *seed, time.Since(started).Round(10*time.Millisecond), dirList(dir, paths))
	if baseline != nil {
		diff := baseline.Compare(run)
		if len(diff) > 0 {
			fmt.Fprintf(stdout, "grantcheck: %d differences from the baseline %s:\n  %s\n", len(diff), *baselinePath, strings.Join(diff, "\n  "))
			return exitNotConformant, nil
		}
		fmt.Fprintf(stdout, "grantcheck: every verdict matches the baseline %s\n", *baselinePath)
		return exitConformant, nil
	}
	if run.Outcome != reports.Conformant {
		return exitNotConformant, nil
	}
	return exitConformant, nil
}

func dirList(dir string, paths []string) string {
	rel, err := filepath.Rel(mustWd(), dir)
	if err != nil || strings.HasPrefix(rel, "..") {
		rel = dir
	}
	return fmt.Sprintf("%s/ (%d files + Ginkgo's ginkgo.json, ginkgo-junit.xml)", rel, len(paths))
}

func mustWd() string {
	wd, err := os.Getwd()
	if err != nil {
		return "/"
	}
	return wd
}
