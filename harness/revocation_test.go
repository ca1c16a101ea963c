package harness

import (
	"context"
	"encoding/base64"
	"net/http"
	"strings"
	"testing"

	"github.com/grantcheck/grantcheck/harness/catalog"
	"github.com/grantcheck/grantcheck/harness/loopback"
)

// hostile serves userinfo and introspection answers that prove nothing about a token.
func hostile(t *testing.T, userinfo, introspection http.HandlerFunc) string {
	t.Helper()
	mux := http.NewServeMux()
	mux.Handle("/userinfo", userinfo)
	mux.Handle("/introspect", introspection)
	srv := loopback.Server(t, mux)
	return srv.URL
}

func answer(status int, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body))
	}
}

// "Revoked" needs a check that first accepted the fresh token: a userinfo answering 503 to
// everything and an introspection answering {} prove nothing (the old check called both revoked).
func TestProvenAccessCheck(t *testing.T) {
	cases := []struct {
		name                    string
		userinfo, introspection http.HandlerFunc
		want                    string // the proven check, "" for none
		why                     []string
	}{
		{"userinfo down, introspection empty", answer(503, ``), answer(200, `{}`), "",
			[]string{"userinfo answered HTTP 503", "introspection answered HTTP 200 without a boolean active"}},
		{"userinfo works", answer(200, `{"sub":"u"}`), answer(200, `{}`), "userinfo", nil},
		{"userinfo down, introspection works", answer(503, ``), answer(200, `{"active":true}`), "introspection", nil},
		{"both call a fresh token inactive", answer(401, ``), answer(200, `{"active":false}`), "",
			[]string{"userinfo calls the fresh access token inactive", "introspection calls the fresh access token inactive"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			url := hostile(t, c.userinfo, c.introspection)
			p := testProvider(t, "2s")
			p.Discovery.UserinfoEndpoint, p.Discovery.IntrospectionEndpoint = url+"/userinfo", url+"/introspect"
			r := newRun(context.Background(), p, catalog.Entry{ID: catalog.CodeReuseRevokes.ID, Scenario: catalog.CodeReuseRevokes})
			check, why := r.ProvenAccessCheck("fresh-access-token-value")
			got := ""
			if check != nil {
				got = check.name
			}
			if got != c.want {
				t.Fatalf("proven check = %q (%s), want %q", got, why, c.want)
			}
			for _, w := range c.why {
				if !strings.Contains(why, w) {
					t.Errorf("why = %q, want it to say %q", why, w)
				}
			}
		})
	}
}

// After the reuse, only 401 or active:false is "revoked"; another answer is unknown (ERROR).
func TestAccessCheckStateAfterReuse(t *testing.T) {
	status := 200
	url := hostile(t, func(w http.ResponseWriter, r *http.Request) { answer(status, `{}`)(w, r) }, answer(200, `{}`))
	p := testProvider(t, "2s")
	p.Discovery.UserinfoEndpoint = url + "/userinfo"
	r := newRun(context.Background(), p, catalog.Entry{ID: catalog.CodeReuseRevokes.ID, Scenario: catalog.CodeReuseRevokes})
	check, why := r.ProvenAccessCheck("tok")
	if check == nil {
		t.Fatalf("no proven check: %s", why)
	}
	for _, c := range []struct {
		status       int
		works, known bool
	}{{200, true, true}, {401, false, true}, {503, false, false}, {403, false, false}} {
		status = c.status
		s := check.State(r, "tok", "after")
		if s.Works != c.works || (s.Unknown == "") != c.known {
			t.Errorf("HTTP %d: state %+v, want works=%v known=%v", c.status, s, c.works, c.known)
		}
	}
}

func TestIDTokenClient(t *testing.T) {
	// Unsigned-looking JWS with an RS256 header; the payload is only read, never trusted.
	jws := func(payload string) string {
		enc := func(s string) string { return strings.TrimRight(b64(s), "=") }
		return enc(`{"alg":"RS256"}`) + "." + enc(payload) + "." + enc("sig")
	}
	cases := []struct{ payload, client, how string }{
		{`{"aud":"app-a","azp":"app-b"}`, "app-b", "azp"},
		{`{"aud":"app-a"}`, "app-a", "aud"},
		{`{"aud":["app-a"]}`, "app-a", "aud"},
		{`{"aud":["app-a","api"]}`, "", ""},
	}
	for _, c := range cases {
		client, how, err := idTokenClient(jws(c.payload))
		if client != c.client || how != c.how || (c.client == "") != (err != nil) {
			t.Errorf("%s: got %q %q %v, want %q %q", c.payload, client, how, err, c.client, c.how)
		}
	}
	if _, _, err := idTokenClient("not-a-jwt"); err == nil {
		t.Error("a value that is not a JWS gave a client")
	}
}

func b64(s string) string { return base64.URLEncoding.EncodeToString([]byte(s)) }
