package answers

import (
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"unicode"
	"unicode/utf8"
)

// Every embedded file parses and passes validation: a bad entry fails the build's tests, never a run.
func TestEmbeddedTableIsValid(t *testing.T) {
	table, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	if table.RFC == nil || len(table.Providers) == 0 {
		t.Fatalf("table: %d providers, rfc %v", len(table.Providers), table.RFC != nil)
	}
}

// Validation refuses what a table entry must not be: each case names the rule it breaks.
func TestValidationRefuses(t *testing.T) {
	const head = "name: X\nslug: x\nrecognise: {}\nentries:\n"
	const tail = "    source: \"https://example.com/x\"\n    quote: \"q\"\n"
	for _, c := range []struct{ name, entry, want string }{
		{"unknown cause", "  - {error: invalid_grant, means: [code-gone]}\n", `"code-gone": not a cause id`},
		{"bad regex", "  - {error: invalid_grant, says: \"(\", match: regex, means: [code-invalid]}\n", "not a Go regular expression"},
		{"no source", "  - {error: invalid_grant, means: [code-invalid], source: \"\", quote: q}\n", "not an http(s) URL"},
		{"long quote", "  - {error: invalid_grant, means: [code-invalid], source: \"https://example.com/x\", quote: \"" + strings.Repeat("q", 201) + "\"}\n", "longer than 200"},
		{"says without match", "  - {error: invalid_grant, says: x, means: [code-invalid]}\n", "says without match"},
		{"unknown key", "  - {error: invalid_grant, mean: [code-invalid]}\n", "field mean not found"},
	} {
		t.Run(c.name, func(t *testing.T) {
			body := head + c.entry
			if !strings.Contains(c.entry, "source") {
				body = strings.TrimSuffix(body, "}\n") + "," + strings.ReplaceAll(strings.ReplaceAll(strings.TrimSpace(tail), "\n", ","), "    ", "") + "}\n"
			}
			fsys := fstest.MapFS{"providers/x.yaml": {Data: []byte(body)}, "rfc.yaml": {Data: []byte("name: R\nslug: rfc\nentries:\n  - {error: e, means: [code-invalid], source: \"https://r.example\", quote: q}\n")}}
			_, err := load(fsys)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want one containing %q\n%s", err, c.want, body)
			}
		})
	}
}

// Recognition: a host or a path only one provider uses decides; a shared or one-segment path
// needs the provider's own words; nothing is guessed.
func TestRecognise(t *testing.T) {
	table, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	bare := Answer{Status: 400, Error: "invalid_grant"}
	for _, c := range []struct {
		name  string
		where Where
		a     Answer
		want  string // slug, "" for none
	}{
		{"Entra's host", Where{TokenURL: "https://login.microsoftonline.com/common/oauth2/v2.0/token"}, bare, "entra"},
		{"GitHub's host", Where{TokenURL: "https://github.com/login/oauth/access_token"}, bare, "github"},
		{"Keycloak's path", Where{TokenURL: "https://sso.example/realms/x/protocol/openid-connect/token"}, bare, "keycloak"},
		{"PingFederate's path", Where{TokenURL: "https://sso.example/as/token.oauth2"}, bare, "ping"},
		{"PingOne's path on a custom domain", Where{TokenURL: "https://login.example/as/token"}, bare, "ping"},
		{"Entra's shape on a shared path", Where{TokenURL: "https://id.example/oauth2/token"},
			Answer{Status: 400, Error: "invalid_grant", Members: []string{"correlation_id", "error", "error_codes", "trace_id"}}, "entra"},
		{"a shared path and a bare error", Where{TokenURL: "https://id.example/oauth2/token"}, bare, ""},
		{"a one-segment path", Where{TokenURL: "https://id.example/token"}, bare, ""},
		{"Keycloak's words on a shared path", Where{TokenURL: "https://id.example/oauth/token"},
			Answer{Status: 400, Error: "invalid_grant", Description: "Code not valid"}, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := ""
			if r := table.Recognise(c.where, c.a); r != nil {
				got = r.Provider.Slug
			}
			if got != c.want {
				t.Errorf("recognised %q, want %q", got, c.want)
			}
		})
	}
}

// PingOne is recognised by the host of every region its documentation lists (p1_organizations,
// p1_spn_reference), before its /as/token path is looked at.
func TestRecognisePingOneRegions(t *testing.T) {
	table, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, host := range []string{"auth.pingone.com", "auth.pingone.ca", "auth.pingone.eu", "auth.pingone.com.au", "auth.pingone.asia", "auth.pingone.sg"} {
		t.Run(host, func(t *testing.T) {
			r := table.Recognise(Where{TokenURL: "https://" + host + "/0b5c1a44-8a43-4b52-9d35-3c5b9c0ad1d5/as/token"}, Answer{Status: 400, Error: "invalid_grant"})
			if r == nil || r.Provider.Slug != "ping" || !strings.Contains(r.By, "host") {
				t.Errorf("recognised %+v, want ping by its host", r)
			}
		})
	}
}

// BenchmarkLoad: parsing and validating the whole table, once per explain run.
func BenchmarkLoad(b *testing.B) {
	for b.Loop() {
		if _, err := load(files); err != nil {
			b.Fatal(err)
		}
	}
}

// Validation refuses a flow signal that could not tell the provider, or that has no source.
func TestValidationRefusesSigns(t *testing.T) {
	const src = "source: \"https://example.com/x\""
	for _, c := range []struct{ name, recognise, want string }{
		{"generic cookie", "cookies: [{name: JSESSIONID, " + src + "}]", "many frameworks set"},
		{"generic cookie, other case", "cookies: [{name: XSRF-Token, " + src + "}]", "many frameworks set"},
		{"prefix of a generic cookie", "cookies: [{name: \"sess*\", " + src + "}]", "many frameworks set"},
		{"short prefix", "cookies: [{name: \"ab*\", " + src + "}]", "at least 4"},
		{"not a token", "cookies: [{name: \"a b\", " + src + "}]", "not a cookie name"},
		{"too long", "cookies: [{name: " + strings.Repeat("c", 65) + ", " + src + "}]", "longer than 64"},
		{"cookie without source", "cookies: [{name: lemonldap}]", "not an http(s) URL"},
		{"path without slash", "login_paths: [{name: login-actions, " + src + "}]", "starting with /"},
		{"path with a query", "login_paths: [{name: \"/login?x\", " + src + "}]", "no query"},
		{"unknown key", "cookies: [{nam: x, " + src + "}]", "field nam not found"},
	} {
		t.Run(c.name, func(t *testing.T) {
			body := "name: X\nslug: x\nrecognise: {" + c.recognise + "}\n"
			fsys := fstest.MapFS{"providers/x.yaml": {Data: []byte(body)}, "rfc.yaml": {Data: []byte("name: R\nslug: rfc\nentries:\n  - {error: e, means: [code-invalid], source: \"https://r.example\", quote: q}\n")}}
			_, err := load(fsys)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want one containing %q\n%s", err, c.want, body)
			}
		})
	}
}

// Flow signals come after everything the token exchange itself shows, and decide between
// providers only when one provider's signs are seen (or the token path narrows them to one).
func TestRecogniseFlowOrder(t *testing.T) {
	table, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	bare := Answer{Status: 400, Error: "invalid_grant"}
	kc := Flow{Cookies: []string{"KEYCLOAK_SESSION"}}
	for _, c := range []struct {
		name  string
		where Where
		want  string // slug, "" for none
		by    string
	}{
		{"the token host wins over the flow", Where{TokenURL: "https://login.microsoftonline.com/common/oauth2/v2.0/token", Flow: kc}, "entra", "host"},
		{"a unique token path wins over the flow", Where{TokenURL: "https://id.example/protocol/openid-connect/token", Flow: Flow{Cookies: []string{"lemonldap"}}}, "keycloak", "path"},
		{"the flow decides a shared path", Where{TokenURL: "https://id.example/oauth2/token", Flow: Flow{Cookies: []string{"lemonldap"}}}, "lemonldap-ng", "the login pages set the cookie lemonldap"},
		{"a prefix sign names the table's prefix, not the recorded name", Where{TokenURL: "https://id.example/oauth2/token", Flow: Flow{Cookies: []string{"ory_hydra_login_csrf_12345"}}}, "ory-hydra", "a cookie whose name begins ory_hydra_login_csrf"},
		{"a login path", Where{TokenURL: "https://id.example/token", Flow: Flow{Paths: []string{"/interaction/abc123"}}}, "node-oidc-provider", "/interaction/"},
		{"names are case-sensitive", Where{TokenURL: "https://id.example/oauth2/token", Flow: Flow{Cookies: []string{"LEMONLDAP"}}}, "", ""},
		{"two providers' signs and no path to choose: none", Where{TokenURL: "https://id.example/token", Flow: Flow{Cookies: []string{"lemonldap", "KEYCLOAK_SESSION"}}}, "", ""},
		{"two providers' signs, the token path chooses", Where{TokenURL: "https://id.example/connect/token", Flow: Flow{Cookies: []string{"idsrv.session", "KEYCLOAK_SESSION"}}}, "duende", "idsrv.session"},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := table.Recognise(c.where, bare)
			got, by := "", ""
			if r != nil {
				got, by = r.Provider.Slug, r.By
			}
			if got != c.want || !strings.Contains(by, c.by) {
				t.Fatalf("recognised %q by %q, want %q by …%s…", got, by, c.want, c.by)
			}
		})
	}
}

// Every entry's quote shows the text it records, so a reviewer can check the entry against its
// source: each word of 4 or more letters of `says` appears among the quote's words, compared
// case-insensitively. Punctuation and quote characters separate words; underscores are dropped
// (`code_verifier` is the source's `CodeVerifier` too); a quoted URL query is also read decoded.
// A message the source assembles from parts passes when the quote shows the parts. A format
// placeholder in the quote ({0}, %s, %v, %q, %d, ${…}) may stand for one word of `says` each: the
// parameter the source fills in at run time (OpenIddict's resource texts).
//
// Exempt: an entry with empty `says` (it matches on status, error or code alone; its quote shows
// the code path or the documented code) and a `regex` entry (its says is a pattern, not a text).
func TestQuoteShowsTheText(t *testing.T) {
	table, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range append(table.Providers, table.RFC) {
		for i, e := range p.Entries {
			if e.Says == "" || e.Match == Regex {
				continue
			}
			quoted := map[string]bool{}
			shown := e.Quote
			if dec, err := url.QueryUnescape(e.Quote); err == nil { // a redirect's query shows the text form-encoded
				shown += " " + dec
			}
			for _, w := range quoteWords(shown) {
				quoted[w] = true
			}
			var missing []string
			for _, w := range quoteWords(e.Says) {
				if utf8.RuneCountInString(w) >= 4 && !quoted[w] && !slices.Contains(missing, w) {
					missing = append(missing, w)
				}
			}
			if len(missing) > len(placeholder.FindAllString(e.Quote, -1)) {
				t.Errorf("%s entry %d (%s %q): the quote does not show %q\n  quote: %s", p.File, i+1, e.Error, e.Says, missing, e.Quote)
			}
		}
	}
}

// placeholder is a format verb or template slot a source fills in at run time.
var placeholder = regexp.MustCompile(`\{\d\}|%[svqd]|\$\{[^}]*\}`)

// quoteWords are s's words, lower-cased, without underscores.
func quoteWords(s string) []string {
	words := strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '_'
	})
	for i, w := range words {
		words[i] = strings.ReplaceAll(w, "_", "")
	}
	return words
}
