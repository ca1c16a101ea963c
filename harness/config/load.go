package config

import (
	"bytes"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/grantcheck/grantcheck/harness/assertion"
)

// Load reads, expands, checks and validates the configuration at path.
func Load(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("load config: %w", err)
	}
	cfg, err := Parse(path, data, os.LookupEnv)
	if err != nil {
		return nil, err
	}
	if abs, err := filepath.Abs(path); err == nil {
		cfg.dir = filepath.Dir(abs)
	}
	return cfg, nil
}

// Parse is Load on bytes; lookup resolves ${VAR} (os.LookupEnv in production).
func Parse(name string, data []byte, lookup func(string) (string, bool)) (*Config, error) {
	var cfg Config
	p, err := parseYAML(name, data, lookup, &cfg)
	if err != nil {
		return nil, err
	}
	cfg.source = name
	cfg.applyDefaults()
	if err := p.loadAudit(&cfg); err != nil {
		return nil, err
	}
	if err := p.validate(&cfg); err != nil {
		return nil, err
	}
	return &cfg, nil
}

// parseYAML decodes the one YAML document of data into out (a pointer to Config or auditFile),
// walked first by a parser that knows each field's line and checks keys and ${VAR}s.
func parseYAML(name string, data []byte, lookup func(string) (string, bool), out any) (*parser, error) {
	var doc yaml.Node
	if err := yaml.NewDecoder(bytes.NewReader(data)).Decode(&doc); err != nil {
		// yaml.v3 answers io.EOF for a file without a document (empty, or only comments).
		if errors.Is(err, io.EOF) {
			return nil, &FieldError{File: name, Msg: "the file is empty"}
		}
		return nil, yamlError(name, err)
	}
	if len(doc.Content) == 0 || (doc.Content[0].Kind == yaml.ScalarNode && doc.Content[0].ShortTag() == "!!null") {
		return nil, &FieldError{File: name, Msg: "the file is empty"}
	}
	p := &parser{file: name, lookup: lookup, lines: map[string]int{}, root: doc.Content[0].Line}
	if err := p.walk(doc.Content[0], reflect.TypeOf(out).Elem(), ""); err != nil {
		return nil, err
	}
	if err := doc.Content[0].Decode(out); err != nil {
		return nil, yamlError(name, err)
	}
	return p, nil
}

// yamlError turns yaml.v3's messages ("yaml: line 3: ...") into file:line form.
func yamlError(name string, err error) error {
	var te *yaml.TypeError
	msg := err.Error()
	if errors.As(err, &te) && len(te.Errors) > 0 {
		msg = te.Errors[0]
	}
	msg = strings.TrimPrefix(msg, "yaml: ")
	if m := regexp.MustCompile(`^line (\d+): (.*)$`).FindStringSubmatch(msg); m != nil {
		var line int
		fmt.Sscan(m[1], &line)
		return &FieldError{File: name, Line: line, Msg: m[2]}
	}
	return &FieldError{File: name, Msg: msg}
}

type parser struct {
	file   string
	lookup func(string) (string, bool)
	lines  map[string]int // field path → line, for validation messages
	root   int            // the document's first line
}

var durationType = reflect.TypeOf(Duration(0))

// walk checks keys against the struct's yaml tags, expands variables in scalar values and parses
// durations, remembering the line of every field.
func (p *parser) walk(n *yaml.Node, t reflect.Type, path string) error {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if path != "" {
		p.lines[path] = n.Line
	}
	switch {
	case t == durationType:
		if err := p.expand(n, path); err != nil {
			return err
		}
		if n.Kind != yaml.ScalarNode {
			return &FieldError{File: p.file, Line: n.Line, Field: path, Msg: "want a duration such as 10s"}
		}
		if n.Value == "" || n.Value == "0" {
			n.Value = "0"
			n.Tag = "!!int"
			return nil
		}
		d, err := time.ParseDuration(n.Value)
		if err != nil || d < 0 {
			return &FieldError{File: p.file, Line: n.Line, Field: path, Msg: fmt.Sprintf("%q is not a duration such as 10s", n.Value)}
		}
		n.Value, n.Tag = fmt.Sprint(int64(d)), "!!int"
		return nil
	case t.Kind() == reflect.Struct:
		if n.Kind != yaml.MappingNode {
			return &FieldError{File: p.file, Line: n.Line, Field: path, Msg: "want a mapping of keys"}
		}
		fields := map[string]reflect.StructField{}
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			if tag := strings.Split(f.Tag.Get("yaml"), ",")[0]; tag != "" && tag != "-" {
				fields[tag] = f
			}
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			key, val := n.Content[i], n.Content[i+1]
			f, ok := fields[key.Value]
			child := join(path, key.Value)
			if !ok {
				return &FieldError{File: p.file, Line: key.Line, Field: child,
					Msg: "unknown key" + suggest(key.Value, fields)}
			}
			if err := p.walk(val, f.Type, child); err != nil {
				return err
			}
			// A field's line is its key's: a block mapping's value starts on the next line.
			p.lines[child] = key.Line
		}
	case t.Kind() == reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			return &FieldError{File: p.file, Line: n.Line, Field: path, Msg: "want a list"}
		}
		for i, c := range n.Content {
			if err := p.walk(c, t.Elem(), fmt.Sprintf("%s[%d]", path, i)); err != nil {
				return err
			}
		}
	case t.Kind() == reflect.Map:
		if n.Kind != yaml.MappingNode {
			return &FieldError{File: p.file, Line: n.Line, Field: path, Msg: "want a mapping of keys"}
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			if err := p.walk(n.Content[i+1], t.Elem(), join(path, n.Content[i].Value)); err != nil {
				return err
			}
		}
	default:
		if n.Kind != yaml.ScalarNode {
			return &FieldError{File: p.file, Line: n.Line, Field: path, Msg: "want a single value"}
		}
		if err := p.expand(n, path); err != nil {
			return err
		}
		// Decode here, so a type error names the field, not only the line.
		isInt := kindName(t) == "a whole number"
		if err := n.Decode(reflect.New(t).Interface()); err != nil || (isInt && n.ShortTag() != "!!int") {
			return &FieldError{File: p.file, Line: n.Line, Field: path, Msg: fmt.Sprintf("%q is not %s", n.Value, kindName(t))}
		}
	}
	return nil
}

func kindName(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a whole number"
	case reflect.Bool:
		return "true or false"
	}
	return "a " + t.Kind().String()
}

var (
	envRef = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)(:-([^}]*))?\}`)
	// anyRef is anything written like a reference, so one that envRef does not take is an error,
	// not a literal secret ("${app-a-secret}" was once sent as the client secret).
	anyRef = regexp.MustCompile(`\$\{[^}]*\}?`)
)

// expand replaces ${VAR} and ${VAR:-default}; an unset VAR without default is an error naming it.
func (p *parser) expand(n *yaml.Node, path string) error {
	if n.Kind != yaml.ScalarNode || !strings.Contains(n.Value, "${") {
		return nil
	}
	for _, ref := range anyRef.FindAllString(n.Value, -1) {
		if m := envRef.FindString(ref); m != ref {
			return &FieldError{File: p.file, Line: n.Line, Field: path,
				Msg: fmt.Sprintf("%s is not a variable reference: write ${NAME} or ${NAME:-default}, NAME of letters, digits and _ not starting with a digit", ref)}
		}
	}
	var missing string
	out := envRef.ReplaceAllStringFunc(n.Value, func(ref string) string {
		m := envRef.FindStringSubmatch(ref)
		if v, ok := p.lookup(m[1]); ok && v != "" {
			return v
		}
		if m[2] != "" {
			return m[3]
		}
		if missing == "" {
			missing = m[1]
		}
		return ""
	})
	if missing != "" {
		return &FieldError{File: p.file, Line: n.Line, Field: path,
			Msg: fmt.Sprintf("environment variable %s is not set (write ${%s:-default} for a default)", missing, missing)}
	}
	n.Value = out
	// Let YAML resolve the expanded text again, so ${PORT} can fill a number and ${X} a string.
	if n.Style == 0 {
		n.Tag = ""
	}
	return nil
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// suggest names the closest known key, since a typo is the usual cause.
func suggest(key string, fields map[string]reflect.StructField) string {
	best, bestD := "", 3
	var known []string
	for k := range fields {
		known = append(known, k)
		if d := distance(key, k); d < bestD {
			best, bestD = k, d
		}
	}
	if best != "" {
		return fmt.Sprintf(" (did you mean %q?)", best)
	}
	slices.Sort(known)
	return " (known keys: " + strings.Join(known, ", ") + ")"
}

func distance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}

func (p *parser) fail(field, format string, args ...any) error {
	line := p.lines[field]
	for f := field; line == 0 && strings.Contains(f, "."); {
		f = f[:strings.LastIndex(f, ".")]
		line = p.lines[f]
	}
	if line == 0 {
		line = p.root // an absent section: the document is where it is missing
	}
	return &FieldError{File: p.file, Line: line, Field: field, Msg: fmt.Sprintf(format, args...)}
}

func hasPEMCertificate(data []byte) bool {
	for {
		var b *pem.Block
		b, data = pem.Decode(data)
		if b == nil {
			return false
		}
		if b.Type == "CERTIFICATE" {
			return true
		}
	}
}

func (p *parser) validate(c *Config) error {
	if c.Provider.Issuer == "" {
		return p.fail("provider.issuer", "required: the provider's issuer URL")
	}
	if u, err := url.Parse(c.Provider.Issuer); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return p.fail("provider.issuer", "%q is not an http(s) URL", c.Provider.Issuer)
	}
	if c.Provider.TLS.CAFile != "" {
		data, err := os.ReadFile(c.Provider.TLS.CAFile)
		if err != nil {
			return p.fail("provider.tls.ca_file", "%v", err)
		}
		if !hasPEMCertificate(data) {
			return p.fail("provider.tls.ca_file", "%s holds no PEM certificate (-----BEGIN CERTIFICATE-----)", c.Provider.TLS.CAFile)
		}
	}
	for _, d := range []struct {
		field    string
		v        Duration
		min, max time.Duration
	}{
		{"timeouts.request", c.Timeouts.Request, 100 * time.Millisecond, 10 * time.Minute},
		{"timeouts.login", c.Timeouts.Login, time.Second, time.Hour},
		{"timeouts.scenario", c.Timeouts.Scenario, time.Second, 24 * time.Hour},
		{"provider.code_ttl", c.Provider.CodeTTL, 0, time.Hour},
		{"provider.expiry_margin", c.Provider.ExpiryMargin, 0, 10 * time.Minute},
	} {
		if d.v.D() < d.min || d.v.D() > d.max {
			return p.fail(d.field, "%s is outside the sane range %s to %s", d.v, d.min, d.max)
		}
	}
	if c.Login.MaxPages < 1 || c.Login.MaxPages > 100 {
		return p.fail("login.max_pages", "%d is outside the sane range 1 to 100", c.Login.MaxPages)
	}
	switch c.Provider.RefreshRotation {
	case "", RotationNone, RotationRotate, RotationDetectReuse:
	default:
		return p.fail("provider.refresh_rotation", "%q is not one of %s, %s, %s", c.Provider.RefreshRotation,
			RotationNone, RotationRotate, RotationDetectReuse)
	}
	if c.Provider.RefreshReuseGrace < 0 {
		return p.fail("provider.refresh_reuse_grace", "%s is negative", c.Provider.RefreshReuseGrace)
	}
	if c.Provider.RefreshReuseGrace > 0 && c.Provider.RefreshRotation == RotationNone {
		return p.fail("provider.refresh_reuse_grace", "a grace period needs refresh_rotation rotate or rotate-detect-reuse")
	}
	roles := 0
	for _, r := range Roles {
		cl := c.Clients.Get(r)
		if cl == nil {
			continue
		}
		roles++
		if err := p.validateClient("clients."+string(r), cl, r != Restricted); err != nil {
			return err
		}
	}
	if roles == 0 && len(c.Audit.Clients) == 0 {
		return p.fail("clients", "no client roles: configure at least clients.primary")
	}
	if err := p.validateLogin(c); err != nil {
		return err
	}
	if n := c.Concurrency.Rounds; n < 1 || n > 50 {
		return p.fail("concurrency.rounds", "%d is not between 1 and 50", n)
	}
	if n := c.Concurrency.Parallel; n < 2 || n > 64 {
		return p.fail("concurrency.parallel", "%d is not between 2 and 64", n)
	}
	if n := c.Concurrency.MaxRounds; n < c.Concurrency.Rounds || n > 200 {
		return p.fail("concurrency.max_rounds", "%d is not between concurrency.rounds (%d) and 200", n, c.Concurrency.Rounds)
	}
	return nil
}

// validateAssertionKey reads and checks the key a private_key_jwt or client_secret_jwt client signs
// its assertions with, so a bad key is a setup error at its line, not an ERROR in every scenario.
func (p *parser) validateAssertionKey(base string, cl *Client) error {
	if cl.AuthMethod == AuthSecretJWT {
		if cl.ClientSecret == "" {
			return p.fail(base+".client_secret", "required for auth_method %s: the assertions are a MAC keyed by it", cl.AuthMethod)
		}
		for _, f := range []struct{ key, value string }{{"private_key", cl.PrivateKey}, {"private_key_file", cl.PrivateKeyFile}} {
			if f.value != "" {
				return p.fail(base+"."+f.key, "a %s client signs with its client_secret, not a private key", AuthSecretJWT)
			}
		}
		key, err := assertion.Secret(cl.ClientSecret, cl.Alg)
		if err != nil {
			field := base + ".alg"
			if errors.Is(err, assertion.ErrShortSecret) {
				field = base + ".client_secret"
			}
			return p.fail(field, "%v", err)
		}
		key.KeyID = cl.KeyID
		cl.key = key
		return nil
	}
	field, text := base+".private_key", cl.PrivateKey
	switch {
	case cl.PrivateKey != "" && cl.PrivateKeyFile != "":
		return p.fail(base+".private_key_file", "set private_key or private_key_file, not both")
	case cl.PrivateKeyFile != "":
		field = base + ".private_key_file"
		path := cl.PrivateKeyFile
		if !filepath.IsAbs(path) && p.file != "" {
			if _, err := os.Stat(p.file); err == nil {
				path = filepath.Join(filepath.Dir(p.file), path) // relative to the configuration file
			}
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return p.fail(field, "%v", err)
		}
		text = string(data)
	case cl.PrivateKey == "":
		return p.fail(base+".private_key", "required for auth_method %s: the client's private key as PEM or JWK "+
			"(e.g. private_key: ${APP_KEY}), or private_key_file", AuthPrivateKeyJWT)
	}
	key, err := assertion.ParsePrivate(text, cl.KeyID, cl.Alg)
	if err != nil {
		// The error never quotes the key: it may be most of a secret.
		if cl.Alg != "" && errors.Is(err, assertion.ErrAlg) {
			field = base + ".alg"
		}
		return p.fail(field, "%v", err)
	}
	cl.key = key
	return nil
}

// validateClient checks one client's registration; base is its field path ("clients.primary").
// needsRedirect: the client must have a redirect URI (it logs in).
func (p *parser) validateClient(base string, cl *Client, needsRedirect bool) error {
	if cl.ClientID == "" {
		return p.fail(base+".client_id", "required")
	}
	switch cl.AuthMethod {
	case AuthBasic, AuthPost:
		if cl.ClientSecret == "" {
			return p.fail(base+".client_secret", "required for auth_method %s", cl.AuthMethod)
		}
	case AuthNone:
	case AuthPrivateKeyJWT, AuthSecretJWT:
		if err := p.validateAssertionKey(base, cl); err != nil {
			return err
		}
	default:
		return p.fail(base+".auth_method", "%q is not one of %s, %s, %s, %s, %s", cl.AuthMethod, AuthBasic, AuthPost,
			AuthPrivateKeyJWT, AuthSecretJWT, AuthNone)
	}
	switch cl.AssertionAudience {
	case "", AudienceIssuer, AudienceTokenEndpoint:
	default:
		return p.fail(base+".assertion_audience", "%q is not %s or %s", cl.AssertionAudience, AudienceIssuer, AudienceTokenEndpoint)
	}
	if !cl.UsesAssertion() {
		for _, f := range []struct{ key, value string }{{"private_key", cl.PrivateKey},
			{"private_key_file", cl.PrivateKeyFile}, {"key_id", cl.KeyID}, {"alg", cl.Alg},
			{"assertion_audience", cl.AssertionAudience}} {
			if f.value != "" {
				return p.fail(base+"."+f.key, "only a client with auth_method %s or %s signs assertions (auth_method is %s)",
					AuthPrivateKeyJWT, AuthSecretJWT, cl.AuthMethod)
			}
		}
	}
	if needsRedirect && len(cl.RedirectURIs) == 0 {
		return p.fail(base+".redirect_uris", "at least one registered redirect URI is required")
	}
	for i, u := range cl.RedirectURIs {
		if pu, err := url.Parse(u); err != nil || !pu.IsAbs() {
			return p.fail(fmt.Sprintf("%s.redirect_uris[%d]", base, i), "%q is not an absolute URI", u)
		}
	}
	switch cl.PKCE {
	case "", "optional", "required":
	default:
		return p.fail(base+".pkce", "%q is not required or optional", cl.PKCE)
	}
	return nil
}
