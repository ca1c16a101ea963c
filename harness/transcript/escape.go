package transcript

import (
	"fmt"
	"unicode/utf8"
)

// Excerpt keeps at most max bytes of s (cut at a character boundary) and says where it was cut and
// how large the original was, so a report stays small whatever the provider sent.
func Excerpt(s string, max int) string { return excerpt(s, max, len(s)) }

// Clip keeps at most n bytes of s, cut at a character boundary and marked "…" when cut: a short
// quote inside a one-line message (a dialog's text, a cookie's name, a line of output).
func Clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

// excerpt is Excerpt of a cleaned text whose original (as the provider sent it) had size bytes.
func excerpt(s string, max, size int) string {
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return fmt.Sprintf("%s… [cut: the first %d bytes of %d shown]", s[:cut], cut, size)
}

// What the run keeps of one scenario's texts, in every file it writes: grantcheck's reports and
// Ginkgo's own (ginkgo.json, ginkgo-junit.xml, the console log), which are filled from the same
// report entries. A provider answering with megabytes still gives files of a few MB.
const (
	// KeptTranscript bounds a scenario's transcript: its head, and its last KeptTranscriptTail.
	KeptTranscript     = 24 << 10
	KeptTranscriptTail = 4 << 10
)

// ExcerptEnds keeps the first max-tail and the last tail bytes of s (on rune boundaries) and says
// in the text where and how much was cut.
func ExcerptEnds(s string, max, tail int) string {
	if len(s) <= max {
		return s
	}
	head := max - tail
	for head > 0 && !utf8.RuneStart(s[head]) {
		head--
	}
	from := len(s) - tail
	for from < len(s) && !utf8.RuneStart(s[from]) {
		from++
	}
	if tail == 0 {
		from = len(s)
	}
	return fmt.Sprintf("%s\n[… %d bytes cut here: grantcheck keeps %d KiB of each text …]\n%s",
		s[:head], from-head, max>>10, s[from:])
}
