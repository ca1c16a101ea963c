// Package rawhttp reads a token request or response pasted as raw HTTP/1.1 text (as proxies and
// debugging tools show it), and a response given only as its JSON body.
package rawhttp

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httputil"
	"slices"
	"strings"
)

// MaxBody bounds the body read from a pasted request or response.
const MaxBody = 1 << 20

// Request is a parsed request with an absolute URL.
type Request struct {
	Method string
	URL    string
	Header http.Header
	Body   string
}

// Response is a parsed response.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// LooksLikeRequest reports whether text starts with an HTTP request line.
func LooksLikeRequest(text []byte) bool {
	line, _, _ := bytes.Cut(bytes.TrimLeft(text, " \t\r\n"), []byte("\n"))
	f := strings.Fields(string(line))
	return len(f) == 3 && strings.HasPrefix(f[2], "HTTP/") && strings.ToUpper(f[0]) == f[0]
}

// ParseRequest reads "POST /token HTTP/1.1" with headers and body. The scheme is https unless
// the request line carries an absolute URL: a pasted request does not say.
func ParseRequest(text []byte) (*Request, error) {
	text = bytes.TrimLeft(text, " \t\r\n")
	if !LooksLikeRequest(text) {
		return nil, errors.New("raw HTTP request: the first line is not \"METHOD /path HTTP/1.1\"")
	}
	head, body := split(text)
	if len(body) > MaxBody {
		return nil, fmt.Errorf("raw HTTP request: body larger than %d bytes", MaxBody)
	}
	req, err := http.ReadRequest(bufio.NewReader(bytes.NewReader(head)))
	if err != nil {
		return nil, fmt.Errorf("raw HTTP request: %v", err)
	}
	u := *req.URL
	if u.Host == "" {
		if req.Host == "" {
			return nil, errors.New("raw HTTP request: no Host header and no absolute URL")
		}
		u.Scheme, u.Host = "https", req.Host
	}
	return &Request{Method: req.Method, URL: u.String(), Header: req.Header, Body: string(dechunk(req.TransferEncoding, body))}, nil
}

// ParseResponse reads "HTTP/1.1 400 Bad Request" with headers and body, or only a JSON body.
func ParseResponse(text []byte) (*Response, error) {
	trimmed := bytes.TrimSpace(text)
	if len(trimmed) > 0 && trimmed[0] == '{' {
		if len(trimmed) > MaxBody {
			return nil, fmt.Errorf("response: JSON body larger than %d bytes", MaxBody)
		}
		return &Response{Status: 0, Header: http.Header{}, Body: trimmed}, nil
	}
	if !bytes.HasPrefix(trimmed, []byte("HTTP/")) {
		return nil, errors.New("response: neither raw HTTP (\"HTTP/1.1 400 …\") nor a JSON body")
	}
	trimmed = skipInterim(trimmed)
	head, body := split(trimmed)
	head = http11(head)
	if len(body) > MaxBody {
		return nil, fmt.Errorf("raw HTTP response: body larger than %d bytes", MaxBody)
	}
	resp, err := http.ReadResponse(bufio.NewReader(bytes.NewReader(head)), nil)
	if err != nil {
		return nil, fmt.Errorf("raw HTTP response: %v", err)
	}
	return &Response{Status: resp.StatusCode, Header: resp.Header, Body: dechunk(resp.TransferEncoding, body)}, nil
}

// skipInterim drops 1xx answers before the final one ("HTTP/1.1 100 Continue", as curl -i shows
// them when the request sent Expect: 100-continue).
func skipInterim(text []byte) []byte {
	for bytes.HasPrefix(text, []byte("HTTP/")) {
		line, _, _ := bytes.Cut(text, []byte("\n"))
		f := strings.Fields(string(line))
		if len(f) < 2 || len(f[1]) != 3 || f[1][0] != '1' {
			return text
		}
		_, rest := split(text)
		text = bytes.TrimLeft(rest, "\r\n")
	}
	return text
}

// http11 rewrites an "HTTP/2 400" status line (curl -i over HTTP/2) as HTTP/1.1, which is all
// net/http's parser reads; the status and headers are what count.
func http11(head []byte) []byte {
	for _, v := range []string{"HTTP/2 ", "HTTP/2.0 ", "HTTP/3 "} {
		if bytes.HasPrefix(head, []byte(v)) {
			return append([]byte("HTTP/1.1 "), head[len(v):]...)
		}
	}
	return head
}

// dechunk decodes a body pasted with Transfer-Encoding: chunked (as a proxy or curl -i records
// it). A body that does not decode as chunks is kept as pasted: the header may be stale.
// te is net/http's TransferEncoding: it moves the header out of Header.
func dechunk(te []string, body []byte) []byte {
	if !slices.ContainsFunc(te, func(v string) bool {
		return strings.Contains(strings.ToLower(v), "chunked")
	}) {
		return body
	}
	// A pasted message may have lost the \r of each line: the chunk reader needs CRLF.
	if !bytes.Contains(body, []byte("\r\n")) {
		body = bytes.ReplaceAll(body, []byte("\n"), []byte("\r\n"))
	}
	out, err := io.ReadAll(io.LimitReader(httputil.NewChunkedReader(bytes.NewReader(append(bytes.Clone(body), "\r\n"...))), MaxBody))
	if err != nil && len(out) == 0 {
		return body
	}
	return out
}

// split cuts a pasted message into its head (ending in a blank line, for net/http's parser) and
// its body as pasted: a pasted Content-Length is often stale, so what is there counts.
func split(text []byte) (head, body []byte) {
	i, n := bytes.Index(text, []byte("\r\n\r\n")), 4
	if j := bytes.Index(text, []byte("\n\n")); j >= 0 && (i < 0 || j < i) {
		i, n = j, 2
	}
	if i < 0 {
		i, n = len(text), 0
	}
	head = append(bytes.Clone(bytes.TrimRight(text[:i], "\r\n")), "\r\n\r\n"...) // a copy: text stays intact
	return head, bytes.TrimRight(text[i+n:], "\r\n")
}
