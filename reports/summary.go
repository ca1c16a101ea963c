package reports

import (
	"fmt"
	"io"
	"strings"

	"github.com/grantcheck/grantcheck/harness/verdict"
)

// WriteSummary writes the plain-text terminal summary: the findings first, then one line per
// result, suite errors, the totals line (its form is stable for scripts) and the outcome.
func WriteSummary(w io.Writer, run Run) error { return writeSummary(w, run, false) }

// WriteSummaryColor is WriteSummary with the result words coloured, for a terminal.
func WriteSummaryColor(w io.Writer, run Run) error { return writeSummary(w, run, true) }

var ansi = map[string]string{"PASS": "32", "FAIL": "31", "WARN": "33", "SKIP": "90", "ERROR": "35"}

func writeSummary(w io.Writer, run Run, color bool) error {
	paint := func(word, text string) string {
		code, ok := ansi[word]
		if !color || !ok {
			return text
		}
		return "\x1b[" + code + "m" + text + "\x1b[0m"
	}
	var b strings.Builder
	if len(run.Findings) > 0 {
		fmt.Fprintf(&b, "%d %s (from %d scenarios that did not pass):\n", len(run.Findings),
			plural(len(run.Findings), "finding", "findings"), run.FailingScenarios()+run.Totals[verdict.Error])
		labelWidth := 0
		for _, f := range run.Findings {
			labelWidth = max(labelWidth, len(f.Label()))
		}
		for _, f := range run.Findings {
			word, _, _ := strings.Cut(f.Label(), ":")
			fmt.Fprintf(&b, "  %-3s %s  %s\n", f.ID, paint(word, fmt.Sprintf("%-*s", labelWidth, f.Label())), firstLine(f.Title))
			indent := strings.Repeat(" ", 8+labelWidth)
			fmt.Fprintf(&b, "%s%d %s: %s\n", indent, len(f.Scenarios), plural(len(f.Scenarios), "scenario", "scenarios"), f.ScenarioList(4))
			if f.Fix != "" {
				fmt.Fprintf(&b, "%sfix: %s\n", indent, f.Fix)
			}
		}
		b.WriteString("\n")
	}
	width := 0
	for _, res := range run.Results {
		width = max(width, len(res.Key()))
	}
	for _, res := range run.Results {
		if res.Client != "" && !res.NeedsAttention() {
			continue // an audit's passes are counted, and shown in the reports' matrix
		}
		detail := res.Refs.String()
		if res.Verdict.Result != verdict.Pass {
			detail = summaryReason(res)
		}
		if res.Finding != "" {
			detail = res.Finding + " " + detail
		}
		word := string(res.Verdict.Result)
		fmt.Fprintf(&b, "%s %-7s %-*s  %s\n", paint(word, fmt.Sprintf("%-6s", word)), res.Level, width, res.Key(), detail)
	}
	for _, msg := range run.SuiteErrors {
		fmt.Fprintf(&b, "%s suite   %s\n", paint("ERROR", "ERROR "), firstLine(msg))
	}
	if run.Logins != nil {
		fmt.Fprintf(&b, "grantcheck: %s\n", run.Logins)
	}
	fmt.Fprintf(&b, "%s\ngrantcheck: %s\n", run.TotalsLine(), run.Outcome)
	_, err := io.WriteString(w, b.String())
	return err
}
