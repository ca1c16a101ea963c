package harness

import (
	"encoding/json"
	"fmt"
	"strings"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/grantcheck/grantcheck/harness/config"
	"github.com/grantcheck/grantcheck/harness/oauth"
	"github.com/grantcheck/grantcheck/harness/token"
)

// GrantedScope finds out what scope a token response granted, strongest evidence first:
// introspection of its access token (RFC 7662 §2.2 scope), the access token's own scope claim
// when it is a JWT (RFC 9068 §2.2.3), the response's scope (RFC 6749 §5.1). With none of these
// the Grant's Scope is nil, and the judge reads the omission as RFC 6749 §5.1 does.
func (r *Run) GrantedScope(resp *token.Response, role config.Role) oauth.Grant {
	at := resp.String("access_token")
	var tried []string
	if at != "" && r.P.Discovery.IntrospectionEndpoint != "" {
		in, err := r.introspect(role, "access_token", at, "introspection of the access token just issued")
		switch {
		case err != nil:
			tried = append(tried, fmt.Sprintf("introspection failed: %v", err))
		case in.Status == 200 && in.JSON["active"] == true && in.String("scope") != "":
			return oauth.Grant{Scope: strings.Fields(in.String("scope")), Evidence: "introspection gives scope " + fmt.Sprintf("%q", in.String("scope"))}
		default:
			tried = append(tried, fmt.Sprintf("introspection answered HTTP %d without an active token's scope", in.Status))
		}
	}
	if s, ok := jwtScope(at); ok {
		return oauth.Grant{Scope: s, Evidence: fmt.Sprintf("the access token's scope claim is %q", strings.Join(s, " "))}
	}
	if s := resp.String("scope"); s != "" {
		return oauth.Grant{Scope: strings.Fields(s), Evidence: strings.Join(append(tried, fmt.Sprintf("the token response's scope is %q", s)), "; ")}
	}
	return oauth.Grant{Evidence: strings.Join(tried, "; ")}
}

// jwtScope reads scope (a space-separated string, RFC 9068 §2.2.3) or scp (an array, as several
// providers write it) from an access token that is a JWS; the payload is only read, not trusted
// as authentication.
func jwtScope(raw string) ([]string, bool) {
	if strings.Count(raw, ".") != 2 {
		return nil, false
	}
	jws, err := jose.ParseSigned(raw, idTokenAlgorithms)
	if err != nil {
		return nil, false
	}
	var claims struct {
		Scope *string  `json:"scope"`
		Scp   []string `json:"scp"`
	}
	if json.Unmarshal(jws.UnsafePayloadWithoutVerification(), &claims) != nil {
		return nil, false
	}
	switch {
	case claims.Scope != nil:
		return strings.Fields(*claims.Scope), true
	case claims.Scp != nil:
		return claims.Scp, true
	}
	return nil, false
}
