package explain

import (
	"bytes"
	"errors"
	"io"
	"net/http"

	"github.com/grantcheck/grantcheck/harness/explain/curl"
	"github.com/grantcheck/grantcheck/harness/explain/har"
	"github.com/grantcheck/grantcheck/harness/explain/rawhttp"
)

// ReadHAR reads a HAR recording and picks the exchange to explain.
func ReadHAR(r io.Reader) (Input, error) {
	log, err := har.Read(r)
	if err != nil {
		return Input{}, err
	}
	return FromHAR(log)
}

// ReadRequest reads a token request given as a curl command line or raw HTTP, with the
// authorization URL and the answer (raw HTTP or a JSON body) when known.
func ReadRequest(authorizeURL string, request, response []byte) (Input, error) {
	var method, rawURL, body string
	var header http.Header
	switch {
	case bytes.HasPrefix(bytes.TrimSpace(request), []byte("curl")):
		r, err := curl.Parse(string(request))
		if err != nil {
			return Input{}, err
		}
		method, rawURL, header, body = r.Method, r.URL, r.Header, r.Body
	case rawhttp.LooksLikeRequest(request):
		r, err := rawhttp.ParseRequest(request)
		if err != nil {
			return Input{}, err
		}
		method, rawURL, header, body = r.Method, r.URL, r.Header, r.Body
	default:
		return Input{}, errors.New("neither a curl command line nor a raw HTTP request (\"POST /token HTTP/1.1\")")
	}
	var resp *Response
	if response != nil {
		r, err := rawhttp.ParseResponse(response)
		if err != nil {
			return Input{}, &ResponseError{err}
		}
		resp = NewResponse(r.Status, r.Header, r.Body)
	}
	return FromRequest(authorizeURL, method, rawURL, header, body, resp)
}

// ReadResponse reads the provider's answer alone (raw HTTP or its JSON body), with the
// authorization URL when known: the message-based causes, and what the request would add.
func ReadResponse(authorizeURL string, response []byte) (Input, error) {
	r, err := rawhttp.ParseResponse(response)
	if err != nil {
		return Input{}, &ResponseError{err}
	}
	return FromResponse(authorizeURL, NewResponse(r.Status, r.Header, r.Body))
}

// ResponseError is a problem with the response text, not the request, so a caller names the
// right file.
type ResponseError struct{ Err error }

func (e *ResponseError) Error() string { return e.Err.Error() }
func (e *ResponseError) Unwrap() error { return e.Err }
