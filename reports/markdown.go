package reports

import (
	"io"
	"strings"
	"text/template"
)

var markdownTemplate = template.Must(template.New("report.md.tmpl").
	Funcs(documentFuncs).
	Funcs(template.FuncMap{"cell": markdownCell, "fence": markdownFence}).
	ParseFS(templates, "templates/report.md.tmpl"))

// WriteMarkdown writes the conformance report a third party reads: the run, totals, one table row
// per result, the evidence of every result that needs attention, and how to reproduce the run.
func WriteMarkdown(w io.Writer, run Run) error {
	return markdownTemplate.Execute(w, run)
}

// markdownCell keeps provider-supplied text from breaking the table or injecting HTML.
var markdownCell = strings.NewReplacer("|", `\|`, "\r\n", " ", "\n", " ", "\r", " ", "<", "&lt;", ">", "&gt;").Replace

// markdownFence wraps text in a code block whose fence is longer than any backtick run in the text,
// so a transcript cannot close its own block.
func markdownFence(text string) string {
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
	return fence + "text\n" + strings.TrimRight(text, "\n") + "\n" + fence
}
