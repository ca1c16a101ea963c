// Package answers is what real providers answer at the token endpoint, kept as data: one YAML
// file per provider (providers/*.yaml, the schema of /work/research/SCHEMA.md), each entry the
// answer's status, error and error_description (or numbered code), the causes it means and the
// public source it was read from. rfc.yaml holds what RFC 6749 §5.2 and RFC 7636 §4.6 say each
// error code means, the reading when no provider entry matches.
//
// The table is parsed and validated once, on first use; a file that fails validation is an
// error of the build (a test loads every file), never a panic at run time: Load then returns the
// files that passed with the error. A provider file may have no entries: it is then only
// recognised, and its answers are read as RFC 6749 defines their error values.
package answers

import (
	"bytes"
	"embed"
	"fmt"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"regexp"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

//go:embed providers/*.yaml rfc.yaml
var files embed.FS

// Match modes of Entry.Says.
const (
	Exact    = "exact"
	Prefix   = "prefix"
	Contains = "contains"
	Regex    = "regex"
)

// Provider is one provider's file.
type Provider struct {
	Name      string    `yaml:"name"`
	Slug      string    `yaml:"slug"`
	Recognise Recognise `yaml:"recognise"`
	Docs      string    `yaml:"docs"`
	Entries   []Entry   `yaml:"entries"`
	// File is the embedded file it came from.
	File string `yaml:"-"`
}

// Recognise: any one that matches recognises the provider.
type Recognise struct {
	TokenPathSuffixes []string `yaml:"token_path_suffixes"`
	HostSuffixes      []string `yaml:"host_suffixes"`
	IssuerContains    []string `yaml:"issuer_contains"`
	Shape             []string `yaml:"shape"`
	// Cookies are the names of cookies the provider's login pages set (Set-Cookie), as a HAR of
	// the whole flow shows them; a name ending in * is a prefix (Hydra adds a client suffix).
	Cookies []Sign `yaml:"cookies"`
	// LoginPaths are path parts only the provider's login / interaction pages have
	// ("/login-actions/"), matched anywhere in a flow page's path.
	LoginPaths []Sign `yaml:"login_paths"`
}

// Sign is one flow signal and where it was read (the provider's source or documentation).
type Sign struct {
	Name   string `yaml:"name"`
	Source string `yaml:"source"`
}

// Entry is one documented answer.
type Entry struct {
	Status     int      `yaml:"status"`
	Error      string   `yaml:"error"`
	Says       string   `yaml:"says"`
	Match      string   `yaml:"match"`
	Code       string   `yaml:"code"`
	Means      []string `yaml:"means"`
	Generic    bool     `yaml:"generic"`
	Misleading string   `yaml:"misleading"`
	Fix        string   `yaml:"fix"`
	Source     string   `yaml:"source"`
	Quote      string   `yaml:"quote"`
	re         *regexp.Regexp
}

// Table is every provider file and the RFC reading.
type Table struct {
	Providers []*Provider
	RFC       *Provider
}

// Load parses and validates the embedded table once.
var Load = sync.OnceValues(func() (*Table, error) { return load(files) })

// otherCause is the form of a cause outside the list: other:<short-kebab-name>.
var otherCause = regexp.MustCompile(`^other:[a-z0-9]+(-[a-z0-9]+)*$`)

// Causes are the cause ids a table entry may name (besides other:<name>): the ids explain
// diagnoses, in its order.
var Causes = []string{"code-reused", "code-expired", "code-invalid", "clock-skew", "redirect-uri-missing",
	"redirect-uri-mismatch", "pkce-verifier-missing", "pkce-verifier-mismatch", "pkce-verifier-unexpected",
	"client-mismatch", "client-authentication", "grant-type-not-allowed", "scope-invalid",
	"request-malformed", "user-or-consent"}

// KnownCause reports whether id is a cause an entry may name.
func KnownCause(id string) bool { return slices.Contains(Causes, id) || otherCause.MatchString(id) }

func load(fsys fs.FS) (*Table, error) {
	t := &Table{}
	names, err := fs.Glob(fsys, "providers/*.yaml")
	if err != nil {
		return nil, err
	}
	var errs []string
	slugs := map[string]string{}
	for _, name := range append(names, "rfc.yaml") {
		p, err := parse(fsys, name)
		if err != nil {
			errs = append(errs, err.Error())
			continue
		}
		if other, dup := slugs[p.Slug]; dup {
			errs = append(errs, fmt.Sprintf("%s: slug %q is also %s's", name, p.Slug, other))
			continue
		}
		slugs[p.Slug] = name
		if name == "rfc.yaml" {
			t.RFC = p
		} else {
			t.Providers = append(t.Providers, p)
		}
	}
	if t.RFC == nil {
		return nil, fmt.Errorf("provider answer table: %s", strings.Join(errs, "; "))
	}
	if len(errs) > 0 { // the files that load still serve; a test keeps this from shipping
		return t, fmt.Errorf("provider answer table: %s", strings.Join(errs, "; "))
	}
	return t, nil
}

func parse(fsys fs.FS, name string) (*Provider, error) {
	raw, err := fs.ReadFile(fsys, name)
	if err != nil {
		return nil, err
	}
	dec := yaml.NewDecoder(bytes.NewReader(raw))
	dec.KnownFields(true)
	p := &Provider{File: name}
	if err := dec.Decode(p); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if err := p.validate(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return p, nil
}

func (p *Provider) validate() error {
	if p.Name == "" || p.Slug == "" {
		return fmt.Errorf("name and slug are required")
	}
	if want := strings.TrimSuffix(path.Base(p.File), ".yaml"); p.File != "rfc.yaml" && p.Slug != want {
		return fmt.Errorf("slug %q is not the file's name %q", p.Slug, want)
	}
	if p.Docs != "" && !isURL(p.Docs) {
		return fmt.Errorf("docs %q is not an http(s) URL", p.Docs)
	}
	for _, c := range p.Recognise.Cookies {
		if err := c.validateCookie(); err != nil {
			return fmt.Errorf("recognise.cookies %q: %w", c.Name, err)
		}
	}
	for _, l := range p.Recognise.LoginPaths {
		if err := l.validatePath(); err != nil {
			return fmt.Errorf("recognise.login_paths %q: %w", l.Name, err)
		}
	}
	for i := range p.Entries {
		e := &p.Entries[i]
		if err := e.validate(); err != nil {
			return fmt.Errorf("entry %d (%s %q): %w", i+1, e.Error, e.Says, err)
		}
	}
	return nil
}

func (e *Entry) validate() error {
	if e.Error == "" && e.Code == "" && e.Says == "" && e.Status == 0 {
		return fmt.Errorf("neither status, error, says nor code: nothing to match")
	}
	if e.Status != 0 && (e.Status < 100 || e.Status > 599) {
		return fmt.Errorf("status %d is not an HTTP status", e.Status)
	}
	switch e.Match {
	case "":
		if e.Says != "" {
			return fmt.Errorf("says without match (exact, prefix, contains or regex)")
		}
	case Exact, Prefix, Contains:
	case Regex:
		re, err := regexp.Compile(e.Says)
		if err != nil {
			return fmt.Errorf("says is not a Go regular expression: %v", err)
		}
		e.re = re
	default:
		return fmt.Errorf("match %q: want exact, prefix, contains or regex", e.Match)
	}
	if len(e.Means) == 0 {
		return fmt.Errorf("means names no cause")
	}
	for _, c := range e.Means {
		if !KnownCause(c) {
			return fmt.Errorf("means %q: not a cause id (SCHEMA.md lists them; other:<kebab-name> for the rest)", c)
		}
	}
	if !isURL(e.Source) {
		return fmt.Errorf("source %q is not an http(s) URL", e.Source)
	}
	if e.Quote == "" || utf8.RuneCountInString(e.Quote) > maxQuote {
		return fmt.Errorf("the quote from the source is empty or longer than %d characters", maxQuote)
	}
	return nil
}

// MaxSignName bounds a cookie name or login path of the table, so a flow signal echoed in a
// sentence is short (and a longer name seen in a recording can never be one of them).
const MaxSignName = 64

// genericCookies are names many frameworks set: they say nothing of the provider, so the table
// may not hold them (compared case-insensitively; a prefix sign may not be a prefix of one).
var genericCookies = []string{"jsessionid", "sessionid", "session", "sid", "csrftoken", "xsrf-token",
	"phpsessid", "asp.net_sessionid", "connect.sid", "_csrf", "csrf_token", "laravel_session", "rack.session"}

func (c Sign) validateCookie() error {
	name, prefix := strings.CutSuffix(c.Name, "*")
	if name == "" || len(c.Name) > MaxSignName {
		return fmt.Errorf("empty or longer than %d characters", MaxSignName)
	}
	// net/http's own check: RFC 6265 §4.1.1, a cookie-name is an RFC 2616 token.
	if (&http.Cookie{Name: name, Value: "v"}).Valid() != nil {
		return fmt.Errorf("not a cookie name (RFC 6265 §4.1.1: a token)")
	}
	if prefix && len(name) < 4 {
		return fmt.Errorf("a prefix sign needs at least 4 characters")
	}
	for _, g := range genericCookies {
		if strings.EqualFold(name, g) || (prefix && strings.HasPrefix(g, strings.ToLower(name))) {
			return fmt.Errorf("a name many frameworks set: it does not tell the provider")
		}
	}
	return c.validateSource()
}

func (c Sign) validatePath() error {
	if len(c.Name) < 4 || len(c.Name) > MaxSignName || !strings.HasPrefix(c.Name, "/") || strings.ContainsAny(c.Name, "?#% ") {
		return fmt.Errorf("a login path is a path part of 4 to %d characters starting with /, no query", MaxSignName)
	}
	return c.validateSource()
}

func (c Sign) validateSource() error {
	if !isURL(c.Source) {
		return fmt.Errorf("source %q is not an http(s) URL", c.Source)
	}
	return nil
}

// maxQuote is the longest excerpt of a source an entry quotes.
const maxQuote = 200

func isURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != ""
}
