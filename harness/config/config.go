// Package config loads a grantcheck configuration: one YAML file, unknown keys rejected, ${VAR} and
// ${VAR:-default} expanded from the environment, every problem reported as file:line with the field.
package config

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/grantcheck/grantcheck/harness/assertion"
)

// Config is the whole run configuration. Field docs are the user documentation of the YAML schema.
type Config struct {
	Provider Provider `yaml:"provider"`
	Clients  Clients  `yaml:"clients"`
	Login    Login    `yaml:"login"`
	Timeouts Timeouts `yaml:"timeouts"`
	// Concurrency shapes code-reuse-concurrent.
	Concurrency Concurrency `yaml:"concurrency"`
	// Audit lists the clients `grantcheck audit` checks, besides the four roles.
	Audit Audit `yaml:"audit"`

	// source is where this configuration came from, for messages.
	source string
	// dir is the folder of the file it was loaded from ("" for none).
	dir string
}

// Provider identifies the provider under test.
type Provider struct {
	// Name labels reports.
	Name string `yaml:"name"`
	// Issuer is the OpenID issuer; discovery reads Issuer + /.well-known/openid-configuration.
	Issuer string `yaml:"issuer"`
	// CodeTTL is the authorization code lifetime; code-expired waits CodeTTL + ExpiryMargin. Zero
	// skips code-expired.
	CodeTTL Duration `yaml:"code_ttl"`
	// ExpiryMargin covers clock granularity (many providers count whole seconds). Default 1s.
	ExpiryMargin Duration `yaml:"expiry_margin"`
	// Scope requested at the authorization endpoint. Default "openid offline_access".
	Scope string `yaml:"scope"`
	// AuthorizeParams are extra authorization request parameters (e.g. prompt: consent).
	AuthorizeParams map[string]string `yaml:"authorize_params"`
	TLS             TLS               `yaml:"tls"`
	// RefreshRotation is the provider's refresh token policy, which refresh-rotated-reuse asserts:
	// none (the token keeps working), rotate (each refresh issues a new token and the old one stops
	// working) or rotate-detect-reuse (as rotate, and presenting an old token revokes the whole
	// family, the current token included: RFC 9700 §4.14.2). Empty: the scenario skips and reports
	// what it observed.
	RefreshRotation string `yaml:"refresh_rotation"`
	// RefreshReuseGrace is how long a rotated refresh token is still accepted (some providers and
	// FAPI 2.0 allow this); refresh-rotated-reuse waits it out before the reuse. Default 0.
	RefreshReuseGrace Duration `yaml:"refresh_reuse_grace"`
}

// Refresh token rotation policies (provider.refresh_rotation).
const (
	RotationNone        = "none"
	RotationRotate      = "rotate"
	RotationDetectReuse = "rotate-detect-reuse"
)

// TLS configures how the provider's certificate is checked.
type TLS struct {
	CAFile string `yaml:"ca_file"`
	// InsecureSkipVerify disables certificate checks; for test installations only.
	InsecureSkipVerify bool `yaml:"insecure_skip_verify"`
}

// Clients are roles; a scenario whose role is absent is skipped with that reason.
type Clients struct {
	Primary    *Client `yaml:"primary"`
	Secondary  *Client `yaml:"secondary"`
	Public     *Client `yaml:"public"`
	Restricted *Client `yaml:"restricted"`
	// Assertion is a client authenticating with a JWT (private_key_jwt, or client_secret_jwt) for
	// the client-assertion family, when no other role does.
	Assertion *Client `yaml:"assertion"`
	// AssertionSecret is a second client authenticating with a JWT, client_secret_jwt usually: the
	// client-assertion scenarios that need a second such client or a client secret use it.
	AssertionSecret *Client `yaml:"assertion_secret"`

	// audited are the audit's clients by their role (AuditRole), so every operation that takes a
	// role (flows, redemptions, controls, scope) takes an audited client the same way.
	audited map[Role]*Client
}

// Role names a client role.
type Role string

const (
	Primary    Role = "primary"
	Secondary  Role = "secondary"
	Public     Role = "public"
	Restricted Role = "restricted"
	// The client-assertion roles.
	Assertion       Role = "assertion"
	AssertionSecret Role = "assertion_secret"
)

// Roles is every role, in catalogue order.
var Roles = []Role{Primary, Secondary, Public, Restricted, Assertion, AssertionSecret}

// Get returns the client of a role (an audited client's role too, AuditRole), nil when not configured.
func (c Clients) Get(r Role) *Client {
	switch r {
	case Primary:
		return c.Primary
	case Secondary:
		return c.Secondary
	case Public:
		return c.Public
	case Restricted:
		return c.Restricted
	case Assertion:
		return c.Assertion
	case AssertionSecret:
		return c.AssertionSecret
	}
	return c.audited[r]
}

// AuditRole is the role an audited client is run under: its client_id, prefixed so it can never be
// one of the four roles.
func AuditRole(clientID string) Role { return Role(auditPrefix + clientID) }

const auditPrefix = "audit:"

// Audited reports whether r is an audited client's role.
func (r Role) Audited() bool { return strings.HasPrefix(string(r), auditPrefix) }

// Describe names a role's client for messages: "clients.primary", or an audited client by its
// client_id and where it is listed.
func (c *Config) Describe(r Role) string {
	if !r.Audited() {
		return "clients." + string(r)
	}
	cl := c.Clients.Get(r)
	if cl == nil {
		return string(r)
	}
	return fmt.Sprintf("client %q (%s)", cl.ClientID, cl.origin)
}

// Audit lists the clients to audit: each is checked for what its registration implies (grantcheck
// audit). The list is inline, or in a file that a team generates (Terraform output, a console
// export), or both.
type Audit struct {
	// File is a YAML file with a top-level clients: list of the same form, relative to this file.
	File string `yaml:"file"`
	// Clients are the audited clients; secrets come from the environment (${VAR}).
	Clients []*Client `yaml:"clients"`
}

// AuditClients are the audited clients in the order listed (inline first, then the file's).
func (c *Config) AuditClients() []*Client { return c.Audit.Clients }

// Auth methods (OpenID Connect Registration token_endpoint_auth_method).
const (
	AuthBasic = "client_secret_basic"
	AuthPost  = "client_secret_post"
	AuthNone  = "none"
	// AuthPrivateKeyJWT and AuthSecretJWT authenticate with a signed JWT, the client assertion
	// (RFC 7523 §2.2, OpenID Connect Core 1.0 §9): signed by the client's private key, or a MAC
	// keyed by its client secret.
	AuthPrivateKeyJWT = "private_key_jwt"
	AuthSecretJWT     = "client_secret_jwt"
)

// Assertion audiences (clients.<role>.assertion_audience).
const (
	AudienceIssuer        = "issuer"
	AudienceTokenEndpoint = "token_endpoint"
)

// Client is what a client is registered with at the provider; it is also what the suite asserts the
// provider enforces.
type Client struct {
	ClientID     string   `yaml:"client_id"`
	ClientSecret string   `yaml:"client_secret" secret:"true"`
	AuthMethod   string   `yaml:"auth_method"`
	RedirectURIs []string `yaml:"redirect_uris"`
	// GrantTypes the client is allowed; default [authorization_code].
	GrantTypes []string `yaml:"grant_types"`
	// PKCE: "required" (the provider must refuse a code request without a challenge) or "" / "optional".
	PKCE string `yaml:"pkce"`
	// Scope the client is registered for, sent by its controls and flows instead of provider.scope
	// (many providers grant a client only its own scopes, and refuse or narrow anything else).
	Scope string `yaml:"scope"`
	// PrivateKey signs the private_key_jwt assertions: a PEM private key or a private JWK, from
	// the environment like every secret. PrivateKeyFile names a file holding one instead.
	PrivateKey     string `yaml:"private_key" secret:"true"`
	PrivateKeyFile string `yaml:"private_key_file"`
	// KeyID is the kid the assertions carry (default: the JWK's kid, else none); Alg the signing
	// algorithm (default: RS256 for RSA, ES256/384/512 by curve, EdDSA; HS256 for client_secret_jwt).
	KeyID string `yaml:"key_id"`
	Alg   string `yaml:"alg"`
	// AssertionAudience is the aud of the client's assertions: issuer (the default, as
	// draft-ietf-oauth-rfc7523bis §4 asks) or token_endpoint (OpenID Connect Core §9's SHOULD, which
	// some providers require).
	AssertionAudience string `yaml:"assertion_audience"`

	// key is the parsed signing key of a private_key_jwt or client_secret_jwt client.
	key *assertion.Key
	// origin is where an audited client is listed ("file:line"), for messages.
	origin string
}

// SigningKey is the key a JWT-authenticating client signs its assertions with (nil for others).
func (c *Client) SigningKey() *assertion.Key { return c.key }

// UsesAssertion reports whether the client authenticates with a JWT.
func (c *Client) UsesAssertion() bool { return AssertionMethod(c.AuthMethod) }

// AssertionMethod reports whether auth method m authenticates with a JWT, the client assertion.
func AssertionMethod(m string) bool { return m == AuthPrivateKeyJWT || m == AuthSecretJWT }

// Origin is where an audited client is listed ("clients.yaml:12"), "" for a role.
func (c *Client) Origin() string { return c.origin }

// ScopeOf is the scope a role's requests send: the client's own, else provider.scope.
func (c *Config) ScopeOf(r Role) string { return c.ScopeFor(c.Clients.Get(r)) }

// ScopeFor is the scope a client's requests send: its own, else provider.scope.
func (c *Config) ScopeFor(cl *Client) string {
	if cl != nil && cl.Scope != "" {
		return cl.Scope
	}
	return c.Provider.Scope
}

// ScopeKey names the setting a role's scope comes from, for messages.
func (c *Config) ScopeKey(r Role) string {
	if cl := c.Clients.Get(r); cl != nil && cl.Scope != "" {
		return "clients." + string(r) + ".scope"
	}
	return "provider.scope"
}

// Allows reports whether grantType is among the client's grant types.
func (c *Client) Allows(grantType string) bool { return slices.Contains(c.GrantTypes, grantType) }

// Login drives the provider's login pages to obtain a code.
type Login struct {
	// Driver is how pages are walked: form (HTTP and HTML forms), browser (headless Chromium) or
	// command (a program that logs in and prints where the provider redirected).
	Driver string `yaml:"driver"`
	// Hosts are the hosts (host or host:port) the login may visit besides the provider's own (the
	// issuer's and the endpoints' hosts): a separate login or consent application, a hosted login
	// domain. A redirect to any other host ends the flow, not followed, with a message naming it.
	Hosts    []string `yaml:"hosts"`
	Username string   `yaml:"username"`
	Password string   `yaml:"password" secret:"true"`
	// Steps are tried on every page, first match wins, until the redirect to the redirect URI.
	Steps []Step `yaml:"steps"`
	// MaxPages bounds one login; default 12.
	MaxPages int `yaml:"max_pages"`
	// Browser configures the browser driver.
	Browser Browser `yaml:"browser"`
	// Command is the command driver's program and arguments (no shell), run from the config
	// file's folder, e.g. ["./login.sh", "--tenant", "test"].
	Command []string `yaml:"command"`
	// Ahead is how many standard flows (a role's client, the default request) are logged in
	// before a scenario asks for one, so slow logins overlap the rest of the run. Each is handed
	// to one scenario only, and dropped when its code has waited past half of code_ttl. Default
	// 2 with the browser driver, 0 (off) with form and command (a command may need a person).
	Ahead *int `yaml:"ahead"`
}

// FlowsAhead is login.ahead with its per-driver default.
func (l Login) FlowsAhead() int {
	switch {
	case l.Ahead != nil:
		return *l.Ahead
	case l.Driver == DriverBrowser:
		return 2
	}
	return 0
}

// Browser configures the Chromium the browser driver starts (one per run).
type Browser struct {
	// Executable is the browser's path; "" finds chromium, chromium-browser or google-chrome.
	Executable string `yaml:"executable"`
	// Headless runs without a window; default true.
	Headless *bool `yaml:"headless"`
}

// Step fills and submits one form (form driver), or fills fields and clicks (browser driver).
type Step struct {
	// URL is a regular expression searched in the page's URL.
	URL string `yaml:"url"`
	// Form is a CSS selector for the form (form driver).
	Form string `yaml:"form"`
	// Fill maps input names (form driver) or CSS selectors (browser driver) to values;
	// {{username}} and {{password}} are replaced.
	Fill map[string]string `yaml:"fill"`
	// Submit names the button to press (its name, value or text); empty submits without a button
	// (form driver).
	Submit string `yaml:"submit"`
	// Click is a CSS selector for the element to click once the fields are filled (browser driver).
	// A browser step matches only when its URL matches and every element it names is visible.
	Click string `yaml:"click"`
}

// Timeouts is every wait the harness makes, in one place.
type Timeouts struct {
	// Request bounds one HTTP exchange. Default 10s.
	Request Duration `yaml:"request"`
	// Login bounds one whole code acquisition. Default 30s.
	Login Duration `yaml:"login"`
	// Scenario bounds one scenario, waits included. Default 2m.
	Scenario Duration `yaml:"scenario"`
}

// Concurrency shapes the race of code-reuse-concurrent: one round is a sample (a fresh code, its
// redemptions released together), the worst round decides, and sampling goes on until the verdict
// has held for Rounds rounds in a row, at most MaxRounds rounds. Rounds run a few at a time (at
// most 16 redemptions in flight), one at a time once the run stopped overlapping (harness/backoff).
type Concurrency struct {
	// Rounds is how many rounds in a row the verdict must hold. Default 5.
	Rounds int `yaml:"rounds"`
	// MaxRounds bounds the sampling. Default 4 × Rounds.
	MaxRounds int `yaml:"max_rounds"`
	// Parallel is how many redemptions race for one code. Default 8.
	Parallel int `yaml:"parallel"`
}

// Duration is a time.Duration written as "10s" in YAML.
type Duration time.Duration

func (d Duration) D() time.Duration { return time.Duration(d) }

func (d Duration) String() string { return time.Duration(d).String() }

// MarshalYAML writes the "10s" form.
func (d Duration) MarshalYAML() (any, error) { return time.Duration(d).String(), nil }

// Source names where the configuration came from.
func (c *Config) Source() string { return c.source }

// Secrets are the values of every field tagged secret:"true", for redaction: a new secret field
// is hidden by tagging it, not by remembering to list it here.
func (c *Config) Secrets() []string {
	var out []string
	var walk func(v reflect.Value)
	walk = func(v reflect.Value) {
		switch v.Kind() {
		case reflect.Pointer:
			if !v.IsNil() {
				walk(v.Elem())
			}
		case reflect.Struct:
			for i := 0; i < v.NumField(); i++ {
				f := v.Type().Field(i)
				if !f.IsExported() {
					continue
				}
				if f.Tag.Get("secret") == "true" && f.Type.Kind() == reflect.String {
					if s := v.Field(i).String(); strings.TrimSpace(s) != "" {
						out = append(out, s)
					}
					continue
				}
				walk(v.Field(i))
			}
		case reflect.Slice:
			for i := 0; i < v.Len(); i++ {
				walk(v.Index(i))
			}
		}
	}
	walk(reflect.ValueOf(c))
	return out
}

func (c *Config) applyDefaults() {
	if c.Provider.ExpiryMargin == 0 {
		c.Provider.ExpiryMargin = Duration(time.Second)
	}
	if c.Provider.Scope == "" {
		c.Provider.Scope = "openid offline_access"
	}
	if c.Provider.Name == "" {
		c.Provider.Name = c.Provider.Issuer
	}
	for _, r := range Roles {
		cl := c.Clients.Get(r)
		if cl == nil {
			continue
		}
		if cl.AuthMethod == "" {
			cl.AuthMethod = AuthBasic
			if cl.ClientSecret == "" {
				cl.AuthMethod = AuthNone
			}
		}
		if len(cl.GrantTypes) == 0 {
			cl.GrantTypes = []string{"authorization_code"}
		}
	}
	if c.Login.Driver == "" {
		c.Login.Driver = "form"
	}
	if c.Login.MaxPages == 0 {
		c.Login.MaxPages = 12
	}
	if c.Timeouts.Request == 0 {
		c.Timeouts.Request = Duration(10 * time.Second)
	}
	if c.Timeouts.Login == 0 {
		c.Timeouts.Login = Duration(30 * time.Second)
	}
	if c.Timeouts.Scenario == 0 {
		c.Timeouts.Scenario = Duration(2 * time.Minute)
	}
	if c.Concurrency.Rounds == 0 {
		c.Concurrency.Rounds = 5
	}
	if c.Concurrency.MaxRounds == 0 {
		c.Concurrency.MaxRounds = 4 * c.Concurrency.Rounds
	}
	if c.Concurrency.Parallel == 0 {
		c.Concurrency.Parallel = 8
	}
}

// FieldError is one problem at one place of the file.
type FieldError struct {
	File  string
	Line  int
	Field string
	Msg   string
}

func (e *FieldError) Error() string {
	loc := e.File
	if e.Line > 0 {
		loc = fmt.Sprintf("%s:%d", e.File, e.Line)
	}
	if e.Field == "" {
		return fmt.Sprintf("%s: %s", loc, e.Msg)
	}
	return fmt.Sprintf("%s: %s: %s", loc, e.Field, e.Msg)
}
