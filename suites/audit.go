package suites

import (
	"fmt"
	"net"
	"slices"
	"strings"

	"github.com/grantcheck/grantcheck/harness"
	"github.com/grantcheck/grantcheck/harness/catalog"
	"github.com/grantcheck/grantcheck/harness/config"
	"github.com/grantcheck/grantcheck/harness/token"
)

// AuditChecks are the audit family's checks but its control (which the runner does first), each
// the body of an existing scenario run for the audited client's role.
func AuditChecks() []harness.AuditCheck {
	var out []harness.AuditCheck
	out = append(out, auditTable(catalog.AuditAuthzRedirect, func(r *harness.Run, role config.Role, v auditRedirect) {
		needsCodeGrant(r, role)
		if v.anyPortOnLoopback && isLoopback(r.Client(role).RedirectURIs[0]) {
			r.NotApplicable("a loopback redirect URI may take any port (RFC 8252 §7.3): another port is no drift")
		}
		authzUnregisteredRedirect(r, role, v.mutate)
	}, map[string]auditRedirect{
		"localhost":      {mutate: loopbackName},
		"scheme":         {mutate: func(u string, _ []string) string { return otherScheme(u) }},
		"trailing-slash": {mutate: tokenRedirectMutations["trailing-slash"]},
		"other-path":     {mutate: tokenRedirectMutations["other-path"]},
		"port":           {mutate: tokenRedirectMutations["port"], anyPortOnLoopback: true},
		"other-host":     {mutate: authzRedirectMutations["other-host"]},
	})...)
	out = append(out, auditTable(catalog.AuditTokenRedirect, func(r *harness.Run, role config.Role, mutate redirectMutation) {
		needsCodeGrant(r, role)
		redirectMismatch(r, role, mutate)
	}, map[string]redirectMutation{
		"other-registered": tokenRedirectMutations["other-registered"],
		"localhost":        loopbackName,
		"scheme":           tokenRedirectMutations["scheme"],
		"trailing-slash":   tokenRedirectMutations["trailing-slash"],
		"other-path":       tokenRedirectMutations["other-path"],
	})...)
	out = append(out, auditOne(catalog.AuditPKCERequired, func(r *harness.Run, role config.Role) {
		needsCodeGrant(r, role)
		authzPKCERequired(r, role)
	}))
	out = append(out, auditTable(catalog.AuditGrantUndeclared, func(r *harness.Run, role config.Role, check func(r *harness.Run, role config.Role)) {
		check(r, role)
	}, map[string]func(r *harness.Run, role config.Role){
		"client_credentials": func(r *harness.Run, role config.Role) {
			if r.Client(role).AuthMethod == config.AuthNone && !r.Client(role).Allows("client_credentials") {
				r.NotApplicable("a public client cannot use client_credentials, which needs client authentication (RFC 6749 §4.4.2)")
			}
			refuseGrant(r, role, "client_credentials", clientCredentialsRequest)
		},
		"password": func(r *harness.Run, role config.Role) { refuseGrant(r, role, "password", passwordRequest) },
		"refresh_token": func(r *harness.Run, role config.Role) {
			notApplicableIf(r, grantAllowed(r.P.Config, role, "refresh_token"))
			needsCodeGrant(r, role)
			rt := r.Tokens(r.Code(role), role).String("refresh_token")
			if rt == "" {
				r.NotApplicable("the provider issued the client no refresh token (scope " + r.P.Config.ScopeOf(role) + "), so it has none to use")
			}
			refuseGrant(r, role, "refresh_token", func(r *harness.Run, role config.Role) *token.Request {
				return r.Request(role, "refresh_token grant by a client configured without it").
					Set("grant_type", "refresh_token").Set("refresh_token", rt)
			})
		},
		"authorization_code": authzNoCode,
	})...)
	out = append(out, auditOne(catalog.AuditWrongSecret, func(r *harness.Run, role config.Role) {
		client := r.Client(role)
		if client.AuthMethod == config.AuthNone {
			r.NotApplicable("a public client (auth_method none) has no secret")
		}
		needsOwnGrant(r, role)
		r.ExpectRejected(r.Send(r.Grant(role, "grant request with a wrong client secret ("+client.AuthMethod+")").
			Authenticate(token.Auth{Method: client.AuthMethod, ClientID: client.ClientID, Secret: wrongSecret(client)})))
	}))
	out = append(out, auditOne(catalog.AuditAuthMethodUndeclared, func(r *harness.Run, role config.Role) {
		client := r.Client(role)
		other := otherAuthMethod(client)
		if other == "" {
			r.NotApplicable("a public client (auth_method none) has no secret to send another way")
		}
		needsOwnGrant(r, role)
		r.ExpectRejected(r.Send(r.Grant(role, "grant request with the correct secret sent by "+other).
			Authenticate(token.Auth{Method: other, ClientID: client.ClientID, Secret: client.ClientSecret})))
	}))
	out = append(out, auditOne(catalog.AuditScopeUndeclared, auditScope))
	out = append(out, auditOne(catalog.AuditCrossClientCode, func(r *harness.Run, role config.Role) {
		needsCodeGrant(r, role)
		peer, ok := r.P.AuditPeer(role)
		if !ok {
			r.NotApplicable("no other listed client has the code grant and a control that succeeded")
		}
		code := r.Code(peer)
		r.ExpectRejected(r.Send(r.Redeem(code, role, fmt.Sprintf("the code of %s redeemed by this client", r.P.Config.Describe(peer)))))
	}))
	return out
}

// auditScope: a scope the client does not declare, asked beside its own, is refused or left out of
// the granted scope.
func auditScope(r *harness.Run, role config.Role) {
	client := r.Client(role)
	if client.Scope == "" {
		r.NotApplicable("the client declares no scope, so nothing says which scopes it may not have")
	}
	declared := strings.Fields(client.Scope)
	extra := ""
	for _, s := range r.P.Discovery.ScopesSupported {
		if s != "openid" && !slices.Contains(declared, s) {
			extra = s
			break
		}
	}
	if extra == "" {
		r.NotApplicable("discovery's scopes_supported lists no scope the client does not declare")
	}
	asked := client.Scope + " " + extra
	if client.Allows("authorization_code") {
		o := r.Outcome(role, harness.WithScope(asked))
		if o.Code == nil {
			r.ExpectAuthzEnding(o, role, "")
			return
		}
		r.ExpectScopeLeftOut(r.Tokens(o.Code, role), role, asked)
		return
	}
	needsOwnGrant(r, role)
	resp := r.Send(r.Grant(role, "client_credentials grant asking for an undeclared scope").Set("scope", asked))
	if len(resp.Tokens()) > 0 {
		r.ExpectScopeLeftOut(resp, role, asked)
		return
	}
	r.ExpectRejected(resp)
}

// auditRedirect is one redirect URI variant of the audit; anyPortOnLoopback: the variant changes
// the port, which RFC 8252 §7.3 lets loopback URIs do.
type auditRedirect struct {
	mutate            redirectMutation
	anyPortOnLoopback bool
}

// needsCodeGrant: a check that logs in applies only to a client with the code grant.
func needsCodeGrant(r *harness.Run, role config.Role) {
	if !r.Client(role).Allows("authorization_code") {
		r.NotApplicable("the client does not declare authorization_code (audit-grant-undeclared/authorization_code checks it gets no code)")
	}
}

// needsOwnGrant: a check that sends the client's own grant request (harness.Run.Grant) applies only
// to a client with the code or the client_credentials grant.
func needsOwnGrant(r *harness.Run, role config.Role) {
	if c := r.Client(role); !c.Allows("authorization_code") && !c.Allows("client_credentials") {
		r.NotApplicable("the client declares neither authorization_code nor client_credentials, so no request of its own can carry the check")
	}
}

// loopbackName swaps 127.0.0.1 and localhost (RFC 8252 §8.3 recommends the IP literal; a
// provider that takes one for the other compares loosely or has both registered); "" for other hosts.
func loopbackName(u string, _ []string) string {
	p := mustParse(u)
	switch p.Hostname() {
	case "127.0.0.1":
		p.Host = strings.Replace(p.Host, "127.0.0.1", "localhost", 1)
	case "localhost":
		p.Host = strings.Replace(p.Host, "localhost", "127.0.0.1", 1)
	default:
		return ""
	}
	return p.String()
}

func isLoopback(u string) bool {
	host := mustParse(u).Hostname()
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// auditOne binds a scenario without variants to its body.
func auditOne(sc catalog.Scenario, body func(r *harness.Run, role config.Role)) harness.AuditCheck {
	return harness.AuditCheck{Entry: catalog.Entry{ID: sc.ID, Scenario: sc}, Body: body}
}

// auditTable binds every variant of a scenario to its case; like harness.Table, cases must hold
// exactly the catalogue's variants.
func auditTable[T any](sc catalog.Scenario, body func(r *harness.Run, role config.Role, arg T), cases map[string]T) []harness.AuditCheck {
	if len(cases) != len(sc.Variants) {
		panic(fmt.Sprintf("suite bug: %s has %d variants in the catalogue and %d cases", sc.ID, len(sc.Variants), len(cases)))
	}
	var out []harness.AuditCheck
	for i := range sc.Variants {
		v := sc.Variants[i]
		arg, ok := cases[v.Name]
		if !ok {
			panic(fmt.Sprintf("suite bug: %s has no case for variant %q", sc.ID, v.Name))
		}
		out = append(out, harness.AuditCheck{Entry: catalog.Entry{ID: sc.VariantID(v.Name), Scenario: sc, Variant: &v},
			Body: func(r *harness.Run, role config.Role) { body(r, role, arg) }})
	}
	return out
}
