package explain_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp/syntax"
	"slices"
	"strings"
	"testing"

	"github.com/grantcheck/grantcheck/harness/explain"
	"github.com/grantcheck/grantcheck/harness/explain/answers"
)

// One test per table entry: the answer the entry documents, built from the entry's own status,
// error, text and code (not copied from anywhere), is explained as the causes the entry means,
// with the provider recognised and the entry's source cited. Only the answer is given, as with
// --response alone, plus where the provider is: its token endpoint, issuer or answer shape.
func TestEveryTableEntry(t *testing.T) {
	table, err := answers.Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range table.Providers {
		for i, e := range p.Entries {
			t.Run(fmt.Sprintf("%s/%d-%s", p.Slug, i+1, entryName(e)), func(t *testing.T) {
				in := documented(t, p, e)
				rep := explain.Diagnose(in, nil)
				var got []string
				for _, c := range rep.Causes {
					got = append(got, c.ID)
				}
				for _, want := range e.Means {
					i := slices.Index(got, want)
					if i < 0 {
						t.Fatalf("causes %v, want %s among them\n%s", got, want, text(t, rep))
					}
					if !strings.Contains(rep.Causes[i].Source, "://") {
						t.Errorf("%s cites no source", want)
					}
				}
				if rep.Provider == nil || rep.Provider.Name != p.Name {
					t.Errorf("provider %+v, want %s", rep.Provider, p.Name)
				}
				if rep.Answer == nil || !rep.Answer.Refused {
					t.Errorf("answer %+v not read as a refusal", rep.Answer)
				}
			})
		}
	}
}

func entryName(e answers.Entry) string {
	name := e.Error
	if e.Code != "" {
		name += "-" + e.Code
	}
	return strings.Trim(name, "-")
}

// documented builds the entry's answer: status (400 when the sources do not say), error, and a
// description the entry's text matches in its own mode; the token endpoint is one the provider
// is recognised by.
func documented(t *testing.T, p *answers.Provider, e answers.Entry) explain.Input {
	t.Helper()
	desc := e.Says
	switch e.Match {
	case answers.Prefix:
		desc += " (trace 0)"
	case answers.Contains:
		desc = "Error: " + desc + " (trace 0)"
	case answers.Regex:
		desc = sample(t, e.Says)
	}
	if e.Code != "" && !strings.Contains(desc, e.Code) {
		desc = strings.TrimSpace(e.Code + ": " + desc)
	}
	body := map[string]any{}
	for _, m := range p.Recognise.Shape {
		body[m] = "0"
	}
	if e.Error != "" {
		body["error"] = e.Error
	}
	if desc != "" {
		body["error_description"] = desc
	}
	raw, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	status := e.Status
	if status == 0 {
		status = 400
	}
	in := explain.Input{NoRequest: true}
	r := p.Recognise
	switch {
	case len(r.HostSuffixes) > 0:
		in.Token.URL = "https://" + strings.TrimPrefix(strings.TrimPrefix(r.HostSuffixes[0], "*"), ".") + "/token"
	case len(r.TokenPathSuffixes) > 0:
		in.Token.URL = "https://id.example" + r.TokenPathSuffixes[0]
	case len(r.IssuerContains) > 0:
		in.Authorize = &explain.Step{URL: &url.URL{Scheme: "https", Host: "id.example", Path: "/" + strings.Trim(r.IssuerContains[0], "/") + "/authorize"}}
	}
	in.Token.Response = explain.NewResponse(status, http.Header{"Content-Type": {"application/json"}}, raw)
	// A provider its recognise data cannot single out for this answer (no host of its own, a
	// token path others share, no description to read) is named, as --provider does; one
	// recognised as another provider is a fault of the table.
	a, _ := answers.ParseAnswer(status, raw)
	where := answers.Where{TokenURL: in.Token.URL}
	if in.Authorize != nil {
		where.Issuer = in.Authorize.URL.String()
	}
	table, _ := answers.Load()
	switch r := table.Recognise(where, a); {
	case r == nil:
		if hits := table.MatchWords(a); len(hits) == 0 || hits[0].Provider != p {
			in.Provider = p.Slug
			t.Log("named with --provider: its recognise data and words cannot single it out for this answer")
		}
	case r.Provider != p:
		t.Fatalf("the documented answer is recognised as %s's (%s)", r.Provider.Name, r.By)
	}
	return in
}

// sample is the shortest text a regular expression matches: the first branch of every choice.
func sample(t *testing.T, expr string) string {
	re, err := syntax.Parse(expr, syntax.Perl)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	var walk func(*syntax.Regexp)
	walk = func(r *syntax.Regexp) {
		switch r.Op {
		case syntax.OpLiteral:
			b.WriteString(string(r.Rune))
		case syntax.OpCharClass:
			b.WriteRune(r.Rune[0])
		case syntax.OpAnyChar, syntax.OpAnyCharNotNL:
			b.WriteRune('x')
		case syntax.OpCapture, syntax.OpPlus:
			walk(r.Sub[0])
		case syntax.OpRepeat:
			for range r.Min {
				walk(r.Sub[0])
			}
		case syntax.OpConcat:
			for _, s := range r.Sub {
				walk(s)
			}
		case syntax.OpAlternate:
			walk(r.Sub[0])
		}
	}
	walk(re.Simplify())
	return b.String()
}

// The cause ids are listed once (answers.Causes); each id explain names must be on that list.
func TestCauseIDsAreTheTablesCauses(t *testing.T) {
	for _, id := range []string{explain.CodeReused, explain.CodeExpired, explain.CodeInvalid, explain.ClockSkew,
		explain.RedirectURIMissing, explain.RedirectURIMismatch, explain.PKCEVerifierMissing, explain.PKCEVerifierMismatch,
		explain.PKCEVerifierUnexpected, explain.ClientMismatch, explain.ClientAuthentication, explain.GrantTypeNotAllowed,
		explain.ScopeInvalid, explain.RequestMalformed, explain.UserOrConsent} {
		if !slices.Contains(answers.Causes, id) {
			t.Errorf("cause %q is not in answers.Causes", id)
		}
	}
	if n := len(explain.CauseIDs); explain.CauseIDs[n-2] != explain.Unexplained || explain.CauseIDs[n-1] != explain.None {
		t.Errorf("CauseIDs end in %v, want %s, %s", explain.CauseIDs[n-2:], explain.Unexplained, explain.None)
	}
}
