package oauth

import (
	"net/http"
	"testing"

	"github.com/grantcheck/grantcheck/harness/token"
	"github.com/grantcheck/grantcheck/harness/transcript"
	"github.com/grantcheck/grantcheck/harness/verdict"
)

// The observation names the rule check broke; if check changes order or adds a rule, this test
// shows which signature drifted.
func TestObservationNamesTheBrokenRule(t *testing.T) {
	resp := func(status int, ctype, body string, hdr ...string) *token.Response {
		h := http.Header{"Content-Type": {ctype}}
		for i := 0; i+1 < len(hdr); i += 2 {
			h.Add(hdr[i], hdr[i+1])
		}
		r := token.NewResponse(status, h, []byte(body), false, transcript.Record{})
		r.Request = &verdict.Request{Method: "POST", URL: "https://id.example/token"}
		return r
	}
	cases := []struct {
		name    string
		m       *ErrorMatcher
		r       *token.Response
		check   string
		pattern string
	}{
		{"tokens issued", BeError(InvalidGrant), resp(200, "application/json", `{"access_token":"x"}`), "accepted", "accepted"},
		{"2xx with an error", BeError(InvalidGrant), resp(200, "application/json", `{"error":"invalid_grant"}`), "status", "status 200 error invalid_grant"},
		{"html page", BeError(InvalidGrant), resp(400, "text/html; charset=utf-8", "<h1>bad</h1>"), "not-json", "not-json text/html"},
		{"no error field", BeError(InvalidGrant), resp(400, "application/json", `{"message":"bad"}`), "no-error", "no-error"},
		{"wrong code", BeError(UnsupportedGrantType), resp(400, "application/json", `{"error":"invalid_request"}`), "error",
			"error invalid_request want unsupported_grant_type"},
		{"wrong status", BeError(InvalidGrant), resp(401, "application/json", `{"error":"invalid_grant"}`), "status", "status 401 error invalid_grant"},
		{"no challenge", BeError(InvalidClient).WithStatus(401).WithChallenge("Basic"),
			resp(401, "application/json", `{"error":"invalid_client"}`), "challenge", "challenge"},
		{"json as text/plain", BeError(InvalidGrant), resp(400, "text/plain", `{"error":"invalid_grant"}`), "media-type", "media-type text/plain"},
		{"bad charset", BeError(InvalidGrant), resp(400, "application/json", `{"error":"invalid_grant","error_description":"\u00e9"}`), "charset", "charset"},
		{"tokens in the error", BeError(InvalidGrant), resp(400, "application/json", `{"error":"invalid_grant","access_token":"x"}`),
			"tokens-in-error", "tokens-in-error"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if ok, _ := c.m.Match(c.r); ok {
				t.Fatal("matched; the case must fail")
			}
			sig, req := c.m.Observation()
			if sig == nil || sig.Check != c.check || sig.Pattern() != c.pattern || req != c.r.Request {
				t.Errorf("observation %+v (pattern %q), request %v; want check %s, pattern %q", sig, sig.Pattern(), req, c.check, c.pattern)
			}
		})
	}
	m := BeError(InvalidGrant)
	if ok, _ := m.Match(resp(400, "application/json", `{"error":"invalid_grant"}`)); !ok {
		t.Fatal("a correct rejection failed")
	}
	if sig, req := m.Observation(); sig != nil || req != nil {
		t.Errorf("a match left an observation: %+v", sig)
	}
}
