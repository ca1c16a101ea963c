package reports

import (
	"io"
	"strings"
	"text/template"

	"github.com/grantcheck/grantcheck/harness/catalog"
	"github.com/grantcheck/grantcheck/harness/safetext"
)

var markdownTemplate = template.Must(template.New("report.md.tmpl").
	Funcs(documentFuncs).
	Funcs(template.FuncMap{"cell": markdownCell, "fence": markdownFence, "fenceAs": safetext.CodeBlock, "code": safetext.CodeSpan, "mdrefs": markdownRefs, "fileHref": FileHref}).
	ParseFS(templates, "templates/report.md.tmpl", "templates/audit.md.tmpl"))

// markdownDoc is the template's data: the run, and whether to leave out the evidence.
type markdownDoc struct {
	Run
	Compact bool
}

// WriteMarkdown writes the conformance report a third party reads: the outcome, the findings with
// why, fix and a reproduction, every result by family, the evidence of every result that needs
// attention, and how to reproduce the run.
func WriteMarkdown(w io.Writer, run Run) error {
	return markdownTemplate.Execute(w, markdownDoc{Run: run})
}

// WriteMarkdownSummary is the report without evidence and run details, for CI summaries
// (GITHUB_STEP_SUMMARY is capped at 1 MiB per step).
func WriteMarkdownSummary(w io.Writer, run Run) error {
	return markdownTemplate.Execute(w, markdownDoc{Run: run, Compact: true})
}

// markdownCell renders any text (above all the provider's) as literal inline Markdown that stays
// inside its table cell or line.
var markdownCell = safetext.Markdown

// markdownRefs links each reference to its section.
func markdownRefs(refs catalog.Refs) string {
	parts := make([]string, len(refs))
	for i, ref := range refs {
		parts[i] = markdownCell(ref.String())
		if u := RefURL(ref); u != "" {
			parts[i] = "[" + parts[i] + "](" + u + ")"
		}
	}
	return strings.Join(parts, ", ")
}

func markdownFence(text string) string { return safetext.CodeBlock("text", text) }
