package reports

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/grantcheck/grantcheck/harness/verdict"
)

func TestCurl(t *testing.T) {
	got := Curl(verdict.Request{Step: "redemption with a different redirect_uri", Method: "POST",
		URL: "https://id.example/token", Basic: "app-a",
		Authorize: "https://id.example/authorize?client_id=app-a&redirect_uri=https%3A%2F%2Fapp.example%2Fcb&state=$STATE&nonce=$NONCE&code_challenge=$CODE_CHALLENGE&code_challenge_method=S256",
		Params: []verdict.Param{
			{Name: "grant_type", Value: "authorization_code"},
			{Name: "code", Env: "CODE"},
			{Name: "redirect_uri", Value: "https://app.example/cb/'$(id)`x`"},
			{Name: "code_verifier", Env: "CODE_VERIFIER"},
		}})
	for _, want := range []string{
		"#   CLIENT_SECRET: ",
		`CODE_CHALLENGE=$(printf %s "$CODE_VERIFIER" | openssl dgst -sha256 -binary`,
		`echo "https://id.example/authorize?client_id=app-a&redirect_uri=https%3A%2F%2Fapp.example%2Fcb&state=$STATE&nonce=$NONCE&code_challenge=$CODE_CHALLENGE&code_challenge_method=S256"`,
		"read -r -p 'code: ' CODE\n# redemption with a different redirect_uri\n",
		"curl -sS -i 'https://id.example/token' \\\n  -H 'Accept: application/json' \\\n",
		`-u "app-a:$CLIENT_SECRET"`,
		`--data-urlencode "code=$CODE"`,
		// Provider or config text never expands in the shell.
		`--data-urlencode 'redirect_uri=https://app.example/cb/'\''$(id)` + "`x`'",
		`--data-urlencode "code_verifier=$CODE_VERIFIER"`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("curl lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "#   CODE:") || strings.Contains(got, "#   CODE_VERIFIER:") {
		t.Errorf("the script obtains CODE and CODE_VERIFIER itself, yet asks for them:\n%s", got)
	}
	if sh, err := exec.LookPath("sh"); err == nil {
		if out, err := exec.Command(sh, "-n", "-c", got).CombinedOutput(); err != nil {
			t.Errorf("not valid shell: %v %s\n%s", err, out, got)
		}
	}
}

func TestCurlVariants(t *testing.T) {
	cases := []struct {
		name string
		req  verdict.Request
		want []string
	}{
		{"GET", verdict.Request{Method: "GET", URL: "https://id.example/token", Params: []verdict.Param{{Name: "grant_type", Value: "x"}}},
			[]string{"curl -sS -i -G 'https://id.example/token'", "--data-urlencode 'grant_type=x'"}},
		{"JSON body", verdict.Request{Method: "POST", URL: "https://id.example/token", JSON: true,
			Params: []verdict.Param{{Name: "grant_type", Value: `a"b$c`}, {Name: "client_secret", Env: "CLIENT_SECRET"}}},
			[]string{"-H 'Content-Type: application/json'", `--data "{\"grant_type\":\"a\\\"b\$c\",\"client_secret\":\"$CLIENT_SECRET\"}"`}},
		{"bearer", verdict.Request{Method: "GET", URL: "https://id.example/userinfo", Bearer: true},
			[]string{"curl -sS -i -G", `-H "Authorization: Bearer $ACCESS_TOKEN"`, "#   ACCESS_TOKEN: "}},
		{"code without PKCE", verdict.Request{Method: "POST", URL: "https://id.example/token",
			Authorize: "https://id.example/authorize?state=$STATE&nonce=$NONCE",
			Params:    []verdict.Param{{Name: "code", Env: "CODE"}, {Name: "code_verifier", Env: "CODE_VERIFIER"}}},
			[]string{"#   CODE_VERIFIER: ", "read -r -p 'code: ' CODE"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := Curl(c.req)
			for _, w := range c.want {
				if !strings.Contains(got, w) {
					t.Errorf("lacks %q:\n%s", w, got)
				}
			}
			if strings.Contains(c.name, "PKCE") && strings.Contains(got, "CODE_CHALLENGE=") {
				t.Errorf("a code requested without a challenge gets one:\n%s", got)
			}
		})
	}
}
