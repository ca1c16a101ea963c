package transcript

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

var fingerprint = regexp.MustCompile(`‹([a-z_]+):([0-9a-f]{6})›`)

// labelsIn lists the fingerprints in s, in order.
func labelsIn(s string) []string { return fingerprint.FindAllString(s, -1) }

func TestRedactHidesValuesUnderSecretNames(t *testing.T) {
	cases := []struct {
		name   string
		in     string
		hidden []string // values that must not appear
		shown  []string // text that must stay
		kinds  []string // fingerprint kinds expected, in order
	}{
		{
			name:   "form body",
			in:     "grant_type=authorization_code&code=SplxlOBeZQQYbYS6WxSbIA&redirect_uri=https%3A%2F%2Fapp.example%2Fcb",
			hidden: []string{"SplxlOBeZQQYbYS6WxSbIA"},
			shown:  []string{"grant_type=authorization_code", "&code=", "redirect_uri=https%3A%2F%2Fapp.example%2Fcb"},
			kinds:  []string{"code"},
		},
		{
			name:   "form body with client_secret and code_verifier",
			in:     "client_id=app-a&client_secret=very-secret-1&code_verifier=dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk",
			hidden: []string{"very-secret-1", "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"},
			shown:  []string{"client_id=app-a"},
			kinds:  []string{"client_secret", "code_verifier"},
		},
		{
			name:   "percent-encoded value in a form body",
			in:     "client_secret=p%3Ass%2Bword%2F1",
			hidden: []string{"p%3Ass%2Bword%2F1", "p:ss+word/1"},
			kinds:  []string{"client_secret"},
		},
		{
			name:   "query string of a redirect",
			in:     "https://app.example/cb?code=Qcb0Orv1zh30vL1MPRsbm&state=af0ifjsldkj",
			hidden: []string{"Qcb0Orv1zh30vL1MPRsbm"},
			shown:  []string{"https://app.example/cb?code=", "state=af0ifjsldkj"},
			kinds:  []string{"code"},
		},
		{
			name:   "fragment of a redirect",
			in:     "https://app.example/cb#access_token=2YotnFZFEjr1zCsicMWpAA&token_type=bearer",
			hidden: []string{"2YotnFZFEjr1zCsicMWpAA"},
			shown:  []string{"token_type=bearer"},
		},
		{
			name:   "parameter name in upper case",
			in:     "CODE=abcdefgh1234",
			hidden: []string{"abcdefgh1234"},
			kinds:  []string{"code"},
		},
		{
			name:   "JSON token response",
			in:     `{"access_token":"2YotnFZFEjr1zCsicMWpAA","token_type":"Bearer","expires_in":3600,"refresh_token":"tGzv3JOkF0XG5Qx2TlKWIA"}`,
			hidden: []string{"2YotnFZFEjr1zCsicMWpAA", "tGzv3JOkF0XG5Qx2TlKWIA"},
			shown:  []string{`"token_type":"Bearer"`, `"expires_in":3600`},
			kinds:  []string{"access_token", "refresh_token"},
		},
		{
			name:   "JSON with spaces around the colon",
			in:     "{\n  \"id_token\" : \"eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxIn0.sig\"\n}",
			hidden: []string{"eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxIn0.sig"},
			kinds:  []string{"id_token"},
		},
		{
			name:  "name merely ending in a secret name",
			in:    "zipcode=12345678&mytoken=abcdefgh",
			shown: []string{"zipcode=12345678", "mytoken=abcdefgh"},
		},
		{
			name:  "values shorter than 4 characters are left (they carry no secret)",
			in:    "code=abc",
			shown: []string{"code=abc"},
		},
		{
			name:  "ordinary text",
			in:    "grant_type=authorization_code&scope=openid",
			shown: []string{"grant_type=authorization_code&scope=openid"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := NewRedactor().Redact(tc.in)
			for _, h := range tc.hidden {
				if strings.Contains(got, h) {
					t.Errorf("Redact(%q) = %q still shows %q", tc.in, got, h)
				}
			}
			for _, s := range tc.shown {
				if !strings.Contains(got, s) {
					t.Errorf("Redact(%q) = %q lost %q", tc.in, got, s)
				}
			}
			if tc.kinds != nil {
				var kinds []string
				for _, m := range fingerprint.FindAllStringSubmatch(got, -1) {
					kinds = append(kinds, m[1])
				}
				if strings.Join(kinds, ",") != strings.Join(tc.kinds, ",") {
					t.Errorf("Redact(%q) = %q has fingerprint kinds %v, want %v", tc.in, got, kinds, tc.kinds)
				}
			}
		})
	}
}

func TestRedactLearnsAndHidesLater(t *testing.T) {
	const code = "Qcb0/Orv1+zh30=="
	cases := []struct {
		name  string
		first string // where the value is seen under its name
		later string // where it appears later without a name
	}{
		{"plain, from a query", "https://app.example/cb?code=Qcb0Orv1zh30vL1MPRsbm&state=x", "redeeming Qcb0Orv1zh30vL1MPRsbm now"},
		{"from JSON, later percent-encoded", `{"refresh_token":"` + code + `"}`, "/revoke/" + url.QueryEscape(code)},
		{"from JSON, later path-escaped", `{"refresh_token":"` + code + `"}`, "/revoke?t=" + url.PathEscape(code)},
		{"percent-encoded in a form, later raw", "code=" + url.QueryEscape(code), `{"detail":"` + code + `"}`},
		{"from JSON, later in a header value", `{"access_token":"at-0123456789"}`, "Bearer at-0123456789"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := NewRedactor()
			r.Redact(tc.first)
			got := r.Redact(tc.later)
			if len(labelsIn(got)) == 0 {
				t.Errorf("Redact(%q) = %q: the value learned from %q is not hidden", tc.later, got, tc.first)
			}
			for _, raw := range []string{code, url.QueryEscape(code), "Qcb0Orv1zh30vL1MPRsbm", "at-0123456789"} {
				if strings.Contains(got, raw) {
					t.Errorf("Redact(%q) = %q still shows %q", tc.later, got, raw)
				}
			}
		})
	}
}

func TestFingerprintsAreStable(t *testing.T) {
	const code = "a/b+c=d-0123"
	r := NewRedactor()
	first := labelsIn(r.Redact(`{"access_token":"` + code + `"}`))
	cases := []struct {
		name string
		in   string
	}{
		{"the same value again", "access_token=" + code},
		{"raw, in plain text", "token " + code + " used"},
		{"percent-encoded", "https://rs.example/?access_token=" + url.QueryEscape(code)},
		{"percent-encoded in plain text", "see " + url.QueryEscape(code)},
	}
	if len(first) != 1 {
		t.Fatalf("first sighting gave fingerprints %v, want one", first)
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := labelsIn(r.Redact(tc.in))
			if len(got) != 1 || got[0] != first[0] {
				t.Errorf("Redact(%q) fingerprints = %v, want [%s] as at first sighting", tc.in, got, first[0])
			}
		})
	}
	t.Run("another redactor gives the same fingerprint", func(t *testing.T) {
		got := labelsIn(NewRedactor().Redact(`{"access_token":"` + code + `"}`))
		if len(got) != 1 || got[0] != first[0] {
			t.Errorf("fingerprints = %v, want [%s]", got, first[0])
		}
	})
	t.Run("different values differ", func(t *testing.T) {
		got := labelsIn(r.Redact(`{"access_token":"another-value-1"}`))
		if len(got) != 1 || got[0] == first[0] {
			t.Errorf("fingerprints = %v, want one different from %s", got, first[0])
		}
	})
}

func TestConfiguredSecretsAreHidden(t *testing.T) {
	r := NewRedactor("s3cret-app-a", "hunter2-pw", "", "abc")
	cases := []struct {
		name, in, hidden string
	}{
		{"in a form body", "client_id=app-a&client_secret=s3cret-app-a", "s3cret-app-a"},
		{"in plain text", "the password is hunter2-pw.", "hunter2-pw"},
		{"under a non-secret name", "login=alice&passwd=hunter2-pw", "hunter2-pw"},
		{"in a JSON field with a non-secret name", `{"pw":"hunter2-pw"}`, "hunter2-pw"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := r.Redact(tc.in)
			if strings.Contains(got, tc.hidden) || !strings.Contains(got, "‹secret:") {
				t.Errorf("Redact(%q) = %q, want %q shown as ‹secret:…›", tc.in, got, tc.hidden)
			}
		})
	}
	t.Run("short configured values are hidden too", func(t *testing.T) {
		if got := r.Redact("abc"); got == "abc" {
			t.Errorf("Redact(abc) = %q: a configured secret is hidden whatever its length", got)
		}
	})
}

func basic(id, secret string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(id+":"+secret))
}

func TestRedactAuthorization(t *testing.T) {
	cases := []struct {
		name    string
		secrets []string
		header  string
		want    *regexp.Regexp
		hidden  []string
	}{
		{
			name:   "Basic shows the client, not the secret",
			header: basic("app-a", "s3cret-app-a"),
			want:   regexp.MustCompile(`^Basic base64\(app-a:‹secret:[0-9a-f]{6}›\)$`),
			hidden: []string{"s3cret-app-a", base64.StdEncoding.EncodeToString([]byte("app-a:s3cret-app-a"))},
		},
		{
			name:    "Basic with a configured secret",
			secrets: []string{"s3cret-app-a"},
			header:  basic("app-a", "s3cret-app-a"),
			want:    regexp.MustCompile(`^Basic base64\(app-a:‹secret:[0-9a-f]{6}›\)$`),
			hidden:  []string{"s3cret-app-a"},
		},
		{
			name:   "Basic with a form-urlencoded secret",
			header: basic("app-a", url.QueryEscape("p:ss+word")),
			want:   regexp.MustCompile(`^Basic base64\(app-a:‹secret:[0-9a-f]{6}›\)$`),
			hidden: []string{"p:ss+word", "p%3Ass%2Bword"},
		},
		{
			name:   "basic scheme in lower case",
			header: "basic " + base64.StdEncoding.EncodeToString([]byte("app-a:s3cret-app-a")),
			want:   regexp.MustCompile(`^Basic base64\(app-a:‹secret:[0-9a-f]{6}›\)$`),
			hidden: []string{"s3cret-app-a"},
		},
		{
			name:   "Basic that is not base64 is hidden whole",
			header: "Basic not*base64*at-all",
			want:   regexp.MustCompile(`^Basic ‹token:[0-9a-f]{6}›$`),
			hidden: []string{"not*base64*at-all"},
		},
		{
			name:   "Bearer",
			header: "Bearer 2YotnFZFEjr1zCsicMWpAA",
			want:   regexp.MustCompile(`^Bearer ‹token:[0-9a-f]{6}›$`),
			hidden: []string{"2YotnFZFEjr1zCsicMWpAA"},
		},
		{
			name:   "no scheme",
			header: "2YotnFZFEjr1zCsicMWpAA",
			want:   regexp.MustCompile(`^‹credential:[0-9a-f]{6}›$`),
			hidden: []string{"2YotnFZFEjr1zCsicMWpAA"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := NewRedactor(tc.secrets...).RedactAuthorization(tc.header)
			if !tc.want.MatchString(got) {
				t.Errorf("RedactAuthorization(%q) = %q, want match %s", tc.header, got, tc.want)
			}
			for _, h := range tc.hidden {
				if strings.Contains(got, h) {
					t.Errorf("RedactAuthorization(%q) = %q shows %q", tc.header, got, h)
				}
			}
		})
	}
}

// The secret in a Basic header, in a post body and in the configuration is one value: the reader
// must see one fingerprint for it.
func TestBasicSecretFingerprintMatchesOtherSightings(t *testing.T) {
	const secret = "p:ss+word/1"
	r := NewRedactor(secret)
	want := labelsIn(r.Redact("configured " + secret))
	h := labelsIn(r.RedactAuthorization(basic("app-a", url.QueryEscape(secret))))
	post := labelsIn(r.Redact("client_id=app-a&client_secret=" + url.QueryEscape(secret)))
	if len(want) != 1 || len(h) != 1 || len(post) != 1 || h[0] != want[0] || post[0] != want[0] {
		t.Errorf("fingerprints: configured %v, Basic header %v, post body %v; want one and the same", want, h, post)
	}
}

func TestRedactCookies(t *testing.T) {
	cases := []struct {
		name, header, value string
		want                *regexp.Regexp
		hidden              []string
	}{
		{
			name: "Set-Cookie keeps the name and attributes", header: "Set-Cookie",
			value:  "sid=f3a9c2d1e0b7; Path=/; Domain=id.example; Max-Age=600; HttpOnly; Secure; SameSite=Lax",
			want:   regexp.MustCompile(`^sid=‹cookie:[0-9a-f]{6}›; Path=/; Domain=id.example; Max-Age=600; HttpOnly; Secure; SameSite=Lax$`),
			hidden: []string{"f3a9c2d1e0b7"},
		},
		{
			name: "Cookie with two cookies", header: "Cookie",
			value:  "sid=f3a9c2d1e0b7; csrf=77aa88bb99cc",
			want:   regexp.MustCompile(`^sid=‹cookie:[0-9a-f]{6}›; csrf=‹cookie:[0-9a-f]{6}›$`),
			hidden: []string{"f3a9c2d1e0b7", "77aa88bb99cc"},
		},
		{
			name: "short cookie values are hidden too", header: "Cookie",
			value:  "a=1",
			want:   regexp.MustCompile(`^a=‹cookie:[0-9a-f]{6}›$`),
			hidden: []string{"a=1"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := NewRedactor()
			got := strings.TrimSpace(r.headers(http.Header{tc.header: {tc.value}}))
			got = strings.TrimPrefix(got, tc.header+": ")
			if !tc.want.MatchString(got) {
				t.Errorf("%s: %q redacted to %q, want match %s", tc.header, tc.value, got, tc.want)
			}
			for _, h := range tc.hidden {
				if strings.Contains(got, h) {
					t.Errorf("redacted %q shows %q", got, h)
				}
			}
		})
	}
	t.Run("a cookie value seen once is hidden elsewhere", func(t *testing.T) {
		r := NewRedactor()
		r.headers(http.Header{"Set-Cookie": {"sid=f3a9c2d1e0b7; Path=/"}})
		if got := r.Redact("session f3a9c2d1e0b7"); strings.Contains(got, "f3a9c2d1e0b7") {
			t.Errorf("Redact = %q, want the cookie value hidden", got)
		}
	})
}

func TestHeadersAreSortedAndNoiseDropped(t *testing.T) {
	h := http.Header{
		"User-Agent":     {"grantcheck"},
		"Content-Type":   {"application/json"},
		"Accept":         {"application/json"},
		"Content-Length": {"12"},
		"Date":           {"Mon, 01 Jan 2024 00:00:00 GMT"},
		"Location":       {"https://app.example/cb?code=abcdef123456&state=s"},
	}
	got := NewRedactor().headers(h)
	want := "Accept: application/json\nContent-Type: application/json\nLocation: https://app.example/cb?code=‹code:"
	if !strings.HasPrefix(got, want) || strings.Contains(got, "abcdef123456") ||
		strings.Contains(got, "User-Agent") || strings.Contains(got, "Date") || strings.Contains(got, "Content-Length") {
		t.Errorf("headers() = %q, want sorted, redacted, without User-Agent/Date/Content-Length", got)
	}
	if NewRedactor().headers(http.Header{}) != "" {
		t.Error("headers() of no headers is not empty")
	}
}

// Children share one run-wide store: a refresh token learned in one scenario and echoed in another
// scenario's error body must be hidden there too.
func TestChildrenShareWhatAnyLearns(t *testing.T) {
	parent := NewRedactor("s3cret-app-a")
	parent.Redact("code=parent-code-1")
	a, b := parent.Child(), parent.Child()
	a.Redact(`{"access_token":"child-a-token"}`)
	cases := []struct {
		name   string
		r      *Redactor
		in     string
		hidden bool
	}{
		{"child hides the configured secret", a, "s3cret-app-a", true},
		{"child hides what the parent learned", a, "parent-code-1", true},
		{"child hides what it learned", a, "child-a-token", true},
		{"sibling knows the other child's value", b, "child-a-token", true},
		{"parent learns from a child", parent, "child-a-token", true},
		{"sibling still hides the configured secret", b, "s3cret-app-a", true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := tc.r.Redact("value " + tc.in)
			if hidden := !strings.Contains(got, tc.in); hidden != tc.hidden {
				t.Errorf("Redact(%q) = %q, hidden = %v, want %v", tc.in, got, hidden, tc.hidden)
			}
		})
	}
	t.Run("a value the parent learns later reaches the child", func(t *testing.T) {
		parent.Learn("secret", "late-secret-9")
		if got := b.Redact("late-secret-9"); strings.Contains(got, "late-secret-9") {
			t.Errorf("child Redact = %q, want the parent's later value hidden", got)
		}
	})
}

// Every echo of issue 6 item 9: each form a provider plausibly sends a known secret back in.
func TestRedactHidesEchoedEncodings(t *testing.T) {
	const secret = "s3cr&t<v>/al+ue=="
	r := NewRedactor(secret, "password")
	r.Client("app-a")
	r.Redact(`{"refresh_token":"rt-0123456789abcdef"}`)
	cases := []struct{ name, in, hidden string }{
		{"raw", "bad secret " + secret, secret},
		{"form-encoded", "client_secret=" + url.QueryEscape(secret), url.QueryEscape(secret)},
		{"path-escaped", "/x/" + url.PathEscape(secret), url.PathEscape(secret)},
		{"JSON-escaped by Go", `{"detail":"s3cr\u0026t\u003cv\u003e/al+ue=="}`, `s3cr\u0026t`},
		{"JSON-escaped with \\/", `{"detail":"s3cr&t<v>\/al+ue=="}`, `s3cr&t<v>\/al`},
		{"base64 of the secret", "echo " + base64.StdEncoding.EncodeToString([]byte(secret)), base64.StdEncoding.EncodeToString([]byte(secret))},
		{"base64url of the secret", "echo " + base64.RawURLEncoding.EncodeToString([]byte(secret)), base64.RawURLEncoding.EncodeToString([]byte(secret))},
		{"base64 of id:secret", "you sent " + base64.StdEncoding.EncodeToString([]byte("app-a:"+secret)), base64.StdEncoding.EncodeToString([]byte("app-a:" + secret))},
		{"base64 of id:secret, form-encoded first", "you sent " + base64.StdEncoding.EncodeToString([]byte("app-a:"+url.QueryEscape(secret))), base64.StdEncoding.EncodeToString([]byte("app-a:" + url.QueryEscape(secret)))},
		{"learned token in a later body", `{"error_description":"rt-0123456789abcdef was revoked"}`, "rt-0123456789abcdef"},
		{"weak password as a form value", "username=alice&password=password", "=password"},
		{"weak password as a JSON value", `{"pw":"password"}`, `"password"}`},
		{"weak password as a whole header value", "password", "password"},
		{"token under a camelCase key", `{"accessToken":"zzzz-9876543210"}`, "zzzz-9876543210"},
		{"token under a key with an escaped quote", `{"id_token":"ab\"cd-0123456789"}`, `ab\"cd-0123456789`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := r.Redact(tc.in); strings.Contains(got, tc.hidden) || len(labelsIn(got)) == 0 {
				t.Errorf("Redact(%q) = %q, want %q hidden", tc.in, got, tc.hidden)
			}
		})
	}
	shown := []string{
		"grant_type=password",
		`{"grant_types_supported":["authorization_code","password"]}`,
		"wrong password or user name",
		"the passwordless flow",
	}
	for _, in := range shown {
		if got := r.Redact(in); got != in {
			t.Errorf("Redact(%q) = %q: a weak secret is hidden only where it stands as a value", in, got)
		}
	}
}

func TestExcerpt(t *testing.T) {
	if got := Excerpt("short", 10); got != "short" {
		t.Errorf("Excerpt kept %q", got)
	}
	got := Excerpt(strings.Repeat("é", 10), 5) // 20 bytes; byte 5 is inside a character
	if got != "éé… [cut: the first 4 bytes of 20 shown]" {
		t.Errorf("Excerpt = %q", got)
	}
}

// BenchmarkRedactLargeBody: a 1 MiB body (the most the harness reads) against a run's worth of
// learned values (1000 tokens, each in all its encodings).
func BenchmarkRedactLargeBody(b *testing.B) {
	r := NewRedactor("s3cret-app-a", "password")
	r.Client("app-a")
	for i := 0; i < 1000; i++ {
		r.Learn("access_token", fmt.Sprintf("tok-%04d-%s", i, strings.Repeat("x", 30)))
	}
	body := strings.Repeat(`{"error":"invalid_grant","error_description":"nothing secret here"} `, 1<<20/68)
	b.SetBytes(int64(len(body)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r.Redact(body)
	}
}

// TestClipCutsOnACharacterBoundary: a clipped quote is never invalid UTF-8 and says it was cut.
func TestClipCutsOnACharacterBoundary(t *testing.T) {
	for _, c := range []struct {
		s    string
		n    int
		want string
	}{
		{"short", 10, "short"},
		{"abcdef", 3, "abc…"},
		{"aé", 2, "a…"}, // é is 2 bytes: byte 2 is inside it
	} {
		if got := Clip(c.s, c.n); got != c.want {
			t.Errorf("Clip(%q, %d) = %q, want %q", c.s, c.n, got, c.want)
		}
	}
}
