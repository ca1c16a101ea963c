// Package authorize obtains authorization codes: it builds the authorization request (state,
// nonce, PKCE), drives the provider's login pages with the configured form steps, and stops at the
// redirect to redirect_uri without following it, so no listener is needed.
package authorize

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/go-resty/resty/v2"

	"github.com/grantcheck/grantcheck/harness/config"
	"github.com/grantcheck/grantcheck/harness/pkce"
	"github.com/grantcheck/grantcheck/harness/transcript"
)

// Request is one authorization request.
type Request struct {
	Client *config.Client
	// RedirectURI defaults to the client's first registered URI.
	RedirectURI string
	Scope       string
	// PKCE is the verifier whose challenge is sent; nil sends no challenge.
	PKCE  *pkce.Verifier
	Extra map[string]string
}

// Code is an authorization code with everything needed to redeem it.
type Code struct {
	Value       string
	State       string
	ClientID    string
	RedirectURI string
	PKCE        *pkce.Verifier
	IssuedAt    time.Time
}

// Refusal is an error the provider sent back to redirect_uri (RFC 6749 §4.1.2.1).
type Refusal struct {
	Error       string
	Description string
	Location    string // redacted
}

// RefusalError wraps a Refusal as an error.
type RefusalError struct{ Refusal Refusal }

func (e *RefusalError) Error() string {
	return fmt.Sprintf("the authorization endpoint refused: error=%s error_description=%q", e.Refusal.Error, e.Refusal.Description)
}

// Driver runs authorization flows against one provider.
type Driver struct {
	Endpoint string
	Login    config.Login
	Timeout  time.Duration
	// NewClient returns a client with a fresh cookie jar recording into the scenario's transcript.
	NewClient func() *resty.Client
	Log       *transcript.Log
}

// Acquire performs one flow and returns the code.
func (d *Driver) Acquire(ctx context.Context, req Request) (*Code, error) {
	if req.Client == nil {
		return nil, errors.New("authorize: no client")
	}
	redirect := req.RedirectURI
	if redirect == "" {
		if len(req.Client.RedirectURIs) == 0 {
			return nil, fmt.Errorf("authorize: client %s has no redirect_uris", req.Client.ClientID)
		}
		redirect = req.Client.RedirectURIs[0]
	}
	parent := ctx
	ctx, cancel := context.WithTimeout(ctx, d.Timeout)
	defer cancel()

	state, nonce := pkce.Random(24), pkce.Random(24)
	q := url.Values{
		"response_type": {"code"},
		"client_id":     {req.Client.ClientID},
		"redirect_uri":  {redirect},
		"scope":         {req.Scope},
		"state":         {state},
		"nonce":         {nonce},
	}
	if req.PKCE != nil {
		q.Set("code_challenge", req.PKCE.Challenge)
		q.Set("code_challenge_method", string(req.PKCE.Method))
	}
	for k, v := range req.Extra {
		q.Set(k, v)
	}
	start, err := url.Parse(d.Endpoint)
	if err != nil {
		return nil, fmt.Errorf("authorize: authorization_endpoint %q: %w", d.Endpoint, err)
	}
	for k, vs := range start.Query() { // keep parameters the endpoint URL already carries
		for _, v := range vs {
			q.Add(k, v)
		}
	}
	start.RawQuery = q.Encode()

	c := d.NewClient()
	page := &pageRequest{method: http.MethodGet, url: start.String(), step: "authorization request"}
	issuedAt := time.Now()
	for n := 0; n < d.Login.MaxPages; n++ {
		resp, err := page.send(ctx, c)
		if err != nil {
			if parent.Err() != nil { // the caller's deadline or cancellation, not timeouts.login
				return nil, fmt.Errorf("login: interrupted at %s: %w", d.Log.Redactor.Redact(page.url), context.Cause(parent))
			}
			if ctx.Err() != nil {
				return nil, fmt.Errorf("login: gave up after %s (timeouts.login) at %s", d.Timeout, d.Log.Redactor.Redact(page.url))
			}
			return nil, fmt.Errorf("login: %s %s: %w", page.method, d.Log.Redactor.Redact(page.url), unwrapURLError(err))
		}
		pageURL := resp.Request.RawRequest.URL
		if loc := resp.Header().Get("Location"); resp.StatusCode() >= 300 && resp.StatusCode() < 400 && loc != "" {
			target, err := pageURL.Parse(loc)
			if err != nil {
				return nil, fmt.Errorf("login: bad Location %q: %w", d.Log.Redactor.Redact(loc), err)
			}
			if sameEndpoint(target, redirect) {
				return d.finish(target, state, req, redirect, issuedAt)
			}
			issuedAt = time.Now()
			page = &pageRequest{method: http.MethodGet, url: target.String(), step: "follow redirect"}
			continue
		}
		if resp.StatusCode() != http.StatusOK {
			return nil, fmt.Errorf("login: %s answered %s instead of a login page or a redirect to %s%s",
				d.Log.Redactor.Redact(pageURL.String()), resp.Status(), redirect, d.Log.Redactor.Redact(snippet(resp.Body())))
		}
		next, err := d.submit(pageURL, resp.Body())
		if err != nil {
			return nil, err
		}
		issuedAt = time.Now()
		page = next
	}
	return nil, fmt.Errorf("login: no redirect to %s after %d pages (login.max_pages)", redirect, d.Login.MaxPages)
}

// finish reads the code (or the refusal) off the redirect to redirect_uri.
func (d *Driver) finish(target *url.URL, state string, req Request, redirect string, issuedAt time.Time) (*Code, error) {
	params := target.Query()
	if params.Get("code") == "" && params.Get("error") == "" && target.Fragment != "" {
		params, _ = url.ParseQuery(target.Fragment)
	}
	// RFC 6749 §3.1: "Request and response parameters MUST NOT be included more than once." Which
	// of two codes a client takes is the provider's bug made the client's; no code is taken.
	for _, name := range []string{"code", "state", "error"} {
		if n := len(params[name]); n > 1 {
			return nil, fmt.Errorf("login: the redirect to %s carries %d %s parameters (RFC 6749 §3.1: a response parameter MUST NOT be included more than once): %s",
				redirect, n, name, d.Log.Redactor.Redact(target.String()))
		}
	}
	if e := params.Get("error"); e != "" {
		return nil, &RefusalError{Refusal{Error: e, Description: params.Get("error_description"),
			Location: d.Log.Redactor.Redact(target.String())}}
	}
	if got := params.Get("state"); got != state {
		return nil, fmt.Errorf("login: the redirect to %s carries state %q, not the one sent (RFC 6749 §4.1.2)", redirect, got)
	}
	code := params.Get("code")
	if code == "" {
		return nil, fmt.Errorf("login: the redirect to %s carries neither code nor error", redirect)
	}
	d.Log.Redactor.Learn("code", code)
	return &Code{Value: code, State: state, ClientID: req.Client.ClientID, RedirectURI: redirect,
		PKCE: req.PKCE, IssuedAt: issuedAt}, nil
}

type pageRequest struct {
	method, url, step string
	form              url.Values
}

func (p *pageRequest) send(ctx context.Context, c *resty.Client) (*resty.Response, error) {
	r := c.R().SetContext(ctx).SetHeader(transcript.StepHeader, p.step)
	if p.method == http.MethodPost {
		return r.SetFormDataFromValues(p.form).Post(p.url)
	}
	if p.form != nil {
		u, err := url.Parse(p.url)
		if err != nil {
			return nil, err
		}
		u.RawQuery = p.form.Encode()
		return r.Get(u.String())
	}
	return r.Get(p.url)
}

// sameEndpoint compares scheme, host and path: the redirect's own query carries code and state.
func sameEndpoint(target *url.URL, redirect string) bool {
	r, err := url.Parse(redirect)
	if err != nil {
		return false
	}
	return strings.EqualFold(target.Scheme, r.Scheme) && strings.EqualFold(target.Host, r.Host) &&
		target.Path == r.Path
}

// unwrapURLError drops url.Error's repetition of method and URL: the message names them once.
func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

func snippet(b []byte) string {
	s := strings.Join(strings.Fields(string(b)), " ")
	if s == "" {
		return ""
	}
	if len(s) > 160 {
		s = s[:160] + "…"
	}
	return "; page starts: " + s
}
