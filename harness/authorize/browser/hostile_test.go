package browser

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/grantcheck/grantcheck/harness/authorize"
	"github.com/grantcheck/grantcheck/harness/config"
	"github.com/grantcheck/grantcheck/harness/loopback"
	"github.com/grantcheck/grantcheck/harness/transcript"
)

// hostileLogin is the JavaScript login of spaHTML behind a page that first misbehaves: script is
// run on the login page before the login renders. elsewhere is another host (another port: a
// browser's host is host:port) that counts what reaches it.
func hostileLogin(t *testing.T, b *Browser, script string) (w *Walker, route authorize.Route, elsewhere *atomic.Int32) {
	t.Helper()
	var hits atomic.Int32
	other := loopback.Server(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		t.Logf("the other host received %s %s at %s", r.Method, r.URL, time.Now().Format("15:04:05.000"))
		w.Header().Set("Content-Type", "text/html")
		w.Write([]byte(`<!doctype html><img src="/pixel.png"><script>setInterval(() => fetch('/beacon'), 10)</script>`))
	}))
	page := strings.Replace(spaHTML, "<script>", "<script>const elsewhere = '"+other.URL+"';\n"+script+"\n", 1)
	redirect := "http://app.invalid/cb"
	op := loopback.Server(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/authorize":
			http.Redirect(w, r, "/app", http.StatusFound)
		case "/app":
			w.Header().Set("Content-Type", "text/html")
			w.Write([]byte(page))
		case "/api/login":
		case "/api/consent":
			w.Write([]byte(`{"redirect": "/done"}`))
		case "/done":
			http.Redirect(w, r, redirect+"?code=c0de-from-op&state=s1", http.StatusFound)
		default:
			http.NotFound(w, r)
		}
	}))
	w = &Walker{B: b, Log: transcript.NewLog(transcript.NewRedactor(password)), Login: config.Login{Username: "alice", Password: password,
		Steps: []config.Step{
			{URL: "/app", Fill: map[string]string{"#user": "{{username}}", "#pass": "{{password}}"}, Click: "#go"},
			{URL: "/app", Click: "#allow"},
		}}}
	host := strings.TrimPrefix(op.URL, "http://")
	route = authorize.Route{AuthURL: op.URL + "/authorize?state=s1", RedirectURI: redirect,
		Stop: func(u *url.URL) bool { return u.Host != host }, OnProvider: func(u *url.URL) bool { return u.Host == host }}
	return w, route, &hits
}

// TestBrowserHoldsEveryTargetToTheProvider: a login page that opens windows to another host in a
// loop, frames it and shows dialogs still logs in; the other host receives nothing, and the
// transcript names the windows and the dialogs.
func TestBrowserHoldsEveryTargetToTheProvider(t *testing.T) {
	b := startBrowser(t)
	for _, c := range []struct {
		name, script string
		notes        []string
	}{
		{"windows", `setInterval(() => window.open(elsewhere + '/popup'), 20);
document.addEventListener('click', () => { window.open(elsewhere + '/on-click'); window.open(elsewhere + '/again'); }, true);`,
			[]string{"the page opened a new window"}},
		{"frames", `setInterval(() => { const f = document.createElement('iframe'); f.src = elsewhere + '/frame'; document.body.appendChild(f); }, 50);`,
			[]string{"a frame's navigation, blocked"}},
		{"dialogs", `alert('Session expired: visit ' + elsewhere); confirm('Stay?'); setTimeout(() => alert('again'), 300);`,
			[]string{`the page showed a JavaScript alert "Session expired: visit http://127.0.0.1:`, `confirm "Stay?"`}},
	} {
		t.Run(c.name, func(t *testing.T) {
			w, route, elsewhere := hostileLogin(t, b, c.script)
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			land, err := w.Walk(ctx, route)
			t.Logf("the walk ended at %s", time.Now().Format("15:04:05.000"))
			if err != nil || land.Redirect == nil || land.Redirect.Query().Get("code") != "c0de-from-op" {
				t.Fatalf("Walk = %+v, %v; want the code despite the page\n%s", land, err, w.Log)
			}
			time.Sleep(300 * time.Millisecond) // what a closed window had started would arrive by now
			if n := elsewhere.Load(); n > 0 {
				t.Errorf("the other host received %d requests; every target is held to the provider's hosts\n%s", n, w.Log)
			}
			for _, note := range c.notes {
				if !strings.Contains(w.Log.String(), note) {
					t.Errorf("the transcript does not say %q:\n%s", note, w.Log)
				}
			}
		})
	}
}

// TestBrowserNamesAPageBusyInAnEndlessScript: a login page whose script never yields ends the walk
// with a message that says so, not with an unexplained timeout.
func TestBrowserNamesAPageBusyInAnEndlessScript(t *testing.T) {
	b := startBrowser(t)
	w, route, _ := hostileLogin(t, b, `setTimeout(() => { for (;;) {} }, 50);`)
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Second)
	defer cancel()
	land, err := w.Walk(ctx, route)
	msg := land.Detail
	if err != nil {
		msg = err.Error()
	}
	if land.Redirect != nil || !strings.Contains(msg, "a script busy in an endless loop") {
		t.Fatalf("Walk = %+v, %v; want the endless script named", land, err)
	}
}
