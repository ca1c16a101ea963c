package oauth

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/onsi/gomega/types"

	"github.com/grantcheck/grantcheck/harness/token"
	"github.com/grantcheck/grantcheck/harness/transcript"
)

// Raw secrets the synthetic exchanges carry; no failure message may show them.
const (
	clientSecret = "s3cret-app-a"
	authCode     = "Qcb0Orv1zh30vL1MPRsbm"
	accessToken  = "2YotnFZFEjr1zCsicMWpAA"
	refreshToken = "tGzv3JOkF0XG5Qx2TlKWIA"
)

var rawSecrets = []string{clientSecret, authCode, accessToken, refreshToken}

// hdr builds headers from name, value pairs.
func hdr(kv ...string) http.Header {
	h := http.Header{}
	for i := 0; i+1 < len(kv); i += 2 {
		h.Add(kv[i], kv[i+1])
	}
	return h
}

var jsonCT = hdr("Content-Type", "application/json")

// answer is a synthetic token endpoint answer to a redemption that carried the client secret and a
// code, with its record redacted the way the transport does it.
func answer(status int, h http.Header, body string) *token.Response {
	red := transcript.NewRedactor(clientSecret)
	req := "grant_type=authorization_code&code=" + authCode + "&client_id=app-a&client_secret=" + clientSecret
	var resp strings.Builder
	for k, vs := range h {
		for _, v := range vs {
			fmt.Fprintf(&resp, "%s: %s\n", k, v)
		}
	}
	resp.WriteString("\n" + body)
	rec := transcript.Record{Step: "redemption", Method: "POST", URL: "https://id.example/token",
		Request: red.Redact(req), Status: fmt.Sprintf("%d %s", status, http.StatusText(status)), Response: red.Redact(resp.String())}
	return token.NewResponse(status, h, []byte(body), false, rec)
}

func errBody(code string) string {
	return `{"error":"` + code + `","error_description":"the code is invalid"}`
}

type matchCase struct {
	name    string
	matcher func() types.GomegaMatcher
	actual  any
	// category is "" when the matcher must pass, else the bracketed category the message starts with.
	category string
	reason   string // part of the failure message
	warning  string // part of a warning appended to the response
}

func runMatchCases(t *testing.T, cases []matchCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m := tc.matcher()
			ok, err := m.Match(tc.actual)
			if err != nil {
				t.Fatalf("Match error: %v", err)
			}
			msg := m.FailureMessage(tc.actual)
			if tc.category == "" {
				if !ok {
					t.Fatalf("did not match:\n%s", msg)
				}
			} else {
				if ok {
					t.Fatalf("matched, want a [%s] failure", tc.category)
				}
				if !strings.HasPrefix(msg, "["+tc.category+"] ") {
					t.Errorf("message does not start with [%s]:\n%s", tc.category, msg)
				}
				if !strings.Contains(msg, tc.reason) {
					t.Errorf("message does not contain %q:\n%s", tc.reason, msg)
				}
			}
			for _, raw := range rawSecrets {
				if strings.Contains(msg, raw) {
					t.Errorf("message shows the secret %q:\n%s", raw, msg)
				}
			}
			if r, isResp := tc.actual.(*token.Response); isResp {
				if !strings.Contains(msg, "→ POST https://id.example/token") {
					t.Errorf("message does not print the redacted exchange:\n%s", msg)
				}
				warnings := strings.Join(r.Warnings, "\n")
				if (tc.warning == "") != (warnings == "") || !strings.Contains(warnings, tc.warning) {
					t.Errorf("warnings = %q, want %q", r.Warnings, tc.warning)
				}
			}
		})
	}
}

func beError(codes ...string) func() types.GomegaMatcher {
	return func() types.GomegaMatcher { return BeError(codes...) }
}

func TestBeError(t *testing.T) {
	runMatchCases(t, []matchCase{
		{
			name: "SHOULD: tokens issued is the rule broken, worded as should", matcher: func() types.GomegaMatcher { return BeError().AsShould() },
			actual:   answer(200, jsonCT, `{"access_token":"`+accessToken+`","token_type":"Bearer"}`),
			category: "security", reason: "where it should reject the request",
		},
		{
			name: "SHOULD: a 403 refusal breaks the MUST of the form", matcher: func() types.GomegaMatcher { return BeError().AsShould() },
			actual:   answer(403, jsonCT, errBody(InvalidRequest)),
			category: "error-code MUST", reason: "HTTP status is 403",
		},
		{
			name: "SHOULD: an empty refusal breaks the MUST of the form", matcher: func() types.GomegaMatcher { return BeError().AsShould() },
			actual:   answer(400, nil, ``),
			category: "format MUST", reason: "not a JSON object",
		},
		{
			name: "SHOULD: a code outside §5.2 breaks the MUST of the form", matcher: func() types.GomegaMatcher { return BeError().AsShould() },
			actual:   answer(400, jsonCT, `{"error":"bad_verifier"}`),
			category: "error-code MUST", reason: `"bad_verifier", which is not an RFC 6749 §5.2 error code`,
		},
		{
			name: "SHOULD: an unexpected §5.2 code is the rule, a wrong status outranks it", matcher: func() types.GomegaMatcher { return BeError(InvalidRequest).AsShould() },
			actual:   answer(401, jsonCT, errBody(InvalidGrant)),
			category: "error-code MUST", reason: `HTTP status is 401; RFC 6749 §5.2 requires 400 for invalid_grant (also: error is "invalid_grant"`,
		},
		{
			name: "SHOULD: an unexpected §5.2 code alone is the rule", matcher: func() types.GomegaMatcher { return BeError(InvalidRequest).AsShould() },
			actual:   answer(400, jsonCT, errBody(InvalidGrant)),
			category: "error-code", reason: `error is "invalid_grant"; want "invalid_request"`,
		},
		{
			name: "400 invalid_grant", matcher: beError(InvalidGrant),
			actual: answer(400, jsonCT, errBody(InvalidGrant)),
		},
		{
			name: "200 with tokens is a security failure", matcher: beError(InvalidGrant),
			actual:   answer(200, jsonCT, `{"access_token":"`+accessToken+`","token_type":"Bearer","refresh_token":"`+refreshToken+`"}`),
			category: "security", reason: `issued tokens (HTTP 200 with access_token, refresh_token) where it must reject the request; want "invalid_grant"`,
		},
		{
			name: "200 without tokens is a security failure", matcher: beError(InvalidGrant),
			actual:   answer(200, jsonCT, `{}`),
			category: "security", reason: "accepted the request (HTTP 200)",
		},
		{
			name: "200 carrying an error object issued nothing: error-code", matcher: beError(InvalidGrant),
			actual:   answer(200, jsonCT, errBody(InvalidGrant)),
			category: "error-code MUST", reason: `HTTP status is 200 with error "invalid_grant"`,
		},
		{
			name: "HTML 400 is a format failure", matcher: beError(InvalidGrant),
			actual:   answer(400, hdr("Content-Type", "text/html"), "<html><body>Bad Request</body></html>"),
			category: "format MUST", reason: `not a JSON object (HTTP 400, Content-Type "text/html")`,
		},
		{
			name: "empty 400 is a format failure", matcher: beError(InvalidGrant),
			actual:   answer(400, hdr(), ""),
			category: "format MUST", reason: "RFC 6749 §5.2 requires application/json",
		},
		{
			name: "wrong error code", matcher: beError(InvalidGrant),
			actual:   answer(400, jsonCT, errBody(InvalidRequest)),
			category: "error-code", reason: `error is "invalid_request"; want "invalid_grant"`,
		},
		{
			name: "one of several accepted codes", matcher: beError(InvalidGrant, InvalidRequest),
			actual: answer(400, jsonCT, errBody(InvalidRequest)),
		},
		{
			name: "none of several accepted codes", matcher: beError(InvalidGrant, InvalidRequest),
			actual:   answer(400, jsonCT, errBody(UnauthorizedClient)),
			category: "error-code", reason: `want one of ["invalid_grant" "invalid_request"]`,
		},
		{
			name: "no accepted codes means any code", matcher: beError(),
			actual: answer(400, jsonCT, errBody(UnsupportedGrantType)),
		},
		{
			name: "no accepted codes still requires an error", matcher: beError(),
			actual:   answer(400, jsonCT, `{"message":"nope"}`),
			category: "format MUST", reason: `no "error" string`,
		},
		{
			name: "error that is not a string", matcher: beError(InvalidGrant),
			actual:   answer(400, jsonCT, `{"error":400}`),
			category: "format MUST", reason: `no "error" string (HTTP 400)`,
		},
		{
			name: "401 for invalid_client is allowed", matcher: beError(InvalidClient),
			actual: answer(401, hdr("Content-Type", "application/json", "WWW-Authenticate", `Basic realm="id"`), errBody(InvalidClient)),
		},
		{
			name: "400 for invalid_client is allowed", matcher: beError(InvalidClient),
			actual: answer(400, jsonCT, errBody(InvalidClient)),
		},
		{
			name: "403 for invalid_client", matcher: beError(InvalidClient),
			actual:   answer(403, jsonCT, errBody(InvalidClient)),
			category: "error-code MUST", reason: "HTTP status is 403; RFC 6749 §5.2 allows 400 or 401 for invalid_client",
		},
		{
			name: "401 for invalid_grant", matcher: beError(InvalidGrant),
			actual:   answer(401, jsonCT, errBody(InvalidGrant)),
			category: "error-code MUST", reason: "HTTP status is 401; RFC 6749 §5.2 requires 400 for invalid_grant",
		},
		{
			name: "500 with a JSON error", matcher: beError(InvalidGrant),
			actual:   answer(500, jsonCT, errBody(InvalidGrant)),
			category: "error-code MUST", reason: "HTTP status is 500",
		},
		{
			name: "WithStatus met", matcher: func() types.GomegaMatcher { return BeError(InvalidClient).WithStatus(401) },
			actual: answer(401, jsonCT, errBody(InvalidClient)),
		},
		{
			name: "WithStatus not met", matcher: func() types.GomegaMatcher { return BeError(InvalidClient).WithStatus(401) },
			actual:   answer(400, jsonCT, errBody(InvalidClient)),
			category: "error-code MUST", reason: "HTTP status is 400, want 401",
		},
		{
			name: "WithStatus allows a status the default would not", matcher: func() types.GomegaMatcher { return BeError(InvalidRequest).WithStatus(405) },
			actual: answer(405, jsonCT, errBody(InvalidRequest)),
		},
		{
			name:    "WithChallenge met",
			matcher: func() types.GomegaMatcher { return BeError(InvalidClient).WithStatus(401).WithChallenge("Basic") },
			actual:  answer(401, hdr("Content-Type", "application/json", "WWW-Authenticate", `Basic realm="id.example"`), errBody(InvalidClient)),
		},
		{
			name:    "WithChallenge: scheme and parameter names are case-insensitive",
			matcher: func() types.GomegaMatcher { return BeError(InvalidClient).WithStatus(401).WithChallenge("Basic") },
			actual:  answer(401, hdr("Content-Type", "application/json", "WWW-Authenticate", `basic Realm="id"`), errBody(InvalidClient)),
		},
		{
			name:    "WithChallenge: realm as a later parameter",
			matcher: func() types.GomegaMatcher { return BeError(InvalidClient).WithStatus(401).WithChallenge("Basic") },
			actual:  answer(401, hdr("Content-Type", "application/json", "WWW-Authenticate", `Basic charset="UTF-8", realm="id"`), errBody(InvalidClient)),
		},
		{
			name:    "WithChallenge: one of several header fields",
			matcher: func() types.GomegaMatcher { return BeError(InvalidClient).WithStatus(401).WithChallenge("Basic") },
			actual: answer(401, hdr("Content-Type", "application/json", "WWW-Authenticate", `Bearer realm="id"`,
				"WWW-Authenticate", `Basic realm="id"`), errBody(InvalidClient)),
		},
		{
			name:    "WithChallenge: one of several challenges in one field (RFC 9110 §11.6.1)",
			matcher: func() types.GomegaMatcher { return BeError(InvalidClient).WithStatus(401).WithChallenge("Basic") },
			actual: answer(401, hdr("Content-Type", "application/json",
				"WWW-Authenticate", `Bearer realm="a, Basic b", error="invalid_token", Basic realm="id", charset="UTF-8"`), errBody(InvalidClient)),
		},
		{
			name:    "WithChallenge: a scheme named only inside a quoted string does not count",
			matcher: func() types.GomegaMatcher { return BeError(InvalidClient).WithStatus(401).WithChallenge("Basic") },
			actual: answer(401, hdr("Content-Type", "application/json",
				"WWW-Authenticate", `Bearer realm="x, Basic y"`), errBody(InvalidClient)),
			category: "format MUST", reason: "requires the Basic scheme the client used",
		},
		{
			name:     "WithChallenge: header missing",
			matcher:  func() types.GomegaMatcher { return BeError(InvalidClient).WithStatus(401).WithChallenge("Basic") },
			actual:   answer(401, jsonCT, errBody(InvalidClient)),
			category: "format MUST", reason: "401 without WWW-Authenticate; RFC 6749 §5.2 requires a Basic challenge",
		},
		{
			name:     "WithChallenge: a Basic challenge without realm (RFC 7617 §2 requires it)",
			matcher:  func() types.GomegaMatcher { return BeError(InvalidClient).WithStatus(401).WithChallenge("Basic") },
			actual:   answer(401, hdr("Content-Type", "application/json", "WWW-Authenticate", `Basic`), errBody(InvalidClient)),
			category: "format MUST", reason: "the Basic challenge has no realm parameter, which RFC 7617 §2 requires",
		},
		{
			name:     "WithChallenge: realm only on another challenge",
			matcher:  func() types.GomegaMatcher { return BeError(InvalidClient).WithStatus(401).WithChallenge("Basic") },
			actual:   answer(401, hdr("Content-Type", "application/json", "WWW-Authenticate", `Bearer realm="id", Basic charset="UTF-8"`), errBody(InvalidClient)),
			category: "format MUST", reason: "the Basic challenge has no realm parameter",
		},
		{
			name:     "WithChallenge: other scheme",
			matcher:  func() types.GomegaMatcher { return BeError(InvalidClient).WithStatus(401).WithChallenge("Basic") },
			actual:   answer(401, hdr("Content-Type", "application/json", "WWW-Authenticate", `Bearer realm="id"`), errBody(InvalidClient)),
			category: "format MUST", reason: `WWW-Authenticate is "Bearer realm=\"id\""`,
		},
		{
			name:     "WithChallenge: a 400 is a status failure first",
			matcher:  func() types.GomegaMatcher { return BeError(InvalidClient).WithStatus(401).WithChallenge("Basic") },
			actual:   answer(400, jsonCT, errBody(InvalidClient)),
			category: "error-code MUST", reason: "want 401",
		},
		{
			name: "text/plain with a JSON body", matcher: beError(InvalidGrant),
			actual:   answer(400, hdr("Content-Type", "text/plain"), errBody(InvalidGrant)),
			category: "format MUST", reason: `Content-Type is "text/plain"; RFC 6749 §5.2 requires application/json`,
		},
		{
			name: "JSON body without Content-Type", matcher: beError(InvalidGrant),
			actual:   answer(400, hdr(), errBody(InvalidGrant)),
			category: "format MUST", reason: `Content-Type is ""`,
		},
		{
			name: "application/json with parameters", matcher: beError(InvalidGrant),
			actual: answer(400, hdr("Content-Type", "application/json; charset=UTF-8"), errBody(InvalidGrant)),
		},
		{
			name: "error with a double quote", matcher: beError(),
			actual:   answer(400, jsonCT, `{"error":"invalid\"grant"}`),
			category: "error-code MUST", reason: `error "invalid\"grant" contains '"'`,
		},
		{
			name: "error with a backslash", matcher: beError(),
			actual:   answer(400, jsonCT, `{"error":"invalid\\grant"}`),
			category: "error-code MUST", reason: `contains '\\'`,
		},
		{
			name: "error with a non-ASCII letter", matcher: beError(),
			actual:   answer(400, jsonCT, `{"error":"invalid_grànt"}`),
			category: "error-code MUST", reason: "'à'",
		},
		{
			name: "a code outside §5.2 fails the form even when any code is accepted", matcher: beError(),
			actual:   answer(400, jsonCT, `{"error":"invalid grant"}`),
			category: "error-code MUST", reason: `error is "invalid grant", which is not an RFC 6749 §5.2 error code`,
		},
		{
			name: "CR/LF in error_description passes with a warning", matcher: beError(InvalidGrant),
			actual:  answer(400, jsonCT, `{"error":"invalid_grant","error_description":"line one\r\nline two"}`),
			warning: "error_description contains CR, LF or TAB",
		},
		{
			name: "TAB in error_description passes with a warning", matcher: beError(InvalidGrant),
			actual:  answer(400, jsonCT, `{"error":"invalid_grant","error_description":"a\tb"}`),
			warning: "CR, LF or TAB",
		},
		{
			name: "non-ASCII in error_description", matcher: beError(InvalidGrant),
			actual:   answer(400, jsonCT, `{"error":"invalid_grant","error_description":"code expiré"}`),
			category: "format MUST", reason: "error_description contains 'é'",
		},
		{
			name: "double quote in error_description", matcher: beError(InvalidGrant),
			actual:   answer(400, jsonCT, `{"error":"invalid_grant","error_description":"code \"x\" unknown"}`),
			category: "format MUST", reason: "error_description contains '\"'",
		},
		{
			name: "error_description null is not a character problem", matcher: beError(InvalidGrant),
			actual: answer(400, jsonCT, `{"error":"invalid_grant","error_description":null}`),
		},
		{
			name: "error_uri with a space", matcher: beError(InvalidGrant),
			actual:   answer(400, jsonCT, `{"error":"invalid_grant","error_uri":"https://id.example/errors/invalid grant"}`),
			category: "format MUST", reason: "error_uri contains ' '",
		},
		{
			name: "valid error_uri", matcher: beError(InvalidGrant),
			actual: answer(400, jsonCT, `{"error":"invalid_grant","error_uri":"https://id.example/errors#invalid_grant"}`),
		},
		{
			name: "tokens inside an error body", matcher: beError(InvalidGrant),
			actual:   answer(400, jsonCT, `{"error":"invalid_grant","access_token":"`+accessToken+`","refresh_token":"`+refreshToken+`"}`),
			category: "format MUST", reason: "the error response carries access_token, refresh_token",
		},
	})
}

func TestMatchersRejectOtherTypes(t *testing.T) {
	cases := []struct {
		name    string
		matcher types.GomegaMatcher
		actual  any
	}{
		{"BeError with a string", BeError(), "400"},
		{"BeError with a nil response", BeError(), (*token.Response)(nil)},
		{"BeTokenResponse with an int", BeTokenResponse(false), 200},
		{"HaveNoStore with nil", HaveNoStore(), nil},
		{"BeRevoked with a string", BeRevoked(func() *ErrorMatcher { return BeError() }), "x"},
		{"WinOnceEachRound with one response", WinOnceEachRound(func() *ErrorMatcher { return BeError() }), answer(200, jsonCT, `{}`)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if ok, err := tc.matcher.Match(tc.actual); ok || err == nil {
				t.Errorf("Match(%T) = %v, %v; want an error", tc.actual, ok, err)
			}
		})
	}
}

func TestBeTokenResponse(t *testing.T) {
	full := `{"access_token":"` + accessToken + `","token_type":"Bearer","refresh_token":"` + refreshToken + `","id_token":"eyJ.eyJ.sig"}`
	runMatchCases(t, []matchCase{
		{
			name: "complete response", matcher: func() types.GomegaMatcher { return BeTokenResponse(true) },
			actual: answer(200, jsonCT, full),
		},
		{
			name: "token_type in lower case", matcher: func() types.GomegaMatcher { return BeTokenResponse(false) },
			actual: answer(200, jsonCT, `{"access_token":"`+accessToken+`","token_type":"bearer"}`),
		},
		{
			name: "error answer", matcher: func() types.GomegaMatcher { return BeTokenResponse(false) },
			actual:   answer(400, jsonCT, errBody(InvalidGrant)),
			category: "error-code", reason: `HTTP status is 400, want 200 for a valid request (error "invalid_grant")`,
		},
		{
			name: "not JSON", matcher: func() types.GomegaMatcher { return BeTokenResponse(false) },
			actual:   answer(200, hdr("Content-Type", "text/html"), "<html>welcome</html>"),
			category: "error-code", reason: `not a JSON object (Content-Type "text/html")`,
		},
		{
			name: "no access_token", matcher: func() types.GomegaMatcher { return BeTokenResponse(false) },
			actual:   answer(200, jsonCT, `{"token_type":"Bearer"}`),
			category: "error-code", reason: "no access_token",
		},
		{
			name: "other token_type", matcher: func() types.GomegaMatcher { return BeTokenResponse(false) },
			actual:   answer(200, jsonCT, `{"access_token":"`+accessToken+`","token_type":"mac"}`),
			category: "error-code", reason: `token_type is "mac", want Bearer`,
		},
		{
			name: "id_token missing for scope openid", matcher: func() types.GomegaMatcher { return BeTokenResponse(true) },
			actual:   answer(200, jsonCT, `{"access_token":"`+accessToken+`","token_type":"Bearer"}`),
			category: "error-code", reason: "no id_token although scope openid was requested",
		},
		{
			name: "id_token not needed without openid", matcher: func() types.GomegaMatcher { return BeTokenResponse(false) },
			actual: answer(200, jsonCT, `{"access_token":"`+accessToken+`","token_type":"Bearer"}`),
		},
	})
}

func TestHaveNoStore(t *testing.T) {
	body := `{"access_token":"` + accessToken + `","token_type":"Bearer"}`
	noStore := func() types.GomegaMatcher { return HaveNoStore() }
	runMatchCases(t, []matchCase{
		{
			name: "no-store and Pragma", matcher: noStore,
			actual: answer(200, hdr("Content-Type", "application/json", "Cache-Control", "no-store", "Pragma", "no-cache"), body),
		},
		{
			name: "no-store among other directives", matcher: noStore,
			actual: answer(200, hdr("Content-Type", "application/json", "Cache-Control", "private, No-Store, max-age=0", "Pragma", "no-cache"), body),
		},
		{
			name: "no-store in a second header field", matcher: noStore,
			actual: answer(200, hdr("Cache-Control", "private", "Cache-Control", "no-store", "Pragma", "no-cache"), body),
		},
		{
			name: "Pragma missing is a warning", matcher: noStore,
			actual:  answer(200, hdr("Content-Type", "application/json", "Cache-Control", "no-store"), body),
			warning: "Pragma: no-cache is missing",
		},
		{
			name: "no Cache-Control", matcher: noStore,
			actual:   answer(200, hdr("Content-Type", "application/json", "Pragma", "no-cache"), body),
			category: "format", reason: `Cache-Control is ""; RFC 6749 §5.1 requires no-store`,
		},
		{
			name: "no-cache is not no-store", matcher: noStore,
			actual:   answer(200, hdr("Content-Type", "application/json", "Cache-Control", "no-cache", "Pragma", "no-cache"), body),
			category: "format", reason: `Cache-Control is "no-cache"`,
		},
		{
			name: "a directive merely containing no-store", matcher: noStore,
			actual:   answer(200, hdr("Cache-Control", "x-no-store-please", "Pragma", "no-cache"), body),
			category: "format", reason: "requires no-store",
		},
	})
}

func TestWinOnceEachRound(t *testing.T) {
	ok := func() *token.Response {
		return answer(200, jsonCT, `{"access_token":"`+accessToken+`","token_type":"Bearer"}`)
	}
	rejected := func() *token.Response { return answer(400, jsonCT, errBody(InvalidGrant)) }
	busy := func() *token.Response { return answer(500, jsonCT, `{"error":"server_error"}`) }
	fakeOK := func() *token.Response { return answer(200, jsonCT, errBody(InvalidGrant)) }
	once := func() types.GomegaMatcher {
		return WinOnceEachRound(func() *ErrorMatcher { return BeError(InvalidGrant) })
	}
	round := func(rs ...*token.Response) []*token.Response { return rs }
	runMatchCases(t, []matchCase{
		{
			name: "one winner in every round", matcher: once,
			actual: Rounds{round(rejected(), ok(), rejected()), round(ok(), rejected(), rejected())},
		},
		{
			name: "the worst round decides: tokens twice in a later round", matcher: once,
			actual:   Rounds{round(ok(), rejected()), round(ok(), rejected()), round(ok(), ok())},
			category: "security", reason: "in round 3 of 3, 2 of 2 parallel redemptions of one code issued tokens (round 1: 1× tokens, 1× HTTP 400 invalid_grant; round 2:",
		},
		{
			name: "more tokens outrank a round with none", matcher: once,
			actual:   Rounds{round(rejected(), rejected()), round(ok(), ok())},
			category: "security", reason: "in round 2 of 2",
		},
		{
			name: "a round with no winner", matcher: once,
			actual:   Rounds{round(ok(), rejected()), round(rejected(), rejected())},
			category: "error-code", reason: "in round 2 of 2, none of 2 parallel redemptions of a valid code issued tokens",
		},
		{
			name: "a 200 without a token is no winner", matcher: once,
			actual:   Rounds{round(ok(), fakeOK(), fakeOK())},
			category: "error-code MUST", reason: `round 1 of 1, a losing redemption: HTTP status is 200 with error "invalid_grant"`,
		},
		{
			name: "losers answered 500 server_error", matcher: once,
			actual:   Rounds{round(ok(), rejected()), round(busy(), ok(), busy())},
			category: "error-code MUST", reason: `round 2 of 2, a losing redemption: error is "server_error", which is not an RFC 6749 §5.2 error code`,
		},
		{
			name: "no rounds", matcher: once,
			actual:   Rounds{},
			category: "error-code", reason: "no redemption round ran",
		},
	})
}

func TestNegatedMessages(t *testing.T) {
	r := answer(400, jsonCT, errBody(InvalidGrant))
	for _, m := range []types.GomegaMatcher{BeError(), BeTokenResponse(false), HaveNoStore()} {
		msg := m.NegatedFailureMessage(r)
		if !strings.HasPrefix(msg, "[") || !strings.Contains(msg, "→ POST https://id.example/token") {
			t.Errorf("%T negated message:\n%s", m, msg)
		}
		for _, raw := range rawSecrets {
			if strings.Contains(msg, raw) {
				t.Errorf("%T negated message shows %q", m, raw)
			}
		}
	}
}

func TestBeRevoked(t *testing.T) {
	revoked := func() types.GomegaMatcher {
		return BeRevoked(func() *ErrorMatcher { return BeError(InvalidGrant).AsShould() })
	}
	refused := func() *token.Response { return answer(400, jsonCT, errBody(InvalidGrant)) }
	works := func() *token.Response {
		return answer(200, jsonCT, `{"access_token":"`+accessToken+`","token_type":"Bearer"}`)
	}
	gone := &TokenState{Evidence: "userinfo refused it"}
	alive := &TokenState{Works: true, Evidence: "userinfo answered HTTP 200"}
	runMatchCases(t, []matchCase{
		{name: "both revoked", matcher: revoked, actual: Revocation{Access: gone, Refresh: refused()}},
		{
			name: "the access token still works, the refresh token is reported too", matcher: revoked,
			actual:   Revocation{Access: alive, Refresh: refused()},
			category: "security", reason: "access token: still works (userinfo answered HTTP 200); refresh token: revoked (HTTP 400 invalid_grant)",
		},
		{
			name: "the refresh token still works, the access token is reported too", matcher: revoked,
			actual:   Revocation{Access: gone, Refresh: works()},
			category: "security", reason: "access token: revoked (userinfo refused it); refresh token: still works",
		},
		{
			name: "a malformed refresh refusal is revoked plus a form finding", matcher: revoked,
			actual:   Revocation{Access: gone, Refresh: answer(403, hdr("Content-Type", "text/html"), `<p>no</p>`)},
			category: "format MUST", reason: "refresh token: revoked, but the refusal is wrong: the error response is not a JSON object (HTTP 403",
		},
		{
			name: "a form finding outranks a token that still works", matcher: revoked,
			actual:   Revocation{Access: alive, Refresh: answer(400, jsonCT, `{"error":"token_revoked"}`)},
			category: "error-code MUST", reason: "access token: still works",
		},
	})
	m := BeRevoked(func() *ErrorMatcher { return BeError(InvalidGrant) })
	if ok, _ := m.Match(Revocation{Access: &TokenState{Unknown: "userinfo answered HTTP 503"}, Refresh: refused()}); !ok || m.Unknown == "" {
		t.Errorf("an unreadable access token state: matched %v, Unknown %q; want a match with Unknown set (the harness makes it ERROR)", ok, m.Unknown)
	}
}
