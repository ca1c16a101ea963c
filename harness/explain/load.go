package explain

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"

	"github.com/grantcheck/grantcheck/harness/explain/curl"
	"github.com/grantcheck/grantcheck/harness/explain/har"
	"github.com/grantcheck/grantcheck/harness/explain/rawhttp"
)

// maxKept and maxKeptBytes bound the entries a recording keeps for FromHAR (token requests,
// authorization requests, redirects carrying a code): past either the older half is let go, and
// the answer says so.
const (
	maxKept      = 4096
	maxKeptBytes = 16 << 20
)

// ReadHAR reads a HAR recording and picks the exchange to explain. It streams: of the entries
// it keeps only those FromHAR reads (page assets, scripts and their bodies are read past), and
// of the others the bounded flow signals (cookie names, page paths: flow.go) that recognise the
// provider, so memory stays flat whatever the recording's size.
func ReadHAR(r io.Reader) (Input, error) {
	log := &har.Log{}
	dropped, size := 0, 0
	signs := newFlowSigns()
	_, n, err := har.ScanEntries(r, func(e *har.Entry) error {
		signs.see(e)
		if !relevant(e) {
			return nil
		}
		if len(log.Entries) == maxKept || size+e.Size() > maxKeptBytes {
			half := len(log.Entries) / 2
			for i := range half {
				size -= log.Entries[i].Size()
			}
			dropped += half
			log.Entries = slices.Delete(log.Entries, 0, half)
		}
		log.Entries = append(log.Entries, *e)
		size += e.Size()
		return nil
	})
	if err != nil {
		return Input{}, err
	}
	in, err := FromHAR(log)
	if err == nil {
		in.Flow = signs.of(in)
	}
	if errors.Is(err, ErrNoTokenRequest) {
		return in, fmt.Errorf("%w among the %d entries", ErrNoTokenRequest, n)
	}
	if err == nil && dropped > 0 {
		in.Notes = append(in.Notes, fmt.Sprintf("the recording holds more token requests, authorization requests and "+
			"redirects than explain keeps (%d, %d MB); the first %d were not kept, so an earlier redemption among them is not seen",
			maxKept, maxKeptBytes>>20, dropped))
	}
	return in, err
}

// relevant: an entry FromHAR may read, a token request or one whose URL or Location carries an
// authorization request or a code.
func relevant(e *har.Entry) bool {
	if isTokenRequest(e.Method, e.Header, e.Body) {
		return true
	}
	for _, raw := range []string{e.URL, e.RespHdr.Get("Location")} {
		if strings.Contains(raw, "code=") || strings.Contains(raw, "client_id=") {
			return true
		}
	}
	return false
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
