package main

import (
	"bytes"
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/grantcheck/grantcheck/fixtures/reference"
)

const explainCases = "../../harness/explain/testdata/cases"

func explainMain(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := Main(append([]string{"explain"}, args...), &out, &errb)
	return code, out.String(), errb.String()
}

// --format json prints exactly the documented object; exit 1 names a cause, 0 none.
func TestExplainJSONContract(t *testing.T) {
	for _, c := range []struct {
		dir   string
		exit  int
		first string
	}{{"redirect-uri-mismatch", 1, "redirect-uri-mismatch"}, {"control-basic", 0, "none"}} {
		code, out, stderr := explainMain(t, "--har", filepath.Join(explainCases, c.dir, "flow.har"), "--format", "json")
		if code != c.exit {
			t.Fatalf("%s: exit %d, want %d; %s", c.dir, code, c.exit, stderr)
		}
		var doc map[string]json.RawMessage
		if err := json.Unmarshal([]byte(out), &doc); err != nil {
			t.Fatal(err)
		}
		if keys := withoutOptional(sortedKeys(doc), "provider", "answer"); !reflect.DeepEqual(keys, []string{"causes", "checked", "not_checked"}) {
			t.Errorf("%s: top-level keys %v", c.dir, keys)
		}
		var causes []map[string]string
		if err := json.Unmarshal(doc["causes"], &causes); err != nil {
			t.Fatal(err)
		}
		if len(causes) == 0 || causes[0]["id"] != c.first {
			t.Fatalf("%s: causes %v", c.dir, causes)
		}
		for _, cause := range causes {
			if keys := withoutOptional(sortedKeys(cause), "source"); !reflect.DeepEqual(keys, []string{"confidence", "evidence", "fix", "id"}) {
				t.Errorf("%s: cause keys %v", c.dir, keys)
			}
		}
	}
}

// withoutOptional drops the keys added to the schema for issue 17 (the provider recognised, its
// answer quoted, a cause's source), present only when known.
func withoutOptional(keys []string, optional ...string) []string {
	return slices.DeleteFunc(keys, func(k string) bool { return slices.Contains(optional, k) })
}

func sortedKeys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// The curl path reads standard input with "-".
func TestExplainCurlFromStdin(t *testing.T) {
	dir := filepath.Join(explainCases, "pkce-verifier-mismatch")
	curl, err := os.ReadFile(filepath.Join(dir, "token.curl"))
	if err != nil {
		t.Fatal(err)
	}
	authz, _ := os.ReadFile(filepath.Join(dir, "authorize.url"))
	var out, errb bytes.Buffer
	code := explainCmdFrom(t, bytes.NewReader(curl), &out, &errb, "--authorize-url", strings.TrimSpace(string(authz)), "--token-request", "-")
	if code != 1 || !strings.Contains(out.String(), "1. pkce-verifier-mismatch (certain)") {
		t.Fatalf("exit %d\n%s%s", code, out.String(), errb.String())
	}
}

func explainCmdFrom(t *testing.T, stdin *bytes.Reader, out, errb *bytes.Buffer, args ...string) int {
	t.Helper()
	code, err := explainCmd(args, stdin, out, errb)
	if err != nil {
		errb.WriteString(err.Error())
	}
	return code
}

// Unreadable input and bad usage: exit 2 and one line naming the input.
func TestExplainErrorsAreOneLine(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	garbage := write("garbage.har", "\x00\xff\x13binary")
	noToken := write("assets.har", `{"log":{"version":"1.2","entries":[{"startedDateTime":"2026-12-01T20:00:00Z","request":{"method":"GET","url":"https://app.example/","headers":[]},"response":{"status":200,"headers":[],"content":{}}}]}}`)
	quote := write("token.curl", "curl 'https://id.example/token' -d 'code=x")
	good := write("good.curl", "curl https://id.example/token -d grant_type=authorization_code -d code=abcd")
	badResp := write("response.http", "\x00garbage")
	for name, c := range map[string]struct {
		args []string
		want string
	}{
		"garbage HAR":      {[]string{"--har", garbage}, "not a HAR file"},
		"no token request": {[]string{"--har", noToken}, "no token request"},
		"missing file":     {[]string{"--har", filepath.Join(dir, "nope.har")}, "no such file"},
		"unterminated":     {[]string{"--token-request", quote}, "unterminated quote"},
		"bad response":     {[]string{"--token-request", good, "--response", badResp}, "--response " + badResp + ": response: neither"},
		"both inputs":      {[]string{"--har", garbage, "--token-request", quote}, "give --har FILE, or"},
		"no input":         {[]string{"--format", "json"}, "--response FILE alone"},
		"nested too deep":  {[]string{"--har", write("deep.har", `{"log":{"comment":`+strings.Repeat("[", 5000)+strings.Repeat("]", 5000)+`}}`)}, "nested deeper than"},
		"control bytes":    {[]string{"--token-request", write("esc.http", "POST /token HTTP/1.1\r\nHost: id.example\r\nX\x1b]0;TITLE\x07: 1\r\n\r\ngrant_type=authorization_code&code=abcd")}, "--token-request"},
		"probe alone":      {[]string{"--har", garbage, "--probe"}, "--probe needs --config"},
		"bad format":       {[]string{"--har", garbage, "--format", "xml"}, "want text or json"},
	} {
		t.Run(name, func(t *testing.T) {
			code, out, stderr := explainMain(t, c.args...)
			msg := strings.TrimSuffix(stderr, "\n")
			if code != exitUsage || out != "" || !strings.Contains(msg, c.want) || strings.Contains(msg, "\n") || strings.ContainsAny(msg, "\x1b\x07") {
				t.Errorf("exit %d, stdout %q, stderr %q: want exit 2 and one line containing %q", code, out, stderr, c.want)
			}
		})
	}
}

// --probe confirms a cause against a live provider, and weakens it when the provider accepts the
// change (the reference provider with the redirect-uri-optional fault).
func TestExplainProbe(t *testing.T) {
	dir := filepath.Join(explainCases, "redirect-uri-missing")
	authz, err := os.ReadFile(filepath.Join(dir, "authorize.url"))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ fault, confidence, says string }{
		{"", "certain", "probe: confirmed"},
		{"redirect-uri-optional", "possible", "was accepted (HTTP 200)"},
	} {
		t.Run("fault="+c.fault, func(t *testing.T) {
			cfg := referenceConfig(t, reference.Options{CodeTTL: 5 * time.Second, Fault: c.fault}, func(yaml []byte) []byte { return yaml })
			code, out, stderr := explainMain(t, "--authorize-url", strings.TrimSpace(string(authz)),
				"--token-request", filepath.Join(dir, "token.curl"), "--config", cfg, "--probe", "--format", "json")
			if code != 1 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			var rep struct {
				Causes []struct{ ID, Confidence, Evidence string }
			}
			if err := json.Unmarshal([]byte(out), &rep); err != nil {
				t.Fatal(err)
			}
			var found bool
			for _, cause := range rep.Causes {
				if cause.ID == "redirect-uri-missing" {
					found = true
					if cause.Confidence != c.confidence || !strings.Contains(cause.Evidence, c.says) {
						t.Errorf("after the probe: %s %q", cause.Confidence, cause.Evidence)
					}
				}
			}
			if !found {
				t.Fatalf("no redirect-uri-missing in %s", out)
			}
		})
	}
}

// --response alone (a file, or "-" for standard input) is enough to start: the provider is
// recognised by its answer's shape, its words quoted, the cause given with its source; what the
// request would add is listed.
func TestExplainResponseAlone(t *testing.T) {
	// Entra ID's documented shape: error_codes, trace_id, correlation_id; AADSTS54005 is its
	// "already redeemed" code (the table's entry and source).
	answer := `{"error":"invalid_grant","error_description":"AADSTS54005: OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token. Trace ID: 0","error_codes":[54005],"timestamp":"2026-12-01 20:00:00Z","trace_id":"0","correlation_id":"0"}`
	path := filepath.Join(t.TempDir(), "response.json")
	if err := os.WriteFile(path, []byte(answer), 0o644); err != nil {
		t.Fatal(err)
	}
	for name, run := range map[string]func() (int, string, string){
		"file": func() (int, string, string) { return explainMain(t, "--response", path) },
		"stdin": func() (int, string, string) {
			var out, errb bytes.Buffer
			code := explainCmdFrom(t, bytes.NewReader([]byte(answer)), &out, &errb, "--response", "-")
			return code, out.String(), errb.String()
		},
	} {
		t.Run(name, func(t *testing.T) {
			code, out, stderr := run()
			if code != 1 {
				t.Fatalf("exit %d: %s%s", code, out, stderr)
			}
			for _, want := range []string{"Provider: Microsoft Entra ID", "AADSTS54005", "1. code-reused (likely)", "source: https://",
				"the token request is not in the input"} {
				if !strings.Contains(out, want) {
					t.Errorf("output lacks %q:\n%s", want, out)
				}
			}
		})
	}
}

// A HAR whose URLs carry ESC and BEL (percent-encoded, as a browser records a hostile redirect):
// the report shows them as text, on the terminal and in JSON (issue 16 item 9).
func TestExplainEscapesInput(t *testing.T) {
	hostile := url.QueryEscape("https://app-a.example/cb\x1b[2J\x1b]0;TITLE\x07")
	har := `{"log":{"entries":[` +
		`{"startedDateTime":"2026-12-01T20:00:00Z","time":1,"request":{"method":"GET","url":"https://id.example/authorize?response_type=code&client_id=app-a&redirect_uri=https%3A%2F%2Fapp-a.example%2Fcb&state=s","headers":[]},"response":{"status":302,"headers":[{"name":"Location","value":"https://app-a.example/cb?code=c0de-abcdef&state=s"}],"content":{}}},` +
		`{"startedDateTime":"2026-12-01T20:00:00.5Z","time":1,"request":{"method":"GET","url":"https://app-a.example/cb?code=c0de-abcdef&state=s","headers":[]},"response":{"status":200,"headers":[],"content":{}}},` +
		`{"startedDateTime":"2026-12-01T20:00:01Z","time":1,"request":{"method":"POST","url":"https://id.example/token","headers":[],"postData":{"mimeType":"application/x-www-form-urlencoded","text":"grant_type=authorization_code&code=c0de-abcdef&client_id=app-a&redirect_uri=` + hostile + `"}},"response":{"status":400,"headers":[],"content":{"text":"{\"error\":\"invalid_grant\",\"error_description\":\"\\u001b[31mred\\u0007\"}"}}}]}}`
	path := filepath.Join(t.TempDir(), "hostile.har")
	if err := os.WriteFile(path, []byte(har), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, format := range []string{"text", "json"} {
		code, out, stderr := explainMain(t, "--har", path, "--format", format)
		if code != 1 {
			t.Fatalf("%s: exit %d: %s", format, code, stderr)
		}
		if strings.ContainsAny(out, "\x1b\x07") || !strings.Contains(out, `\x1b[2J`) {
			t.Errorf("%s: control bytes not escaped:\n%q", format, out)
		}
	}
}
