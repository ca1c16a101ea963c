package main

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/grantcheck/grantcheck/fixtures/reference"
	"github.com/grantcheck/grantcheck/harness/catalog"
	"github.com/grantcheck/grantcheck/harness/config"
	"github.com/grantcheck/grantcheck/reports"
)

// grantcheck runs the command in a child process (any subcommand) with extra environment, in dir
// when set, and returns its output and exit status.
func grantcheck(t *testing.T, env []string, dir string, args ...string) (string, int) {
	t.Helper()
	encoded, err := json.Marshal(args)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(append(os.Environ(), childArgs+"="+string(encoded), "NO_COLOR=1"), env...)
	cmd.Dir = dir
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	_ = cmd.Run()
	return out.String(), cmd.ProcessState.ExitCode()
}

func readResults(t *testing.T, path string) reports.Run {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	run, err := reports.ReadJSON(f)
	if err != nil {
		t.Fatal(err)
	}
	return run
}

// verdicts is every result's verdict by its key (client: entry for an audit's).
func verdicts(run reports.Run) map[string]string {
	out := map[string]string{}
	for _, r := range run.Results {
		out[r.Key()] = r.Verdict.String()
	}
	return out
}

// TestAuditFindsTheOneClientEndToEnd: `grantcheck audit` of 50 clients, one broken by a fault,
// reports exactly that client, in every format: findings name it, the matrix has a row per client,
// the JUnit file a test suite per client.
func TestAuditFindsTheOneClientEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("audits 50 clients")
	}
	dir := t.TempDir()
	fault := reference.AuditFaults()[1] // one client's grant list ignored
	out, code := grantcheck(t, nil, "", "audit", "--clients", "50", "--jobs", "4", "--fault", fault.Name, "--reports", dir)
	if code != exitNotConformant {
		t.Fatalf("exit %d, want %d:\n%s", code, exitNotConformant, out)
	}
	for _, line := range strings.Split(out, "\n") {
		if strings.Contains(line, "clients in") { // the measured cost, for the report
			t.Log(line)
		}
	}
	run := readResults(t, filepath.Join(dir, "results.json"))
	if run.Audit == nil || len(run.Audit.Clients) != 50 {
		t.Fatalf("results.json has no audit of 50 clients: %+v", run.Audit)
	}
	if len(run.Findings) == 0 {
		t.Fatal("no finding")
	}
	for _, f := range run.Findings {
		if f.Client != fault.Client || !strings.Contains(f.Title, fault.Client) {
			t.Errorf("finding %s (%s) is not about %s alone", f.ID, f.Title, fault.Client)
		}
	}
	for key, v := range verdicts(run) {
		client, id, _ := strings.Cut(key, ": ")
		want := fault.Breaks[id]
		if client != fault.Client || want == "" {
			if strings.HasPrefix(v, "FAIL") || v == "ERROR" || v == "WARN" {
				t.Errorf("%s: %s, want PASS or not applicable", key, v)
			}
			continue
		}
		if v != want {
			t.Errorf("%s: %s, want %s", key, v, want)
		}
	}
	var junit struct {
		Suites []struct {
			Name  string `xml:"name,attr"`
			Tests int    `xml:"tests,attr"`
		} `xml:"testsuite"`
	}
	data, err := os.ReadFile(filepath.Join(dir, "junit.xml"))
	if err != nil {
		t.Fatal(err)
	}
	if err := xml.Unmarshal(data, &junit); err != nil {
		t.Fatal(err)
	}
	if len(junit.Suites) != 50 || junit.Suites[0].Name != "grantcheck audit: client "+reference.ExtraClientID(1) ||
		junit.Suites[0].Tests != len(catalog.AuditEntries()) {
		t.Errorf("junit.xml: want a test suite per client of %d tests, got %d suites, first %+v", len(catalog.AuditEntries()), len(junit.Suites), junit.Suites[0])
	}
	md, _ := os.ReadFile(filepath.Join(dir, "report.md"))
	html, _ := os.ReadFile(filepath.Join(dir, "report.html"))
	for name, doc := range map[string]string{"report.md": string(md), "report.html": string(html)} {
		for _, want := range []string{"Audit: client × check", fault.Client, "FAIL F1", "What the audit could see", "could not see"} {
			if !strings.Contains(doc, want) {
				t.Errorf("%s lacks %q", name, want)
			}
		}
	}
}

// TestAuditControlFailureIsTheClientsOwn: a client whose control fails (its secret is wrong in the
// list) has every check ERROR with the control's cause; every other client is judged as usual.
func TestAuditControlFailureIsTheClientsOwn(t *testing.T) {
	if testing.Short() {
		t.Skip("audits clients")
	}
	// client-02's secret, as listed, no longer matches its registration.
	path := startReference(t, reference.Options{ExtraClients: 6}, func(cfg string) string {
		at := strings.Index(cfg, `client_id: "client-02"`)
		secretAt := at + strings.Index(cfg[at:], "client_secret: \"") + len("client_secret: \"")
		return cfg[:secretAt] + "rotated-" + cfg[secretAt:]
	})
	cfg := readFile(t, path)
	dir := t.TempDir()
	out, code := grantcheck(t, nil, "", "audit", "--config", path, "--reports", dir)
	if code != exitNotConformant {
		t.Fatalf("exit %d, want %d (incomplete):\n%s", code, exitNotConformant, out)
	}
	// No audited client's secret reaches the console or a report.
	parsed, err := config.Parse("t", []byte(cfg), os.LookupEnv)
	if err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*"))
	for _, secret := range parsed.Secrets() {
		if strings.Contains(out, secret) {
			t.Errorf("a secret reached the console")
		}
		for _, f := range files {
			if data, _ := os.ReadFile(f); strings.Contains(string(data), secret) {
				t.Errorf("a secret reached %s", filepath.Base(f))
			}
		}
	}
	run := readResults(t, filepath.Join(dir, "results.json"))
	if run.Outcome != reports.Incomplete {
		t.Errorf("outcome %s, want incomplete", run.Outcome)
	}
	for _, r := range run.Results {
		broken := r.Client == reference.ExtraClientID(2)
		switch {
		case broken && r.Verdict.Result != "ERROR":
			t.Errorf("%s: %s, want ERROR", r.Key(), r.Verdict.String())
		case broken && !strings.Contains(r.Verdict.Reason, "control"):
			t.Errorf("%s: the reason does not name the failed control: %s", r.Key(), r.Verdict.Reason)
		case !broken && r.Verdict.Result != "PASS" && !r.Verdict.NotApplicable:
			t.Errorf("%s: %s %s, want PASS or not applicable: another client's control failure must not touch it", r.Key(), r.Verdict.String(), r.Verdict.Reason)
		}
	}
}

// TestAuditBaselinePerClient: a baseline names each client's known verdicts under clients:.
func TestAuditBaselinePerClient(t *testing.T) {
	if testing.Short() {
		t.Skip("audits clients")
	}
	fault := reference.AuditFaults()[0] // one client's redirect URIs matched as prefixes
	var b strings.Builder
	fmt.Fprintf(&b, "provider: reference\nverdicts: {}\nclients:\n  %s:\n", fault.Client)
	for _, id := range slices.Sorted(func(yield func(string) bool) {
		for id := range fault.Breaks {
			if !yield(id) {
				return
			}
		}
	}) {
		fmt.Fprintf(&b, "    %s: {result: %q, observed: \"a code at the variant\", clause: \"RFC 6749 §3.1.2.3\"}\n", id, fault.Breaks[id])
	}
	baseline := filepath.Join(t.TempDir(), "baseline.yaml")
	if err := os.WriteFile(baseline, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	out, code := grantcheck(t, nil, "", "audit", "--clients", "10", "--fault", fault.Name, "--baseline", baseline, "--reports", t.TempDir())
	if code != exitConformant || !strings.Contains(out, "every verdict matches the baseline") {
		t.Errorf("an audit matching its per-client baseline must exit 0, got %d:\n%s", code, out)
	}
	out, code = grantcheck(t, nil, "", "audit", "--clients", "10", "--baseline", baseline, "--reports", t.TempDir())
	if code != exitNotConformant || !strings.Contains(out, fault.Client+": "+catalog.AuditAuthzRedirect.VariantID("trailing-slash")+": baseline FAIL:security, now PASS") {
		t.Errorf("a fixed client must be a difference from the baseline, got %d:\n%s", code, out)
	}
}
