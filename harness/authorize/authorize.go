// Package authorize obtains authorization codes: it builds the authorization request (state,
// nonce, PKCE), has a login driver walk the provider's pages, and reads where the flow ended — a
// redirect to redirect_uri (never followed, so no listener is needed), an error page, or a redirect
// elsewhere. Drivers differ only in how they walk pages; what an ending means is decided here once.
package authorize

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/go-resty/resty/v2"

	"github.com/grantcheck/grantcheck/harness/config"
	"github.com/grantcheck/grantcheck/harness/httpsession"
	"github.com/grantcheck/grantcheck/harness/pkce"
	"github.com/grantcheck/grantcheck/harness/transcript"
)

// Request is one authorization request.
type Request struct {
	Client *config.Client
	// RedirectURI defaults to the client's first registered URI. It may be one the client never
	// registered (authorization endpoint scenarios); the flow then also stops at a redirect to any
	// registered URI, so a provider falling back to one is seen, not followed.
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
	Nonce       string
	ClientID    string
	RedirectURI string
	PKCE        *pkce.Verifier
	// IssuedAt is when the request that produced the redirect was sent: the code was issued no
	// earlier (the bound for "is it still fresh").
	IssuedAt time.Time
	// ReceivedAt is when the redirect carrying the code was received: the code was issued no
	// later (the bound for "has it surely expired").
	ReceivedAt time.Time
	// Issuer is the redirect's iss parameter (RFC 9207), "" when absent; its first value when
	// repeated (then Repeated has every value).
	Issuer string
	// Repeated holds the redirect's parameters that appear more than once (RFC 6749 §3.1 forbids
	// it), each with all its values, redacted; nil when every parameter appears once.
	Repeated url.Values
	// Scope is the scope the authorization request asked for.
	Scope string
}

// Refusal is an error the provider sent back to redirect_uri (RFC 6749 §4.1.2.1).
type Refusal struct {
	Error       string
	Description string
	Location    string // redacted
	// Issuer is the redirect's iss parameter (RFC 9207), "" when absent; its first value when
	// repeated (then Repeated has every value).
	Issuer string
	// Repeated holds the redirect's parameters that appear more than once (RFC 6749 §3.1 forbids
	// it), each with all its values, redacted; nil when every parameter appears once.
	Repeated url.Values
}

// RefusalError wraps a Refusal as an error.
type RefusalError struct{ Refusal Refusal }

func (e *RefusalError) Error() string {
	return fmt.Sprintf("the authorization endpoint refused: error=%s error_description=%q", e.Refusal.Error, e.Refusal.Description)
}

// Ending says where an authorization flow stopped.
type Ending string

const (
	// EndedWithCode: redirected to a watched redirect URI with a code.
	EndedWithCode Ending = "code"
	// EndedWithRefusal: redirected to a watched redirect URI with error= (RFC 6749 §4.1.2.1).
	EndedWithRefusal Ending = "error-redirect"
	// EndedOnPage: stopped on a provider page that no login step continues (an error page, or a
	// login the steps do not describe).
	EndedOnPage Ending = "page"
	// EndedElsewhere: redirected off the provider to a URL that is not a watched redirect URI; the
	// redirect is not followed.
	EndedElsewhere Ending = "redirect-elsewhere"
	// EndedBare: redirected to a watched redirect URI with neither code nor error.
	EndedBare Ending = "bare-redirect"
)

// Outcome is where one flow ended. Only one of Code and Refusal is set, per Ending.
type Outcome struct {
	Ending  Ending
	Code    *Code
	Refusal *Refusal
	// RedirectURI is the watched URI the flow was sent to (EndedWithCode, EndedWithRefusal).
	RedirectURI string
	// URL is where the flow ended (the redirect target or the page), redacted.
	URL string
	// Host is the host (host:port) of URL (EndedElsewhere: the host the login was not allowed to
	// visit).
	Host string
	// Status is the HTTP status of the last page (EndedOnPage; 0 when the driver cannot see it).
	Status int
	// Detail says what the driver saw there, redacted: the forms of the page, its first words.
	Detail string
	// CarriesCode: the redirect elsewhere (EndedElsewhere) carries a code parameter, which the
	// redactor has learnt.
	CarriesCode bool
}

// Err is the outcome as the error a caller that needed a code reports; nil for a code.
func (o Outcome) Err() error {
	switch o.Ending {
	case EndedWithCode:
		return nil
	case EndedWithRefusal:
		return &RefusalError{Refusal: *o.Refusal}
	case EndedElsewhere:
		return fmt.Errorf("login: redirected to host %s (%s), which is neither the provider's nor a redirect URI of the client; not followed. "+
			"If the login passes through %s (a separate login or consent application), add it to login.hosts", o.Host, o.URL, o.Host)
	case EndedBare:
		return fmt.Errorf("login: the redirect to %s carries neither code nor error", o.RedirectURI)
	}
	return errors.New(o.Detail)
}

// Landing is what a driver reports: a navigation it was told to stop at (not followed), or the
// page it could not continue from.
type Landing struct {
	// Redirect is the navigation target the driver stopped at; nil when it stopped on a page.
	Redirect *url.URL
	// PageURL, Status and Detail describe the page it stopped on (unredacted: Flow redacts).
	PageURL string
	Status  int
	Detail  string
}

// Route is what a driver is told about one flow.
type Route struct {
	// AuthURL is the authorization request, built by Flow (state, nonce, PKCE).
	AuthURL string
	// RedirectURI is the one sent, for messages.
	RedirectURI string
	// Stop says whether a navigation ends the flow: the driver reports it, unfollowed.
	Stop func(*url.URL) bool
	// OnProvider says whether a URL is on the provider's hosts (the authorization endpoint's and
	// login.hosts), without side effects: what a frame or window other than the main one may load.
	OnProvider func(*url.URL) bool
}

// Walker is a login driver: from the authorization URL it walks the provider's pages (login,
// consent) until a navigation for which Stop is true, which it reports without following, or a page
// it cannot continue from. Errors are the harness's own failures (timeouts, transport, a page that
// is not HTML), never the provider's answer to the request.
type Walker interface {
	Walk(ctx context.Context, r Route) (Landing, error)
}

// errLoginTimeout is the cause of a flow's context ending at timeouts.login, so a driver tells it
// from the caller's own deadline or cancellation.
var errLoginTimeout = errors.New("timeouts.login")

// Stopped explains why a walk ended early: timeouts.login, or the caller's interruption, at where.
func (d *Driver) Stopped(ctx context.Context, where string) error {
	shown := d.Log.Redactor.Redact(where)
	if context.Cause(ctx) == errLoginTimeout {
		return fmt.Errorf("login: gave up after %s (timeouts.login) at %s", d.Timeout, shown)
	}
	return fmt.Errorf("login: interrupted at %s: %w", shown, context.Cause(ctx))
}

// Driver runs authorization flows against one provider.
type Driver struct {
	Endpoint string
	Login    config.Login
	Timeout  time.Duration
	// NewClient returns a client with a fresh cookie jar recording into the scenario's transcript
	// (the form driver's HTTP client).
	NewClient func() *resty.Client
	Log       *transcript.Log
	// Walker walks the pages; nil is the form driver over NewClient.
	Walker Walker
	// Hosts are the provider's hosts besides the authorization endpoint's; with Login.Hosts (the
	// hosts the configuration lets the login visit), a redirect to any other host ends the flow as
	// EndedElsewhere, whichever driver walks the pages.
	Hosts []string
	// Stall, shared by the run's flows, counts logins in a row that ran out of Timeout; once it
	// trips, every later flow fails at once (nil: no cut-off).
	Stall *httpsession.Streak
}

// Acquire performs one flow and returns the code; any other ending is an error.
func (d *Driver) Acquire(ctx context.Context, req Request) (*Code, error) {
	o, err := d.Flow(ctx, req)
	if err != nil {
		return nil, err
	}
	if err := o.Err(); err != nil {
		return nil, err
	}
	return o.Code, nil
}

// Flow performs one flow and reports where it ended. The error is the harness's own failure.
func (d *Driver) Flow(ctx context.Context, req Request) (Outcome, error) {
	if req.Client == nil {
		return Outcome{}, errors.New("authorize: no client")
	}
	redirect := req.RedirectURI
	if redirect == "" {
		if len(req.Client.RedirectURIs) == 0 {
			return Outcome{}, fmt.Errorf("authorize: client %s has no redirect_uris", req.Client.ClientID)
		}
		redirect = req.Client.RedirectURIs[0]
	}
	if d.Stall != nil {
		if err := d.Stall.Stopped(); err != nil {
			return Outcome{}, fmt.Errorf("login: %w", err)
		}
	}
	ctx, cancel := context.WithTimeoutCause(ctx, d.Timeout, errLoginTimeout)
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
		return Outcome{}, fmt.Errorf("authorize: authorization_endpoint %q: %w", d.Endpoint, err)
	}
	for k, vs := range start.Query() { // keep parameters the endpoint URL already carries
		for _, v := range vs {
			q.Add(k, v)
		}
	}
	start.RawQuery = q.Encode()

	watched := append([]string{redirect}, req.Client.RedirectURIs...)
	var landedAt string
	stop := func(u *url.URL) bool {
		for _, w := range watched {
			if sameEndpoint(u, w) {
				landedAt = w
				return true
			}
		}
		landedAt = ""
		return !d.providerHost(start, u)
	}
	walker := d.Walker
	if walker == nil {
		walker = &formWalker{d: d}
	}
	began := time.Now()
	onProvider := func(u *url.URL) bool { return d.providerHost(start, u) }
	land, err := walker.Walk(ctx, Route{AuthURL: start.String(), RedirectURI: redirect, Stop: stop, OnProvider: onProvider})
	if d.Stall != nil {
		switch {
		case err == nil:
			d.Stall.Answered()
		case context.Cause(ctx) == errLoginTimeout:
			d.Stall.Unanswered()
		}
	}
	if err != nil {
		return Outcome{}, err
	}
	red := d.Log.Redactor
	if land.Redirect == nil {
		return Outcome{Ending: EndedOnPage, URL: red.Redact(land.PageURL), Status: land.Status, Detail: red.Redact(land.Detail)}, nil
	}
	if landedAt == "" {
		carries := learnCodes(red, land.Redirect)
		return Outcome{Ending: EndedElsewhere, URL: red.Redact(land.Redirect.String()), Host: land.Redirect.Host, CarriesCode: carries}, nil
	}
	// The code's lifetime starts at the latest when the redirect carrying it was sent; a driver
	// that cannot see that time reports none, and the flow's start is the safe bound.
	issuedAt := began
	if t, ok := walker.(interface{ LastNavigation() time.Time }); ok && !t.LastNavigation().IsZero() {
		issuedAt = t.LastNavigation()
	}
	return d.finish(land.Redirect, state, nonce, req, landedAt, issuedAt)
}

// providerHost: u is on the provider (the authorization endpoint's host or one of d.Hosts) or on a
// host login.hosts names.
func (d *Driver) providerHost(start, u *url.URL) bool {
	if strings.EqualFold(u.Host, start.Host) {
		return true
	}
	for _, h := range append(slices.Clip(d.Hosts), d.Login.Hosts...) {
		if strings.EqualFold(u.Host, h) {
			return true
		}
	}
	return false
}

// finish reads the code (or the refusal) off the redirect to a watched redirect URI.
func (d *Driver) finish(target *url.URL, state, nonce string, req Request, redirect string, issuedAt time.Time) (Outcome, error) {
	red := d.Log.Redactor
	learnCodes(red, target)
	params := responseParams(target)
	// RFC 6749 §3.1: "Request and response parameters MUST NOT be included more than once." Which
	// of two codes a client takes is the provider's bug made the client's; no code is taken.
	for _, name := range []string{"code", "state", "error"} {
		if n := len(params[name]); n > 1 {
			return Outcome{}, fmt.Errorf("login: the redirect to %s carries %d %s parameters (RFC 6749 §3.1: a response parameter MUST NOT be included more than once): %s",
				redirect, n, name, red.Redact(target.String()))
		}
	}
	var repeated url.Values
	for name, vs := range params {
		if len(vs) > 1 {
			if repeated == nil {
				repeated = url.Values{}
			}
			for _, v := range vs {
				repeated.Add(name, red.Redact(v))
			}
		}
	}
	shown := red.Redact(target.String())
	out := Outcome{RedirectURI: redirect, URL: shown}
	if params.Get("code") == "" && params.Get("error") == "" {
		out.Ending = EndedBare
		return out, nil
	}
	if e := params.Get("error"); e != "" {
		out.Ending = EndedWithRefusal
		out.Refusal = &Refusal{Error: e, Description: params.Get("error_description"), Location: shown, Issuer: params.Get("iss"),
			Repeated: repeated}
		return out, nil
	}
	if got := params.Get("state"); got != state {
		return Outcome{}, fmt.Errorf("login: the redirect to %s carries state %q, not the one sent (RFC 6749 §4.1.2)", redirect, red.Redact(got))
	}
	codes := params["code"]
	out.Ending = EndedWithCode
	out.Code = &Code{Value: codes[0], State: state, Nonce: nonce, ClientID: req.Client.ClientID, RedirectURI: redirect,
		PKCE: req.PKCE, IssuedAt: issuedAt, ReceivedAt: time.Now(), Issuer: params.Get("iss"), Repeated: repeated, Scope: req.Scope}
	return out, nil
}

// responseParams are the authorization response's parameters: the query, or the fragment when
// the query has neither code nor error.
func responseParams(target *url.URL) url.Values {
	params := target.Query()
	if params.Get("code") == "" && params.Get("error") == "" && target.Fragment != "" {
		params, _ = url.ParseQuery(target.Fragment)
	}
	return params
}

// learnCodes has the redactor learn every code the redirect carries (query and fragment), before
// anything quotes it; it says whether there was one.
func learnCodes(red *transcript.Redactor, target *url.URL) bool {
	frag, _ := url.ParseQuery(target.Fragment)
	found := false
	for _, c := range append(target.Query()["code"], frag["code"]...) {
		if c != "" {
			red.Learn("code", c)
			found = true
		}
	}
	return found
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

// ServerFailure names the server error a flow ended in ("" for none): an error redirect with
// server_error or temporarily_unavailable (RFC 6749 §4.1.2.1), or a page answered with HTTP 5xx.
// Such an ending says the provider failed, not that it refused the request.
func (o Outcome) ServerFailure() string {
	switch {
	case o.Ending == EndedWithRefusal && IsServerErrorCode(o.Refusal.Error):
		return "an error redirect with error=" + o.Refusal.Error
	case o.Ending == EndedOnPage && o.Status >= 500:
		at := o.URL
		if u, err := url.Parse(o.URL); err == nil {
			u.RawQuery, u.Fragment = "", ""
			at = u.String() // the query is the request, in the transcript
		}
		return fmt.Sprintf("a page answered HTTP %d at %s", o.Status, at)
	}
	return ""
}

// IsServerErrorCode: the provider says it failed (RFC 6749 §4.1.2.1 server_error,
// temporarily_unavailable), whether at the authorization or, as some answer, the token endpoint.
func IsServerErrorCode(code string) bool {
	return code == "server_error" || code == "temporarily_unavailable"
}
