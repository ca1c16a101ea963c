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

// idTokenAlgorithms are the JWS algorithms an id_token may be parsed with; the payload is only read,
// never trusted as authentication, so the signature is not verified here.
var idTokenAlgorithms = []jose.SignatureAlgorithm{
	jose.RS256, jose.RS384, jose.RS512, jose.PS256, jose.PS384, jose.PS512,
	jose.ES256, jose.ES384, jose.ES512, jose.EdDSA, jose.HS256, jose.HS384, jose.HS512,
}

// OwnerOf finds out whose each token in resp is, for a request authenticated as one role whose
// body named another: the access and refresh tokens by introspection's client_id when the provider
// has an introspection endpoint (asked as each of the two clients, since a provider may answer only
// the token's own client), the id_token by its azp, else its single aud. Each token is reported on
// its own: an id_token's aud says nothing about the access token.
func (r *Run) OwnerOf(resp *token.Response, authenticated, named config.Role) oauth.Owner {
	o := oauth.Owner{Authenticated: r.Client(authenticated).ClientID, Named: r.Client(named).ClientID}
	for _, kind := range []string{"access_token", "refresh_token"} {
		tok := resp.String(kind)
		if tok == "" || r.P.Discovery.IntrospectionEndpoint == "" {
			continue
		}
		t, why := r.introspectedOwner(kind, tok, authenticated, named)
		if why != "" {
			t = oauth.TokenOwner{Token: kind, Evidence: why}
		}
		o.Tokens = append(o.Tokens, t)
	}
	if id := resp.String("id_token"); id != "" {
		client, how, err := idTokenClient(id)
		if err != nil {
			how, client = err.Error(), ""
		} else {
			how = "its " + how
		}
		o.Tokens = append(o.Tokens, oauth.TokenOwner{Token: "id_token", ClientID: client, Evidence: how})
	}
	if len(o.Tokens) == 0 {
		o.Unknown = "no introspection endpoint and no id_token"
	}
	return o
}

// introspectedOwner asks introspection whose token tok is, as each of the two clients; why says
// what went wrong when neither answer named a client.
func (r *Run) introspectedOwner(kind, tok string, roles ...config.Role) (oauth.TokenOwner, string) {
	var tried []string
	for _, role := range roles {
		in, err := r.introspect(role, kind, tok, "introspection of the issued "+kind+", as the "+string(role)+" client")
		switch {
		case err != nil:
			tried = append(tried, fmt.Sprintf("as %s: %v", r.Client(role).ClientID, err))
		case in.Status == 200 && in.JSON["active"] == true && in.String("client_id") != "":
			return oauth.TokenOwner{Token: kind, ClientID: in.String("client_id"),
				Evidence: "introspection's client_id, asked by " + r.Client(role).ClientID}, ""
		default:
			tried = append(tried, fmt.Sprintf("as %s: HTTP %d without an active client_id", r.Client(role).ClientID, in.Status))
		}
	}
	return oauth.TokenOwner{}, "introspection " + strings.Join(tried, ", ")
}

// introspect asks the introspection endpoint about tok, a token of kind, authenticated as role
// (RFC 7662 §2.1).
func (r *Run) introspect(role config.Role, kind, tok, step string) (*token.Response, error) {
	return r.TrySend(r.Request(role, step).Set("token", tok).Set("token_type_hint", kind).
		Retarget(r.P.Discovery.IntrospectionEndpoint))
}

// idTokenClient reads the client an id_token was issued to: azp when present (OIDC Core §2), else
// an aud of exactly one value.
func idTokenClient(raw string) (client, how string, err error) {
	jws, err := jose.ParseSigned(raw, idTokenAlgorithms)
	if err != nil {
		return "", "", fmt.Errorf("the id_token is not a JWS: %v", err)
	}
	var claims struct {
		Azp string          `json:"azp"`
		Aud json.RawMessage `json:"aud"`
	}
	if err := json.Unmarshal(jws.UnsafePayloadWithoutVerification(), &claims); err != nil {
		return "", "", fmt.Errorf("the id_token payload is not a JSON object: %v", err)
	}
	if claims.Azp != "" {
		return claims.Azp, "azp", nil
	}
	var one string
	if json.Unmarshal(claims.Aud, &one) == nil && one != "" {
		return one, "aud", nil
	}
	var many []string
	if json.Unmarshal(claims.Aud, &many) == nil && len(many) == 1 {
		return many[0], "aud", nil
	}
	return "", "", fmt.Errorf("the id_token has no azp and not exactly one aud")
}
