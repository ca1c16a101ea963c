package main

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/grantcheck/grantcheck/fixtures/reference"
)

const validClients = `
clients:
  primary:
    client_id: app-a
    client_secret: s3cret-value
    redirect_uris: [https://app-a.example/cb]
`

// TestRunSetupErrorsAreOneLine: bad input stops the run before any scenario, with one line that
// names the problem and where, exit status 2, and no stack trace.
func TestRunSetupErrorsAreOneLine(t *testing.T) {
	html := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Write([]byte("<html><body>Sign in to continue</body></html>"))
	}))
	defer html.Close()
	closed := httptest.NewServer(http.NotFoundHandler())
	closedURL := closed.URL
	closed.Close()

	cases := []struct {
		name, yaml string
		env        map[string]string
		want       []string
	}{
		{"typo'd key", "provider:\n  issuer: http://127.0.0.1:1\n  code_tll: 5s\n" + validClients,
			nil, []string{"config.yaml:3", "provider.code_tll", "unknown key", `did you mean "code_ttl"`}},
		{"missing secret variable", "provider:\n  issuer: http://127.0.0.1:1\n" + strings.Replace(validClients, "s3cret-value", "${APP_A_SECRET}", 1),
			nil, []string{"config.yaml:", "clients.primary.client_secret", "APP_A_SECRET is not set"}},
		{"unreachable issuer", "provider:\n  issuer: " + closedURL + "\n" + validClients,
			nil, []string{"discovery", closedURL + "/.well-known/openid-configuration", "connection refused"}},
		{"HTML where JSON was due", "provider:\n  issuer: " + html.URL + "\n" + validClients,
			nil, []string{"discovery", html.URL, "not JSON", "text/html", "Sign in to continue"}},
		{"bad YAML", "provider: [\n", nil, []string{"config.yaml:"}},
		{"audit clients only", "provider:\n  issuer: http://127.0.0.1:1\naudit:\n  clients:\n    - {client_id: a, auth_method: none, redirect_uris: [\"https://a.example/cb\"]}\n",
			nil, []string{"config.yaml", "no client roles", "grantcheck audit"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for k, v := range c.env {
				t.Setenv(k, v)
			}
			path := filepath.Join(t.TempDir(), "config.yaml")
			if err := os.WriteFile(path, []byte(c.yaml), 0o600); err != nil {
				t.Fatal(err)
			}
			var stdout, stderr bytes.Buffer
			code := Main([]string{"run", "--config", path, "--reports", t.TempDir()}, &stdout, &stderr)
			msg := stderr.String()
			if code != exitUsage {
				t.Errorf("exit %d, want %d; stderr: %s", code, exitUsage, msg)
			}
			if lines := strings.Count(strings.TrimSpace(msg), "\n") + 1; lines != 1 {
				t.Errorf("want one line, got %d:\n%s", lines, msg)
			}
			for _, w := range c.want {
				if !strings.Contains(msg, w) {
					t.Errorf("message %q does not mention %q", msg, w)
				}
			}
			if strings.Contains(msg, "goroutine") || strings.Contains(msg, "panic") {
				t.Errorf("stack trace in the message: %s", msg)
			}
		})
	}
}

// TestLoginMismatchIsNamed: a login step that matches no form stops nothing silently: the command
// names the page and the forms on it, and every scenario is ERROR, never FAIL or PASS.
func TestLoginMismatchIsNamed(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the suite")
	}
	t.Parallel()
	srv, err := reference.Start(reference.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	broken := strings.Replace(string(srv.ConfigYAML()), "form#login", "form#no-such-form", 1)
	if broken == string(srv.ConfigYAML()) {
		t.Fatal("the reference config no longer names form#login; update this test")
	}
	path := filepath.Join(t.TempDir(), "broken-login.yaml")
	if err := os.WriteFile(path, []byte(broken), 0o600); err != nil {
		t.Fatal(err)
	}
	c := runChild(t, "--config", path, "--label-filter", "family:code-reuse || family:baseline")
	for _, w := range []string{"no login.steps entry matches page", "/login", "form#login"} {
		if !strings.Contains(c.output, w) {
			t.Errorf("output does not mention %q:\n%s", w, c.output)
		}
	}
	if c.exit != exitNotConformant {
		t.Errorf("exit %d, want %d", c.exit, exitNotConformant)
	}
	for _, r := range c.run.Results {
		// baseline-exchange too: its own login fails, which is the harness's problem, not the provider's.
		if r.Verdict.String() != "ERROR" {
			t.Errorf("%s: %s, want ERROR", r.ID, r.Verdict)
		}
	}
	if len(c.run.Results) == 0 {
		t.Error("no results")
	}
}
