package discovery

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/go-resty/resty/v2"

	"github.com/grantcheck/grantcheck/harness/httpsession/httpsessiontest"
	"github.com/grantcheck/grantcheck/harness/loopback"
)

// client is the harness's recording client, as Connect builds it.
func client(t *testing.T) *resty.Client {
	t.Helper()
	c, _ := httpsessiontest.Client(t)
	return c
}

// provider serves answer(issuer) at the discovery path on 127.0.0.1; issuer is the server's URL
// plus path.
func provider(t *testing.T, path string, answer func(issuer string, w http.ResponseWriter)) (issuer string) {
	t.Helper()
	srv := loopback.Server(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != path+"/.well-known/openid-configuration" {
			http.NotFound(w, r)
			return
		}
		answer(issuer, w) // set below, before any request can arrive
	}))
	issuer = srv.URL + path
	return issuer
}

func metadata(issuer string, drop ...string) string {
	m := map[string]any{
		"issuer":                 issuer,
		"authorization_endpoint": issuer + "/authorize",
		"token_endpoint":         issuer + "/oauth/token",
		"userinfo_endpoint":      issuer + "/userinfo",
		"grant_types_supported":  []string{"authorization_code", "refresh_token"},
	}
	for _, d := range drop {
		delete(m, d)
	}
	b, _ := json.Marshal(m)
	return string(b)
}

func jsonAnswer(body func(issuer string) string) func(string, http.ResponseWriter) {
	return func(issuer string, w http.ResponseWriter) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, body(issuer))
	}
}

func TestFetch(t *testing.T) {
	cases := []struct {
		name   string
		path   string // issuer path
		answer func(issuer string, w http.ResponseWriter)
		// issuerAs turns the served issuer into the one the config names (default: the same).
		issuerAs func(string) string
		// wantErr parts; none means success. "URL" stands for the discovery URL.
		wantErr []string
	}{
		{
			name:   "valid document",
			answer: jsonAnswer(func(iss string) string { return metadata(iss) }),
		},
		{
			name:   "issuer with a path",
			path:   "/realms/test",
			answer: jsonAnswer(func(iss string) string { return metadata(iss) }),
		},
		{
			// OpenID Connect Discovery §4.3: the issuer returned MUST be identical to the one used.
			name:     "config issuer with a trailing slash the document lacks",
			answer:   jsonAnswer(func(iss string) string { return metadata(iss) }),
			issuerAs: func(s string) string { return s + "/" },
			wantErr:  []string{"names issuer", "§4.3", "identical", "trailing slash"},
		},
		{
			name:    "document issuer with a trailing slash the config lacks",
			answer:  jsonAnswer(func(iss string) string { return metadata(iss + "/") }),
			wantErr: []string{"names issuer", "identical", "trailing slash"},
		},
		{
			name: "HTML answer",
			answer: func(_ string, w http.ResponseWriter) {
				w.Header().Set("Content-Type", "text/html; charset=utf-8")
				io.WriteString(w, "<!doctype html>\n<html><title>Sign in</title></html>")
			},
			wantErr: []string{"discovery: URL is not JSON", `(Content-Type "text/html")`, "body starts: <!doctype html> <html>"},
		},
		{
			name: "404",
			answer: func(_ string, w http.ResponseWriter) {
				w.WriteHeader(http.StatusNotFound)
				io.WriteString(w, "no such realm")
			},
			wantErr: []string{"discovery: GET URL answered 404 Not Found; body starts: no such realm"},
		},
		{
			name: "long body is cut in the message",
			answer: func(_ string, w http.ResponseWriter) {
				w.WriteHeader(http.StatusBadGateway)
				io.WriteString(w, strings.Repeat("x", 500))
			},
			wantErr: []string{"502 Bad Gateway", strings.Repeat("x", 120) + "…"},
		},
		{
			name:    "issuer mismatch",
			answer:  jsonAnswer(func(string) string { return metadata("https://other.example") }),
			wantErr: []string{"discovery: URL names issuer \"https://other.example\", the config says", "§4.3"},
		},
		{
			name:    "issuer missing",
			answer:  jsonAnswer(func(iss string) string { return metadata(iss, "issuer") }),
			wantErr: []string{`names issuer ""`},
		},
		{
			name:    "token_endpoint missing",
			answer:  jsonAnswer(func(iss string) string { return metadata(iss, "token_endpoint") }),
			wantErr: []string{"discovery: URL lacks authorization_endpoint or token_endpoint"},
		},
		{
			name:    "authorization_endpoint missing",
			answer:  jsonAnswer(func(iss string) string { return metadata(iss, "authorization_endpoint") }),
			wantErr: []string{"lacks authorization_endpoint or token_endpoint"},
		},
		{
			name:    "JSON of the wrong shape",
			answer:  jsonAnswer(func(string) string { return `{"issuer":["a"]}` }),
			wantErr: []string{"discovery: URL is not JSON"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			served := provider(t, tc.path, tc.answer)
			configured := served
			if tc.issuerAs != nil {
				configured = tc.issuerAs(served)
			}
			doc, err := Fetch(context.Background(), client(t), configured)
			if len(tc.wantErr) == 0 {
				if err != nil {
					t.Fatal(err)
				}
				if doc.Issuer != served || doc.TokenEndpoint != served+"/oauth/token" || doc.AuthorizationEndpoint != served+"/authorize" {
					t.Errorf("document = %+v", doc)
				}
				return
			}
			if err == nil {
				t.Fatalf("Fetch succeeded (%+v), want an error", doc)
			}
			for _, w := range tc.wantErr {
				w = strings.ReplaceAll(w, "URL", served+"/.well-known/openid-configuration")
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error is not one line: %q", err)
			}
		})
	}
}

func TestFetchUnreachable(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	issuer := "http://" + l.Addr().String()
	l.Close() // nothing listens there now
	_, err = Fetch(context.Background(), client(t), issuer)
	if err == nil {
		t.Fatal("Fetch of a closed port succeeded")
	}
	msg := err.Error()
	want := "discovery: GET " + issuer + "/.well-known/openid-configuration: "
	if !strings.HasPrefix(msg, want) || !strings.Contains(msg, "connection refused") {
		t.Errorf("error = %q, want it to start with %q and say connection refused", msg, want)
	}
	if strings.Count(msg, issuer) != 1 || strings.Count(msg, strings.TrimPrefix(issuer, "http://")) != 2 { // the URL, the dialled address
		t.Errorf("error = %q repeats the URL", msg)
	}
}

func TestURL(t *testing.T) {
	cases := []struct{ issuer, want string }{
		{"https://id.example", "https://id.example/.well-known/openid-configuration"},
		{"https://id.example/", "https://id.example/.well-known/openid-configuration"},
		{"https://id.example/realms/x", "https://id.example/realms/x/.well-known/openid-configuration"},
	}
	for _, tc := range cases {
		t.Run(tc.issuer, func(t *testing.T) {
			if got := URL(tc.issuer); got != tc.want {
				t.Errorf("URL(%q) = %q, want %q", tc.issuer, got, tc.want)
			}
		})
	}
}

func TestSupportsGrant(t *testing.T) {
	listed := Document{GrantTypesSupported: []string{"authorization_code", "refresh_token"}}
	cases := []struct {
		name  string
		doc   Document
		grant string
		want  bool
	}{
		{"listed", listed, "refresh_token", true},
		{"not listed", listed, "client_credentials", false},
		{"absent list means authorization_code", Document{}, "authorization_code", true},
		{"absent list means implicit", Document{}, "implicit", true},
		{"absent list excludes others", Document{}, "client_credentials", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.doc.SupportsGrant(tc.grant); got != tc.want {
				t.Errorf("SupportsGrant(%q) = %v, want %v", tc.grant, got, tc.want)
			}
		})
	}
}

// TestFetchFollowsRedirectsOnTheIssuersOrigin: a provider serving its document only with a trailing
// slash (301 from the standard path) is read there, and the run is told; the issuer check still
// applies; a redirect to another origin is a setup error naming the Location; a loop is bounded.
func TestFetchFollowsRedirectsOnTheIssuersOrigin(t *testing.T) {
	const std = "/.well-known/openid-configuration"
	other := loopback.Server(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "{}")
	}))
	cases := []struct {
		name    string
		serve   func(issuer string, w http.ResponseWriter, r *http.Request)
		wantErr []string
	}{
		{name: "trailing slash on the same origin", serve: func(iss string, w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == std {
				http.Redirect(w, r, std+"/", http.StatusMovedPermanently)
				return
			}
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, metadata(iss))
		}},
		{name: "same origin, another issuer in the document", serve: func(iss string, w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == std {
				http.Redirect(w, r, std+"/", http.StatusMovedPermanently)
				return
			}
			io.WriteString(w, metadata(iss+"/"))
		}, wantErr: []string{"OpenID Connect Discovery §4.3"}},
		{name: "another origin", serve: func(_ string, w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, other.URL+std, http.StatusFound)
		}, wantErr: []string{"302 Found to " + other.URL + std, "not on the issuer's origin", "provider.issuer"}},
		{name: "a loop", serve: func(_ string, w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, r.URL.Path+"x", http.StatusFound)
		}, wantErr: []string{"more than 5 redirects"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var issuer string
			srv := loopback.Server(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { tc.serve(issuer, w, r) }))
			issuer = srv.URL
			doc, err := Fetch(context.Background(), client(t), issuer)
			if len(tc.wantErr) == 0 {
				if err != nil {
					t.Fatal(err)
				}
				if want := issuer + std + " redirected to " + issuer + std + "/"; !strings.HasPrefix(doc.Redirected, want) {
					t.Errorf("Redirected = %q, want it to start %q", doc.Redirected, want)
				}
				return
			}
			if err == nil {
				t.Fatalf("Fetch succeeded (%+v), want an error", doc)
			}
			for _, w := range tc.wantErr {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}
