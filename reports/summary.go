package reports

import (
	"fmt"
	"io"
	"strings"

	"github.com/grantcheck/grantcheck/harness/verdict"
)

// WriteSummary writes the terminal summary: one line per result, suite errors, the totals line
// (its form is stable for scripts) and the outcome.
func WriteSummary(w io.Writer, run Run) error {
	width := 0
	for _, res := range run.Results {
		width = max(width, len(res.ID))
	}
	var b strings.Builder
	for _, res := range run.Results {
		detail := res.Refs.String()
		if res.Verdict.Result != verdict.Pass {
			detail = summaryReason(res)
		}
		fmt.Fprintf(&b, "%-6s %-7s %-*s  %s\n", res.Verdict.Result, res.Level, width, res.ID, detail)
	}
	for _, msg := range run.SuiteErrors {
		fmt.Fprintf(&b, "ERROR  suite   %s\n", firstLine(msg))
	}
	fmt.Fprintf(&b, "%s\ngrantcheck: %s\n", run.TotalsLine(), run.Outcome)
	_, err := io.WriteString(w, b.String())
	return err
}
