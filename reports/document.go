package reports

import (
	"embed"
	"strings"
	"time"

	"github.com/grantcheck/grantcheck/harness/verdict"
)

// The Markdown and HTML reports are one document in two notations; both templates read Run through
// the functions below, so they show the same content.
//
//go:embed templates
var templates embed.FS

// Attention lists the results a reader must look at, with their evidence.
func (r Run) Attention() []Result {
	var out []Result
	for _, res := range r.Results {
		if res.NeedsAttention() {
			out = append(out, res)
		}
	}
	return out
}

var documentFuncs = map[string]any{
	"date":     func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05 UTC") },
	"duration": func(d time.Duration) string { return d.Round(time.Millisecond).String() },
	"kinds":    func() []verdict.Result { return ResultKinds },
	"lower":    func(r verdict.Result) string { return strings.ToLower(string(r)) },
	"summary":  summaryReason,
	"head":     func(n int, s []string) []string { return s[:min(n, len(s))] },
	"tail":     func(n int, s []string) []string { return s[min(n, len(s)):] },
	"installVersion": func(v string) string {
		if v == "" || v == "dev" { // a development build has no version to install
			return "latest"
		}
		return v
	},
}

// summaryReason is the one-line reason of a results table row.
func summaryReason(res Result) string {
	parts := []string{}
	if res.Verdict.Category != "" {
		parts = append(parts, "["+string(res.Verdict.Category)+"]")
	}
	if res.Verdict.Reason != "" {
		parts = append(parts, firstLine(res.Verdict.Reason))
	}
	for _, w := range res.Verdict.Warnings {
		parts = append(parts, "warning: "+firstLine(w))
	}
	return strings.Join(parts, " ")
}
