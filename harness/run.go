package harness

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/go-resty/resty/v2"
	"github.com/onsi/gomega"

	"github.com/grantcheck/grantcheck/harness/authorize"
	"github.com/grantcheck/grantcheck/harness/backoff"
	"github.com/grantcheck/grantcheck/harness/catalog"
	"github.com/grantcheck/grantcheck/harness/config"
	"github.com/grantcheck/grantcheck/harness/oauth"
	"github.com/grantcheck/grantcheck/harness/pkce"
	"github.com/grantcheck/grantcheck/harness/token"
	"github.com/grantcheck/grantcheck/harness/transcript"
	"github.com/grantcheck/grantcheck/harness/verdict"
)

// Run is one scenario's session with the provider: its transcript, its HTTP client and the
// operations a scenario is built from.
type Run struct {
	Ctx   context.Context
	P     *Provider
	Entry catalog.Entry
	Log   *transcript.Log
	http  *resty.Client

	// ownLogin: this run logs in itself, never taking a flow logged in ahead (the controls, whose
	// flows must not count as demand).
	ownLogin bool
	// controlRun: a role's control, whose requests are tried again after a server error even once
	// the run stopped overlapping.
	controlRun bool

	// g, when set, is the run's own Gomega (the audit judges runs at once); nil: the global one.
	g gomega.Gomega

	mu sync.Mutex // responses: parallel scenarios send from goroutines
	// passReason is what a PASS observed (Passed).
	passReason string
	responses  []*token.Response
	matchers   []*oauth.ErrorMatcher // applied by ExpectRejected, for the verdict's evidence
}

func newRun(ctx context.Context, p *Provider, e catalog.Entry) *Run {
	log := transcript.NewLog(p.redactor.Child())
	return &Run{Ctx: ctx, P: p, Entry: e, Log: log, http: p.base.New(log, false)}
}

// Client is the configured client of a role (the scenario's needs guarantee it exists).
func (r *Run) Client(role config.Role) *config.Client {
	c := r.P.Config.Clients.Get(role)
	if c == nil {
		r.Abort("client role %q is not configured", role)
	}
	return c
}

// Abort ends the scenario as ERROR: the harness could not set it up.
func (r *Run) Abort(format string, args ...any) {
	panic(abortSignal(r.Log.Redactor.Redact(fmt.Sprintf(format, args...))))
}

// Fail ends the scenario as FAIL of category cat with the sentence a person reads, for a check
// no matcher of package oauth expresses. A plain Gomega matcher is never the way: its message is a
// dump of Go values, not a reason.
func (r *Run) Fail(cat verdict.Category, format string, args ...any) {
	r.expect(nil).To(sentence("[" + string(cat) + "] " + fmt.Sprintf(format, args...)))
}

// sentence is a matcher that always fails with its own text.
type sentence string

func (s sentence) Match(any) (bool, error)          { return false, nil }
func (s sentence) FailureMessage(any) string        { return string(s) }
func (s sentence) NegatedFailureMessage(any) string { return string(s) }

// Note writes a line into the transcript.
func (r *Run) Note(format string, args ...any) { r.Log.Note(format, args...) }

// CodeOption changes the authorization request.
type CodeOption func(*authorize.Request)

// WithoutPKCE sends no code_challenge.
func WithoutPKCE() CodeOption { return func(q *authorize.Request) { q.PKCE = nil } }

// WithVerifier sends the challenge of v (which may be malformed on purpose).
func WithVerifier(v pkce.Verifier) CodeOption { return func(q *authorize.Request) { q.PKCE = &v } }

// WithScope sends scope s instead of the role's.
func WithScope(s string) CodeOption { return func(q *authorize.Request) { q.Scope = s } }

// WithRedirectURI sends redirect_uri u, which may be one the client never registered.
func WithRedirectURI(u string) CodeOption { return func(q *authorize.Request) { q.RedirectURI = u } }

// Flow runs one authorization flow and reports where it ended (a code, an error redirect, an error
// page, a redirect elsewhere). The error is the harness's own failure (timeout, transport). The
// standard flow (no options) may have been logged in ahead (login.ahead).
func (r *Run) Flow(role config.Role, opts ...CodeOption) (authorize.Outcome, error) {
	if len(opts) == 0 && r.P.ahead != nil && !r.ownLogin {
		if o, err, ok := r.P.ahead.take(r, role); ok {
			return o, err
		}
	}
	return r.flow(role, opts...)
}

func (r *Run) flow(role config.Role, opts ...CodeOption) (authorize.Outcome, error) {
	client := r.P.Config.Clients.Get(role)
	if client == nil {
		return authorize.Outcome{}, fmt.Errorf("client role %q is not configured", role)
	}
	v := pkce.New(pkce.S256)
	req := authorize.Request{Client: client, Scope: r.P.Config.ScopeOf(role), PKCE: &v,
		Extra: r.P.Config.Provider.AuthorizeParams}
	for _, o := range opts {
		o(&req)
	}
	d := &authorize.Driver{
		Endpoint: r.P.Discovery.AuthorizationEndpoint, Login: r.P.Config.Login,
		Timeout: r.P.Config.Timeouts.Login.D(), Log: r.Log,
		// A fresh client, so a fresh cookie jar: flows never share a session.
		NewClient: func() *resty.Client { return r.P.base.New(r.Log, true) },
		Hosts:     r.P.Discovery.Hosts(),
		Stall:     r.P.loginStall,
	}
	walker, err := r.P.walker(r.Log)
	if err != nil {
		return authorize.Outcome{}, fmt.Errorf("authorization flow for %s: %w", role, err)
	}
	d.Walker = walker
	if req.PKCE != nil {
		r.Log.Redactor.Learn("code_verifier", req.PKCE.Value)
	}
	gate := r.P.Gate()
	var o authorize.Outcome
	attempts := 0
	failure, werr := gate.Retry(r.Ctx, fmt.Sprintf("a login of the %s client", role), func() string {
		attempts++
		release, lerr := gate.Login(r.Ctx)
		if lerr != nil {
			err = lerr
			return ""
		}
		began := time.Now()
		o, err = d.Flow(r.Ctx, req)
		release()
		r.P.logins.add(time.Since(began))
		f := serverFailure(o, err)
		if f != "" {
			r.Note("the provider failed (%s) on attempt %d of this login: a server error is tried again before anything is judged", f, attempts)
		}
		return f
	})
	if werr != nil && err == nil {
		err = werr
	}
	if err != nil {
		return o, fmt.Errorf("authorization flow for %s: %w", role, err)
	}
	if failure != "" {
		o.Detail = fmt.Sprintf("the provider failed on each of %d attempts of this login, the last one alone (%s): the provider's failure, not the configuration's; %s",
			attempts, failure, o.Detail)
	}
	return o, nil
}

// serverFailure names the server error a flow ended in, or the transport failure an overloaded
// provider causes (a connection reset or closed mid-answer); "" for none. The outcome is asked
// first: a flow that ran out of retries keeps its last server error, with the context's end as err.
func serverFailure(o authorize.Outcome, err error) string {
	if f := o.ServerFailure(); f != "" {
		return f
	}
	if errors.Is(err, syscall.ECONNRESET) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return "the connection was reset or closed before the answer"
	}
	return ""
}

// TryCode runs one authorization flow that must end with a code; errors are returned, not aborted
// on (for setups that run outside a spec).
func (r *Run) TryCode(role config.Role, opts ...CodeOption) (*authorize.Code, error) {
	o, err := r.Flow(role, opts...)
	return codeOf(role, o, err)
}

// codeOf is the code a flow of role ended with, or why it has none.
func codeOf(role config.Role, o authorize.Outcome, err error) (*authorize.Code, error) {
	if err == nil {
		err = o.Err()
	}
	if err != nil {
		return nil, fmt.Errorf("obtaining a code for %s: %w", role, err)
	}
	return o.Code, nil
}

// Code runs one authorization flow for role; a failed login is ERROR.
func (r *Run) Code(role config.Role, opts ...CodeOption) *authorize.Code {
	code, err := r.TryCode(role, opts...)
	if err != nil {
		r.Abort("%v", err)
	}
	return code
}

// Request starts a token request authenticated as role.
func (r *Run) Request(role config.Role, step string) *token.Request {
	return token.New(r.http, r.Log, r.P.Discovery.TokenEndpoint, step).Authenticate(r.AuthOf(role))
}

// AuthOf is the role's registered authentication; its assertions name the issuer as audience, or
// the token endpoint when the client's assertion_audience says so.
func (r *Run) AuthOf(role config.Role) token.Auth {
	c := r.Client(role)
	aud := r.P.Config.Provider.Issuer
	if c.AssertionAudience == config.AudienceTokenEndpoint {
		aud = r.P.Discovery.TokenEndpoint
	}
	return token.AuthOf(c).WithAudience(aud)
}

// Redeem is the valid redemption of code by role: every scenario mutates this request.
func (r *Run) Redeem(code *authorize.Code, role config.Role, step string) *token.Request {
	req := r.Request(role, step).
		Set("grant_type", "authorization_code").
		Set("code", code.Value).
		Set("redirect_uri", code.RedirectURI).
		ObtainedBy(r.authorizeTemplate(code))
	if code.PKCE != nil {
		req.Set("code_verifier", code.PKCE.Value)
	}
	return req
}

// Send sends a token request; a transport failure (timeout, refused) is ERROR.
func (r *Run) Send(req *token.Request) *token.Response {
	resp, err := r.TrySend(req)
	if err != nil {
		r.Abort("%v", err)
	}
	return resp
}

// TrySend sends without aborting (safe in goroutines).
func (r *Run) TrySend(req *token.Request) (*token.Response, error) {
	return r.send(r.Ctx, req, r.controlRun)
}

// send sends req; an answer that is a server error (HTTP 5xx, error=server_error or
// temporarily_unavailable, a dropped connection) is sent again, bounded (harness/backoff), and the
// run stops overlapping: a failure the suite's own overlap caused must not become a verdict, and
// one the provider gives every time is still the answer judged. Once the run stopped overlapping,
// a scenario's request met nothing else at the provider, so its server error is the answer, sent
// once; a control's (always: true) is tried again alone all the same. A race's requests (ctx
// marked backoff.OnPurpose) are sent once: what the provider does under them is the subject.
func (r *Run) send(ctx context.Context, req *token.Request, always bool) (*token.Response, error) {
	if backoff.IsOnPurpose(ctx) {
		return r.sendOnce(ctx, req)
	}
	gate := r.P.Gate()
	// Once the run stopped overlapping, a request waits for its turn like a login: a login spans
	// several exchanges, and a fragile provider fails what lands between them.
	sendAlone := func() (*token.Response, error) {
		if serial, _ := gate.Serial(); !serial {
			return r.sendOnce(ctx, req)
		}
		release, err := gate.Login(ctx)
		if err != nil {
			return nil, err
		}
		defer release()
		return r.sendOnce(ctx, req)
	}
	if serial, _ := gate.Serial(); serial && !always {
		return sendAlone()
	}
	var resp *token.Response
	var err error
	attempts := 0
	_, werr := gate.Retry(ctx, "a token request", func() string {
		attempts++
		resp, err = sendAlone()
		f := tokenServerFailure(resp, err)
		if f != "" {
			r.Note("the provider failed (%s) on attempt %d of this token request: a server error is sent again before it is judged", f, attempts)
		}
		return f
	})
	if werr != nil && err == nil {
		err = werr
	}
	return resp, err
}

func (r *Run) sendOnce(ctx context.Context, req *token.Request) (*token.Response, error) {
	resp, err := req.Send(ctx)
	if err != nil {
		return nil, err
	}
	r.Log.Redactor.Learn("access_token", resp.String("access_token"))
	r.Log.Redactor.Learn("refresh_token", resp.String("refresh_token"))
	r.Log.Redactor.Learn("id_token", resp.String("id_token"))
	r.mu.Lock()
	r.responses = append(r.responses, resp)
	r.mu.Unlock()
	return resp, nil
}

// Tokens redeems code as its own client and requires success: the control step of scenarios
// that first need tokens. A failure here is ERROR, not the provider's FAIL.
func (r *Run) Tokens(code *authorize.Code, role config.Role) *token.Response {
	resp, err := r.send(r.Ctx, r.Redeem(code, role, "control: valid redemption"), true)
	if err != nil {
		r.Abort("%v", err)
	}
	if ok, _ := oauth.BeTokenResponse(false).Match(resp); !ok {
		if failure := tokenServerFailure(resp, nil); failure != "" {
			r.Abort("the control exchange (a valid redemption) failed with a server error (%s) also when sent again alone: the provider failed, so this scenario cannot run:%s",
				failure, resp.GomegaString())
		}
		r.Abort("the control exchange (a valid redemption) failed, so this scenario cannot run:%s", resp.GomegaString())
	}
	return resp
}

// ExpectRejected asserts the entry's catalogue expectation on resp; a refusal for a cause the
// scenario did not mean to create is asked again without it first (incidental.go).
func (r *Run) ExpectRejected(resp *token.Response, tune ...func(*oauth.ErrorMatcher)) {
	resp = r.withoutIncidental(resp)
	m := r.Rejection()
	for _, t := range tune {
		t(m)
	}
	r.expect(resp).To(m)
}

// Rejection is the matcher of the entry's catalogue expectation: accepted codes, status, level.
func (r *Run) Rejection() *oauth.ErrorMatcher {
	exp := r.Entry.Scenario.ExpectFor(r.variant())
	m := oauth.BeError(exp.Accepts(r.holds)...)
	if exp.Status != 0 {
		m.WithStatus(exp.Status)
	}
	if exp.HTTPRefusal {
		m.AllowHTTPRefusal()
	}
	if r.Entry.Scenario.Level == catalog.SHOULD {
		m.AsShould()
	}
	r.judged(m)
	return m
}

// Race sends n requests so that they arrive together: each on a connection of its own, all
// opened and written but for their last byte before any is released (httpsession.Volley). They
// overlap on purpose, also after the run stopped overlapping its other requests (harness/backoff).
// Every answer is returned; a transport failure of any is returned too.
func (r *Run) Race(n int, req func(i int) *token.Request) ([]*token.Response, error) {
	client, volley := r.P.base.Volley(r.Log, n)
	requests := make([]*token.Request, n)
	for i := range requests {
		requests[i] = req(i).Via(client)
	}
	ctx := backoff.OnPurpose(r.Ctx)
	responses := make([]*token.Response, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range requests {
		wg.Go(func() {
			responses[i], errs[i] = r.send(ctx, requests[i], false)
			if errs[i] != nil {
				volley.Abandon() // never reached the release, or failed after it: either way not waited for
			}
		})
	}
	wg.Wait()
	held, gathering := volley.Held()
	r.Note("%d of %d requests were held at their last byte and released at once (opening their connections and writing them took %s)",
		held, n, gathering.Round(time.Microsecond))
	return responses, errors.Join(errs...)
}

func (r *Run) variant() string {
	if r.Entry.Variant != nil {
		return r.Entry.Variant.Name
	}
	return ""
}

// holds evaluates a catalogue condition; for GrantNotAdvertised the variant names the grant.
func (r *Run) holds(c catalog.Condition) bool {
	switch c {
	case catalog.GrantNotAdvertised:
		return !r.P.SupportsGrant(r.variant())
	}
	return false
}

func (r *Run) warnings() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, resp := range r.responses {
		out = append(out, resp.Warnings...)
	}
	return out
}

// RoleWithAuth is the first configured role (in catalogue order) registered for method, so a
// scenario about Basic or body authentication uses a client that really authenticates that way.
func (r *Run) RoleWithAuth(method string, roles ...config.Role) config.Role {
	for _, role := range roles {
		if c := r.P.Config.Clients.Get(role); c != nil && c.AuthMethod == method {
			return role
		}
	}
	r.Skip(fmt.Sprintf("needs a client registered for %s among the roles %v", method, roles))
	return ""
}

// WaitUntil sleeps until t (the one wait the budget allows: a code's lifetime), noting it.
func (r *Run) WaitUntil(t time.Time, why string) {
	d := time.Until(t)
	if d <= 0 {
		r.Note("no wait needed: %s already passed", why)
		return
	}
	r.Note("waiting %s: %s", d.Round(time.Millisecond), why)
	done := make(chan struct{})
	defer close(done)
	if OnWait != nil {
		OnWait(Wait{ID: r.Entry.ID, Why: why, Until: t, Done: done})
	}
	select {
	case <-time.After(d):
	case <-r.Ctx.Done():
		r.Abort("interrupted while waiting %s (timeouts.scenario): %v", d.Round(time.Millisecond), r.Ctx.Err())
	}
}

// Bearer starts a request presenting an access token (userinfo, RFC 6750 §2.1).
func (r *Run) Bearer(endpoint, accessToken, step string) *token.Request {
	return token.New(r.http, r.Log, endpoint, step).AsGET().Authenticate(token.Auth{Method: token.AuthBearer, Secret: accessToken})
}

// loginTimes is how long each of the run's flows took.
type loginTimes struct {
	mu    sync.Mutex
	times []time.Duration
}

func (l *loginTimes) add(d time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.times = append(l.times, d)
}

// LoginTimes is how long each of the run's flows took so far, in the order they ended.
func (p *Provider) LoginTimes() []time.Duration {
	p.logins.mu.Lock()
	defer p.logins.mu.Unlock()
	return slices.Clone(p.logins.times)
}

// raceInFlight bounds the redemptions of code-reuse-concurrent in flight at once: its rounds run a
// few at a time, so 20 rounds never send 160 redemptions together (that overloads a provider, and a
// reset connection says nothing about the rule).
const raceInFlight = 16

// RaceRounds races c.Parallel redemptions (redeem builds the i-th of round k) of a fresh code per
// round and samples until outcome (the verdict the rounds so far earn, "" for PASS) has held for
// c.Rounds rounds in a row, or c.MaxRounds rounds ran. A security finding ends the sampling at once:
// nothing can make it better. Rounds run in batches of at most raceInFlight redemptions, one round
// at a time once the run stopped overlapping (harness/backoff); each round's login is the run's
// usual one, retried on a server error.
func (r *Run) RaceRounds(c config.Concurrency, redeem func(code *authorize.Code, k, i int) *token.Request,
	outcome func(oauth.Rounds) string) oauth.Rounds {
	var rounds oauth.Rounds
	last, held := "", 0
	for len(rounds) < c.MaxRounds {
		batch := min(r.P.Gate().Overlap(max(raceInFlight/c.Parallel, 1)), c.MaxRounds-len(rounds))
		// The batch's logins first, then its races: a round's redemptions overlap only each other
		// and the batch's other rounds, never a login.
		codes := make([]*authorize.Code, batch)
		errs := make([]error, batch)
		var wg sync.WaitGroup
		for b := range batch {
			wg.Go(func() { codes[b], errs[b] = r.TryCode(config.Primary) })
		}
		wg.Wait()
		if err := errors.Join(errs...); err != nil {
			r.Abort("%v", err)
		}
		results := make(oauth.Rounds, batch)
		quiet := r.P.Gate().Quiet() // no login (logins ahead, prefetches) overlaps the races
		for b := range batch {
			k := len(rounds) + b
			wg.Go(func() {
				results[b], errs[b] = r.Race(c.Parallel, func(i int) *token.Request { return redeem(codes[b], k, i) })
			})
		}
		wg.Wait()
		quiet()
		if err := errors.Join(errs...); err != nil {
			r.Abort("%v", err)
		}
		for _, round := range results {
			rounds = append(rounds, round)
			now := outcome(rounds)
			if now == last {
				held++
			} else {
				last, held = now, 1
			}
		}
		if strings.HasPrefix(last, "security") || held >= c.Rounds {
			break
		}
	}
	verdict := last
	if verdict == "" {
		verdict = "PASS"
	}
	r.Note("sampled %d rounds: the verdict (%s) held for the last %d (concurrency.rounds %d, at most concurrency.max_rounds %d)",
		len(rounds), verdict, held, c.Rounds, c.MaxRounds)
	return rounds
}
