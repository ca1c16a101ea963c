package reports

import (
	"encoding/xml"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/grantcheck/grantcheck/harness/safetext"
	"github.com/grantcheck/grantcheck/harness/verdict"
)

type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Skipped  int          `xml:"skipped,attr"`
	Time     string       `xml:"time,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name       string          `xml:"name,attr"`
	Tests      int             `xml:"tests,attr"`
	Failures   int             `xml:"failures,attr"`
	Errors     int             `xml:"errors,attr"`
	Skipped    int             `xml:"skipped,attr"`
	Time       string          `xml:"time,attr"`
	Timestamp  string          `xml:"timestamp,attr,omitempty"`
	Properties []junitProperty `xml:"properties>property"`
	Cases      []junitCase     `xml:"testcase"`
}

type junitProperty struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

type junitCase struct {
	ClassName string        `xml:"classname,attr"`
	Name      string        `xml:"name,attr"`
	Time      string        `xml:"time,attr"`
	Failure   *junitProblem `xml:"failure,omitempty"`
	Error     *junitProblem `xml:"error,omitempty"`
	Skipped   *junitSkipped `xml:"skipped,omitempty"`
	SystemOut string        `xml:"system-out,omitempty"`
}

type junitProblem struct {
	Type    string `xml:"type,attr,omitempty"`
	Message string `xml:"message,attr"`
	Text    string `xml:",chardata"`
}

type junitSkipped struct {
	Message string `xml:"message,attr"`
}

// WriteJUnit writes one testcase per result (classname = family). WARN passes with the warning in
// system-out; transcripts go only into results that need attention, to keep CI artifacts small.
// Suite errors become error testcases so CI shows them too.
func WriteJUnit(w io.Writer, run Run) error {
	suite := junitSuite{
		Name: "grantcheck: " + run.Provider,
		Time: seconds(run.Duration),
		Properties: []junitProperty{
			{"provider", safetext.XML(run.Provider)}, {"issuer", safetext.XML(run.Issuer)},
			{"grantcheck_version", run.GrantcheckVersion}, {"strict", strconv.FormatBool(run.Strict)},
			{"outcome", string(run.Outcome)},
		},
	}
	if !run.Started.IsZero() {
		suite.Timestamp = run.Started.UTC().Format(time.RFC3339)
	}
	findings := map[string]Finding{}
	for _, f := range run.Findings {
		findings[f.ID] = f
	}
	// An audit's results go into one test suite per client, so a CI page lists the clients.
	var clients []*junitSuite
	byClient := map[string]*junitSuite{}
	for _, res := range run.Results {
		if res.Client == "" {
			suite.Cases = append(suite.Cases, junitCaseOf(res, findings[res.Finding]))
			continue
		}
		cs := byClient[res.Client]
		if cs == nil {
			cs = &junitSuite{Name: "grantcheck audit: client " + res.Client, Timestamp: suite.Timestamp,
				Properties: []junitProperty{{"client_id", res.Client}, {"provider", run.Provider}, {"issuer", run.Issuer}}}
			byClient[res.Client] = cs
			clients = append(clients, cs)
		}
		c := junitCaseOf(res, findings[res.Finding])
		c.ClassName = "audit." + res.Client
		cs.Cases = append(cs.Cases, c)
	}
	for _, msg := range run.SuiteErrors {
		suite.Cases = append(suite.Cases, junitCase{ClassName: "grantcheck", Name: "suite", Time: seconds(0),
			Error: &junitProblem{Message: safetext.CodeSpan(firstLine(msg)), Text: safetext.XML(msg)}})
	}
	doc := junitSuites{Name: "grantcheck", Time: suite.Time}
	all := []*junitSuite{&suite}
	if len(suite.Cases) == 0 && len(clients) > 0 {
		all = nil // an audit only: its clients are the suites
	}
	if run.Audit != nil {
		for _, c := range run.Audit.Clients {
			if cs := byClient[c.ClientID]; cs != nil {
				cs.Time = seconds(c.Duration)
			}
		}
	}
	for _, s := range append(all, clients...) {
		for _, c := range s.Cases {
			s.Tests++
			switch {
			case c.Failure != nil:
				s.Failures++
			case c.Error != nil:
				s.Errors++
			case c.Skipped != nil:
				s.Skipped++
			}
		}
		doc.Tests, doc.Failures, doc.Errors, doc.Skipped = doc.Tests+s.Tests, doc.Failures+s.Failures, doc.Errors+s.Errors, doc.Skipped+s.Skipped
		doc.Suites = append(doc.Suites, *s)
	}

	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

// junitCaseOf maps one result; a FAIL's or ERROR's message names its finding ("F1: error
// responses are text/html, not a JSON object — <this scenario's reason>") and the text adds why,
// fix and the reproduction, so a CI page alone says what to do.
func junitCaseOf(res Result, f Finding) junitCase {
	v := res.Verdict
	c := junitCase{ClassName: res.Family, Name: res.ID + ": " + res.Title, Time: seconds(res.Duration)}
	message, text := firstLine(v.Reason), v.Reason
	if f.ID != "" {
		message = f.ID + ": " + f.Title + " — " + message
		text += "\n\nFinding " + f.ID + " (" + f.Label() + "): " + f.Title + "\nWhy it matters: " + f.Why + "\nHow to fix: " + f.Fix + "\n"
		if f.Reproduce != "" {
			text += "Reproduce:\n" + f.Reproduce
		}
	}
	// The message is one line that CI pages show as text and test reporters render as Markdown: a
	// code span reads as a quotation in both. The text is plain (shown preformatted).
	message, text = safetext.CodeSpan(message), safetext.XML(text)
	switch v.Result {
	case verdict.Fail:
		c.Failure = &junitProblem{Type: string(v.Category), Message: message, Text: text}
	case verdict.Error:
		c.Error = &junitProblem{Message: message, Text: text}
	case verdict.Skip:
		c.Skipped = &junitSkipped{Message: safetext.CodeSpan(v.Reason)}
	}
	if !res.NeedsAttention() {
		return c
	}
	var out strings.Builder
	if v.Result == verdict.Warn {
		fmt.Fprintf(&out, "WARN: %s\n", v.Reason)
		if f.ID != "" {
			fmt.Fprintf(&out, "finding %s: %s\nhow to fix: %s\n", f.ID, f.Title, f.Fix)
		}
	}
	for _, warning := range v.Warnings {
		fmt.Fprintf(&out, "warning: %s\n", warning)
	}
	if res.Transcript != "" {
		fmt.Fprintf(&out, "\n%s\n", res.Transcript)
	}
	c.SystemOut = safetext.XML(out.String())
	return c
}

func seconds(d time.Duration) string { return strconv.FormatFloat(d.Seconds(), 'f', 3, 64) }

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}
