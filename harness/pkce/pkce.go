// Package pkce makes RFC 7636 verifiers and challenges, including deliberately malformed ones.
package pkce

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"strings"
)

// Method is a code_challenge_method.
type Method string

const (
	S256  Method = "S256"
	Plain Method = "plain"
)

// unreserved is RFC 7636 §4.1's character set for code_verifier.
const unreserved = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~"

// Verifier is a code_verifier with the challenge sent for it.
type Verifier struct {
	Value     string
	Method    Method
	Challenge string
}

// New makes a valid verifier of 64 characters and its challenge.
func New(m Method) Verifier { return FromValue(Random(64), m) }

// FromValue computes the challenge for any verifier, valid or not (for the malformed scenarios).
func FromValue(v string, m Method) Verifier {
	return Verifier{Value: v, Method: m, Challenge: Challenge(v, m)}
}

// Challenge is RFC 7636 §4.2: S256 is BASE64URL(SHA256(ASCII(verifier))) without padding.
func Challenge(verifier string, m Method) string {
	if m == Plain {
		return verifier
	}
	sum := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// Random returns n characters from the unreserved set.
func Random(n int) string {
	buf := make([]byte, n)
	if _, err := rand.Read(buf); err != nil {
		// crypto/rand does not fail on supported platforms (Go 1.24+ documents it crashes instead).
		panic(err)
	}
	var b strings.Builder
	for _, c := range buf {
		b.WriteByte(unreserved[int(c)%len(unreserved)])
	}
	return b.String()
}

// Valid reports whether v meets RFC 7636 §4.1: 43 to 128 unreserved characters.
func Valid(v string) bool {
	if len(v) < 43 || len(v) > 128 {
		return false
	}
	for _, c := range v {
		if !strings.ContainsRune(unreserved, c) {
			return false
		}
	}
	return true
}
