package reports

import (
	"fmt"
	"unicode/utf8"
)

// Caps on provider-supplied text in the report model, so a provider returning 1 MB bodies still
// gives reports of a few MB: each transcript keeps its head and tail, each reason its head.
const (
	maxTranscript  = 24 << 10
	transcriptTail = 4 << 10
	maxReason      = 4 << 10
)

// excerpt keeps the first max-tail and the last tail bytes of s (on rune boundaries) and says
// in the text where and how much was cut.
func excerpt(s string, max, tail int) string {
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
	return fmt.Sprintf("%s\n[… the report cut %d bytes here: it keeps %d KiB of each text; ginkgo.json has the whole …]\n%s",
		s[:head], from-head, max>>10, s[from:])
}
