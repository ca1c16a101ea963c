// Package har reads HAR 1.2 files as browser developer tools and proxies export them. It decodes
// one entry at a time and keeps bodies only up to a bound, so a large recording costs little
// memory: the caller needs the requests and the small token responses, not the page assets.
package har

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"
)

// MaxKeptBody is the most of a request or response body kept per entry; larger ones are dropped
// (their size is kept) since no OAuth exchange carries that much.
const MaxKeptBody = 64 << 10

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
	RespBody []byte
	// Dropped: a body was larger than MaxKeptBody and is not kept.
	Dropped bool
}

// Log is the entries of a HAR file in file order.
type Log struct {
	Version string
	Entries []Entry
}

type rawEntry struct {
	StartedDateTime string  `json:"startedDateTime"`
	Time            float64 `json:"time"`
	Request         struct {
		Method   string `json:"method"`
		URL      string `json:"url"`
		Headers  []nv   `json:"headers"`
		PostData *struct {
			MimeType string `json:"mimeType"`
			Text     string `json:"text"`
			Params   []nv   `json:"params"`
		} `json:"postData"`
	} `json:"request"`
	Response struct {
		Status  int  `json:"status"`
		Headers []nv `json:"headers"`
		Content struct {
			Text     string `json:"text"`
			Encoding string `json:"encoding"`
		} `json:"content"`
	} `json:"response"`
}

type nv struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// Read decodes a HAR document. Errors are one line with the byte offset where it went wrong.
func Read(r io.Reader) (*Log, error) {
	dec := json.NewDecoder(r)
	fail := func(what string, err error) error {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return fmt.Errorf("not a HAR file: it ends early (%s, byte %d)", what, dec.InputOffset())
		}
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return fmt.Errorf("not a HAR file: invalid JSON at byte %d", se.Offset)
		}
		return fmt.Errorf("not a HAR file: %s at byte %d: %v", what, dec.InputOffset(), err)
	}
	if err := expectDelim(dec, '{'); err != nil {
		return nil, fail("the document is not a JSON object", err)
	}
	out := &Log{}
	sawLog := false
	for dec.More() {
		key, err := dec.Token()
		if err != nil {
			return nil, fail("reading the top level", err)
		}
		if key != "log" {
			if err := skip(dec); err != nil {
				return nil, fail("skipping a top-level field", err)
			}
			continue
		}
		sawLog = true
		if err := readLog(dec, out); err != nil {
			return nil, fail("reading log", err)
		}
	}
	if !sawLog {
		return nil, errors.New("not a HAR file: no \"log\" object (HAR 1.2 is {\"log\": {\"entries\": […]}})")
	}
	return out, nil
}

func readLog(dec *json.Decoder, out *Log) error {
	if err := expectDelim(dec, '{'); err != nil {
		return err
	}
	for dec.More() {
		key, err := dec.Token()
		if err != nil {
			return err
		}
		switch key {
		case "version":
			if err := dec.Decode(&out.Version); err != nil {
				return err
			}
		case "entries":
			if err := expectDelim(dec, '['); err != nil {
				return err
			}
			for n := 0; dec.More(); n++ {
				var re rawEntry
				if err := dec.Decode(&re); err != nil {
					return fmt.Errorf("entry %d: %w", n, err)
				}
				e, err := convert(re)
				if err != nil {
					return fmt.Errorf("entry %d: %w", n, err)
				}
				out.Entries = append(out.Entries, e)
			}
			if _, err := dec.Token(); err != nil {
				return err
			}
		default:
			if err := skip(dec); err != nil {
				return err
			}
		}
	}
	_, err := dec.Token()
	return err
}

func convert(re rawEntry) (Entry, error) {
	e := Entry{Method: re.Request.Method, URL: re.Request.URL, Status: re.Response.Status,
		Duration: time.Duration(re.Time * float64(time.Millisecond)),
		Header:   header(re.Request.Headers), RespHdr: header(re.Response.Headers)}
	if re.StartedDateTime != "" {
		t, err := time.Parse(time.RFC3339Nano, re.StartedDateTime)
		if err != nil {
			return e, fmt.Errorf("startedDateTime is not ISO 8601")
		}
		e.Started = t
	}
	if pd := re.Request.PostData; pd != nil {
		e.Body = pd.Text
		if e.Body == "" && len(pd.Params) > 0 {
			e.Body = formEncode(pd.Params)
		}
	}
	if len(e.Body) > MaxKeptBody {
		e.Body, e.Dropped = "", true
	}
	body := re.Response.Content.Text
	if len(body) <= MaxKeptBody*4/3+4 {
		if re.Response.Content.Encoding == "base64" {
			if b, err := base64.StdEncoding.DecodeString(body); err == nil {
				e.RespBody = b
			}
		} else {
			e.RespBody = []byte(body)
		}
	}
	if len(e.RespBody) > MaxKeptBody || (len(e.RespBody) == 0 && body != "") {
		e.RespBody, e.Dropped = nil, true
	}
	return e, nil
}

func header(list []nv) http.Header {
	h := http.Header{}
	for _, p := range list {
		if p.Name == "" || p.Name[0] == ':' { // HTTP/2 pseudo-headers (:authority, :path)
			continue
		}
		h.Add(p.Name, p.Value)
	}
	return h
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

func expectDelim(dec *json.Decoder, want json.Delim) error {
	t, err := dec.Token()
	if err != nil {
		return err
	}
	if d, ok := t.(json.Delim); !ok || d != want {
		return fmt.Errorf("expected %q", string(want))
	}
	return nil
}

// skip discards the next value, however deep.
func skip(dec *json.Decoder) error {
	var v json.RawMessage
	return dec.Decode(&v)
}
