package pkce

import "testing"

// RFC 7636 Appendix B's worked example.
func TestChallengeAppendixB(t *testing.T) {
	const verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
	const want = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
	if got := Challenge(verifier, S256); got != want {
		t.Fatalf("Challenge(S256) = %q, want %q", got, want)
	}
	if got := Challenge(verifier, Plain); got != verifier {
		t.Fatalf("Challenge(plain) = %q, want the verifier", got)
	}
}

func TestNewIsValidAndFresh(t *testing.T) {
	a, b := New(S256), New(S256)
	if !Valid(a.Value) || a.Value == b.Value || a.Challenge == b.Challenge {
		t.Fatalf("New gave %q and %q", a.Value, b.Value)
	}
}

func TestValid(t *testing.T) {
	cases := map[string]bool{
		Random(43): true, Random(128): true, Random(42): false, Random(129): false,
		Random(50) + "+": false, Random(50) + " ": false,
	}
	for v, want := range cases {
		if got := Valid(v); got != want {
			t.Errorf("Valid(%q) = %v, want %v", v, got, want)
		}
	}
}
