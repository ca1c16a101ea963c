package oauth

import (
	"net/url"
	"strings"
	"testing"

	"github.com/onsi/gomega/types"

	"github.com/grantcheck/grantcheck/harness/authorize"
)

func failureOf(t *testing.T, m types.GomegaMatcher, actual any) string {
	t.Helper()
	ok, err := m.Match(actual)
	if err != nil {
		t.Fatal(err)
	}
	if ok {
		return ""
	}
	return m.FailureMessage(actual)
}

func TestAllowHTTPRefusal(t *testing.T) {
	cases := []struct {
		name string
		resp func() any
		want string // category prefix of the failure, "" for a match
	}{
		{"405 without a body", func() any { return answer(405, hdr(), "") }, ""},
		{"415 HTML", func() any { return answer(415, hdr("Content-Type", "text/html"), "<p>no</p>") }, ""},
		{"400 §5.2 error", func() any { return answer(400, jsonCT, `{"error":"invalid_request"}`) }, ""},
		{"400 HTML", func() any { return answer(400, hdr("Content-Type", "text/html"), "<p>bad</p>") }, "[format"},
		{"200 with tokens", func() any { return answer(200, jsonCT, `{"access_token":"`+accessToken+`","token_type":"Bearer"}`) }, "[security"},
		{"200 without tokens", func() any { return answer(200, jsonCT, `{}`) }, "[security"},
		{"500", func() any { return answer(500, jsonCT, `{"error":"server_error"}`) }, "[error-code"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := failureOf(t, BeError().AllowHTTPRefusal(), c.resp())
			if !strings.HasPrefix(got, c.want) || (c.want == "") != (got == "") {
				t.Errorf("failure %q, want prefix %q", got, c.want)
			}
		})
	}
}

func TestBeAuthzRefusal(t *testing.T) {
	const sent, registered = "https://evil.example/cb", "https://app.example/cb"
	refusal := func(to, code string) authorize.Outcome {
		return authorize.Outcome{Ending: authorize.EndedWithRefusal, RedirectURI: to, Refusal: &authorize.Refusal{Error: code}}
	}
	cases := []struct {
		name         string
		o            authorize.Outcome
		unregistered string
		want         string
	}{
		{"error page", authorize.Outcome{Ending: authorize.EndedOnPage, Status: 400}, sent, ""},
		{"code", authorize.Outcome{Ending: authorize.EndedWithCode, RedirectURI: registered}, "", "[security"},
		{"error redirect to the unregistered URI", refusal(sent, "invalid_request"), sent, "[security"},
		{"error redirect to a registered URI instead of a page", refusal(registered, "invalid_request"), sent, "[error-code"},
		{"accepted error redirect", refusal(registered, "unauthorized_client"), "", ""},
		{"other error code", refusal(registered, "server_error"), "", "[error-code"},
		{"redirect elsewhere", authorize.Outcome{Ending: authorize.EndedElsewhere, URL: "https://x.example/"}, "", "[error-code"},
		{"code sent elsewhere", authorize.Outcome{Ending: authorize.EndedElsewhere, URL: "https://x.example/?code=[code#1]", CarriesCode: true}, sent, "[security] the provider sent a code to"},
		{"bare redirect to the unregistered URI", authorize.Outcome{Ending: authorize.EndedBare, RedirectURI: sent}, sent, "[security] the provider redirected (with neither code nor error) to the unregistered"},
		{"bare redirect to a registered URI", authorize.Outcome{Ending: authorize.EndedBare, RedirectURI: registered}, sent, "[error-code"},
		{"accepted error redirect with a repeated parameter", authorize.Outcome{Ending: authorize.EndedWithRefusal, RedirectURI: registered,
			Refusal: &authorize.Refusal{Error: "unauthorized_client", Repeated: url.Values{"error_description": {"a", "b"}}}}, "",
			`[format] the error redirect carries error_description 2 times ("a", "b")`},
		{"bare redirect in a valid request", authorize.Outcome{Ending: authorize.EndedBare, RedirectURI: registered}, "", "[error-code] the provider redirected to"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var noRedirect []string
			if c.unregistered != "" {
				noRedirect = []string{registered}
			}
			got := failureOf(t, BeAuthzRefusal(c.unregistered, noRedirect, "unauthorized_client", "unsupported_response_type"), c.o)
			if !strings.HasPrefix(got, c.want) || (c.want == "") != (got == "") {
				t.Errorf("failure %q, want prefix %q", got, c.want)
			}
		})
	}
}

func TestCarryEachParamOnce(t *testing.T) {
	for _, c := range []struct {
		name     string
		repeated url.Values
		want     string
	}{
		{"once each", nil, ""},
		{"iss twice", url.Values{"iss": {"a", "b"}}, `[security] the authorization response carries iss 2 times ("a", "b")`},
		{"another parameter twice", url.Values{"session_state": {"a", "b"}}, "[format] the authorization response carries session_state 2 times"},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := failureOf(t, CarryEachParamOnce(), &authorize.Code{Repeated: c.repeated})
			if !strings.HasPrefix(got, c.want) || (c.want == "") != (got == "") {
				t.Errorf("failure %q, want prefix %q", got, c.want)
			}
		})
	}
}

func TestCarryIssuer(t *testing.T) {
	const iss = "https://op.example"
	for _, c := range []struct {
		name, got, want string
		repeated        url.Values
	}{
		{"equal", iss, "", nil},
		{"missing", "", "[format", nil},
		{"other issuer", "https://evil.example", "[security]", nil},
		{"repeated", iss, "[security] the authorization response carries iss 2 times", url.Values{"iss": {iss, "https://evil.example"}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := failureOf(t, CarryIssuer(iss), &authorize.Code{Issuer: c.got, Repeated: c.repeated})
			if !strings.HasPrefix(got, c.want) || (c.want == "") != (got == "") {
				t.Errorf("failure %q, want prefix %q", got, c.want)
			}
		})
	}
}
