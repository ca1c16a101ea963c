package token

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/grantcheck/grantcheck/harness/config"
	"github.com/grantcheck/grantcheck/harness/transcript"
	"github.com/grantcheck/grantcheck/harness/verdict"
)

// envOf names the shell variable a reproduction uses for a secret parameter, e.g. code → CODE.
func envOf(param string) string {
	return strings.ToUpper(strings.NewReplacer("-", "_", ".", "_").Replace(param))
}

// ObtainedBy records the authorization request (with shell variables for its state and PKCE
// challenge) that obtains a fresh code for this request, so a reproduction can say where the
// code placeholder comes from.
func (r *Request) ObtainedBy(authorizeURL string) *Request {
	r.authorize = authorizeURL
	return r
}

// describe is the request as sent, without secret values: parameters known to carry secrets
// become shell variables, every other value passes the redactor (so a secret learned under any
// name shows as its fingerprint, never as itself).
func (r *Request) describe(encoded string) *verdict.Request {
	red := transcript.NewRedactor()
	if r.log != nil {
		red = r.log.Redactor
	}
	d := &verdict.Request{Step: red.Redact(r.step), Method: r.method, URL: red.Redact(r.endpoint), JSON: r.json && r.method != http.MethodGet,
		Authorize: r.authorize}
	switch r.auth.Method {
	case config.AuthBasic:
		d.Basic = red.Redact(r.auth.ClientID)
	case AuthBearer:
		d.Bearer = true
	}
	if r.auth.IsAssertion() && r.sentAssertion != "" {
		d.Assertion = describeAssertion(r.auth.Method, r.sentAssertion, r.sentAt, red)
		if d.Assertion != nil {
			d.Assertion.Replayed = r.sentReplay
		}
	}
	for _, pair := range strings.Split(encoded, "&") {
		if pair == "" {
			continue
		}
		k, v, _ := strings.Cut(pair, "=")
		name, err1 := url.QueryUnescape(k)
		value, err2 := url.QueryUnescape(v)
		if err1 != nil || err2 != nil {
			name, value = k, v
		}
		p := verdict.Param{Name: red.Redact(name)}
		if slices.Contains(transcript.SecretParams, name) {
			p.Env = envOf(name)
		} else {
			p.Value = red.Redact(value)
		}
		d.Params = append(d.Params, p)
	}
	return d
}

// describeAssertion is a sent assertion's header and claims (which are not secret: the signature
// makes it a credential), the times relative to sentAt, the jti left out (a reproduction makes its
// own), every value passed through the redactor.
func describeAssertion(method, jwt string, sentAt time.Time, red *transcript.Redactor) *verdict.Assertion {
	parts := strings.Split(jwt, ".")
	if len(parts) != 3 {
		return nil
	}
	a := &verdict.Assertion{Method: method, Header: map[string]any{}, Claims: map[string]any{}, Times: map[string]int64{}}
	for i, into := range []map[string]any{a.Header, a.Claims} {
		raw, err := base64.RawURLEncoding.DecodeString(parts[i])
		if err != nil {
			return nil
		}
		var obj map[string]any
		if json.Unmarshal(raw, &obj) != nil {
			return nil
		}
		for k, v := range obj {
			if s, ok := v.(string); ok {
				v = red.Redact(s)
			}
			into[red.Redact(k)] = v
		}
	}
	for _, k := range []string{"exp", "iat", "nbf"} {
		if n, ok := a.Claims[k].(float64); ok {
			a.Times[k] = int64(n) - sentAt.Unix()
			delete(a.Claims, k)
		}
	}
	delete(a.Claims, "jti")
	return a
}
