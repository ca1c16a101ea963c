package browser

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/grantcheck/grantcheck/harness/authorize"
	"github.com/grantcheck/grantcheck/harness/config"
	"github.com/grantcheck/grantcheck/harness/loopback"
	"github.com/grantcheck/grantcheck/harness/transcript"
)

const password = "pw:browser-hunter2"

// startBrowser starts Chromium, or skips when it is missing — except in CI, where a missing
// browser must fail the build instead of silently skipping its tests.
func startBrowser(t testing.TB) *Browser {
	return startBrowserAt(t, "")
}

func startBrowserAt(t testing.TB, executable string) *Browser {
	t.Helper()
	if _, err := Find(executable, true); err != nil {
		if os.Getenv("CI") != "" && executable == "" {
			t.Fatalf("CI: %v", err)
		}
		t.Skip(err)
	}
	b, err := Start(config.Browser{Executable: executable})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.Close)
	return b
}

// spaHTML has no form: the script builds the fields, posts JSON, then shows consent on the same URL.
const spaHTML = `<!doctype html><html><head><title>Sign in</title></head><body><div id="app"></div><script>
const app = document.getElementById('app');
function login() {
  app.innerHTML = '<label>User <input id="user"></label><label>Password <input id="pass" type="password"></label><button id="go">Sign in</button>';
  document.getElementById('go').onclick = async () => {
    const r = await fetch('/api/login', {method: 'POST', headers: {'Content-Type': 'application/json'},
      body: JSON.stringify({username: document.getElementById('user').value, password: document.getElementById('pass').value})});
    if (r.ok) setTimeout(consent, 100); else app.innerHTML += '<p>wrong</p>';
  };
}
function consent() {
  app.innerHTML = '<p>Allow?</p><button id="allow">Allow</button>';
  document.getElementById('allow').onclick = async () => {
    const r = await fetch('/api/consent', {method: 'POST'});
    location.assign((await r.json()).redirect);
  };
}
setTimeout(login, 150);
</script></body></html>`

// spaLogin is a JavaScript-only provider with consent and a client whose redirect URI counts its
// hits: a walker for it, the route of one flow, and what the page received.
type spaLogin struct {
	walker   *Walker
	route    authorize.Route
	hits     *atomic.Int32
	user     *atomic.Value
	password *atomic.Value
}

func newSPALogin(t testing.TB, b *Browser) spaLogin {
	var hits atomic.Int32
	client := loopback.Server(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		t.Logf("redirect URI hit: %s %s %v", r.Method, r.URL, r.Header)
	}))
	redirect := client.URL + "/cb"
	var gotUser, gotPass atomic.Value
	op := loopback.Server(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/authorize":
			http.Redirect(w, r, "/app?state="+url.QueryEscape(r.URL.Query().Get("state")), http.StatusFound)
		case "/app":
			w.Header().Set("Content-Type", "text/html")
			w.Write([]byte(spaHTML))
		case "/api/login":
			var body struct{ Username, Password string }
			json.NewDecoder(r.Body).Decode(&body)
			gotUser.Store(body.Username)
			gotPass.Store(body.Password)
		case "/api/consent":
			json.NewEncoder(w).Encode(map[string]string{"redirect": "/done"})
		case "/done":
			http.Redirect(w, r, redirect+"?code=c0de-from-op&state=s1", http.StatusFound)
		default:
			http.NotFound(w, r)
		}
	}))
	log := transcript.NewLog(transcript.NewRedactor(password))
	w := &Walker{B: b, Log: log, Login: config.Login{Username: "alice", Password: password, Steps: []config.Step{
		{URL: "/app", Fill: map[string]string{"#user": "{{username}}", "#pass": "{{password}}"}, Click: "#go"},
		{URL: "/app", Click: "#allow"},
	}}}
	route := authorize.Route{AuthURL: op.URL + "/authorize?state=s1", RedirectURI: redirect,
		Stop: func(u *url.URL) bool { return u.Host != strings.TrimPrefix(op.URL, "http://") }}
	return spaLogin{walker: w, route: route, hits: &hits, user: &gotUser, password: &gotPass}
}

// TestWalkJavaScriptLogin runs in each browser make deps installs: the headless shell headless
// runs use, and the full chromium (its own flags) a visible run or a missing shell falls back to.
func TestWalkJavaScriptLogin(t *testing.T) {
	for _, exe := range []string{headlessShell, "chromium"} {
		t.Run(exe, func(t *testing.T) {
			if _, err := exec.LookPath(exe); err != nil && os.Getenv("CI") != "" {
				t.Fatalf("CI: %v (make deps installs it)", err)
			}
			walkJavaScriptLogin(t, startBrowserAt(t, exe))
		})
	}
}

func walkJavaScriptLogin(t *testing.T, b *Browser) {
	spa := newSPALogin(t, b)
	w, log, hits, gotUser, gotPass := spa.walker, spa.walker.Log, spa.hits, spa.user, spa.password
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	began := time.Now()
	land, err := w.Walk(ctx, spa.route)
	if err != nil {
		t.Fatalf("Walk: %v\n%s", err, log)
	}
	t.Logf("one JavaScript login with consent: %s", time.Since(began).Round(time.Millisecond))
	if land.Redirect == nil {
		t.Fatalf("no redirect captured: %+v\n%s", land, log)
	}
	if got := land.Redirect.Query().Get("code"); got != "c0de-from-op" {
		t.Errorf("code: got %q, want c0de-from-op", got)
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("the redirect URI was loaded %d times; the browser must stop before it\n%s", n, log)
	}
	if gotUser.Load() != "alice" || gotPass.Load() != password {
		t.Errorf("the page received username %v and a password that differs: %v", gotUser.Load(), gotPass.Load() != password)
	}
	if w.LastNavigation().Before(began) {
		t.Errorf("LastNavigation %v is before the walk began", w.LastNavigation())
	}
	printed := log.String()
	for _, want := range []string{"/authorize", "302", "/app", "200", "/done", "not loaded"} {
		if !strings.Contains(printed, want) {
			t.Errorf("transcript lacks %q:\n%s", want, printed)
		}
	}
	for _, secret := range []string{password, url.QueryEscape(password), "c0de-from-op"} {
		if strings.Contains(printed, secret) {
			t.Errorf("transcript shows a secret %q:\n%s", secret, printed)
		}
	}
}

func TestNoStepMatchesDescribesThePageAndSavesAScreenshot(t *testing.T) {
	b := startBrowser(t)
	op := loopback.Server(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Write([]byte(`<!doctype html><body><h1>Who are you?</h1><input id="email" type="email"><input name="secret" type="password">
<input type="hidden" name="csrf" value="x"><button type="submit">Next</button><input id="gone" style="display:none"></body>`))
	}))
	dir := t.TempDir()
	w := &Walker{B: b, Artifacts: dir, Log: transcript.NewLog(transcript.NewRedactor(password)), Login: config.Login{
		Steps: []config.Step{{URL: "/signin", Fill: map[string]string{"#email": "{{username}}"}, Click: "#next"},
			{URL: ".", Fill: map[string]string{"#email": "x", "#gone": "y"}}}}}
	ctx, cancel := context.WithTimeout(context.Background(), 6*time.Second)
	defer cancel()
	land, err := w.Walk(ctx, authorize.Route{AuthURL: op.URL + "/login?x=1", RedirectURI: "https://app.example/cb",
		Stop: func(u *url.URL) bool { return u.Host == "app.example" }})
	if err != nil {
		t.Fatal(err)
	}
	if land.Redirect != nil {
		t.Fatalf("landed at %s", land.Redirect)
	}
	for _, want := range []string{op.URL + "/login?x=1", "no login.steps entry matched", "#email", `input[name="secret"]`, "button", `"Next"`} {
		if !strings.Contains(land.Detail, want) {
			t.Errorf("message lacks %q: %s", want, land.Detail)
		}
	}
	for _, hidden := range []string{"csrf", "#gone"} {
		if strings.Contains(land.Detail, hidden) {
			t.Errorf("message lists the invisible %s: %s", hidden, land.Detail)
		}
	}
	m := regexp.MustCompile(`screenshot: (\S+\.png)`).FindStringSubmatch(land.Detail)
	if m == nil {
		t.Fatalf("message names no screenshot: %s", land.Detail)
	}
	if filepath.Dir(m[1]) != dir {
		t.Errorf("screenshot %s is not in the artifacts folder %s", m[1], dir)
	}
	png, err := os.ReadFile(m[1])
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(png, []byte("\x89PNG\r\n\x1a\n")) {
		t.Errorf("%s is not a PNG", m[1])
	}
}

func TestFindNamesThePackageAndTheSetting(t *testing.T) {
	_, err := Find("/nonexistent/chromium", true)
	if err == nil || !strings.Contains(err.Error(), "chromium") || !strings.Contains(err.Error(), "login.browser.executable") || strings.Contains(err.Error(), "\n") {
		t.Errorf("got %v, want a one-line error naming chromium and login.browser.executable", err)
	}
}

// TestFindPrefersTheHeadlessShellWhenHeadless: "" finds chromium-headless-shell first for a
// headless run and a full browser for a visible one.
func TestFindPrefersTheHeadlessShellWhenHeadless(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"chromium", headlessShell} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("#!/bin/sh\n"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv("PATH", dir)
	for _, c := range []struct {
		headless bool
		want     string
	}{{true, headlessShell}, {false, "chromium"}} {
		got, err := Find("", c.headless)
		if err != nil || filepath.Base(got) != c.want {
			t.Errorf("Find(\"\", headless %v) = %q, %v; want %s", c.headless, got, err, c.want)
		}
	}
	if err := os.Remove(filepath.Join(dir, headlessShell)); err != nil {
		t.Fatal(err)
	}
	if got, err := Find("", true); err != nil || filepath.Base(got) != "chromium" {
		t.Errorf("without the headless shell, Find = %q, %v; want chromium", got, err)
	}
}

// BenchmarkFlow is one JavaScript login with consent in a fresh browser context, per installed
// browser: `go test -bench Flow -cpu 2 ./harness/authorize/browser` gives the per-flow cost the
// README quotes. -cpu sets how many flows run at once (the driver's bound is Flows).
func BenchmarkFlow(b *testing.B) {
	for _, exe := range []string{headlessShell, "chromium"} {
		b.Run(exe, func(b *testing.B) {
			br := startBrowserAt(b, exe)
			spa := newSPALogin(b, br)
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					w := &Walker{B: br, Log: transcript.NewLog(transcript.NewRedactor(password)), Login: spa.walker.Login}
					ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
					land, err := w.Walk(ctx, spa.route)
					cancel()
					if err != nil || land.Redirect == nil {
						b.Errorf("flow: %v %+v", err, land)
					}
				}
			})
		})
	}
}
