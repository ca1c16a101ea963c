package httpsession

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/grantcheck/grantcheck/harness/config"
	"github.com/grantcheck/grantcheck/harness/loopback"
	"github.com/grantcheck/grantcheck/harness/transcript"
)

func parse(t testing.TB, extra string) *config.Config {
	t.Helper()
	cfg, err := config.Parse("t.yaml", []byte(`provider:
  issuer: http://127.0.0.1
clients:
  public: {client_id: spa, redirect_uris: ["https://spa.example/cb"]}
timeouts:
  request: 5s
`+extra), func(string) (string, bool) { return "", false })
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func TestNewBaseCAFile(t *testing.T) {
	dir := t.TempDir()
	notPEM := filepath.Join(dir, "ca.txt")
	if err := os.WriteFile(notPEM, []byte("not a certificate"), 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, caFile, want string
	}{
		{"not PEM", notPEM, "no PEM certificate in it"},
		{"vanished after validation", filepath.Join(dir, "gone.pem"), "provider.tls.ca_file"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := parse(t, "")
			cfg.Provider.TLS.CAFile = tc.caFile
			if _, err := NewBase(cfg); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("NewBase error = %v, want %q", err, tc.want)
			}
		})
	}
}

func TestClientDoesNotFollowRedirectsAndKeepsCookies(t *testing.T) {
	srv := loopback.Server(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/start":
			http.SetCookie(w, &http.Cookie{Name: "sid", Value: "abcdef123456", Path: "/"})
			http.Redirect(w, r, "/next", http.StatusFound)
		case "/echo":
			c, _ := r.Cookie("sid")
			if c != nil {
				w.Write([]byte(c.Value))
			}
		}
	}))

	base, err := NewBase(parse(t, ""))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(base.Close)
	cases := []struct {
		name        string
		withCookies bool
		wantEcho    string
	}{
		{"with a cookie jar", true, "abcdef123456"},
		{"without a cookie jar", false, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			log := transcript.NewLog(transcript.NewRedactor())
			c := base.New(log, tc.withCookies)
			resp, err := c.R().Get(srv.URL + "/start")
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode() != http.StatusFound || resp.Header().Get("Location") != "/next" {
				t.Errorf("got %d Location %q, want the 302 itself", resp.StatusCode(), resp.Header().Get("Location"))
			}
			echo, err := c.R().Get(srv.URL + "/echo")
			if err != nil {
				t.Fatal(err)
			}
			if got := string(echo.Body()); got != tc.wantEcho {
				t.Errorf("cookie sent back = %q, want %q", got, tc.wantEcho)
			}
			recs := log.Records()
			if len(recs) != 2 || strings.Contains(log.String(), "abcdef123456") {
				t.Errorf("transcript (%d records):\n%s", len(recs), log)
			}
		})
	}
}

// A provider that stalls: each exchange costs timeouts.request, named as such; after StallLimit in
// a row every exchange fails at once with "the provider stopped answering". Successes in between
// (logins, a valid redemption) do not end the streak; an answered refusal does.
func TestBreakerGivesUpOnAStalledProvider(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	srv := loopback.Server(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/ok":
			w.Write([]byte("ok"))
		case "/refuse":
			w.WriteHeader(400)
		case "/stall-body":
			w.WriteHeader(400)
			w.(http.Flusher).Flush()
			select {
			case <-release:
			case <-r.Context().Done():
			}
		default:
			select {
			case <-release:
			case <-r.Context().Done():
			}
		}
	}))
	base := shortTimeoutBase(t)
	c := base.New(transcript.NewLog(transcript.NewRedactor()), false)
	get := func(path string) error {
		_, err := c.R().Get(srv.URL + path)
		return err
	}
	steps := []struct {
		path, want string
	}{
		{"/stall", "no answer within timeouts.request (200ms)"},
		{"/refuse", ""}, // an answered refusal: the streak starts again
		{"/stall", "no answer within timeouts.request (200ms)"},
		{"/ok", ""},
		{"/stall-body", "no answer within timeouts.request (200ms)"},
		{"/ok", ""},
		{"/stall", "no answer within timeouts.request (200ms)"}, // the third in a row
		{"/ok", "the provider stopped answering"},
		{"/refuse", "the provider stopped answering"},
	}
	for i, s := range steps {
		start := time.Now()
		err := get(s.path)
		took := time.Since(start)
		switch {
		case s.want == "" && err != nil:
			t.Errorf("step %d %s: %v, want an answer", i, s.path, err)
		case s.want != "" && (err == nil || !strings.Contains(err.Error(), s.want)):
			t.Errorf("step %d %s: error %v, want %q", i, s.path, err, s.want)
		case err != nil && strings.Count(err.Error(), srv.URL) != 1:
			t.Errorf("step %d: the URL should appear once in %q", i, err)
		case err != nil && strings.Contains(err.Error(), "deadline exceeded"):
			t.Errorf("step %d: %q does not name the setting", i, err)
		}
		if strings.Contains(s.want, "stopped") && took > 50*time.Millisecond {
			t.Errorf("step %d: a tripped breaker took %s; it must not wait", i, took)
		}
	}
}

// shortTimeoutBase is a Base whose timeouts.request is 200ms, closed when the test ends.
func shortTimeoutBase(t *testing.T) *Base {
	t.Helper()
	cfg := parse(t, "")
	cfg.Timeouts.Request = config.Duration(200 * time.Millisecond)
	base, err := NewBase(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(base.Close)
	return base
}
