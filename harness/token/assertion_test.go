package token

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/go-jose/go-jose/v4"

	"github.com/grantcheck/grantcheck/harness/assertion"
	"github.com/grantcheck/grantcheck/harness/config"
	"github.com/grantcheck/grantcheck/harness/loopback"
)

// echoEndpoint answers every request with the body it received, raw, JSON-escaped and base64 in
// error_description: a provider echoing the client assertion.
func echoEndpoint(t *testing.T) (string, func() string) {
	t.Helper()
	var mu sync.Mutex
	var last string
	srv := loopback.Server(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		last = string(b)
		mu.Unlock()
		_ = r.ParseForm()
		a := r.Form.Get("client_assertion")
		desc, _ := json.Marshal(map[string]string{"error": "invalid_client",
			"error_description": "got " + a + " / " + base64.StdEncoding.EncodeToString([]byte(a)) + " / " + string(b)})
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(401)
		w.Write(desc)
	}))
	return srv.URL + "/token", func() string { mu.Lock(); defer mu.Unlock(); return last }
}

// TestAssertionAuthentication: a private_key_jwt request carries a fresh, valid assertion each time
// it is sent, the assertion never shows in the record or the request description (which says how
// to make one instead), and a scenario's explicit parameters win.
func TestAssertionAuthentication(t *testing.T) {
	ec, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	der, _ := x509.MarshalPKCS8PrivateKey(ec)
	key, err := assertion.ParsePrivate(string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})), "k1", "")
	if err != nil {
		t.Fatal(err)
	}
	ep, last := echoEndpoint(t)
	c, log := client(t)
	auth := AuthOf(&config.Client{ClientID: "app-jwt", AuthMethod: config.AuthPrivateKeyJWT}).WithAudience("https://id.example")
	auth.Key = key
	var sent []string
	for range 2 {
		resp, err := redemption(c, log, ep, auth).Send(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		form := seen{Body: last()}.form(t)
		a := form.Get("client_assertion")
		sent = append(sent, a)
		if form.Get("client_assertion_type") != assertion.Type || form.Get("client_id") != "app-jwt" || form.Get("client_secret") != "" {
			t.Errorf("form %v", form)
		}
		jws, err := jose.ParseSigned(a, []jose.SignatureAlgorithm{jose.ES256})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := jws.Verify(&ec.PublicKey); err != nil {
			t.Errorf("the assertion does not verify: %v", err)
		}
		printed := resp.GomegaString()
		for _, form := range []string{a, base64.StdEncoding.EncodeToString([]byte(a)), strings.Split(a, ".")[2]} {
			if strings.Contains(printed, form) {
				t.Errorf("the record shows the assertion (%.12s…):%s", form, printed)
			}
		}
		raw, _ := json.Marshal(resp.Request)
		if strings.Contains(string(raw), a) || !strings.Contains(string(raw), `"env":"CLIENT_ASSERTION"`) ||
			resp.Request.Assertion == nil || resp.Request.Assertion.Times["exp"] != 60 || resp.Request.Assertion.Header["kid"] != "k1" {
			t.Errorf("request description %s", raw)
		}
	}
	if sent[0] == sent[1] {
		t.Error("two requests sent the same assertion: each must be fresh")
	}

	// A replay sends Prepared as it is; an explicit client_assertion_type wins over the method's.
	auth.Prepared = sent[0]
	if _, err := redemption(c, log, ep, auth).Set("client_assertion_type", "urn:example:other").Send(context.Background()); err != nil {
		t.Fatal(err)
	}
	if form := (seen{Body: last()}).form(t); form.Get("client_assertion") != sent[0] || form.Get("client_assertion_type") != "urn:example:other" {
		t.Errorf("form %v", form)
	}

	// Without a key or an audience the request is not sent: an error, not an unauthenticated request.
	if _, err := redemption(c, log, ep, AuthOf(&config.Client{ClientID: "app-jwt", AuthMethod: config.AuthPrivateKeyJWT})).
		Send(context.Background()); err == nil {
		t.Error("an assertion client without key and audience sent a request")
	}
}
