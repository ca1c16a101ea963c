package reports

import (
	"fmt"
	"net/url"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/grantcheck/grantcheck/harness/catalog"
	"github.com/grantcheck/grantcheck/harness/verdict"
)

// The functions below shape Run for the Markdown and HTML documents; the writers hold no logic.

var rfcDoc = regexp.MustCompile(`^RFC (\d+)$`)
var numbered = regexp.MustCompile(`^[0-9]+(\.[0-9]+)*$`)

// openIDSpecs are the OpenID documents the catalogue cites, by the name catalog.Ref uses.
var openIDSpecs = map[string]string{
	"OpenID Connect Core 1.0":                        "https://openid.net/specs/openid-connect-core-1_0.html",
	"OpenID Connect Discovery 1.0":                   "https://openid.net/specs/openid-connect-discovery-1_0.html",
	"OpenID Connect Dynamic Client Registration 1.0": "https://openid.net/specs/openid-connect-registration-1_0.html",
}

// RefURL links a reference to its section: rfc-editor.org for RFCs, openid.net for OpenID specs
// (whose xml2rfc pages anchor sections as rfc.section.N); "" for a document it does not know.
func RefURL(ref catalog.Ref) string {
	if m := rfcDoc.FindStringSubmatch(ref.Doc); m != nil {
		u := "https://www.rfc-editor.org/rfc/rfc" + m[1]
		if numbered.MatchString(ref.Section) {
			u += "#section-" + ref.Section
		}
		return u
	}
	if u, ok := openIDSpecs[ref.Doc]; ok {
		if numbered.MatchString(ref.Section) {
			u += "#rfc.section." + ref.Section
		}
		return u
	}
	return ""
}

// Family is one family's results, in catalogue order.
type Family struct {
	Name    string
	Results []Result
}

// Families groups the results by family, in the order families first appear in the catalogue; an
// audit's per-client results are in the matrix instead (Matrix).
func (r Run) Families() []Family {
	var out []Family
	for _, res := range r.Results {
		if res.Client != "" {
			continue
		}
		i := slices.IndexFunc(out, func(f Family) bool { return f.Name == res.Family })
		if i < 0 {
			out = append(out, Family{Name: res.Family})
			i = len(out) - 1
		}
		out[i].Results = append(out[i].Results, res)
	}
	return out
}

// Segment is one result kind's share of the run, for the chart.
type Segment struct {
	Result  verdict.Result
	Count   int
	X, W    float64 // percent of the bar
	Percent int
}

// Chart is the totals as bar segments (kinds with no result are left out).
func (r Run) Chart() []Segment {
	total := 0
	for _, k := range ResultKinds {
		total += r.Totals[k]
	}
	var out []Segment
	x := 0.0
	for _, k := range ResultKinds {
		n := r.Totals[k]
		if n == 0 || total == 0 {
			continue
		}
		w := 100 * float64(n) / float64(total)
		out = append(out, Segment{Result: k, Count: n, X: x, W: w, Percent: int(w + 0.5)})
		x += w
	}
	return out
}

// Headline is the outcome in one sentence with the numbers a reader needs first.
func (r Run) Headline() string {
	n := len(r.Findings)
	switch {
	case len(r.Results) == 0:
		return "no scenario ran"
	case n == 0:
		return fmt.Sprintf("all %d scenarios that ran passed", len(r.Results)-r.Totals[verdict.Skip])
	}
	return fmt.Sprintf("%d %s across %d of %d scenarios", n, plural(n, "finding", "findings"),
		r.FailingScenarios()+r.Totals[verdict.Error], len(r.Results))
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// label is a finding's result as shown: FAIL:format, WARN, ERROR.
func (f Finding) Label() string {
	switch f.Kind {
	case KindWarning:
		return string(verdict.Warn)
	case KindError:
		return string(verdict.Error)
	}
	return string(verdict.Fail) + ":" + string(f.Kind)
}

// CSSClass is the finding's colour class.
func (f Finding) CSSClass() string {
	switch f.Kind {
	case KindWarning:
		return "warn"
	case KindError:
		return "error"
	}
	return "fail"
}

// ScenarioList is the scenarios as a short comma-separated line ("a, b, c and 30 more").
func (f Finding) ScenarioList(limit int) string {
	if len(f.Scenarios) <= limit {
		return strings.Join(f.Scenarios, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(f.Scenarios[:limit], ", "), len(f.Scenarios)-limit)
}

// Conformant: the run supports a conformance claim ("conformant", or a variant of it such as
// "conformant with warnings").
func (r Run) Conformant() bool { return strings.HasPrefix(string(r.Outcome), string(Conformant)) }

// FileHref links a file the harness saved: relative to the reports when it is beside them (the
// folder can be moved or published whole), else a file: URL.
func FileHref(f verdict.File) string {
	if filepath.IsAbs(f.Path) {
		return (&url.URL{Scheme: "file", Path: filepath.ToSlash(f.Path)}).String()
	}
	return (&url.URL{Path: filepath.ToSlash(f.Path)}).String()
}
