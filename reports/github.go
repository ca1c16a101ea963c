package reports

import (
	"fmt"
	"io"
	"strings"
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
		title := fmt.Sprintf("grantcheck %s %s: %s", f.ID, f.Label(), f.Title)
		msg := fmt.Sprintf("%d %s: %s. How to fix: %s", len(f.Scenarios),
			plural(len(f.Scenarios), "scenario", "scenarios"), f.ScenarioList(8), f.Fix)
		fmt.Fprintf(&b, "::%s title=%s::%s\n", level, escapeProperty(title), escapeData(msg))
	}
	for _, msg := range run.SuiteErrors {
		fmt.Fprintf(&b, "::error title=grantcheck suite error::%s\n", escapeData(firstLine(msg)))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// escapeData and escapeProperty follow the workflow command encoding (as @actions/core does it).
var escapeData = strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace

var escapeProperty = strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace
