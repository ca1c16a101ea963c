package reports

import (
	"html/template"
	"io"
)

var htmlTemplate = template.Must(template.New("report.html.tmpl").
	Funcs(documentFuncs).
	ParseFS(templates, "templates/report.html.tmpl"))

// WriteHTML writes the Markdown report's content as one self-contained, escaped HTML page.
func WriteHTML(w io.Writer, run Run) error {
	return htmlTemplate.Execute(w, run)
}
