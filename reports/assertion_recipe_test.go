package reports

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/grantcheck/grantcheck/harness/verdict"
)

// TestAssertionRecipeSigns runs the reproduction's recipe with bash and openssl and verifies the
// assertion it makes with go-jose: the recipe is a working way to make one, for each family of
// algorithms, and carries the claims and times the run sent.
func TestAssertionRecipeSigns(t *testing.T) {
	for _, tool := range []string{"bash", "openssl", "xxd", "awk"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s is not installed: the recipe cannot be run here", tool)
		}
	}
	ec, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	rsaKey, _ := rsa.GenerateKey(rand.Reader, 2048)
	secret := "a-secret-with-'quote-and-$dollar"
	cases := []struct {
		name, alg string
		signer    any
		verify    any
	}{
		{"ES256", "ES256", ec, &ec.PublicKey},
		{"RS256", "RS256", rsaKey, &rsaKey.PublicKey},
		{"PS256", "PS256", rsaKey, &rsaKey.PublicKey},
		{"HS256", "HS256", nil, []byte(secret)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			env := append(os.Environ(), "MAC_KEY="+secret)
			if c.signer != nil {
				der, err := x509.MarshalPKCS8PrivateKey(c.signer)
				if err != nil {
					t.Fatal(err)
				}
				keyFile := filepath.Join(dir, "key.pem")
				if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600); err != nil {
					t.Fatal(err)
				}
				env = append(env, "PRIVATE_KEY_FILE="+keyFile)
			}
			script, _ := assertionRecipe(verdict.Assertion{Method: "private_key_jwt",
				Header: map[string]any{"alg": c.alg, "kid": "k1"},
				Claims: map[string]any{"iss": "app-'jwt", "sub": "app-'jwt", "aud": "https://id.example"},
				Times:  map[string]int64{"iat": 0, "exp": 60, "nbf": -3600}})
			cmd := exec.Command("bash", "-euo", "pipefail", "-c", script+`printf %s "$CLIENT_ASSERTION"`)
			cmd.Env = env
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("the recipe failed: %v\n%s", err, script)
			}
			jws, err := jose.ParseSigned(string(out), []jose.SignatureAlgorithm{jose.SignatureAlgorithm(c.alg)})
			if err != nil {
				t.Fatalf("the recipe made no %s JWS (%v):\n%s", c.alg, err, script)
			}
			payload, err := jws.Verify(c.verify)
			if err != nil {
				t.Fatalf("the signature does not verify (%v):\n%s", err, script)
			}
			var claims map[string]any
			if err := json.Unmarshal(payload, &claims); err != nil {
				t.Fatal(err)
			}
			now := float64(time.Now().Unix())
			if claims["iss"] != "app-'jwt" || claims["aud"] != "https://id.example" || claims["jti"] == "" ||
				claims["exp"].(float64)-now < 55 || now-claims["nbf"].(float64) < 3595 {
				t.Errorf("claims %v", claims)
			}
		})
	}
}

// TestCurlAssertionShowsTheRecipeNotTheAssertion: the reproduction of an assertion request makes
// one and sends $CLIENT_ASSERTION; it names the key variable to set.
func TestCurlAssertionShowsTheRecipeNotTheAssertion(t *testing.T) {
	got := Curl(verdict.Request{Step: "redemption with a client assertion: exp an hour in the past", Method: "POST",
		URL: "https://id.example/token", Params: []verdict.Param{{Name: "grant_type", Value: "authorization_code"},
			{Name: "client_assertion_type", Value: "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"},
			{Name: "client_assertion", Env: "CLIENT_ASSERTION"}},
		Assertion: &verdict.Assertion{Method: "private_key_jwt", Header: map[string]any{"alg": "ES256"},
			Claims: map[string]any{"iss": "app-jwt"}, Times: map[string]int64{"exp": -3600}}})
	for _, want := range []string{"PRIVATE_KEY_FILE:", "$((NOW-3600))", `--data-urlencode "client_assertion=$CLIENT_ASSERTION"`,
		`CLIENT_ASSERTION="$SIGNING_INPUT.$SIGNATURE"`} {
		if !strings.Contains(got, want) {
			t.Errorf("the reproduction lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "#   CLIENT_ASSERTION:") {
		t.Errorf("the recipe makes CLIENT_ASSERTION; it is not a variable to set:\n%s", got)
	}
}
