package authorize

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/grantcheck/grantcheck/harness/config"
	"github.com/grantcheck/grantcheck/harness/loopback"
)

// TestFlowEndings: every way a flow can end is reported as data, not as an error, so the
// authorization endpoint scenarios can judge it; Acquire turns the non-code endings into errors.
func TestFlowEndings(t *testing.T) {
	cases := []struct {
		name        string
		redirectURI string // sent; "" is the registered one
		pages       map[string]page
		want        Ending
		check       func(t *testing.T, o Outcome)
	}{
		{name: "a code", want: EndedWithCode, check: func(t *testing.T, o Outcome) {
			if o.Code == nil || o.Code.Value != issuedCode || o.Code.Nonce == "" || o.RedirectURI != redirectURI {
				t.Errorf("outcome = %+v", o)
			}
		}},
		{name: "an error redirect with iss", pages: map[string]page{"/authorize": func(_ *fakeOP, w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, redirectURI+"?error=invalid_request&iss=https%3A%2F%2Fop&state="+url.QueryEscape(r.URL.Query().Get("state")), http.StatusFound)
		}}, want: EndedWithRefusal, check: func(t *testing.T, o Outcome) {
			if o.Refusal == nil || o.Refusal.Error != "invalid_request" || o.Refusal.Issuer != "https://op" {
				t.Errorf("refusal = %+v", o.Refusal)
			}
		}},
		{name: "an error page", pages: map[string]page{"/authorize": func(_ *fakeOP, w http.ResponseWriter, _ *http.Request) {
			http.Error(w, "redirect_uri is not registered", http.StatusBadRequest)
		}}, want: EndedOnPage, check: func(t *testing.T, o Outcome) {
			if o.Status != 400 || !strings.Contains(o.Detail, "redirect_uri is not registered") {
				t.Errorf("outcome = %+v", o)
			}
		}},
		{name: "an unregistered redirect URI sent, the registered one used by the provider",
			redirectURI: "https://evil.example/cb", want: EndedWithCode, check: func(t *testing.T, o Outcome) {
				if o.RedirectURI != redirectURI {
					t.Errorf("landed at %q, want the registered %q", o.RedirectURI, redirectURI)
				}
			}},
		{name: "a redirect off the provider is not followed",
			pages: map[string]page{"/authorize": func(_ *fakeOP, w http.ResponseWriter, r *http.Request) {
				http.Redirect(w, r, "https://elsewhere.example/landing", http.StatusFound)
			}}, want: EndedElsewhere, check: func(t *testing.T, o Outcome) {
				if o.URL != "https://elsewhere.example/landing" {
					t.Errorf("URL = %q", o.URL)
				}
			}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			op := newOP(t)
			for p, h := range tc.pages {
				op.set(p, h)
			}
			d, cfg, log := setup(t, op, nil)
			o, err := d.Flow(context.Background(), Request{Client: cfg.Clients.Primary, Scope: "openid", RedirectURI: tc.redirectURI})
			if err != nil {
				t.Fatalf("Flow: %v\n%s", err, log)
			}
			if o.Ending != tc.want {
				t.Fatalf("ending = %s, want %s (%+v)", o.Ending, tc.want, o)
			}
			tc.check(t, o)
			if (o.Err() == nil) != (tc.want == EndedWithCode) {
				t.Errorf("Err() = %v for ending %s", o.Err(), o.Ending)
			}
		})
	}
}

func TestFlowRejectsTwoCodes(t *testing.T) {
	op := newOP(t)
	op.set("/authorize", func(_ *fakeOP, w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, redirectURI+"?code=a1b2c3d4&code=e5f6g7h8&state="+url.QueryEscape(r.URL.Query().Get("state")), http.StatusFound)
	})
	d, cfg, _ := setup(t, op, nil)
	_, err := d.Acquire(context.Background(), Request{Client: cfg.Clients.Primary, Scope: "openid"})
	if err == nil || !strings.Contains(err.Error(), "carries 2 code parameters") || strings.Contains(err.Error(), "a1b2c3d4") {
		t.Errorf("error = %v, want two code parameters flagged, values hidden", err)
	}
}

// TestLoginHosts: a login on another host (a separate login application) is followed only when
// login.hosts names it; otherwise the flow stops there, and the message names the host and the key.
// Both the redirect to the login host and a form posting to it are navigations Stop decides.
func TestLoginHosts(t *testing.T) {
	for _, how := range []string{"redirect", "form action"} {
		for _, allowed := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s, listed %v", how, allowed), func(t *testing.T) {
				op := newOP(t)
				login := loopback.Server(t, op) // the same pages, on another port: another host
				loginHost := strings.TrimPrefix(login.URL, "http://")
				switch how {
				case "redirect":
					op.set("/authorize", func(op *fakeOP, w http.ResponseWriter, r *http.Request) {
						op.authorizePage(httptest.NewRecorder(), r) // records state
						http.Redirect(w, r, login.URL+"/login?authRequestID=req-42", http.StatusFound)
					})
				case "form action":
					op.set("/login", func(op *fakeOP, w http.ResponseWriter, r *http.Request) {
						if r.Method == http.MethodGet && r.Host != loginHost {
							fmt.Fprint(w, strings.Replace(fmt.Sprintf(loginHTML, "req-42"), `action="/login"`, `action="`+login.URL+`/login"`, 1))
							return
						}
						op.loginPage(w, r)
					})
				}
				d, cfg, log := setup(t, op, func(c *config.Config) {
					if allowed {
						c.Login.Hosts = []string{loginHost}
					}
				})
				o, err := d.Flow(context.Background(), Request{Client: cfg.Clients.Primary, Scope: "openid"})
				if err != nil {
					t.Fatalf("Flow: %v\n%s", err, log)
				}
				if allowed {
					if o.Ending != EndedWithCode {
						t.Fatalf("with login.hosts: [%s] the flow ended %s (%+v), want a code", loginHost, o.Ending, o)
					}
					return
				}
				if o.Ending != EndedElsewhere || o.Host != loginHost {
					t.Fatalf("ending = %s at host %q, want %s at %s", o.Ending, o.Host, EndedElsewhere, loginHost)
				}
				msg := o.Err().Error()
				for _, want := range []string{"host " + loginHost, "login.hosts", "not followed"} {
					if !strings.Contains(msg, want) {
						t.Errorf("message %q does not say %q", msg, want)
					}
				}
			})
		}
	}
}

// TestLoopAfterARefusedCookieNamesIt: a provider setting its session cookie with
// Domain=.127.0.0.1 (which a cookie jar must refuse on an IP address host) sends the login back to
// its sign-in page until login.max_pages; the message names the cookie and why it was refused,
// never its value.
func TestLoopAfterARefusedCookieNamesIt(t *testing.T) {
	op := newOP(t)
	op.set("/authorize", func(op *fakeOP, w http.ResponseWriter, r *http.Request) {
		op.authorizePage(httptest.NewRecorder(), r) // records state
		w.Header().Add("Set-Cookie", "op_session="+sessionValue+"; Domain=.127.0.0.1; Path=/; HttpOnly")
		http.Redirect(w, r, "/login?authRequestID=req-42", http.StatusFound)
	})
	op.set("/login", func(op *fakeOP, w http.ResponseWriter, r *http.Request) {
		if _, err := r.Cookie("op_session"); r.Method == http.MethodPost && err != nil {
			w.Header().Add("Set-Cookie", "op_session="+sessionValue+"; Domain=.127.0.0.1; Path=/")
			http.Redirect(w, r, "/login?authRequestID=req-42", http.StatusFound) // no session: sign in again
			return
		}
		op.loginPage(w, r)
	})
	d, cfg, _ := setup(t, op, nil)
	_, err := d.Flow(context.Background(), Request{Client: cfg.Clients.Primary, Scope: "openid"})
	if err == nil {
		t.Fatal("the login must not succeed without its session cookie")
	}
	msg := err.Error()
	for _, want := range []string{"login.max_pages", `"op_session"`, "Domain=.127.0.0.1", "IP address", "RFC 6265"} {
		if !strings.Contains(msg, want) {
			t.Errorf("message %q does not say %q", msg, want)
		}
	}
	if strings.Contains(msg, sessionValue) {
		t.Errorf("message shows the cookie's value: %s", msg)
	}
}
