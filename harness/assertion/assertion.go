// Package assertion makes the JWTs a client authenticates with at the token endpoint instead of a
// secret (RFC 7523 §2.2; OpenID Connect Core 1.0 §9): private_key_jwt, signed with the client's
// private key, and client_secret_jwt, a MAC keyed by its client secret. Every assertion is fresh
// (a new jti, a short exp); a scenario changes one thing of a valid one with a Mutation.
package assertion

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4"
)

// ErrAlg marks an alg that fits neither the method nor the key; ErrShortSecret a client secret too
// short for its MAC. A configuration error names the setting by them (errors.Is).
var (
	ErrAlg         = errors.New("alg does not fit")
	ErrShortSecret = errors.New("client secret too short")
)

// kindError is an error of kind (ErrAlg, ErrShortSecret) whose text is its own sentence.
type kindError struct {
	kind error
	msg  string
}

func (e kindError) Error() string { return e.msg }
func (e kindError) Unwrap() error { return e.kind }

// Type is the client_assertion_type of a JWT assertion (RFC 7523 §2.2).
const Type = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

// Lifetime is how long a made assertion is valid: short, so a leaked one is soon worthless, and
// long enough for a slow provider.
const Lifetime = 60 * time.Second

// Key signs assertions: a private key (private_key_jwt) or a client secret (client_secret_jwt).
type Key struct {
	Alg jose.SignatureAlgorithm
	// KeyID is the kid header ("" for none).
	KeyID string
	// signer is a crypto.Signer for an asymmetric key, []byte for a secret.
	signer any
}

// Symmetric reports whether the key is a client secret (client_secret_jwt).
func (k *Key) Symmetric() bool { _, ok := k.signer.([]byte); return ok }

// Public is the public key of an asymmetric key (nil for a secret).
func (k *Key) Public() crypto.PublicKey {
	if s, ok := k.signer.(crypto.Signer); ok {
		return s.Public()
	}
	return nil
}

// PublicPEM is the public key as PEM (SubjectPublicKeyInfo): the bytes a verifier that lets the
// header pick the algorithm takes as an HMAC secret (the classic algorithm confusion).
func (k *Key) PublicPEM() ([]byte, error) {
	der, err := x509.MarshalPKIXPublicKey(k.Public())
	if err != nil {
		return nil, fmt.Errorf("encode the public key: %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), nil
}

// Secret makes the key of a client_secret_jwt client; alg "" is HS256.
func Secret(secret, alg string) (*Key, error) {
	if alg == "" {
		alg = string(jose.HS256)
	}
	bits := map[jose.SignatureAlgorithm]int{jose.HS256: 256, jose.HS384: 384, jose.HS512: 512}[jose.SignatureAlgorithm(alg)]
	if bits == 0 {
		return nil, kindError{ErrAlg, fmt.Sprintf("alg %q is not one of HS256, HS384, HS512 (client_secret_jwt is a MAC keyed by the client secret)", alg)}
	}
	// RFC 7518 §3.2: the key MUST be at least as long as the hash output.
	if len(secret)*8 < bits {
		return nil, kindError{ErrShortSecret, fmt.Sprintf("a client secret of %d bytes is too short for %s: RFC 7518 §3.2 requires at least %d bytes", len(secret), alg, bits/8)}
	}
	return &Key{Alg: jose.SignatureAlgorithm(alg), signer: []byte(secret)}, nil
}

// ParsePrivate reads a private key written as PEM (PKCS #8, PKCS #1 or SEC 1) or as a JWK; kid and
// alg, when set, override the JWK's. Without alg the key's usual algorithm is used: RS256 for RSA,
// ES256/ES384/ES512 by curve, EdDSA for Ed25519.
func ParsePrivate(text, kid, alg string) (*Key, error) {
	text = strings.TrimSpace(text)
	var signer crypto.Signer
	switch {
	case strings.HasPrefix(text, "{"):
		var jwk jose.JSONWebKey
		if err := jwk.UnmarshalJSON([]byte(text)); err != nil {
			return nil, fmt.Errorf("not a JWK: %w", err)
		}
		if jwk.IsPublic() {
			return nil, errors.New("the JWK is a public key: the private key (with \"d\") is needed to sign")
		}
		s, ok := jwk.Key.(crypto.Signer)
		if !ok {
			return nil, fmt.Errorf("a %T JWK cannot sign a private_key_jwt assertion", jwk.Key)
		}
		signer = s
		if kid == "" {
			kid = jwk.KeyID
		}
		if alg == "" {
			alg = jwk.Algorithm
		}
	case strings.HasPrefix(text, "-----BEGIN"):
		block, _ := pem.Decode([]byte(text))
		if block == nil {
			return nil, errors.New("not a PEM block")
		}
		s, err := parsePEMKey(block)
		if err != nil {
			return nil, err
		}
		signer = s
	default:
		return nil, errors.New("neither a PEM private key (-----BEGIN PRIVATE KEY-----) nor a JWK ({\"kty\": ...})")
	}
	algo, err := algorithmFor(signer, alg)
	if err != nil {
		return nil, err
	}
	return &Key{Alg: algo, KeyID: kid, signer: signer}, nil
}

func parsePEMKey(block *pem.Block) (crypto.Signer, error) {
	if strings.Contains(block.Type, "ENCRYPTED") || block.Headers["Proc-Type"] != "" {
		return nil, errors.New("the PEM key is encrypted: give it unencrypted (from the environment, like every secret)")
	}
	if k, err := x509.ParsePKCS8PrivateKey(block.Bytes); err == nil {
		if s, ok := k.(crypto.Signer); ok {
			return s, nil
		}
		return nil, fmt.Errorf("a %T key cannot sign a private_key_jwt assertion", k)
	}
	if k, err := x509.ParsePKCS1PrivateKey(block.Bytes); err == nil {
		return k, nil
	}
	if k, err := x509.ParseECPrivateKey(block.Bytes); err == nil {
		return k, nil
	}
	return nil, fmt.Errorf("the PEM block %q is not a PKCS #8, PKCS #1 or SEC 1 private key", block.Type)
}

// algorithmFor checks alg against the key, or picks the key's usual algorithm.
func algorithmFor(s crypto.Signer, alg string) (jose.SignatureAlgorithm, error) {
	var allowed []jose.SignatureAlgorithm
	switch k := s.(type) {
	case *rsa.PrivateKey:
		allowed = []jose.SignatureAlgorithm{jose.RS256, jose.RS384, jose.RS512, jose.PS256, jose.PS384, jose.PS512}
	case *ecdsa.PrivateKey:
		switch k.Curve {
		case elliptic.P256():
			allowed = []jose.SignatureAlgorithm{jose.ES256}
		case elliptic.P384():
			allowed = []jose.SignatureAlgorithm{jose.ES384}
		case elliptic.P521():
			allowed = []jose.SignatureAlgorithm{jose.ES512}
		}
	case ed25519.PrivateKey:
		allowed = []jose.SignatureAlgorithm{jose.EdDSA}
	}
	if len(allowed) == 0 {
		return "", fmt.Errorf("a %T key is not one private_key_jwt can use (RSA, EC P-256/384/521, Ed25519)", s)
	}
	if alg == "" {
		return allowed[0], nil
	}
	for _, a := range allowed {
		if string(a) == alg {
			return a, nil
		}
	}
	names := make([]string, len(allowed))
	for i, a := range allowed {
		names[i] = string(a)
	}
	return "", kindError{ErrAlg, fmt.Sprintf("alg %q does not fit this key (it can sign %s)", alg, strings.Join(names, ", "))}
}

// Generate makes a fresh key like k (same type and algorithm, same kid): a key the client never
// registered. For a secret it is a random secret.
func (k *Key) Generate() (*Key, error) {
	var s any
	var err error
	switch key := k.signer.(type) {
	case []byte:
		b := make([]byte, 32)
		_, err = rand.Read(b)
		s = []byte(base64.RawURLEncoding.EncodeToString(b))
	case *rsa.PrivateKey:
		s, err = rsa.GenerateKey(rand.Reader, key.N.BitLen())
	case *ecdsa.PrivateKey:
		s, err = ecdsa.GenerateKey(key.Curve, rand.Reader)
	case ed25519.PrivateKey:
		_, s, err = ed25519.GenerateKey(rand.Reader)
	default:
		err = fmt.Errorf("cannot generate a %T key", key)
	}
	if err != nil {
		return nil, fmt.Errorf("generate a key: %w", err)
	}
	return &Key{Alg: k.Alg, KeyID: k.KeyID, signer: s}, nil
}

// Draft is an assertion before it is signed: its header and claims as JSON values, and how it will
// be signed. A Mutation changes it.
type Draft struct {
	Header map[string]any
	Claims map[string]any
	Key    *Key
	// Unsigned sends the JWT with alg none and an empty signature (go-jose, rightly, cannot make one).
	Unsigned bool
	// MACKey, when set, signs with this HMAC algorithm and key instead of Key.
	MACKey []byte
	MACAlg jose.SignatureAlgorithm
	// BreakSignature changes one byte of the signature after signing.
	BreakSignature bool
}

// Mutation changes a valid draft into the invalid assertion a scenario sends.
type Mutation func(*Draft)

// Make signs a valid assertion of clientID for audience, issued now, then applies the mutations.
func Make(key *Key, clientID, audience string, now time.Time, mutations ...Mutation) (string, error) {
	jti := make([]byte, 18)
	if _, err := rand.Read(jti); err != nil {
		return "", fmt.Errorf("make a jti: %w", err)
	}
	d := &Draft{
		Header: map[string]any{},
		Claims: map[string]any{
			"iss": clientID, "sub": clientID, "aud": audience, "jti": base64.RawURLEncoding.EncodeToString(jti),
			"iat": now.Unix(), "exp": now.Add(Lifetime).Unix(),
		},
		Key: key,
	}
	if key.KeyID != "" {
		d.Header["kid"] = key.KeyID
	}
	for _, m := range mutations {
		m(d)
	}
	return d.sign()
}

func (d *Draft) sign() (string, error) {
	payload, err := json.Marshal(d.Claims)
	if err != nil {
		return "", fmt.Errorf("encode the claims: %w", err)
	}
	if d.Unsigned {
		h := map[string]any{"alg": "none"}
		for k, v := range d.Header {
			h[k] = v
		}
		header, err := json.Marshal(h)
		if err != nil {
			return "", fmt.Errorf("encode the header: %w", err)
		}
		enc := base64.RawURLEncoding.EncodeToString
		return enc(header) + "." + enc(payload) + ".", nil
	}
	signing := jose.SigningKey{Algorithm: d.Key.Alg, Key: d.Key.signer}
	if d.MACKey != nil {
		signing = jose.SigningKey{Algorithm: d.MACAlg, Key: d.MACKey}
	}
	opts := &jose.SignerOptions{}
	for k, v := range d.Header {
		opts.WithHeader(jose.HeaderKey(k), v)
	}
	signer, err := jose.NewSigner(signing, opts)
	if err != nil {
		return "", fmt.Errorf("make a %s signer: %w", signing.Algorithm, err)
	}
	jws, err := signer.Sign(payload)
	if err != nil {
		return "", fmt.Errorf("sign the assertion: %w", err)
	}
	out, err := jws.CompactSerialize()
	if err != nil {
		return "", fmt.Errorf("serialize the assertion: %w", err)
	}
	if d.BreakSignature {
		out = breakSignature(out)
	}
	return out, nil
}

// breakSignature flips bits of the signature's first byte, keeping the encoding valid.
func breakSignature(jwt string) string {
	i := strings.LastIndex(jwt, ".")
	sig, err := base64.RawURLEncoding.DecodeString(jwt[i+1:])
	if err != nil || len(sig) == 0 {
		return jwt + "A"
	}
	sig[0] ^= 0xff
	return jwt[:i+1] + base64.RawURLEncoding.EncodeToString(sig)
}
