// Package discovery reads the provider's OpenID Provider Metadata (OpenID Connect Discovery 1.0 §4).
package discovery

import (
	"context"
	"encoding/json"
	"fmt"
	"mime"
	"net/url"
	"slices"
	"strings"

	"github.com/go-resty/resty/v2"

	"github.com/grantcheck/grantcheck/harness/transcript"
)

// Document holds the metadata the harness uses.
type Document struct {
	Issuer                            string   `json:"issuer"`
	AuthorizationEndpoint             string   `json:"authorization_endpoint"`
	TokenEndpoint                     string   `json:"token_endpoint"`
	UserinfoEndpoint                  string   `json:"userinfo_endpoint"`
	IntrospectionEndpoint             string   `json:"introspection_endpoint"`
	GrantTypesSupported               []string `json:"grant_types_supported"`
	TokenEndpointAuthMethodsSupported []string `json:"token_endpoint_auth_methods_supported"`
	CodeChallengeMethodsSupported     []string `json:"code_challenge_methods_supported"`
	JWKSURI                           string   `json:"jwks_uri"`
	ScopesSupported                   []string `json:"scopes_supported"`
	// AuthorizationResponseIssParameterSupported: RFC 9207 §3.
	AuthorizationResponseIssParameterSupported bool `json:"authorization_response_iss_parameter_supported"`

	// Redirected says where the document was found when the standard address redirected (on the
	// issuer's own origin); "" when it was served there. The run header shows it.
	Redirected string `json:"-"`
}

// SupportsGrant follows OpenID Connect Discovery §3: an absent grant_types_supported means
// ["authorization_code", "implicit"].
func (d Document) SupportsGrant(g string) bool {
	if len(d.GrantTypesSupported) == 0 {
		return g == "authorization_code" || g == "implicit"
	}
	return slices.Contains(d.GrantTypesSupported, g)
}

// URL is where the document is for an issuer.
func URL(issuer string) string {
	return strings.TrimSuffix(issuer, "/") + "/.well-known/openid-configuration"
}

// maxRedirects bounds how many redirects on the issuer's origin discovery follows.
const maxRedirects = 5

// Fetch reads and checks the document; every error names the URL and what was wrong. Redirects on
// the issuer's own origin (scheme, host and port) are followed, at most maxRedirects, and recorded
// in Document.Redirected: a provider serving the document only with a trailing slash answers the
// standard path with 301. The issuer check below still applies to what was found there. A redirect
// to another origin is not followed: the document a client finds for this issuer is not there.
func Fetch(ctx context.Context, c *resty.Client, issuer string) (Document, error) {
	u := URL(issuer)
	origin, err := url.Parse(u)
	if err != nil {
		return Document{}, fmt.Errorf("discovery: provider.issuer %q: %w", issuer, err)
	}
	var via []string
	var resp *resty.Response
	for {
		resp, err = c.R().SetContext(ctx).SetHeader("Accept", "application/json").Get(u)
		if err != nil {
			return Document{}, fmt.Errorf("discovery: GET %s: %w", u, transcript.URLErrorCause(err))
		}
		loc := resp.Header().Get("Location")
		if resp.StatusCode() < 300 || resp.StatusCode() >= 400 || loc == "" {
			break
		}
		target, perr := resp.RawResponse.Request.URL.Parse(loc)
		switch {
		case perr != nil:
			return Document{}, fmt.Errorf("discovery: GET %s answered %s with a Location that is not a URL: %q", u, resp.Status(), loc)
		case !strings.EqualFold(target.Scheme, origin.Scheme) || !strings.EqualFold(target.Host, origin.Host):
			return Document{}, fmt.Errorf("discovery: GET %s answered %s to %s, which is not on the issuer's origin %s://%s; not followed "+
				"(OpenID Connect Discovery §4: the document is at the issuer + /.well-known/openid-configuration; if the provider lives at that address, set provider.issuer to its issuer)",
				u, resp.Status(), target, origin.Scheme, origin.Host)
		case len(via) == maxRedirects:
			return Document{}, fmt.Errorf("discovery: GET %s: more than %d redirects (%s)", URL(issuer), maxRedirects, strings.Join(append(via, target.String()), " -> "))
		}
		via = append(via, u)
		u = target.String()
	}
	body := resp.Body()
	if resp.StatusCode() != 200 {
		return Document{}, fmt.Errorf("discovery: GET %s answered %s%s", u, resp.Status(), snippet(body))
	}
	mt, _, _ := mime.ParseMediaType(resp.Header().Get("Content-Type"))
	var d Document
	if err := json.Unmarshal(body, &d); err != nil {
		return Document{}, fmt.Errorf("discovery: %s is not JSON (Content-Type %q): %v%s", u, mt, err, snippet(body))
	}
	// OpenID Connect Discovery §4.3: "The issuer value returned MUST be identical to the Issuer
	// URL that was used as the prefix to /.well-known/openid-configuration". Tokens carry it as
	// iss, compared as strings (Core §3.1.3.7), so a trailing slash matters.
	if d.Issuer != issuer {
		hint := ""
		if strings.TrimSuffix(d.Issuer, "/") == strings.TrimSuffix(issuer, "/") {
			hint = "; they differ by a trailing slash: write provider.issuer exactly as the provider names itself"
		}
		return Document{}, fmt.Errorf("discovery: %s names issuer %q, the config says %q (OpenID Connect Discovery §4.3 requires them identical)%s", u, d.Issuer, issuer, hint)
	}
	if d.AuthorizationEndpoint == "" || d.TokenEndpoint == "" {
		return Document{}, fmt.Errorf("discovery: %s lacks authorization_endpoint or token_endpoint", u)
	}
	if len(via) > 0 {
		d.Redirected = fmt.Sprintf("%s redirected to %s (%d redirect(s) on the issuer's origin, followed)", URL(issuer), u, len(via))
	}
	return d, nil
}

func snippet(b []byte) string {
	s := strings.TrimSpace(string(b))
	if s == "" {
		return ""
	}
	if len(s) > 120 {
		s = s[:120] + "…"
	}
	return "; body starts: " + strings.ReplaceAll(s, "\n", " ")
}
