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

// OwnerOf finds out whose tokens resp carries, for a request authenticated as one role whose body
// named another: introspection's client_id when the provider has an introspection endpoint (asked
// as each of the two clients, since a provider may answer only the token's own client), else the
// id_token's azp, else its single aud.
func (r *Run) OwnerOf(resp *token.Response, authenticated, named config.Role) oauth.Owner {
	o := oauth.Owner{Authenticated: r.Client(authenticated).ClientID, Named: r.Client(named).ClientID}
	var tried []string
	if at := resp.String("access_token"); at != "" && r.P.Discovery.IntrospectionEndpoint != "" {
		for _, role := range []config.Role{authenticated, named} {
			in, err := r.TrySend(r.Request(role, "introspection of the issued access token, as the "+string(role)+" client").
				Set("token", at).Set("token_type_hint", "access_token").Retarget(r.P.Discovery.IntrospectionEndpoint))
			switch {
			case err != nil:
				tried = append(tried, fmt.Sprintf("introspection as %s failed: %v", role, err))
			case in.Status == 200 && in.JSON["active"] == true && in.String("client_id") != "":
				o.ClientID = in.String("client_id")
				o.Evidence = fmt.Sprintf("introspection, asked by %s, gives client_id %s", r.Client(role).ClientID, o.ClientID)
				return o
			default:
				tried = append(tried, fmt.Sprintf("introspection as %s answered HTTP %d without an active client_id", role, in.Status))
			}
		}
	}
	if id := resp.String("id_token"); id != "" {
		client, how, err := idTokenClient(id)
		if err == nil {
			o.ClientID, o.Evidence = client, "the id_token's "+how+" is "+client
			return o
		}
		tried = append(tried, err.Error())
	}
	if len(tried) == 0 {
		tried = append(tried, "no introspection endpoint and no id_token")
	}
	o.Evidence = strings.Join(tried, "; ")
	return o
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
