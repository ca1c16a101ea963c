package idtoken

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

func TestCheck(t *testing.T) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	other, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	jwks, _ := json.Marshal(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &key.PublicKey, KeyID: "k1", Algorithm: "RS256", Use: "sig"}}})
	now := time.Unix(1_700_000_000, 0)
	hash, _ := leftHalfHash("RS256", "the-access-token")
	good := func() map[string]any {
		return map[string]any{"iss": "https://op.example", "aud": "app-a", "exp": now.Unix() + 60, "iat": now.Unix(),
			"nonce": "n-1", "at_hash": hash, "sub": "alice"}
	}
	signed := func(k *rsa.PrivateKey, opts *jose.SignerOptions, c map[string]any) *jose.JSONWebSignature {
		s, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: k}, opts)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := json.Marshal(c)
		obj, err := s.Sign(b)
		if err != nil {
			t.Fatal(err)
		}
		return obj
	}
	sign := func(k *rsa.PrivateKey, kid string, c map[string]any) string {
		out, _ := signed(k, (&jose.SignerOptions{}).WithHeader("kid", kid), c).CompactSerialize()
		return out
	}
	jsonSerialized := signed(key, (&jose.SignerOptions{}).WithHeader("kid", "k1"), good()).FullSerialize()
	critical, _ := signed(key, (&jose.SignerOptions{}).WithHeader("kid", "k1").WithHeader("exp-ext", 1).WithCritical("exp-ext"), good()).CompactSerialize()
	want := Want{Issuer: "https://op.example", ClientID: "app-a", Nonce: "n-1", AccessToken: "the-access-token", Now: now, Skew: time.Minute}
	with := func(k string, v any) map[string]any { c := good(); c[k] = v; return c }
	without := func(k string) map[string]any { c := good(); delete(c, k); return c }

	cases := []struct {
		name, token, problem string
	}{
		{"valid", sign(key, "k1", good()), ""},
		{"valid with several audiences and azp", sign(key, "k1", with("aud", []string{"app-a", "api"})), "azp: missing"},
		{"signed by another key", sign(other, "k1", good()), "signature: no key"},
		{"unknown kid", sign(key, "k9", good()), `signature: no key with kid "k9"`},
		{"wrong issuer", sign(key, "k1", with("iss", "https://evil.example")), "iss:"},
		{"other audience", sign(key, "k1", with("aud", "app-b")), "aud:"},
		{"azp of another client", sign(key, "k1", with("azp", "app-b")), "azp:"},
		{"expired", sign(key, "k1", with("exp", now.Unix()-120)), "exp:"},
		{"no exp", sign(key, "k1", without("exp")), "exp: missing"},
		{"iat in the future", sign(key, "k1", with("iat", now.Unix()+3600)), "iat:"},
		{"no nonce", sign(key, "k1", without("nonce")), "nonce: missing"},
		{"other nonce", sign(key, "k1", with("nonce", "n-2")), "nonce: not the one"},
		{"wrong at_hash", sign(key, "k1", with("at_hash", "AAAA")), "at_hash:"},
		{"not a JWS", "not.a.jwt", "signature:"},
		{"JWS JSON serialization", jsonSerialized, "serialization: the id_token is a JWS in JSON serialization"},
		{"nbf a day ahead", sign(key, "k1", with("nbf", now.Unix()+24*3600)), "nbf: "},
		{"nbf within the clock skew", sign(key, "k1", with("nbf", now.Unix()+30)), ""},
		{"unknown crit header", critical, `crit: the header marks "exp-ext" as critical`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := Check(c.token, jwks, want)
			if c.problem == "" {
				if len(got) != 0 {
					t.Errorf("want no problems, got %q", got)
				}
				return
			}
			if len(got) != 1 || !strings.HasPrefix(got[0], c.problem) {
				t.Errorf("want one problem starting %q, got %q", c.problem, got)
			}
		})
	}
	t.Run("several audiences with azp pass", func(t *testing.T) {
		c := with("aud", []string{"app-a", "api"})
		c["azp"] = "app-a"
		if got := Check(sign(key, "k1", c), jwks, want); len(got) != 0 {
			t.Errorf("got %q", got)
		}
	})
}
