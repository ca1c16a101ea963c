package assertion

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
)

func pemOf(t *testing.T, k any) string {
	t.Helper()
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
}

// TestParsePrivate: PEM and JWK keys of every supported type, with the algorithm each implies.
func TestParsePrivate(t *testing.T) {
	ec, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	rk, _ := rsa.GenerateKey(rand.Reader, 2048)
	_, ed, _ := ed25519.GenerateKey(rand.Reader)
	jwk, _ := json.Marshal(jose.JSONWebKey{Key: ec, KeyID: "from-jwk"})
	pkcs1 := string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(rk)}))
	for _, c := range []struct {
		name, text, kid, alg, want string
	}{
		{"EC PEM", pemOf(t, ec), "", "", "ES384 "},
		{"RSA PKCS #8", pemOf(t, rk), "k", "", "RS256 k"},
		{"RSA PKCS #1 with PS256", pkcs1, "", "PS256", "PS256 "},
		{"Ed25519", pemOf(t, ed), "", "", "EdDSA "},
		{"JWK keeps its kid", string(jwk), "", "", "ES384 from-jwk"},
		{"key_id overrides the JWK's", string(jwk), "set", "", "ES384 set"},
	} {
		k, err := ParsePrivate(c.text, c.kid, c.alg)
		if err != nil || string(k.Alg)+" "+k.KeyID != c.want {
			t.Errorf("%s: %v %v, want %s", c.name, k, err, c.want)
		}
	}
	if _, err := ParsePrivate(pemOf(t, ec), "", "ES256"); err == nil || !strings.Contains(err.Error(), "ES384") {
		t.Errorf("ES256 for a P-384 key: %v", err)
	}
}

func decode(t *testing.T, part string) map[string]any {
	t.Helper()
	raw, err := base64.RawURLEncoding.DecodeString(part)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// TestMake: a valid assertion verifies with the client's key and carries the RFC 7523 §3 claims; a
// second one has another jti; each mutation changes only what it names.
func TestMake(t *testing.T) {
	ec, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	key, err := ParsePrivate(pemOf(t, ec), "k1", "")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	a, err := Make(key, "app-jwt", "https://id.example", now)
	if err != nil {
		t.Fatal(err)
	}
	jws, err := jose.ParseSigned(a, []jose.SignatureAlgorithm{jose.ES256})
	if err != nil {
		t.Fatal(err)
	}
	payload, err := jws.Verify(&ec.PublicKey)
	if err != nil {
		t.Fatalf("a valid assertion does not verify: %v", err)
	}
	var c map[string]any
	_ = json.Unmarshal(payload, &c)
	if c["iss"] != "app-jwt" || c["sub"] != "app-jwt" || c["aud"] != "https://id.example" ||
		c["exp"].(float64) != float64(now.Add(Lifetime).Unix()) || jws.Signatures[0].Header.KeyID != "k1" {
		t.Errorf("claims %v, kid %q", c, jws.Signatures[0].Header.KeyID)
	}
	b, _ := Make(key, "app-jwt", "https://id.example", now)
	if decode(t, strings.Split(b, ".")[1])["jti"] == c["jti"] {
		t.Error("two assertions share a jti")
	}

	none, _ := Make(key, "app-jwt", "https://id.example", now, Unsigned())
	if parts := strings.Split(none, "."); len(parts) != 3 || parts[2] != "" || decode(t, parts[0])["alg"] != "none" {
		t.Errorf("unsigned: %q", none)
	}
	broken, _ := Make(key, "app-jwt", "https://id.example", now, BreakSignature())
	if jws, err := jose.ParseSigned(broken, []jose.SignatureAlgorithm{jose.ES256}); err != nil {
		t.Errorf("a broken signature must still parse: %v", err)
	} else if _, err := jws.Verify(&ec.PublicKey); err == nil {
		t.Error("a broken signature verifies")
	}
	pub, _ := key.PublicPEM()
	confused, _ := Make(key, "app-jwt", "https://id.example", now, MACWith(jose.HS256, pub))
	if jws, err := jose.ParseSigned(confused, []jose.SignatureAlgorithm{jose.HS256}); err != nil {
		t.Errorf("HS256 by the public key: %v", err)
	} else if _, err := jws.Verify(pub); err != nil {
		t.Errorf("HS256 keyed by the public key PEM does not verify with it: %v", err)
	}
	other, _ := key.Generate()
	wrong, _ := Make(key, "app-jwt", "https://id.example", now, SignWith(other))
	if jws, _ := jose.ParseSigned(wrong, []jose.SignatureAlgorithm{jose.ES256}); jws == nil {
		t.Error("wrong key: no JWS")
	} else if _, err := jws.Verify(&ec.PublicKey); err == nil {
		t.Error("an assertion signed by a generated key verifies with the client's")
	}
	noExp, _ := Make(key, "app-jwt", "https://id.example", now, WithoutClaim("exp"), SetClaim("aud", []string{"a", "b"}))
	if c := decode(t, strings.Split(noExp, ".")[1]); c["exp"] != nil || len(c["aud"].([]any)) != 2 {
		t.Errorf("mutated claims %v", c)
	}

	if _, err := Secret("short-secret", ""); err == nil || !strings.Contains(err.Error(), "RFC 7518 §3.2") {
		t.Errorf("a 12-byte HS256 key: %v", err)
	}
	secret, err := Secret("s3cret-value-long-enough-for-hs256", "")
	if err != nil || !secret.Symmetric() {
		t.Fatal(err)
	}
	mac, _ := Make(secret, "app-mac", "https://id.example", now)
	if jws, err := jose.ParseSigned(mac, []jose.SignatureAlgorithm{jose.HS256}); err != nil {
		t.Fatal(err)
	} else if _, err := jws.Verify([]byte("s3cret-value-long-enough-for-hs256")); err != nil {
		t.Errorf("client_secret_jwt does not verify with the secret: %v", err)
	}
}
