package explain_test

import (
	"bytes"
	"encoding/json"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/grantcheck/grantcheck/harness/explain"
	"github.com/grantcheck/grantcheck/harness/pkce"
)

// An exchange built around what a provider documents it answers (the entry's own text in the
// table), to show how explain weighs the provider's words against the request.
type heardCase struct {
	name      string
	authorize string // the authorization URL, "" when not given
	token     string // the token request (curl or raw HTTP), "" for the answer alone
	response  string // raw HTTP or a JSON body
	provider  string // the provider recognised, "" for none
	first     []string
	absent    []string
	evidence  string // the first cause's evidence contains this
	note      string // a not_checked line contains this
}

var (
	verifier  = strings.Repeat("v", 43)
	challenge = pkce.Challenge(verifier, pkce.S256)
	kcAuthz   = "https://sso.example/realms/shop/protocol/openid-connect/auth?response_type=code&client_id=web&redirect_uri=https%3A%2F%2Fshop.example%2Fcb&state=s1&code_challenge=" + challenge + "&code_challenge_method=S256"
	kcToken   = "https://sso.example/realms/shop/protocol/openid-connect/token"
)

func kcCurl(form string) string {
	return "curl -X POST " + kcToken + " -u web:s3cr3t-web -d '" + form + "'"
}

// PingFederate: recognised by its token endpoint's path alone, on any host.
const (
	pingName = "Ping Identity (PingFederate / PingOne)"
	pfToken  = "https://sso.shop.example/as/token.oauth2"
	pfAuthz  = "https://sso.shop.example/as/authorization.oauth2?response_type=code&client_id=web&redirect_uri=https%3A%2F%2Fshop.example%2Fcb&state=s1"
)

func pfCurl(form string) string {
	return "curl -X POST " + pfToken + " -u web:s3cr3t-web -d '" + form + "'"
}

func answer(status, body string) string {
	return "HTTP/1.1 " + status + "\r\nContent-Type: application/json\r\n\r\n" + body
}

func TestProviderWordsWeighed(t *testing.T) {
	validForm := "grant_type=authorization_code&code=c0de-abcdef&redirect_uri=https%3A%2F%2Fshop.example%2Fcb&code_verifier=" + verifier
	for _, c := range []heardCase{{
		name:     "HTTP 200 with an error member is a refusal (GitHub), read through the table",
		token:    "curl -X POST https://github.com/login/oauth/access_token -d client_id=Iv1.abc -d client_secret=s3cr3t-gh -d code=c0de-abcdef",
		response: answer("200 OK", `{"error":"bad_verification_code","error_description":"The code passed is incorrect or expired.","error_uri":"https://docs.github.com/apps/managing-oauth-apps/troubleshooting-oauth-app-access-token-request-errors/#bad-verification-code"}`),
		provider: "GitHub", first: []string{explain.CodeReused, explain.CodeExpired, explain.CodeInvalid}, absent: []string{explain.None},
		note: "no grant_type",
	}, {
		name:     "401 unauthorized_client is Keycloak's wrong secret, not a grant type",
		token:    kcCurl(validForm),
		response: answer("401 Unauthorized", `{"error":"unauthorized_client","error_description":"Invalid client or Invalid client credentials"}`),
		provider: "Keycloak", first: []string{explain.ClientAuthentication}, absent: []string{explain.GrantTypeNotAllowed},
	}, {
		name:      "the provider names the second of two mistakes: it comes first",
		authorize: kcAuthz,
		token:     kcCurl("grant_type=authorization_code&code=c0de-abcdef&redirect_uri=https%3A%2F%2Fshop.example%2Fcb%2F"),
		response:  answer("400 Bad Request", `{"error":"invalid_grant","error_description":"PKCE code verifier not specified"}`),
		provider:  "Keycloak", first: []string{explain.PKCEVerifierMissing, explain.RedirectURIMismatch},
	}, {
		name:      "the input contradicts the provider: the cause the input proves, with the provider's words",
		authorize: kcAuthz,
		token:     kcCurl("grant_type=authorization_code&code=c0de-abcdef&redirect_uri=https%3A%2F%2Fshop.example%2Fcb"),
		response:  answer("400 Bad Request", `{"error":"invalid_grant","error_description":"PKCE verification failed: Code mismatch"}`),
		provider:  "Keycloak", first: []string{explain.PKCEVerifierMissing}, absent: []string{explain.PKCEVerifierMismatch},
		evidence: "PKCE verification failed: Code mismatch",
	}, {
		name:      "the provider's verdict is not overruled: the pasted authorization URL is not this code's",
		authorize: kcAuthz,
		token:     kcCurl(validForm),
		response:  answer("400 Bad Request", `{"error":"invalid_grant","error_description":"PKCE verification failed: Code mismatch"}`),
		provider:  "Keycloak", first: []string{explain.PKCEVerifierMismatch}, absent: []string{explain.None},
		evidence: "not the one that produced this code",
	}, {
		name:      "a generic text gives each cause it fits, with what would tell them apart",
		response:  `{"error":"invalid_grant","error_description":"Code not valid"}`,
		authorize: kcAuthz, provider: "Keycloak",
		first:    []string{explain.CodeReused, explain.CodeInvalid},
		evidence: "would tell: a HAR of the whole flow",
		note:     "the token request is not in the input",
	}, {
		name:      "a provider's generic text and a second mistake: the text's causes first, the mistake kept",
		authorize: kcAuthz,
		token:     kcCurl("grant_type=authorization_code&code=c0de-abcdef&redirect_uri=https%3A%2F%2Fshop.example%2Fcb%2F&code_verifier=" + verifier),
		response:  answer("400 Bad Request", `{"error":"invalid_grant","error_description":"Code not valid"}`),
		provider:  "Keycloak", first: []string{explain.CodeReused, explain.CodeInvalid, explain.RedirectURIMismatch},
	}, {
		name:     "an unknown provider's bare invalid_grant is never none",
		token:    "curl https://id.example/token -d grant_type=authorization_code -d code=c0de-abcdef -d client_id=app -d redirect_uri=https://app.example/cb",
		response: answer("400 Bad Request", `{"error":"invalid_grant"}`),
		first:    []string{explain.CodeReused, explain.CodeExpired, explain.CodeInvalid},
		absent:   []string{explain.None},
	}, {
		name:     "a refusal nothing explains is said to be unexplained, not none",
		token:    "curl https://id.example/token -d grant_type=authorization_code -d code=c0de-abcdef -d client_id=app",
		response: answer("400 Bad Request", `{"error":"temporarily_unavailable_x"}`),
		first:    []string{explain.Unexplained}, absent: []string{explain.None},
	}, {
		name:     "HTTP 200 without tokens (a login page at a wrong token URL) is no success",
		token:    "curl https://id.example/login -d grant_type=authorization_code -d code=c0de-abcdef -d client_id=app",
		response: "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n<html><title>Sign in</title></html>",
		first:    []string{explain.Unexplained}, absent: []string{explain.None},
		evidence: "without tokens",
	}, {
		name:      "authorization URL without response_type, token request without grant_type",
		authorize: "https://github.com/login/oauth/authorize?client_id=Iv1.abc&redirect_uri=https%3A%2F%2Fapp.example%2Fcb&state=s1",
		token:     "curl https://github.com/login/oauth/access_token -d client_id=Iv1.abc -d client_secret=s3cr3t-gh -d code=c0de-abcdef -d redirect_uri=https://app.example/cb/",
		response:  `{"error":"redirect_uri_mismatch","error_description":"The redirect_uri MUST match the registered callback URL for this application."}`,
		provider:  "GitHub", first: []string{explain.RedirectURIMismatch},
		note: "no response_type",
	}, {
		name:     "a misused code is read through the table: Keycloak's invalid_client for a bearer-only client",
		token:    kcCurl(validForm),
		response: answer("400 Bad Request", `{"error":"invalid_client","error_description":"Bearer-only not allowed"}`),
		provider: "Keycloak", first: []string{explain.GrantTypeNotAllowed}, absent: []string{explain.ClientAuthentication},
	}, {
		name: "a token request with a JSON body (auth0-spa-js) and Auth0's documented answer",
		token: `curl https://shop.eu.auth0.com/oauth/token -H 'Content-Type: application/json' ` +
			`-d '{"grant_type":"authorization_code","client_id":"spa","code":"c0de-abcdef","redirect_uri":"https://shop.example/cb","code_verifier":"` + verifier + `"}'`,
		response: answer("403 Forbidden", `{"error":"invalid_grant","error_description":"Invalid authorization code"}`),
		provider: "Auth0", first: []string{explain.CodeReused, explain.CodeExpired, explain.CodeInvalid, explain.ClientMismatch},
	}, {
		name:     "PingFederate recognised by its /as/token.oauth2 path; its one text for a bad code gives each code cause",
		token:    pfCurl("grant_type=authorization_code&code=c0de-abcdef&redirect_uri=https%3A%2F%2Fshop.example%2Fcb"),
		response: answer("400 Bad Request", `{"error_description":"Authorization code is invalid or expired.","error":"invalid_grant"}`),
		provider: pingName, first: []string{explain.CodeReused, explain.CodeExpired, explain.CodeInvalid}, absent: []string{explain.None},
	}, {
		name:      "PingFederate names the redirect_uri the token request left out",
		authorize: pfAuthz,
		token:     pfCurl("grant_type=authorization_code&code=c0de-abcdef"),
		response:  answer("400 Bad Request", `{"error_description":"redirect_uri is required if it was included in the authorization request.","error":"invalid_grant"}`),
		provider:  pingName, first: []string{explain.RedirectURIMissing},
		absent: []string{explain.CodeReused, explain.None},
	}, {
		name:     "PingFederate's invalid_grant for a missing access token mapping does not blame the code",
		token:    pfCurl("grant_type=authorization_code&code=c0de-abcdef&redirect_uri=https%3A%2F%2Fshop.example%2Fcb"),
		response: answer("400 Bad Request", `{"error_description":"No attributes found in the context of this grant.","error":"invalid_grant"}`),
		provider: pingName, first: []string{"other:access-token-mapping-missing"},
		absent: []string{explain.CodeReused, explain.CodeExpired, explain.CodeInvalid, explain.None},
	}, {
		name:     "a chunked raw HTTP answer is decoded",
		token:    kcCurl(validForm),
		response: "HTTP/1.1 401 Unauthorized\r\nTransfer-Encoding: chunked\r\nContent-Type: application/json\r\n\r\n5f\r\n{\"error\":\"invalid_client\",\"error_description\":\"Invalid client or Invalid client credentials\"}\r\n0\r\n\r\n",
		provider: "Keycloak", first: []string{explain.ClientAuthentication},
	}} {
		t.Run(c.name, func(t *testing.T) {
			var in explain.Input
			var err error
			if c.token == "" {
				in, err = explain.ReadResponse(c.authorize, []byte(c.response))
			} else {
				in, err = explain.ReadRequest(c.authorize, []byte(c.token), []byte(c.response))
			}
			if err != nil {
				t.Fatal(err)
			}
			rep := explain.Diagnose(in, nil)
			var got []string
			for _, cause := range rep.Causes {
				got = append(got, cause.ID)
			}
			out := text(t, rep)
			if len(got) < len(c.first) || !slices.Equal(got[:len(c.first)], c.first) {
				t.Fatalf("causes %v, want them to start with %v\n%s", got, c.first, out)
			}
			for _, a := range c.absent {
				if slices.Contains(got, a) {
					t.Errorf("causes %v include %s\n%s", got, a, out)
				}
			}
			if name := providerName(rep); name != c.provider {
				t.Errorf("provider %q, want %q", name, c.provider)
			}
			if !strings.Contains(rep.Causes[0].Evidence, c.evidence) {
				t.Errorf("first evidence lacks %q:\n%s", c.evidence, out)
			}
			if c.note != "" && !slices.ContainsFunc(rep.NotChecked, func(n string) bool { return strings.Contains(n, c.note) }) {
				t.Errorf("not_checked lacks %q:\n%s", c.note, out)
			}
			for _, secret := range []string{"s3cr3t-web", "s3cr3t-gh", "c0de-abcdef", verifier} {
				if strings.Contains(out, secret) {
					t.Errorf("the report shows a secret:\n%s", out)
				}
			}
		})
	}
}

func providerName(r explain.Report) string {
	if r.Provider == nil {
		return ""
	}
	return r.Provider.Name
}

// Bytes of the input never drive the reader's terminal (issue 16 item 9): ESC, BEL and a bidi
// override in a HAR's URLs and in the provider's words come out escaped, as text and as JSON.
func TestInputBytesEscaped(t *testing.T) {
	hostile := "https://app.example/cb\x1b[2J\x1b]0;TITLE\x07\u202e"
	har := map[string]any{"log": map[string]any{"entries": []any{
		map[string]any{"startedDateTime": "2026-12-01T20:00:00Z", "time": 1,
			"request":  map[string]any{"method": "GET", "url": "https://id.example/authorize?response_type=code&client_id=app&redirect_uri=https%3A%2F%2Fapp.example%2Fcb&state=s", "headers": []any{}},
			"response": map[string]any{"status": 302, "headers": []any{map[string]any{"name": "Location", "value": "https://app.example/cb?code=c0de-abcdef&state=s&x=" + url.QueryEscape(hostile)}}, "content": map[string]any{}}},
		map[string]any{"startedDateTime": "2026-12-01T20:00:00.5Z", "time": 1,
			"request":  map[string]any{"method": "GET", "url": "https://app.example/cb?code=c0de-abcdef&state=s&x=" + url.QueryEscape(hostile), "headers": []any{}},
			"response": map[string]any{"status": 200, "headers": []any{}, "content": map[string]any{}}},
		map[string]any{"startedDateTime": "2026-12-01T20:00:01Z", "time": 1,
			"request": map[string]any{"method": "POST", "url": "https://id.example/token", "headers": []any{},
				"postData": map[string]any{"mimeType": "application/x-www-form-urlencoded", "text": "grant_type=authorization_code&code=c0de-abcdef&client_id=app&redirect_uri=" + url.QueryEscape(hostile)}},
			"response": map[string]any{"status": 400, "headers": []any{}, "content": map[string]any{"text": `{"error":"invalid_grant","error_description":"bad \u001b[31mred\u0007"}`}}},
	}}}
	raw, err := json.Marshal(har)
	if err != nil {
		t.Fatal(err)
	}
	in, err := explain.ReadHAR(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	rep := explain.Diagnose(in, nil)
	var js bytes.Buffer
	if err := explain.WriteJSON(&js, rep); err != nil {
		t.Fatal(err)
	}
	for name, out := range map[string]string{"text": text(t, rep), "json": js.String()} {
		if i := strings.IndexAny(out, "\x1b\x07\u202e"); i >= 0 {
			t.Errorf("%s output carries a control character at %d:\n%q", name, i, out)
		}
		if !strings.Contains(out, `\x1b[2J`) {
			t.Errorf("%s output does not show the escape as text:\n%s", name, out)
		}
	}
}

// In a recording, a token request answered HTTP 200 with an error member (GitHub's dialect) is the
// refused one to explain, even when a later exchange succeeded.
func TestHARPicksA200Refusal(t *testing.T) {
	entry := func(at, code, body string) map[string]any {
		return map[string]any{"startedDateTime": at, "time": 1,
			"request": map[string]any{"method": "POST", "url": "https://github.com/login/oauth/access_token", "headers": []any{},
				"postData": map[string]any{"mimeType": "application/x-www-form-urlencoded", "text": "client_id=Iv1.abc&client_secret=s3cr3t-gh&code=" + code}},
			"response": map[string]any{"status": 200, "headers": []any{}, "content": map[string]any{"text": body}}}
	}
	raw, err := json.Marshal(map[string]any{"log": map[string]any{"entries": []any{
		entry("2026-12-01T20:00:00Z", "c0de-first", `{"error":"bad_verification_code","error_description":"The code passed is incorrect or expired."}`),
		entry("2026-12-01T20:00:09Z", "c0de-second", `{"access_token":"gho_abcdefabcdefabcdef","token_type":"bearer","scope":""}`),
	}}})
	if err != nil {
		t.Fatal(err)
	}
	in, err := explain.ReadHAR(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	rep := explain.Diagnose(in, nil)
	if rep.Answer == nil || !rep.Answer.Refused || rep.Causes[0].ID == explain.None || providerName(rep) != "GitHub" {
		t.Fatalf("the 200 refusal was not the one explained:\n%s", text(t, rep))
	}
}
