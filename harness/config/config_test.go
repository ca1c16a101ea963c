package config

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// env is a fake environment: tests never read the real one.
func env(vars map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) {
		v, ok := vars[k]
		return v, ok
	}
}

// minimalClients is a valid clients section of four lines.
const minimalClients = `clients:
  primary:
    client_id: app-a
    client_secret: s3cret-value
    redirect_uris: [https://app-a.example/cb]
`

func TestParseErrors(t *testing.T) {
	cases := []struct {
		name string
		yaml string
		env  map[string]string
		// want is the whole message up to the problem: "file:line: field: " or "file: field: ".
		want string
		// contains are further parts of the problem the user needs.
		contains []string
	}{
		{
			name: "unknown key suggests the closest one",
			yaml: `provider:
  issuer: https://id.example.com
clients:
  primary:
    client_id: app-a
    client_secret: s3cret-value
    grant_typo: [authorization_code]
    redirect_uris: [https://app-a.example/cb]
`,
			want:     "t.yaml:7: clients.primary.grant_typo: unknown key",
			contains: []string{`did you mean "grant_types"?`},
		},
		{
			name: "unknown top-level key",
			yaml: `provider:
  issuer: https://id.example.com
timeout:
  request: 5s
`,
			want:     "t.yaml:3: timeout: unknown key",
			contains: []string{`"timeouts"`},
		},
		{
			name: "unknown key far from every known key has no suggestion",
			yaml: `provider:
  issuer: https://id.example.com
  colour: blue
`,
			want: "t.yaml:3: provider.colour: unknown key",
		},
		{
			name: "unset variable is named",
			yaml: `provider:
  issuer: https://id.example.com
clients:
  primary:
    client_id: app-a
    client_secret: ${APP_A_SECRET}
    redirect_uris: [https://app-a.example/cb]
`,
			want:     "t.yaml:6: clients.primary.client_secret: environment variable APP_A_SECRET is not set",
			contains: []string{"${APP_A_SECRET:-default}"},
		},
		{
			name: "variable set to the empty string counts as unset",
			yaml: `provider:
  issuer: ${ISSUER}
`,
			env:  map[string]string{"ISSUER": ""},
			want: "t.yaml:2: provider.issuer: environment variable ISSUER is not set",
		},
		{
			name: "unset variable in a list item",
			yaml: `provider:
  issuer: https://id.example.com
clients:
  primary:
    client_id: app-a
    auth_method: none
    redirect_uris:
      - https://app-a.example/cb
      - ${SECOND_URI}
`,
			want: "t.yaml:9: clients.primary.redirect_uris[1]: environment variable SECOND_URI is not set",
		},
		{
			name: "bad duration",
			yaml: `provider:
  issuer: https://id.example.com
  code_ttl: soon
`,
			want:     "t.yaml:3: provider.code_ttl: ",
			contains: []string{`"soon" is not a duration such as 10s`},
		},
		{
			name: "duration without a unit",
			yaml: `provider:
  issuer: https://id.example.com
timeouts:
  request: 10
`,
			want:     "t.yaml:4: timeouts.request: ",
			contains: []string{`"10" is not a duration`},
		},
		{
			name: "negative duration",
			yaml: `provider:
  issuer: https://id.example.com
timeouts:
  login: -5s
`,
			want: "t.yaml:4: timeouts.login: ",
		},
		{
			name: "bad duration from the environment",
			yaml: `provider:
  issuer: https://id.example.com
  code_ttl: ${TTL}
`,
			env:      map[string]string{"TTL": "a minute"},
			want:     "t.yaml:3: provider.code_ttl: ",
			contains: []string{`"a minute"`},
		},
		{
			name: "missing provider.issuer points at the provider block",
			yaml: `provider:
  name: example
clients:
  primary: {client_id: app-a, auth_method: none, redirect_uris: [https://app-a.example/cb]}
`,
			want:     "t.yaml:1: provider.issuer: required",
			contains: []string{"issuer URL"},
		},
		{
			name: "no provider at all: the document's line",
			yaml: `clients:
  primary: {client_id: app-a, auth_method: none, redirect_uris: [https://app-a.example/cb]}
`,
			want: "t.yaml:1: provider.issuer: required",
		},
		{
			name: "issuer without scheme",
			yaml: `provider:
  issuer: id.example.com
`,
			want:     "t.yaml:2: provider.issuer: ",
			contains: []string{`"id.example.com" is not an http(s) URL`},
		},
		{
			name: "issuer with another scheme",
			yaml: `provider:
  issuer: ftp://id.example.com
`,
			want: "t.yaml:2: provider.issuer: ",
		},
		{
			name: "issuer without host",
			yaml: `provider:
  issuer: "https://"
`,
			want: "t.yaml:2: provider.issuer: ",
		},
		{
			name: "ca_file that does not exist",
			yaml: `provider:
  issuer: https://id.example.com
  tls: {ca_file: /nonexistent/grantcheck-ca.pem}
`,
			want: "t.yaml:3: provider.tls.ca_file: ",
		},
		{
			name: "bad auth_method",
			yaml: `provider:
  issuer: https://id.example.com
clients:
  primary:
    client_id: app-a
    client_secret: s3cret-value
    auth_method: tls_client_auth
    redirect_uris: [https://app-a.example/cb]
`,
			want: "t.yaml:7: clients.primary.auth_method: ",
			contains: []string{`"tls_client_auth" is not one of client_secret_basic, client_secret_post, private_key_jwt, ` +
				`client_secret_jwt, none`},
		},
		{
			name: "private_key_jwt without a key",
			yaml: `provider:
  issuer: https://id.example.com
clients:
  assertion:
    client_id: app-jwt
    auth_method: private_key_jwt
    redirect_uris: [https://app-jwt.example/cb]
`,
			want:     "t.yaml:4: clients.assertion.private_key: ",
			contains: []string{"required for auth_method private_key_jwt", "private_key_file"},
		},
		{
			name: "private_key that is no key",
			yaml: `provider:
  issuer: https://id.example.com
clients:
  assertion:
    client_id: app-jwt
    auth_method: private_key_jwt
    private_key: ${APP_KEY}
    redirect_uris: [https://app-jwt.example/cb]
`,
			env:      map[string]string{"APP_KEY": "not-a-key-but-a-secret-value"},
			want:     "t.yaml:7: clients.assertion.private_key: ",
			contains: []string{"neither a PEM private key"},
		},
		{
			name: "a public JWK cannot sign",
			yaml: `provider:
  issuer: https://id.example.com
clients:
  assertion:
    client_id: app-jwt
    auth_method: private_key_jwt
    private_key: '{"kty":"EC","crv":"P-256","x":"EVs_o5-uQbTjL3chynL4wXgUg2R9q9UU8I5mEovUf84","y":"kGe5DgSIycKp8w9aJmoHhB1sB3QTugfnRWm5nU_TzsY"}'
    redirect_uris: [https://app-jwt.example/cb]
`,
			want:     "t.yaml:7: clients.assertion.private_key: ",
			contains: []string{"public key"},
		},
		{
			name: "alg that does not fit the key",
			yaml: `provider:
  issuer: https://id.example.com
clients:
  assertion:
    client_id: app-jwt
    auth_method: private_key_jwt
    private_key: ${APP_KEY}
    alg: RS256
    redirect_uris: [https://app-jwt.example/cb]
`,
			env:      map[string]string{"APP_KEY": testECKeyPEM},
			want:     "t.yaml:8: clients.assertion.alg: ",
			contains: []string{`alg "RS256" does not fit this key`, "ES256"},
		},
		{
			name: "private_key_file missing",
			yaml: `provider:
  issuer: https://id.example.com
clients:
  assertion:
    client_id: app-jwt
    auth_method: private_key_jwt
    private_key_file: /nonexistent/grantcheck-key.pem
    redirect_uris: [https://app-jwt.example/cb]
`,
			want:     "t.yaml:7: clients.assertion.private_key_file: ",
			contains: []string{"no such file"},
		},
		{
			name: "client_secret_jwt without a secret",
			yaml: `provider:
  issuer: https://id.example.com
clients:
  assertion_secret:
    client_id: app-mac
    auth_method: client_secret_jwt
    redirect_uris: [https://app-mac.example/cb]
`,
			want:     "t.yaml:4: clients.assertion_secret.client_secret: ",
			contains: []string{"required for auth_method client_secret_jwt"},
		},
		{
			name: "client_secret_jwt with an RSA alg",
			yaml: `provider:
  issuer: https://id.example.com
clients:
  assertion_secret:
    client_id: app-mac
    client_secret: s3cret-value-of-at-least-32-bytes
    auth_method: client_secret_jwt
    alg: RS256
    redirect_uris: [https://app-mac.example/cb]
`,
			want:     "t.yaml:8: clients.assertion_secret.alg: ",
			contains: []string{"HS256, HS384, HS512"},
		},
		{
			name: "client_secret_jwt with a secret too short for its MAC",
			yaml: `provider:
  issuer: https://id.example.com
clients:
  assertion_secret:
    client_id: app-mac
    client_secret: s3cret-value
    auth_method: client_secret_jwt
    redirect_uris: [https://app-mac.example/cb]
`,
			want:     "t.yaml:6: clients.assertion_secret.client_secret: ",
			contains: []string{"RFC 7518 §3.2"},
		},
		{
			name: "an assertion audience that is neither form",
			yaml: `provider:
  issuer: https://id.example.com
clients:
  assertion_secret:
    client_id: app-mac
    client_secret: s3cret-value-of-at-least-32-bytes
    auth_method: client_secret_jwt
    assertion_audience: https://id.example.com/token
    redirect_uris: [https://app-mac.example/cb]
`,
			want:     "t.yaml:8: clients.assertion_secret.assertion_audience: ",
			contains: []string{"is not issuer or token_endpoint"},
		},
		{
			name: "a key for a client that signs nothing",
			yaml: `provider:
  issuer: https://id.example.com
clients:
  primary:
    client_id: app-a
    client_secret: s3cret-value
    key_id: k1
    redirect_uris: [https://app-a.example/cb]
`,
			want:     "t.yaml:7: clients.primary.key_id: ",
			contains: []string{"only a client with auth_method private_key_jwt or client_secret_jwt signs assertions"},
		},
		{
			name: "client_secret missing for client_secret_basic",
			yaml: `provider:
  issuer: https://id.example.com
clients:
  primary:
    client_id: app-a
    auth_method: client_secret_basic
    redirect_uris: [https://app-a.example/cb]
`,
			want: "t.yaml:4: clients.primary.client_secret: required for auth_method client_secret_basic",
		},
		{
			name: "client_secret missing for client_secret_post",
			yaml: `provider:
  issuer: https://id.example.com
clients:
  secondary:
    client_id: app-b
    auth_method: client_secret_post
    redirect_uris: [https://app-b.example/cb]
`,
			want: "t.yaml:4: clients.secondary.client_secret: required for auth_method client_secret_post",
		},
		{
			name: "client_id missing",
			yaml: `provider:
  issuer: https://id.example.com
clients:
  public:
    auth_method: none
    redirect_uris: [https://spa.example/cb]
`,
			want: "t.yaml:4: clients.public.client_id: required",
		},
		{
			name: "no client roles",
			yaml: `provider:
  issuer: https://id.example.com
clients: {}
`,
			want:     "t.yaml:3: clients: no client roles",
			contains: []string{"clients.primary"},
		},
		{
			name: "no clients key",
			yaml: `provider:
  issuer: https://id.example.com
`,
			want: "t.yaml:1: clients: no client roles",
		},
		{
			name: "redirect_uris missing for a role that logs in",
			yaml: `provider:
  issuer: https://id.example.com
clients:
  primary: {client_id: app-a, auth_method: none}
`,
			want: "t.yaml:4: clients.primary.redirect_uris: at least one",
		},
		{
			name: "relative redirect URI",
			yaml: `provider:
  issuer: https://id.example.com
clients:
  primary:
    client_id: app-a
    auth_method: none
    redirect_uris: [/cb]
`,
			want:     "t.yaml:7: clients.primary.redirect_uris[0]: ",
			contains: []string{`"/cb" is not an absolute URI`},
		},
		{
			name: "redirect_uris not a list",
			yaml: `provider:
  issuer: https://id.example.com
clients:
  primary:
    client_id: app-a
    auth_method: none
    redirect_uris: https://app-a.example/cb
`,
			want: "t.yaml:7: clients.primary.redirect_uris: want a list",
		},
		{
			name: "bad pkce value",
			yaml: `provider:
  issuer: https://id.example.com
clients:
  public: {client_id: spa, auth_method: none, redirect_uris: [https://spa.example/cb], pkce: always}
`,
			want: "t.yaml:4: clients.public.pkce: ",
		},
		{
			name: "unknown login.driver",
			yaml: `provider:
  issuer: https://id.example.com
clients:
  primary: {client_id: app-a, auth_method: none, redirect_uris: [https://app-a.example/cb]}
login:
  driver: selenium
`,
			want:     "t.yaml:6: login.driver: ",
			contains: []string{`"selenium" is not one of form, browser, command`},
		},
		{
			name: "login.hosts entry with a scheme",
			yaml: `provider:
  issuer: https://id.example.com
clients:
  primary: {client_id: app-a, auth_method: none, redirect_uris: [https://app-a.example/cb]}
login:
  hosts: [login.example.com, "https://login.example.com/"]
`,
			want:     "t.yaml:6: login.hosts[1]: ",
			contains: []string{"not a host or host:port"},
		},
		{
			name: "command driver without a command",
			yaml: `provider:
  issuer: https://id.example.com
clients:
  primary: {client_id: app-a, auth_method: none, redirect_uris: [https://app-a.example/cb]}
login:
  driver: command
  command: []
`,
			want: "t.yaml:7: login.command: required for driver command",
		},
		{
			name: "browser step with a form selector",
			yaml: `provider:
  issuer: https://id.example.com
clients:
  primary: {client_id: app-a, auth_method: none, redirect_uris: [https://app-a.example/cb]}
login:
  driver: browser
  steps:
    - {url: /login, form: "form#login", submit: go}
`,
			want:     "t.yaml:8: login.steps[0]: ",
			contains: []string{"CSS selectors in fill and click"},
		},
		{
			name: "browser step that does nothing",
			yaml: `provider:
  issuer: https://id.example.com
clients:
  primary: {client_id: app-a, auth_method: none, redirect_uris: [https://app-a.example/cb]}
login:
  driver: browser
  steps:
    - url: /login
`,
			want: "t.yaml:8: login.steps[0]: a browser step needs fill",
		},
		{
			name: "form step with click",
			yaml: `provider:
  issuer: https://id.example.com
clients:
  primary: {client_id: app-a, auth_method: none, redirect_uris: [https://app-a.example/cb]}
login:
  steps:
    - {url: /login, form: "form", click: "#go"}
`,
			want: "t.yaml:7: login.steps[0].click: only used by driver browser",
		},
		{
			name: "bad regexp in a login step",
			yaml: `provider:
  issuer: https://id.example.com
clients:
  primary: {client_id: app-a, auth_method: none, redirect_uris: [https://app-a.example/cb]}
login:
  steps:
    - {url: /login, form: "form#login"}
    - url: "/consent("
      form: form
`,
			want:     "t.yaml:8: login.steps[1].url: not a regular expression",
			contains: []string{"missing closing )"},
		},
		{
			name: "login step without url",
			yaml: `provider:
  issuer: https://id.example.com
clients:
  primary: {client_id: app-a, auth_method: none, redirect_uris: [https://app-a.example/cb]}
login:
  steps:
    - form: form
`,
			want: "t.yaml:7: login.steps[0].url: required",
		},
		{
			name: "login step without form",
			yaml: `provider:
  issuer: https://id.example.com
clients:
  primary: {client_id: app-a, auth_method: none, redirect_uris: [https://app-a.example/cb]}
login:
  steps:
    - url: /login
`,
			want: "t.yaml:7: login.steps[0].form: required",
		},
		{
			name: "a mapping where a value is expected",
			yaml: `provider:
  issuer: {url: https://id.example.com}
`,
			want: "t.yaml:2: provider.issuer: want a single value",
		},
		{
			name: "a value where a mapping is expected",
			yaml: `provider: https://id.example.com
`,
			want: "t.yaml:1: provider: want a mapping of keys",
		},
		{
			name: "a string where a number is expected",
			yaml: `provider:
  issuer: https://id.example.com
login:
  max_pages: many
`,
			want:     "t.yaml:4: ",
			contains: []string{"many"},
		},
		{
			name:     "an invalid variable name is an error, not a literal secret",
			yaml:     "provider:\n  issuer: https://id.example.com\n" + strings.Replace(minimalClients, "s3cret-value", "${app-a-secret}", 1),
			want:     "t.yaml:6: clients.primary.client_secret: ${app-a-secret} is not a variable reference",
			contains: []string{"letters, digits and _"},
		},
		{
			name: "an unclosed variable reference",
			yaml: "provider:\n  issuer: https://id.example.com/${REALM\n" + minimalClients,
			want: "t.yaml:2: provider.issuer: ${REALM is not a variable reference",
		},
		{
			name: "a negative max_pages",
			yaml: "provider:\n  issuer: https://id.example.com\n" + minimalClients + "login:\n  max_pages: -1\n",
			want: "t.yaml:9: login.max_pages: -1 is outside the sane range 1 to 100",
		},
		{
			name: "login.ahead beyond what a run can use",
			yaml: "provider:\n  issuer: https://id.example.com\n" + minimalClients + "login:\n  driver: browser\n  ahead: 20\n",
			want: "t.yaml:10: login.ahead: 20 is outside the sane range 0 to 8",
		},
		{
			name: "a request timeout of 1ns",
			yaml: "provider:\n  issuer: https://id.example.com\n" + minimalClients + "timeouts:\n  request: 1ns\n",
			want: "t.yaml:9: timeouts.request: 1ns is outside the sane range 100ms to 10m0s",
		},
		{
			name: "a code_ttl of a day",
			yaml: "provider:\n  issuer: https://id.example.com\n  code_ttl: 24h\n" + minimalClients,
			want: "t.yaml:3: provider.code_ttl: 24h0m0s is outside the sane range",
		},
		{
			name: "a type error on an integer names the field",
			yaml: "provider:\n  issuer: https://id.example.com\n" + minimalClients + "login:\n  max_pages: 1.5\n",
			want: `t.yaml:9: login.max_pages: "1.5" is not a whole number`,
		},
		{
			name: "a type error on a boolean names the field",
			yaml: "provider:\n  issuer: https://id.example.com\n  tls: {insecure_skip_verify: maybe}\n" + minimalClients,
			want: `t.yaml:3: provider.tls.insecure_skip_verify: "maybe" is not true or false`,
		},
		{
			name: "YAML syntax error carries its line",
			yaml: `provider:
  issuer: https://id.example.com
clients:
  primary: {client_id: app-a
login:
  driver: form
`,
			want: "t.yaml:",
		},
		{
			name: "YAML indentation error carries its line",
			yaml: `provider:
  issuer: https://id.example.com
    name: bad
`,
			want:     "t.yaml:3: ",
			contains: []string{"mapping values are not allowed"},
		},
		{
			name: "empty file",
			yaml: "",
			want: "t.yaml: the file is empty",
		},
		{
			name: "file with only comments",
			yaml: "# nothing configured yet\n",
			want: "t.yaml: the file is empty",
		},
		{
			name: "document marker only",
			yaml: "---\n",
			want: "t.yaml: the file is empty",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := Parse("t.yaml", []byte(tc.yaml), env(tc.env))
			if err == nil {
				t.Fatalf("Parse succeeded (%+v), want an error starting %q", cfg, tc.want)
			}
			msg := err.Error()
			if strings.ContainsAny(msg, "\r\n") {
				t.Errorf("error is not one line: %q", msg)
			}
			if !strings.HasPrefix(msg, tc.want) {
				t.Errorf("error = %q, want it to start with %q", msg, tc.want)
			}
			for _, c := range tc.contains {
				if !strings.Contains(msg, c) {
					t.Errorf("error = %q, want it to contain %q", msg, c)
				}
			}
			var fe *FieldError
			if !errors.As(err, &fe) {
				t.Errorf("error is %T, want *FieldError", err)
			}
		})
	}
}

// yaml.v3 reports scanner errors at their line, but parser errors at the line before the construct
// that is left open (its context mark is 0-based); both must still carry a line.
func TestParseSyntaxErrorLine(t *testing.T) {
	cases := []struct {
		name             string
		yaml             string
		minLine, maxLine int
	}{
		{"scanner error: a key under a scalar", "provider:\n  issuer: https://id.example.com\n    name: bad\n", 3, 3},
		{"scanner error: a tab for indentation", "provider:\n\tissuer: https://id.example.com\n", 2, 2},
		{"parser error: an unclosed flow sequence", "provider:\n  issuer: https://id.example.com\n  name: [unclosed\n", 2, 4},
		// Unquoted ${VAR} ends a flow mapping at its "}"; on line 1 yaml.v3 gives no line at all.
		{"parser error: a flow mapping broken by unquoted ${VAR}", "provider: {issuer: ${ISSUER}}\nclients: {}\n", 0, 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("t.yaml", []byte(tc.yaml), env(nil))
			var fe *FieldError
			if !errors.As(err, &fe) {
				t.Fatalf("error = %v (%T), want *FieldError", err, err)
			}
			if fe.Line < tc.minLine || fe.Line > tc.maxLine {
				t.Errorf("line = %d, want %d..%d: %v", fe.Line, tc.minLine, tc.maxLine, err)
			}
		})
	}
}

const minimal = `provider:
  issuer: https://id.example.com
clients:
  primary:
    client_id: app-a
    client_secret: ${APP_A_SECRET:-default-secret}
    redirect_uris: [https://app-a.example/cb]
  public:
    client_id: spa
    redirect_uris: [https://spa.example/cb]
`

func TestParseDefaults(t *testing.T) {
	cfg, err := Parse("t.yaml", []byte(minimal), env(nil))
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"provider.name defaults to the issuer", cfg.Provider.Name, "https://id.example.com"},
		{"provider.scope", cfg.Provider.Scope, "openid offline_access"},
		{"provider.expiry_margin", cfg.Provider.ExpiryMargin.D(), time.Second},
		{"provider.code_ttl stays zero (skips code-expired)", cfg.Provider.CodeTTL.D(), time.Duration(0)},
		{"timeouts.request", cfg.Timeouts.Request.D(), 10 * time.Second},
		{"timeouts.login", cfg.Timeouts.Login.D(), 30 * time.Second},
		{"timeouts.scenario", cfg.Timeouts.Scenario.D(), 2 * time.Minute},
		{"login.driver", cfg.Login.Driver, "form"},
		{"login.max_pages", cfg.Login.MaxPages, 12},
		{"${VAR:-default} takes the default", cfg.Clients.Primary.ClientSecret, "default-secret"},
		{"auth_method with a secret", cfg.Clients.Primary.AuthMethod, AuthBasic},
		{"auth_method without a secret", cfg.Clients.Public.AuthMethod, AuthNone},
		{"grant_types", strings.Join(cfg.Clients.Primary.GrantTypes, ","), "authorization_code"},
		{"source", cfg.Source(), "t.yaml"},
		{"absent role", cfg.Clients.Get(Secondary) == nil, true},
		{"unknown role", cfg.Clients.Get(Role("other")) == nil, true},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
	if !cfg.Clients.Primary.Allows("authorization_code") || cfg.Clients.Primary.Allows("client_credentials") {
		t.Errorf("Allows with default grant types is wrong: %v", cfg.Clients.Primary.GrantTypes)
	}
}

func TestParseValues(t *testing.T) {
	cases := []struct {
		name string
		yaml string
		env  map[string]string
		got  func(*Config) any
		want any
	}{
		{
			name: "${VAR} takes the environment value",
			yaml: minimal,
			env:  map[string]string{"APP_A_SECRET": "from-env"},
			got:  func(c *Config) any { return c.Clients.Primary.ClientSecret },
			want: "from-env",
		},
		{
			name: "${VAR:-default} prefers the set value",
			yaml: "provider:\n  issuer: ${ISSUER:-https://default.example}\nclients:\n  public: {client_id: spa, redirect_uris: [https://spa.example/cb]}\n",
			env:  map[string]string{"ISSUER": "https://set.example"},
			got:  func(c *Config) any { return c.Provider.Issuer },
			want: "https://set.example",
		},
		{
			name: "variables inside a longer value",
			yaml: "provider:\n  issuer: https://${HOST}:${PORT:-8443}/realms/x\nclients:\n  public: {client_id: spa, redirect_uris: [https://spa.example/cb]}\n",
			env:  map[string]string{"HOST": "id.example"},
			got:  func(c *Config) any { return c.Provider.Issuer },
			want: "https://id.example:8443/realms/x",
		},
		{
			name: "a numeric env value fills a string field",
			yaml: minimal,
			env:  map[string]string{"APP_A_SECRET": "12345678"},
			got:  func(c *Config) any { return c.Clients.Primary.ClientSecret },
			want: "12345678",
		},
		{
			name: "an octal-looking env value keeps its leading zeros",
			yaml: minimal,
			env:  map[string]string{"APP_A_SECRET": "00771234"},
			got:  func(c *Config) any { return c.Clients.Primary.ClientSecret },
			want: "00771234",
		},
		{
			name: "a float-looking env value fills a string field as written",
			yaml: minimal,
			env:  map[string]string{"APP_A_SECRET": "1e10"},
			got:  func(c *Config) any { return c.Clients.Primary.ClientSecret },
			want: "1e10",
		},
		{
			name: "a boolean-looking env value fills a string field",
			yaml: minimal,
			env:  map[string]string{"APP_A_SECRET": "true"},
			got:  func(c *Config) any { return c.Clients.Primary.ClientSecret },
			want: "true",
		},
		{
			name: "an env value fills a number field",
			yaml: minimal + "login:\n  max_pages: ${PAGES}\n",
			env:  map[string]string{"PAGES": "5"},
			got:  func(c *Config) any { return c.Login.MaxPages },
			want: 5,
		},
		{
			name: "an env value fills a boolean field",
			yaml: "provider:\n  issuer: https://id.example.com\n  tls:\n    insecure_skip_verify: ${INSECURE:-false}\nclients:\n  public: {client_id: spa, redirect_uris: [https://spa.example/cb]}\n",
			env:  map[string]string{"INSECURE": "true"},
			got:  func(c *Config) any { return c.Provider.TLS.InsecureSkipVerify },
			want: true,
		},
		{
			name: "quoted ${VAR} inside a flow mapping",
			yaml: "provider: {issuer: \"${ISSUER}\"}\nclients:\n  public: {client_id: spa, client_secret: \"${S:-x-secret}\", redirect_uris: [https://spa.example/cb]}\n",
			env:  map[string]string{"ISSUER": "https://id.example.com"},
			got:  func(c *Config) any { return c.Provider.Issuer + " " + c.Clients.Public.ClientSecret },
			want: "https://id.example.com x-secret",
		},
		{
			name: "duration from an env default",
			yaml: "provider:\n  issuer: https://id.example.com\n  code_ttl: ${TTL:-5s}\nclients:\n  public: {client_id: spa, redirect_uris: [https://spa.example/cb]}\n",
			got:  func(c *Config) any { return c.Provider.CodeTTL.D() },
			want: 5 * time.Second,
		},
		{
			name: "quoted duration",
			yaml: minimal + "timeouts:\n  request: \"1m30s\"\n",
			got:  func(c *Config) any { return c.Timeouts.Request.D() },
			want: 90 * time.Second,
		},
		{
			name: "explicit zero duration takes the default",
			yaml: minimal + "timeouts:\n  login: 0\n",
			got:  func(c *Config) any { return c.Timeouts.Login.D() },
			want: 30 * time.Second,
		},
		{
			name: "explicit auth_method none with a secret is kept",
			yaml: "provider:\n  issuer: https://id.example.com\nclients:\n  public: {client_id: spa, client_secret: unused-secret, auth_method: none, redirect_uris: [https://spa.example/cb]}\n",
			got:  func(c *Config) any { return c.Clients.Public.AuthMethod },
			want: AuthNone,
		},
		{
			name: "restricted client needs no redirect URI",
			yaml: "provider:\n  issuer: https://id.example.com\nclients:\n  restricted: {client_id: svc, client_secret: svc-secret, grant_types: [client_credentials]}\n",
			got:  func(c *Config) any { return c.Clients.Restricted.Allows("client_credentials") },
			want: true,
		},
		{
			name: "authorize_params values are expanded",
			yaml: strings.Replace(minimal, "clients:\n", "  authorize_params: {prompt: \"${PROMPT:-consent}\"}\nclients:\n", 1),
			got:  func(c *Config) any { return c.Provider.AuthorizeParams["prompt"] },
			want: "consent",
		},
		{
			name: "login fill templates are kept for the driver",
			yaml: minimal + "login:\n  steps:\n    - {url: /login, form: form, fill: {username: \"{{username}}\"}, submit: approve}\n",
			got:  func(c *Config) any { return c.Login.Steps[0].Fill["username"] + " " + c.Login.Steps[0].Submit },
			want: "{{username}} approve",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := Parse("t.yaml", []byte(tc.yaml), env(tc.env))
			if err != nil {
				t.Fatal(err)
			}
			if got := tc.got(cfg); got != tc.want {
				t.Errorf("got %v (%T), want %v (%T)", got, got, tc.want, tc.want)
			}
		})
	}
}

func TestSecrets(t *testing.T) {
	y := `provider:
  issuer: https://id.example.com
clients:
  primary: {client_id: app-a, client_secret: "${A}", redirect_uris: [https://a.example/cb]}
  secondary: {client_id: app-b, client_secret: b-secret, auth_method: client_secret_post, redirect_uris: [https://b.example/cb]}
  public: {client_id: spa, redirect_uris: [https://spa.example/cb]}
  restricted: {client_id: svc, client_secret: svc-secret}
login:
  username: alice
  password: ${PW}
`
	cfg, err := Parse("t.yaml", []byte(y), env(map[string]string{"A": "a-secret", "PW": "hunter22"}))
	if err != nil {
		t.Fatal(err)
	}
	got := cfg.Secrets()
	want := []string{"a-secret", "b-secret", "svc-secret", "hunter22"}
	if !slices.Equal(got, want) {
		t.Errorf("Secrets() = %q, want %q (client secrets in role order, then the login password)", got, want)
	}
	if slices.Contains(got, "alice") || slices.Contains(got, "") {
		t.Errorf("Secrets() = %q lists the username or an empty value", got)
	}
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "grantcheck.yaml")
	if err := os.WriteFile(path, []byte("provider:\n  issuer: https://id.example.com\nclients:\n  public: {client_id: spa, redirect_uris: [https://spa.example/cb]}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Source() != path {
		t.Errorf("Source() = %q, want %q", cfg.Source(), path)
	}
	if _, err := Load(filepath.Join(dir, "missing.yaml")); err == nil || !strings.Contains(err.Error(), "missing.yaml") {
		t.Errorf("Load of a missing file: %v, want an error naming it", err)
	}
}

func TestFieldErrorFormat(t *testing.T) {
	cases := []struct {
		name string
		err  FieldError
		want string
	}{
		{"file, line and field", FieldError{File: "f.yaml", Line: 3, Field: "a.b", Msg: "bad"}, "f.yaml:3: a.b: bad"},
		{"no line", FieldError{File: "f.yaml", Field: "a.b", Msg: "bad"}, "f.yaml: a.b: bad"},
		{"no field", FieldError{File: "f.yaml", Line: 2, Msg: "bad"}, "f.yaml:2: bad"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.err.Error(); got != tc.want {
				t.Errorf("Error() = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestCAFileMustHoldAPEMCertificate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(path, []byte("not a certificate\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	yaml := "provider:\n  issuer: https://id.example.com\n  tls:\n    ca_file: " + path + "\n" + minimalClients
	_, err := Parse("t.yaml", []byte(yaml), env(nil))
	if want := "t.yaml:4: provider.tls.ca_file: " + path + " holds no PEM certificate"; err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("error = %v, want it to start with %q", err, want)
	}
}

// login.ahead defaults to 2 for the browser driver only: a command may need a person per login.
func TestFlowsAheadDefaults(t *testing.T) {
	zero, three := 0, 3
	for _, c := range []struct {
		login Login
		want  int
	}{
		{Login{Driver: DriverBrowser}, 2},
		{Login{Driver: DriverForm}, 0},
		{Login{Driver: DriverCommand}, 0},
		{Login{Driver: DriverBrowser, Ahead: &zero}, 0},
		{Login{Driver: DriverCommand, Ahead: &three}, 3},
	} {
		if got := c.login.FlowsAhead(); got != c.want {
			t.Errorf("%s with ahead %v: got %d, want %d", c.login.Driver, c.login.Ahead, got, c.want)
		}
	}
}

// testECKeyPEM is a P-256 private key for the tests only.
const testECKeyPEM = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgevZzL1gdAFr88hb2
OF/2NxApJCzGCEDdfSp6VQO30hyhRANCAAQRWz+jn65BtOMvdyHKcvjBeBSDZH2r
1RTwjmYSi9R/zpBnuQ4EiMnCqfMPWiZqB4QdbAd0E7oH50VpuZ1P087G
-----END PRIVATE KEY-----`

// TestAssertionKeys: a private_key_jwt client's key is read from the environment (PEM or JWK) or
// from a file beside the configuration, and a client_secret_jwt client's from its secret; each
// key is a secret the redactor hides.
func TestAssertionKeys(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "key.pem"), []byte(testECKeyPEM), 0o600); err != nil {
		t.Fatal(err)
	}
	cfgPath := filepath.Join(dir, "grantcheck.yaml")
	yaml := `provider:
  issuer: https://id.example.com
clients:
  primary:
    client_id: app-jwt
    auth_method: private_key_jwt
    private_key: ${APP_KEY}
    key_id: k1
    redirect_uris: [https://app-jwt.example/cb]
  assertion:
    client_id: app-jwt-2
    auth_method: private_key_jwt
    private_key_file: key.pem
    redirect_uris: [https://app-jwt.example/cb]
  assertion_secret:
    client_id: app-mac
    client_secret: ${MAC_SECRET}
    auth_method: client_secret_jwt
    redirect_uris: [https://app-mac.example/cb]
`
	if err := os.WriteFile(cfgPath, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("APP_KEY", testECKeyPEM)
	t.Setenv("MAC_SECRET", "mac-secret-value-of-at-least-32-bytes")
	cfg, err := Load(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	for role, want := range map[Role]string{Primary: "ES256 k1", Assertion: "ES256 ", AssertionSecret: "HS256 "} {
		k := cfg.Clients.Get(role).SigningKey()
		if k == nil || string(k.Alg)+" "+k.KeyID != want || k.Symmetric() != (role == AssertionSecret) {
			t.Errorf("%s: key %+v, want %s", role, k, want)
		}
	}
	secrets := strings.Join(cfg.Secrets(), "\n")
	if !strings.Contains(secrets, testECKeyPEM) || !strings.Contains(secrets, "mac-secret-value-of-at-least-32-bytes") {
		t.Error("the private key and the client_secret_jwt secret are not among the secrets the redactor hides")
	}
}
