package suites

import (
	"net/url"
	"strings"
	"unicode"

	. "github.com/onsi/ginkgo/v2"

	"github.com/grantcheck/grantcheck/harness"
	"github.com/grantcheck/grantcheck/harness/catalog"
	"github.com/grantcheck/grantcheck/harness/config"
)

// redirectMutation turns the redirect URI sent to the authorization endpoint into the one sent to
// the token endpoint; "" means the variant does not apply to this client.
type redirectMutation func(sent string, registered []string) string

var _ = Describe("redirect_uri", func() {
	harness.It(catalog.RedirectURIOmitted, func(r *harness.Run) {
		if len(r.Client(config.Primary).RedirectURIs) < 2 {
			r.Skip("needs a primary client with two registered redirect URIs (clients.primary.redirect_uris), so the provider cannot infer the value")
		}
		code := r.Code(config.Primary)
		r.ExpectRejected(r.Send(r.Redeem(code, config.Primary, "redemption without redirect_uri").Omit("redirect_uri")))
	})

	harness.It(catalog.RedirectURIOmittedSingle, func(r *harness.Run) {
		if n := len(r.Client(config.Secondary).RedirectURIs); n != 1 {
			r.Skip("needs a secondary client with exactly one registered redirect URI (clients.secondary.redirect_uris)")
		}
		code := r.Code(config.Secondary)
		r.ExpectRejected(r.Send(r.Redeem(code, config.Secondary, "redemption without redirect_uri by a client with one registered URI").Omit("redirect_uri")))
	})

	harness.Table(catalog.RedirectURIMismatch, func(r *harness.Run, mutate redirectMutation) {
		redirectMismatch(r, config.Primary, mutate)
	}, tokenRedirectMutations, func(p *harness.Provider, mutate redirectMutation) string {
		_, why := redirectVariant(p.Config, config.Primary, mutate)
		return why
	})
})

// redirectMismatch: the role's code, redeemed with mutate(the redirect URI it was sent to), is rejected.
func redirectMismatch(r *harness.Run, role config.Role, mutate redirectMutation) {
	wrong, why := redirectVariant(r.P.Config, role, mutate)
	notApplicableIf(r, why)
	code := r.Code(role)
	r.ExpectRejected(r.Send(r.Redeem(code, role, "redemption with a different redirect_uri").Set("redirect_uri", wrong)))
}

// redirectVariant is mutate applied to the first redirect URI role's client registered, and why the
// variant does not apply to the client ("" when it does): no URI to vary, or mutate changes nothing.
// Both the scenario's harness.Applies and its body (run by the audit, which has no Applies) ask it.
func redirectVariant(cfg *config.Config, role config.Role, mutate redirectMutation) (wrong, why string) {
	c := cfg.Clients.Get(role)
	switch {
	case c == nil:
		return "", "" // the needs decide
	case len(c.RedirectURIs) == 0:
		return "", field(cfg, role, "redirect_uris") + " is empty: there is no registered URI to vary"
	}
	if wrong = mutate(c.RedirectURIs[0], c.RedirectURIs); wrong == "" {
		return "", "the variant changes nothing in " + field(cfg, role, "redirect_uris")
	}
	return wrong, ""
}

// tokenRedirectMutations are redirect-uri-mismatch's variants, by name.
var tokenRedirectMutations = map[string]redirectMutation{
	"trailing-slash": func(u string, _ []string) string {
		if p := mustParse(u); strings.HasSuffix(p.Path, "/") {
			p.Path = strings.TrimSuffix(p.Path, "/")
			return p.String()
		}
		return withPath(u, func(p string) string { return p + "/" })
	},
	"extra-query": func(u string, _ []string) string {
		p := mustParse(u)
		q := p.Query()
		q.Add("grantcheck", "1")
		p.RawQuery = q.Encode()
		return p.String()
	},
	"other-path": func(u string, _ []string) string {
		return withPath(u, func(p string) string { return strings.TrimSuffix(p, "/") + "-other" })
	},
	"path-case": func(u string, _ []string) string {
		swapped := withPath(u, swapCase)
		if swapped == u {
			return ""
		}
		return swapped
	},
	"port": func(u string, _ []string) string {
		p := mustParse(u)
		port := "8443"
		if p.Port() == port {
			port = "8444"
		}
		p.Host = p.Hostname() + ":" + port
		return p.String()
	},
	"scheme": func(u string, _ []string) string { return otherScheme(u) },
	"percent-encoding": func(u string, _ []string) string {
		p := mustParse(u)
		i := strings.LastIndexFunc(p.Path, unicode.IsLetter)
		if i < 0 {
			return ""
		}
		// %XX of an unreserved letter: equal after normalisation, not as a string.
		p.RawPath = p.Path[:i] + "%" + strings.ToUpper(hex2(p.Path[i])) + p.Path[i+1:]
		return p.String()
	},
	"fragment": func(u string, _ []string) string { return u + "#grantcheck" },
	"host-case": func(u string, _ []string) string {
		p := mustParse(u)
		swapped := swapCase(p.Host)
		if swapped == p.Host {
			return ""
		}
		p.Host = swapped
		return p.String()
	},
	"other-registered": func(u string, registered []string) string {
		for _, other := range registered {
			if other != u {
				return other
			}
		}
		return ""
	},
}

// otherScheme swaps http and https; "" for any other scheme.
func otherScheme(u string) string {
	p := mustParse(u)
	switch p.Scheme {
	case "https":
		p.Scheme = "http"
	case "http":
		p.Scheme = "https"
	default:
		return ""
	}
	return p.String()
}

func mustParse(u string) *url.URL {
	p, err := url.Parse(u)
	if err != nil {
		return &url.URL{Opaque: u} // config validation already rejected unparsable URIs
	}
	return p
}

func withPath(u string, f func(string) string) string {
	p := mustParse(u)
	p.Path = f(p.Path)
	p.RawPath = ""
	return p.String()
}

func swapCase(s string) string {
	return strings.Map(func(c rune) rune {
		if unicode.IsUpper(c) {
			return unicode.ToLower(c)
		}
		return unicode.ToUpper(c)
	}, s)
}

func hex2(c byte) string {
	const digits = "0123456789abcdef"
	return string([]byte{digits[c>>4], digits[c&0xf]})
}
