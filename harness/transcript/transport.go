package transcript

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/grantcheck/grantcheck/harness/safetext"
	"github.com/grantcheck/grantcheck/harness/verdict"
)

// MaxBody is the most of a response body the harness reads (DESIGN.md budget).
const MaxBody = 1 << 20

// ErrBodyTooLarge is returned for a response body over MaxBody.
var ErrBodyTooLarge = fmt.Errorf("response body larger than %d bytes (the harness reads at most that)", MaxBody)

// What a record keeps of each body and header value, and of all headers together: a report holds
// excerpts, so its size does not follow what a provider sends (DESIGN.md budget).
const (
	ShownBody        = 16 << 10
	ShownHeaderValue = 2 << 10
	ShownHeaders     = 16 << 10
)

// Record is one redacted exchange.
type Record struct {
	Step     string
	Method   string
	URL      string
	Request  string // redacted headers and body
	Status   string
	Response string // redacted headers and body
	Duration time.Duration
	Err      string
	// File is a file the harness saved as evidence (Method "FILE"; Step says what it is).
	File string
}

func (r Record) String() string {
	var b strings.Builder
	if r.Step != "" {
		fmt.Fprintf(&b, "# %s\n", r.Step)
	}
	fmt.Fprintf(&b, "→ %s %s\n%s", r.Method, r.URL, indent(r.Request))
	if r.Err != "" {
		fmt.Fprintf(&b, "← error after %s: %s\n", r.Duration.Round(10*time.Microsecond), r.Err)
		return b.String()
	}
	fmt.Fprintf(&b, "← %s (%s)\n%s", r.Status, r.Duration.Round(10*time.Microsecond), indent(r.Response))
	return b.String()
}

func indent(s string) string {
	if s == "" {
		return ""
	}
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	for i, l := range lines {
		lines[i] = "  " + l
	}
	return strings.Join(lines, "\n") + "\n"
}

// Log is the transcript of one scenario.
type Log struct {
	mu       sync.Mutex
	records  []Record
	Redactor *Redactor
}

// NewLog starts an empty transcript.
func NewLog(r *Redactor) *Log { return &Log{Redactor: r} }

// Records returns a copy of the records so far.
func (l *Log) Records() []Record {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]Record(nil), l.records...)
}

// Append adds records (e.g. from a setup made before the scenario ran).
func (l *Log) Append(rs ...Record) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.records = append(l.records, rs...)
}

// Note adds a line of the harness's own (already free of secrets, redacted anyway).
func (l *Log) Note(format string, args ...any) {
	l.Append(Record{Step: l.Redactor.Clean(fmt.Sprintf(format, args...)), Method: "NOTE"})
}

// Attach records a file saved as evidence (see verdict.File for path), so the reports link it.
func (l *Log) Attach(what, path string) {
	l.Append(Record{Step: what, Method: "FILE", File: path})
}

// Files are the files attached so far, in order.
func (l *Log) Files() []verdict.File {
	var out []verdict.File
	for _, r := range l.Records() {
		if r.Method == "FILE" {
			out = append(out, verdict.File{What: r.Step, Path: r.File})
		}
	}
	return out
}

func (l *Log) String() string {
	var b strings.Builder
	for _, r := range l.Records() {
		switch r.Method {
		case "NOTE":
			fmt.Fprintf(&b, "# %s\n", r.Step)
			continue
		case "FILE":
			fmt.Fprintf(&b, "# %s: %s\n", r.Step, r.File)
			continue
		}
		b.WriteString(r.String())
	}
	// Once more with what the run knows now: parallel requests record an echo of a token before
	// the answer that issued it is read (a code-reuse race's loser quoting the winner's tokens).
	return l.Redactor.Redact(b.String())
}

// Last returns the latest record.
func (l *Log) Last() (Record, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.records) == 0 {
		return Record{}, false
	}
	return l.records[len(l.records)-1], true
}

// StepHeader is a request header the harness sets to name a step; the transport removes it
// before sending.
const StepHeader = "X-Grantcheck-Step"

type captureKey struct{}

// Capture returns a context whose exchange the Transport also stores in the returned Record, so a
// caller gets its own record even when other requests record into the same Log concurrently.
func Capture(ctx context.Context) (context.Context, *Record) {
	rec := new(Record)
	return context.WithValue(ctx, captureKey{}, rec), rec
}

// Transport records every exchange into Log; it reads bodies up to MaxBody.
type Transport struct {
	Base http.RoundTripper
	Log  *Log
}

// RoundTrip sends, reads the body (bounded), records the redacted exchange and hands the body on.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	step := req.Header.Get(StepHeader)
	if step != "" {
		req = req.Clone(req.Context())
		req.Header.Del(StepHeader)
	}
	var reqBody []byte
	if req.Body != nil {
		b, err := io.ReadAll(req.Body)
		req.Body.Close()
		if err != nil {
			return nil, fmt.Errorf("read request body: %w", err)
		}
		reqBody = b
		req.Body = io.NopCloser(bytes.NewReader(b))
		req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }
	}
	red := t.Log.Redactor
	// The body first: a secret it carries (a token, a code) is then also hidden in the headers.
	shownReq := excerpt(red.Clean(string(reqBody)), ShownBody, len(reqBody))
	rec := Record{Step: safetext.Terminal(step), Method: req.Method, URL: red.Clean(req.URL.String()),
		Request: red.headers(req.Header) + shownReq}
	start := time.Now()
	resp, err := t.Base.RoundTrip(req)
	rec.Duration = time.Since(start)
	if err != nil {
		rec.Err = red.Clean(err.Error())
		t.record(req, rec)
		return nil, err
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, MaxBody+1))
	resp.Body.Close()
	if err == nil && len(body) > MaxBody {
		err = ErrBodyTooLarge
		body = body[:MaxBody]
	}
	rec.Status = safetext.Terminal(resp.Status)
	shownBody := excerpt(red.Clean(string(body)), ShownBody, len(body))
	rec.Response = red.headers(resp.Header) + shownBody
	if err != nil {
		rec.Err = red.Clean(fmt.Sprintf("%s (status %s)", err, resp.Status))
		t.record(req, rec)
		// http.Client wraps this in a url.Error naming method and URL: not repeated here.
		return nil, err
	}
	t.record(req, rec)
	resp.Body = io.NopCloser(bytes.NewReader(body))
	resp.ContentLength = int64(len(body))
	return resp, nil
}

func (t *Transport) record(req *http.Request, rec Record) {
	t.Log.Append(rec)
	if p, ok := req.Context().Value(captureKey{}).(*Record); ok {
		*p = rec
	}
}

// headers renders headers sorted, hiding credentials and cookies.
func (r *Redactor) headers(h http.Header) string {
	keys := make([]string, 0, len(h))
	for k := range h {
		if k == "User-Agent" || k == "Accept-Encoding" || k == "Date" || k == "Content-Length" {
			continue
		}
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		for _, v := range h[k] {
			switch strings.ToLower(k) {
			case "authorization", "proxy-authorization":
				v = r.RedactAuthorization(v)
			case "cookie", "set-cookie":
				v = redactCookie(r, v)
			default:
				v = r.Redact(v)
			}
			fmt.Fprintf(&b, "%s: %s\n", safetext.Terminal(k), excerpt(safetext.Terminal(v), ShownHeaderValue, len(v)))
		}
	}
	if b.Len() == 0 {
		return ""
	}
	return Excerpt(b.String(), ShownHeaders) + "\n"
}

// redactCookie keeps cookie names (they tell which session is meant) and hides values.
func redactCookie(r *Redactor, v string) string {
	parts := strings.Split(v, ";")
	for i, p := range parts {
		name, val, ok := strings.Cut(strings.TrimSpace(p), "=")
		if !ok || val == "" {
			continue
		}
		attr := strings.ToLower(name)
		if i > 0 && (attr == "path" || attr == "domain" || attr == "expires" || attr == "max-age" || attr == "samesite") {
			continue
		}
		r.Learn("cookie", val)
		parts[i] = " " + name + "=" + label("cookie", val)
		if i == 0 {
			parts[i] = strings.TrimSpace(parts[i])
		}
	}
	return strings.Join(parts, ";")
}
