package assertion

import (
	"github.com/go-jose/go-jose/v4"
)

// SetClaim sets a claim to value (a string, a number, a list).
func SetClaim(name string, value any) Mutation { return func(d *Draft) { d.Claims[name] = value } }

// WithoutClaim removes a claim.
func WithoutClaim(name string) Mutation { return func(d *Draft) { delete(d.Claims, name) } }

// Unsigned sends alg none with an empty signature.
func Unsigned() Mutation { return func(d *Draft) { d.Unsigned = true } }

// MACWith signs with an HMAC algorithm keyed by key instead of the client's key.
func MACWith(alg jose.SignatureAlgorithm, key []byte) Mutation {
	return func(d *Draft) { d.MACKey, d.MACAlg = key, alg }
}

// BreakSignature changes one byte of the signature.
func BreakSignature() Mutation { return func(d *Draft) { d.BreakSignature = true } }

// SignWith signs with another key (one the client never registered).
func SignWith(k *Key) Mutation { return func(d *Draft) { d.Key = k } }
