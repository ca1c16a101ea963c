package transcript

import (
	"fmt"
	"unicode/utf8"

	"github.com/grantcheck/grantcheck/harness/safetext"
)

// Escape is safetext.Terminal, kept for callers that hold a transcript already.
//
// Deprecated: use safetext.Terminal.
func Escape(s string) string { return safetext.Terminal(s) }

// Excerpt keeps at most max bytes of s (cut at a character boundary) and says where it was cut and
// how large the original was, so a report stays small whatever the provider sent.
func Excerpt(s string, max int) string { return excerpt(s, max, len(s)) }

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
