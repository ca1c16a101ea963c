package explain

import (
	"encoding/base64"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/grantcheck/grantcheck/harness/config"
	"github.com/grantcheck/grantcheck/harness/explain/answers"
	"github.com/grantcheck/grantcheck/harness/pkce"
	"github.com/grantcheck/grantcheck/harness/transcript"
)

// recommendedCodeTTL is RFC 6749 §4.1.2's recommended maximum code lifetime, assumed when the
// configuration does not give code_ttl.
const recommendedCodeTTL = 10 * time.Minute

// skewTolerance is how far clocks may disagree before it is worth naming: Date has whole
// seconds, and a second of network and processing time is common.
const skewTolerance = 2 * time.Second

type diagnosis struct {
	in         Input
	red        *transcript.Redactor
	causes     []Cause
	checked    []string
	notChecked []string
	auth       clientAuth
	authz      url.Values // the authorization request's parameters; nil when not seen
	client     *config.Client
	errCode    string // the response's "error"
	errDesc    string // and its error_description
	codeGrant  bool
	heard      heard
}

// clientAuth is how the token request identifies and authenticates its client.
type clientAuth struct {
	basicID, basicSecret string
	hasBasic             bool
	bodyID, bodySecret   string
	hasBodySecret        bool
}

// id is the client the request speaks for: Basic first (it authenticates), then the body.
func (a clientAuth) id() string {
	if a.hasBasic {
		return a.basicID
	}
	return a.bodyID
}

// method is the token_endpoint_auth_method the request used.
func (a clientAuth) method() string {
	switch {
	case a.hasBasic && a.hasBodySecret:
		return "client_secret_basic and client_secret_post"
	case a.hasBasic:
		return config.AuthBasic
	case a.hasBodySecret:
		return config.AuthPost
	}
	return config.AuthNone
}

func (a clientAuth) secret() string {
	if a.hasBasic {
		return a.basicSecret
	}
	return a.bodySecret
}

func newDiagnosis(in Input, red *transcript.Redactor) *diagnosis {
	d := &diagnosis{in: in, red: red}
	t := in.Token
	if t.Form == nil {
		d.in.Token.Form = url.Values{}
	}
	if in.Authorize != nil && in.Authorize.URL != nil {
		d.authz = in.Authorize.URL.Query()
	}
	if h := t.Header.Get("Authorization"); h != "" {
		if scheme, cred, ok := strings.Cut(h, " "); ok && strings.EqualFold(scheme, "Basic") {
			if raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(cred)); err == nil {
				id, secret, _ := strings.Cut(string(raw), ":")
				d.auth.basicID, d.auth.basicSecret, d.auth.hasBasic = formDecode(id), formDecode(secret), true
			}
		}
	}
	d.auth.bodyID = d.in.Token.Form.Get("client_id")
	d.auth.bodySecret, d.auth.hasBodySecret = d.in.Token.Form.Get("client_secret"), d.in.Token.Form.Has("client_secret")
	for _, n := range in.Notes {
		d.skip("input", n)
	}
	// Teach the redactor every secret of the input so no evidence line can carry one.
	red.Learn("code", d.in.Token.Form.Get("code"))
	red.Learn("code_verifier", d.in.Token.Form.Get("code_verifier"))
	red.Learn("secret", d.auth.basicSecret)
	red.Learn("secret", d.auth.bodySecret)
	for _, e := range in.Earlier {
		red.Learn("code", e.Form.Get("code"))
	}
	if t.Response != nil {
		d.heard.answer, _ = answers.ParseAnswer(t.Response.Status, t.Response.Body) // read once, here
		d.errCode, d.errDesc = d.heard.answer.Error, d.heard.answer.Description
		red.Redact(string(t.Response.Body)) // learns tokens of a successful answer
	}
	// A token request without grant_type but with a code is read as a code exchange (GitHub's
	// token endpoint documents no grant_type); its absence is noted.
	g := d.in.Token.Form.Get("grant_type")
	d.codeGrant = !in.NoRequest && (g == "authorization_code" || (g == "" && d.in.Token.Form.Get("code") != ""))
	if in.Config != nil {
		id := d.auth.id()
		if id == "" {
			id = d.authz.Get("client_id")
		}
		d.client = clientByID(in.Config, id)
	}
	return d
}

func formDecode(s string) string {
	if v, err := url.QueryUnescape(s); err == nil {
		return v
	}
	return s
}

func (d *diagnosis) add(id string, c Confidence, evidence, fix string) {
	for i, have := range d.causes {
		if have.ID == id { // one entry per cause: keep the stronger, add the evidence
			if c.rank() < have.Confidence.rank() {
				d.causes[i].Confidence = c
			}
			d.causes[i].Evidence += "; " + evidence
			return
		}
	}
	d.causes = append(d.causes, Cause{ID: id, Confidence: c, Evidence: evidence, Fix: fix})
}

// addReading adds a cause read from the answer's error value alone (its RFC 6749 §5.2 meaning),
// not from the input: a provider table entry that names another cause overrides it (weigh).
func (d *diagnosis) addReading(id string, c Confidence, evidence, fix string) {
	fresh := d.causeAt(id) < 0 // a cause the input showed stays the input's
	d.add(id, c, evidence, fix)
	if fresh {
		d.causes[len(d.causes)-1].reading = true
	}
}

func (d *diagnosis) check(id string) {
	if !slices.Contains(d.checked, id) {
		d.checked = append(d.checked, id)
	}
}

func (d *diagnosis) skip(id, why string) { d.notChecked = append(d.notChecked, id+": "+why) }

// fp is a value's transcript fingerprint.
func (d *diagnosis) fp(kind, v string) string {
	if v == "" {
		return "(empty)"
	}
	d.red.Learn(kind, v)
	if out := d.red.Redact(v); out != v {
		return out
	}
	return "‹" + kind + ": " + fmt.Sprint(len(v)) + " characters›" // too short to learn
}

func (d *diagnosis) run() {
	if d.in.NoRequest {
		for _, id := range StructuralCauseIDs[:len(StructuralCauseIDs)-1] {
			d.skip(id, "the token request is not in the input ("+tellApart[id]+")")
		}
	} else {
		d.structure()
	}
	d.listen()
	d.weigh()
	d.unexplained()
}

// structure runs the checks of the request against itself, the recording and the registration.
func (d *diagnosis) structure() {
	if !d.in.Token.Form.Has("grant_type") {
		d.skip("grant_type", "the token request has no grant_type (RFC 6749 §4.1.3 requires it; GitHub's endpoint does not): read as a code exchange")
		if d.errCode == "invalid_request" || d.errCode == "unsupported_grant_type" {
			d.add(RequestMalformed, Likely, "the token request has no grant_type, which RFC 6749 §4.1.3 requires, and "+d.responseSays(),
				"Send grant_type=authorization_code with the code (RFC 6749 §4.1.3).")
		}
	}
	if d.authz != nil && !d.authz.Has("response_type") {
		d.skip("response_type", "the authorization request has no response_type (RFC 6749 §4.1.1 requires it; GitHub's endpoint does not): read as a code flow")
	}
	if d.codeGrant {
		d.codeReused()
		d.codeAge()
		d.redirectURI()
		d.pkce()
	} else {
		why := fmt.Sprintf("not a code exchange (grant_type=%s)", d.in.Token.Form.Get("grant_type"))
		for _, id := range []string{CodeReused, CodeExpired, ClockSkew, RedirectURIMissing, RedirectURIMismatch,
			PKCEVerifierMissing, PKCEVerifierMismatch, PKCEVerifierUnexpected, ClientMismatch} {
			d.skip(id, why)
		}
	}
	if d.codeGrant {
		d.clientMismatch()
	}
	d.clientAuthentication()
	d.grantType()
}

func (d *diagnosis) responseSays() string {
	r := d.in.Token.Response
	if r == nil {
		return "no answer given"
	}
	s := "the provider answered"
	if r.Status != 0 {
		s += fmt.Sprintf(" HTTP %d", r.Status)
	}
	if d.errCode != "" {
		s += " " + d.errCode
	} else if d.issued() {
		s += " with tokens"
	} else {
		s += " without tokens or an error value"
	}
	return s
}

// codeReused: RFC 6749 §4.1.2, a code is single-use.
func (d *diagnosis) codeReused() {
	code := d.in.Token.Form.Get("code")
	if code == "" {
		d.skip(CodeReused, "the token request carries no code")
		return
	}
	if !d.in.Recording {
		d.skip(CodeReused, "only this token request is in the input; a HAR of the whole flow shows earlier redemptions")
		return
	}
	d.check(CodeReused)
	for i := len(d.in.Earlier) - 1; i >= 0; i-- {
		e := d.in.Earlier[i]
		if e.Form.Get("code") != code {
			continue
		}
		when := ""
		if !e.At.IsZero() && !d.in.Token.At.IsZero() {
			when = fmt.Sprintf(" %s earlier", d.in.Token.At.Sub(e.At).Round(time.Millisecond))
		}
		fix := "Redeem each code exactly once: make the callback handler idempotent (a reload, a double " +
			"submit or a retry after a timeout must not redeem again) and keep the tokens from the first redemption."
		if e.Response != nil && e.Response.Status >= 200 && e.Response.Status < 300 {
			d.add(CodeReused, Certain, fmt.Sprintf("the code %s was already redeemed%s (HTTP %d, tokens issued); "+
				"a code is single-use (RFC 6749 §4.1.2), and this second redemption got: %s",
				d.fp("code", code), when, e.Response.Status, d.responseSays()), fix)
		} else {
			d.add(CodeReused, Likely, fmt.Sprintf("the code %s was already sent%s (%s); a provider may consume a code on "+
				"any redemption attempt (RFC 6749 §4.1.2)", d.fp("code", code), when, answer(e.Response)), fix)
		}
		return
	}
}

func answer(r *Response) string {
	if r == nil {
		return "its answer is not recorded"
	}
	return fmt.Sprintf("answered HTTP %d", r.Status)
}

// codeAge compares the code's age with its lifetime (RFC 6749 §4.1.2) by both clocks.
func (d *diagnosis) codeAge() {
	rd, t := d.in.Redirect, d.in.Token
	if rd == nil {
		why := "the redirect carrying code= is not in the input, so the code's age is unknown"
		d.skip(CodeExpired, why)
		d.skip(ClockSkew, why)
		return
	}
	ttl, ttlFrom := recommendedCodeTTL, "RFC 6749 §4.1.2's recommended maximum (no code_ttl in --config)"
	if d.in.Config != nil && d.in.Config.Provider.CodeTTL > 0 {
		ttl, ttlFrom = d.in.Config.Provider.CodeTTL.D(), "code_ttl in the configuration"
	}
	var clientAge, providerAge time.Duration
	haveClient := !rd.At.IsZero() && !t.At.IsZero()
	haveProvider := t.Response != nil && !rd.Date.IsZero() && !t.Response.Date.IsZero()
	if haveClient {
		clientAge = t.At.Sub(rd.At)
	}
	if haveProvider {
		providerAge = t.Response.Date.Sub(rd.Date)
	}
	if !haveClient && !haveProvider {
		d.skip(CodeExpired, "no times in the input for the redirect and the token request")
		d.skip(ClockSkew, "no times in the input")
		return
	}
	d.check(CodeExpired)
	var ages []string
	if haveClient {
		ages = append(ages, fmt.Sprintf("%s old by the client's clock", clientAge.Round(time.Millisecond)))
	}
	if haveProvider {
		ages = append(ages, fmt.Sprintf("%s old by the provider's Date headers (whole seconds)", providerAge))
	}
	offsets := d.offsets()
	evidence := fmt.Sprintf("when redeemed, the code was %s, against a lifetime of %s (%s)%s",
		strings.Join(ages, " and "), ttl, ttlFrom, offsets)
	expiredByClient := haveClient && clientAge > ttl
	expiredByProvider := haveProvider && providerAge > ttl+time.Second
	conf := Likely
	if ttlFrom == "code_ttl in the configuration" {
		conf = Certain
	}
	switch {
	case expiredByClient || (expiredByProvider && !haveClient):
		d.add(CodeExpired, conf, evidence, "Redeem the code as soon as the redirect arrives: nothing (a user "+
			"prompt, a queue, a slow backend call) should sit between the callback and the token request. If "+
			"the lifetime is really too short for your flow, raise it at the provider, within the 10 minutes RFC 6749 §4.1.2 recommends.")
	case haveClient:
		d.check(ClockSkew)
		if expiredByProvider {
			d.add(ClockSkew, Likely, evidence+"; by the provider's own Date headers the code outlived its lifetime "+
				"although the client redeemed it in time: the provider's servers disagree about the time",
				"Synchronise the provider's clocks (NTP on every node behind the load balancer); the node that "+
					"issued the code and the one that redeemed it are more than the code lifetime apart.")
		} else if drift := d.drift(); drift > skewTolerance {
			d.add(ClockSkew, Possible, fmt.Sprintf("the provider's clock moved %s more than the client's between the "+
				"redirect and the token request%s", drift.Round(time.Second), offsets),
				"Check NTP on the provider's nodes: its answers disagree about the time by more than the "+
					"network explains, which shortens the code's life on some nodes.")
		}
	}
}

// offsets describes the provider-minus-client clock offset at both steps.
func (d *diagnosis) offsets() string {
	rd, t := d.in.Redirect, d.in.Token
	var parts []string
	if !rd.Date.IsZero() && !rd.At.IsZero() {
		parts = append(parts, fmt.Sprintf("%s at the redirect", signed(rd.Date.Sub(rd.At.Truncate(time.Second)))))
	}
	if t.Response != nil && !t.Response.Date.IsZero() && !t.At.IsZero() {
		parts = append(parts, fmt.Sprintf("%s at the token request", signed(t.Response.Date.Sub(t.At.Truncate(time.Second)))))
	}
	if len(parts) == 0 {
		return ""
	}
	return "; provider clock minus client clock (from Date headers): " + strings.Join(parts, ", ")
}

// drift is how much more the provider's clock advanced than the client's between the two steps.
func (d *diagnosis) drift() time.Duration {
	rd, t := d.in.Redirect, d.in.Token
	if t.Response == nil || rd.Date.IsZero() || t.Response.Date.IsZero() || rd.At.IsZero() || t.At.IsZero() {
		return 0
	}
	x := t.Response.Date.Sub(rd.Date) - t.At.Sub(rd.At)
	if x < 0 {
		x = -x
	}
	return x
}

func signed(x time.Duration) string {
	x = x.Round(time.Second)
	if x >= 0 {
		return "+" + x.String()
	}
	return x.String()
}

// redirectURI: RFC 6749 §4.1.3, redirect_uri is REQUIRED at the token endpoint when the
// authorization request included it, and the values must be identical.
func (d *diagnosis) redirectURI() {
	form := d.in.Token.Form
	got, has := form.Get("redirect_uri"), form.Has("redirect_uri")
	if d.authz == nil {
		if d.client == nil {
			why := "the authorization request is not in the input (and no --config to compare with)"
			d.skip(RedirectURIMissing, why)
			d.skip(RedirectURIMismatch, why)
			return
		}
		d.skip(RedirectURIMissing, "the authorization request is not in the input")
		d.check(RedirectURIMismatch)
		if has && !slices.Contains(d.client.RedirectURIs, got) {
			closest := closestOf(got, d.client.RedirectURIs)
			d.add(RedirectURIMismatch, Likely, fmt.Sprintf("redirect_uri %s is not among the %d registered for %s; closest: %s",
				got, len(d.client.RedirectURIs), d.client.ClientID, compareURIs("registered", closest, "token request", got)),
				fixRedirect)
		}
		return
	}
	d.check(RedirectURIMissing)
	d.check(RedirectURIMismatch)
	sent, sentHas := d.authz.Get("redirect_uri"), d.authz.Has("redirect_uri")
	switch {
	case sentHas && !has:
		d.add(RedirectURIMissing, Certain, fmt.Sprintf("the authorization request sent redirect_uri=%s; the token "+
			"request has no redirect_uri, which RFC 6749 §4.1.3 requires whenever the authorization request had one", sent),
			"Send redirect_uri in the token request, the very string the authorization request sent (most libraries "+
				"take it as an option of the code exchange, not of the client).")
	case sentHas && got != sent:
		d.add(RedirectURIMismatch, Certain, compareURIs("authorization request", sent, "token request", got)+
			"; RFC 6749 §4.1.3 requires them identical", fixRedirect)
	case !sentHas && has && d.client != nil && !slices.Contains(d.client.RedirectURIs, got):
		d.add(RedirectURIMismatch, Likely, fmt.Sprintf("the authorization request sent no redirect_uri, the token request "+
			"sends %s, which is not registered for %s", got, d.client.ClientID), fixRedirect)
	}
}

const fixRedirect = "Use one redirect_uri string for both requests: build it once (from configuration, not from " +
	"the incoming request's Host or scheme behind a proxy) and send it byte for byte; the provider compares exact " +
	"strings (RFC 9700 §2.1), so a trailing slash, a port, case or percent-encoding counts."

// compareURIs shows two URIs with the first differing character marked.
func compareURIs(nameA, a, nameB, b string) string {
	i := 0
	ra, rb := []rune(a), []rune(b)
	for i < len(ra) && i < len(rb) && ra[i] == rb[i] {
		i++
	}
	charAt := func(r []rune) string {
		if i >= len(r) {
			return "the end"
		}
		return fmt.Sprintf("%q", string(r[i]))
	}
	decodedEqual := "and they differ after percent-decoding too"
	da, errA := url.PathUnescape(a)
	db, errB := url.PathUnescape(b)
	if errA == nil && errB == nil && da == db {
		decodedEqual = "they are equal after percent-decoding, but the comparison is of the strings as sent"
	}
	mark := func(r []rune) string {
		if i >= len(r) {
			return string(r) + "⟦⟧"
		}
		return string(r[:i]) + "⟦" + string(r[i]) + "⟧" + string(r[i+1:])
	}
	return fmt.Sprintf("redirect_uri in the %s: %s; in the %s: %s; first difference at character %d (%s vs %s, marked ⟦⟧): %s / %s; %s",
		nameA, a, nameB, b, i+1, charAt(ra), charAt(rb), mark(ra), mark(rb), decodedEqual)
}

func closestOf(s string, list []string) string {
	best, bestN := "", -1
	for _, c := range list {
		n := 0
		for n < len(c) && n < len(s) && c[n] == s[n] {
			n++
		}
		if n > bestN {
			best, bestN = c, n
		}
	}
	return best
}

// pkce: RFC 7636 §4.6 (verifier must match the challenge), RFC 9700 §4.8.2 (a verifier
// without a challenge must be refused).
func (d *diagnosis) pkce() {
	form := d.in.Token.Form
	verifier, hasVerifier := form.Get("code_verifier"), form.Has("code_verifier")
	if d.authz == nil {
		why := "the authorization request (its code_challenge) is not in the input"
		d.skip(PKCEVerifierMismatch, why)
		d.skip(PKCEVerifierUnexpected, why)
		if d.client != nil && d.client.PKCE == "required" {
			d.check(PKCEVerifierMissing)
			if !hasVerifier {
				d.add(PKCEVerifierMissing, Likely, fmt.Sprintf("%s is registered with PKCE required and the token request has no code_verifier", d.client.ClientID), fixVerifierMissing)
			}
			return
		}
		d.skip(PKCEVerifierMissing, why)
		return
	}
	d.check(PKCEVerifierMissing)
	d.check(PKCEVerifierMismatch)
	d.check(PKCEVerifierUnexpected)
	challenge := d.authz.Get("code_challenge")
	method := pkce.Method(d.authz.Get("code_challenge_method"))
	if method == "" {
		method = pkce.Plain // RFC 7636 §4.3: plain when the method is absent
	}
	switch {
	case challenge != "" && !hasVerifier:
		d.add(PKCEVerifierMissing, Certain, fmt.Sprintf("the authorization request sent code_challenge %s (%s); the token "+
			"request has no code_verifier (RFC 7636 §4.5, §4.6)", d.fp("code_challenge", challenge), method), fixVerifierMissing)
	case challenge != "" && pkce.Challenge(verifier, method) != challenge:
		computed := pkce.Challenge(verifier, method)
		ev := fmt.Sprintf("BASE64URL(SHA256(code_verifier %s)) = %s, but the challenge sent was %s (method %s)",
			d.fp("code_verifier", verifier), d.fp("code_challenge", computed), d.fp("code_challenge", challenge), method)
		if method == pkce.Plain {
			ev = fmt.Sprintf("code_verifier %s is not the plain challenge sent, %s", d.fp("code_verifier", verifier), d.fp("code_challenge", challenge))
		}
		other := pkce.S256
		if method == pkce.S256 {
			other = pkce.Plain
		}
		if pkce.Challenge(verifier, other) == challenge {
			ev += fmt.Sprintf("; it would match with method %s: the challenge and its method disagree", other)
		}
		if verifier == challenge {
			ev += "; the challenge itself was sent as the verifier"
		}
		if !pkce.Valid(verifier) {
			ev += fmt.Sprintf("; the verifier (%d characters) is also outside RFC 7636 §4.1's 43–128 unreserved characters", len(verifier))
		}
		d.add(PKCEVerifierMismatch, Certain, ev+" (RFC 7636 §4.6)",
			fixVerifierMismatch)
	case challenge == "" && hasVerifier:
		d.add(PKCEVerifierUnexpected, Likely, fmt.Sprintf("the token request sends code_verifier %s but the authorization "+
			"request sent no code_challenge; a provider must refuse that (RFC 9700 §4.8.2, PKCE downgrade)", d.fp("code_verifier", verifier)),
			fixVerifierUnexpected)
	}
}

const fixVerifierMismatch = "Keep the code_verifier made for this authorization request (in the session, keyed by state) and send " +
	"that one; a verifier generated again at the callback, or one from another tab's flow, cannot match."

const fixVerifierUnexpected = "Send the code_challenge (S256) in the authorization request of every flow that will send a verifier; " +
	"check that the library's PKCE option is on for the authorization step, not only for the exchange."

const fixVerifierMissing = "Send code_verifier with the code: the authorization request carried a challenge, so the " +
	"provider will not redeem the code without the verifier it was made from (keep it in the session, keyed by state)."

// clientMismatch: RFC 6749 §4.1.3, the code is bound to the client it was issued to.
func (d *diagnosis) clientMismatch() {
	a := d.auth
	if a.hasBasic && a.bodyID != "" && a.bodyID != a.basicID {
		d.check(ClientMismatch)
		d.add(ClientMismatch, Certain, fmt.Sprintf("the Authorization header authenticates %s but the body says client_id=%s "+
			"(RFC 6749 §3.2.1: the two must name the same client)", a.basicID, a.bodyID), fixClient)
	}
	if d.authz == nil {
		d.skip(ClientMismatch, "the authorization request (the client_id the code was issued to) is not in the input")
		return
	}
	d.check(ClientMismatch)
	issued, redeemer := d.authz.Get("client_id"), a.id()
	if issued != "" && redeemer != "" && issued != redeemer {
		d.add(ClientMismatch, Certain, fmt.Sprintf("the code was issued to client_id %s (authorization request) and "+
			"redeemed by %s (%s); a code is bound to its client (RFC 6749 §4.1.3)", issued, redeemer, a.method()), fixClient)
	}
}

const fixClient = "Redeem the code with the credentials of the client that started the flow; with several " +
	"applications or environments, check that the callback loads the same client configuration as the login."

// clientAuthentication: RFC 6749 §2.3 and §3.2.1, and the registered token_endpoint_auth_method.
func (d *diagnosis) clientAuthentication() {
	d.check(ClientAuthentication)
	a := d.auth
	if a.hasBasic && a.hasBodySecret {
		d.add(ClientAuthentication, Certain, "the request authenticates twice, with Authorization: Basic and client_secret "+
			"in the body; RFC 6749 §2.3 forbids more than one method", "Use only the method the client is registered for; drop the other.")
	}
	if d.client == nil {
		if d.in.Config != nil && a.id() != "" {
			d.skip(ClientAuthentication, fmt.Sprintf("client %s is not in the configuration, so its secret and method cannot be compared", a.id()))
		} else {
			d.skip(ClientAuthentication, "the registered secret and method need --config (only the answer and a double authentication are judged)")
		}
		if d.errCode == "invalid_client" {
			d.addReading(ClientAuthentication, Likely, fmt.Sprintf("%s to a request authenticating as %s with %s",
				d.responseSays(), orUnknown(a.id()), a.method()), fixAuth)
		}
		return
	}
	c := d.client
	used := a.method()
	switch {
	case c.AuthMethod != config.AuthNone && used == config.AuthNone:
		d.add(ClientAuthentication, Certain, fmt.Sprintf("%s is confidential (%s) but the request carries no client secret "+
			"(RFC 6749 §3.2.1)", c.ClientID, c.AuthMethod), fixAuth)
	case used != c.AuthMethod && !(a.hasBasic && a.hasBodySecret):
		conf := Likely
		if d.errCode == "invalid_client" {
			conf = Certain
		}
		d.add(ClientAuthentication, conf, fmt.Sprintf("%s is registered for %s; the request uses %s (%s)",
			c.ClientID, c.AuthMethod, used, d.responseSays()), fixAuth)
	}
	if used != config.AuthNone && c.ClientSecret != "" && a.secret() != c.ClientSecret {
		d.add(ClientAuthentication, Certain, fmt.Sprintf("the secret sent for %s is %s, the configured one is %s",
			c.ClientID, d.fp("secret", a.secret()), d.fp("secret", c.ClientSecret)), fixAuth)
	}
	if d.errCode == "invalid_client" && len(d.causes) == 0 {
		d.add(ClientAuthentication, Possible, d.responseSays()+", although the secret and method match the configuration: "+
			"the configuration may be out of date with the provider", fixAuth)
	}
}

const fixAuth = "Authenticate as the client is registered: the method of its token_endpoint_auth_method and the " +
	"current secret (rotated secrets and a secret from another environment are the usual culprits); with Basic, " +
	"form-encode id and secret before Base64 (RFC 6749 §2.3.1)."

func orUnknown(s string) string {
	if s == "" {
		return "an unnamed client"
	}
	return s
}

// grantType: RFC 6749 §5.2 unauthorized_client, and the client's registered grant types.
func (d *diagnosis) grantType() {
	g := d.in.Token.Form.Get("grant_type")
	fix := fmt.Sprintf("Either register grant type %s for the client at the provider, or use a client that has it; "+
		"a client gets only the grants it was registered for.", g)
	if d.client != nil {
		d.check(GrantTypeNotAllowed)
		if !d.client.Allows(g) {
			d.add(GrantTypeNotAllowed, Certain, fmt.Sprintf("grant_type=%s; %s is registered for %s only (%s)",
				g, d.client.ClientID, strings.Join(d.client.GrantTypes, ", "), d.responseSays()), fix)
		}
		return
	}
	// 401 is the status of failed client authentication (RFC 6749 §5.2), whatever error value a
	// provider sends with it (Keycloak: 401 unauthorized_client for a wrong secret).
	if (d.errCode == "unauthorized_client" && d.heard.answer.Status != 401) || d.errCode == "unsupported_grant_type" {
		d.check(GrantTypeNotAllowed)
		d.addReading(GrantTypeNotAllowed, Likely, fmt.Sprintf("grant_type=%s and %s", g, d.responseSays()), fix)
		return
	}
	// Some providers answer invalid_request where RFC 6749 §5.2 wants unauthorized_client
	// (node-oidc-provider 9: "requested grant type is not allowed for this client").
	if desc := strings.ToLower(d.errDesc); d.errCode != "" && strings.Contains(desc, "grant") && strings.Contains(desc, "not allowed") {
		d.check(GrantTypeNotAllowed)
		d.addReading(GrantTypeNotAllowed, Likely, fmt.Sprintf("grant_type=%s and %s, saying %q", g, d.responseSays(), clipText(d.errDesc)), fix)
		return
	}
	d.skip(GrantTypeNotAllowed, "the client's registered grant types need --config (only the answer is judged)")
}

func (d *diagnosis) noneEvidence() string {
	s := "every check passed"
	if len(d.checked) > 0 {
		s += " (" + strings.Join(d.checked, ", ") + ")"
	}
	return s + "; " + d.responseSays()
}

const noneFix = "Nothing in the exchange explains a failure. If the provider still refused, run with --config " +
	"and --probe to reproduce it with a fresh code, and read the provider's own logs for the request."

// clipText bounds text from the provider quoted in evidence.
func clipText(s string) string { return clip(s, 120) }
