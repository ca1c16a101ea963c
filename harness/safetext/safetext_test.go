package safetext_test

import (
	"strings"
	"testing"

	"github.com/grantcheck/grantcheck/harness/safetext"
	"github.com/grantcheck/grantcheck/harness/safetext/rendered"
)

// hostile is text a provider chose, as seen in issue 16: images that track the reader, disguised
// links, autolinks, raw HTML, entities, emphasis, math, table and block breakers.
var hostile = map[string]string{
	"image":               `![build passing](http://provider.example/track.png)`,
	"link":                `[Click here to re-authorize](http://evil.example/login)`,
	"reference link":      "[x][1]\n\n[1]: http://evil.example/",
	"angle autolink":      `<http://evil.example/>`,
	"raw url":             `see http://evil.example/a?b=c and https://evil.example`,
	"www autolink":        `visit www.evil.example/path or WWW.EVIL.EXAMPLE`,
	"email autolink":      `mail admin@evil.example now`,
	"mailto and xmpp":     `mailto:admin@evil.example xmpp:admin@evil.example`,
	"raw html":            `<img src=x onerror=alert(1)><script>alert(1)</script><a href="http://evil.example">x</a>`,
	"html comment":        `<!-- hidden --> <details open>`,
	"entities":            `&lt;img src=x&gt; &#91;x&#93;(http://evil.example) &amp;`,
	"emphasis":            `*bold* _it_ **b** __b__ ~~del~~`,
	"code span":           "`code` ``two``",
	"backslash":           `\![x](http://evil.example/i.png) \\[y](http://evil.example)`,
	"table breaker":       "a | b | c\n|---|---|\n| x | y |",
	"heading and list":    "# title\n- item\n1. one\n> quote\n    indented",
	"math":                `$x^2$ and $$y$$`,
	"leading punctuation": `!` + `[a](http://evil.example)`,
	"control bytes":       "\x1b[2J\x1b]0;TITLE\a[x](http://evil.example)",
	"nested brackets":     `[![img](http://evil.example/i.png)](http://evil.example)`,
	"footnote":            "[^1]\n\n[^1]: http://evil.example",
}

// contexts are the places the report templates put provider text.
var contexts = map[string]func(string) string{
	"paragraph":  func(s string) string { return s + "\n" },
	"table cell": func(s string) string { return "| A | B |\n|---|---|\n| `x` | " + s + " |\n" },
	"list item":  func(s string) string { return "- **Observed:** " + s + "\n" },
	"heading":    func(s string) string { return "### F1 · FAIL · " + s + "\n" },
}

func TestMarkdownRendersTheLiteralText(t *testing.T) {
	for name, text := range hostile {
		for where, place := range contexts {
			t.Run(name+" in a "+where, func(t *testing.T) {
				md := place(safetext.Markdown(text))
				page, err := rendered.Render(md)
				if err != nil {
					t.Fatal(err)
				}
				if active := page.Active(); len(active) > 0 {
					t.Errorf("the text became %v\nMarkdown: %q\nHTML: %s", active, md, page.HTML)
				}
				want := strings.Join(strings.Fields(safetext.Terminal(text)), " ")
				if got := page.Text(); !strings.Contains(got, want) {
					t.Errorf("rendered text %q does not show %q literally\nHTML: %s", got, want, page.HTML)
				}
			})
		}
	}
}

func TestCodeSpanAndBlockRenderTheLiteralText(t *testing.T) {
	for name, text := range hostile {
		text += " ``` ` ````"
		t.Run(name, func(t *testing.T) {
			for form, md := range map[string]string{
				"span":  "Message: " + safetext.CodeSpan(text) + "\n",
				"block": "Reason:\n\n" + safetext.CodeBlock("text", text) + "\n\nafter\n",
			} {
				page, err := rendered.Render(md)
				if err != nil {
					t.Fatal(err)
				}
				if active := page.Active(); len(active) > 0 {
					t.Errorf("%s: the text became %v\nHTML: %s", form, active, page.HTML)
				}
				want := strings.Join(strings.Fields(safetext.Terminal(text)), " ")
				if got := page.Text(); !strings.Contains(got, want) {
					t.Errorf("%s: rendered text %q does not show %q literally", form, got, want)
				}
			}
		})
	}
}

func TestTerminalShowsControlBytes(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"plain", "invalid_grant\n\tok", "invalid_grant\n\tok"},
		{"escape and bell", "\x1b[2J\x1b]0;T\a", `\x1b[2J\x1b]0;T\x07`},
		{"carriage return", "a\rb", `a\rb`},
		{"C1 and bidi", "\u009b\u202e", `\u009b\u202e`},
		{"invalid UTF-8", "a\xffb", `a\xffb`},
		{"noncharacter", "\uffff", `\uffff`},
		{"a redaction fingerprint", "‹secret:abc123› ok", "‹secret:abc123› ok"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := safetext.Terminal(tc.in); got != tc.want {
				t.Errorf("Terminal(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestHTMLEscapes(t *testing.T) {
	if got, want := safetext.HTML("<b a=\"x\">\x1b"), `&lt;b a=&#34;x&#34;&gt;\x1b`; got != want {
		t.Errorf("HTML = %q, want %q", got, want)
	}
}
