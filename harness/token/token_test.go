package token

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/go-resty/resty/v2"

	"github.com/grantcheck/grantcheck/harness/config"
	"github.com/grantcheck/grantcheck/harness/httpsession/httpsessiontest"
	"github.com/grantcheck/grantcheck/harness/loopback"
	"github.com/grantcheck/grantcheck/harness/transcript"
)

// seen is what the fake token endpoint received.
type seen struct {
	Method, Path, RawQuery, ContentType, Authorization, Body string
}

func (s seen) form(t *testing.T) url.Values {
	t.Helper()
	v, err := url.ParseQuery(s.Body)
	if err != nil {
		t.Fatalf("body %q is not form-urlencoded: %v", s.Body, err)
	}
	return v
}

type endpoint struct {
	URL  string
	mu   sync.Mutex
	last seen
}

func (e *endpoint) Last() seen {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.last
}

// newEndpoint starts a token endpoint on 127.0.0.1 that records the request and answers status
// with body as JSON.
func newEndpoint(t *testing.T, status int, body string) *endpoint {
	t.Helper()
	e := &endpoint{}
	srv := loopback.Server(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		e.mu.Lock()
		e.last = seen{Method: r.Method, Path: r.URL.Path, RawQuery: r.URL.RawQuery,
			ContentType: r.Header.Get("Content-Type"), Authorization: r.Header.Get("Authorization"), Body: string(b)}
		e.mu.Unlock()
		w.Header().Set("Content-Type", "application/json;charset=UTF-8")
		w.WriteHeader(status)
		io.WriteString(w, body)
	}))
	e.URL = srv.URL + "/token"
	return e
}

// client is the harness's recording client, built as in production.
func client(t *testing.T, secrets ...string) (*resty.Client, *transcript.Log) {
	t.Helper()
	return httpsessiontest.Client(t, secrets...)
}

// decodeBasic reverses RFC 6749 §2.3.1: Base64, then form-urldecode id and secret.
func decodeBasic(t *testing.T, h string) (id, secret string) {
	t.Helper()
	cred, ok := strings.CutPrefix(h, "Basic ")
	if !ok {
		t.Fatalf("Authorization %q is not Basic", h)
	}
	raw, err := base64.StdEncoding.DecodeString(cred)
	if err != nil {
		t.Fatalf("Authorization %q: %v", h, err)
	}
	encID, encSecret, ok := strings.Cut(string(raw), ":")
	if !ok {
		t.Fatalf("Basic credentials %q have no colon", raw)
	}
	if strings.Count(string(raw), ":") != 1 {
		t.Errorf("Basic credentials %q: a colon inside the id or secret is not encoded", raw)
	}
	id, err1 := url.QueryUnescape(encID)
	secret, err2 := url.QueryUnescape(encSecret)
	if err1 != nil || err2 != nil {
		t.Fatalf("Basic credentials %q are not form-urlencoded", raw)
	}
	return id, secret
}

func TestClientAuthentication(t *testing.T) {
	const secret = "p:ss+w rd/=%"
	cases := []struct {
		name  string
		auth  Auth
		check func(t *testing.T, s seen, r *Response)
	}{
		{
			name: "client_secret_basic form-urlencodes id and secret (RFC 6749 §2.3.1)",
			auth: Auth{Method: config.AuthBasic, ClientID: "app:a+1", Secret: secret},
			check: func(t *testing.T, s seen, r *Response) {
				raw, _ := base64.StdEncoding.DecodeString(strings.TrimPrefix(s.Authorization, "Basic "))
				if want := "app%3Aa%2B1:p%3Ass%2Bw+rd%2F%3D%25"; string(raw) != want {
					t.Errorf("Basic credentials = %q, want %q", raw, want)
				}
				if id, sec := decodeBasic(t, s.Authorization); id != "app:a+1" || sec != secret {
					t.Errorf("decoded id %q secret %q, want %q %q", id, sec, "app:a+1", secret)
				}
				f := s.form(t)
				if f.Has("client_id") || f.Has("client_secret") {
					t.Errorf("body %q carries client credentials too", s.Body)
				}
				if !r.UsedBasic {
					t.Error("UsedBasic = false")
				}
			},
		},
		{
			name: "client_secret_basic with a plain secret",
			auth: Auth{Method: config.AuthBasic, ClientID: "app-a", Secret: "s3cret-app-a"},
			check: func(t *testing.T, s seen, r *Response) {
				if want := "Basic " + base64.StdEncoding.EncodeToString([]byte("app-a:s3cret-app-a")); s.Authorization != want {
					t.Errorf("Authorization = %q, want %q", s.Authorization, want)
				}
			},
		},
		{
			name: "client_secret_post puts id and secret in the body",
			auth: Auth{Method: config.AuthPost, ClientID: "app-b", Secret: secret},
			check: func(t *testing.T, s seen, r *Response) {
				f := s.form(t)
				if f.Get("client_id") != "app-b" || f.Get("client_secret") != secret {
					t.Errorf("body %q: client_id %q client_secret %q", s.Body, f.Get("client_id"), f.Get("client_secret"))
				}
				if s.Authorization != "" || r.UsedBasic {
					t.Errorf("Authorization = %q, UsedBasic = %v; want neither", s.Authorization, r.UsedBasic)
				}
			},
		},
		{
			name: "none sends only client_id",
			auth: Auth{Method: config.AuthNone, ClientID: "spa"},
			check: func(t *testing.T, s seen, r *Response) {
				f := s.form(t)
				if f.Get("client_id") != "spa" || f.Has("client_secret") || s.Authorization != "" {
					t.Errorf("body %q, Authorization %q", s.Body, s.Authorization)
				}
			},
		},
		{
			name: "bearer presents the token",
			auth: Auth{Method: AuthBearer, Secret: "at-0123456789"},
			check: func(t *testing.T, s seen, r *Response) {
				if s.Authorization != "Bearer at-0123456789" || s.form(t).Has("client_id") {
					t.Errorf("Authorization %q, body %q", s.Authorization, s.Body)
				}
			},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ep := newEndpoint(t, 200, `{"access_token":"at","token_type":"Bearer"}`)
			c, log := client(t)
			resp, err := New(c, log, ep.URL, "step").Set("grant_type", "client_credentials").Authenticate(tc.auth).Send(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			s := ep.Last()
			if s.Method != http.MethodPost || s.ContentType != "application/x-www-form-urlencoded" {
				t.Errorf("sent %s with Content-Type %q, want a POST form", s.Method, s.ContentType)
			}
			if s.form(t).Get("grant_type") != "client_credentials" {
				t.Errorf("body %q lost grant_type", s.Body)
			}
			tc.check(t, s, resp)
		})
	}
}

// redemption is a valid code redemption, the request every scenario mutates.
func redemption(c *resty.Client, log *transcript.Log, ep string, a Auth) *Request {
	return New(c, log, ep, "redeem").Authenticate(a).
		Set("grant_type", "authorization_code").
		Set("code", "Qcb0Orv1zh30vL1MPRsbm").
		Set("redirect_uri", "https://app.example/cb").
		Set("code_verifier", "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")
}

func TestMutations(t *testing.T) {
	post := Auth{Method: config.AuthPost, ClientID: "app-b", Secret: "s3cret-app-b"}
	basic := Auth{Method: config.AuthBasic, ClientID: "app-a", Secret: "s3cret-app-a"}
	cases := []struct {
		name   string
		auth   Auth
		mutate func(*Request) *Request
		check  func(t *testing.T, s seen)
	}{
		{
			name:   "unmutated: parameters in the order written, then client credentials",
			auth:   post,
			mutate: func(r *Request) *Request { return r },
			check: func(t *testing.T, s seen) {
				want := "grant_type=authorization_code&code=Qcb0Orv1zh30vL1MPRsbm&redirect_uri=https%3A%2F%2Fapp.example%2Fcb" +
					"&code_verifier=dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk&client_id=app-b&client_secret=s3cret-app-b"
				if s.Body != want {
					t.Errorf("body = %q, want %q", s.Body, want)
				}
			},
		},
		{
			name:   "Omit removes a parameter",
			auth:   basic,
			mutate: func(r *Request) *Request { return r.Omit("code_verifier") },
			check: func(t *testing.T, s seen) {
				if f := s.form(t); f.Has("code_verifier") || f.Get("code") == "" {
					t.Errorf("body = %q, want code without code_verifier", s.Body)
				}
			},
		},
		{
			name:   "Omit removes redirect_uri",
			auth:   basic,
			mutate: func(r *Request) *Request { return r.Omit("redirect_uri") },
			check: func(t *testing.T, s seen) {
				if s.form(t).Has("redirect_uri") {
					t.Errorf("body = %q still has redirect_uri", s.Body)
				}
			},
		},
		{
			name:   "Omit wins over the auth method's parameters",
			auth:   post,
			mutate: func(r *Request) *Request { return r.Omit("client_secret") },
			check: func(t *testing.T, s seen) {
				if f := s.form(t); f.Has("client_secret") || f.Get("client_id") != "app-b" {
					t.Errorf("body = %q, want client_id without client_secret", s.Body)
				}
			},
		},
		{
			name:   "Set after Omit puts the parameter back",
			auth:   basic,
			mutate: func(r *Request) *Request { return r.Omit("code_verifier").Set("code_verifier", "other-verifier") },
			check: func(t *testing.T, s seen) {
				if got := s.form(t)["code_verifier"]; len(got) != 1 || got[0] != "other-verifier" {
					t.Errorf("code_verifier = %q", got)
				}
			},
		},
		{
			name:   "Duplicate sends the parameter twice, in order",
			auth:   basic,
			mutate: func(r *Request) *Request { return r.Duplicate("code", "second-code-1") },
			check: func(t *testing.T, s seen) {
				if got := s.form(t)["code"]; len(got) != 2 || got[0] != "Qcb0Orv1zh30vL1MPRsbm" || got[1] != "second-code-1" {
					t.Errorf("code = %q, want the original then second-code-1", got)
				}
				if !strings.Contains(s.Body, "code=Qcb0Orv1zh30vL1MPRsbm&code=second-code-1") {
					t.Errorf("body = %q, want the two codes side by side", s.Body)
				}
			},
		},
		{
			name:   "Duplicate of a new parameter",
			auth:   basic,
			mutate: func(r *Request) *Request { return r.Duplicate("scope", "openid") },
			check: func(t *testing.T, s seen) {
				if got := s.form(t)["scope"]; len(got) != 1 || got[0] != "openid" {
					t.Errorf("scope = %q", got)
				}
			},
		},
		{
			name:   "AsGET sends the parameters in the query and no body",
			auth:   post,
			mutate: func(r *Request) *Request { return r.AsGET() },
			check: func(t *testing.T, s seen) {
				q, _ := url.ParseQuery(s.RawQuery)
				if s.Method != http.MethodGet || s.Body != "" || s.ContentType != "" {
					t.Errorf("sent %s, Content-Type %q, body %q; want a GET without body", s.Method, s.ContentType, s.Body)
				}
				if q.Get("code") != "Qcb0Orv1zh30vL1MPRsbm" || q.Get("client_secret") != "s3cret-app-b" || q.Get("grant_type") != "authorization_code" {
					t.Errorf("query = %q", s.RawQuery)
				}
			},
		},
		{
			name:   "AsJSON sends a JSON object",
			auth:   basic,
			mutate: func(r *Request) *Request { return r.AsJSON() },
			check: func(t *testing.T, s seen) {
				var obj map[string]string
				if err := json.Unmarshal([]byte(s.Body), &obj); err != nil {
					t.Fatalf("body %q is not a JSON object of strings: %v", s.Body, err)
				}
				if s.Method != http.MethodPost || !strings.HasPrefix(s.ContentType, "application/json") {
					t.Errorf("sent %s with Content-Type %q", s.Method, s.ContentType)
				}
				if obj["code"] != "Qcb0Orv1zh30vL1MPRsbm" || obj["grant_type"] != "authorization_code" || len(obj) != 4 {
					t.Errorf("JSON body = %v", obj)
				}
				if id, _ := decodeBasic(t, s.Authorization); id != "app-a" {
					t.Errorf("Basic id = %q", id)
				}
			},
		},
		{
			name:   "an explicit client_id wins over the auth method's",
			auth:   post,
			mutate: func(r *Request) *Request { return r.Set("client_id", "app-other") },
			check: func(t *testing.T, s seen) {
				if f := s.form(t); f.Get("client_id") != "app-other" || f.Get("client_secret") != "s3cret-app-b" {
					t.Errorf("body = %q", s.Body)
				}
			},
		},
		{
			name:   "Basic and an explicit client_secret in the body together",
			auth:   basic,
			mutate: func(r *Request) *Request { return r.Set("client_secret", "s3cret-app-a") },
			check: func(t *testing.T, s seen) {
				if s.form(t).Get("client_secret") != "s3cret-app-a" || s.Authorization == "" {
					t.Errorf("body = %q, Authorization %q; want both", s.Body, s.Authorization)
				}
			},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ep := newEndpoint(t, 400, `{"error":"invalid_grant"}`)
			c, log := client(t)
			if _, err := tc.mutate(redemption(c, log, ep.URL, tc.auth)).Send(context.Background()); err != nil {
				t.Fatal(err)
			}
			tc.check(t, ep.Last())
		})
	}
}

func TestAsGETKeepsTheEndpointQuery(t *testing.T) {
	ep := newEndpoint(t, 405, `{"error":"invalid_request"}`)
	c, log := client(t)
	_, err := New(c, log, ep.URL+"?tenant=t1", "get").Set("grant_type", "authorization_code").AsGET().Send(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if got := ep.Last().RawQuery; got != "tenant=t1&grant_type=authorization_code" {
		t.Errorf("query = %q", got)
	}
}

func TestRetarget(t *testing.T) {
	a, b := newEndpoint(t, 200, `{}`), newEndpoint(t, 200, `{"active":false}`)
	c, log := client(t)
	resp, err := New(c, log, a.URL, "introspect").Set("token", "at-0123456789").Retarget(b.URL).Send(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if a.Last().Method != "" || b.Last().Method != http.MethodPost || resp.JSON["active"] != false {
		t.Errorf("a saw %q, b saw %q, answer %v", a.Last().Method, b.Last().Method, resp.JSON)
	}
}

func TestSendResponseAndRecord(t *testing.T) {
	ep := newEndpoint(t, 200, `{"access_token":"2YotnFZFEjr1zCsicMWpAA","token_type":"Bearer","refresh_token":"tGzv3JOkF0XG5Qx2TlKWIA"}`)
	c, log := client(t, "s3cret-app-a")
	req := redemption(c, log, ep.URL, Auth{Method: config.AuthBasic, ClientID: "app-a", Secret: "s3cret-app-a"})
	if req.Get("code") != "Qcb0Orv1zh30vL1MPRsbm" {
		t.Errorf("Get(code) = %q", req.Get("code"))
	}
	resp, err := req.Send(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if resp.Status != 200 || resp.MediaType != "application/json" || resp.String("token_type") != "Bearer" ||
		strings.Join(resp.Tokens(), ",") != "access_token,refresh_token" {
		t.Errorf("response: status %d, media type %q, JSON %v, tokens %v", resp.Status, resp.MediaType, resp.JSON, resp.Tokens())
	}
	printed := resp.GomegaString()
	for _, raw := range []string{"s3cret-app-a", "2YotnFZFEjr1zCsicMWpAA", "tGzv3JOkF0XG5Qx2TlKWIA", "Qcb0Orv1zh30vL1MPRsbm"} {
		if strings.Contains(printed, raw) {
			t.Errorf("GomegaString shows %q:%s", raw, printed)
		}
	}
	if resp.Record.Step != "redeem" || !strings.Contains(printed, "Authorization: Basic base64(app-a:‹secret:") {
		t.Errorf("record:%s", printed)
	}
	if strings.Contains(printed, transcript.StepHeader) {
		t.Errorf("the step header was recorded:%s", printed)
	}
}

// Parallel redemptions record into one Log; each response must carry its own exchange.
func TestConcurrentSendsKeepTheirOwnRecord(t *testing.T) {
	ep := newEndpoint(t, 400, `{"error":"invalid_grant"}`)
	c, log := client(t)
	const n = 16
	resps := make([]*Response, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			r, err := New(c, log, ep.URL, fmt.Sprintf("redeem #%d", i)).Set("grant_type", "authorization_code").Send(context.Background())
			if err != nil {
				t.Error(err)
				return
			}
			resps[i] = r
		})
	}
	wg.Wait()
	for i, r := range resps {
		if r == nil {
			continue
		}
		if want := fmt.Sprintf("redeem #%d", i); r.Record.Step != want {
			t.Errorf("response %d carries the record of %q", i, r.Record.Step)
		}
	}
	if got := len(log.Records()); got != n {
		t.Errorf("%d records, want %d", got, n)
	}
}

func TestSendTransportError(t *testing.T) {
	ep := newEndpoint(t, 200, `{}`)
	c, log := client(t)
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := New(c, log, ep.URL, "cancelled redemption").Send(cancelled)
	if err == nil || !strings.HasPrefix(err.Error(), "cancelled redemption: ") {
		t.Errorf("error = %v, want one naming the step", err)
	}
}

func TestNewResponse(t *testing.T) {
	cases := []struct {
		name      string
		header    http.Header
		body      string
		mediaType string
		json      bool
		tokens    string
	}{
		{"JSON with charset", http.Header{"Content-Type": {"application/json; charset=utf-8"}}, `{"error":"invalid_grant"}`, "application/json", true, ""},
		{"HTML", http.Header{"Content-Type": {"text/html"}}, `<html>oops</html>`, "text/html", false, ""},
		{"JSON array is not an object", http.Header{"Content-Type": {"application/json"}}, `["a"]`, "application/json", false, ""},
		{"no Content-Type", http.Header{}, `{"id_token":"x.y.z"}`, "", true, "id_token"},
		{"empty token values do not count", http.Header{}, `{"access_token":"","refresh_token":5}`, "", true, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := NewResponse(400, tc.header, []byte(tc.body), false, transcript.Record{})
			if r.MediaType != tc.mediaType || (r.JSON != nil) != tc.json || strings.Join(r.Tokens(), ",") != tc.tokens {
				t.Errorf("media type %q, JSON %v, tokens %v", r.MediaType, r.JSON, r.Tokens())
			}
		})
	}
}

func TestAuthOf(t *testing.T) {
	got := AuthOf(&config.Client{ClientID: "app-a", ClientSecret: "x-secret", AuthMethod: config.AuthPost})
	if !reflect.DeepEqual(got, Auth{Method: config.AuthPost, ClientID: "app-a", Secret: "x-secret"}) {
		t.Errorf("AuthOf = %+v", got)
	}
}
