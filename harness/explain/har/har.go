// Package har reads HAR 1.2 files as browser developer tools and proxies export them. It streams:
// one entry at a time is decoded, strings are kept only up to a bound (a body larger than
// MaxKeptBody is read past, not kept) and a response body is base64-decoded only when asked for,
// so memory does not grow with the file, whatever it holds (ScanEntries); Read keeps every entry,
// for small recordings.
package har

import (
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"
)

// MaxKeptBody is the most of a request or response body kept per entry; larger ones are dropped
// (their size is kept) since no OAuth exchange carries that much.
const MaxKeptBody = 64 << 10

// Bounds on the rest of an entry: a URL, a header, the number of headers kept.
const (
	maxURL         = 64 << 10
	maxHeader      = 16 << 10
	maxHeaders     = 256
	maxCookieNames = 32
	maxCookieName  = 256
)

// Entry is one request and its response.
type Entry struct {
	Started  time.Time
	Duration time.Duration // the entry's "time"
	Method   string
	URL      string
	Header   http.Header
	Body     string // postData.text (or its params, form-encoded)
	Status   int    // 0: no response recorded
	RespHdr  http.Header
	// respText is content.text as recorded; respBase64: its encoding is base64.
	respText   string
	respBase64 bool
	// Dropped: a body was larger than MaxKeptBody and is not kept.
	Dropped bool
	// CookieNames are the names of response.cookies (the cookies the response set), at most
	// maxCookieNames of at most maxCookieName bytes. Their values are never read into memory.
	CookieNames []string
}

// Size is about how many bytes the entry holds.
func (e *Entry) Size() int {
	n := len(e.URL) + len(e.Body) + len(e.respText) + 256
	for _, c := range e.CookieNames {
		n += len(c)
	}
	for _, h := range []http.Header{e.Header, e.RespHdr} {
		for k, vs := range h {
			for _, v := range vs {
				n += len(k) + len(v)
			}
		}
	}
	return n
}

// RespBody is the response body, decoded from base64 when recorded so; nil when not recorded,
// dropped, or not valid base64. It is decoded on each call: only the entries explain reads are.
func (e *Entry) RespBody() []byte {
	if e.respText == "" {
		return nil
	}
	if !e.respBase64 {
		return []byte(e.respText)
	}
	b, err := base64.StdEncoding.DecodeString(e.respText)
	if err != nil {
		return nil
	}
	return b
}

// Log is the entries of a HAR file in file order.
type Log struct {
	Version string
	Entries []Entry
}

type nv struct{ Name, Value string }

// Read decodes a HAR document keeping every entry. Errors are one line with the byte offset.
func Read(r io.Reader) (*Log, error) {
	out := &Log{}
	version, _, err := ScanEntries(r, func(e *Entry) error {
		out.Entries = append(out.Entries, *e)
		return nil
	})
	out.Version = version
	if err != nil {
		return nil, err
	}
	return out, nil
}

// ScanEntries decodes a HAR document and calls each for every entry in file order; the entry is
// not kept unless each keeps it. It returns the HAR version and the number of entries.
func ScanEntries(r io.Reader, each func(*Entry) error) (version string, n int, err error) {
	s := newScanner(r)
	fail := func(what string, err error) error {
		var se *syntaxError
		switch {
		case errors.Is(err, io.ErrUnexpectedEOF):
			return fmt.Errorf("not a HAR file: it ends early (%s, byte %d)", what, s.off)
		case errors.Is(err, ErrTooDeep):
			return fmt.Errorf("not a HAR file: %v (it may be valid JSON, but a HAR nests six levels)", err)
		case errors.As(err, &se):
			return fmt.Errorf("not a HAR file: %s: %v", what, err)
		}
		return fmt.Errorf("not a HAR file: %s at byte %d: %v", what, s.off, err)
	}
	if c, err := s.peek(); err != nil {
		return "", 0, fail("the document is empty", err)
	} else if c != '{' {
		return "", 0, fail("the document is not a JSON object", s.fail("found %q", c))
	}
	sawLog := false
	err = s.object(func(key string) error {
		if key != "log" {
			return s.skip()
		}
		sawLog = true
		return s.object(func(key string) error {
			switch key {
			case "version":
				v, _, err := s.str(64)
				version = v
				return err
			case "entries":
				return s.array(func(i int) error {
					e, err := readEntry(s)
					if err != nil {
						return fmt.Errorf("entry %d: %w", i, err)
					}
					n++
					return each(e)
				})
			}
			return s.skip()
		})
	})
	if err != nil {
		return version, n, fail("reading log", err)
	}
	if !sawLog {
		return version, n, errors.New("not a HAR file: no \"log\" object (HAR 1.2 is {\"log\": {\"entries\": […]}})")
	}
	return version, n, nil
}

// readEntry reads one entry, its bodies bounded.
func readEntry(s *scanner) (*Entry, error) {
	e := &Entry{Header: http.Header{}, RespHdr: http.Header{}} // small maps: a few headers each
	var started string
	var params []nv
	var postText string
	err := s.object(func(key string) error {
		switch key {
		case "startedDateTime":
			v, _, err := s.str(64)
			started = v
			return err
		case "time":
			ms, err := s.num()
			e.Duration = time.Duration(ms * float64(time.Millisecond))
			return err
		case "request":
			return s.object(func(key string) error {
				switch key {
				case "method":
					v, _, err := s.str(32)
					e.Method = v
					return err
				case "url":
					v, cut, err := s.str(maxURL)
					e.URL = v // a longer one (a data: URL) is not an OAuth request: dropped
					e.Dropped = e.Dropped || cut
					return err
				case "headers":
					return headers(s, e.Header)
				case "postData":
					return s.object(func(key string) error {
						switch key {
						case "text":
							v, cut, err := s.str(MaxKeptBody)
							postText = v
							e.Dropped = e.Dropped || cut
							return err
						case "params":
							return s.array(func(int) error {
								p, err := pair(s, MaxKeptBody)
								if len(params) < maxHeaders {
									params = append(params, p)
								}
								return err
							})
						}
						return s.skip()
					})
				}
				return s.skip()
			})
		case "response":
			return s.object(func(key string) error {
				switch key {
				case "status":
					v, err := s.num()
					e.Status = int(v)
					return err
				case "headers":
					return headers(s, e.RespHdr)
				case "cookies":
					return cookieNames(s, e)
				case "content":
					return s.object(func(key string) error {
						switch key {
						case "text":
							v, cut, err := s.str(MaxKeptBody*4/3 + 4)
							e.respText = v
							e.Dropped = e.Dropped || cut
							return err
						case "encoding":
							v, _, err := s.str(32)
							e.respBase64 = v == "base64"
							return err
						}
						return s.skip()
					})
				}
				return s.skip()
			})
		}
		return s.skip()
	})
	if err != nil {
		return nil, err
	}
	if started != "" {
		t, err := time.Parse(time.RFC3339Nano, started)
		if err != nil {
			return nil, fmt.Errorf("startedDateTime is not ISO 8601")
		}
		e.Started = t
	}
	e.Body = postText
	if e.Body == "" && len(params) > 0 {
		e.Body = formEncode(params)
	}
	if len(e.Body) > MaxKeptBody {
		e.Body, e.Dropped = "", true
	}
	if !e.respBase64 && len(e.respText) > MaxKeptBody {
		e.respText, e.Dropped = "", true
	}
	return e, nil
}

// headers reads a HAR header list into h, keeping the first maxHeaders.
func headers(s *scanner, h http.Header) error {
	kept := 0
	return s.array(func(int) error {
		p, err := pair(s, maxHeader)
		if err != nil {
			return err
		}
		if kept < maxHeaders && p.Name != "" && p.Name[0] != ':' { // HTTP/2 pseudo-headers (:authority, :path)
			h.Add(p.Name, p.Value)
			kept++
		}
		return nil
	})
}

// cookieNames reads response.cookies keeping each cookie's name only: its value (a session
// secret) is skipped as the scanner reads past it. A member that is not a list of objects (null,
// as some exporters write) is read past: cookies are a hint, never a reason to refuse a file.
func cookieNames(s *scanner, e *Entry) error {
	if c, err := s.peek(); err != nil || c != '[' {
		return s.skip()
	}
	return s.array(func(int) error {
		if c, err := s.peek(); err != nil || c != '{' {
			return s.skip()
		}
		return s.object(func(key string) error {
			if key != "name" {
				return s.skip()
			}
			v, cut, err := s.str(maxCookieName)
			if err == nil && !cut && v != "" && len(e.CookieNames) < maxCookieNames {
				e.CookieNames = append(e.CookieNames, v)
			}
			return err
		})
	})
}

// pair reads {"name": …, "value": …}; a value longer than max is dropped.
func pair(s *scanner, max int) (nv, error) {
	var p nv
	err := s.object(func(key string) error {
		switch key {
		case "name":
			v, _, err := s.str(256)
			p.Name = v
			return err
		case "value":
			v, _, err := s.str(max)
			p.Value = v
			return err
		}
		return s.skip()
	})
	return p, err
}

// formEncode writes postData.params; HAR writers store them already encoded or decoded, so values
// are kept as they are.
func formEncode(params []nv) string {
	var b []byte
	for i, p := range params {
		if i > 0 {
			b = append(b, '&')
		}
		b = append(b, p.Name...)
		b = append(b, '=')
		b = append(b, p.Value...)
	}
	return string(b)
}
