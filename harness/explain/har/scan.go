package har

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
)

// MaxDepth is how deep JSON may nest; a HAR nests six levels, so deeper input is not one.
const MaxDepth = 1000

// ErrTooDeep: the document nests deeper than MaxDepth. It may be valid JSON; it is no HAR.
var ErrTooDeep = fmt.Errorf("JSON nested deeper than %d levels", MaxDepth)

// scanner is a pull parser over a stream: it reads one token at a time and keeps no more of a
// string than its caller asks for, so a 200 MB body costs its read buffer, not 200 MB.
type scanner struct {
	r     *bufio.Reader
	off   int64 // bytes consumed
	depth int
	raw   []byte // reused buffer of the string being read
}

func newScanner(r io.Reader) *scanner { return &scanner{r: bufio.NewReaderSize(r, 64<<10)} }

// syntaxError is a problem at a byte offset; err is the sentinel it is, if any (ErrTooDeep).
type syntaxError struct {
	off int64
	msg string
	err error
}

func (e *syntaxError) Error() string { return fmt.Sprintf("%s at byte %d", e.msg, e.off) }

func (e *syntaxError) Unwrap() error { return e.err }

func (s *scanner) fail(format string, args ...any) error {
	return &syntaxError{off: s.off, msg: fmt.Sprintf(format, args...)}
}

// peek skips whitespace and returns the next byte without consuming it.
func (s *scanner) peek() (byte, error) {
	for {
		c, err := s.r.ReadByte()
		if err != nil {
			if errors.Is(err, io.EOF) {
				return 0, io.ErrUnexpectedEOF
			}
			return 0, err
		}
		switch c {
		case ' ', '\t', '\r', '\n':
			s.off++
			continue
		}
		_ = s.r.UnreadByte()
		return c, nil
	}
}

// next consumes the next non-space byte.
func (s *scanner) next() (byte, error) {
	c, err := s.peek()
	if err != nil {
		return 0, err
	}
	_, _ = s.r.ReadByte()
	s.off++
	return c, nil
}

func (s *scanner) expect(want byte) error {
	c, err := s.next()
	if err != nil {
		return err
	}
	if c != want {
		return s.fail("expected %q, found %q", want, c)
	}
	return nil
}

// enter and leave bound the nesting.
func (s *scanner) enter() error {
	if s.depth++; s.depth > MaxDepth {
		return &syntaxError{off: s.off, msg: ErrTooDeep.Error(), err: ErrTooDeep}
	}
	return nil
}

func (s *scanner) leave() { s.depth-- }

// object reads an object, calling member for each key; member must consume the value.
func (s *scanner) object(member func(key string) error) error {
	return s.members('{', '}', func(int) error {
		if c, err := s.peek(); err != nil {
			return err
		} else if c != '"' {
			return s.fail("expected a member name, found %q", c)
		}
		key, _, err := s.str(256)
		if err != nil {
			return err
		}
		if err := s.expect(':'); err != nil {
			return err
		}
		return member(key)
	})
}

// array reads an array, calling elem for each element; elem must consume it.
func (s *scanner) array(elem func(i int) error) error { return s.members('[', ']', elem) }

// members reads what lies between open and close, separated by commas, calling each for every
// member; each must consume it. The nesting is bounded.
func (s *scanner) members(open, close byte, each func(i int) error) error {
	if err := s.expect(open); err != nil {
		return err
	}
	if err := s.enter(); err != nil {
		return err
	}
	defer s.leave()
	if c, err := s.peek(); err != nil {
		return err
	} else if c == close {
		_, _ = s.next()
		return nil
	}
	for i := 0; ; i++ {
		if err := each(i); err != nil {
			return err
		}
		c, err := s.next()
		if err != nil {
			return err
		}
		if c == close {
			return nil
		}
		if c != ',' {
			return s.fail("expected ',' or %q, found %q", close, c)
		}
	}
}

// str reads a string value keeping at most max bytes of it (decoded); cut reports a longer one,
// which is read to its end without being kept. null reads as "".
func (s *scanner) str(max int) (v string, cut bool, err error) {
	c, err := s.peek()
	if err != nil {
		return "", false, err
	}
	if c == 'n' {
		return "", false, s.literal("null")
	}
	if c != '"' {
		return "", false, s.fail("expected a string, found %q", c)
	}
	start := s.off
	_, _ = s.r.ReadByte()
	s.off++
	s.raw = s.raw[:0]
	keep := 2*max + 16 // raw bytes kept: escapes make the raw text longer than the value
	backslashes := 0   // the run of backslashes just before the next byte
	total := 0
	for {
		chunk, err := s.r.ReadSlice('"')
		s.off += int64(len(chunk))
		if err != nil && !errors.Is(err, bufio.ErrBufferFull) {
			if errors.Is(err, io.EOF) {
				return "", false, io.ErrUnexpectedEOF
			}
			return "", false, err
		}
		body := chunk
		closed := err == nil // the chunk ends in a quote
		if closed {
			body = chunk[:len(chunk)-1]
		}
		n := 0
		for n < len(body) && body[len(body)-1-n] == '\\' {
			n++
		}
		if n == len(body) {
			backslashes += n
		} else {
			backslashes = n
		}
		total += len(chunk)
		if len(s.raw) < keep {
			s.raw = append(s.raw, chunk[:min(len(chunk), keep-len(s.raw))]...)
		}
		if closed && backslashes%2 == 0 {
			break
		}
		if closed {
			backslashes = 0 // the escaped quote ends the run
		}
	}
	if total > keep {
		return "", true, nil
	}
	raw := s.raw[:len(s.raw)-1] // without the closing quote
	if max == 0 {
		return "", len(raw) > 0, nil // skipped: nothing kept, nothing decoded
	}
	if bytes.IndexByte(raw, '\\') < 0 && !hasControl(raw) {
		if len(raw) > max {
			return "", true, nil
		}
		return string(raw), false, nil // nothing escaped: the raw text is the value
	}
	var out string
	if err := json.Unmarshal(append(append([]byte{'"'}, raw...), '"'), &out); err != nil {
		return "", false, &syntaxError{off: start, msg: "invalid string"}
	}
	if len(out) > max {
		return "", true, nil
	}
	return out, false, nil
}

// hasControl: a raw control character, which JSON does not allow in a string.
func hasControl(b []byte) bool {
	for _, c := range b {
		if c < 0x20 {
			return true
		}
	}
	return false
}

// num reads a number; null reads as 0.
func (s *scanner) num() (float64, error) {
	c, err := s.peek()
	if err != nil {
		return 0, err
	}
	if c == 'n' {
		return 0, s.literal("null")
	}
	if c != '-' && (c < '0' || c > '9') {
		return 0, s.fail("expected a number, found %q", c)
	}
	var b []byte
	for len(b) < 64 {
		c, err := s.r.ReadByte()
		if err != nil {
			break
		}
		if !(c >= '0' && c <= '9' || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E') {
			_ = s.r.UnreadByte()
			break
		}
		b = append(b, c)
		s.off++
	}
	f, err := strconv.ParseFloat(string(b), 64)
	if err != nil {
		return 0, s.fail("invalid number")
	}
	return f, nil
}

func (s *scanner) literal(word string) error {
	for i := 0; i < len(word); i++ {
		c, err := s.r.ReadByte()
		if err != nil {
			return io.ErrUnexpectedEOF
		}
		s.off++
		if c != word[i] {
			return s.fail("invalid literal")
		}
	}
	return nil
}

// skip reads the next value, however large, keeping nothing.
func (s *scanner) skip() error {
	c, err := s.peek()
	if err != nil {
		return err
	}
	switch {
	case c == '{':
		return s.object(func(string) error { return s.skip() })
	case c == '[':
		return s.array(func(int) error { return s.skip() })
	case c == '"':
		_, _, err := s.str(0)
		return err
	case c == 't':
		return s.literal("true")
	case c == 'f':
		return s.literal("false")
	case c == 'n':
		return s.literal("null")
	case c == '-' || c >= '0' && c <= '9':
		_, err := s.num()
		return err
	}
	return s.fail("invalid character %q", c)
}
