package reports

import (
	"io"
	"strings"
	"text/template"

	"github.com/grantcheck/grantcheck/harness/catalog"
)

var markdownTemplate = template.Must(template.New("report.md.tmpl").
	Funcs(documentFuncs).
	Funcs(template.FuncMap{"cell": markdownCell, "fence": markdownFence, "fenceAs": markdownFenceAs, "mdrefs": markdownRefs, "fileHref": FileHref}).
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

// markdownCell keeps provider-supplied text from breaking the table or injecting HTML.
var markdownCell = strings.NewReplacer("|", `\|`, "\r\n", " ", "\n", " ", "\r", " ", "<", "&lt;", ">", "&gt;").Replace

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

func markdownFence(text string) string { return markdownFenceAs("text", text) }

// markdownFenceAs wraps text in a code block whose fence is longer than any backtick run in the
// text, so a transcript cannot close its own block.
func markdownFenceAs(lang, text string) string {
	longest, run := 0, 0
	for _, c := range text {
		if c == '`' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	fence := strings.Repeat("`", max(3, longest+1))
	return fence + lang + "\n" + strings.TrimRight(text, "\n") + "\n" + fence
}
