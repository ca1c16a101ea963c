// Package safetext makes text a provider chose safe to show, once per medium: on a terminal its
// control bytes are shown, not sent (Terminal); in Markdown it renders as the literal text, never an
// image, a link, an autolink or HTML (Markdown, CodeSpan, CodeBlock); in XML it is a valid character
// sequence (XML); in HTML it is escaped (HTML). Every report writer, the console and explain go
// through these functions, so a new writer has one place to look and a fix lands everywhere.
//
// The Markdown rules are CommonMark 0.31 (§2.4 backslash escapes, §4.5 fenced code blocks, §6.1 code
// spans) with GitHub's extensions (tables, extended autolinks), which is what GitHub renders for a
// report.md and a job summary.
package safetext

import (
	"fmt"
	"html"
	"strings"
	"unicode/utf8"
)

// Terminal shows the bytes without letting them drive the reader's terminal: C0 and C1 control
// characters (ESC, CR, BEL, ...), DEL, bidirectional overrides and invalid UTF-8 become visible
// escapes. Newline and tab stay: transcripts and reasons are laid out with them.
func Terminal(s string) string {
	clean := true
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < 0x20 && c != '\n' && c != '\t') || c >= 0x7f {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\n' || r == '\t':
			b.WriteRune(r)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, r)
		case r >= 0x80 && r <= 0x9f, r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
			fmt.Fprintf(&b, `\u%04x`, r)
		case r == 0xfffe || r == 0xffff: // noncharacters; also not XML characters
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// Markdown is the text as inline Markdown that renders literally, on one line, also inside a GFM
// table cell. Every ASCII punctuation character that can take part in an inline construct is
// backslash-escaped (CommonMark §2.4 allows the escape for all of them): no `![`, `[`, `](`, `<`,
// `&`, `*`, `_`, `~`, `$` or backtick starts a construct, and the escaped `:`, `.` and `@` keep
// GitHub's extended autolinks (`https://…`, `www.…`, `user@host`) from matching. Line breaks
// become spaces and a leading punctuation character is escaped, so the text cannot start a block
// (a heading, a list, a quote, a table row). Left as they are, because no construct uses them
// inline: , ; " ' / % ? = - and every non-ASCII character.
func Markdown(s string) string {
	s = Terminal(s)
	var b strings.Builder
	b.Grow(len(s) + len(s)/4)
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\n' || c == '\t' || c == '\r':
			b.WriteByte(' ')
		case isASCIIPunct(c) && (i == 0 || !strings.ContainsRune(inlineInert, rune(c))):
			b.WriteByte('\\')
			b.WriteByte(c)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// inlineInert is the ASCII punctuation no inline construct of GitHub's Markdown gives a meaning.
const inlineInert = `,;"'/%?=-`

// CodeSpan is the text as one Markdown code span (CommonMark §6.1), for one-line surfaces that some
// readers show as plain text and others render as Markdown (JUnit messages, which CI test reporters
// put into Markdown summaries; workflow annotations): it reads as the quoted text in both. The
// delimiter is one backtick longer than any backtick run inside; a space pads text that starts or
// ends with a backtick; line breaks become spaces.
func CodeSpan(s string) string {
	s = strings.NewReplacer("\n", " ", "\t", " ").Replace(Terminal(s)) // Terminal already shows \r escaped
	if s == "" {
		return ""
	}
	fence := strings.Repeat("`", longestRun(s, '`')+1)
	if s[0] == '`' || s[len(s)-1] == '`' || s[0] == ' ' && s[len(s)-1] == ' ' {
		s = " " + s + " "
	}
	return fence + s + fence
}

// CodeBlock is the text as a fenced Markdown code block (CommonMark §4.5) with the info string
// lang: the fence is longer than any backtick run in the text, so the text cannot close its own
// block, and a fenced block's content is never interpreted.
func CodeBlock(lang, text string) string {
	fence := strings.Repeat("`", max(3, longestRun(text, '`')+1))
	return fence + lang + "\n" + strings.TrimRight(Terminal(text), "\n") + "\n" + fence
}

func longestRun(s string, c byte) int {
	longest, run := 0, 0
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	return longest
}

// XML is the text as a sequence of characters XML 1.0 allows (§2.2): control characters other
// than tab and newline, noncharacters and invalid UTF-8 are shown as escapes, as on a terminal.
// Markup characters are left to the encoder (encoding/xml escapes them in attributes and text).
func XML(s string) string { return Terminal(s) }

// HTML is the text escaped for an HTML text node or a quoted attribute, with its control bytes
// shown. Templates get the same through html/template's contextual escaping of Terminal(s).
func HTML(s string) string { return html.EscapeString(Terminal(s)) }

func isASCIIPunct(c byte) bool {
	return c >= '!' && c <= '/' || c >= ':' && c <= '@' || c >= '[' && c <= '`' || c >= '{' && c <= '~'
}
