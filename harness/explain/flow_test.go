package explain_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/grantcheck/grantcheck/harness/explain"
	"github.com/grantcheck/grantcheck/harness/explain/answers"
)

// cookieValue is the value every test cookie carries: a session secret, never to be shown.
const cookieValue = "S3CR3T-c00kie-value-4f9a"

// step is one recorded request and its answer.
type step struct {
	method, url string
	status      int
	header      map[string]string // response headers
	cookies     []string          // response.cookies names (each with the test's secret value)
	body        string            // request body (form) for a POST
	answer      string            // response body
}

// harOf writes the steps as a HAR 1.2 recording.
func harOf(t *testing.T, steps []step) []byte {
	t.Helper()
	var entries []any
	for _, s := range steps {
		var hdr []any
		for k, v := range s.header {
			hdr = append(hdr, map[string]string{"name": k, "value": v})
		}
		req := map[string]any{"method": s.method, "url": s.url, "headers": []any{}}
		if s.body != "" {
			req["headers"] = []any{map[string]string{"name": "Content-Type", "value": "application/x-www-form-urlencoded"}}
			req["postData"] = map[string]any{"mimeType": "application/x-www-form-urlencoded", "text": s.body}
		}
		var cookies []any
		for _, c := range s.cookies {
			cookies = append(cookies, map[string]any{"name": c, "value": cookieValue, "path": "/", "httpOnly": true})
		}
		entries = append(entries, map[string]any{"startedDateTime": "2026-12-01T20:00:00.000Z", "time": 5, "request": req,
			"response": map[string]any{"status": s.status, "headers": hdr, "cookies": cookies, "content": map[string]any{"text": s.answer}}})
	}
	b, err := json.Marshal(map[string]any{"log": map[string]any{"version": "1.2", "entries": entries}})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// loginFlow is a code flow at idp.example whose pages set the cookie named (on the host given,
// "" for none), visit the extra path (on idp.example, "" for none), and end in a bare
// invalid_grant at tokenPath.
func loginFlow(t *testing.T, cookieHost, cookie, path, tokenPath string) []byte {
	return harOf(t, loginSteps(cookieHost, cookie, path, tokenPath))
}

// loginSteps are loginFlow's steps; the cookie is set with a Set-Cookie header.
func loginSteps(cookieHost, cookie, path, tokenPath string) []step {
	authz := "https://idp.example/authorize?response_type=code&client_id=web&redirect_uri=https%3A%2F%2Fapp.example%2Fcb&state=s1"
	html := func(extra map[string]string) map[string]string {
		h := map[string]string{"Content-Type": "text/html; charset=utf-8"}
		for k, v := range extra {
			h[k] = v
		}
		return h
	}
	setCookie := map[string]string{"Set-Cookie": cookie + "=" + cookieValue + "; Path=/; Secure; HttpOnly"}
	authzHdr := map[string]string{"Location": "https://login.example/login?challenge=c1"}
	steps := []step{
		{method: "GET", url: "https://app.example/", status: 200, header: html(nil)},
		{method: "GET", url: "https://analytics.example/collect", status: 200, header: html(nil)},
		{method: "GET", url: authz, status: 302, header: authzHdr},
		{method: "GET", url: "https://login.example/login?challenge=c1", status: 200, header: html(nil)},
	}
	if path != "" {
		steps = append(steps, step{method: "GET", url: "https://idp.example" + path, status: 200, header: html(nil)})
	}
	for i := range steps {
		if cookie != "" && strings.Contains(steps[i].url, "//"+cookieHost+"/") {
			for k, v := range setCookie {
				steps[i].header[k] = v
			}
		}
	}
	steps = append(steps,
		step{method: "POST", url: "https://idp.example/login", body: "user=u&password=pw", status: 302,
			header: map[string]string{"Location": "https://app.example/cb?code=c0de-abcdef&state=s1"}},
		step{method: "GET", url: "https://app.example/cb?code=c0de-abcdef&state=s1", status: 200, header: html(nil)},
		step{method: "POST", url: "https://idp.example" + tokenPath, status: 400,
			body:   "grant_type=authorization_code&code=c0de-abcdef&redirect_uri=https%3A%2F%2Fapp.example%2Fcb&client_id=web",
			header: map[string]string{"Content-Type": "application/json"}, answer: `{"error":"invalid_grant"}`})
	return steps
}

// report explains the recording and checks that no cookie value reaches the text or JSON output.
func report(t *testing.T, b []byte) explain.Report {
	t.Helper()
	in, err := explain.ReadHAR(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	r := explain.Diagnose(in, nil)
	var text, js bytes.Buffer
	if err := explain.WriteText(&text, r); err != nil {
		t.Fatal(err)
	}
	if err := explain.WriteJSON(&js, r); err != nil {
		t.Fatal(err)
	}
	for name, out := range map[string]string{"text": text.String(), "JSON": js.String()} {
		if strings.Contains(out, cookieValue) {
			t.Fatalf("the %s output shows a cookie's value:\n%s", name, out)
		}
	}
	return r
}

// Every flow signal of the table recognises its provider from a recording whose login pages
// show it, at a token path the provider shares with others (so only the flow can tell).
func TestFlowSignsRecogniseEachProvider(t *testing.T) {
	table, err := answers.Load()
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, p := range table.Providers {
		for _, c := range p.Recognise.Cookies {
			name, prefix := strings.CutSuffix(c.Name, "*")
			if prefix {
				name += "_client42"
			}
			want := "the login pages set the cookie " + c.Name
			if prefix {
				want = "the login pages set a cookie whose name begins " + strings.TrimSuffix(c.Name, "*")
			}
			t.Run(p.Slug+"/cookie "+c.Name, func(t *testing.T) {
				assertRecognised(t, report(t, loginFlow(t, "idp.example", name, "", "/token")), p, want)
			})
			n++
		}
		for _, l := range p.Recognise.LoginPaths {
			t.Run(p.Slug+"/path "+l.Name, func(t *testing.T) {
				assertRecognised(t, report(t, loginFlow(t, "", "", l.Name+"f00", "/token")), p, "at "+l.Name)
			})
			n++
		}
	}
	if n == 0 {
		t.Fatal("the table holds no flow signals")
	}
}

func assertRecognised(t *testing.T, r explain.Report, p *answers.Provider, by string) {
	t.Helper()
	if r.Provider == nil || r.Provider.Name != p.Name || !strings.Contains(r.Provider.By, by) {
		t.Fatalf("provider %+v, want %s recognised by …%s…", r.Provider, p.Name, by)
	}
}

// What does not count: a name many frameworks set, a table name on a host the flow did not
// pass through, the client's own host; a login app the authorization host redirected to counts.
func TestFlowSignsWhichHostsCount(t *testing.T) {
	for _, c := range []struct {
		name, host, cookie string
		want               string // provider name, "" for none
	}{
		{"a generic cookie recognises nothing", "idp.example", "JSESSIONID", ""},
		{"a host outside the flow does not count", "analytics.example", "lemonldap", ""},
		{"the client's host does not count", "app.example", "lemonldap", ""},
		{"the login app the authorization host redirected to counts", "login.example", "lemonldap", "LemonLDAP::NG"},
		{"the authorization host counts", "idp.example", "lemonldap", "LemonLDAP::NG"},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := report(t, loginFlow(t, c.host, c.cookie, "", "/token"))
			got := ""
			if r.Provider != nil {
				got = r.Provider.Name
			}
			if got != c.want {
				t.Fatalf("recognised %q (%+v), want %q", got, r.Provider, c.want)
			}
		})
	}
}

// LemonLDAP::NG answers every code problem with a bare {"error":"invalid_grant"} at
// /oauth2/token, a path Hydra, Spring Authorization Server and Cognito also use: its login
// cookie names it, and its fix (read the portal log) is given.
func TestFlowSignsNameLemonLDAP(t *testing.T) {
	r := report(t, loginFlow(t, "idp.example", "lemonldap", "", "/oauth2/token"))
	if r.Provider == nil || r.Provider.Name != "LemonLDAP::NG" || r.Provider.By != "the login pages set the cookie lemonldap" {
		t.Fatalf("provider %+v, want LemonLDAP::NG by its cookie", r.Provider)
	}
	fixed := false
	for _, c := range r.Causes {
		fixed = fixed || strings.Contains(c.Fix, "LemonLDAP::NG: Read the LemonLDAP::NG portal log")
	}
	if !fixed {
		t.Fatalf("no cause carries LemonLDAP::NG's fix: %+v", r.Causes)
	}
	// An export that strips Set-Cookie headers but keeps response.cookies: the name is read
	// there (its value never is).
	steps := loginSteps("", "", "", "/oauth2/token")
	steps[2].cookies = []string{"lemonldap"}
	if r := report(t, harOf(t, steps)); r.Provider == nil || r.Provider.Name != "LemonLDAP::NG" {
		t.Fatalf("from response.cookies, recognised %+v", r.Provider)
	}
	// The same recording without the cookie: /oauth2/token and a bare answer name no one.
	if r := report(t, loginFlow(t, "", "", "", "/oauth2/token")); r.Provider != nil {
		t.Fatalf("without the cookie, recognised %+v", r.Provider)
	}
}
