package discovery

import (
	"net/url"
	"slices"
)

// Hosts are the host:port pairs of the issuer and the endpoints: the provider's own hosts, where a
// login driver may follow redirects.
func (d Document) Hosts() []string {
	var out []string
	for _, raw := range []string{d.Issuer, d.AuthorizationEndpoint, d.TokenEndpoint, d.UserinfoEndpoint} {
		if u, err := url.Parse(raw); err == nil && u.Host != "" && !slices.Contains(out, u.Host) {
			out = append(out, u.Host)
		}
	}
	return out
}
