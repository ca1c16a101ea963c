package httpsession

import (
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/grantcheck/grantcheck/harness/config"
	"github.com/grantcheck/grantcheck/harness/transcript"
)

func parse(t *testing.T, extra string) *config.Config {
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
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &httptest.Server{Listener: l, Config: &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
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
	})}}
	srv.Start()
	t.Cleanup(srv.Close)

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
