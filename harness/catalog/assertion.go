package catalog

// The client-assertion family: a client that authenticates with a signed JWT instead of a secret
// (private_key_jwt, client_secret_jwt) must be refused with invalid_client, without tokens, when
// the JWT is not one the texts let a provider accept.
const FamilyClientAssertion = "client-assertion"

func RFC7521(section string) Ref { return Ref{"RFC 7521", section} }
func RFC7523(section string) Ref { return Ref{"RFC 7523", section} }

// RFC7523bis is the IETF draft updating the audience rules of RFC 7521, 7523 and 9126 after the
// 2025 audience-injection attack; -11 was sent to the RFC Editor.
func RFC7523bis(section string) Ref { return Ref{"draft-ietf-oauth-rfc7523bis-11", section} }

// clientIDMismatch: the request names one client by client_id and another by the assertion's sub.
var clientIDMismatch = Expect{Error: invalidClient, Alternatives: []Alternative{{Error: invalidRequest,
	Why: "RFC 7521 §4.2: a client_id parameter MUST identify the client the assertion identifies; a request " +
		"breaking that is malformed (RFC 6749 §5.2)"}}}

// Each variant's title names the clause it tests; the scenario's Refs list them all.
var (
	ClientAssertion = Scenario{
		ID: "client-assertion", Family: FamilyClientAssertion, Level: MUST,
		Title: "a client assertion the texts require the provider to refuse is rejected with invalid_client",
		Refs: []Ref{RFC7523("3"), RFC7523("2.2"), RFC7521("4.2"), RFC7521("5.2"), OIDCCore("9"),
			RFC6749("2.3")},
		Note: "run by the first configured role whose client authenticates with an assertion (private_key_jwt for the " +
			"key variants, client_secret_jwt for the MAC and client_secret ones; clients.assertion and " +
			"clients.assertion_secret are the roles for them), redeeming a fresh code (a client without the code grant: " +
			"client_credentials) with an assertion that is valid but for the one thing the variant changes. " +
			"RFC 7521 §4.2.1: an invalid assertion is answered invalid_client (400, or 401)",
		Expect: Expect{Error: invalidClient},
		Variants: []Variant{
			{Name: "wrong-key", Title: "signed by a key the client never registered (RFC 7523 §3 item 9)"},
			{Name: "alg-none", Title: "unsigned, alg none (RFC 7523 §3 item 9: MUST be signed or MACed)"},
			{Name: "hs256-public-key", Title: "HS256 keyed by the client's public key, the algorithm confusion (RFC 7523 §3 item 9)"},
			{Name: "broken-signature", Title: "one signature byte changed (RFC 7523 §3 item 9)"},
			{Name: "wrong-secret", Title: "client_secret_jwt with a MAC keyed by a wrong secret (RFC 7523 §3 item 9)"},
			{Name: "exp-past", Title: "exp an hour in the past (RFC 7523 §3 item 4)"},
			{Name: "exp-missing", Title: "no exp (RFC 7523 §3 item 4: the JWT MUST contain exp)"},
			{Name: "nbf-future", Title: "nbf an hour in the future (RFC 7523 §3 item 5)"},
			{Name: "iss-not-client", Title: "iss not the client_id (OpenID Connect Core §9, RFC 7523 §3 item 1)"},
			{Name: "sub-not-client", Title: "sub not the client_id (RFC 7523 §3 item 2.B)", Expect: clientIDMismatch},
			{Name: "other-client", Title: "another client's valid assertion sent with this client's client_id (RFC 7523 §3 item 2.B, RFC 7521 §4.2)",
				Expect: clientIDMismatch},
			{Name: "aud-other-server", Title: "aud another server (RFC 7523 §3 item 3)"},
			{Name: "wrong-type", Title: "client_assertion_type the SAML one, not jwt-bearer (RFC 7523 §2.2, RFC 7521 §4.2)",
				Expect: Expect{Error: invalidClient, Alternatives: []Alternative{{Error: invalidRequest,
					Why: "an unsupported value of client_assertion_type is a malformed request (RFC 6749 §5.2)"}}}},
			{Name: "with-client-secret", Title: "a valid assertion together with the correct client_secret (RFC 6749 §2.3, RFC 7521 §4.2.1)",
				Expect: Expect{Error: invalidClient, Alternatives: []Alternative{{Error: invalidRequest,
					Why: "RFC 6749 §5.2 names invalid_request for more than one authentication mechanism; RFC 7521 §4.2.1 invalid_client"}}}},
		},
	}
	ClientAssertionRecommended = Scenario{
		ID: "client-assertion-recommended", Family: FamilyClientAssertion, Level: SHOULD,
		Title: "a client assertion that newer or optional clauses ask the provider to refuse is rejected with invalid_client",
		Refs:  []Ref{RFC7523bis("4"), OIDCCore("9"), RFC7523("3"), OIDCRegistration("2")},
		Note: "SHOULD: the audience forms are forbidden by draft-ietf-oauth-rfc7523bis §4 (the issuer as the sole audience) " +
			"but allowed by RFC 7523 §3 and OpenID Connect Core §9, which suggests the token endpoint URL; replay protection " +
			"is a MAY of RFC 7523 §3 item 7 and RFC 7521 §5.2, while OpenID Connect Core §9 says an assertion MUST only be " +
			"used once unless reuse was negotiated; no clause requires refusing an iat in the future (RFC 7523 §3 item 6 " +
			"lets a provider refuse one far in the past), so accepting it only warns that iat is not read; the registered " +
			"method is enforced at the level of client-auth-method-unregistered",
		Expect: Expect{Error: invalidClient},
		Variants: []Variant{
			{Name: "aud-token-endpoint", Title: "aud the token endpoint URL (draft-ietf-oauth-rfc7523bis §4: MUST NOT be used)"},
			{Name: "aud-multiple", Title: "aud an array of the issuer and another server (draft-ietf-oauth-rfc7523bis §4: the issuer as sole value)"},
			{Name: "replay", Title: "the same assertion, accepted once, sent again with a new code (OpenID Connect Core §9 jti, RFC 7523 §3 item 7)"},
			{Name: "iat-future", Title: "iat a year in the future, exp valid (RFC 7523 §3 item 6)"},
			{Name: "method-unregistered", Title: "a client_secret_jwt assertion keyed by the correct secret of the primary client, registered for client_secret_basic or client_secret_post (OpenID Connect Registration §2)",
				Needs: []Need{PrimaryControl}},
		},
	}
)

func assertionFamily() []Scenario { return []Scenario{ClientAssertion, ClientAssertionRecommended} }
