package catalog

import "slices"

// The audit family: what one listed client's registration implies, checked for every client of
// audit.clients (grantcheck audit). Each check is an existing rule run for that client, so the
// suite's scenarios and the audit share their logic; the IDs differ because the audit judges the
// configured registration of many clients, the catalogue the provider's rules with four roles.
const FamilyAudit = "audit"

// AuditedControl: the audited client's own control succeeded (a valid login and redemption, or
// the client_credentials grant of a client without the code grant). Every audit check needs it:
// when it fails, that client's checks are ERROR and the other clients are unaffected.
const AuditedControl Need = "audited-control"

func RFC8252(section string) Ref { return Ref{"RFC 8252", section} }

// nearRedirectVariants are the near variants of a registered redirect URI that both endpoints'
// redirect checks try.
var nearRedirectVariants = []Variant{
	{Name: "localhost", Title: "localhost for 127.0.0.1 (or the reverse)"},
	{Name: "scheme", Title: "http for https (or the reverse)"},
	{Name: "trailing-slash", Title: "a trailing slash added"},
	{Name: "other-path", Title: "another path on the same host"},
}

var (
	AuditControl = Scenario{
		ID: "audit-control", Family: FamilyAudit, Level: MUST,
		Title: "the client's valid login and code exchange succeeds (a client without the code grant: the client_credentials grant it declares)",
		Refs:  []Ref{RFC6749("5.1"), RFC6749("4.4.3")},
		Note:  "the control every other check of the client needs; when it fails they are ERROR with its reason",
	}
	AuditAuthzRedirect = Scenario{
		ID: "audit-authz-redirect", Family: FamilyAudit, Level: MUST,
		Title:  "a near variant of the client's registered redirect URI gets no redirect at the authorization endpoint",
		Refs:   []Ref{RFC6749("3.1.2.3"), RFC6749("4.1.2.1"), RFC9700("2.1")},
		Needs:  []Need{AuditedControl},
		Passes: "an error page, redirecting nowhere",
		Note: "what a console edit typically adds; a code or a redirect to the variant is FAIL:security (the variant is " +
			"registered, or compared loosely). Loopback redirect URIs may take any port (RFC 8252 §7.3): the port " +
			"variant does not apply to them",
		Variants: slices.Concat(nearRedirectVariants, []Variant{
			{Name: "port", Title: "another port (not for loopback URIs)"},
			{Name: "other-host", Title: "another host (a URI unlike any registered one)"},
		}),
	}
	AuditTokenRedirect = Scenario{
		ID: "audit-token-redirect", Family: FamilyAudit, Level: MUST,
		Title:  "a code redeemed with another registered redirect URI or a near variant of the one sent is rejected",
		Refs:   []Ref{RFC6749("4.1.3"), RFC9700("2.1")},
		Needs:  []Need{AuditedControl},
		Expect: Expect{Error: invalidGrant},
		Variants: slices.Concat([]Variant{
			{Name: "other-registered", Title: "the client's other registered redirect URI"},
		}, nearRedirectVariants),
	}
	AuditPKCERequired = Scenario{
		ID: "audit-pkce-required", Family: FamilyAudit, Level: MUST,
		Title:  "a client declared pkce: required gets no code without code_challenge",
		Refs:   []Ref{RFC9700("2.1.1"), RFC7636("4.4.1")},
		Needs:  []Need{AuditedControl},
		Note:   "does not apply unless the client declares pkce: required; an error page also passes",
		Expect: Expect{Error: invalidRequest},
	}
	AuditGrantUndeclared = Scenario{
		ID: "audit-grant-undeclared", Family: FamilyAudit, Level: MUST,
		Title: "a grant the client does not declare is refused",
		Refs:  []Ref{RFC6749("5.2"), RFC6749("4.1.2.1")},
		Needs: []Need{AuditedControl},
		Note:  "a variant does not apply when the client declares its grant; authorization_code is asked at the authorization endpoint",
		Expect: Expect{Error: unauthorizedClient, Alternatives: []Alternative{{Error: unsupportedGrantType,
			When: GrantNotAdvertised, Why: "the provider supports this grant for no client"}}},
		Variants: []Variant{
			{Name: "client_credentials", Title: "client_credentials"},
			{Name: "password", Title: "password"},
			{Name: "refresh_token", Title: "refresh_token, with a refresh token the provider issued to the client"},
			{Name: "authorization_code", Title: "authorization_code (a code asked for at a registered redirect URI)",
				Expect: Expect{Error: unauthorizedClient, Alternatives: []Alternative{{Error: unsupportedResponseType,
					Why: "the client may not use response_type code (RFC 6749 §4.1.2.1)"}}}},
		},
	}
	AuditWrongSecret = Scenario{
		ID: "audit-wrong-secret", Family: FamilyAudit, Level: MUST,
		Title:  "the client's request with a wrong secret, by its declared auth method, is rejected with invalid_client",
		Refs:   []Ref{RFC6749("5.2"), RFC6749("2.3.1")},
		Needs:  []Need{AuditedControl},
		Note:   "does not apply to a public client (auth_method none)",
		Expect: Expect{Error: invalidClient},
	}
	AuditAuthMethodUndeclared = Scenario{
		ID: "audit-auth-method-undeclared", Family: FamilyAudit, Level: SHOULD,
		Title:  "the client's correct secret sent by an auth method it does not declare is rejected with invalid_client",
		Refs:   []Ref{OIDCRegistration("2"), RFC6749("2.3")},
		Needs:  []Need{AuditedControl},
		Note:   "client_secret_basic clients send the secret in the body, client_secret_post clients by Basic",
		Expect: Expect{Error: invalidClient},
	}
	AuditScopeUndeclared = Scenario{
		ID: "audit-scope-undeclared", Family: FamilyAudit, Level: MUST,
		Title: "a scope the client does not declare is refused, or left out of the granted scope",
		Refs:  []Ref{RFC6749("3.3"), RFC6749("5.1")},
		Needs: []Need{AuditedControl},
		Note: "does not apply unless the client declares scope; the extra scope is one discovery lists in scopes_supported. " +
			"Tokens pass when the granted scope (the response's scope; omitted means the scope requested, RFC 6749 §5.1) " +
			"leaves it out",
		Expect: Expect{Error: invalidScope},
	}
	AuditCrossClientCode = Scenario{
		ID: "audit-cross-client-code", Family: FamilyAudit, Level: MUST,
		Title: "a code issued to another listed client is rejected when this client redeems it with its own credentials",
		Refs:  []Ref{RFC6749("4.1.3")},
		Needs: []Need{AuditedControl},
		Note:  "the code comes from the next listed client with the code grant whose control succeeded",
		Expect: Expect{Error: invalidGrant, Alternatives: []Alternative{{Error: invalidClient,
			Why: "a provider may refuse a public client before it looks at the code"}}},
	}
)

// Audit is the audit family in the order its checks run and are reported. It is not part of All:
// the audit runs per listed client (grantcheck audit), the catalogue once per provider.
func Audit() []Scenario {
	return []Scenario{AuditControl, AuditAuthzRedirect, AuditTokenRedirect, AuditPKCERequired, AuditGrantUndeclared,
		AuditWrongSecret, AuditAuthMethodUndeclared, AuditScopeUndeclared, AuditCrossClientCode}
}

// AuditEntries expands the audit family into its reportable IDs, in order.
func AuditEntries() []Entry { return expand(Audit()) }

// What an audit can and cannot see over OAuth, said in every audit report so it claims no more.
var (
	AuditSees = []string{
		"whether each listed client's valid login and exchange (or its client_credentials grant) works",
		"near variants of a declared redirect URI that the provider accepts (localhost for 127.0.0.1, http for https, a trailing slash, another path, another port except on loopback URIs: RFC 8252 §7.3), and another host",
		"whether the token endpoint compares redirect_uri exactly, and refuses the client's other registered URI",
		"whether a client declared pkce: required still gets codes without a challenge",
		"each grant the client does not declare (client_credentials, password, refresh_token, authorization_code) that the provider still performs for it",
		"a wrong secret, and the correct secret by an auth method the client does not declare",
		"a scope the client does not declare, among those discovery lists, that the provider grants it",
		"a code of another listed client that this client can redeem",
	}
	AuditCannotSee = []string{
		"an extra registered redirect URI unlike every declared one: OAuth offers no way to list a client's registered URIs",
		"scopes discovery does not list, and grants the provider supports for no client",
		"settings that change no answer of the token or authorization endpoint (token lifetimes, consent screens, logout URIs)",
		"clients that are registered but not listed in the audit",
	}
)

var auditGuidance = map[string]Guidance{
	AuditControl.ID: {
		Why: "If the client's own valid login and exchange fail, nothing else about it can be judged, and its users cannot sign in either.",
		Fix: "Check the client's entry in the audit list against its registration (client_id, secret, auth method, redirect URIs, PKCE) and the login steps.",
	},
	AuditAuthzRedirect.ID: {
		Why: "A redirect URI variant that a console edit added (http beside https, localhost beside 127.0.0.1, another path) or that the provider compares loosely is where codes can be sent to a host or page the team does not control.",
		Fix: "Remove the variant from the client's registered redirect URIs, or declare it in the audit list if it is intended; the provider must compare redirect URIs exactly (RFC 9700 §2.1).",
	},
	AuditTokenRedirect.ID: {
		Why: "The token endpoint's redirect_uri check is the last defence against a code obtained through a manipulated redirect.",
		Fix: "Require redirect_uri at the token endpoint to equal, as a string, the one sent to the authorization endpoint, and answer invalid_grant otherwise.",
	},
	AuditPKCERequired.ID: {
		Why: "The registration says this client must use PKCE; a provider that hands it codes without a challenge leaves its codes open to interception.",
		Fix: "Turn the client's PKCE requirement back on in its registration (or drop pkce: required from the audit list if the change was intended).",
	},
	AuditGrantUndeclared.ID: {
		Why: "A grant the team did not declare widens what a leaked secret or a stolen token can do: a web client using client_credentials, a service getting refresh tokens.",
		Fix: "Remove the grant from the client's registration (or declare it in the audit list if intended); the provider must answer unauthorized_client.",
	},
	AuditWrongSecret.ID: {
		Why: "A client whose secret is not checked can be impersonated by anyone who knows its client_id.",
		Fix: "Authenticate the client by the method it is registered for and answer invalid_client when the secret is wrong.",
	},
	AuditAuthMethodUndeclared.ID: {
		Why: "Accepting the secret by a method the client is not registered for widens where the secret may appear (request bodies in logs, proxies).",
		Fix: "Set the client's token_endpoint_auth_method in its registration and accept only that method.",
	},
	AuditScopeUndeclared.ID: {
		Why: "A scope the team did not declare for a client gives its tokens access they were never approved for.",
		Fix: "Remove the scope from the client's allowed scopes (or declare it in the audit list if intended); refuse it with invalid_scope or leave it out of the granted scope.",
	},
	AuditCrossClientCode.ID: {
		Why: "A code issued to one client that another client can redeem lets any client of the tenant steal the others' logins.",
		Fix: "Bind each code to the client it was issued to and answer invalid_grant when another client presents it.",
	},
}

func init() {
	for id, g := range auditGuidance {
		guidance[id] = g
	}
}
