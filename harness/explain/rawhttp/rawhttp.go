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
	req, err := http.ReadRequest(bufio.NewReader(bytes.NewReader(withHeaderEnd(text))))
	if err != nil {
		return nil, fmt.Errorf("raw HTTP request: %v", err)
	}
	body, err := readBody(req.Body, req.Header)
	if err != nil {
		return nil, fmt.Errorf("raw HTTP request: %w", err)
	}
	u := *req.URL
	if u.Host == "" {
		if req.Host == "" {
			return nil, errors.New("raw HTTP request: no Host header and no absolute URL")
		}
		u.Scheme, u.Host = "https", req.Host
	}
	return &Request{Method: req.Method, URL: u.String(), Header: req.Header, Body: string(body)}, nil
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
	resp, err := http.ReadResponse(bufio.NewReader(bytes.NewReader(withHeaderEnd(trimmed))), nil)
	if err != nil {
		return nil, fmt.Errorf("raw HTTP response: %v", err)
	}
	body, err := readBody(resp.Body, resp.Header)
	if err != nil {
		return nil, fmt.Errorf("raw HTTP response: %w", err)
	}
	return &Response{Status: resp.StatusCode, Header: resp.Header, Body: body}, nil
}

// withHeaderEnd adds the blank line a paste often lacks, so a header-only text still parses.
func withHeaderEnd(text []byte) []byte {
	if bytes.Contains(text, []byte("\n\n")) || bytes.Contains(text, []byte("\r\n\r\n")) {
		return text
	}
	return append(bytes.TrimRight(text, "\r\n"), "\r\n\r\n"...)
}

// readBody reads the body; a pasted text's Content-Length is often stale, so what is there counts.
func readBody(rc io.ReadCloser, h http.Header) ([]byte, error) {
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, MaxBody+1))
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) {
		return nil, fmt.Errorf("body: %v", err)
	}
	if len(b) > MaxBody {
		return nil, fmt.Errorf("body larger than %d bytes", MaxBody)
	}
	return bytes.TrimRight(b, "\r\n"), nil
}
