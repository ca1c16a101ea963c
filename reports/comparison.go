package reports

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// WriteComparisonMarkdown writes the provider × scenario matrix, rows that differ marked.
func WriteComparisonMarkdown(w io.Writer, c Comparison) error {
	var b strings.Builder
	b.WriteString("# grantcheck comparison\n\n")
	b.WriteString("| Provider | Issuer | grantcheck | Outcome | Passed | Failed | Warned | Skipped | Errored |\n|---|---|---|---|---|---|---|---|---|\n")
	for _, r := range c.Runs {
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %d | %d | %d | %d | %d |\n", markdownCell(r.Provider), markdownCell(r.Issuer),
			markdownCell(r.GrantcheckVersion), r.Outcome, r.Totals["PASS"], r.Totals["FAIL"], r.Totals["WARN"], r.Totals["SKIP"], r.Totals["ERROR"])
	}
	b.WriteString("\n| Scenario | Level |")
	for _, r := range c.Runs {
		b.WriteString(" " + markdownCell(r.Provider) + " |")
	}
	b.WriteString("\n|---|---|" + strings.Repeat("---|", len(c.Runs)) + "\n")
	for _, row := range c.Rows {
		mark := ""
		if row.Differs {
			mark = " **≠**"
		}
		fmt.Fprintf(&b, "| %s%s | %s |", markdownCell(row.Key), mark, row.Level)
		for _, v := range row.Verdicts {
			if v == "" {
				v = "–"
			}
			b.WriteString(" " + v + " |")
		}
		b.WriteString("\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// WriteComparisonJSON writes the comparison for tools.
func WriteComparisonJSON(w io.Writer, c Comparison) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(struct {
		Schema string `json:"schema"`
		Comparison
	}{"grantcheck.comparison/v1", c})
}
