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
	"regexp"
	"strings"
	"time"

	"github.com/onsi/ginkgo/v2/types"

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
	// Checked before discovery and any login: a typo in the filter is a usage error, not a run.
	*labelFilter = harness.LabelFilter(*labelFilter) // id:<scenario>/<variant>, as reports show IDs
	if _, err := types.ParseLabelFilter(*labelFilter); err != nil {
		return exitUsage, fmt.Errorf("--label-filter %q: %s", *labelFilter, labelFilterProblem(err))
	}

	baseline, err := loadBaseline(*baselinePath)
	if err != nil {
		return exitUsage, err
	}
	if *configPath != "" && (*fault != "" || *login != "") {
		return exitUsage, errors.New("--fault and --login apply to the embedded reference provider; drop --config to use it")
	}
	cfg, srv, err := providerConfig(*configPath, reference.Options{CodeTTL: *codeTTL, Fault: *fault, Login: *login})
	if err != nil {
		return exitUsage, err
	}
	if srv != nil {
		defer srv.Close()
		if *fault != "" {
			fmt.Fprintf(stdout, "embedded reference provider with fault %q at %s\n", *fault, srv.Issuer())
		}
	}

	if !hasRole(cfg) {
		return exitUsage, fmt.Errorf("%s: clients: no client roles (clients.primary, …) for the catalogue; to check the clients of audit.clients run grantcheck audit", cfg.Source())
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
	if via := p.Discovery.Redirected; via != "" {
		fmt.Fprintf(stdout, "grantcheck: discovery: %s\n", via)
	}
	// The suite's own parallelism is never evidence: after a server failure the run goes on one
	// request at a time, and says so once.
	p.Gate().Notify(func(reason string) {
		fmt.Fprintf(stdout, "grantcheck: %s; from now on the run does not overlap its requests (logins, controls, logins ahead, prefetches, race rounds), "+
			"and retries a login or control that fails with a server error (harness/backoff)\n", p.Redactor().Clean(reason))
	})
	p.Artifacts = dir // screenshots of login pages no step matched, beside the reports
	if err := p.Control(ctx); err != nil {
		for _, line := range strings.Split(err.Error(), "\n") {
			fmt.Fprintf(stderr, "grantcheck: %s\n", line)
		}
		fmt.Fprintln(stderr, "grantcheck: the scenarios that need these clients' codes or tokens will be ERROR (each line above says what to do)")
	}

	if err := os.MkdirAll(dir, 0o755); err != nil {
		return exitUsage, fmt.Errorf("--reports: %w", err)
	}
	if *seed == 0 {
		*seed = time.Now().UnixNano() % 100000
	}
	started := time.Now()
	// What the run waits for (a code's lifetime) is shown, so a long wait does not look like a hang.
	harness.OnWait = newWaitProgress(stderr, isTerminal(stderr) && os.Getenv("CI") == "").OnWait
	defer func() { harness.OnWait = nil }()
	opts := suites.Options{
		Provider: p, LabelFilter: *labelFilter, Strict: *strict, Verbose: *verbose, Seed: *seed,
		GinkgoJSON: filepath.Join(dir, "ginkgo.json"), GinkgoJUnit: filepath.Join(dir, "ginkgo-junit.xml"),
		NoColor: noColor(os.Stdout),
	}
	if !*verbose { // -v keeps Ginkgo's console, transcripts and all
		console, err := os.Create(filepath.Join(dir, "ginkgo-console.log"))
		if err != nil {
			return exitUsage, fmt.Errorf("--reports: %w", err)
		}
		defer console.Close()
		opts.Console, opts.NoColor = console, true
		fmt.Fprintf(stdout, "grantcheck: running the catalogue against %s (seed %d; Ginkgo's log: %s)\n",
			cfg.Provider.Issuer, *seed, filepath.Join(shownDir(dir), "ginkgo-console.log"))
	}
	report := suites.Run(opts)
	handed, unused := p.LoginsAhead()
	run := reports.FromGinkgo(report, reports.Meta{
		Provider: cfg.Provider.Name, Issuer: cfg.Provider.Issuer, Strict: *strict,
		Version: version(), ConfigFile: *configPath, Clean: p.Redactor().Clean,
		Logins: reports.NewLogins(cfg.Login.Driver, p.LoginTimes(), handed, unused),
	})
	fmt.Fprintln(stdout)
	summary := reports.WriteSummary
	if isTerminal(stdout) && os.Getenv("NO_COLOR") == "" {
		summary = reports.WriteSummaryColor
	}
	if err := summary(stdout, run); err != nil {
		return exitUsage, err
	}
	if n := p.Gate().Retries(); n > 0 {
		_, why := p.Gate().Serial()
		fmt.Fprintf(stdout, "grantcheck: %d logins or requests were tried again after a server error; the run stopped overlapping after the first (%s)\n", n, p.Redactor().Clean(why))
	}
	if err := writeCI(stdout, run); err != nil {
		return exitUsage, err
	}
	paths, err := reports.WriteAll(dir, run)
	if err != nil {
		return exitUsage, fmt.Errorf("write reports: %w", err)
	}
	fmt.Fprintf(stdout, "seed %d, %s; reports: %s\n", *seed, time.Since(started).Round(10*time.Millisecond), dirList(dir, paths))
	return verdictExit(stdout, run, baseline, *baselinePath), nil
}

// providerConfig loads the --config file, or, without one, starts the embedded reference provider
// with opts and reads its configuration; the caller closes the provider it returns.
func providerConfig(path string, opts reference.Options) (*config.Config, *reference.Server, error) {
	if path != "" {
		cfg, err := config.Load(path)
		return cfg, nil, err
	}
	// The library logs every refused request through slog; in this command that is noise
	// between the suite's own output (its transcripts say the same, redacted).
	slog.SetDefault(slog.New(slog.DiscardHandler))
	srv, err := reference.Start(opts)
	if err != nil {
		return nil, nil, err // names the reference provider already
	}
	cfg, err := config.Parse("embedded reference provider", srv.ConfigYAML(), os.LookupEnv)
	if err != nil {
		srv.Close()
		return nil, nil, err
	}
	return cfg, srv, nil
}

// noColor: colour only on a terminal, never with NO_COLOR (no-color.org) or in CI, where Ginkgo's
// progress line otherwise writes escape codes into the log.
func noColor(out *os.File) bool {
	if os.Getenv("NO_COLOR") != "" || os.Getenv("CI") != "" || os.Getenv("TERM") == "dumb" {
		return true
	}
	fi, err := out.Stat()
	return err != nil || fi.Mode()&os.ModeCharDevice == 0
}

// labelFilterProblem is the one line of Ginkgo's parse error that says what is wrong, without its
// colour markup (its Error() is a coloured, multi-line block).
func labelFilterProblem(err error) string {
	var ge types.GinkgoError
	if !errors.As(err, &ge) {
		return err.Error()
	}
	msg := strings.TrimSpace(ge.Message)
	if i := strings.LastIndex(msg, "\n"); i >= 0 {
		msg = msg[i+1:]
	}
	return ginkgoMarkup.ReplaceAllString(msg, "")
}

var ginkgoMarkup = regexp.MustCompile(`\{\{[^}]*\}\}`)

func dirList(dir string, paths []string) string {
	return fmt.Sprintf("%s/ (%d files + Ginkgo's ginkgo.json, ginkgo-junit.xml, ginkgo-console.log)", shownDir(dir), len(paths))
}

// shownDir is dir relative to the working directory when it is inside it, else absolute.
func shownDir(dir string) string {
	rel, err := filepath.Rel(mustWd(), dir)
	if err != nil || strings.HasPrefix(rel, "..") {
		return dir
	}
	return rel
}

func mustWd() string {
	wd, err := os.Getwd()
	if err != nil {
		return "/"
	}
	return wd
}

// writeCI adds what GitHub Actions reads: one annotation per finding (GITHUB_ACTIONS=true) and
// the Markdown summary appended to the job summary (GITHUB_STEP_SUMMARY).
func writeCI(stdout io.Writer, run reports.Run) error {
	if os.Getenv("GITHUB_ACTIONS") == "true" {
		if err := reports.WriteGitHubAnnotations(stdout, run); err != nil {
			return err
		}
	}
	path := os.Getenv("GITHUB_STEP_SUMMARY")
	if path == "" {
		return nil
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return fmt.Errorf("GITHUB_STEP_SUMMARY: %w", err)
	}
	if err := reports.WriteMarkdownSummary(f, run); err != nil {
		return errors.Join(fmt.Errorf("GITHUB_STEP_SUMMARY %s: %w", path, err), f.Close())
	}
	return f.Close()
}
