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
		Check:  CheckCodeSingleUse.ID,
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
		Check:  CheckCodeSingleUse.ID,
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
			{Name: "fragment", Title: "a fragment appended",
				Expect: Expect{Error: invalidGrant, Alternatives: []Alternative{{Error: invalidRequest,
					Why: "a redirect URI with a fragment is malformed: RFC 6749 §3.1.2 says it MUST NOT include one, so the request is invalid (§5.2)"}}}},
			{Name: "other-registered", Title: "the client's other registered redirect URI"},
			{Name: "host-case", Title: "the host in another letter case"},
		},
	}

	PKCEVerifierMismatch = Scenario{
		ID: "pkce-verifier-mismatch", Family: FamilyPKCE, Level: MUST,
		Check:  CheckPKCEVerifier.ID,
		Title:  "a regenerated code_verifier is rejected",
		Refs:   []Ref{RFC7636("4.6")},
		Needs:  []Need{PrimaryControl},
		Expect: Expect{Error: invalidGrant},
	}
	PKCEVerifierMissing = Scenario{
		ID: "pkce-verifier-missing", Family: FamilyPKCE, Level: MUST,
		Check:  CheckPKCEVerifier.ID,
		Title:  "a code requested with a code_challenge is rejected without code_verifier",
		Refs:   []Ref{RFC7636("4.6"), RFC9700("2.1.1")},
		Needs:  []Need{PrimaryControl},
		Expect: Expect{Error: invalidGrant, Alternatives: []Alternative{missingParam}},
	}
	PKCEDowngrade = Scenario{
		ID: "pkce-downgrade", Family: FamilyPKCE, Level: MUST,
		Check: CheckPKCEVerifier.ID,
		Title: "a code_verifier for a code requested without code_challenge is rejected",
		Refs:  []Ref{RFC9700("4.8.2")},
		Needs: []Need{PrimaryControl},
		Expect: Expect{Error: invalidGrant, Alternatives: []Alternative{{Error: invalidRequest,
			Why: "RFC 9700 §4.8.2 requires rejecting the request; invalid_request names an unexpected parameter"}}},
	}
	PKCEChallengeAsVerifier = Scenario{
		ID: "pkce-challenge-as-verifier", Family: FamilyPKCE, Level: MUST,
		Check:  CheckPKCEVerifier.ID,
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
		Check:  CheckClientSecret.ID,
		Title:  "a wrong client secret in Authorization: Basic is rejected with invalid_client",
		Refs:   []Ref{RFC6749("5.2")},
		Needs:  []Need{PrimaryControl},
		Expect: Expect{Error: invalidClient},
	}
	InvalidClientChallenge = Scenario{
		ID: "invalid-client-challenge", Family: FamilyClientAuth, Level: MUST,
		Check:  CheckClientSecret.ID,
		Title:  "failed Basic client authentication answers 401 with a WWW-Authenticate Basic challenge carrying realm",
		Refs:   []Ref{RFC6749("5.2"), RFC7235("3.1"), RFC7617("2")},
		Note:   "RFC 6749 §5.2 requires the challenge of the scheme the client used; RFC 7617 §2 makes realm REQUIRED in a Basic challenge",
		Needs:  []Need{PrimaryControl},
		Expect: Expect{Error: invalidClient, Status: 401},
	}
	ClientSecretWrongPost = Scenario{
		ID: "client-secret-wrong-post", Family: FamilyClientAuth, Level: MUST,
		Check:  CheckClientSecret.ID,
		Title:  "a wrong client_secret in the request body is rejected with invalid_client",
		Refs:   []Ref{RFC6749("5.2")},
		Needs:  []Need{SecondaryControl},
		Expect: Expect{Error: invalidClient},
	}
	ClientUnknown = Scenario{
		ID: "client-unknown", Family: FamilyClientAuth, Level: MUST,
		Title:  "an unknown client_id redeeming an issued code is rejected with invalid_client",
		Refs:   []Ref{RFC6749("5.2")},
		Needs:  []Need{PrimaryControl},
		Note:   "the code is a real one, so only the client is wrong; a never-issued code is client-auth-before-code's case",
		Expect: Expect{Error: invalidClient},
	}
	ClientAuthMissing = Scenario{
		ID: "client-auth-missing", Family: FamilyClientAuth, Level: MUST,
		Check: CheckClientAuthRequired.ID,
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
		Check:  CheckCodeClient.ID,
		Title:  "the primary client's code redeemed by the secondary client with its own valid credentials is rejected",
		Refs:   []Ref{RFC6749("4.1.3")},
		Needs:  []Need{PrimaryControl, SecondaryControl},
		Expect: Expect{Error: invalidGrant, Status: 400},
	}
	CrossClientCodePublic = Scenario{
		ID: "cross-client-code-public", Family: FamilyCrossClient, Level: MUST,
		Check: CheckCodeClient.ID,
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
			"profiles require rejection); a token bound to the client the body names breaks §4.1.3 (FAIL:security). Each " +
			"token is judged and reported on its own: the access and refresh tokens by introspection's client_id, the " +
			"id_token by its azp, else its aud",
		Expect: Expect{Error: invalidRequest, Alternatives: []Alternative{
			{Error: invalidClient, Why: "the client's identity is ambiguous, so authentication fails (RFC 6749 §5.2)"},
			{Error: invalidGrant, Why: "the code was not issued to the client the body names (RFC 6749 §4.1.3)"}}},
	}
)

// All is the catalogue in presentation order.
func All() []Scenario {
	return append([]Scenario{
		BaselineExchange, TokenResponseNoStore,
		CodeReuse, CodeReuseRevokes, CodeReuseConcurrent,
		CodeExpired, CodeUnknown, CodeTampered,
		RedirectURIOmitted, RedirectURIOmittedSingle, RedirectURIMismatch,
		PKCEVerifierMismatch, PKCEVerifierMissing, PKCEDowngrade, PKCEChallengeAsVerifier, PKCEVerifierMalformed,
		ClientSecretWrongBasic, InvalidClientChallenge, ClientSecretWrongPost, ClientUnknown, ClientAuthMissing,
		ClientAuthMethodUnregistered, ClientAuthMultiple, ClientUnknownPost, ClientAuthMalformedBasic, ClientAuthBeforeCode,
		GrantTypeUnsupported, GrantTypeMissing, GrantTypeNotAllowed,
		CrossClientCode, CrossClientCodePublic, CrossClientIDMismatch,
	}, append(append(secondEdition(), authzFamily()...), assertionFamily()...)...)
}

// Second edition (issue 7): refresh tokens, request format, more client authentication and
// redirect_uri cases, and the ID token.
const (
	FamilyRefresh       = "refresh"
	FamilyRequestFormat = "request-format"
	FamilyIDToken       = "id-token"
)

const (
	invalidScope            = "invalid_scope"
	unsupportedResponseType = "unsupported_response_type"
)

var (
	CrossClientRefresh = Scenario{
		ID: "cross-client-refresh", Family: FamilyRefresh, Level: MUST,
		Title:  "the primary client's refresh token used by the secondary client with its own valid credentials is rejected",
		Refs:   []Ref{RFC6749("6"), RFC6749("10.4")},
		Needs:  []Need{PrimaryControl, SecondaryControl},
		Note:   "skipped when the provider issues no refresh token to the primary client",
		Expect: Expect{Error: invalidGrant},
	}
	RefreshInvalid = Scenario{
		ID: "refresh-invalid", Family: FamilyRefresh, Level: MUST,
		Title:  "an issued refresh token with one character changed is rejected",
		Refs:   []Ref{RFC6749("6"), RFC6749("5.2")},
		Needs:  []Need{PrimaryControl},
		Expect: Expect{Error: invalidGrant},
	}
	RefreshWithoutAuth = Scenario{
		ID: "refresh-without-auth", Family: FamilyRefresh, Level: MUST,
		Check: CheckClientAuthRequired.ID,
		Title: "a confidential client's refresh request without client authentication is rejected",
		Refs:  []Ref{RFC6749("6"), RFC6749("3.2.1")},
		Needs: []Need{PrimaryControl},
		Note:  "the request names the client by client_id only",
		Expect: Expect{Error: invalidClient, Alternatives: []Alternative{{Error: invalidRequest,
			Why: "the client_secret parameter the client must send is missing (RFC 6749 §5.2)"}}},
	}
	RefreshScopeEscalation = Scenario{
		ID: "refresh-scope-escalation", Family: FamilyRefresh, Level: MUST,
		Title: "a refresh request for a scope not originally granted gets no more than the original scope",
		Refs:  []Ref{RFC6749("6"), RFC6749("3.3"), RFC6749("5.1"), RFC6749("5.2")},
		Needs: []Need{PrimaryControl},
		Note: "the added scope is one the provider lists in scopes_supported but the original request did not ask for. " +
			"A refusal must be invalid_scope; tokens pass when the granted scope holds nothing beyond the original " +
			"(RFC 6749 §3.3 lets the provider ignore requested scope), read from introspection, else the access token's " +
			"scope claim, else the response's scope. The new scope granted is FAIL:security; a response that omits scope " +
			"while the granted scope differs from the request is FAIL:format (§5.1 requires it then; without other " +
			"evidence an omitted scope means the scope requested)",
		Expect: Expect{Error: invalidScope},
	}
	RefreshRotatedReuse = Scenario{
		ID: "refresh-rotated-reuse", Family: FamilyRefresh, Level: SHOULD,
		Title: "a refresh token behaves as the declared rotation policy says (provider.refresh_rotation)",
		Refs:  []Ref{RFC9700("4.14.2"), RFC6749("6")},
		Needs: []Need{PrimaryControl},
		Note: "run by the public client when configured, else the primary client. none: the old token keeps working; " +
			"rotate: a new token is issued and the old one is refused after provider.refresh_reuse_grace; " +
			"rotate-detect-reuse: the same, and the reuse also revokes the current token. Skipped, with what was " +
			"observed, when provider.refresh_rotation is not set",
		Expect: Expect{Error: invalidGrant},
	}

	RequestGET = Scenario{
		ID: "request-get", Family: FamilyRequestFormat, Level: MUST,
		Title: "a token request sent by GET is refused without tokens",
		Refs:  []Ref{RFC6749("3.2")},
		Needs: []Need{PrimaryControl},
		Note: "any 4xx; an answer of 400 or 401 must be an RFC 6749 §5.2 error response, other 4xx (405) are HTTP-level " +
			"refusals; tokens are FAIL:security",
		Expect: Expect{HTTPRefusal: true},
	}
	RequestDuplicateParam = Scenario{
		ID: "request-duplicate-param", Family: FamilyRequestFormat, Level: MUST,
		Title:  "a token request with a parameter sent twice is rejected with invalid_request",
		Refs:   []Ref{RFC6749("3.2"), RFC6749("5.2")},
		Needs:  []Need{PrimaryControl},
		Note:   "the parameter is repeated with the same valid value, so only the repetition is wrong",
		Expect: Expect{Error: invalidRequest},
		Variants: []Variant{
			{Name: "code", Title: "code sent twice"},
			{Name: "grant_type", Title: "grant_type sent twice"},
			{Name: "redirect_uri", Title: "redirect_uri sent twice"},
		},
	}
	RequestMissingCode = Scenario{
		ID: "request-missing-code", Family: FamilyRequestFormat, Level: MUST,
		Title:  "an authorization_code request without code is rejected with invalid_request",
		Refs:   []Ref{RFC6749("4.1.3"), RFC6749("5.2")},
		Needs:  []Need{PrimaryClient},
		Expect: Expect{Error: invalidRequest},
	}
	RequestJSONBody = Scenario{
		ID: "request-json-body", Family: FamilyRequestFormat, Level: MUST,
		Title: "a token request with a JSON body instead of a form is refused without tokens",
		Refs:  []Ref{RFC6749("3.2"), RFC6749("4.1.3")},
		Needs: []Need{PrimaryControl},
		Note: "any 4xx (415 included); an answer of 400 or 401 must be an RFC 6749 §5.2 error response; " +
			"tokens are FAIL:security",
		Expect: Expect{HTTPRefusal: true},
	}
	RequestEmptyParam = Scenario{
		ID: "request-empty-param", Family: FamilyRequestFormat, Level: MUST,
		Check:  CheckPKCEVerifier.ID,
		Title:  "an empty code_verifier= for a code requested with a challenge is treated as omitted and rejected",
		Refs:   []Ref{RFC6749("3.1"), RFC7636("4.6")},
		Needs:  []Need{PrimaryControl},
		Expect: Expect{Error: invalidGrant, Alternatives: []Alternative{missingParam}},
	}

	ClientAuthMethodUnregistered = Scenario{
		ID: "client-auth-method-unregistered", Family: FamilyClientAuth, Level: SHOULD,
		Title:  "the client's correct secret sent by a method it is not registered for is rejected with invalid_client",
		Refs:   []Ref{OIDCRegistration("2"), RFC6749("2.3")},
		Needs:  []Need{PrimaryControl},
		Note:   "client_secret_basic clients send the secret in the body, client_secret_post clients by Basic",
		Expect: Expect{Error: invalidClient},
	}
	ClientAuthMultiple = Scenario{
		ID: "client-auth-multiple", Family: FamilyClientAuth, Level: MUST,
		Title:  "Basic credentials and client_secret in the body together are rejected with invalid_request",
		Refs:   []Ref{RFC6749("2.3"), RFC6749("5.2")},
		Needs:  []Need{PrimaryControl},
		Note:   "both carry the client's correct secret; §5.2 names invalid_request for more than one authentication mechanism",
		Expect: Expect{Error: invalidRequest},
	}
	ClientUnknownPost = Scenario{
		ID: "client-unknown-post", Family: FamilyClientAuth, Level: MUST,
		Title:  "an unknown client_id with a client_secret in the body is rejected with invalid_client",
		Refs:   []Ref{RFC6749("2.3.1"), RFC6749("5.2")},
		Needs:  []Need{PrimaryControl},
		Expect: Expect{Error: invalidClient},
	}
	ClientAuthMalformedBasic = Scenario{
		ID: "client-auth-malformed-basic", Family: FamilyClientAuth, Level: MUST,
		Title: "an Authorization: Basic header that is not Base64 is refused with 400 or 401, never a server error",
		Refs:  []Ref{RFC6749("2.3.1"), RFC6749("5.2")},
		Needs: []Need{PrimaryControl},
		Note:  "the header is Basic %%%",
		Expect: Expect{Error: invalidClient, Alternatives: []Alternative{{Error: invalidRequest,
			Why: "a malformed Authorization header is a malformed request (RFC 6749 §5.2)"}}},
	}
	ClientAuthBeforeCode = Scenario{
		ID: "client-auth-before-code", Family: FamilyClientAuth, Level: SHOULD,
		Title:  "a never-issued code with a wrong client secret is rejected with invalid_client, not invalid_grant",
		Refs:   []Ref{RFC6749("3.2.1"), RFC6749("4.1.3")},
		Needs:  []Need{PrimaryClient},
		Note:   "authenticating after the code lookup lets a caller without the secret learn which codes are live",
		Expect: Expect{Error: invalidClient},
	}

	RedirectURIOmittedSingle = Scenario{
		ID: "redirect-uri-omitted-single", Family: FamilyRedirectURI, Level: SHOULD,
		Title: "redirect_uri sent to the authorization endpoint but omitted at the token endpoint is rejected, for a client with one registered URI",
		Refs:  []Ref{RFC6749("4.1.3"), OIDCCore("3.1.3.2")},
		Needs: []Need{SecondaryControl},
		Note: "RFC 6749 §4.1.3 requires redirect_uri when it was sent; OpenID Connect Core §3.1.3.2 lets a provider " +
			"proceed when the client has one registered URI, so acceptance is a warning",
		Expect: Expect{Error: invalidGrant, Alternatives: []Alternative{missingParam}},
	}

	IDTokenValid = Scenario{
		ID: "id-token-valid", Family: FamilyIDToken, Level: MUST,
		Title:  "the ID token of a valid code exchange passes the client's validation",
		Refs:   []Ref{OIDCCore("3.1.3.7"), OIDCCore("3.1.3.6")},
		Needs:  []Need{PrimaryControl},
		Passes: "the ID token passes every OpenID Connect Core §3.1.3.7 check the client makes",
		Note: "signature by a key of jwks_uri, iss, aud contains the client, azp with several audiences, exp and iat, " +
			"nonce equal to the one sent, at_hash when present; each failed check is named",
	}
)

// secondEdition are the families added after the first edition, appended to All in catalogue order;
// the additions to older families are listed with their family in All.
func secondEdition() []Scenario {
	return []Scenario{
		CrossClientRefresh, RefreshInvalid, RefreshWithoutAuth, RefreshScopeEscalation, RefreshRotatedReuse,
		RequestGET, RequestDuplicateParam, RequestMissingCode, RequestJSONBody, RequestEmptyParam,
		IDTokenValid,
	}
}

// The authorization endpoint family: login drivers report where a flow ended, and these scenarios
// judge that ending.
const FamilyAuthz = "authorization-endpoint"

var (
	AuthzUnregisteredRedirect = Scenario{
		ID: "authz-unregistered-redirect", Family: FamilyAuthz, Level: MUST,
		Title:  "an authorization request with an unregistered redirect_uri redirects neither to it nor to a registered URI",
		Refs:   []Ref{RFC6749("3.1.2.3"), RFC6749("4.1.2.1")},
		Needs:  []Need{PrimaryClient},
		Passes: "the flow ends on the provider (an error page informing the resource owner), redirecting neither to the unregistered URI nor to a registered one",
		Note:   "a code, or an error redirect to the unregistered URI, is FAIL:security; an error redirect to a registered URI is FAIL:error-code",
		Variants: []Variant{
			{Name: "other-path", Title: "another path on the registered host"},
			{Name: "other-host", Title: "another host"},
			{Name: "other-scheme", Title: "the other scheme"},
		},
	}
	AuthzGrantNotAllowed = Scenario{
		ID: "authz-grant-not-allowed", Family: FamilyAuthz, Level: MUST,
		Title: "a client not allowed the authorization_code grant gets no code",
		Refs:  []Ref{RFC6749("4.1.2.1")},
		Needs: []Need{RestrictedClient},
		Note:  "sent to the restricted client's registered redirect URI, so the refusal is about the grant; an error page also passes",
		Expect: Expect{Error: unauthorizedClient, Alternatives: []Alternative{{Error: unsupportedResponseType,
			Why: "the client may not use response_type code (RFC 6749 §4.1.2.1)"}}},
	}
	AuthzPKCERequired = Scenario{
		ID: "authz-pkce-required", Family: FamilyAuthz, Level: MUST,
		Title:  "a client registered to require PKCE gets no code without code_challenge",
		Refs:   []Ref{RFC9700("2.1.1"), RFC7636("4.4.1")},
		Needs:  []Need{PublicClient},
		Note:   "MUST when configured: skipped unless clients.public.pkce is required; an error page also passes",
		Expect: Expect{Error: invalidRequest},
	}
	AuthzPKCEPlainUnsupported = Scenario{
		ID: "authz-pkce-plain-unsupported", Family: FamilyAuthz, Level: MUST,
		Title:  "code_challenge_method=plain is refused when discovery lists only S256",
		Refs:   []Ref{RFC7636("4.4.1"), RFC9700("2.1.1")},
		Needs:  []Need{PrimaryClient},
		Note:   "skipped when code_challenge_methods_supported lists plain or is absent; an error page also passes",
		Expect: Expect{Error: invalidRequest},
	}
	AuthzIssParameter = Scenario{
		ID: "authz-iss-parameter", Family: FamilyAuthz, Level: MUST,
		Title:  "the authorization response carries iss equal to the issuer when discovery says it does",
		Refs:   []Ref{RFC9207("2"), RFC9207("3")},
		Needs:  []Need{PrimaryControl},
		Passes: "the redirect carrying the code has iss, equal to the discovery document's issuer",
		Note:   "skipped unless discovery has authorization_response_iss_parameter_supported: true; iss repeated is FAIL:security",
	}
	AuthzParamsOnce = Scenario{
		ID: "authz-params-once", Family: FamilyAuthz, Level: MUST,
		Title:  "the authorization response carries each parameter once",
		Refs:   []Ref{RFC6749("3.1"), RFC9207("2.4")},
		Needs:  []Need{PrimaryControl},
		Passes: "no parameter of the redirect carrying the code appears twice",
		Note:   "judges the primary control's redirect (the refusal scenarios judge their error redirects alike); a repeated iss is FAIL:security, another parameter FAIL:format; a repeated code, state or error stops the control (no code is taken)",
	}
)

func authzFamily() []Scenario {
	return []Scenario{AuthzUnregisteredRedirect, AuthzGrantNotAllowed, AuthzPKCERequired, AuthzPKCEPlainUnsupported, AuthzIssParameter, AuthzParamsOnce}
}
