package curl

import (
	"encoding/base64"
	"strings"
	"testing"
)

func TestParseForms(t *testing.T) {
	cases := []struct {
		name, in           string
		method, url, body  string
		header, headerWant string
	}{
		{
			name: "Copy as cURL (bash) with line continuations",
			in: "curl 'https://id.example/token' \\\n  -H 'accept: application/json' \\\n  -H 'content-type: application/x-www-form-urlencoded' \\\n" +
				"  --data-raw 'grant_type=authorization_code&code=abc&redirect_uri=https%3A%2F%2Fapp.example%2Fcb'\n",
			method: "POST", url: "https://id.example/token",
			body:   "grant_type=authorization_code&code=abc&redirect_uri=https%3A%2F%2Fapp.example%2Fcb",
			header: "Accept", headerWant: "application/json",
		},
		{
			name:   "typed: -u, several -d, -X",
			in:     `curl -sS -X POST https://id.example/token -u "app-a:s3cr:et" -d grant_type=authorization_code -d "code=a b"`,
			method: "POST", url: "https://id.example/token", body: "grant_type=authorization_code&code=a b",
			header: "Authorization", headerWant: "Basic " + base64.StdEncoding.EncodeToString([]byte("app-a:s3cr:et")),
		},
		{
			name:   "--data-urlencode forms and inline values",
			in:     `curl -XPOST --url=https://id.example/token --data-urlencode 'redirect_uri=https://app.example/cb?x=1' --data-urlencode =raw --data=a=1`,
			method: "POST", url: "https://id.example/token", body: "redirect_uri=https%3A%2F%2Fapp.example%2Fcb%3Fx%3D1&raw&a=1",
			header: "Content-Type", headerWant: "application/x-www-form-urlencoded",
		},
		{
			name:   "--json (curl 7.82)",
			in:     `curl https://id.example/oauth/token --json '{"grant_type":"authorization_code","code":"abc"}'`,
			method: "POST", url: "https://id.example/oauth/token", body: `{"grant_type":"authorization_code","code":"abc"}`,
			header: "Content-Type", headerWant: "application/json",
		},
		{
			name:   "cmd.exe caret continuation, no scheme",
			in:     "curl id.example/token ^\n -d grant_type=client_credentials",
			method: "POST", url: "http://id.example/token", body: "grant_type=client_credentials",
		},
		{
			name:   "-G moves the data into the query",
			in:     `curl -G https://id.example/token?a=1 -d grant_type=x`,
			method: "GET", url: "https://id.example/token?a=1&grant_type=x",
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, err := Parse(c.in)
			if err != nil {
				t.Fatal(err)
			}
			if r.Method != c.method || r.URL != c.url || r.Body != c.body {
				t.Errorf("got %s %s %q, want %s %s %q", r.Method, r.URL, r.Body, c.method, c.url, c.body)
			}
			if c.header != "" && r.Header.Get(c.header) != c.headerWant {
				t.Errorf("%s: %q, want %q", c.header, r.Header.Get(c.header), c.headerWant)
			}
		})
	}
}

// Hostile or broken command lines give one-line errors that name the problem and no secret.
func TestParseHostile(t *testing.T) {
	cases := []struct{ name, in, want string }{
		{"unterminated single quote", `curl https://id.example/token -d 'grant_type=x&client_secret=hunter22`, "unterminated quote"},
		{"unterminated double quote", `curl "https://id.example/token`, "unterminated quote"},
		{"unquoted ampersand", `curl https://id.example/token -d grant_type=x&code=hunter22`, `unquoted "&"`},
		{"not curl", `wget https://id.example/token`, "does not start with curl"},
		{"empty", "   \n", "does not start with curl"},
		{"binary garbage", "\x00\xff\xfe\x01curl", "NUL bytes"},
		{"no URL", `curl -d a=b`, "no URL"},
		{"two URLs", `curl https://a.example/?code=hunter22 https://b.example/`, "second URL"},
		{"flag without value", `curl https://id.example/token -H`, "-H needs a value"},
		{"file data", `curl https://id.example/token -d @body.txt`, "reads a file"},
		{"unknown option", `curl --frobnicate https://id.example/token`, `"--frobnicate" is not understood`},
		{"bad header", `curl https://id.example/token -H 'hunter22'`, "no \"Name: value\" form"},
		{"command substitution", "curl https://id.example/token -d \"$(cat /etc/passwd)\"", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, err := Parse(c.in)
			if c.want == "" { // accepted literally, never run
				if err == nil && strings.Contains(r.Body, "root:") {
					t.Fatal("the command substitution was run")
				}
				return
			}
			if err == nil {
				t.Fatalf("no error for %q", c.in)
			}
			msg := err.Error()
			if !strings.Contains(msg, c.want) || strings.Contains(msg, "\n") || strings.Contains(msg, "hunter22") {
				t.Errorf("error %q: want one line containing %q and no secret", msg, c.want)
			}
		})
	}
}

func FuzzParse(f *testing.F) {
	f.Add(`curl 'https://id.example/token' -H 'a: b' --data-raw 'x=1'`)
	f.Add("curl -u a:b -d \"x=1\" \\\n https://x")
	f.Fuzz(func(t *testing.T, s string) {
		if _, err := Parse(s); err != nil && strings.Contains(err.Error(), "\n") {
			t.Errorf("multi-line error: %q", err)
		}
	})
}
