package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/grantcheck/grantcheck/fixtures/reference"
	"github.com/grantcheck/grantcheck/harness"
	"github.com/grantcheck/grantcheck/harness/config"
	"github.com/grantcheck/grantcheck/harness/verdict"
	"github.com/grantcheck/grantcheck/reports"
	"github.com/grantcheck/grantcheck/suites"
)

// auditCmd checks, for every client of audit.clients, that the provider enforces what the client
// is registered with: `grantcheck audit`.
func auditCmd(args []string, stdout, stderr io.Writer) (int, error) {
	fs := flag.NewFlagSet("audit", flag.ContinueOnError)
	fs.SetOutput(stderr)
	configPath := fs.String("config", os.Getenv(suites.ConfigEnv), "configuration file listing the clients under audit.clients or audit.file (default $GRANTCHECK_CONFIG; none: the embedded reference provider with --clients extra clients)")
	clients := fs.Int("clients", 50, "embedded reference provider only: how many extra clients it serves and the audit checks")
	fault := fs.String("fault", "", "embedded reference provider only: inject this fault (an audit fault breaks one client; see grantcheck faults)")
	reportDir := fs.String("reports", "grantcheck-reports", "folder for the reports (results.json, junit.xml, report.md, report.html)")
	jobs := fs.Int("jobs", 4, "how many clients are audited at once")
	shardSpec := fs.String("shard", "", `audit only a part of the clients: "K/N" (the K-th of N parts, from 1) or "auto" (from the CI system's environment; see README "Sharding")`)
	shardTotal := fs.Int("shard-total", 0, "with --shard auto on a Kubernetes Indexed Job: the number of parts (the Job's completions)")
	strict := fs.Bool("strict", false, "SHOULD-level findings FAIL instead of WARN")
	baselinePath := fs.String("baseline", "", "expected verdicts, per client under clients: (exit 0 when the audit matches them, 1 on any difference)")
	if err := fs.Parse(args); err != nil {
		return exitUsage, err
	}
	if fs.NArg() > 0 {
		return exitUsage, fmt.Errorf("audit takes no arguments, got %q", fs.Args())
	}
	if *jobs < 1 || *jobs > 64 {
		return exitUsage, fmt.Errorf("--jobs %d: want 1 to 64", *jobs)
	}
	shard, err := parseShard(*shardSpec, *shardTotal, os.LookupEnv)
	if err != nil {
		return exitUsage, err
	}
	baseline, err := loadBaseline(*baselinePath)
	if err != nil {
		return exitUsage, err
	}
	if *configPath != "" && *fault != "" {
		return exitUsage, errors.New("--fault applies to the embedded reference provider; drop --config to use it")
	}
	cfg, srv, err := providerConfig(*configPath, reference.Options{Fault: *fault, ExtraClients: *clients})
	if err != nil {
		return exitUsage, err
	}
	if srv != nil {
		defer srv.Close()
	}
	listed := cfg.AuditClients()
	if len(listed) == 0 {
		return exitUsage, fmt.Errorf("%s: audit: no clients to audit: list them under audit.clients or in audit.file", cfg.Source())
	}
	mine := shard.Pick(listed)
	dir, err := filepath.Abs(*reportDir)
	if err != nil {
		return exitUsage, fmt.Errorf("--reports %s: %w", *reportDir, err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return exitUsage, fmt.Errorf("--reports: %w", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), cfg.Timeouts.Request.D()+cfg.Timeouts.Login.D())
	defer cancel()
	p, err := harness.Connect(ctx, cfg)
	if err != nil {
		return exitUsage, err
	}
	defer p.Close()
	p.Artifacts = dir
	harness.SetStrict(*strict)
	fmt.Fprintf(stdout, "grantcheck: auditing %d of %d clients%s against %s, %d at once\n", len(mine), len(listed), shard.Note(), cfg.Provider.Issuer, *jobs)

	started := time.Now()
	var mu sync.Mutex
	audits := p.Audit(context.Background(), mine, suites.AuditChecks(), harness.GateSlots(p.Gate(), *jobs), func(a harness.ClientAudit) {
		mu.Lock()
		defer mu.Unlock()
		fmt.Fprintf(stdout, "  %-24s %s\n", p.Redactor().Clean(a.Client.ClientID), clientLine(a))
	})
	took := time.Since(started)
	handed, unused := p.LoginsAhead()
	run := reports.FromAudit(auditOutcomes(audits, listed), reports.Meta{
		Provider: cfg.Provider.Name, Issuer: cfg.Provider.Issuer, Strict: *strict,
		Version: version(), ConfigFile: *configPath, Clean: p.Redactor().Clean,
		Logins: reports.NewLogins(cfg.Login.Driver, p.LoginTimes(), handed, unused),
	}, started, took)
	run.Audit.Jobs, run.Audit.Shard = *jobs, shard.String()
	fmt.Fprintln(stdout)
	if err := reports.WriteSummary(stdout, run); err != nil {
		return exitUsage, err
	}
	fmt.Fprintf(stdout, "grantcheck: %s\n", auditCost(audits, took, *jobs))
	return writeAndJudge(stdout, dir, run, baseline, *baselinePath)
}

// clientLine is one client's progress line: its results and its own cost.
func clientLine(a harness.ClientAudit) string {
	counts := map[verdict.Result]int{}
	for _, r := range a.Results {
		counts[r.Verdict.Result]++
	}
	var parts []string
	for _, k := range reports.ResultKinds {
		if counts[k] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", counts[k], strings.ToLower(string(k))))
		}
	}
	return fmt.Sprintf("%-44s %s", strings.Join(parts, ", "), a.Duration.Round(time.Millisecond))
}

// auditCost says what the audit cost per client: on its own (control and checks in a row) and of
// the run's wall time, which grows linearly with the clients at a fixed --jobs.
func auditCost(audits []harness.ClientAudit, took time.Duration, jobs int) string {
	if len(audits) == 0 {
		return "no client audited"
	}
	own := make([]time.Duration, len(audits))
	for i, a := range audits {
		own[i] = a.Duration
	}
	slices.Sort(own)
	return fmt.Sprintf("%d clients in %s with --jobs %d: %s of wall time per client; one client's own cost median %s, slowest %s",
		len(audits), took.Round(10*time.Millisecond), jobs, (took / time.Duration(len(audits))).Round(time.Millisecond),
		own[len(own)/2].Round(time.Millisecond), own[len(own)-1].Round(time.Millisecond))
}

// auditOutcomes hands the harness's results to the report model, each client with its place in
// the whole list.
func auditOutcomes(audits []harness.ClientAudit, listed []*config.Client) []reports.ClientChecks {
	out := make([]reports.ClientChecks, len(audits))
	for i, a := range audits {
		out[i] = reports.ClientChecks{ClientID: a.Client.ClientID, Origin: a.Client.Origin(), Duration: a.Duration,
			Index: slices.Index(listed, a.Client)}
		for _, r := range a.Results {
			out[i].Checks = append(out[i].Checks, reports.CheckOutcome{Entry: r.Entry, Verdict: r.Verdict, Transcript: r.Transcript, Duration: r.Duration})
		}
	}
	return out
}

// hasRole: the configuration has a client role for the catalogue (an audit-only one has none).
func hasRole(cfg *config.Config) bool {
	for _, r := range []config.Role{config.Primary, config.Secondary, config.Public, config.Restricted} {
		if cfg.Clients.Get(r) != nil {
			return true
		}
	}
	return false
}
