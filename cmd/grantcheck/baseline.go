package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/grantcheck/grantcheck/reports"
)

// loadBaseline reads the --baseline file of run, audit and merge; none when path is empty.
func loadBaseline(path string) (*reports.Baseline, error) {
	if path == "" {
		return nil, nil
	}
	b, err := reports.LoadBaseline(path)
	if err != nil {
		return nil, err
	}
	return &b, nil
}

// verdictExit compares with the baseline when there is one, else judges the outcome: only
// conformant (with or without warnings) exits 0; under --strict a WARN is a FAIL already.
func verdictExit(stdout io.Writer, run reports.Run, baseline *reports.Baseline, path string) int {
	if baseline != nil {
		if diff := baseline.Compare(run); len(diff) > 0 {
			fmt.Fprintf(stdout, "grantcheck: %d differences from the baseline %s:\n  %s\n", len(diff), path, strings.Join(diff, "\n  "))
			return exitNotConformant
		}
		fmt.Fprintf(stdout, "grantcheck: every verdict matches the baseline %s\n", path)
		return exitConformant
	}
	if !run.Outcome.Passed() {
		return exitNotConformant
	}
	return exitConformant
}

// writeAndJudge ends audit and merge: the CI annotations, the report files, and the exit status.
func writeAndJudge(stdout io.Writer, dir string, run reports.Run, baseline *reports.Baseline, path string) (int, error) {
	if err := writeCI(stdout, run); err != nil {
		return exitUsage, err
	}
	paths, err := reports.WriteAll(dir, run)
	if err != nil {
		return exitUsage, fmt.Errorf("write reports: %w", err)
	}
	fmt.Fprintf(stdout, "reports: %s/ (%d files)\n", shownDir(dir), len(paths))
	return verdictExit(stdout, run, baseline, path), nil
}
