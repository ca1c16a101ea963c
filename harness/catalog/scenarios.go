package catalog

// Families group scenarios the way the suites/ files and the reports do.
const (
	FamilyBaseline    = "baseline"
	FamilyCodeReuse   = "code-reuse"
	FamilyCodeExpiry  = "code-validity"
	FamilyRedirectURI = "redirect-uri"
	FamilyPKCE        = "pkce"
	FamilyClientAuth  = "client-auth"
	FamilyGrantType   = "grant-type"
	FamilyCrossClient = "cross-client"
)

const (
	invalidGrant         = "invalid_grant"
	invalidRequest       = "invalid_request"
	invalidClient        = "invalid_client"
	unauthorizedClient   = "unauthorized_client"
	unsupportedGrantType = "unsupported_grant_type"
)

var missingParam = Alternative{Error: invalidRequest,
	Why: "RFC 6749 §5.2 defines invalid_request for a request missing a required parameter"}

var (
	BaselineExchange = Scenario{
		ID: "baseline-exchange", Family: FamilyBaseline, Level: MUST,
		Title: "a valid authorization code exchange succeeds (the control for every negative scenario)",
		Refs:  []Ref{RFC6749("5.1"), OIDCCore("3.1.3.3")},
		Needs: []Need{PrimaryClient},
		Note:  "200 with access_token and token_type, and id_token when scope openid was requested",
	}
	TokenResponseNoStore = Scenario{
		ID: "token-response-no-store", Family: FamilyBaseline, Level: MUST,
		Title: "a successful token response carries Cache-Control: no-store",
		Refs:  []Ref{RFC6749("5.1")},
		Needs: []Need{PrimaryControl},
		Note:  "Pragma: no-cache missing is a warning",
	}

	CodeReuse = Scenario{
		ID: "code-reuse", Family: FamilyCodeReuse, Level: MUST,
		Title:  "a redeemed authorization code is rejected on second use",
		Refs:   []Ref{RFC6749("4.1.2"), OIDCCore("3.1.3.2")},
		Needs:  []Need{PrimaryControl},
		Expect: Expect{Error: invalidGrant, Status: 400},
	}
	CodeReuseRevokes = Scenario{
		ID: "code-reuse-revokes", Family: FamilyCodeReuse, Level: SHOULD,
		Title:  "tokens issued from a code are revoked when the code is presented again",
		Refs:   []Ref{RFC6749("4.1.2"), RFC6749("10.5")},
		Needs:  []Need{PrimaryControl},
		Note:   "the first access token is rejected at userinfo or introspection; the first refresh token gets invalid_grant",
		Expect: Expect{Error: invalidGrant},
	}
	CodeReuseConcurrent = Scenario{
		ID: "code-reuse-concurrent", Family: FamilyCodeReuse, Level: MUST,
		Title:  "one code redeemed by parallel requests yields tokens exactly once",
		Refs:   []Ref{RFC6749("4.1.2")},
		Needs:  []Need{PrimaryControl},
		Expect: Expect{Error: invalidGrant},
	}

	CodeExpired = Scenario{
		ID: "code-expired", Family: FamilyCodeExpiry, Level: MUST,
		Title:  "an authorization code is rejected after its lifetime",
		Refs:   []Ref{RFC6749("4.1.2")},
		Needs:  []Need{PrimaryControl, CodeTTL},
		Expect: Expect{Error: invalidGrant},
	}
	CodeUnknown = Scenario{
		ID: "code-unknown", Family: FamilyCodeExpiry, Level: MUST,
		Title:  "a code the provider never issued is rejected",
		Refs:   []Ref{RFC6749("4.1.3"), RFC6749("5.2")},
		Needs:  []Need{PrimaryClient},
		Expect: Expect{Error: invalidGrant},
	}
	CodeTampered = Scenario{
		ID: "code-tampered", Family: FamilyCodeExpiry, Level: MUST,
		Title:  "an issued code with one character changed is rejected",
		Refs:   []Ref{RFC6749("4.1.3"), RFC6749("5.2")},
		Needs:  []Need{PrimaryControl},
		Expect: Expect{Error: invalidGrant},
	}

	RedirectURIOmitted = Scenario{
		ID: "redirect-uri-omitted", Family: FamilyRedirectURI, Level: MUST,
		Title:  "redirect_uri sent to the authorization endpoint but omitted at the token endpoint is rejected",
		Refs:   []Ref{RFC6749("4.1.3"), OIDCCore("3.1.3.2")},
		Needs:  []Need{PrimaryControl},
		Note:   "run by a client with two registered redirect URIs, so the provider cannot infer the value",
		Expect: Expect{Error: invalidGrant, Alternatives: []Alternative{missingParam}},
	}
	RedirectURIMismatch = Scenario{
		ID: "redirect-uri-mismatch", Family: FamilyRedirectURI, Level: MUST,
		Title:  "redirect_uri at the token endpoint must equal the one sent to the authorization endpoint",
		Refs:   []Ref{RFC6749("4.1.3"), RFC9700("2.1")},
		Needs:  []Need{PrimaryControl},
		Expect: Expect{Error: invalidGrant},
		Variants: []Variant{
			{Name: "trailing-slash", Title: "a trailing slash added"},
			{Name: "extra-query", Title: "an extra query parameter"},
			{Name: "other-path", Title: "another path on the same host"},
			{Name: "path-case", Title: "the path in another letter case"},
			{Name: "port", Title: "an explicit other port"},
			{Name: "scheme", Title: "the other scheme"},
			{Name: "percent-encoding", Title: "a path character percent-encoded"},
			{Name: "fragment", Title: "a fragment appended"},
			{Name: "other-registered", Title: "the client's other registered redirect URI"},
		},
	}

	PKCEVerifierMismatch = Scenario{
		ID: "pkce-verifier-mismatch", Family: FamilyPKCE, Level: MUST,
		Title:  "a regenerated code_verifier is rejected",
		Refs:   []Ref{RFC7636("4.6")},
		Needs:  []Need{PrimaryControl},
		Expect: Expect{Error: invalidGrant},
	}
	PKCEVerifierMissing = Scenario{
		ID: "pkce-verifier-missing", Family: FamilyPKCE, Level: MUST,
		Title:  "a code requested with a code_challenge is rejected without code_verifier",
		Refs:   []Ref{RFC7636("4.6"), RFC9700("2.1.1")},
		Needs:  []Need{PrimaryControl},
		Expect: Expect{Error: invalidGrant, Alternatives: []Alternative{missingParam}},
	}
	PKCEDowngrade = Scenario{
		ID: "pkce-downgrade", Family: FamilyPKCE, Level: MUST,
		Title: "a code_verifier for a code requested without code_challenge is rejected",
		Refs:  []Ref{RFC9700("4.8.2")},
		Needs: []Need{PrimaryControl},
		Expect: Expect{Error: invalidGrant, Alternatives: []Alternative{{Error: invalidRequest,
			Why: "RFC 9700 §4.8.2 requires rejecting the request; invalid_request names an unexpected parameter"}}},
	}
	PKCEChallengeAsVerifier = Scenario{
		ID: "pkce-challenge-as-verifier", Family: FamilyPKCE, Level: MUST,
		Title:  "the S256 code_challenge sent as the code_verifier is rejected",
		Refs:   []Ref{RFC7636("4.6")},
		Needs:  []Need{PrimaryControl},
		Expect: Expect{Error: invalidGrant},
	}
	PKCEVerifierMalformed = Scenario{
		ID: "pkce-verifier-malformed", Family: FamilyPKCE, Level: SHOULD,
		Title: "a code_verifier outside RFC 7636's length or character set is rejected",
		Refs:  []Ref{RFC7636("4.1")},
		Needs: []Need{PrimaryControl},
		Note:  "the code_challenge is computed from the malformed verifier, so only the format check can reject it",
		Variants: []Variant{
			{Name: "42-chars", Title: "42 characters (minimum is 43)"},
			{Name: "129-chars", Title: "129 characters (maximum is 128)"},
			{Name: "bad-character", Title: "a character outside [A-Z a-z 0-9 - . _ ~]"},
		},
	}

	ClientSecretWrongBasic = Scenario{
		ID: "client-secret-wrong-basic", Family: FamilyClientAuth, Level: MUST,
		Title:  "a wrong client secret in Authorization: Basic is rejected with invalid_client",
		Refs:   []Ref{RFC6749("5.2")},
		Needs:  []Need{PrimaryControl},
		Expect: Expect{Error: invalidClient},
	}
	InvalidClientChallenge = Scenario{
		ID: "invalid-client-challenge", Family: FamilyClientAuth, Level: MUST,
		Title:  "failed Basic client authentication answers 401 with WWW-Authenticate: Basic",
		Refs:   []Ref{RFC6749("5.2"), RFC7235("3.1")},
		Needs:  []Need{PrimaryControl},
		Expect: Expect{Error: invalidClient, Status: 401},
	}
	ClientSecretWrongPost = Scenario{
		ID: "client-secret-wrong-post", Family: FamilyClientAuth, Level: MUST,
		Title:  "a wrong client_secret in the request body is rejected with invalid_client",
		Refs:   []Ref{RFC6749("5.2")},
		Needs:  []Need{SecondaryControl},
		Expect: Expect{Error: invalidClient},
	}
	ClientUnknown = Scenario{
		ID: "client-unknown", Family: FamilyClientAuth, Level: MUST,
		Title:  "an unknown client_id is rejected with invalid_client",
		Refs:   []Ref{RFC6749("5.2")},
		Needs:  []Need{PrimaryClient},
		Expect: Expect{Error: invalidClient},
	}
	ClientAuthMissing = Scenario{
		ID: "client-auth-missing", Family: FamilyClientAuth, Level: MUST,
		Title: "a confidential client sending only client_id is rejected",
		Refs:  []Ref{RFC6749("3.2.1"), RFC6749("4.1.3")},
		Needs: []Need{PrimaryControl},
		Expect: Expect{Error: invalidClient, Alternatives: []Alternative{{Error: invalidRequest,
			Why: "the client_secret parameter the client must send is missing (RFC 6749 §5.2)"}}},
	}

	GrantTypeUnsupported = Scenario{
		ID: "grant-type-unsupported", Family: FamilyGrantType, Level: MUST,
		Title:  "an unknown grant_type is rejected with unsupported_grant_type",
		Refs:   []Ref{RFC6749("5.2")},
		Needs:  []Need{PrimaryClient},
		Expect: Expect{Error: unsupportedGrantType},
	}
	GrantTypeMissing = Scenario{
		ID: "grant-type-missing", Family: FamilyGrantType, Level: MUST,
		Title:  "a token request without grant_type is rejected with invalid_request",
		Refs:   []Ref{RFC6749("5.2")},
		Needs:  []Need{PrimaryClient},
		Expect: Expect{Error: invalidRequest},
	}
	GrantTypeNotAllowed = Scenario{
		ID: "grant-type-not-allowed", Family: FamilyGrantType, Level: MUST,
		Title: "a grant type the client is not configured for is refused",
		Refs:  []Ref{RFC6749("5.2")},
		Note:  "a variant is skipped when the client's configured grant_types include the grant",
		Expect: Expect{Error: unauthorizedClient, Alternatives: []Alternative{{Error: unsupportedGrantType,
			When: GrantNotAdvertised, Why: "the provider supports this grant for no client"}}},
		Variants: []Variant{
			{Name: "client_credentials", Title: "client_credentials by the primary client", Needs: []Need{PrimaryClient}},
			{Name: "password", Title: "password by the primary client", Needs: []Need{PrimaryClient}},
			{Name: "refresh_token", Title: "refresh_token by the restricted client, with the primary client's refresh token",
				Needs: []Need{PrimaryControl, RestrictedControl},
				Expect: Expect{Error: unauthorizedClient, Alternatives: []Alternative{
					{Error: invalidGrant, Why: "the refresh token was issued to another client (RFC 6749 §5.2)"},
					{Error: unsupportedGrantType, When: GrantNotAdvertised, Why: "the provider supports this grant for no client"}}}},
			{Name: "authorization_code", Title: "authorization_code by the restricted client, with the primary client's code",
				Needs: []Need{PrimaryControl, RestrictedControl},
				Expect: Expect{Error: unauthorizedClient, Alternatives: []Alternative{
					{Error: invalidGrant, Why: "the code was issued to another client (RFC 6749 §5.2)"}}}},
		},
	}

	CrossClientCode = Scenario{
		ID: "cross-client-code", Family: FamilyCrossClient, Level: MUST,
		Title:  "the primary client's code redeemed by the secondary client with its own valid credentials is rejected",
		Refs:   []Ref{RFC6749("4.1.3")},
		Needs:  []Need{PrimaryControl, SecondaryControl},
		Expect: Expect{Error: invalidGrant, Status: 400},
	}
	CrossClientCodePublic = Scenario{
		ID: "cross-client-code-public", Family: FamilyCrossClient, Level: MUST,
		Title: "the primary client's code redeemed by the public client with the right verifier is rejected",
		Refs:  []Ref{RFC6749("4.1.3")},
		Needs: []Need{PrimaryControl, PublicControl},
		Expect: Expect{Error: invalidGrant, Alternatives: []Alternative{{Error: invalidClient,
			Why: "a provider may refuse the public client before it looks at the code"}}},
	}
	CrossClientIDMismatch = Scenario{
		ID: "cross-client-id-mismatch", Family: FamilyCrossClient, Level: SHOULD,
		Title: "a body client_id naming another client than the authenticated one is rejected",
		Refs:  []Ref{RFC6749("3.2.1"), RFC6749("4.1.3")},
		Needs: []Need{PrimaryControl, SecondaryControl},
		Note: "the primary client authenticates with Basic; the body's client_id names the secondary client. RFC 6749 §3.2.1 " +
			"puts no duty on the provider here, so tokens bound to the authenticated client are a warning (the OpenID FAPI " +
			"profiles require rejection); tokens bound to the client the body names break §4.1.3 (FAIL:security). Whose " +
			"tokens they are comes from introspection's client_id, else the id_token's azp/aud",
		Expect: Expect{Error: invalidRequest, Alternatives: []Alternative{
			{Error: invalidClient, Why: "the client's identity is ambiguous, so authentication fails (RFC 6749 §5.2)"},
			{Error: invalidGrant, Why: "the code was not issued to the client the body names (RFC 6749 §4.1.3)"}}},
	}
)

// All is the catalogue in presentation order.
func All() []Scenario {
	return []Scenario{
		BaselineExchange, TokenResponseNoStore,
		CodeReuse, CodeReuseRevokes, CodeReuseConcurrent,
		CodeExpired, CodeUnknown, CodeTampered,
		RedirectURIOmitted, RedirectURIMismatch,
		PKCEVerifierMismatch, PKCEVerifierMissing, PKCEDowngrade, PKCEChallengeAsVerifier, PKCEVerifierMalformed,
		ClientSecretWrongBasic, InvalidClientChallenge, ClientSecretWrongPost, ClientUnknown, ClientAuthMissing,
		GrantTypeUnsupported, GrantTypeMissing, GrantTypeNotAllowed,
		CrossClientCode, CrossClientCodePublic, CrossClientIDMismatch,
	}
}
