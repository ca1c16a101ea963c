package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/grantcheck/grantcheck/reports"
)

// mergeCmd turns results.json files into one report set: the parts of a sharded audit (or run)
// into the report one run would have written; runs of different providers into a provider ×
// scenario comparison besides each provider's merged reports.
func mergeCmd(args []string, stdout, stderr io.Writer) (int, error) {
	fs := flag.NewFlagSet("merge", flag.ContinueOnError)
	fs.SetOutput(stderr)
	reportDir := fs.String("reports", "grantcheck-reports", "folder for the merged reports")
	baselinePath := fs.String("baseline", "", "expected verdicts: exit 0 when the merged results match them, 1 on any difference")
	if err := fs.Parse(args); err != nil {
		return exitUsage, err
	}
	files, err := resultFiles(fs.Args())
	if err != nil {
		return exitUsage, err
	}
	baseline, err := loadBaseline(*baselinePath)
	if err != nil {
		return exitUsage, err
	}
	runs := make([]reports.Run, len(files))
	for i, name := range files {
		f, err := os.Open(name)
		if err != nil {
			return exitUsage, fmt.Errorf("merge: %w", err)
		}
		runs[i], err = reports.ReadJSON(f)
		f.Close()
		if err != nil {
			return exitUsage, fmt.Errorf("merge: %s: %w", name, err)
		}
		if runs[i].Catalogue != runs[0].Catalogue {
			return exitUsage, fmt.Errorf("merge: %s was judged by catalogue %s, %s by %s: results of different catalogue versions cannot be merged (run every part with the same grantcheck)",
				name, orUnknown(runs[i].Catalogue), files[0], orUnknown(runs[0].Catalogue))
		}
	}
	// One provider's parts merge into one run; several providers are compared side by side.
	var order []string
	groups := map[string][]int{}
	for i, r := range runs {
		if _, ok := groups[r.Provider]; !ok {
			order = append(order, r.Provider)
		}
		groups[r.Provider] = append(groups[r.Provider], i)
	}
	dir, err := filepath.Abs(*reportDir)
	if err != nil {
		return exitUsage, fmt.Errorf("--reports %s: %w", *reportDir, err)
	}
	var merged []reports.Run
	for _, provider := range order {
		var names []string
		var parts []reports.Run
		for _, i := range groups[provider] {
			names, parts = append(names, files[i]), append(parts, runs[i])
		}
		run, err := reports.Merge(names, parts)
		if err != nil {
			return exitUsage, err
		}
		merged = append(merged, run)
	}
	if len(merged) == 1 {
		run := merged[0]
		fmt.Fprintf(stdout, "grantcheck: merged %d results of %s\n\n", len(files), run.Provider)
		if err := reports.WriteSummary(stdout, run); err != nil {
			return exitUsage, err
		}
		return writeAndJudge(stdout, dir, run, baseline, *baselinePath)
	}
	if baseline != nil {
		return exitUsage, fmt.Errorf("merge: --baseline is for one provider's results; these are of %d providers", len(merged))
	}
	code := exitConformant
	for _, run := range merged {
		sub := filepath.Join(dir, slug(run.Provider))
		if _, err := reports.WriteAll(sub, run); err != nil {
			return exitUsage, fmt.Errorf("write reports: %w", err)
		}
		fmt.Fprintf(stdout, "grantcheck: %s: %s (%s)\n", run.Provider, run.Outcome, shownDir(sub))
		if !run.Outcome.Passed() {
			code = exitNotConformant
		}
	}
	cmp := reports.Compare(merged)
	for name, write := range map[string]func(io.Writer, reports.Comparison) error{
		"comparison.md": reports.WriteComparisonMarkdown, "comparison.json": reports.WriteComparisonJSON} {
		f, err := os.Create(filepath.Join(dir, name))
		if err != nil {
			return exitUsage, fmt.Errorf("--reports: %w", err)
		}
		err = write(f, cmp)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return exitUsage, fmt.Errorf("write %s: %w", name, err)
		}
	}
	differ := 0
	for _, row := range cmp.Rows {
		if row.Differs {
			differ++
		}
	}
	fmt.Fprintf(stdout, "grantcheck: %d providers compared, %d of %d results differ: %s\n", len(merged), differ, len(cmp.Rows),
		filepath.Join(shownDir(dir), "comparison.md"))
	return code, nil
}

func orUnknown(s string) string {
	if s == "" {
		return "(none: written by an older grantcheck)"
	}
	return s
}

var notSlug = regexp.MustCompile(`[^a-z0-9]+`)

// slug is a folder name for a provider's reports.
func slug(s string) string {
	s = strings.Trim(notSlug.ReplaceAllString(strings.ToLower(s), "-"), "-")
	if s == "" {
		return "provider"
	}
	return s
}

// resultFiles are the files to merge: each argument a results.json, or a folder whose
// subfolders hold one each (where a CI system left the parts: shards/1/results.json, …).
func resultFiles(args []string) ([]string, error) {
	if len(args) == 0 {
		return nil, fmt.Errorf("merge: name the results.json files (or a folder of parts) to merge")
	}
	var out []string
	for _, a := range args {
		fi, err := os.Stat(a)
		if err != nil {
			return nil, fmt.Errorf("merge: %w", err)
		}
		if !fi.IsDir() {
			out = append(out, a)
			continue
		}
		found, _ := filepath.Glob(filepath.Join(a, "*", "results.json"))
		if len(found) == 0 {
			return nil, fmt.Errorf("merge: %s holds no */results.json", a)
		}
		out = append(out, found...)
	}
	return out, nil
}
