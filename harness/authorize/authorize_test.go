package authorize

import (
	"context"
	"errors"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-resty/resty/v2"

	"github.com/grantcheck/grantcheck/harness/config"
	"github.com/grantcheck/grantcheck/harness/httpsession"
	"github.com/grantcheck/grantcheck/harness/loopback"
	"github.com/grantcheck/grantcheck/harness/pkce"
	"github.com/grantcheck/grantcheck/harness/transcript"
)

const (
	redirectURI  = "https://app.example/cb"
	issuedCode   = "SplxlOBeZQQYbYS6WxSbIA"
	password     = "pw:hunter2+x"
	csrfToken    = "csrf-7f3a9c2d"
	sessionValue = "sess-0123456789"
)

// fakeOP imitates a provider's authorization endpoint and login pages:
// GET /authorize → 302 /login → form POST /login → 302 /consent → form POST /consent (approve or
// deny) → 302 to redirect_uri with code and state. A test replaces any page in pages.
type fakeOP struct {
	URL   string
	pages map[string]page

	mu        sync.Mutex
	authorize url.Values // the authorization request's query
	login     url.Values // what the login form POST carried
	consent   url.Values // what the consent form submission carried
	cookie    bool       // the session cookie came back with the login POST
	requests  []string   // method and path of every request
	state     string     // the state of the authorization request
}

// page is one page of the fake provider.
type page func(op *fakeOP, w http.ResponseWriter, r *http.Request)

func newOP(t *testing.T) *fakeOP {
	t.Helper()
	op := &fakeOP{}
	op.pages = map[string]page{
		"/authorize": (*fakeOP).authorizePage,
		"/login":     (*fakeOP).loginPage,
		"/consent":   (*fakeOP).consentPage,
	}
	op.URL = loopback.Server(t, op).URL
	return op
}

// ServeHTTP serves the fake provider's pages (a second server with it is a login on another host).
func (op *fakeOP) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	op.mu.Lock()
	op.requests = append(op.requests, r.Method+" "+r.URL.Path)
	h, ok := op.pages[r.URL.Path]
	op.mu.Unlock()
	if !ok {
		http.NotFound(w, r)
		return
	}
	h(op, w, r)
}

func (op *fakeOP) authorizePage(w http.ResponseWriter, r *http.Request) {
	op.mu.Lock()
	op.authorize = r.URL.Query()
	op.state = r.URL.Query().Get("state")
	op.mu.Unlock()
	http.SetCookie(w, &http.Cookie{Name: "op_session", Value: sessionValue, Path: "/", HttpOnly: true})
	http.Redirect(w, r, "/login?authRequestID=req-42", http.StatusFound)
}

const loginHTML = `<!doctype html>
<html><head><title>Sign in</title></head><body>
<form id="search" action="/search" method="get"><input name="q" value=""></form>
<form id="login" class="card wide" action="/login" method="post">
  <input type="hidden" name="authRequestID" value="%s">
  <input type="hidden" name="csrf" value="` + csrfToken + `">
  <input type="text" name="username">
  <input type="password" name="password">
  <input type="checkbox" name="remember" value="yes">
  <input type="text" name="disabled_field" value="x" disabled>
  <select name="locale"><option value="en">English</option><option value="fr" selected>Français</option></select>
  <button type="submit" name="action" value="login">Sign in</button>
</form>
</body></html>`

func (op *fakeOP) loginPage(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodGet {
		fmt.Fprintf(w, loginHTML, html.EscapeString(r.URL.Query().Get("authRequestID")))
		return
	}
	r.ParseForm()
	c, err := r.Cookie("op_session")
	op.mu.Lock()
	op.login = r.PostForm
	op.cookie = err == nil && c.Value == sessionValue
	op.mu.Unlock()
	http.Redirect(w, r, "/consent?authRequestID="+url.QueryEscape(r.PostForm.Get("authRequestID")), http.StatusFound)
}

const consentHTML = `<!doctype html>
<html><head><title>Allow access?</title></head><body>
<form id="consent" action="/consent" method="post">
  <input type="hidden" name="authRequestID" value="%s">
  <button type="submit" name="decision" value="deny">Deny</button>
  <button type="submit" name="decision" value="approve">Allow</button>
</form>
</body></html>`

func (op *fakeOP) consentPage(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodGet && r.URL.Query().Get("decision") == "" {
		fmt.Fprintf(w, consentHTML, html.EscapeString(r.URL.Query().Get("authRequestID")))
		return
	}
	r.ParseForm()
	op.mu.Lock()
	op.consent = r.Form
	state := op.state
	op.mu.Unlock()
	q := url.Values{"state": {state}}
	if r.Form.Get("decision") == "approve" {
		q.Set("code", issuedCode)
	} else {
		q.Set("error", "access_denied")
		q.Set("error_description", "the user denied the request")
	}
	http.Redirect(w, r, redirectURI+"?"+q.Encode(), http.StatusFound)
}

// State is the state of the authorization request, for replacement pages.
func (op *fakeOP) State() string {
	op.mu.Lock()
	defer op.mu.Unlock()
	return op.state
}

func (op *fakeOP) set(path string, h page) {
	op.mu.Lock()
	defer op.mu.Unlock()
	op.pages[path] = h
}

const configYAML = `provider:
  issuer: http://127.0.0.1
clients:
  primary:
    client_id: app-a
    client_secret: ${APP_A_SECRET:-s3cret-app-a}
    redirect_uris: [https://app.example/cb]
login:
  username: alice
  password: ${LOGIN_PASSWORD}
  max_pages: 6
  steps:
    - url: /login
      form: form#login
      fill: {username: "{{username}}", password: "{{password}}"}
      submit: Sign in
    - url: /consent
      form: form#consent
      submit: approve
timeouts:
  request: 5s
  login: 5s
`

// setup parses the configuration, lets the test adjust it, and builds the Driver as the harness
// does: clients from httpsession.Base with a cookie jar, recording into one transcript.
func setup(t *testing.T, op *fakeOP, adjust func(*config.Config)) (*Driver, *config.Config, *transcript.Log) {
	t.Helper()
	cfg, err := config.Parse("t.yaml", []byte(configYAML), func(k string) (string, bool) {
		if k == "LOGIN_PASSWORD" {
			return password, true
		}
		return "", false
	})
	if err != nil {
		t.Fatal(err)
	}
	if adjust != nil {
		adjust(cfg)
	}
	base, err := httpsession.NewBase(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(base.Close)
	log := transcript.NewLog(transcript.NewRedactor(cfg.Secrets()...).Child())
	d := &Driver{
		Endpoint:  op.URL + "/authorize?tenant=t1",
		Login:     cfg.Login,
		Timeout:   cfg.Timeouts.Login.D(),
		NewClient: func() *resty.Client { return base.New(log, true) },
		Log:       log,
	}
	return d, cfg, log
}

func TestAcquire(t *testing.T) {
	op := newOP(t)
	d, cfg, log := setup(t, op, nil)
	v := pkce.New(pkce.S256)
	before := time.Now()
	code, err := d.Acquire(context.Background(), Request{Client: cfg.Clients.Primary, Scope: "openid offline_access",
		PKCE: &v, Extra: map[string]string{"prompt": "consent"}})
	if err != nil {
		t.Fatalf("Acquire: %v\ntranscript:\n%s", err, log)
	}

	op.mu.Lock()
	defer op.mu.Unlock()
	checks := []struct {
		name      string
		got, want any
	}{
		{"code", code.Value, issuedCode},
		{"state returned is the one sent", code.State, op.state},
		{"client", code.ClientID, "app-a"},
		{"redirect URI defaults to the first registered", code.RedirectURI, redirectURI},
		{"verifier kept for the redemption", code.PKCE, &v},
		{"issued after the flow started", !code.IssuedAt.Before(before), true},

		{"response_type", op.authorize.Get("response_type"), "code"},
		{"client_id", op.authorize.Get("client_id"), "app-a"},
		{"redirect_uri", op.authorize.Get("redirect_uri"), redirectURI},
		{"scope", op.authorize.Get("scope"), "openid offline_access"},
		{"state is long", len(op.authorize.Get("state")) >= 20, true},
		{"nonce is sent and differs from state", op.authorize.Get("nonce") != "" && op.authorize.Get("nonce") != op.authorize.Get("state"), true},
		{"code_challenge", op.authorize.Get("code_challenge"), v.Challenge},
		{"code_challenge_method", op.authorize.Get("code_challenge_method"), "S256"},
		{"extra parameter", op.authorize.Get("prompt"), "consent"},
		{"the endpoint's own query parameter is kept", op.authorize.Get("tenant"), "t1"},

		{"hidden input authRequestID sent", op.login.Get("authRequestID"), "req-42"},
		{"hidden input csrf sent", op.login.Get("csrf"), csrfToken},
		{"{{username}} expanded", op.login.Get("username"), "alice"},
		{"{{password}} expanded", op.login.Get("password"), password},
		{"pressed button's name=value sent", op.login.Get("action"), "login"},
		{"unchecked checkbox not sent", op.login.Has("remember"), false},
		{"disabled field not sent", op.login.Has("disabled_field"), false},
		{"selected option sent", op.login.Get("locale"), "fr"},
		{"the other form's field not sent", op.login.Has("q"), false},
		{"session cookie kept by the jar", op.cookie, true},

		{"consent: hidden input sent", op.consent.Get("authRequestID"), "req-42"},
		{"consent: only the named button sent", strings.Join(op.consent["decision"], ","), "approve"},

		{"the redirect to redirect_uri is not followed", strings.Join(op.requests, ", "),
			"GET /authorize, GET /login, POST /login, GET /consent, POST /consent"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s: got %v, want %v", c.name, c.got, c.want)
		}
	}

	printed := log.String()
	for _, raw := range []string{issuedCode, password, url.QueryEscape(password), "s3cret-app-a", sessionValue, v.Value} {
		if strings.Contains(printed, raw) {
			t.Errorf("transcript shows %q:\n%s", raw, printed)
		}
	}
	if got := d.Log.Redactor.Redact("redeeming " + issuedCode); strings.Contains(got, issuedCode) {
		t.Errorf("the redactor did not learn the code: %q", got)
	}
	steps := []string{"authorization request", "follow redirect", "login.steps[0]: submit form#login", "follow redirect", "login.steps[1]: submit form#consent"}
	recs := log.Records()
	if len(recs) != len(steps) {
		t.Fatalf("%d records, want %d:\n%s", len(recs), len(steps), printed)
	}
	for i, s := range steps {
		if recs[i].Step != s {
			t.Errorf("record %d step = %q, want %q", i, recs[i].Step, s)
		}
	}
}

func TestAcquireVariants(t *testing.T) {
	cases := []struct {
		name   string
		adjust func(*config.Config)
		pages  map[string]page
		req    func(*config.Config) Request
		check  func(t *testing.T, op *fakeOP, c *Code)
	}{
		{
			name: "code and state in the fragment",
			pages: map[string]page{"/consent": func(op *fakeOP, w http.ResponseWriter, r *http.Request) {
				if r.Method == http.MethodGet {
					fmt.Fprintf(w, consentHTML, "req-42")
					return
				}
				w.Header().Set("Location", redirectURI+"#code="+issuedCode+"&state="+url.QueryEscape(op.State()))
				w.WriteHeader(http.StatusSeeOther)
			}},
			check: func(t *testing.T, _ *fakeOP, c *Code) {
				if c.Value != issuedCode {
					t.Errorf("code = %q", c.Value)
				}
			},
		},
		{
			name: "GET form with an empty action submits to the page itself",
			pages: map[string]page{"/consent": func(op *fakeOP, w http.ResponseWriter, r *http.Request) {
				if r.URL.Query().Get("decision") == "" {
					io.WriteString(w, `<form id="consent"><input type="hidden" name="authRequestID" value="req-42">
<input type="submit" name="decision" value="approve"></form>`)
					return
				}
				if r.Method != http.MethodGet || r.URL.Query().Get("authRequestID") != "req-42" {
					http.Error(w, "want the form in the query of a GET", http.StatusBadRequest)
					return
				}
				http.Redirect(w, r, redirectURI+"?code="+issuedCode+"&state="+url.QueryEscape(op.State()), http.StatusFound)
			}},
			check: func(t *testing.T, _ *fakeOP, c *Code) {
				if c.Value != issuedCode {
					t.Errorf("code = %q", c.Value)
				}
			},
		},
		{
			name: "submit names a button by its text",
			adjust: func(c *config.Config) {
				c.Login.Steps[1].Submit = "allow"
			},
			check: func(t *testing.T, op *fakeOP, c *Code) {
				if got := op.consent.Get("decision"); got != "approve" {
					t.Errorf("decision = %q, want approve", got)
				}
			},
		},
		{
			name: "a step without submit sends no button",
			adjust: func(c *config.Config) {
				c.Login.Steps[0].Submit = ""
			},
			check: func(t *testing.T, op *fakeOP, c *Code) {
				if op.login.Has("action") {
					t.Errorf("login form carried the button: %v", op.login)
				}
			},
		},
		{
			name: "a later step matches when the first one's form is absent",
			adjust: func(c *config.Config) {
				c.Login.Steps = append([]config.Step{{URL: "/consent", Form: "form#other", Submit: "deny"}}, c.Login.Steps...)
			},
			check: func(t *testing.T, op *fakeOP, c *Code) {
				if got := op.consent.Get("decision"); got != "approve" {
					t.Errorf("decision = %q, want approve", got)
				}
			},
		},
		{
			name: "an explicit redirect URI and no PKCE",
			req: func(c *config.Config) Request {
				return Request{Client: c.Clients.Primary, RedirectURI: redirectURI + "?x=1", Scope: "openid"}
			},
			check: func(t *testing.T, op *fakeOP, c *Code) {
				if op.authorize.Get("redirect_uri") != redirectURI+"?x=1" || op.authorize.Has("code_challenge") || c.PKCE != nil {
					t.Errorf("authorization request %v, code %+v", op.authorize, c)
				}
			},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			op := newOP(t)
			for p, h := range tc.pages {
				op.set(p, h)
			}
			d, cfg, log := setup(t, op, tc.adjust)
			req := Request{Client: cfg.Clients.Primary, Scope: "openid"}
			if tc.req != nil {
				req = tc.req(cfg)
			}
			code, err := d.Acquire(context.Background(), req)
			if err != nil {
				t.Fatalf("Acquire: %v\ntranscript:\n%s", err, log)
			}
			op.mu.Lock()
			defer op.mu.Unlock()
			tc.check(t, op, code)
		})
	}
}

func TestAcquireErrors(t *testing.T) {
	cases := []struct {
		name   string
		adjust func(*config.Config)
		pages  map[string]page
		// want are parts of the error message; "OP" stands for the fake provider's URL.
		want []string
		// check inspects the error further.
		check func(t *testing.T, err error)
	}{
		{
			name: "no step matches the page: the message lists its forms",
			adjust: func(c *config.Config) {
				c.Login.Steps = []config.Step{{URL: "/signin", Form: "form#login"}}
			},
			want: []string{"login: no login.steps entry matches page OP/login?authRequestID=req-42",
				`forms on the page: form#search action="/search" fields=[q]; form#login.card.wide action="/login" fields=[username password remember disabled_field locale]`},
		},
		{
			name: "the step's URL matches but its form is not on the page",
			adjust: func(c *config.Config) {
				c.Login.Steps[0].Form = "form#signin"
			},
			want: []string{"no login.steps entry matches page OP/login", "form#login.card.wide"},
		},
		{
			name: "a page without any form",
			pages: map[string]page{"/login": func(_ *fakeOP, w http.ResponseWriter, _ *http.Request) {
				io.WriteString(w, "<html><head><title>Maintenance</title></head><body>back soon</body></html>")
			}},
			want: []string{`the page has no form; title "Maintenance"`},
		},
		{
			name: "a fill field missing from the form: the message lists the fields",
			adjust: func(c *config.Config) {
				c.Login.Steps[0].Fill = map[string]string{"user": "{{username}}"}
			},
			want: []string{`login: OP/login?authRequestID=req-42: login.steps[0].fill: the form form#login has no field "user"`,
				"(fields: authRequestID, csrf, locale, password, remember, username)"},
		},
		{
			name: "submit button not found: the message lists the buttons",
			adjust: func(c *config.Config) {
				c.Login.Steps[1].Submit = "accept"
			},
			want: []string{`login.steps[1].submit: the form form#consent has no button "accept"`,
				`(buttons: "decision"/"deny"/"Deny", "decision"/"approve"/"Allow")`},
		},
		{
			name: "state mismatch",
			pages: map[string]page{"/consent": func(_ *fakeOP, w http.ResponseWriter, r *http.Request) {
				if r.Method == http.MethodGet {
					fmt.Fprintf(w, consentHTML, "req-42")
					return
				}
				http.Redirect(w, r, redirectURI+"?code="+issuedCode+"&state=forged-state", http.StatusFound)
			}},
			want: []string{`login: the redirect to https://app.example/cb carries state "forged-state", not the one sent (RFC 6749 §4.1.2)`},
		},
		{
			name: "state missing",
			pages: map[string]page{"/consent": func(_ *fakeOP, w http.ResponseWriter, r *http.Request) {
				http.Redirect(w, r, redirectURI+"?code="+issuedCode, http.StatusFound)
			}},
			want: []string{`carries state "", not the one sent`},
		},
		{
			name: "error redirect",
			adjust: func(c *config.Config) {
				c.Login.Steps[1].Submit = "deny"
			},
			want: []string{`the authorization endpoint refused: error=access_denied error_description="the user denied the request"`},
			check: func(t *testing.T, err error) {
				var re *RefusalError
				if !errors.As(err, &re) {
					t.Fatalf("error %T is not a *RefusalError", err)
				}
				if re.Refusal.Error != "access_denied" || re.Refusal.Description != "the user denied the request" ||
					!strings.HasPrefix(re.Refusal.Location, redirectURI+"?") {
					t.Errorf("refusal = %+v", re.Refusal)
				}
			},
		},
		{
			name: "error redirect straight from the authorization endpoint",
			pages: map[string]page{"/authorize": func(_ *fakeOP, w http.ResponseWriter, r *http.Request) {
				http.Redirect(w, r, redirectURI+"?error=unauthorized_client&state="+url.QueryEscape(r.URL.Query().Get("state")), http.StatusFound)
			}},
			want: []string{"error=unauthorized_client", `error_description=""`},
		},
		{
			name: "redirect with neither code nor error",
			pages: map[string]page{"/authorize": func(_ *fakeOP, w http.ResponseWriter, r *http.Request) {
				http.Redirect(w, r, redirectURI+"?state="+url.QueryEscape(r.URL.Query().Get("state")), http.StatusFound)
			}},
			want: []string{"login: the redirect to https://app.example/cb carries neither code nor error"},
		},
		{
			name: "two code parameters in the redirect",
			pages: map[string]page{"/consent": func(_ *fakeOP, w http.ResponseWriter, r *http.Request) {
				if r.Method == http.MethodGet {
					fmt.Fprintf(w, consentHTML, "req-42")
					return
				}
				state := url.QueryEscape(r.FormValue("state"))
				http.Redirect(w, r, redirectURI+"?code="+issuedCode+"&code=other-code-0123&state="+state, http.StatusFound)
			}},
			want: []string{"login: the redirect to https://app.example/cb carries 2 code parameters", "RFC 6749 §3.1"},
		},
		{
			name: "a page echoing the password and a code",
			pages: map[string]page{"/consent": func(_ *fakeOP, w http.ResponseWriter, _ *http.Request) {
				http.Error(w, "bad login for password="+password, http.StatusInternalServerError)
			}},
			want: []string{"answered 500", "page starts: bad login for password=‹"},
		},
		{
			name: "a 500 page",
			pages: map[string]page{"/consent": func(_ *fakeOP, w http.ResponseWriter, _ *http.Request) {
				http.Error(w, "database   down\n\nretry later", http.StatusInternalServerError)
			}},
			want: []string{"login: OP/consent?authRequestID=req-42 answered 500 Internal Server Error instead of a login page or a redirect to https://app.example/cb",
				"; page starts: database down retry later"},
		},
		{
			name: "an unknown page (404)",
			pages: map[string]page{"/authorize": func(_ *fakeOP, w http.ResponseWriter, r *http.Request) {
				http.Redirect(w, r, "/nowhere", http.StatusFound)
			}},
			want: []string{"OP/nowhere answered 404 Not Found"},
		},
		{
			name: "more pages than max_pages",
			adjust: func(c *config.Config) {
				c.Login.MaxPages = 4
			},
			pages: map[string]page{"/authorize": func(_ *fakeOP, w http.ResponseWriter, r *http.Request) {
				http.Redirect(w, r, "/authorize?again=1", http.StatusFound)
			}},
			want: []string{"login: no redirect to https://app.example/cb after 4 pages (login.max_pages)"},
		},
		{
			name: "a login form that keeps coming back",
			adjust: func(c *config.Config) {
				c.Login.MaxPages = 5
			},
			pages: map[string]page{"/login": func(_ *fakeOP, w http.ResponseWriter, _ *http.Request) {
				fmt.Fprintf(w, loginHTML, "req-42")
			}},
			want: []string{"after 5 pages (login.max_pages)"},
		},
		{
			name: "a bad Location",
			pages: map[string]page{"/authorize": func(_ *fakeOP, w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Location", "http://[::1")
				w.WriteHeader(http.StatusFound)
			}},
			// net/http parses Location before CheckRedirect, so the client reports it.
			want: []string{"login: GET OP/authorize?", `failed to parse Location header "http://[::1"`},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			op := newOP(t)
			for p, h := range tc.pages {
				op.set(p, h)
			}
			d, cfg, log := setup(t, op, tc.adjust)
			code, err := d.Acquire(context.Background(), Request{Client: cfg.Clients.Primary, Scope: "openid"})
			if err == nil {
				t.Fatalf("Acquire succeeded with code %+v, want an error\ntranscript:\n%s", code, log)
			}
			msg := err.Error()
			for _, w := range tc.want {
				if w = strings.ReplaceAll(w, "OP", op.URL); !strings.Contains(msg, w) {
					t.Errorf("error does not contain %q:\n%s", w, msg)
				}
			}
			if strings.Contains(msg, "\n") {
				t.Errorf("error is not one line: %q", msg)
			}
			for _, raw := range []string{issuedCode, password, csrfToken} {
				if strings.Contains(msg, raw) {
					t.Errorf("error shows %q: %s", raw, msg)
				}
			}
			if tc.check != nil {
				tc.check(t, err)
			}
		})
	}
}

func TestAcquireHangingServerIsBoundedByTimeout(t *testing.T) {
	op := newOP(t)
	release := make(chan struct{})
	t.Cleanup(func() { close(release) }) // runs before the server's Close
	op.set("/login", func(_ *fakeOP, _ http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	})
	const timeout = 150 * time.Millisecond
	d, cfg, _ := setup(t, op, nil)
	d.Timeout = timeout
	start := time.Now()
	_, err := d.Acquire(context.Background(), Request{Client: cfg.Clients.Primary, Scope: "openid"})
	elapsed := time.Since(start)
	if err == nil {
		t.Fatal("Acquire against a hanging page succeeded")
	}
	if want := "login: gave up after 150ms (timeouts.login) at " + op.URL + "/login?authRequestID=req-42"; err.Error() != want {
		t.Errorf("error = %q, want %q", err, want)
	}
	// Only the floor: the message above already proves the timeout ended it; an upper bound
	// would be a timed assertion that fails on a loaded machine.
	if elapsed < timeout {
		t.Errorf("gave up after %s, before timeouts.login (%s)", elapsed, timeout)
	}
}

func TestAcquireCallerContext(t *testing.T) {
	op := newOP(t)
	d, cfg, _ := setup(t, op, nil)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := d.Acquire(ctx, Request{Client: cfg.Clients.Primary})
	if err == nil || !strings.HasPrefix(err.Error(), "login: interrupted at "+op.URL+"/authorize?") ||
		!errors.Is(err, context.Canceled) || strings.Contains(err.Error(), "timeouts.login") {
		t.Errorf("error = %v, want an interruption by the caller, not timeouts.login", err)
	}
}

func TestAcquireRequestErrors(t *testing.T) {
	op := newOP(t)
	cases := []struct {
		name     string
		endpoint string
		req      Request
		want     string
	}{
		{"no client", op.URL + "/authorize", Request{}, "authorize: no client"},
		{"client without redirect URIs", op.URL + "/authorize", Request{Client: &config.Client{ClientID: "svc"}},
			"authorize: client svc has no redirect_uris"},
		{"bad endpoint", "http://[::1", Request{Client: &config.Client{ClientID: "app-a", RedirectURIs: []string{redirectURI}}},
			`authorize: authorization_endpoint "http://[::1"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d, _, _ := setup(t, op, nil)
			d.Endpoint = tc.endpoint
			_, err := d.Acquire(context.Background(), tc.req)
			if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
				t.Errorf("error = %v, want it to start with %q", err, tc.want)
			}
		})
	}
}

func TestSameEndpoint(t *testing.T) {
	cases := []struct {
		target, redirect string
		want             bool
	}{
		{"https://app.example/cb?code=x&state=y", "https://app.example/cb", true},
		{"HTTPS://APP.example/cb", "https://app.example/cb", true},
		{"https://app.example/cb#code=x", "https://app.example/cb", true},
		{"https://app.example/cb?code=x", "https://app.example/cb?x=1", true},
		{"https://app.example/cb/", "https://app.example/cb", false},
		{"https://app.example/CB", "https://app.example/cb", false},
		{"http://app.example/cb", "https://app.example/cb", false},
		{"https://app.example:8443/cb", "https://app.example/cb", false},
		{"https://evil.example/cb", "https://app.example/cb", false},
	}
	for _, tc := range cases {
		t.Run(tc.target+" vs "+tc.redirect, func(t *testing.T) {
			u, _ := url.Parse(tc.target)
			if got := sameEndpoint(u, tc.redirect); got != tc.want {
				t.Errorf("sameEndpoint = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestRefusalErrorMessage(t *testing.T) {
	err := error(&RefusalError{Refusal{Error: "invalid_request", Description: `missing "code_challenge"`}})
	if want := `the authorization endpoint refused: error=invalid_request error_description="missing \"code_challenge\""`; err.Error() != want {
		t.Errorf("Error() = %q, want %q", err, want)
	}
}
