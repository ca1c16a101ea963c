package main

import (
	"encoding/json"
	"encoding/xml"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/grantcheck/grantcheck/harness/safetext/rendered"
	"github.com/grantcheck/grantcheck/reports"
)

// markupPayload is what issue 16 saw rendered inside a CI summary: an image fetched from the
// provider, a disguised link, raw HTML, an autolink, a bare URL and an address.
const markupPayload = `![build passing](http://127.0.0.1:9/track.png) [Click here to re-authorize](http://127.0.0.1:9/login) ` +
	`<img src=x onerror=alert(1)> <http://127.0.0.1:9/a> www.evil.example https://evil.example/b admin@evil.example *bold* | cell`

// injecting puts markupPayload into every error the provider sends: the error_description of
// token errors and authorization error redirects, and the error code itself where the suite
// expects unsupported_grant_type (so a reason quotes it).
func injecting(next http.Handler) http.Handler {
	return serve(next, func(w http.ResponseWriter, r *http.Request, b *buffered) {
		if loc, err := url.Parse(b.header.Get("Location")); err == nil && loc.Query().Get("error") != "" {
			q := loc.Query()
			q.Set("error_description", markupPayload)
			loc.RawQuery = q.Encode()
			b.header.Set("Location", loc.String())
		}
		var obj map[string]any
		if b.status >= 400 && json.Unmarshal(b.body.Bytes(), &obj) == nil && obj["error"] != nil {
			obj["error_description"] = markupPayload
			if obj["error"] == "unsupported_grant_type" {
				obj["error"] = markupPayload
			}
			body, _ := json.Marshal(obj)
			b.body.Reset()
			b.body.Write(body)
		}
		send(w, b)
	})
}

// TestProviderTextIsNeverMarkup: with markup in every error the provider sends, report.md and the
// GitHub step summary, rendered as GitHub renders them, show it as text: no image, no link, no
// autolink and no HTML element comes from it; the annotations and JUnit messages quote it in code
// spans that render literally too.
func TestProviderTextIsNeverMarkup(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the whole suite")
	}
	t.Parallel()
	summary := filepath.Join(t.TempDir(), "summary.md")
	h := runHostileEnv(t, injecting, "", "GITHUB_STEP_SUMMARY="+summary, "GITHUB_ACTIONS=true")

	ours := map[string]bool{} // the links the report itself makes: references and saved files
	for _, res := range h.run.Results {
		for _, ref := range res.Refs {
			ours[reports.RefURL(ref)] = true
		}
		for _, f := range res.Verdict.Files {
			ours[reports.FileHref(f)] = true
		}
	}
	for _, f := range h.run.Findings {
		for _, ref := range f.Refs {
			ours[reports.RefURL(ref)] = true
		}
		for _, file := range f.Files {
			ours[reports.FileHref(file)] = true
		}
	}
	var annotations, junitMessages []string
	for _, line := range strings.Split(h.output, "\n") {
		if _, msg, ok := strings.Cut(line, "::"); ok && strings.HasPrefix(line, "::") {
			if _, m, ok := strings.Cut(msg, "::"); ok {
				annotations = append(annotations, m)
			}
		}
	}
	junitMessages = junitMessagesIn(t, filepath.Join(h.dir, "junit.xml"))
	documents := map[string]string{
		"report.md":          readFile(t, filepath.Join(h.dir, "report.md")),
		"step summary":       readFile(t, summary),
		"annotations":        strings.Join(annotations, "\n\n"),
		"junit.xml messages": strings.Join(junitMessages, "\n\n"),
	}
	for name, md := range documents {
		page, err := rendered.Render(md)
		if err != nil {
			t.Fatal(err)
		}
		if shown := strings.Count(page.Text(), "![build passing](http://127.0.0.1:9/track.png)"); shown == 0 {
			t.Errorf("%s never shows the planted markup as text: the check looked at nothing", name)
			continue
		}
		for _, e := range page.Active() {
			if e.Tag == "a" && ours[e.URL] || e.Tag == "details" || e.Tag == "summary" {
				continue
			}
			t.Errorf("%s: the provider's text became %s", name, e)
		}
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// junitMessagesIn lists the message attributes of junit.xml's failures, errors and skips.
func junitMessagesIn(t *testing.T, path string) []string {
	t.Helper()
	var doc struct {
		Cases []struct {
			Problems []struct {
				Message string `xml:"message,attr"`
			} `xml:",any"`
		} `xml:"testsuite>testcase"`
	}
	if err := xml.Unmarshal([]byte(readFile(t, path)), &doc); err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, c := range doc.Cases {
		for _, p := range c.Problems {
			if p.Message != "" {
				out = append(out, p.Message)
			}
		}
	}
	return out
}
