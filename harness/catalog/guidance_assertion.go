package catalog

// Guidance for the client-assertion family. Its variants are different defects of one check, so
// each has its own text (keyed by variant ID); the scenario's text is the general one.
var guidanceAssertion = map[string]Guidance{
	ClientAssertion.ID: {
		Why: "A client assertion replaces the client secret: whatever the provider fails to check in it, anyone can forge, and then redeem codes and refresh tokens as the client.",
		Fix: "Verify every client assertion as RFC 7523 §3 says (signature by a key the client registered with the algorithm it registered, iss and sub equal to the client_id, your issuer as aud, exp in the future, nbf passed) and answer invalid_client (RFC 7521 §4.2.1) on any failure.",
	},
	ClientAssertion.VariantID("wrong-key"): {
		Why: "If any well-formed signature is accepted, anyone can make a key pair and sign assertions naming your client.",
		Fix: "Verify the signature only with the keys the client registered (its jwks or jwks_uri) and answer invalid_client when none verifies it.",
	},
	ClientAssertion.VariantID("alg-none"): {
		Why: "An unsigned assertion is a text anyone can write: accepting alg none makes client authentication optional.",
		Fix: "Refuse alg none (and any algorithm the client did not register) before looking at the claims; RFC 7523 §3 requires a signature or MAC.",
	},
	ClientAssertion.VariantID("hs256-public-key"): {
		Why: "A verifier that lets the JWT header choose the algorithm uses the client's public key as an HMAC secret; the public key is public, so anyone can forge assertions.",
		Fix: "Pin the algorithm to the client's registered token_endpoint_auth_signing_alg (or the key's type): never verify an HMAC with a public key.",
	},
	ClientAssertion.VariantID("broken-signature"): {
		Why: "An assertion accepted with a changed signature means signatures are not verified at all: any claims pass.",
		Fix: "Verify the full signature over the header and payload and answer invalid_client when it does not verify.",
	},
	ClientAssertion.VariantID("wrong-secret"): {
		Why: "A client_secret_jwt assertion whose MAC is not checked authenticates anyone who knows the client_id.",
		Fix: "Verify the MAC with the client's registered secret (constant-time) and answer invalid_client when it does not match.",
	},
	ClientAssertion.VariantID("exp-past"): {
		Why: "Assertions leak into logs and proxies; one that never expires is a permanent credential for whoever finds it.",
		Fix: "Reject an assertion whose exp has passed (allowing a small clock skew), as RFC 7523 §3 item 4 requires.",
	},
	ClientAssertion.VariantID("exp-missing"): {
		Why: "An assertion without exp is valid forever: one leaked copy authenticates as the client indefinitely.",
		Fix: "Require exp in every client assertion (RFC 7523 §3 item 4) and answer invalid_client when it is absent.",
	},
	ClientAssertion.VariantID("nbf-future"): {
		Why: "Accepting an assertion before its nbf lets pre-minted assertions (made by a briefly compromised signer for later use) work at once.",
		Fix: "Reject an assertion whose nbf is in the future, beyond the clock skew you allow (RFC 7523 §3 item 5).",
	},
	ClientAssertion.VariantID("iss-not-client"): {
		Why: "iss names who made the assertion; ignoring it accepts assertions that claim to come from another party, which breaks audit trails and key lookups keyed by issuer.",
		Fix: "Require iss to equal the client_id of the authenticating client (OpenID Connect Core §9).",
	},
	ClientAssertion.VariantID("sub-not-client"): {
		Why: "sub is the client the assertion authenticates; accepting another sub means the identity a log or policy reads is not the one that was checked.",
		Fix: "Require sub to equal the client_id (RFC 7523 §3 item 2.B) and the client_id parameter, when sent, to equal both.",
	},
	ClientAssertion.VariantID("other-client"): {
		Why: "If the assertion is checked for the client it names but the tokens go to the client_id parameter, any client can redeem another client's codes: client impersonation.",
		Fix: "Authenticate exactly one client: the assertion's iss and sub must equal the client_id parameter, and the grant is processed for that client only.",
	},
	ClientAssertion.VariantID("aud-other-server"): {
		Why: "An assertion made for another server (a partner, a test environment) can be replayed at yours if you do not check aud.",
		Fix: "Accept only assertions whose aud is your issuer identifier (RFC 7523 §3 item 3, draft-ietf-oauth-rfc7523bis §4).",
	},
	ClientAssertion.VariantID("wrong-type"): {
		Why: "Ignoring client_assertion_type means the provider guesses the format of a credential; a SAML or other assertion may be parsed as something it is not.",
		Fix: "Accept a client assertion only with client_assertion_type urn:ietf:params:oauth:client-assertion-type:jwt-bearer (RFC 7523 §2.2).",
	},
	ClientAssertion.VariantID("with-client-secret"): {
		Why: "When two authentications arrive together, one of them is checked and the other trusted: which one wins differs between components, the classic source of authentication bypasses.",
		Fix: "Refuse a request that carries more than one client authentication (RFC 6749 §2.3, RFC 7521 §4.2.1).",
	},
	ClientAssertionRecommended.ID: {
		Why: "These checks close the gaps the 2025 audience-injection research and OpenID Connect Core §9 describe: assertions that can be replayed or redirected to another endpoint.",
		Fix: "Accept only your issuer as the sole aud, remember each jti until its exp, read iat, and hold each client to its registered token_endpoint_auth_method.",
	},
	ClientAssertionRecommended.VariantID("aud-token-endpoint"): {
		Why: "Endpoint URLs as audiences are what the audience-injection attack exploits: an assertion a client made for an attacker's endpoint posing as yours can be replayed at yours.",
		Fix: "Accept only your issuer identifier as aud (draft-ietf-oauth-rfc7523bis §4); tell clients that still send the token endpoint URL to move to the issuer.",
	},
	ClientAssertionRecommended.VariantID("aud-multiple"): {
		Why: "An aud array with your issuer and another server is an assertion the other server can also use, and may have handed on to you: the audience-injection attack.",
		Fix: "Require aud to be your issuer identifier as its sole value (draft-ietf-oauth-rfc7523bis §4).",
	},
	ClientAssertionRecommended.VariantID("replay"): {
		Why: "An assertion captured from a log, a proxy or a browser extension can be replayed until it expires when jti is not remembered.",
		Fix: "Store each assertion's jti per client until its exp and refuse a second use (OpenID Connect Core §9).",
	},
	ClientAssertionRecommended.VariantID("iat-future"): {
		Why: "An iat in the future is impossible for an honest client; accepting it shows iat is not read at all, so no maximum assertion age is enforced either.",
		Fix: "Refuse assertions issued in the future (beyond clock skew) or unreasonably far in the past (RFC 7523 §3 item 6).",
	},
	ClientAssertionRecommended.VariantID("method-unregistered"): {
		Why: "A client registered for a secret sent by Basic may find the secret in a JWT MAC accepted too; each extra method accepted is more attack surface than the client chose.",
		Fix: "Hold each client to its registered token_endpoint_auth_method (OpenID Connect Registration §2) and answer invalid_client for any other.",
	},
}

func init() {
	for id, g := range guidanceAssertion {
		guidance[id] = g
	}
}
