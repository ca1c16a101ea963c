// Package transcript records every HTTP exchange of a scenario at the transport, redacted once, so
// evidence can be attached to reports without ever holding a secret.
package transcript

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"sync"
)

// SecretParams are parameter and JSON field names whose values are always secret.
var SecretParams = []string{
	"code", "code_verifier", "code_challenge", "client_secret", "password", "access_token", "refresh_token",
	"id_token", "token", "client_assertion", "assertion", "device_code", "session_state",
}

// Redactor replaces secrets with a short fingerprint ‹kind:abc123› so the same value can be
// followed across steps without being shown. It learns values it sees under secret names, so a
// code captured from a redirect is also hidden where it is later sent in a body.
type Redactor struct {
	mu     sync.RWMutex
	known  map[string]string // secret value → its label
	parent *Redactor
}

// NewRedactor starts with the configured secrets.
func NewRedactor(secrets ...string) *Redactor {
	r := &Redactor{known: map[string]string{}}
	for _, s := range secrets {
		// Configured secrets are hidden whatever their length: a short one mangles the transcript,
		// which is better than showing it.
		if s != "" {
			r.known[s] = label("secret", s)
		}
	}
	return r
}

// Child shares the parent's knowledge and learns on its own (one per scenario).
func (r *Redactor) Child() *Redactor {
	return &Redactor{known: map[string]string{}, parent: r}
}

// Learn adds a value to hide. Values shorter than 4 characters are ignored: they would mangle
// ordinary text and carry no secret.
func (r *Redactor) Learn(kind, value string) {
	if len(value) < 4 {
		return
	}
	if _, ok := r.labelOf(value); ok {
		return // keep the first label, also one the parent gave, so a value reads the same everywhere
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.known[value]; !ok {
		r.known[value] = label(kind, value)
	}
}

// learnEncoded learns a form-urlencoded value: the decoded value, and the encoded form under the
// decoded value's label (not one of its own), so both read as the same secret.
func (r *Redactor) learnEncoded(kind, encoded string) {
	dec, err := url.QueryUnescape(encoded)
	if err != nil || dec == encoded || len(dec) < 4 {
		r.Learn(kind, encoded)
		return
	}
	r.Learn(kind, dec)
	l, ok := r.labelOf(dec)
	if !ok {
		return
	}
	if _, known := r.labelOf(encoded); known {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, known := r.known[encoded]; !known {
		r.known[encoded] = l
	}
}

// labelOf is the label of a known value, looking in the parents too.
func (r *Redactor) labelOf(value string) (string, bool) {
	r.mu.RLock()
	l, ok := r.known[value]
	r.mu.RUnlock()
	if !ok && r.parent != nil {
		return r.parent.labelOf(value)
	}
	return l, ok
}

func label(kind, value string) string {
	sum := sha256.Sum256([]byte(value))
	return "‹" + kind + ":" + hex.EncodeToString(sum[:3]) + "›"
}

func (r *Redactor) all() map[string]string {
	out := map[string]string{}
	if r.parent != nil {
		for k, v := range r.parent.all() {
			out[k] = v
		}
	}
	r.mu.RLock()
	defer r.mu.RUnlock()
	for k, v := range r.known {
		out[k] = v
	}
	return out
}

var (
	// name=value in query strings and form bodies.
	formSecret = regexp.MustCompile(`(?i)(^|[?&#\s])(` + strings.Join(SecretParams, "|") + `)=([^&#\s"]+)`)
	// "name":"value" in JSON.
	jsonSecret = regexp.MustCompile(`(?i)"(` + strings.Join(SecretParams, "|") + `)"\s*:\s*"([^"]*)"`)
)

// Redact hides every secret in s: values under secret names first (learning them), then every
// known value wherever it appears, also percent- or base64-encoded.
func (r *Redactor) Redact(s string) string {
	for _, m := range formSecret.FindAllStringSubmatch(s, -1) {
		r.learnEncoded(strings.ToLower(m[2]), m[3])
	}
	for _, m := range jsonSecret.FindAllStringSubmatch(s, -1) {
		r.Learn(strings.ToLower(m[1]), m[2])
	}
	known := r.all()
	values := make([]string, 0, len(known))
	for v := range known {
		values = append(values, v)
	}
	// Longest first, so a secret containing another is replaced whole.
	sort.Slice(values, func(i, j int) bool { return len(values[i]) > len(values[j]) })
	for _, v := range values {
		l := known[v]
		s = strings.ReplaceAll(s, v, l)
		if e := url.QueryEscape(v); e != v {
			s = strings.ReplaceAll(s, e, l)
		}
		if e := url.PathEscape(v); e != v {
			s = strings.ReplaceAll(s, e, l)
		}
	}
	return s
}

// RedactAuthorization shows a Basic header as base64(id:‹secret›) so the client is visible and
// the secret is not; any other scheme's credentials are hidden whole.
func (r *Redactor) RedactAuthorization(h string) string {
	scheme, cred, ok := strings.Cut(h, " ")
	if !ok {
		return label("credential", h)
	}
	if strings.EqualFold(scheme, "Basic") {
		raw, err := base64.StdEncoding.DecodeString(cred)
		if err == nil {
			id, secret, _ := strings.Cut(string(raw), ":")
			r.learnEncoded("secret", secret) // RFC 6749 §2.3.1: form-urlencoded before Base64
			return "Basic base64(" + r.Redact(id) + ":" + r.Redact(secret) + ")"
		}
	}
	r.Learn("token", cred)
	return scheme + " " + r.Redact(cred)
}

// Absorb learns everything other knows (a setup run's codes, handed to the scenario using them).
func (r *Redactor) Absorb(other *Redactor) {
	for v, l := range other.all() {
		r.mu.Lock()
		if _, ok := r.known[v]; !ok {
			r.known[v] = l
		}
		r.mu.Unlock()
	}
}
