package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/go-resty/resty/v2"
	"gopkg.in/yaml.v3"

	"github.com/grantcheck/grantcheck/harness/authorize"
	"github.com/grantcheck/grantcheck/harness/config"
	"github.com/grantcheck/grantcheck/harness/discovery"
	"github.com/grantcheck/grantcheck/harness/pkce"
	"github.com/grantcheck/grantcheck/harness/token"
	"github.com/grantcheck/grantcheck/harness/transcript"
)

type generator struct {
	ctx  context.Context
	cfg  *config.Config
	doc  discovery.Document
	out  string
	rec  *recorder
	skew *skewedNode
}

func newGenerator(ctx context.Context, cfg *config.Config, out string) (*generator, error) {
	g := &generator{ctx: ctx, cfg: cfg, out: out, rec: &recorder{base: http.DefaultTransport}}
	doc, err := discovery.Fetch(ctx, g.client(false), cfg.Provider.Issuer)
	if err != nil {
		return nil, err
	}
	g.doc = doc
	if g.skew, err = startSkewedNode(doc.TokenEndpoint, 90*time.Second); err != nil {
		return nil, err
	}
	return g, nil
}

func (g *generator) close() { g.skew.close() }

func (g *generator) client(jar bool) *resty.Client {
	hc := &http.Client{Transport: g.rec, Timeout: 10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	if jar {
		hc.Jar, _ = cookiejar.New(nil)
	}
	return resty.NewWithClient(hc).SetHeader("User-Agent", "Mozilla/5.0 (grantcheck explain gen)")
}

// flow is one case being recorded.
type flow struct {
	g    *generator
	c    flowCase
	code *authorize.Code
}

func (g *generator) request(f *flow, step string) *token.Request {
	endpoint := g.doc.TokenEndpoint
	if f.c.skewed {
		endpoint = g.skew.url
	}
	return token.New(g.client(false), transcript.NewLog(transcript.NewRedactor()), endpoint, step)
}

// valid is the valid redemption of the flow's code by role: each case changes one thing of it.
func (f *flow) valid(role config.Role) *token.Request {
	r := f.g.request(f, "redeem").Authenticate(token.AuthOf(f.g.cfg.Clients.Get(role))).
		Set("grant_type", "authorization_code").Set("code", f.code.Value).Set("redirect_uri", f.code.RedirectURI)
	if f.code.PKCE != nil {
		r.Set("code_verifier", f.code.PKCE.Value)
	}
	return r
}

func (f *flow) send(r *token.Request) error {
	_, err := r.Send(f.g.ctx)
	return err
}

func (g *generator) record(c flowCase) error {
	g.rec.reset()
	cl := g.cfg.Clients.Get(c.role)
	req := authorize.Request{Client: cl, Scope: g.cfg.ScopeOf(c.role)}
	if !c.noPKCE {
		v := pkce.New(pkce.S256)
		req.PKCE = &v
	}
	d := &authorize.Driver{Endpoint: g.doc.AuthorizationEndpoint, Login: g.cfg.Login, Timeout: 10 * time.Second,
		Log: transcript.NewLog(transcript.NewRedactor()), NewClient: func() *resty.Client { return g.client(true) }}
	code, err := d.Acquire(g.ctx, req)
	if err != nil {
		return err
	}
	g.skew.issued(code.Value, code.IssuedAt)
	f := &flow{g: g, c: c, code: code}
	if err := c.redeem(f); err != nil {
		return err
	}
	dir := filepath.Join(g.out, "cases", c.name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	want := c.want
	if c.wantReference != nil && g.cfg.Source() == "reference" {
		want = c.wantReference
	}
	meta, err := yaml.Marshal(map[string]any{"want": want, "config": c.config})
	if err != nil {
		return err
	}
	files := map[string][]byte{"case.yaml": meta}
	last := g.rec.lastToken()
	if last == nil {
		return fmt.Errorf("no token request recorded")
	}
	for _, form := range c.forms {
		switch form {
		case "har":
			b, err := g.rec.har()
			if err != nil {
				return err
			}
			files["flow.har"] = b
		case "curl":
			files["token.curl"] = []byte(copyAsCurl(last))
		case "curl-typed":
			files["token-typed.curl"] = []byte(typedCurl(last))
		case "http":
			files["token.http"] = []byte(rawRequest(last))
		}
	}
	if len(c.forms) > 1 || c.forms[0] != "har" {
		files["authorize.url"] = []byte(g.rec.authorizeURL() + "\n")
		files["response.http"] = []byte(rawResponse(last))
	}
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			return err
		}
	}
	return nil
}

func sq(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

// copyAsCurl writes the request as Chrome's "Copy as cURL (bash)" does.
func copyAsCurl(e *exchange) string {
	var b strings.Builder
	fmt.Fprintf(&b, "curl %s \\\n", sq(e.req.URL.String()))
	keys := sortedKeys(e.req.Header)
	for _, k := range keys {
		for _, v := range e.req.Header[k] {
			fmt.Fprintf(&b, "  -H %s \\\n", sq(strings.ToLower(k)+": "+v))
		}
	}
	fmt.Fprintf(&b, "  --data-raw %s\n", sq(string(e.reqBody)))
	return b.String()
}

// typedCurl writes the request as a person types it: -u for Basic, one -d per parameter.
func typedCurl(e *exchange) string {
	var b strings.Builder
	fmt.Fprintf(&b, "curl -sS -X POST %s", e.req.URL.String())
	if h := e.req.Header.Get("Authorization"); strings.HasPrefix(h, "Basic ") {
		raw, _ := base64.StdEncoding.DecodeString(strings.TrimPrefix(h, "Basic "))
		id, secret, _ := strings.Cut(string(raw), ":")
		id, _ = url.QueryUnescape(id)
		secret, _ = url.QueryUnescape(secret)
		fmt.Fprintf(&b, " \\\n  -u %s", sq(id+":"+secret))
	}
	for _, p := range strings.Split(string(e.reqBody), "&") {
		k, v, _ := strings.Cut(p, "=")
		dv, err := url.QueryUnescape(v)
		if err == nil && dv != v {
			fmt.Fprintf(&b, " \\\n  --data-urlencode %s", sq(k+"="+dv))
			continue
		}
		fmt.Fprintf(&b, " \\\n  -d %s=%s", k, v)
	}
	b.WriteString("\n")
	return b.String()
}

func rawRequest(e *exchange) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s HTTP/1.1\r\nHost: %s\r\n", e.req.Method, e.req.URL.RequestURI(), e.req.URL.Host)
	for _, k := range sortedKeys(e.req.Header) {
		for _, v := range e.req.Header[k] {
			fmt.Fprintf(&b, "%s: %s\r\n", k, v)
		}
	}
	fmt.Fprintf(&b, "Content-Length: %d\r\n\r\n%s\r\n", len(e.reqBody), e.reqBody)
	return b.String()
}

func rawResponse(e *exchange) string {
	var b strings.Builder
	fmt.Fprintf(&b, "HTTP/1.1 %s\r\n", e.statusTx)
	for _, k := range sortedKeys(e.respHdr) {
		for _, v := range e.respHdr[k] {
			fmt.Fprintf(&b, "%s: %s\r\n", k, v)
		}
	}
	fmt.Fprintf(&b, "\r\n%s\r\n", e.respBody)
	return b.String()
}

func sortedKeys(h http.Header) []string {
	keys := make([]string, 0, len(h))
	for k := range h {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// skewedNode is a hostile test server: a token endpoint node of the provider whose clock runs
// ahead. It shares the provider's code store (it is told when each code was issued), judges a
// code's age by its own clock, and otherwise forwards to the real token endpoint.
type skewedNode struct {
	url  string
	skew time.Duration
	srv  *http.Server
	mu   sync.Mutex
	at   map[string]time.Time
}

func startSkewedNode(tokenEndpoint string, skew time.Duration) (*skewedNode, error) {
	target, err := url.Parse(tokenEndpoint)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	n := &skewedNode{url: "http://" + ln.Addr().String() + target.Path, skew: skew, at: map[string]time.Time{}}
	proxy := &httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) { r.SetURL(&url.URL{Scheme: target.Scheme, Host: target.Host}) },
		ModifyResponse: func(resp *http.Response) error {
			resp.Header.Set("Date", n.now().UTC().Format(http.TimeFormat))
			return nil
		},
	}
	n.srv = &http.Server{ReadHeaderTimeout: 5 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		form, _ := url.ParseQuery(string(body))
		n.mu.Lock()
		issued, ok := n.at[form.Get("code")]
		n.mu.Unlock()
		if ok && n.now().Sub(issued) > codeTTL {
			w.Header().Set("Date", n.now().UTC().Format(http.TimeFormat))
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("Cache-Control", "no-store")
			w.WriteHeader(http.StatusBadRequest)
			_, _ = io.WriteString(w, `{"error":"invalid_grant","error_description":"authorization code has expired"}`)
			return
		}
		proxy.ServeHTTP(w, r)
	})}
	go func() { _ = n.srv.Serve(ln) }()
	return n, nil
}

func (n *skewedNode) now() time.Time { return time.Now().Add(n.skew) }

func (n *skewedNode) issued(code string, at time.Time) {
	n.mu.Lock()
	n.at[code] = at
	n.mu.Unlock()
}

func (n *skewedNode) close() { _ = n.srv.Close() }
