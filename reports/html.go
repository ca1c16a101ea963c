package reports

import (
	"html/template"
	"io"
	"strings"

	"github.com/grantcheck/grantcheck/harness/catalog"
	"github.com/grantcheck/grantcheck/harness/verdict"
)

var htmlTemplate = template.Must(template.New("report.html.tmpl").
	Funcs(documentFuncs).
	Funcs(template.FuncMap{"refs": htmlRefs,
		// A path the harness chose, never the provider's: a file: URL is meant.
		"fileHref": func(f verdict.File) template.URL { return template.URL(FileHref(f)) }}).
	ParseFS(templates, "templates/report.html.tmpl", "templates/audit.html.tmpl"))

// WriteHTML writes the report as one self-contained page (inline CSS, SVG and a few lines of
// script; nothing loaded from the network): the outcome, the findings, then every scenario by
// family with filters, transcripts collapsed.
func WriteHTML(w io.Writer, run Run) error {
	return htmlTemplate.Execute(w, run)
}

// htmlRefs links each reference to its section.
func htmlRefs(refs catalog.Refs) template.HTML {
	parts := make([]string, len(refs))
	for i, ref := range refs {
		text := template.HTMLEscapeString(ref.String())
		if u := RefURL(ref); u != "" {
			parts[i] = `<a href="` + template.HTMLEscapeString(u) + `">` + text + `</a>`
		} else {
			parts[i] = text
		}
	}
	return template.HTML(strings.Join(parts, ", "))
}
