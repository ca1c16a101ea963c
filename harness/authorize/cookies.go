package authorize

import (
	"fmt"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"
)

// RefusedCookies is the account, for a login's messages, of the cookies its pages set that the
// client did not keep, and why: a login that then loops back to its sign-in page usually lost its
// session that way (a Domain=.127.0.0.1 a cookie jar must refuse), and the loop's message should
// say so. Each cookie is named once, in the order first refused, with its latest reason. Values
// are never kept or shown. Safe for concurrent use (the browser driver adds from its events).
type RefusedCookies struct {
	mu      sync.Mutex
	names   []string
	reasons map[string]string
}

// Add records that the cookie shown (as a message names it) was refused, and why.
func (rc *RefusedCookies) Add(shown, reason string) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if rc.reasons == nil {
		rc.reasons = map[string]string{}
	}
	if _, seen := rc.reasons[shown]; !seen {
		rc.names = append(rc.names, shown)
	}
	rc.reasons[shown] = reason
}

// Note is the account of the refused cookies for a message, "" for none; refusedBy says who
// refused them ("the client refused", "Chromium did not store").
func (rc *RefusedCookies) Note(refusedBy string) string {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if len(rc.names) == 0 {
		return ""
	}
	parts := make([]string, len(rc.names))
	for i, n := range rc.names {
		parts[i] = n + ": " + rc.reasons[n]
	}
	return "; the provider set cookies " + refusedBy + ", so the login likely lost its session: " + strings.Join(parts, "; ")
}

// check compares what resp set with what jar keeps for it. Values are never kept or shown.
func (rc *RefusedCookies) check(jar http.CookieJar, page *url.URL, resp *http.Response) {
	if jar == nil {
		return
	}
	now := time.Now()
	for _, c := range resp.Cookies() {
		if c.MaxAge < 0 || (!c.Expires.IsZero() && !c.Expires.After(now)) {
			continue // a deletion
		}
		at := *page
		if strings.HasPrefix(c.Path, "/") {
			at.Path = c.Path
		}
		kept := slices.ContainsFunc(jar.Cookies(&at), func(k *http.Cookie) bool { return k.Name == c.Name })
		if kept {
			continue
		}
		rc.Add(fmt.Sprintf("%q", c.Name), cookieRefusal(c, page))
	}
}

// cookieRefusal says why a cookie jar (Go's, as browsers) refuses c set by page (RFC 6265 §5.3).
func cookieRefusal(c *http.Cookie, page *url.URL) string {
	host := page.Hostname()
	domain := c.Domain
	switch {
	case domain != "" && net.ParseIP(host) != nil && domain != host:
		return fmt.Sprintf("its Domain=%s is not the page's host %s, an IP address, which domain-matches only itself (RFC 6265 §5.1.3, §5.3 step 6)", domain, host)
	case domain != "":
		d := strings.ToLower(strings.TrimPrefix(domain, "."))
		if h := strings.ToLower(host); h != d && !strings.HasSuffix(h, "."+d) {
			return fmt.Sprintf("its Domain=%s does not domain-match the page's host %s (RFC 6265 §5.3 step 6)", domain, host)
		}
	}
	return "the cookie jar did not keep it (check its Domain, Path and Expires attributes)"
}
