package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/grantcheck/grantcheck/fixtures/reference"
	"github.com/grantcheck/grantcheck/harness/catalog"
	"github.com/grantcheck/grantcheck/reports"
)

// childArgs, when set, makes the test binary act as the grantcheck command: each suite run needs
// its own process (Ginkgo runs one suite per process), and this way the self-test needs no build.
const childArgs = "GRANTCHECK_SELFTEST_ARGS"

func TestMain(m *testing.M) {
	if raw := os.Getenv(childArgs); raw != "" {
		var args []string
		if err := json.Unmarshal([]byte(raw), &args); err != nil {
			fmt.Fprintf(os.Stderr, "%s: %v\n", childArgs, err)
			os.Exit(exitUsage)
		}
		os.Exit(Main(args, os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

// selfTestTTL keeps each run short; the expiry wait overlaps the rest of the run.
const selfTestTTL = "2s"

// child is what one `grantcheck run` left behind.
type child struct {
	run    reports.Run
	dir    string // the reports folder
	output string // stdout and stderr
	exit   int
}

// runChild runs `grantcheck run ARGS` in a child process and reads its report model.
func runChild(t *testing.T, args ...string) child {
	t.Helper()
	return runChildEnv(t, nil, args...)
}

// runChildEnv is runChild with extra environment variables (e.g. GITHUB_ACTIONS).
func runChildEnv(t *testing.T, env []string, args ...string) child {
	t.Helper()
	dir := t.TempDir()
	args = append(args, "--reports", dir)
	out, code := grantcheck(t, env, "", append([]string{"run"}, args...)...)
	if code != exitConformant && code != exitNotConformant {
		t.Fatalf("grantcheck %s: exit %d\n%s", strings.Join(args, " "), code, out)
	}
	f, err := os.Open(filepath.Join(dir, "results.json"))
	if err != nil {
		t.Fatalf("grantcheck %s wrote no results.json: %v\n%s", strings.Join(args, " "), err, out)
	}
	defer f.Close()
	run, err := reports.ReadJSON(f)
	if err != nil {
		t.Fatalf("read results.json: %v", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "stdout.txt"), []byte(out), 0o644); err != nil {
		t.Fatal(err)
	}
	return child{run: run, dir: dir, output: out, exit: code}
}

// matcherDump is how Gomega's own failure messages look ("Expected\n    <[]string | len:1>: …").
var matcherDump = regexp.MustCompile(`(?m)^\s*Expected\s*\n\s+<|to be empty$|to equal\n`)

// mismatches compares every catalogue entry's verdict with the expectation (PASS unless listed).
func mismatches(run reports.Run, want map[string]string) []string {
	got := map[string]string{}
	for _, r := range run.Results {
		got[r.ID] = r.Verdict.String()
	}
	var diff []string
	for _, e := range catalog.Entries() {
		w := want[e.ID]
		if w == "" {
			w = "PASS"
		}
		if g := got[e.ID]; g != w {
			reason := ""
			for _, r := range run.Results {
				if r.ID == e.ID && r.Verdict.Reason != "" {
					reason = " — " + firstLine(r.Verdict.Reason)
				}
			}
			diff = append(diff, fmt.Sprintf("%s: want %s, got %s%s", e.ID, w, orNone(g), reason))
		}
	}
	known := map[string]bool{}
	for _, e := range catalog.Entries() {
		known[e.ID] = true
	}
	for id := range want {
		if !known[id] {
			diff = append(diff, fmt.Sprintf("%s: declared but not in the catalogue", id))
		}
	}
	for _, r := range run.Results {
		// A WARN is a broken SHOULD: its reason must not claim a MUST was broken.
		if r.Verdict.Result == "WARN" && strings.Contains(strings.ToLower(firstLine(r.Verdict.Reason)), "must") {
			diff = append(diff, fmt.Sprintf("%s: WARN whose reason says must: %s", r.ID, firstLine(r.Verdict.Reason)))
		}
		// A reason is a sentence a person reads, never a Gomega matcher's dump of Go values.
		if matcherDump.MatchString(r.Verdict.Reason) {
			diff = append(diff, fmt.Sprintf("%s: the reason is a matcher dump: %.200q", r.ID, r.Verdict.Reason))
		}
	}
	diff = append(diff, run.SuiteErrors...)
	slices.Sort(diff)
	return diff
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

func orNone(s string) string {
	if s == "" {
		return "no result"
	}
	return s
}

// TestSelfTest runs the suite against the clean reference provider and once per fault: each fault
// must make exactly its declared scenarios fail (with the declared category) and leave every other
// scenario passing. The mutation score is the share of faults the suite catches that way.
func TestSelfTest(t *testing.T) {
	if testing.Short() {
		t.Skip("the self-test runs the whole suite once per fault")
	}
	faults := reference.Faults()
	if len(faults) < 15 {
		t.Errorf("only %d faults; the self-test needs at least 15", len(faults))
	}
	var mu sync.Mutex
	caught, ran := 0, 0
	t.Run("runs", func(t *testing.T) {
		t.Run("clean", func(t *testing.T) {
			t.Parallel()
			c := runChild(t, "--code-ttl", selfTestTTL)
			if diff := mismatches(c.run, nil); len(diff) > 0 {
				t.Errorf("the clean reference provider must pass every scenario:\n  %s", strings.Join(diff, "\n  "))
			}
		})
		for _, f := range faults {
			t.Run(f.Name, func(t *testing.T) {
				t.Parallel()
				mu.Lock()
				ran++
				mu.Unlock()
				if len(f.Breaks) == 0 && !f.Legal {
					t.Fatalf("fault %s declares no scenario it breaks", f.Name)
				}
				c := runChild(t, "--code-ttl", selfTestTTL, "--fault", f.Name)
				if diff := mismatches(c.run, f.Breaks); len(diff) > 0 {
					t.Errorf("fault %s (%s):\n  %s", f.Name, f.Description, strings.Join(diff, "\n  "))
					return
				}
				mu.Lock()
				caught++
				mu.Unlock()
			})
		}
	})
	if ran == 0 {
		return // -run chose none of the faults
	}
	// The score is over the faults that ran: -run 'TestSelfTest/runs/<fault>' checks one fault
	// without the others counting as missed.
	score := 100 * float64(caught) / float64(ran)
	selected := ""
	if ran < len(faults) {
		selected = fmt.Sprintf(" (%d of the %d faults selected)", ran, len(faults))
	}
	fmt.Printf("mutation score: %d/%d faults caught exactly as declared (%.0f%%)%s\n", caught, ran, score, selected)
	if caught != ran {
		t.Errorf("mutation score %.0f%%: every fault must be caught exactly as declared", score)
	}
}
