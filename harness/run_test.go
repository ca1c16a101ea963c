package harness

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/grantcheck/grantcheck/harness/catalog"
	"github.com/grantcheck/grantcheck/harness/config"
	"github.com/grantcheck/grantcheck/harness/loopback"
)

// Every authorization flow starts with an empty cookie jar: a provider whose session cookie from
// one flow reached another (a prefetch overlapping a login) refused the second login.
func TestFlowsDoNotShareCookies(t *testing.T) {
	var shared atomic.Int32
	var n atomic.Int32
	srv := codeServer(t, func(r *http.Request, w http.ResponseWriter) {
		if len(r.Cookies()) > 0 {
			shared.Add(1)
		}
		http.SetCookie(w, &http.Cookie{Name: "sid", Value: "flow-" + string(rune('a'+n.Add(1))), Path: "/"})
	})

	p := testProvider(t, "2s")
	p.Discovery.AuthorizationEndpoint = srv.URL + "/authorize"
	r := newRun(context.Background(), p, catalog.Entry{ID: catalog.CodeReuse.ID, Scenario: catalog.CodeReuse})
	var wg sync.WaitGroup
	for range 4 { // sequential reuse of the Run and overlapping flows alike
		wg.Go(func() {
			for range 2 {
				if _, err := r.TryCode(config.Primary); err != nil {
					t.Errorf("flow: %v", err)
				}
			}
		})
	}
	wg.Wait()
	if n.Load() != 8 || shared.Load() != 0 {
		t.Errorf("%d flows, %d of them started with another flow's cookie", n.Load(), shared.Load())
	}
}

// codeServer is an authorization endpoint on 127.0.0.1 that redirects every request at once with
// a code of its own and the request's state; seen runs first on each request.
func codeServer(t *testing.T, seen func(*http.Request, http.ResponseWriter)) *httptest.Server {
	t.Helper()
	srv := loopback.Server(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen(r, w)
		q := url.Values{"code": {"c0de-value-" + r.URL.Query().Get("state")}, "state": {r.URL.Query().Get("state")}}
		http.Redirect(w, r, r.URL.Query().Get("redirect_uri")+"?"+q.Encode(), http.StatusFound)
	}))
	return srv
}
