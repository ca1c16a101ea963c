package explain

import (
	"net/url"
	"slices"
	"strings"

	"github.com/grantcheck/grantcheck/harness/explain/answers"
	"github.com/grantcheck/grantcheck/harness/explain/har"
)

// Bounds on the flow signals a recording keeps while it streams: the hosts, and per host the
// cookie names, page paths and hosts it redirected to. Past a bound the rest is not kept (the
// signals of a login flow come early for its hosts: the first pages set the cookies).
const (
	maxFlowHosts     = 48
	maxFlowNames     = 32
	maxFlowPaths     = 32
	maxFlowRedirects = 8
	maxFlowPath      = 512
)

// flowSigns are what the pages of each host showed of the provider behind them: the names of
// the cookies they set (never a value: Set-Cookie is cut at its first "="), the paths of its pages
// (HTML documents, redirects and form posts, not assets; never a query) and the hosts its
// redirects led to.
type flowSigns struct {
	hosts map[string]*hostSigns
}

type hostSigns struct {
	cookies, paths, redirects []string
}

func newFlowSigns() *flowSigns { return &flowSigns{hosts: map[string]*hostSigns{}} }

// see records one entry's signals.
// Most entries of a recording are assets: they are let go before any parsing or allocation.
func (f *flowSigns) see(e *har.Entry) {
	redirect := e.Status >= 300 && e.Status < 400
	page := redirect || strings.EqualFold(e.Method, "POST") || isHTML(e.RespHdr.Get("Content-Type"))
	if !page && len(e.RespHdr["Set-Cookie"]) == 0 && len(e.CookieNames) == 0 {
		return
	}
	u, err := url.Parse(e.URL)
	if err != nil || u.Host == "" {
		return
	}
	// Set-Cookie headers (some exports join several in one value, a line each) and the HAR's
	// response.cookies, whose values the reader never kept.
	var names []string
	for _, sc := range e.RespHdr.Values("Set-Cookie") {
		for line := range strings.Lines(sc) {
			if name, _, ok := strings.Cut(line, "="); ok { // the value (a session secret) is never kept
				names = append(names, strings.TrimSpace(name))
			}
		}
	}
	names = append(names, e.CookieNames...)
	names = slices.DeleteFunc(names, func(n string) bool { return n == "" || len(n) > answers.MaxSignName })
	var to string
	if loc := e.RespHdr.Get("Location"); loc != "" && redirect {
		if l, err := u.Parse(loc); err == nil {
			to = strings.ToLower(l.Host)
		}
	}
	if len(names) == 0 && !page {
		return
	}
	host := strings.ToLower(u.Host)
	h := f.hosts[host]
	if h == nil {
		if len(f.hosts) == maxFlowHosts {
			return
		}
		h = &hostSigns{}
		f.hosts[host] = h
	}
	for _, n := range names {
		h.cookies = addBounded(h.cookies, n, maxFlowNames)
	}
	if page && len(u.Path) <= maxFlowPath {
		h.paths = addBounded(h.paths, u.Path, maxFlowPaths)
	}
	if to != "" && to != host {
		h.redirects = addBounded(h.redirects, to, maxFlowRedirects)
	}
}

func addBounded(list []string, s string, max int) []string {
	if len(list) == max || slices.Contains(list, s) {
		return list
	}
	return append(list, s)
}

// isHTML: the media type is text/html (compared without allocating: it runs for every entry).
func isHTML(ct string) bool {
	ct = strings.TrimSpace(ct)
	const html = "text/html"
	return len(ct) >= len(html) && strings.EqualFold(ct[:len(html)], html) &&
		(len(ct) == len(html) || ct[len(html)] == ';' || ct[len(html)] == ' ')
}

// of gives the signals of the exchange's provider: those of the authorization request's host
// and the token endpoint's host, and of the hosts the authorization host's redirects led to,
// followed two steps (a login app on its own host, as Ory Hydra's, and its way back), never
// the client's own host (the redirect_uri's, where the code was delivered) unless it is one of
// the two. Hosts the flow did not pass through between them do not count: an analytics or
// another provider's page in the same recording says nothing of this one. Following recorded
// redirects only, not timing, keeps it simple and deterministic.
func (f *flowSigns) of(in Input) answers.Flow {
	var start []string
	if in.Authorize != nil && in.Authorize.URL != nil {
		start = append(start, strings.ToLower(in.Authorize.URL.Host))
	}
	if u, err := url.Parse(in.Token.URL); err == nil && u.Host != "" {
		start = append(start, strings.ToLower(u.Host))
	}
	client := ""
	if in.Redirect != nil && in.Redirect.URL != nil {
		client = strings.ToLower(in.Redirect.URL.Host)
	}
	hosts := slices.Clone(start)
	if len(start) > 0 && in.Authorize != nil {
		next := start[:1]
		for range 2 {
			var more []string
			for _, h := range next {
				if s := f.hosts[h]; s != nil {
					for _, to := range s.redirects {
						if to != client && !slices.Contains(hosts, to) {
							hosts = append(hosts, to)
							more = append(more, to)
						}
					}
				}
			}
			next = more
		}
	}
	var out answers.Flow
	for _, h := range hosts {
		if s := f.hosts[h]; s != nil {
			out.Cookies = append(out.Cookies, s.cookies...)
			out.Paths = append(out.Paths, s.paths...)
		}
	}
	return out
}
