package transcript

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Escape shows the provider's bytes without letting them drive the reader's terminal: C0 and C1
// control characters (ESC, CR, BEL, ...), DEL, bidirectional overrides and invalid UTF-8 become
// visible escapes. Newline and tab stay: transcripts and reasons are laid out with them.
func Escape(s string) string {
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
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

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
