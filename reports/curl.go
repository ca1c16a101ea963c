package reports

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/grantcheck/grantcheck/harness/verdict"
)

// envHelp says where each shell variable of a reproduction comes from.
var envHelp = map[string]string{
	"CLIENT_SECRET":    "the client's registered secret (a wrong one to repeat a wrong-secret scenario)",
	"CODE":             "a fresh code: open the authorization URL below, sign in as the test user and copy code= from the redirect",
	"CODE_VERIFIER":    "the PKCE verifier whose challenge the authorization URL carries",
	"CODE_CHALLENGE":   "BASE64URL(SHA256(CODE_VERIFIER)) without padding",
	"REFRESH_TOKEN":    "a refresh token issued to the client",
	"ACCESS_TOKEN":     "an access token issued to the client",
	"STATE":            "any random value",
	"CLIENT_ASSERTION": "a client assertion made for this request: a JWT signed by the client (RFC 7523 §3)",
	"MAC_KEY":          "the key of the assertion's MAC: the client's secret for client_secret_jwt (a wrong-secret or algorithm-confusion scenario used another key, as its step says)",
	"PRIVATE_KEY_FILE": "a PEM file of the client's private key (a wrong-key scenario used a key the client never registered)",
	"NONCE":            "any random value",
}

// Curl renders a request description as a shell script that repeats it: a comment block saying
// which variables to set and how, the authorization request that obtains a code, then curl.
// Secret values are never part of the description, so they cannot be part of the command.
func Curl(req verdict.Request) string {
	var vars []string
	add := func(name string) {
		if !slices.Contains(vars, name) {
			vars = append(vars, name)
		}
	}
	if req.Basic != "" {
		add("CLIENT_SECRET")
	}
	if req.Bearer {
		add("ACCESS_TOKEN")
	}
	for _, p := range req.Params {
		if p.Env != "" {
			add(p.Env)
		}
	}
	fresh := req.Authorize != "" && slices.Contains(vars, "CODE")
	recipe := ""
	if req.Assertion != nil && slices.Contains(vars, "CLIENT_ASSERTION") {
		script, needs := assertionRecipe(*req.Assertion)
		recipe = script
		for _, v := range needs {
			add(v)
		}
	}

	pkce := fresh && strings.Contains(req.Authorize, "$CODE_CHALLENGE")
	var b strings.Builder
	var set []string
	for _, v := range vars {
		if fresh && v == "CODE" || pkce && v == "CODE_VERIFIER" || recipe != "" && v == "CLIENT_ASSERTION" {
			continue // the lines below obtain them
		}
		help := envHelp[v]
		if help == "" {
			help = "the value the request needs"
		}
		set = append(set, fmt.Sprintf("#   %s: %s\n", v, help))
	}
	if len(set) > 0 {
		b.WriteString("# Set these first (this report holds no secret values):\n" + strings.Join(set, ""))
	}
	if fresh {
		// The code (and its verifier) of the run cannot be reused: obtain new ones the same way.
		authVars := append([]string{"STATE", "NONCE", "CODE_CHALLENGE"}, vars...)
		b.WriteString("STATE=$(openssl rand -hex 16) NONCE=$(openssl rand -hex 16)\n")
		if pkce {
			b.WriteString("CODE_VERIFIER=$(openssl rand -hex 32)\n")
			b.WriteString("CODE_CHALLENGE=$(printf %s \"$CODE_VERIFIER\" | openssl dgst -sha256 -binary | openssl base64 -A | tr '+/' '-_' | tr -d '=')\n")
		}
		b.WriteString("# Open this URL in a browser, sign in as the test user, copy code= from the redirect:\n")
		fmt.Fprintf(&b, "echo %s\n", dquote(req.Authorize, authVars))
		b.WriteString("read -r -p 'code: ' CODE\n")
	}

	b.WriteString(recipe)
	if req.Step != "" {
		fmt.Fprintf(&b, "# %s\n", strings.ReplaceAll(req.Step, "\n", " "))
	}
	method := req.Method
	if method == "" {
		method = "POST"
	}
	first := "curl -sS -i"
	switch {
	case method == "GET":
		first += " -G"
	case method != "POST" || len(req.Params) == 0:
		first += " -X " + method
	}
	lines := []string{first + " " + squote(req.URL), "-H 'Accept: application/json'"}
	if req.Basic != "" {
		lines = append(lines, "-u "+dquote(req.Basic+":$CLIENT_SECRET", vars))
	}
	if req.Bearer {
		lines = append(lines, `-H "Authorization: Bearer $ACCESS_TOKEN"`)
	}
	if req.JSON && method != "GET" {
		var obj []string
		for _, p := range req.Params {
			val := jsonEscape(p.Value)
			if p.Env != "" {
				val = "$" + p.Env
			}
			obj = append(obj, fmt.Sprintf(`"%s":"%s"`, jsonEscape(p.Name), val))
		}
		lines = append(lines, "-H 'Content-Type: application/json'",
			"--data "+dquote("{"+strings.Join(obj, ",")+"}", vars))
	} else {
		for _, p := range req.Params {
			if p.Env != "" {
				lines = append(lines, "--data-urlencode "+dquote(p.Name+"=$"+p.Env, vars))
			} else {
				lines = append(lines, "--data-urlencode "+squote(p.Name+"="+p.Value))
			}
		}
	}
	b.WriteString(strings.Join(lines, " \\\n  "))
	b.WriteString("\n")
	return b.String()
}

// squote quotes for a POSIX shell: nothing inside expands.
func squote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

var escapedVar = regexp.MustCompile(`\\\$([A-Z][A-Z_]*)`)

// dquote quotes for double quotes so that only the reproduction's own $VARIABLES (envHelp, or a
// secret parameter's) expand; every other $, backtick, backslash and quote is escaped.
func dquote(s string, vars []string) string {
	esc := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "`", "\\`", "$", `\$`).Replace(s)
	esc = escapedVar.ReplaceAllStringFunc(esc, func(m string) string {
		if slices.Contains(vars, m[2:]) {
			return m[1:]
		}
		return m
	})
	return `"` + esc + `"`
}

func jsonEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`, "\r", `\r`, "\t", `\t`).Replace(s)
}
