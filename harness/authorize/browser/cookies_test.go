package browser

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"

	"github.com/grantcheck/grantcheck/harness/authorize"
	"github.com/grantcheck/grantcheck/harness/config"
	"github.com/grantcheck/grantcheck/harness/loopback"
	"github.com/grantcheck/grantcheck/harness/transcript"
)

const sessionValue = "sess-v4lue-never-shown"

// TestLoopAfterACookieChromiumRefusedNamesIt: a provider whose sign-in sets its session cookie
// in a way Chromium refuses sends the login back to its sign-in page until login.max_pages (or
// timeouts.login); the
// message names the cookie and Chromium's reason, never the cookie's value. What Chromium stores
// is not named, even where Go's cookie jar would refuse it: Domain=.127.0.0.1 on 127.0.0.1 (the
// form driver's case) is stored by Chromium, and a login that loops anyway says nothing of it.
func TestLoopAfterACookieChromiumRefusedNamesIt(t *testing.T) {
	b := startBrowser(t)
	for _, c := range []struct {
		name, attrs string
		maxPages    int      // 0: the walk loops until timeouts.login
		want        []string // nil: Chromium stores the cookie, and the message must not name it
	}{
		{"a Domain the host does not domain-match", "Domain=id.example; Path=/; HttpOnly", 8,
			[]string{"after 8 pages (login.max_pages)", "InvalidDomain (its Domain attribute is not valid for the host that set it: Domain=id.example)"}},
		{"SameSite=None without Secure, until timeouts.login", "Path=/; SameSite=None", 0,
			[]string{"for the rest of timeouts.login", "SameSiteNoneInsecure", "without the Secure attribute"}},
		{"a Domain on an IP address host, which Chromium stores", "Domain=.127.0.0.1; Path=/", 8, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			op := loopback.Server(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				switch {
				case r.URL.Path == "/authorize":
					http.Redirect(w, r, "/login", http.StatusFound)
				case r.URL.Path == "/login" && r.Method == http.MethodPost:
					w.Header().Add("Set-Cookie", "op_session="+sessionValue+"; "+c.attrs)
					http.Redirect(w, r, "/consent", http.StatusFound)
				case r.URL.Path == "/consent":
					if _, err := r.Cookie("op_session"); err == nil && c.want != nil {
						http.Redirect(w, r, "https://app.example/cb?code=c0de", http.StatusFound)
						return
					}
					http.Redirect(w, r, "/login", http.StatusFound) // no session: sign in again
				case r.URL.Path == "/login":
					w.Header().Set("Content-Type", "text/html")
					w.Write([]byte(`<!doctype html><form method="post" action="/login"><input id="user" name="user"><button id="go">Sign in</button></form>`))
				default:
					http.NotFound(w, r)
				}
			}))
			log := transcript.NewLog(transcript.NewRedactor(password))
			w := &Walker{B: b, Artifacts: t.TempDir(), Log: log, Login: config.Login{Username: "alice", Password: password, MaxPages: c.maxPages,
				Steps: []config.Step{{URL: "/login", Fill: map[string]string{"#user": "{{username}}"}, Click: "#go"}}}}
			ctx, cancel := context.WithTimeout(context.Background(), 4*time.Second)
			defer cancel()
			land, err := w.Walk(ctx, authorize.Route{AuthURL: op.URL + "/authorize", RedirectURI: "https://app.example/cb",
				Stop: func(u *url.URL) bool { return u.Host == "app.example" }})
			msg := land.Detail
			if err != nil {
				msg = err.Error()
			}
			if land.Redirect != nil || msg == "" {
				t.Fatalf("the login must not succeed without its session cookie: %+v\n%s", land, log)
			}
			if !strings.Contains(msg, "each time the login came back to it") {
				t.Errorf("message does not say the login looped: %s", msg)
			}
			if c.want == nil {
				if strings.Contains(msg, "op_session") {
					t.Errorf("message names a cookie Chromium stored: %s", msg)
				}
				return
			}
			for _, want := range append([]string{`"op_session"`, "Chromium did not store"}, c.want...) {
				if !strings.Contains(msg, want) {
					t.Errorf("message does not say %q: %s", want, msg)
				}
			}
			if strings.Contains(msg, sessionValue) {
				t.Errorf("message shows the cookie's value: %s", msg)
			}
			t.Log(msg)
		})
	}
}

// TestRefusedCookieShowsNameAndReasonNeverValue: what Chromium reports is shown by name and
// reason; a line without "=" is all value (rfc6265bis, as Chromium parses it), so it is shown as nameless.
func TestRefusedCookieShowsNameAndReasonNeverValue(t *testing.T) {
	for _, c := range []struct {
		name    string
		blocked network.BlockedSetCookieWithReason
		want    string
	}{
		{"a parsed cookie", network.BlockedSetCookieWithReason{Cookie: &network.Cookie{Name: "sid", Value: sessionValue},
			CookieLine:     "sid=" + sessionValue + "; Secure",
			BlockedReasons: []network.SetCookieBlockedReason{network.SetCookieBlockedReasonSecureOnly}},
			`"sid": SecureOnly (it has the Secure attribute but came over an insecure connection)`},
		{"an unparsed line, the last Domain", network.BlockedSetCookieWithReason{CookieLine: " sid =" + sessionValue + "; domain=a.example; Domain=b.example",
			BlockedReasons: []network.SetCookieBlockedReason{network.SetCookieBlockedReasonInvalidDomain, "SomeNewReason"}},
			`"sid": InvalidDomain (its Domain attribute is not valid for the host that set it: Domain=b.example) and SomeNewReason`},
		{"a line without a name", network.BlockedSetCookieWithReason{CookieLine: sessionValue + "; Path=/",
			BlockedReasons: []network.SetCookieBlockedReason{network.SetCookieBlockedReasonSyntaxError}},
			`a cookie without a name: SyntaxError (its syntax is invalid)`},
	} {
		t.Run(c.name, func(t *testing.T) {
			rc := &refused{red: transcript.NewRedactor(password)}
			rc.add(&c.blocked)
			got := rc.note()
			if !strings.HasSuffix(got, ": "+c.want) || strings.Contains(got, sessionValue) {
				t.Errorf("got %s\nwant it to end with %s, without the value", got, c.want)
			}
		})
	}
}
