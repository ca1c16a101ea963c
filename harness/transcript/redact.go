// Package transcript records every HTTP exchange of a scenario at the transport, redacted once, so
// evidence can be attached to reports without ever holding a secret.
package transcript

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"sync"
	"unicode"

	"github.com/grantcheck/grantcheck/harness/safetext"
)

// SecretParams are parameter and JSON field names whose values are always secret. Names match
// ignoring case, '_' and '-' (accessToken, Access-Token).
var SecretParams = []string{
	"code", "code_verifier", "code_challenge", "client_secret", "password", "access_token", "refresh_token",
	"id_token", "token", "client_assertion", "assertion", "device_code", "session_state",
	"id_token_hint", "logout_token", "subject_token", "actor_token", "user_code", "auth_code",
}

// vocabulary are parameters whose values are protocol words, never secrets: a short secret equal to
// one of those words (the password "password") must not blank grant_type=password.
var vocabulary = map[string]bool{}

func init() {
	for _, k := range []string{"grant_type", "grant_types", "response_type", "response_types", "token_type",
		"token_type_hint", "code_challenge_method", "response_mode", "prompt", "display", "scope", "error",
		"token_endpoint_auth_method", "auth_method", "subject_token_type", "requested_token_type",
		"actor_token_type", "issued_token_type"} {
		vocabulary[normKey(k)] = true
	}
	for _, k := range SecretParams {
		secretKeys[normKey(k)] = true
	}
}

var secretKeys = map[string]bool{}

var keySeparators = strings.NewReplacer("_", "", "-", "")

func normKey(k string) string { return strings.ToLower(keySeparators.Replace(k)) }

// IsSecretName reports whether a parameter or JSON field of this name carries a secret.
func IsSecretName(k string) bool { return secretKeys[normKey(k)] }

// Redactor replaces secrets with a short fingerprint ‹kind:abc123› so the same value can be
// followed across steps without being shown. It learns values it sees under secret names, so a
// code captured from a redirect is also hidden where it is later sent in a body. All redactors made
// from one NewRedactor (Child) share one store: a value learned in one scenario is hidden in every
// other, since a provider may echo any earlier secret in any later answer.
type Redactor struct{ s *store }

// store is the run-wide knowledge. Strong secrets are replaced wherever any of their encodings
// appears; weak ones (short, or a plain word) only where they stand as a whole value, since
// blanking every "password" in a transcript hides the evidence and no secret.
type store struct {
	mu      sync.RWMutex
	labels  map[string]string   // value → label
	forms   map[string][]string // first 4 bytes of an encoded form → forms, longest first
	formLab map[string]string   // encoded form → label
	weak    map[string]string   // weak value → label
	clients []string            // client ids: base64(id:secret) is also a form of a secret
	secrets []string            // configured secrets, to pair with client ids added later
}

// NewRedactor starts with the configured secrets.
func NewRedactor(secrets ...string) *Redactor {
	r := &Redactor{s: &store{labels: map[string]string{}, forms: map[string][]string{},
		formLab: map[string]string{}, weak: map[string]string{}}}
	for _, v := range secrets {
		// Configured secrets are hidden whatever their length (a weak one as a whole value).
		if v != "" {
			r.s.secrets = append(r.s.secrets, v)
			r.add("secret", v, true)
		}
	}
	return r
}

// Child shares the run-wide knowledge (it used to be one per scenario; a learned refresh token
// echoed by a later scenario's answer then showed).
func (r *Redactor) Child() *Redactor { return &Redactor{s: r.s} }

// Client adds a client id, so base64 of id:secret (an echoed Basic header) is hidden for every
// configured secret, in the raw and the RFC 6749 §2.3.1 form-urlencoded form.
func (r *Redactor) Client(id string) {
	if id == "" {
		return
	}
	r.s.mu.Lock()
	r.s.clients = append(r.s.clients, id)
	secrets := append([]string(nil), r.s.secrets...)
	r.s.mu.Unlock()
	for _, v := range secrets {
		l, _ := r.labelOf(v)
		r.addPairForms(id, v, l)
	}
}

// Learn adds a value to hide. Values shorter than 4 characters are ignored: they would mangle
// ordinary text and carry no secret.
func (r *Redactor) Learn(kind, value string) {
	if len(value) < 4 {
		return
	}
	r.add(kind, value, false)
}

func (r *Redactor) add(kind, value string, configured bool) {
	if _, ok := r.labelOf(value); ok {
		return // keep the first label, so a value reads the same everywhere
	}
	l := label(kind, value)
	r.s.mu.Lock()
	if _, ok := r.s.labels[value]; ok {
		r.s.mu.Unlock()
		return
	}
	r.s.labels[value] = l
	clients := append([]string(nil), r.s.clients...)
	r.s.mu.Unlock()
	for _, f := range encodings(value) {
		if isWeak(value) && (f == value || len(f) < 12) {
			r.s.mu.Lock()
			r.s.weak[f] = l
			r.s.mu.Unlock()
			continue
		}
		r.addForm(f, l)
	}
	if configured {
		for _, id := range clients {
			r.addPairForms(id, value, l)
		}
	}
}

func (r *Redactor) addPairForms(id, secret, l string) {
	for _, cred := range []string{id + ":" + secret, url.QueryEscape(id) + ":" + url.QueryEscape(secret)} {
		for _, f := range base64Forms(cred) {
			r.addForm(f, l)
		}
	}
}

func (r *Redactor) addForm(f, l string) {
	if len(f) < 4 {
		return
	}
	r.s.mu.Lock()
	defer r.s.mu.Unlock()
	if _, ok := r.s.formLab[f]; ok {
		return
	}
	r.s.formLab[f] = l
	k := f[:4]
	list := append(r.s.forms[k], f)
	sort.Slice(list, func(i, j int) bool { return len(list[i]) > len(list[j]) })
	r.s.forms[k] = list
}

// isWeak: a short value or a plain word, which also occurs in text that holds no secret.
func isWeak(v string) bool {
	if len(v) < 8 {
		return true
	}
	if len(v) >= 16 {
		return false
	}
	for _, c := range v {
		if !unicode.IsLetter(c) {
			return false
		}
	}
	return true
}

// encodings are the forms in which a provider plausibly echoes a value: raw, percent and form
// encoded, JSON-escaped (Go's encoder also escapes <, >, &; others escape /), base64 std and url.
func encodings(v string) []string {
	out := []string{v, url.QueryEscape(v), url.PathEscape(v)}
	for _, html := range []bool{true, false} {
		e := jsonEscape(v, html)
		out = append(out, e, strings.ReplaceAll(e, "/", `\/`))
	}
	out = append(out, base64Forms(v)...)
	seen := map[string]bool{}
	uniq := out[:0]
	for _, f := range out {
		if !seen[f] {
			seen[f] = true
			uniq = append(uniq, f)
		}
	}
	return uniq
}

func base64Forms(v string) []string {
	b := []byte(v)
	return []string{base64.StdEncoding.EncodeToString(b), base64.RawStdEncoding.EncodeToString(b),
		base64.URLEncoding.EncodeToString(b), base64.RawURLEncoding.EncodeToString(b)}
}

func jsonEscape(v string, html bool) string {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(html)
	_ = enc.Encode(v) // a string always encodes
	s := strings.TrimSuffix(b.String(), "\n")
	return s[1 : len(s)-1]
}

// labelOf is the label of a known value.
func (r *Redactor) labelOf(value string) (string, bool) {
	r.s.mu.RLock()
	defer r.s.mu.RUnlock()
	l, ok := r.s.labels[value]
	return l, ok
}

func label(kind, value string) string {
	sum := sha256.Sum256([]byte(value))
	return "‹" + kind + ":" + hex.EncodeToString(sum[:3]) + "›"
}

var (
	// name=value in query strings, fragments and form bodies.
	formPair = regexp.MustCompile(`(^|[?&#;\s])([A-Za-z0-9_.\-\[\]]+)=([^&#\s"'<>]*)`)
	// "name":"value" in JSON (escapes inside the value included).
	jsonPair = regexp.MustCompile(`"([A-Za-z0-9_.\-]+)"\s*:\s*"((?:[^"\\]|\\.)*)"`)
)

// Redact hides every secret in s: values under secret names first (learning them), then every
// known value wherever it appears in any of its encodings; weak values only as whole values.
func (r *Redactor) Redact(s string) string {
	forms := formPair.FindAllStringSubmatchIndex(s, -1)
	for _, m := range forms {
		if k := s[m[4]:m[5]]; IsSecretName(k) {
			r.learnEncoded(strings.ToLower(k), s[m[6]:m[7]])
		}
	}
	pairs := jsonPair.FindAllStringSubmatchIndex(s, -1)
	for _, m := range pairs {
		if k := s[m[2]:m[3]]; IsSecretName(k) {
			if v, ok := unquote(s[m[4]:m[5]]); ok {
				r.Learn(strings.ToLower(k), v)
			}
		}
	}
	// Weak values first, on the text the matches were found in; labels match no secret after.
	s = r.replaceWeak(s, forms, pairs)
	return r.replaceForms(s)
}

// learnEncoded learns a form-urlencoded value: the decoded value; its encodings follow.
func (r *Redactor) learnEncoded(kind, encoded string) {
	dec, err := url.QueryUnescape(encoded)
	if err != nil || len(dec) < 4 {
		dec = encoded
	}
	r.Learn(kind, dec)
}

func unquote(jsonText string) (string, bool) {
	var v string
	if err := json.Unmarshal([]byte(`"`+jsonText+`"`), &v); err != nil {
		return "", false
	}
	return v, true
}

// replaceForms scans s once: at each position, the longest known form starting there.
func (r *Redactor) replaceForms(s string) string {
	r.s.mu.RLock()
	defer r.s.mu.RUnlock()
	if len(r.s.forms) == 0 || len(s) < 4 {
		return s
	}
	var b strings.Builder
	last := 0
	for i := 0; i+4 <= len(s); {
		list := r.s.forms[s[i:i+4]]
		hit := ""
		for _, f := range list {
			if strings.HasPrefix(s[i:], f) {
				hit = f
				break
			}
		}
		if hit == "" {
			i++
			continue
		}
		b.WriteString(s[last:i])
		b.WriteString(r.s.formLab[hit])
		i += len(hit)
		last = i
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

// replaceWeak hides weak values where they stand as a whole value: the whole text (a header
// value), a form value or a JSON string value, unless the parameter's values are protocol words.
func (r *Redactor) replaceWeak(s string, forms, pairs [][]int) string {
	r.s.mu.RLock()
	defer r.s.mu.RUnlock()
	if len(r.s.weak) == 0 {
		return s
	}
	if l, ok := r.s.weak[strings.TrimSpace(s)]; ok {
		return l
	}
	var edits []edit
	edits = appendEdits(edits, s, forms, 2, 3, func(k, v string) (string, bool) {
		if vocabulary[normKey(k)] {
			return "", false
		}
		if l, ok := r.s.weak[v]; ok {
			return l, true
		}
		if dec, err := url.QueryUnescape(v); err == nil {
			l, ok := r.s.weak[dec]
			return l, ok
		}
		return "", false
	})
	edits = appendEdits(edits, s, pairs, 1, 2, func(k, v string) (string, bool) {
		if vocabulary[normKey(k)] {
			return "", false
		}
		if dec, ok := unquote(v); ok {
			l, ok := r.s.weak[dec]
			return l, ok
		}
		return "", false
	})
	return apply(s, edits)
}

// edit replaces s[from:to].
type edit struct {
	from, to int
	with     string
}

// appendEdits adds, for each match whose value f gives a replacement, the edit of its value group.
func appendEdits(edits []edit, s string, idx [][]int, keyGroup, valGroup int, f func(k, v string) (string, bool)) []edit {
	for _, m := range idx {
		ks, ke, vs, ve := m[2*keyGroup], m[2*keyGroup+1], m[2*valGroup], m[2*valGroup+1]
		if l, ok := f(s[ks:ke], s[vs:ve]); ok {
			edits = append(edits, edit{vs, ve, l})
		}
	}
	return edits
}

// apply makes non-overlapping edits (in position order; an overlapping later one is dropped).
func apply(s string, edits []edit) string {
	if len(edits) == 0 {
		return s
	}
	sort.Slice(edits, func(i, j int) bool { return edits[i].from < edits[j].from })
	var b strings.Builder
	last := 0
	for _, e := range edits {
		if e.from < last {
			continue
		}
		b.WriteString(s[last:e.from])
		b.WriteString(e.with)
		last = e.to
	}
	b.WriteString(s[last:])
	return b.String()
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
			dec, derr := url.QueryUnescape(secret) // RFC 6749 §2.3.1: form-urlencoded before Base64
			if derr != nil {
				dec = secret
			}
			r.add("secret", dec, false)
			l, _ := r.labelOf(dec)
			r.addPairForms(id, dec, l)
			// The header as sent, should the provider echo it.
			for _, f := range base64Forms(string(raw)) {
				r.addForm(f, l)
			}
			return "Basic base64(" + r.Redact(id) + ":" + r.Redact(secret) + ")"
		}
	}
	r.Learn("token", cred)
	return scheme + " " + r.Redact(cred)
}

// Clean is how any text that may hold the provider's bytes or a secret is shown: redacted, with
// control characters escaped. Every error text bound for the console or a report passes here.
func (r *Redactor) Clean(s string) string { return safetext.Terminal(r.Redact(s)) }

// CleanError is err with a cleaned message; errors.Is and errors.As still see the original.
func (r *Redactor) CleanError(err error) error {
	if err == nil {
		return nil
	}
	var c *cleanError
	if errors.As(err, &c) && c.msg == err.Error() {
		return err
	}
	return &cleanError{msg: Excerpt(r.Clean(err.Error()), ShownError), err: err}
}

// ShownError bounds an error message (it may quote a page or a body); ShownReason a verdict's
// reason (it quotes the failing exchange's record), in the reports and in Ginkgo's files alike.
const (
	ShownError  = 4 << 10
	ShownReason = 4 << 10
)

type cleanError struct {
	msg string
	err error
}

func (e *cleanError) Error() string { return e.msg }
func (e *cleanError) Unwrap() error { return e.err }

// URLErrorCause drops url.Error's repetition of method and URL, for messages that name them once.
func URLErrorCause(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}
