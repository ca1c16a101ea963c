package harness

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"slices"
	"testing"

	jose "github.com/go-jose/go-jose/v4"
)

// The access token's own scope claim is the second evidence of a refresh's granted scope
// (RFC 9068 §2.2.3 scope; scp as several providers write it); an opaque token has none.
func TestJWTScope(t *testing.T) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: key}, nil)
	if err != nil {
		t.Fatal(err)
	}
	jwt := func(payload string) string {
		obj, err := signer.Sign([]byte(payload))
		if err != nil {
			t.Fatal(err)
		}
		s, err := obj.CompactSerialize()
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	cases := []struct {
		name, token string
		want        []string
		ok          bool
	}{
		{"scope string", jwt(`{"sub":"u","scope":"openid api"}`), []string{"openid", "api"}, true},
		{"scp array", jwt(`{"sub":"u","scp":["openid","api"]}`), []string{"openid", "api"}, true},
		{"empty scope: granted nothing", jwt(`{"sub":"u","scope":""}`), nil, true},
		{"no scope claim", jwt(`{"sub":"u"}`), nil, false},
		{"opaque token", "2YotnFZFEjr1zCsicMWpAA", nil, false},
		{"three dots but not a JWS", "a.b.c", nil, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, ok := jwtScope(c.token)
			if ok != c.ok || !slices.Equal(got, c.want) {
				t.Errorf("jwtScope = %q, %v; want %q, %v", got, ok, c.want, c.ok)
			}
		})
	}
}
