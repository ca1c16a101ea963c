package explain

import (
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/grantcheck/grantcheck/harness/explain/answers"
	"github.com/grantcheck/grantcheck/harness/explain/har"
)

// ErrNoTokenRequest: the input holds no token request to explain.
var ErrNoTokenRequest = errors.New("no token request (a POST whose form body carries grant_type, or a code with client_id or redirect_uri)")

// FromHAR picks the exchange to explain from a recording: the last token request the provider
// refused (else the last one), the redirect that delivered its code, and the authorization request
// of that flow. Whatever is absent stays nil and is reported as not checked.
func FromHAR(log *har.Log) (Input, error) {
	var tokens []int
	for i, e := range log.Entries {
		if isTokenRequest(e.Method, e.Header, e.Body) {
			tokens = append(tokens, i)
		}
	}
	if len(tokens) == 0 {
		return Input{}, ErrNoTokenRequest
	}
	target := tokens[len(tokens)-1]
	for _, i := range tokens {
		if refusedEntry(&log.Entries[i]) {
			target = i
		}
	}
	in := Input{Recording: true}
	for _, i := range tokens {
		if i < target {
			in.Earlier = append(in.Earlier, tokenOf(log.Entries[i]))
		}
	}
	in.Token = tokenOf(log.Entries[target])
	code := in.Token.Form.Get("code")
	state := ""
	redirectAt := target
	if code != "" {
		for i := target - 1; i >= 0; i-- {
			e := log.Entries[i]
			if u := carriesCode(e, code); u != nil {
				at := e.Started
				if e.Status >= 300 && e.Status < 400 { // the code arrived with this response
					at = at.Add(e.Duration)
				}
				in.Redirect = &Step{URL: u, At: at, Date: dateOf(e.RespHdr)}
				state = params(u).Get("state")
				redirectAt = i
				break
			}
		}
	}
	var fallback *Step
	for i := redirectAt - 1; i >= 0; i-- {
		e := log.Entries[i]
		u, err := url.Parse(e.URL)
		if err != nil || !isAuthorizationRequest(u.Query()) {
			continue
		}
		s := &Step{URL: u, At: e.Started, Date: dateOf(e.RespHdr)}
		if state == "" || u.Query().Get("state") == state {
			in.Authorize = s
			break
		}
		if fallback == nil {
			fallback = s
		}
	}
	if in.Authorize == nil && state != "" {
		in.Authorize = fallback // a flow whose state the app changed: still the nearest authorization request
	}
	return in, nil
}

// refusedEntry: the provider said no, with an error status or, in the dialect of providers that
// answer HTTP 200 {"error": …} (GitHub), with an error member.
func refusedEntry(e *har.Entry) bool {
	if e.Status >= 400 {
		return true
	}
	a, _ := answers.ParseAnswer(e.Status, e.RespBody())
	return a.Error != ""
}

// FromRequest builds the input of --authorize-url and --token-request (and --response).
func FromRequest(authorizeURL string, method, rawURL string, h http.Header, body string, resp *Response) (Input, error) {
	var in Input
	if authorizeURL != "" {
		s, err := authorizeStep(authorizeURL)
		if err != nil {
			return in, err
		}
		q := s.URL.Query()
		if q.Get("client_id") == "" && q.Get("redirect_uri") == "" && q.Get("code_challenge") == "" {
			return in, errors.New("--authorize-url: no client_id, redirect_uri or code_challenge in its query; paste the whole authorization URL")
		}
		in.Authorize = s
	}
	if !isTokenRequest(method, h, body) {
		return in, fmt.Errorf("%w; got %s with %d bytes of body", ErrNoTokenRequest, method, len(body))
	}
	form, _ := formOf(h, body)
	in.Token = Token{Method: method, URL: rawURL, Header: h, Form: form, Response: resp}
	return in, nil
}

// FromResponse is the input of --response alone: the provider's answer, no request.
func FromResponse(authorizeURL string, resp *Response) (Input, error) {
	in := Input{NoRequest: true}
	if authorizeURL != "" {
		s, err := authorizeStep(authorizeURL)
		if err != nil {
			return in, err
		}
		in.Authorize = s
	}
	in.Token.Response = resp
	return in, nil
}

// authorizeStep reads --authorize-url, which must be an absolute URL.
func authorizeStep(raw string) (*Step, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || u.Host == "" {
		return nil, errors.New("--authorize-url: not an absolute URL")
	}
	return &Step{URL: u}, nil
}

// NewResponse fills Date from the headers.
func NewResponse(status int, h http.Header, body []byte) *Response {
	if h == nil {
		h = http.Header{}
	}
	return &Response{Status: status, Header: h, Body: body, Date: dateOf(h)}
}

func isTokenRequest(method string, h http.Header, body string) bool {
	if !strings.EqualFold(method, http.MethodPost) {
		return false
	}
	form, ok := formOf(h, body)
	if !ok {
		return false
	}
	if form.Get("grant_type") != "" {
		return true
	}
	// Without grant_type (GitHub's token endpoint documents none): a code with something that
	// only a token request carries beside it (a login form's one-time "code" has none of these).
	return form.Get("code") != "" && (form.Has("client_id") || form.Has("redirect_uri") || form.Has("code_verifier") ||
		form.Has("client_secret") || strings.HasPrefix(strings.ToLower(h.Get("Authorization")), "basic "))
}

// formOf reads a token request's parameters: a form body (RFC 6749 §4.1.3), or the JSON object
// some SDKs send instead (auth0-spa-js posts JSON to Auth0's /oauth/token), its values as text.
func formOf(h http.Header, body string) (url.Values, bool) {
	mt := "application/x-www-form-urlencoded"
	if ct := h.Get("Content-Type"); ct != "" {
		mt, _, _ = mime.ParseMediaType(ct)
	}
	switch {
	case mt == "application/json" || strings.HasSuffix(mt, "+json"):
		var doc map[string]any
		if json.Unmarshal([]byte(body), &doc) != nil {
			return nil, false
		}
		form := url.Values{}
		for k, v := range doc {
			switch v := v.(type) {
			case string:
				form.Set(k, v)
			case float64, bool:
				form.Set(k, fmt.Sprint(v))
			}
		}
		return form, true
	case mt == "application/x-www-form-urlencoded":
		form, err := url.ParseQuery(body)
		return form, err == nil
	}
	return nil, false
}

// isAuthorizationRequest: a code flow's authorization request, response_type=code or, where a
// provider does not require it (GitHub), none with a client_id and redirect_uri.
func isAuthorizationRequest(q url.Values) bool {
	if q.Get("client_id") == "" {
		return false
	}
	if q.Has("response_type") {
		return strings.Contains(q.Get("response_type"), "code")
	}
	return q.Get("redirect_uri") != ""
}

func tokenOf(e har.Entry) Token {
	form, _ := formOf(e.Header, e.Body)
	t := Token{At: e.Started, Method: e.Method, URL: e.URL, Header: e.Header, Form: form}
	if e.Status != 0 {
		t.Response = NewResponse(e.Status, e.RespHdr, e.RespBody())
	}
	return t
}

// carriesCode returns the URL bearing code=…: the response's Location, or the request itself.
func carriesCode(e har.Entry, code string) *url.URL {
	for _, raw := range []string{e.RespHdr.Get("Location"), e.URL} {
		if raw == "" {
			continue
		}
		u, err := url.Parse(raw)
		if err == nil && params(u).Get("code") == code {
			return u
		}
	}
	return nil
}

// params are the query's, or the fragment's for response_mode=fragment.
func params(u *url.URL) url.Values {
	q := u.Query()
	if q.Get("code") == "" && u.Fragment != "" {
		if f, err := url.ParseQuery(u.Fragment); err == nil {
			return f
		}
	}
	return q
}

func dateOf(h http.Header) time.Time {
	if h == nil {
		return time.Time{}
	}
	t, err := http.ParseTime(h.Get("Date"))
	if err != nil {
		return time.Time{}
	}
	return t
}
