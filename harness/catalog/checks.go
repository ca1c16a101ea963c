package catalog

// Check is one check a provider makes that several scenarios probe from different sides. When
// more than one of them is accepted, the one missing check is the root cause: the reports show one
// finding that lists the scenarios, with the check's why and fix, instead of one finding each.
type Check struct {
	ID    string `json:"id"`
	Title string `json:"title"` // what the provider fails to check, as a finding's title
	Why   string `json:"why"`
	Fix   string `json:"fix"`
}

var (
	CheckPKCEVerifier = Check{ID: "pkce-verifier",
		Title: "code_verifier is not checked against the code's challenge",
		Why: "PKCE protects an intercepted code only if every redemption proves the verifier: a provider that redeems " +
			"with a wrong, missing, empty or challenge-valued verifier, or takes one for a code issued without a challenge, " +
			"hands the code's tokens to whoever holds it. Providers often skip the check unless the client is registered " +
			"to require PKCE.",
		Fix: "On every redemption, for every client: when the code has a stored code_challenge, require code_verifier, " +
			"transform it with the stored method and compare it with the challenge (RFC 7636 §4.6); when the code has " +
			"none, refuse a code_verifier (RFC 9700 §4.8.2); treat an empty parameter as absent (RFC 6749 §3.1)."}
	CheckClientSecret = Check{ID: "client-secret",
		Title: "the client secret is not verified",
		Why:   "A token endpoint that takes any secret lets whoever learns a code or a client_id act as the client.",
		Fix: "Verify the secret of the client's registered method (Basic after form-urldecoding, or client_secret in the " +
			"body) and answer invalid_client, 401 with a Basic challenge after Basic, when it is wrong (RFC 6749 §2.3.1, §5.2)."}
	CheckClientAuthRequired = Check{ID: "client-auth-required",
		Title: "confidential clients are not required to authenticate",
		Why:   "A confidential client that may redeem codes and refresh tokens by client_id alone is a public client without PKCE: a stolen code or refresh token is enough.",
		Fix:   "Require the registered authentication of confidential clients on every grant and answer invalid_client without it (RFC 6749 §3.2.1, §6)."}
	CheckCodeSingleUse = Check{ID: "code-single-use",
		Title: "authorization codes are not consumed atomically on redemption",
		Why:   "A code that redeems more than once, in sequence or in parallel, gives an attacker who found it a second set of the user's tokens.",
		Fix:   "Consume the code in one atomic step (a conditional delete, a unique constraint, a row lock) before issuing tokens, and answer invalid_grant to every later or concurrent redemption (RFC 6749 §4.1.2)."}
	CheckCodeClient = Check{ID: "code-client-binding",
		Title: "codes are not bound to the client they were issued to",
		Why:   "A code redeemable by another client, confidential or public, lets a malicious client at the same provider steal logins meant for a trusted one.",
		Fix:   "Store the client_id with each code and answer invalid_grant when another client presents it, whatever its credentials or verifier (RFC 6749 §4.1.3)."}
)

// Checks are the shared checks, in presentation order.
func Checks() []Check {
	return []Check{CheckPKCEVerifier, CheckClientSecret, CheckClientAuthRequired, CheckCodeSingleUse, CheckCodeClient}
}

// CheckOf is the shared check a scenario probes, if any.
func CheckOf(s Scenario) (Check, bool) {
	for _, c := range Checks() {
		if c.ID == s.Check && s.Check != "" {
			return c, true
		}
	}
	return Check{}, false
}
