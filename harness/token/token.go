// Package token builds token endpoint requests whose every deviation from a valid request is an
// explicit, named mutation, and sends them through the recording client.
package token

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/go-resty/resty/v2"

	"github.com/grantcheck/grantcheck/harness/assertion"
	"github.com/grantcheck/grantcheck/harness/config"
	"github.com/grantcheck/grantcheck/harness/transcript"
	"github.com/grantcheck/grantcheck/harness/verdict"
)

// Request is a token request under construction. The zero value is not usable; use New.
type Request struct {
	http     *resty.Client
	log      *transcript.Log
	endpoint string
	step     string
	form     url.Values
	order    []string // parameter order as written, for a readable transcript
	omitted  map[string]bool
	method   string
	json     bool
	auth     Auth
	// authorize is the authorization request behind a redeemed code (see ObtainedBy).
	authorize string
	// sentAssertion and sentAt: the client assertion of the last Send, for its description.
	sentAssertion string
	sentAt        time.Time
	sentReplay    bool
}

// Auth is how the client authenticates (RFC 6749 §2.3).
type Auth struct {
	Method   string // config.AuthBasic, config.AuthPost, config.AuthNone, AuthBearer or AuthRawHeader
	ClientID string
	Secret   string
	// Header is the Authorization header sent as is by AuthRawHeader.
	Header string
	// Key signs the assertion of a private_key_jwt or client_secret_jwt client; Audience is its
	// aud (the provider's issuer, as draft-ietf-oauth-rfc7523bis §4 asks). Each request sends a
	// fresh assertion, changed by Mutations (a scenario's invalid one), or Prepared as it is (a
	// replay).
	Key       *assertion.Key
	Audience  string
	Mutations []assertion.Mutation
	Prepared  string
}

// IsAssertion reports whether the method authenticates with a client assertion.
func (a Auth) IsAssertion() bool { return config.AssertionMethod(a.Method) }

// MakeAssertion is the assertion this authentication sends: Prepared, or a fresh one.
func (a Auth) MakeAssertion() (string, error) { return a.makeAt(time.Now()) }

func (a Auth) makeAt(now time.Time) (string, error) {
	if a.Prepared != "" {
		return a.Prepared, nil
	}
	if a.Key == nil || a.Audience == "" {
		return "", fmt.Errorf("client %s authenticates with %s, but its signing key or the assertion's audience is missing", a.ClientID, a.Method)
	}
	return assertion.Make(a.Key, a.ClientID, a.Audience, now, a.Mutations...)
}

// AuthRawHeader sends Auth.Header as the Authorization header, unchanged: for malformed credentials.
const AuthRawHeader = "raw-header"

// AuthBearer presents an access token instead of client credentials (RFC 6750 §2.1).
const AuthBearer = "bearer"

// AuthOf is the client's registered authentication. A client that authenticates with an assertion
// also needs its Audience (WithAudience).
func AuthOf(c *config.Client) Auth {
	return Auth{Method: c.AuthMethod, ClientID: c.ClientID, Secret: c.ClientSecret, Key: c.SigningKey()}
}

// WithAudience sets the aud of the assertions: the provider's issuer.
func (a Auth) WithAudience(issuer string) Auth {
	a.Audience = issuer
	return a
}

// New starts a POST form request to endpoint; step names it in the transcript.
func New(c *resty.Client, log *transcript.Log, endpoint, step string) *Request {
	return &Request{http: c, log: log, endpoint: endpoint, step: step, form: url.Values{}, method: http.MethodPost}
}

// Via sends the request through c instead of the client it was started with (a Volley's, whose
// requests are released together); the transcript is the same.
func (r *Request) Via(c *resty.Client) *Request {
	r.http = c
	return r
}

// Set sets a parameter to one value.
func (r *Request) Set(name, value string) *Request {
	delete(r.omitted, name)
	if _, ok := r.form[name]; !ok {
		r.order = append(r.order, name)
	}
	r.form.Set(name, value)
	return r
}

// Omit removes a parameter, also one the authentication method would add (client_id, client_secret).
func (r *Request) Omit(name string) *Request {
	r.form.Del(name)
	if r.omitted == nil {
		r.omitted = map[string]bool{}
	}
	r.omitted[name] = true
	return r
}

// Duplicate sends the parameter a second time with value.
func (r *Request) Duplicate(name, value string) *Request {
	delete(r.omitted, name)
	if _, ok := r.form[name]; !ok {
		r.order = append(r.order, name)
	}
	r.form.Add(name, value)
	return r
}

// Get returns the current value of a parameter.
func (r *Request) Get(name string) string { return r.form.Get(name) }

// ClientID is the client the request authenticates as (or names).
func (r *Request) ClientID() string { return r.auth.ClientID }

// Step renames the request in the transcript (a retry says what it changed).
func (r *Request) Step(step string) *Request {
	r.step = step
	return r
}

// Authenticate sets the client authentication.
func (r *Request) Authenticate(a Auth) *Request {
	r.auth = a
	return r
}

// Retarget sends the request to another endpoint (introspection, revocation).
func (r *Request) Retarget(endpoint string) *Request {
	r.endpoint = endpoint
	return r
}

// AsGET sends the parameters in the query of a GET (RFC 6749 §3.2 requires POST).
func (r *Request) AsGET() *Request {
	r.method = http.MethodGet
	return r
}

// AsJSON sends the parameters as a JSON object instead of a form.
func (r *Request) AsJSON() *Request {
	r.json = true
	return r
}

// Send performs the request. Only transport failures are errors; any HTTP answer is a Response.
func (r *Request) Send(ctx context.Context) (*Response, error) {
	form := url.Values{}
	for k, vs := range r.form {
		form[k] = append([]string(nil), vs...)
	}
	// The record of this exchange, not Log.Last(): parallel redemptions share one Log.
	ctx, captured := transcript.Capture(ctx)
	req := r.http.R().SetContext(ctx).SetHeader(transcript.StepHeader, r.step).SetHeader("Accept", "application/json")
	usedBasic := false
	switch r.auth.Method {
	case config.AuthBasic:
		// RFC 6749 §2.3.1: id and secret are form-urlencoded before Base64.
		cred := url.QueryEscape(r.auth.ClientID) + ":" + url.QueryEscape(r.auth.Secret)
		req.SetHeader("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(cred)))
		usedBasic = true
	case config.AuthPost:
		form.Set("client_id", r.auth.ClientID)
		form.Set("client_secret", r.auth.Secret)
	case config.AuthNone:
		form.Set("client_id", r.auth.ClientID)
	case AuthBearer:
		req.SetHeader("Authorization", "Bearer "+r.auth.Secret)
	case AuthRawHeader:
		req.SetHeader("Authorization", r.auth.Header)
		usedBasic = strings.HasPrefix(strings.ToLower(r.auth.Header), "basic ")
	case config.AuthPrivateKeyJWT, config.AuthSecretJWT:
		// RFC 7521 §4.2: client_id is optional beside an assertion; sent, so a provider need not
		// read an unverified JWT to find the client.
		now := time.Now()
		a, err := r.auth.makeAt(now)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", r.step, err)
		}
		if r.log != nil {
			r.log.Redactor.Learn("client_assertion", a) // before any answer can echo it
		}
		form.Set("client_id", r.auth.ClientID)
		form.Set("client_assertion_type", assertion.Type)
		form.Set("client_assertion", a)
		r.sentAssertion, r.sentAt, r.sentReplay = a, now, r.auth.Prepared != ""
	}
	// A body client_id set explicitly (e.g. the id-mismatch scenario) wins over the auth method's.
	for _, k := range authParams {
		if vs, ok := r.form[k]; ok {
			form[k] = vs
		}
	}
	for k := range r.omitted {
		form.Del(k)
	}
	encoded := encodeOrdered(form, r.order)
	described := r.describe(encoded)
	var resp *resty.Response
	var err error
	switch {
	case r.method == http.MethodGet:
		u, perr := url.Parse(r.endpoint)
		if perr != nil {
			return nil, fmt.Errorf("token endpoint %q: %w", r.endpoint, perr)
		}
		if u.RawQuery != "" {
			encoded = u.RawQuery + "&" + encoded
		}
		u.RawQuery = encoded
		resp, err = req.Get(strings.TrimSuffix(u.String(), "?"))
	case r.json:
		obj := map[string]string{}
		for k := range form {
			obj[k] = form.Get(k)
		}
		resp, err = req.SetHeader("Content-Type", "application/json").SetBody(obj).Post(r.endpoint)
	default:
		resp, err = req.SetHeader("Content-Type", "application/x-www-form-urlencoded").SetBody(encoded).Post(r.endpoint)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", r.step, err)
	}
	rec := *captured
	if rec.Method == "" && r.log != nil { // a client without the recording transport
		rec, _ = r.log.Last()
	}
	answer := NewResponse(resp.StatusCode(), resp.Header(), resp.Body(), usedBasic, rec)
	answer.Request = described
	answer.Sent = r
	return answer, nil
}

// authParams are the body parameters an authentication method adds, in the order they are sent.
var authParams = []string{"client_id", "client_secret", "client_assertion_type", "client_assertion"}

// encodeOrdered writes parameters in the order the scenario wrote them, then any others.
func encodeOrdered(form url.Values, order []string) string {
	var parts []string
	done := map[string]bool{}
	add := func(k string) {
		if done[k] {
			return
		}
		done[k] = true
		for _, v := range form[k] {
			parts = append(parts, url.QueryEscape(k)+"="+url.QueryEscape(v))
		}
	}
	for _, k := range order {
		add(k)
	}
	for _, k := range authParams {
		add(k)
	}
	for k := range form {
		add(k)
	}
	return strings.Join(parts, "&")
}

// Response is a token endpoint answer: raw for the matchers, redacted for display.
type Response struct {
	Status    int
	Header    http.Header
	Body      []byte
	MediaType string
	// JSON is the parsed object, nil when the body is not a JSON object.
	JSON map[string]any
	// UsedBasic: the request authenticated with the Authorization header.
	UsedBasic bool
	// Record is the redacted exchange, the only form in which a response is ever printed.
	Record transcript.Record
	// Warnings are SHOULD-level findings matchers noted on this response.
	Warnings []string
	// Request describes what was sent, without secret values (for a reproduction).
	Request *verdict.Request
	// Sent is the request that was sent, so a harness can ask again with one cause removed; nil
	// for a response not sent by Request.Send.
	Sent *Request
}

// NewResponse parses an answer.
func NewResponse(status int, h http.Header, body []byte, usedBasic bool, rec transcript.Record) *Response {
	mt, _, _ := mime.ParseMediaType(h.Get("Content-Type"))
	r := &Response{Status: status, Header: h, Body: body, MediaType: mt, UsedBasic: usedBasic, Record: rec}
	var obj map[string]any
	if json.Unmarshal(body, &obj) == nil {
		r.JSON = obj
	}
	return r
}

// String returns the field as a string ("" when absent or not a string).
func (r *Response) String(field string) string {
	s, _ := r.JSON[field].(string)
	return s
}

// TokenFields are the fields that carry tokens.
var TokenFields = []string{"access_token", "refresh_token", "id_token"}

// Tokens names the token fields present in the body.
func (r *Response) Tokens() []string {
	var out []string
	for _, f := range TokenFields {
		if r.String(f) != "" {
			out = append(out, f)
		}
	}
	return out
}

// GomegaString is how Gomega prints a response in a failure: the redacted exchange only.
func (r *Response) GomegaString() string { return "\n" + r.Record.String() }
