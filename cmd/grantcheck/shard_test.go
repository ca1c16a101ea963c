package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/grantcheck/grantcheck/harness/config"
	"github.com/grantcheck/grantcheck/reports"
)

func envOf(vars map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := vars[k]; return v, ok }
}

func TestParseShard(t *testing.T) {
	cases := []struct {
		name, spec string
		total      int
		env        map[string]string
		want       string // K/N, or the error's start
	}{
		{name: "none", spec: "", want: ""},
		{name: "K/N", spec: "2/4", want: "2/4"},
		{name: "one part", spec: "1/1", want: "1/1"},
		{name: "K above N", spec: "5/4", want: `--shard "5/4": part 5 is not between 1 and 4`},
		{name: "K zero", spec: "0/4", want: `--shard "0/4": part 0 is not between 1 and 4`},
		{name: "N zero", spec: "1/0", want: `--shard "1/0": the number of parts 0 is not between 1 and 1000`},
		{name: "not K/N", spec: "2of4", want: `--shard "2of4": want K/N`},
		{name: "total without auto", spec: "", total: 3, want: "--shard-total 3 needs --shard auto"},
		{name: "GitHub Actions matrix", spec: "auto", env: map[string]string{"GRANTCHECK_SHARD_INDEX": "0", "GRANTCHECK_SHARD_TOTAL": "4"}, want: "1/4"},
		{name: "GitLab parallel", spec: "auto", env: map[string]string{"CI_NODE_INDEX": "3", "CI_NODE_TOTAL": "3"}, want: "3/3"},
		{name: "Kubernetes Indexed Job", spec: "auto", total: 4, env: map[string]string{"JOB_COMPLETION_INDEX": "3"}, want: "4/4"},
		{name: "Kubernetes without a total", spec: "auto", env: map[string]string{"JOB_COMPLETION_INDEX": "3"},
			want: "--shard auto: JOB_COMPLETION_INDEX is set but not the number of parts: pass --shard-total N"},
		{name: "index past the total", spec: "auto", env: map[string]string{"CI_NODE_INDEX": "4", "CI_NODE_TOTAL": "3"},
			want: "--shard auto (CI_NODE_INDEX=4, 3 parts): part 4 is not between 1 and 3"},
		{name: "not a number", spec: "auto", env: map[string]string{"CI_NODE_INDEX": "x"}, want: `--shard auto: CI_NODE_INDEX="x" is not a whole number`},
		{name: "nothing in the environment", spec: "auto", want: "--shard auto: no shard in the environment: set GRANTCHECK_SHARD_INDEX"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s, err := parseShard(tc.spec, tc.total, envOf(tc.env))
			got := s.String()
			if err != nil {
				got = err.Error()
				if strings.Contains(got, "\n") {
					t.Errorf("the error is more than one line: %q", got)
				}
			}
			if !strings.HasPrefix(got, tc.want) || (err == nil) != !strings.HasPrefix(tc.want, "--") {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

// TestShardsPartitionTheClients: the parts of N are disjoint and cover every client, and a client
// keeps its part when others are added (it depends on its client_id alone).
func TestShardsPartitionTheClients(t *testing.T) {
	var clients []*config.Client
	for i := range 200 {
		clients = append(clients, &config.Client{ClientID: fmt.Sprintf("app-%d", i)})
	}
	for _, n := range []int{1, 2, 4, 7} {
		seen := map[string]int{}
		for k := 1; k <= n; k++ {
			part := shard{k, n}.Pick(clients)
			if n == 4 && (len(part) < 30 || len(part) > 70) {
				t.Errorf("part %d/4 holds %d of 200 clients: badly balanced", k, len(part))
			}
			for _, c := range part {
				seen[c.ClientID]++
			}
		}
		for _, c := range clients {
			if seen[c.ClientID] != 1 {
				t.Fatalf("%d parts: %s is in %d parts", n, c.ClientID, seen[c.ClientID])
			}
		}
	}
	before := shard{3, 4}.Pick(clients[:100])
	after := shard{3, 4}.Pick(clients)
	for i, c := range before {
		if after[i] != c {
			t.Fatalf("adding clients moved %s out of its part", c.ClientID)
		}
	}
}

// TestShardedAuditMergedEqualsOneRun: four parts of an audit, merged, give what one run gives: the
// same verdict for every client and check, the same findings and the same exit status.
func TestShardedAuditMergedEqualsOneRun(t *testing.T) {
	if testing.Short() {
		t.Skip("audits 50 clients five times")
	}
	const fault = "audit-one-redirect-prefix"
	root := t.TempDir()
	one := filepath.Join(root, "one")
	out, oneCode := grantcheck(t, nil, "", "audit", "--clients", "50", "--fault", fault, "--reports", one)
	if oneCode != exitNotConformant {
		t.Fatalf("one run: exit %d:\n%s", oneCode, out)
	}
	var parts []string
	for k := 1; k <= 4; k++ {
		dir := filepath.Join(root, fmt.Sprintf("part%d", k))
		if out, code := grantcheck(t, nil, "", "audit", "--clients", "50", "--fault", fault, "--shard", fmt.Sprintf("%d/4", k), "--reports", dir); code == exitUsage {
			t.Fatalf("part %d: exit %d:\n%s", k, code, out)
		}
		parts = append(parts, filepath.Join(dir, "results.json"))
	}
	merged := filepath.Join(root, "merged")
	out, mergedCode := grantcheck(t, nil, "", append([]string{"merge", "--reports", merged}, parts...)...)
	if mergedCode != oneCode {
		t.Errorf("merge exit %d, one run %d:\n%s", mergedCode, oneCode, out)
	}
	a, b := readResults(t, filepath.Join(one, "results.json")), readResults(t, filepath.Join(merged, "results.json"))
	if got, want := fmt.Sprint(verdicts(b)), fmt.Sprint(verdicts(a)); got != want {
		t.Errorf("merged verdicts differ from one run's:\n merged %s\n one    %s", got, want)
	}
	if got, want := findingsOf(b), findingsOf(a); got != want {
		t.Errorf("merged findings differ:\n merged %s\n one    %s", got, want)
	}
	if a.Outcome != b.Outcome || fmt.Sprint(a.Totals) != fmt.Sprint(b.Totals) {
		t.Errorf("merged %s %v, one run %s %v", b.Outcome, b.Totals, a.Outcome, a.Totals)
	}
	var ids []string
	for _, c := range b.Audit.Clients {
		ids = append(ids, c.ClientID)
	}
	var want []string
	for _, c := range a.Audit.Clients {
		want = append(want, c.ClientID)
	}
	if strings.Join(ids, ",") != strings.Join(want, ",") {
		t.Errorf("merged matrix rows %v, want the list order %v", ids, want)
	}
}

func findingsOf(run reports.Run) string {
	var b strings.Builder
	for _, f := range run.Findings {
		fmt.Fprintf(&b, "%s %s %s %v; ", f.ID, f.Kind, f.Title, f.Scenarios)
	}
	return b.String()
}

// TestMergeRefusesMismatchedResults: results of another schema or catalogue are one-line errors
// naming the file; results of different providers become a provider × scenario comparison.
func TestMergeRefusesMismatchedResults(t *testing.T) {
	if testing.Short() {
		t.Skip("audits clients")
	}
	root := t.TempDir()
	clean, broken := filepath.Join(root, "clean"), filepath.Join(root, "broken")
	grantcheck(t, nil, "", "audit", "--clients", "8", "--reports", clean)
	grantcheck(t, nil, "", "audit", "--clients", "8", "--fault", "audit-one-redirect-prefix", "--reports", broken)
	data, err := os.ReadFile(filepath.Join(clean, "results.json"))
	if err != nil {
		t.Fatal(err)
	}
	write := func(name, from, to string) string {
		path := filepath.Join(root, name)
		if err := os.WriteFile(path, []byte(strings.Replace(string(data), from, to, 1)), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	run := readResults(t, filepath.Join(clean, "results.json"))
	otherSchema := write("schema.json", reports.Schema, "grantcheck.report/v1")
	otherCatalogue := write("catalogue.json", `"catalogue": "`+run.Catalogue+`"`, `"catalogue": "000000000000"`)
	for _, tc := range []struct{ file, want string }{
		{otherSchema, "grantcheck: merge: " + otherSchema + `: reading grantcheck report: schema "grantcheck.report/v1", want "` + reports.Schema + `"`},
		{otherCatalogue, "grantcheck: merge: " + otherCatalogue + " was judged by catalogue 000000000000, " + filepath.Join(clean, "results.json") + " by " + run.Catalogue},
	} {
		out, code := grantcheck(t, nil, "", "merge", "--reports", filepath.Join(root, "out"), filepath.Join(clean, "results.json"), tc.file)
		if code != exitUsage || !strings.HasPrefix(out, tc.want) || strings.Count(strings.TrimSpace(out), "\n") > 0 {
			t.Errorf("exit %d, want %d and one line starting %q:\n%s", code, exitUsage, tc.want, out)
		}
	}
	out, code := grantcheck(t, nil, "", "merge", "--reports", filepath.Join(root, "cmp"), filepath.Join(clean, "results.json"), filepath.Join(broken, "results.json"))
	if code != exitNotConformant || !strings.Contains(out, "2 providers compared") {
		t.Fatalf("exit %d, want %d and a comparison:\n%s", code, exitNotConformant, out)
	}
	md, err := os.ReadFile(filepath.Join(root, "cmp", "comparison.md"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(md), "| client-06\\: audit-authz-redirect/trailing-slash **≠** | MUST | PASS | FAIL:security |") {
		t.Errorf("comparison.md does not set the providers' verdicts side by side:\n%s", md)
	}
}
