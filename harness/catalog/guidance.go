package catalog

import (
	"regexp"
	"strings"
)

// Guidance is what a reader of a finding needs beyond the rule: why it matters (the attack or the
// user-visible failure) and how to fix it (what the provider's code or settings must do).
type Guidance struct {
	Why string `json:"why"`
	Fix string `json:"fix"`
	// Refs, for answer guidance only, are the clauses the answer breaks.
	Refs Refs `json:"refs,omitempty"`
}

// guidance is keyed by scenario ID; a variant shares its scenario's text. A test requires an
// entry for every scenario of All().
var guidance = map[string]Guidance{
	BaselineExchange.ID: {
		Why: "Every other verdict compares against this exchange: if a valid login and redemption fail, no negative result means anything, and real users cannot sign in either.",
		Fix: "Check the client registration (redirect URIs, secret, auth method, PKCE policy) and the login steps in the configuration until a valid code redeems to 200 with access_token and token_type.",
	},
	TokenResponseNoStore.ID: {
		Why: "Without Cache-Control: no-store a proxy, CDN or browser cache may keep the response and hand the tokens to the next caller.",
		Fix: "Send Cache-Control: no-store (and Pragma: no-cache for HTTP/1.0 caches) on every token endpoint response that carries tokens.",
	},
	CodeReuse.ID: {
		Why: "Codes leak through browser history, Referer headers and logs; a code that redeems twice lets whoever found it obtain the user's tokens.",
		Fix: "Mark a code used atomically when it is redeemed and answer every later redemption 400 invalid_grant.",
	},
	CodeReuseRevokes.ID: {
		Why: "A second redemption means the code leaked, so the tokens already issued from it may be in an attacker's hands; keeping them valid leaves the attack running.",
		Fix: "Remember which tokens each code produced; on a second redemption revoke that access token and refresh token (RFC 6749 §4.1.2 SHOULD).",
	},
	CodeReuseConcurrent.ID: {
		Why: "Check-then-delete without a lock lets an attacker racing the legitimate client redeem the same code in parallel and get a second set of tokens.",
		Fix: "Consume the code in one atomic step (a conditional delete, a unique constraint, a row lock) before issuing tokens, so exactly one of concurrent redemptions succeeds.",
	},
	CodeExpired.ID: {
		Why: "A code that never expires stays useful to anyone who finds it in a log or a leaked URL long after the login.",
		Fix: "Store an expiry with each code (RFC 6749 §4.1.2 recommends at most 10 minutes) and answer invalid_grant once it has passed.",
	},
	CodeUnknown.ID: {
		Why: "Anything but invalid_grant for a code the provider never issued sends client developers hunting for the wrong problem, and a success would mean codes are not checked at all.",
		Fix: "Look the code up in the provider's store and answer 400 invalid_grant when it is not there.",
	},
	CodeTampered.ID: {
		Why: "Accepting a code with a changed character means codes are guessable or only partly compared, which lets an attacker forge them.",
		Fix: "Compare the whole code (or verify its full signature) and answer 400 invalid_grant on any difference.",
	},
	RedirectURIOmitted.ID: {
		Why: "The redirect_uri check at the token endpoint is what stops a code stolen through a manipulated redirect from being redeemed; skipping it when the parameter is absent removes that protection.",
		Fix: "When the authorization request carried redirect_uri, require the same value at the token endpoint and answer invalid_grant (or invalid_request) when it is missing.",
	},
	RedirectURIMismatch.ID: {
		Why: "Loose redirect URI comparison (prefix, case-folding, normalising) is how codes are stolen through open redirects and look-alike paths; the token endpoint's check is the last line of defence.",
		Fix: "Compare redirect_uri at the token endpoint with the value sent to the authorization endpoint as an exact string (RFC 9700 §2.1) and answer invalid_grant on any difference.",
	},
	PKCEVerifierMismatch.ID: {
		Why: "PKCE binds a code to the client instance that requested it; ignoring a wrong verifier lets an intercepted code be redeemed by the attacker who intercepted it.",
		Fix: "Compute the challenge from the presented code_verifier with the stored method and answer invalid_grant unless it equals the stored code_challenge.",
	},
	PKCEVerifierMissing.ID: {
		Why: "If a code requested with a challenge redeems without any verifier, an attacker simply leaves the verifier out and PKCE protects nothing.",
		Fix: "When a code has a stored code_challenge, require code_verifier at redemption and answer invalid_grant (or invalid_request) when it is absent.",
	},
	PKCEDowngrade.ID: {
		Why: "Accepting a verifier for a code issued without a challenge lets an attacker who injects a stolen code pass as a PKCE client (the downgrade of RFC 9700 §4.8.2).",
		Fix: "Reject a token request that carries code_verifier when the code was issued without code_challenge.",
	},
	PKCEChallengeAsVerifier.ID: {
		Why: "The challenge travels in the front channel and is visible to an attacker; if it is accepted as the verifier, PKCE adds no protection.",
		Fix: "Always transform the presented verifier with the stored method (S256) before comparing; never compare it with the challenge directly.",
	},
	PKCEVerifierMalformed.ID: {
		Why: "Short or out-of-alphabet verifiers carry less entropy than RFC 7636 requires, and accepting them hides client bugs that weaken PKCE.",
		Fix: "Check that code_verifier is 43 to 128 characters of [A-Z a-z 0-9 - . _ ~] and answer invalid_grant (or invalid_request) otherwise.",
	},
	ClientSecretWrongBasic.ID: {
		Why: "A token endpoint that does not reject a wrong secret lets anyone who learns a code redeem it as the client; a wrong error code makes a rotated secret look like a broken code.",
		Fix: "Verify the secret from Authorization: Basic (after form-urldecoding id and secret, RFC 6749 §2.3.1) and answer invalid_client on mismatch.",
	},
	InvalidClientChallenge.ID: {
		Why: "HTTP clients and libraries decide whether to retry with other credentials from the 401 challenge; without it a failed Basic authentication looks like a generic error.",
		Fix: "When Basic authentication fails, answer 401 with WWW-Authenticate: Basic realm=\"...\": the scheme the client used (RFC 6749 §5.2, RFC 7235 §3.1) and the realm parameter RFC 7617 §2 requires.",
	},
	ClientSecretWrongPost.ID: {
		Why: "A wrong client_secret in the body that is not rejected means client authentication by client_secret_post is not checked at all.",
		Fix: "Verify client_secret from the request body for clients registered for client_secret_post and answer invalid_client on mismatch.",
	},
	ClientUnknown.ID: {
		Why: "An unknown client_id answered with anything but invalid_client hides configuration mistakes (a wrong environment, a deleted client) behind misleading errors.",
		Fix: "Look the client up first and answer invalid_client (400, or 401 with a challenge after Basic) when it does not exist.",
	},
	ClientAuthMissing.ID: {
		Why: "A confidential client that can redeem codes without authenticating is effectively a public client without PKCE: a stolen code is enough.",
		Fix: "Require the registered authentication method for confidential clients and answer invalid_client when no credentials are presented.",
	},
	GrantTypeUnsupported.ID: {
		Why: "Client libraries tell 'this provider does not do that grant' from 'my request is broken' by unsupported_grant_type; another code sends developers chasing the wrong bug.",
		Fix: "Answer unsupported_grant_type for any grant_type the provider does not implement, before parsing the grant's own parameters.",
	},
	GrantTypeMissing.ID: {
		Why: "A token request without grant_type is malformed; treating it as some default grant, or answering another error, makes client bugs hard to find.",
		Fix: "Answer 400 invalid_request when grant_type is absent.",
	},
	GrantTypeNotAllowed.ID: {
		Why: "A client configured for some grants only must not obtain tokens by others (a service account by password, a web app by client_credentials); that is how a platform team limits what a leaked secret can do.",
		Fix: "Check the requested grant against the client's registered grant_types and answer unauthorized_client (unsupported_grant_type when the provider supports the grant for no client).",
	},
	CrossClientCode.ID: {
		Why: "A code issued to one client redeemable by another lets a malicious client registered at the same provider steal logins meant for a trusted one.",
		Fix: "Store the client_id with each code and answer invalid_grant when the authenticated client is not the one the code was issued to.",
	},
	CrossClientCodePublic.ID: {
		Why: "A public client redeeming another client's code turns any intercepted code into tokens, without any secret.",
		Fix: "Bind each code to its client and answer invalid_grant (or invalid_client) when a different client presents it, whatever its verifier.",
	},
	CrossClientIDMismatch.ID: {
		Why: "When the body names one client and the credentials another, a provider that picks either silently may issue tokens to the wrong client or let one client act as another.",
		Fix: "Reject a request whose body client_id differs from the authenticated client (invalid_request or invalid_client); never issue tokens for the named client.",
	},
}

// GuidanceFor returns the why and how of a scenario or of one of its variants ("<scenario>/<variant>").
func GuidanceFor(id string) (Guidance, bool) {
	s, ok := Lookup(id)
	if !ok {
		return Guidance{}, false
	}
	if g, ok := guidance[id]; ok { // a variant with a text of its own
		return g, true
	}
	g, ok := guidance[s.ID]
	return g, ok
}

// answerGuidance is for findings about the form of an error response, which one defect causes
// across many scenarios: keyed by the check a response failed (verdict.Signature.Check).
var answerGuidance = map[string]Guidance{
	"not-json": {
		Why:  "Client libraries parse the error object to tell the user what happened; an HTML or text page makes them fail with a parse error, so users see a generic failure or a login loop and file a support ticket instead of seeing invalid_grant.",
		Fix:  "Render every token endpoint error as application/json with an \"error\" code and optional error_description (RFC 6749 §5.2), including errors raised by frameworks, proxies and error pages in front of the endpoint.",
		Refs: Refs{RFC6749("5.2")},
	},
	"media-type": {
		Why:  "Clients that check Content-Type before parsing reject a JSON body labelled otherwise and report a transport error instead of the OAuth error.",
		Fix:  "Send Content-Type: application/json on every token endpoint error response.",
		Refs: Refs{RFC6749("5.2")},
	},
	"no-error": {
		Why:  "Without an \"error\" string a client cannot tell an expired code from a wrong secret and cannot react (restart the login, fix the configuration).",
		Fix:  "Include \"error\" with one of RFC 6749 §5.2's codes in every error response.",
		Refs: Refs{RFC6749("5.2")},
	},
	"challenge": {
		Why:  "HTTP clients use the 401 challenge to decide how to authenticate; a 401 without WWW-Authenticate breaks that and violates HTTP authentication (RFC 7235 §3.1).",
		Fix:  "When client authentication by the Authorization header fails, answer 401 with a WWW-Authenticate header naming the scheme the client used, for Basic with its required realm: Basic realm=\"...\".",
		Refs: Refs{RFC6749("5.2"), RFC7235("3.1"), RFC7617("2")},
	},
	"charset": {
		Why:  "Characters outside RFC 6749 §5.2's set break clients that parse or display error codes and descriptions, and can inject text into logs.",
		Fix:  "Use only %x20-21 / %x23-5B / %x5D-7E in error and error_description, and in error_uri only URI characters.",
		Refs: Refs{RFC6749("5.2")},
	},
	"tokens-in-error": {
		Why:  "An error response that carries tokens hands out credentials the client believes were refused, where they may be logged or kept.",
		Fix:  "Never put access_token, refresh_token or id_token in an error response.",
		Refs: Refs{RFC6749("5.2")},
	},
	"status": {
		Why:  "Clients and gateways branch on the HTTP status first; a wrong status makes a refused request look like an outage, a success or a redirect.",
		Fix:  "Answer token endpoint errors with 400 (400 or 401 for invalid_client, 401 with WWW-Authenticate after Basic), as RFC 6749 §5.2 requires.",
		Refs: Refs{RFC6749("5.2")},
	},
}

// AnswerGuidance returns the why and how for a defect in the form of error responses, by the
// check that failed; false for checks whose guidance is the scenario's own.
func AnswerGuidance(check string) (Guidance, bool) {
	g, ok := answerGuidance[check]
	return g, ok
}

// plainErrorCode is the shape of every registered OAuth error code: words of lower-case letters
// joined by underscores. Anything else the provider sends is not repeated in guidance.
var plainErrorCode = regexp.MustCompile(`^[a-z][a-z0-9_]{0,63}$`)

// WrongCodeGuidance is the why and how for requests the provider refuses, as it should, but with
// another error code than the rule requires: the fix is the code, not the check (a redirect_uri
// mismatch refused with invalid_request needs "answer invalid_grant", not "compare exactly").
func WrongCodeGuidance(observed string, due []string) Guidance {
	switch {
	case observed == "":
		observed = "no error code"
	case !plainErrorCode.MatchString(observed):
		// The why and fix are our text, which writers show as is: the provider's own bytes stay in
		// the quoted evidence, escaped for each medium there.
		observed = "the code it sends"
	}
	return Guidance{
		Why: "The provider refuses these requests, so the check itself works; but clients, libraries and support " +
			"staff tell one failure from another by the error code, and " + observed + " sends the developer after " +
			"another cause than the one that happened.",
		Fix: "Keep the check and answer " + strings.Join(due, " or ") + " instead of " + observed +
			" for these requests (RFC 6749 §5.2 defines when each code applies).",
	}
}
