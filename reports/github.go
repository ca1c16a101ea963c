package reports

import (
	"fmt"
	"io"
	"strings"

	"github.com/grantcheck/grantcheck/harness/safetext"
)

// WriteGitHubAnnotations prints one workflow command per finding, which GitHub Actions shows as an
// annotation on the run: ::error for FAIL and ERROR findings, ::warning for WARN ones.
func WriteGitHubAnnotations(w io.Writer, run Run) error {
	var b strings.Builder
	for _, f := range run.Findings {
		level := "error"
		if f.Kind == KindWarning {
			level = "warning"
		}
		// The title may quote the provider (an ERROR's cause, an observed answer): it goes into
		// the message as a code span, which reads as a quotation whether GitHub shows it as text
		// or a reporter renders it as Markdown.
		title := fmt.Sprintf("grantcheck %s %s", f.ID, f.Label())
		msg := fmt.Sprintf("%s — %d %s: %s. How to fix: %s", safetext.CodeSpan(f.Title), len(f.Scenarios),
			plural(len(f.Scenarios), "scenario", "scenarios"), f.ScenarioList(8), f.Fix)
		fmt.Fprintf(&b, "::%s title=%s::%s\n", level, escapeProperty(title), escapeData(msg))
	}
	for _, msg := range run.SuiteErrors {
		fmt.Fprintf(&b, "::error title=grantcheck suite error::%s\n", escapeData(safetext.CodeSpan(firstLine(msg))))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// escapeData and escapeProperty follow the workflow command encoding (as @actions/core does it).
var escapeData = strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace

var escapeProperty = strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace
