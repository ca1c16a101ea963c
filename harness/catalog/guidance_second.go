package catalog

// Guidance for the second edition's families (refresh tokens, request format, client
// authentication, redirect_uri, ID token, authorization endpoint); merged into guidance by init so
// each family's text stays beside its peers.
var guidanceSecond = map[string]Guidance{
	CrossClientRefresh.ID: {
		Why: "A refresh token is a long-lived credential; if another client can redeem it, one leaked token lets any registered app mint access tokens for the user.",
		Fix: "Store the client a refresh token was issued to and answer invalid_grant when an authenticated client presents another client's token (RFC 6749 §6, §10.4).",
	},
	RefreshInvalid.ID: {
		Why: "A refresh token accepted with a changed character means tokens are only partly compared or guessable; an attacker can forge long-lived credentials.",
		Fix: "Look the whole refresh token up (or verify its full signature) and answer 400 invalid_grant on any difference.",
	},
	RefreshWithoutAuth.ID: {
		Why: "Refresh tokens of confidential clients are bound to the client's credentials; refreshing without them turns a leaked refresh token into standing access.",
		Fix: "Require the confidential client's registered authentication on every refresh_token request and answer invalid_client when it is missing (RFC 6749 §6).",
	},
	RefreshScopeEscalation.ID: {
		Why: "A refresh that grants scopes the user never consented to escalates a limited app into a broader one without the user seeing a consent screen.",
		Fix: "Never grant a refresh more than the original scope: answer invalid_scope, or issue tokens for the original scope only and name the granted scope in the response's scope (RFC 6749 §3.3, §5.1, §6).",
	},
	RefreshRotatedReuse.ID: {
		Why: "With rotation, a replayed old refresh token is the sign that a token was stolen; without reuse detection attacker and user both keep refreshing and nobody notices.",
		Fix: "Declare the policy in provider.refresh_rotation and implement it: rotate on every refresh and, on reuse of a rotated-out token, revoke the whole token family including the current token (RFC 9700 §4.14.2).",
	},
	RequestGET.ID: {
		Why: "Token requests by GET put codes and secrets into URLs, which end up in server logs, proxies and browser history.",
		Fix: "Accept token requests only as POST with an application/x-www-form-urlencoded body (RFC 6749 §3.2); refuse GET with a 4xx and issue nothing.",
	},
	RequestDuplicateParam.ID: {
		Why: "When a repeated parameter silently takes the first or last value, a front end and the back end may disagree about which code or redirect URI was checked: the classic parameter-pollution bypass.",
		Fix: "Reject any token request in which a parameter appears more than once with 400 invalid_request (RFC 6749 §3.2).",
	},
	RequestMissingCode.ID: {
		Why: "Answering a missing code with invalid_grant tells the developer their code is bad when their request is incomplete, and hides client bugs behind the wrong error.",
		Fix: "Check required parameters first and answer 400 invalid_request when code is absent (RFC 6749 §5.2).",
	},
	RequestJSONBody.ID: {
		Why: "A token endpoint that also parses JSON bodies runs a second, less tested parser whose checks can differ from the form parser's.",
		Fix: "Accept only application/x-www-form-urlencoded bodies at the token endpoint (RFC 6749 §3.2) and refuse other media types without issuing tokens.",
	},
	RequestEmptyParam.ID: {
		Why: "If an empty code_verifier= skips PKCE instead of failing it, an attacker with an intercepted code sends an empty verifier and PKCE protects nothing.",
		Fix: "Treat a parameter sent without a value as omitted (RFC 6749 §3.1) and so reject the redemption of a code requested with a challenge.",
	},
	ClientAuthMethodUnregistered.ID: {
		Why: "A client registered for Basic whose secret is also taken in the body (or vice versa) widens where secrets may appear, and defeats a registration meant to pin the method.",
		Fix: "Authenticate each client only by its registered token_endpoint_auth_method and answer invalid_client for any other method.",
	},
	ClientAuthMultiple.ID: {
		Why: "Two credentials in one request invite a check of one and a use of the other; the RFC forbids it so the provider never has to guess.",
		Fix: "Answer 400 invalid_request when a request carries more than one client authentication method (RFC 6749 §2.3).",
	},
	ClientUnknownPost.ID: {
		Why: "An unknown client that gets anything but invalid_client sends developers hunting in the wrong place; one that gets tokens means clients are not checked at all.",
		Fix: "Look client_id up before anything else and answer invalid_client (400 or 401) when it is not registered.",
	},
	ClientAuthMalformedBasic.ID: {
		Why: "A 5xx for a malformed Authorization header is a crash an attacker can trigger at will, and it hides the real problem from client developers.",
		Fix: "Decode the Basic credentials defensively and answer 400 invalid_request or 401 invalid_client when they are not valid Base64 of id:secret.",
	},
	ClientAuthBeforeCode.ID: {
		Why: "Checking the code before the client turns the token endpoint into an oracle: anyone can learn whether a stolen code is still live without knowing the secret.",
		Fix: "Authenticate the client first (RFC 6749 §3.2.1, §4.1.3) and answer invalid_client before looking at the code.",
	},
	RedirectURIOmittedSingle.ID: {
		Why: "RFC 6749 requires the redirect_uri to be repeated whenever it was sent; inferring it from a single registration works today but silently breaks when a second URI is registered.",
		Fix: "Require redirect_uri at the token endpoint whenever the authorization request carried it, also for clients with one registered URI.",
	},
	IDTokenValid.ID: {
		Why: "Clients that validate the ID token as OpenID Connect Core requires will reject a token with a wrong issuer, audience, nonce or signature: users see a login loop.",
		Fix: "Sign ID tokens with a key published in jwks_uri and set iss, aud (with azp when there are several audiences), exp, iat, the request's nonce and a correct at_hash (OIDC Core §3.1.3.7).",
	},
	AuthzUnregisteredRedirect.ID: {
		Why: "Redirecting to an unregistered redirect_uri hands the code (or an error with state) to whatever host the attacker wrote into the link: the open-redirector code theft.",
		Fix: "Compare redirect_uri with the registered URIs exactly before anything else and show an error page, redirecting nowhere, when it does not match (RFC 6749 §3.1.2.3, §4.1.2.1).",
	},
	AuthzGrantNotAllowed.ID: {
		Why: "A client registered without the code grant that still gets codes can run user logins it was never approved for.",
		Fix: "Check the client's registered grant types at the authorization endpoint and redirect error=unauthorized_client (RFC 6749 §4.1.2.1).",
	},
	AuthzPKCERequired.ID: {
		Why: "A public client configured to require PKCE that is given codes without a challenge is open to code interception, which PKCE exists to stop.",
		Fix: "Enforce the client's PKCE requirement at the authorization endpoint: without code_challenge redirect error=invalid_request (RFC 9700 §2.1.1).",
	},
	AuthzPKCEPlainUnsupported.ID: {
		Why: "The plain method sends the verifier itself as the challenge, so anyone who sees the authorization request can redeem the code; discovery promised S256 only.",
		Fix: "Accept only the methods code_challenge_methods_supported lists and answer error=invalid_request for plain (RFC 7636 §4.4.1).",
	},
	AuthzIssParameter.ID: {
		Why: "The iss parameter is how a client using several providers detects a mix-up attack; a provider that advertises it and omits it leaves that defence off.",
		Fix: "Add iss equal to the issuer to every authorization response (success and error) when discovery says authorization_response_iss_parameter_supported (RFC 9207 §2).",
	},
	AuthzParamsOnce.ID: {
		Why: "Clients differ in which of two values they read: a parameter a proxy or an injected query can repeat (iss above all) makes the client decide on a value the provider did not mean.",
		Fix: "Build the redirect's query from one value per parameter, replacing any the redirect_uri already carries under the same name (RFC 6749 §3.1, §3.1.2).",
	},
}

func init() {
	for id, g := range guidanceSecond {
		guidance[id] = g
	}
}
