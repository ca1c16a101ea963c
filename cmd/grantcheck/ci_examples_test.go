package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/grantcheck/grantcheck/fixtures/reference"
)

// ciExamples are the README's CI setups, each the YAML block after <!-- ci-example: NAME -->.
func ciExamples(t *testing.T) map[string]string {
	t.Helper()
	data, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, m := range regexp.MustCompile("(?s)<!-- ci-example: ([a-z]+) -->\n```yaml\n(.*?)\n```").FindAllStringSubmatch(string(data), -1) {
		out[m[1]] = m[2]
	}
	for _, name := range []string{"github", "gitlab", "kubernetes"} {
		if out[name] == "" {
			t.Fatalf("README.md has no <!-- ci-example: %s --> YAML block", name)
		}
	}
	return out
}

// shardEnv clears every variable --shard auto reads, so the machine running the test (a CI job
// itself) cannot leak its own shard into the example's.
var shardEnv = []string{envShardIndex + "=", envShardTotal + "=", envGitLabIndex + "=", envGitLabTotal + "=", envK8sIndex + "="}

// runLine runs one command line of an example (a grantcheck command, words split at spaces, as
// the examples write them) in dir; other commands (installing grantcheck) are skipped.
func runLine(t *testing.T, dir string, env []string, line string) (string, int, bool) {
	t.Helper()
	words := strings.Fields(line)
	if len(words) == 0 || words[0] != "grantcheck" {
		return "", 0, false
	}
	out, code := grantcheck(t, append(append([]string{}, shardEnv...), env...), dir, words[1:]...)
	return out, code, true
}

// exampleFixture is a tenant of 50 clients, one misconfigured, and the audit of all of them in
// one run, which every example's merged result must equal.
type exampleFixture struct {
	config []byte
	want   map[string]string
	code   int
}

func TestCIExamplesRunLocally(t *testing.T) {
	if testing.Short() {
		t.Skip("audits 50 clients in parts, three times")
	}
	examples := ciExamples(t)
	srv, err := reference.Start(reference.Options{ExtraClients: 50, Fault: "audit-one-redirect-prefix"})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	fx := exampleFixture{config: srv.ConfigYAML()}
	{
		dir := t.TempDir()
		writeFile(t, filepath.Join(dir, "grantcheck.yaml"), fx.config)
		out, code := grantcheck(t, shardEnv, dir, "audit", "--config", "grantcheck.yaml", "--reports", "one")
		if code == exitUsage {
			t.Fatalf("one run: %s", out)
		}
		fx.want, fx.code = verdicts(readResults(t, filepath.Join(dir, "one", "results.json"))), code
	}
	t.Run("github", func(t *testing.T) { githubExample(t, examples["github"], fx) })
	t.Run("gitlab", func(t *testing.T) { gitlabExample(t, examples["gitlab"], fx) })
	t.Run("kubernetes", func(t *testing.T) { kubernetesExample(t, examples["kubernetes"], fx) })
}

// checkMerged: the example's merge exits as one run does and holds the same verdicts.
func checkMerged(t *testing.T, fx exampleFixture, out string, code int, results string) {
	t.Helper()
	if code != fx.code {
		t.Errorf("merge exit %d, one run %d:\n%s", code, fx.code, out)
	}
	if got, want := fmt.Sprint(verdicts(readResults(t, results))), fmt.Sprint(fx.want); got != want {
		t.Errorf("the merged verdicts differ from one run's:\n merged %s\n one    %s", got, want)
	}
}

func writeFile(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
}

var githubExpr = regexp.MustCompile(`\$\{\{\s*([^}]+?)\s*\}\}`)

type githubStep struct {
	Uses string            `yaml:"uses"`
	Run  string            `yaml:"run"`
	If   string            `yaml:"if"`
	With map[string]string `yaml:"with"`
}

type githubJob struct {
	Needs    string `yaml:"needs"`
	If       string `yaml:"if"`
	Strategy struct {
		Matrix map[string][]any `yaml:"matrix"`
	} `yaml:"strategy"`
	Env   map[string]string `yaml:"env"`
	Steps []githubStep      `yaml:"steps"`
}

// githubExample runs the matrix's jobs one by one with the values GitHub gives each (strategy.
// job-index from 0, job-total, matrix.shard), moves each uploaded folder where download-artifact
// puts it (PATH/NAME/), then runs the merge job.
func githubExample(t *testing.T, text string, fx exampleFixture) {
	var wf struct {
		Jobs map[string]githubJob `yaml:"jobs"`
	}
	if err := yaml.Unmarshal([]byte(text), &wf); err != nil {
		t.Fatalf("the workflow is not YAML: %v", err)
	}
	audit, merge := wf.Jobs["audit"], wf.Jobs["merge"]
	shards := audit.Strategy.Matrix["shard"]
	if len(shards) < 2 || merge.Needs != "audit" || merge.If != "always()" {
		t.Fatalf("want an audit job with a shard matrix and a merge job that needs it and runs always: %+v", wf.Jobs)
	}
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "grantcheck.yaml"), fx.config)
	var download githubStep
	for _, s := range merge.Steps {
		if strings.HasPrefix(s.Uses, "actions/download-artifact") {
			download = s
		}
	}
	for i, shard := range shards {
		vars := map[string]string{"strategy.job-index": strconv.Itoa(i), "strategy.job-total": strconv.Itoa(len(shards)),
			"matrix.shard": fmt.Sprint(shard)}
		expand := func(s string) string {
			return githubExpr.ReplaceAllStringFunc(s, func(m string) string {
				key := githubExpr.FindStringSubmatch(m)[1]
				if v, ok := vars[key]; ok {
					return v
				}
				if strings.HasPrefix(key, "secrets.") {
					return ""
				}
				t.Fatalf("the workflow uses %s, which this test does not know", m)
				return ""
			})
		}
		var env []string
		for k, v := range audit.Env {
			env = append(env, k+"="+expand(v))
		}
		ran := false
		for _, s := range audit.Steps {
			if out, code, ok := runLine(t, dir, env, expand(s.Run)); ok {
				ran = true
				if code == exitUsage {
					t.Fatalf("shard %v: %s", shard, out)
				}
			}
			if strings.HasPrefix(s.Uses, "actions/upload-artifact") {
				if s.If != "always()" {
					t.Errorf("the upload of shard %v must run always: a part with findings fails its job", shard)
				}
				name, path := expand(s.With["name"]), strings.TrimSuffix(expand(s.With["path"]), "/")
				if matched, _ := filepath.Match(download.With["pattern"], name); !matched {
					t.Fatalf("artifact %s does not match the download pattern %q", name, download.With["pattern"])
				}
				if err := os.MkdirAll(filepath.Join(dir, download.With["path"]), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.Rename(filepath.Join(dir, path), filepath.Join(dir, download.With["path"], name)); err != nil {
					t.Fatal(err)
				}
			}
		}
		if !ran {
			t.Fatal("the audit job runs no grantcheck command")
		}
	}
	for _, s := range merge.Steps {
		if out, code, ok := runLine(t, dir, nil, s.Run); ok {
			checkMerged(t, fx, out, code, filepath.Join(dir, reportsOf(t, s.Run), "results.json"))
			return
		}
	}
	t.Fatal("the merge job runs no grantcheck command")
}

// reportsOf is the --reports folder of a command line.
func reportsOf(t *testing.T, line string) string {
	words := strings.Fields(line)
	for i, w := range words {
		if w == "--reports" && i+1 < len(words) {
			return words[i+1]
		}
	}
	t.Fatalf("%q names no --reports folder", line)
	return ""
}

type gitlabJob struct {
	Stage    string   `yaml:"stage"`
	Parallel int      `yaml:"parallel"`
	When     string   `yaml:"when"`
	Script   []string `yaml:"script"`
}

// gitlabExample runs the parallel job's script once per node (CI_NODE_INDEX from 1), in one
// workspace (the merge job receives every node's artifacts), then the merge job's script.
func gitlabExample(t *testing.T, text string, fx exampleFixture) {
	// stages: is a list and the jobs are mappings: read stages, then decode each job.
	var doc map[string]yaml.Node
	if err := yaml.Unmarshal([]byte(text), &doc); err != nil {
		t.Fatalf("the pipeline is not YAML: %v", err)
	}
	var stages []string
	if n, ok := doc["stages"]; ok {
		if err := n.Decode(&stages); err != nil {
			t.Fatal(err)
		}
	}
	pipeline := map[string]gitlabJob{}
	for name, node := range doc {
		if name == "stages" {
			continue
		}
		var job gitlabJob
		if err := node.Decode(&job); err != nil {
			t.Fatalf("job %s: %v", name, err)
		}
		pipeline[name] = job
	}
	audit, merge := pipeline["audit"], pipeline["merge"]
	if audit.Parallel < 2 || merge.When != "always" || len(stages) != 2 || audit.Stage != stages[0] || merge.Stage != stages[1] {
		t.Fatalf("want a parallel audit job and a merge job in the next stage that runs always: %+v %v", pipeline, stages)
	}
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "grantcheck.yaml"), fx.config)
	for i := 1; i <= audit.Parallel; i++ {
		env := map[string]string{envGitLabIndex: strconv.Itoa(i), envGitLabTotal: strconv.Itoa(audit.Parallel)}
		for _, line := range audit.Script {
			line = os.Expand(line, func(k string) string { return env[k] })
			if out, code, ok := runLine(t, dir, []string{envGitLabIndex + "=" + env[envGitLabIndex], envGitLabTotal + "=" + env[envGitLabTotal]}, line); ok && code == exitUsage {
				t.Fatalf("node %d: %s", i, out)
			}
		}
	}
	for _, line := range merge.Script {
		if out, code, ok := runLine(t, dir, nil, line); ok {
			checkMerged(t, fx, out, code, filepath.Join(dir, reportsOf(t, line), "results.json"))
			return
		}
	}
	t.Fatal("the merge job runs no grantcheck command")
}

type k8sJob struct {
	Kind     string `yaml:"kind"`
	Metadata struct {
		Name string `yaml:"name"`
	} `yaml:"metadata"`
	Spec struct {
		CompletionMode string `yaml:"completionMode"`
		Completions    int    `yaml:"completions"`
		Parallelism    int    `yaml:"parallelism"`
		Template       struct {
			Spec struct {
				Containers []struct {
					WorkingDir string   `yaml:"workingDir"`
					Command    []string `yaml:"command"`
				} `yaml:"containers"`
			} `yaml:"spec"`
		} `yaml:"template"`
	} `yaml:"spec"`
}

var k8sVar = regexp.MustCompile(`\$\(([A-Z_][A-Z0-9_]*)\)`)

// kubernetesExample runs each index of the Indexed Job (JOB_COMPLETION_INDEX from 0, and
// $(VAR) in the command expanded as Kubernetes does), then the merge Job, in one folder standing
// for the working directory with its volumes.
func kubernetesExample(t *testing.T, text string, fx exampleFixture) {
	var jobs []k8sJob
	dec := yaml.NewDecoder(strings.NewReader(text))
	for {
		var j k8sJob
		err := dec.Decode(&j)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("the manifest is not YAML: %v", err)
		}
		jobs = append(jobs, j)
	}
	if len(jobs) != 2 || jobs[0].Kind != "Job" || jobs[0].Spec.CompletionMode != "Indexed" || jobs[0].Spec.Completions < 2 ||
		len(jobs[0].Spec.Template.Spec.Containers) != 1 || len(jobs[1].Spec.Template.Spec.Containers) != 1 {
		t.Fatalf("want an Indexed Job of several completions and a merge Job: %+v", jobs)
	}
	audit, merge := jobs[0].Spec.Template.Spec.Containers[0].Command, jobs[1].Spec.Template.Spec.Containers[0].Command
	total := ""
	for i, w := range audit {
		if w == "--shard-total" && i+1 < len(audit) {
			total = audit[i+1]
		}
	}
	if total != strconv.Itoa(jobs[0].Spec.Completions) {
		t.Fatalf("--shard-total %q must be the Job's completions %d", total, jobs[0].Spec.Completions)
	}
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "config", "grantcheck.yaml"), fx.config)
	for i := 0; i < jobs[0].Spec.Completions; i++ {
		var line bytes.Buffer
		for _, w := range audit {
			line.WriteString(k8sVar.ReplaceAllStringFunc(w, func(m string) string {
				if k8sVar.FindStringSubmatch(m)[1] == envK8sIndex {
					return strconv.Itoa(i)
				}
				return m
			}) + " ")
		}
		if out, code, _ := runLine(t, dir, []string{envK8sIndex + "=" + strconv.Itoa(i)}, line.String()); code == exitUsage {
			t.Fatalf("index %d: %s", i, out)
		}
	}
	out, code, _ := runLine(t, dir, nil, strings.Join(merge, " "))
	checkMerged(t, fx, out, code, filepath.Join(dir, reportsOf(t, strings.Join(merge, " ")), "results.json"))
}
