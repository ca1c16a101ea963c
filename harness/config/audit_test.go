package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const auditBase = `provider:
  issuer: https://id.example.com
`

// TestAuditClients: audited clients come inline and from a referenced file, in that order, with
// secrets from the environment, defaults applied and each reachable by its role.
func TestAuditClients(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "clients.yaml")
	if err := os.WriteFile(file, []byte(`clients:
  - client_id: svc-1
    client_secret: ${SVC_1_SECRET}
    grant_types: [client_credentials]
    scope: api
  - client_id: spa-1
    auth_method: none
    redirect_uris: ["http://127.0.0.1/cb"]
    pkce: required
`), 0o644); err != nil {
		t.Fatal(err)
	}
	main := filepath.Join(dir, "grantcheck.yaml")
	if err := os.WriteFile(main, []byte(auditBase+`audit:
  file: clients.yaml
  clients:
    - client_id: web-1
      client_secret: ${WEB_1_SECRET}
      auth_method: client_secret_post
      redirect_uris: [https://web-1.example/cb, https://web-1.example/cb2]
      grant_types: [authorization_code, refresh_token]
`), 0o644); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(main)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := Parse(main, data, env(map[string]string{"SVC_1_SECRET": "svc-secret-value", "WEB_1_SECRET": "web-secret-value"}))
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, c := range cfg.AuditClients() {
		ids = append(ids, c.ClientID)
		if got := cfg.Clients.Get(AuditRole(c.ClientID)); got != c {
			t.Errorf("Clients.Get(AuditRole(%q)) is not the listed client", c.ClientID)
		}
	}
	if got := strings.Join(ids, ","); got != "web-1,svc-1,spa-1" {
		t.Fatalf("audited clients %s, want web-1,svc-1,spa-1 (inline first, then the file's)", got)
	}
	svc := cfg.Clients.Get(AuditRole("svc-1"))
	if svc.AuthMethod != AuthBasic || svc.ClientSecret != "svc-secret-value" {
		t.Errorf("svc-1: auth %q secret from env %v; want client_secret_basic by default and the environment's secret", svc.AuthMethod, svc.ClientSecret == "svc-secret-value")
	}
	if got := cfg.ScopeOf(AuditRole("svc-1")); got != "api" {
		t.Errorf("ScopeOf(svc-1) = %q, want its own scope api", got)
	}
	if got := cfg.Clients.Get(AuditRole("spa-1")).GrantTypes; len(got) != 1 || got[0] != "authorization_code" {
		t.Errorf("spa-1 grant types %v, want the default [authorization_code]", got)
	}
	if got, want := svc.Origin(), file+":2"; got != want {
		t.Errorf("svc-1 listed at %q, want %q", got, want)
	}
	secrets := strings.Join(cfg.Secrets(), " ")
	for _, s := range []string{"svc-secret-value", "web-secret-value"} {
		if !strings.Contains(secrets, s) {
			t.Errorf("Secrets() misses an audited client's secret, so it would not be redacted")
		}
	}
}

// TestAuditErrors: each bad audit list is one line naming the file, line and field.
func TestAuditErrors(t *testing.T) {
	cases := []struct {
		name, yaml, file, want string
	}{
		{
			name: "a client without credentials",
			yaml: auditBase + `audit:
  clients:
    - client_id: web-1
      redirect_uris: [https://web-1.example/cb]
`,
			want: `t.yaml:5: audit.clients[0].client_secret: client "web-1" has no credentials: set client_secret (e.g. ${WEB_1_SECRET}) or auth_method: none for a public client`,
		},
		{
			name: "a duplicate client_id names both places",
			yaml: auditBase + `audit:
  clients:
    - {client_id: web-1, auth_method: none, redirect_uris: [https://web-1.example/cb]}
    - {client_id: web-2, auth_method: none, redirect_uris: [https://web-2.example/cb]}
    - {client_id: web-1, auth_method: none, redirect_uris: [https://web-1.example/cb]}
`,
			want: `t.yaml:7: audit.clients[2].client_id: "web-1" is listed twice (first at t.yaml:5)`,
		},
		{
			name: "a duplicate across the config and the referenced file",
			yaml: auditBase + `audit:
  file: CLIENTS
  clients:
    - {client_id: web-1, auth_method: none, redirect_uris: [https://web-1.example/cb]}
`,
			file: "clients:\n  - {client_id: svc, client_secret: x, grant_types: [client_credentials]}\n  - client_id: web-1\n    auth_method: none\n    redirect_uris: [https://web-1.example/cb]\n",
			want: `CLIENTS:3: clients[1].client_id: "web-1" is listed twice (first at t.yaml:6)`,
		},
		{
			name: "an error in the referenced file names that file",
			yaml: auditBase + "audit:\n  file: CLIENTS\n",
			file: "clients:\n  - client_id: web-1\n    auth_method: none\n    redirect_uri: [https://web-1.example/cb]\n",
			want: `CLIENTS:4: clients[0].redirect_uri: unknown key (did you mean "redirect_uris"?)`,
		},
		{
			name: "a code-grant client without a redirect URI",
			yaml: auditBase + "audit:\n  clients:\n    - {client_id: web-1, client_secret: x}\n",
			want: `t.yaml:5: audit.clients[0].redirect_uris: at least one registered redirect URI is required`,
		},
		{
			name: "a missing referenced file",
			yaml: auditBase + "audit:\n  file: nowhere.yaml\n",
			want: `t.yaml:4: audit.file: open`,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			name := "t.yaml"
			y := tc.yaml
			want := tc.want
			if tc.file != "" {
				path := filepath.Join(dir, "clients.yaml")
				if err := os.WriteFile(path, []byte(tc.file), 0o644); err != nil {
					t.Fatal(err)
				}
				y = strings.ReplaceAll(y, "CLIENTS", path)
				want = strings.ReplaceAll(want, "CLIENTS", path)
			}
			_, err := Parse(name, []byte(y), env(nil))
			if err == nil {
				t.Fatalf("no error, want %q", want)
			}
			if got := err.Error(); !strings.HasPrefix(got, want) || strings.Contains(got, "\n") {
				t.Errorf("got  %q\nwant %q (one line)", got, want)
			}
		})
	}
}
