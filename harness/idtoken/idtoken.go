// Package idtoken checks an ID token the way OpenID Connect Core §3.1.3.7 tells a client to
// validate it, and names every check that fails.
package idtoken

import (
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"slices"
	"strings"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// Want is what the client knows when it receives the token.
type Want struct {
	Issuer      string
	ClientID    string
	Nonce       string // sent in the authorization request
	AccessToken string // issued with the ID token; "" when none
	Now         time.Time
	// Skew is the clock difference tolerated for exp and iat.
	Skew time.Duration
}

// algorithms a provider may sign with (OIDC Core §3.1.3.7 item 7: never "none").
var algorithms = []jose.SignatureAlgorithm{
	jose.RS256, jose.RS384, jose.RS512, jose.PS256, jose.PS384, jose.PS512,
	jose.ES256, jose.ES384, jose.ES512, jose.EdDSA,
}

// Check validates raw against the key set (the jwks_uri document) and returns one line per failed
// check, each naming the claim or step; none means the token is valid.
func Check(raw string, jwks []byte, w Want) []string {
	if strings.HasPrefix(strings.TrimSpace(raw), "{") {
		// go-jose reads both serializations; a JWT is only ever the compact one.
		return []string{"serialization: the id_token is a JWS in JSON serialization; an ID token is a JWT, which uses the compact serialization only (RFC 7519 §7.2 step 1, OpenID Connect Core 1.0 §2)"}
	}
	sig, err := jose.ParseSignedCompact(raw, algorithms)
	if err != nil {
		return []string{fmt.Sprintf("signature: the id_token is not a JWS signed with an asymmetric algorithm: %v", err)}
	}
	var set jose.JSONWebKeySet
	if err := json.Unmarshal(jwks, &set); err != nil {
		return []string{fmt.Sprintf("signature: the jwks_uri document is not a JWK Set: %v", err)}
	}
	header := sig.Signatures[0].Header
	payload, problem := verify(sig, set, header.KeyID)
	if problem != "" {
		return []string{problem}
	}
	var c claims
	if err := json.Unmarshal(payload, &c); err != nil {
		return []string{fmt.Sprintf("claims: the payload is not a JSON object of ID token claims: %v", err)}
	}
	var out []string
	if c.Issuer != w.Issuer {
		out = append(out, fmt.Sprintf("iss: %q, want the issuer %q (§3.1.3.7 item 2)", c.Issuer, w.Issuer))
	}
	if !slices.Contains(c.Audience, w.ClientID) {
		out = append(out, fmt.Sprintf("aud: %q does not contain the client %q (§3.1.3.7 item 3)", []string(c.Audience), w.ClientID))
	}
	if c.AZP != "" && c.AZP != w.ClientID {
		out = append(out, fmt.Sprintf("azp: %q, want the client %q (§3.1.3.7 item 5)", c.AZP, w.ClientID))
	} else if len(c.Audience) > 1 && c.AZP == "" {
		out = append(out, "azp: missing although aud has several audiences (§2, §3.1.3.7 item 4)")
	}
	switch {
	case c.Expires == nil:
		out = append(out, "exp: missing (§2)")
	case !time.Unix(int64(*c.Expires), 0).Add(w.Skew).After(w.Now):
		out = append(out, fmt.Sprintf("exp: %s is not in the future (§3.1.3.7 item 9)", time.Unix(int64(*c.Expires), 0).UTC().Format(time.RFC3339)))
	}
	// RFC 7519 §4.1.5: the JWT "MUST NOT be accepted for processing" before nbf. OIDC Core does not
	// require nbf, but a client's JWT library honours it: such a token fails the login, like an
	// expired one. The same clock skew as for exp and iat is tolerated.
	if c.NotBefore != nil && time.Unix(int64(*c.NotBefore), 0).After(w.Now.Add(w.Skew)) {
		out = append(out, fmt.Sprintf("nbf: %s is in the future, so no client may accept the token yet (RFC 7519 §4.1.5)", time.Unix(int64(*c.NotBefore), 0).UTC().Format(time.RFC3339)))
	}
	switch {
	case c.IssuedAt == nil:
		out = append(out, "iat: missing (§2)")
	case time.Unix(int64(*c.IssuedAt), 0).After(w.Now.Add(w.Skew)):
		out = append(out, fmt.Sprintf("iat: %s is in the future (§3.1.3.7 item 10)", time.Unix(int64(*c.IssuedAt), 0).UTC().Format(time.RFC3339)))
	}
	if w.Nonce != "" && c.Nonce != w.Nonce {
		if c.Nonce == "" {
			out = append(out, "nonce: missing although the authorization request sent one (§3.1.3.7 item 11)")
		} else {
			out = append(out, "nonce: not the one the authorization request sent (§3.1.3.7 item 11)")
		}
	}
	if c.ATHash != "" && w.AccessToken != "" {
		if want, ok := leftHalfHash(header.Algorithm, w.AccessToken); !ok {
			out = append(out, fmt.Sprintf("at_hash: no hash is defined for alg %s", header.Algorithm))
		} else if c.ATHash != want {
			out = append(out, "at_hash: does not match the access token (§3.2.2.9)")
		}
	}
	return out
}

// claims are the ID token claims §3.1.3.7 checks.
type claims struct {
	Issuer    string   `json:"iss"`
	Audience  audience `json:"aud"`
	AZP       string   `json:"azp"`
	Expires   *float64 `json:"exp"`
	IssuedAt  *float64 `json:"iat"`
	NotBefore *float64 `json:"nbf"`
	Nonce     string   `json:"nonce"`
	ATHash    string   `json:"at_hash"`
}

// audience is aud as a string or an array of strings (§2).
type audience []string

func (a *audience) UnmarshalJSON(b []byte) error {
	var one string
	if json.Unmarshal(b, &one) == nil {
		*a = []string{one}
		return nil
	}
	var many []string
	if err := json.Unmarshal(b, &many); err != nil {
		return fmt.Errorf("aud is neither a string nor an array of strings")
	}
	*a = many
	return nil
}

// verify finds the key of the set that signed the token: the one named by kid, or, without kid,
// any key of the set (§10.1.1 lets a provider omit kid when there is one key).
func verify(sig *jose.JSONWebSignature, set jose.JSONWebKeySet, kid string) ([]byte, string) {
	keys := set.Keys
	if kid != "" {
		keys = set.Key(kid)
		if len(keys) == 0 {
			return nil, fmt.Sprintf("signature: no key with kid %q in the jwks_uri document (§10.1.1)", kid)
		}
	}
	for _, k := range keys {
		if k.Use != "" && k.Use != "sig" {
			continue
		}
		payload, err := sig.Verify(k.Public())
		if err == nil {
			return payload, ""
		}
		if errors.Is(err, jose.ErrUnsupportedCriticalHeader) {
			return nil, fmt.Sprintf("crit: the header marks %s as critical, an extension no client understands, so every client must reject the token (RFC 7515 §4.1.11)",
				critOf(sig))
		}
	}
	return nil, "signature: no key of the jwks_uri document verifies the id_token (§3.1.3.7 item 6)"
}

// critOf lists the names the protected header's crit parameter carries, quoted.
func critOf(sig *jose.JSONWebSignature) string {
	var names []string
	if len(sig.Signatures) > 0 {
		if list, ok := sig.Signatures[0].Protected.ExtraHeaders["crit"].([]any); ok {
			for _, n := range list {
				names = append(names, fmt.Sprintf("%q", fmt.Sprint(n)))
			}
		}
	}
	if len(names) == 0 {
		return "a parameter"
	}
	return strings.Join(names, ", ")
}

// leftHalfHash is at_hash for an access token (§3.1.3.6): the left half of the hash that goes with
// the signing algorithm, base64url without padding.
func leftHalfHash(alg, accessToken string) (string, bool) {
	var h hash.Hash
	switch alg {
	case "RS256", "PS256", "ES256":
		h = sha256.New()
	case "RS384", "PS384", "ES384":
		h = sha512.New384()
	case "RS512", "PS512", "ES512", "EdDSA":
		h = sha512.New()
	default:
		return "", false
	}
	h.Write([]byte(accessToken))
	sum := h.Sum(nil)
	return base64.RawURLEncoding.EncodeToString(sum[:len(sum)/2]), true
}
