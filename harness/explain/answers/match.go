package answers

import (
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// Answer is what the provider said, as explain read it.
type Answer struct {
	Status      int // 0: not known (only the body was given)
	Error       string
	Description string
	// Codes are numbered codes the answer carries apart from its description (Entra's error_codes).
	Codes []string
	// Members are the answer's top-level JSON member names.
	Members []string
}

// ParseAnswer reads a token endpoint's JSON answer; ok is false when the body is not a JSON object.
func ParseAnswer(status int, body []byte) (a Answer, ok bool) {
	a.Status = status
	var doc map[string]json.RawMessage
	if json.Unmarshal(body, &doc) != nil || doc == nil {
		return a, false
	}
	for k := range doc {
		a.Members = append(a.Members, k)
	}
	slices.Sort(a.Members)
	str := func(k string) string {
		var s string
		if json.Unmarshal(doc[k], &s) == nil {
			return s
		}
		return ""
	}
	a.Error, a.Description = str("error"), str("error_description")
	var codes []json.Number
	if raw, has := doc["error_codes"]; has && json.Unmarshal(raw, &codes) == nil {
		for _, c := range codes {
			a.Codes = append(a.Codes, c.String())
		}
	}
	return a, true
}

// Where is how the exchange identifies the provider.
type Where struct {
	TokenURL string // the token request's URL
	Issuer   string // the issuer, when the input names one (an authorization URL's iss, the config)
	// Flow is what a recording of the whole flow shows of the provider's login pages (the
	// cookie names they set, their paths); empty for a pasted request.
	Flow Flow
}

// Flow is the names of the cookies the provider's hosts set during the flow and the paths of
// their pages. Cookie values are never kept.
type Flow struct {
	Cookies []string
	Paths   []string
}

// Recognised is a provider and why it was recognised.
type Recognised struct {
	Provider *Provider
	By       string // a sentence: "the token endpoint's path ends in /oauth2/token"
}

// Recognise finds the provider by its token endpoint's host, a token endpoint path only it uses,
// the issuer, the shape of its answer, the cookies and page paths of its login flow, in that
// order. A path several providers share ("/oauth2/token"), or of one segment ("/token"),
// recognises one of them only when that one's words fit the answer. nil when none fits.
func (t *Table) Recognise(w Where, a Answer) *Recognised {
	var host, p string
	if u, err := url.Parse(w.TokenURL); err == nil {
		host, p = strings.ToLower(u.Hostname()), strings.TrimRight(u.Path, "/")
	}
	for _, pr := range t.Providers {
		for _, s := range pr.Recognise.HostSuffixes {
			s = strings.TrimPrefix(strings.ToLower(strings.TrimPrefix(s, "*")), ".")
			if host != "" && s != "" && (host == s || strings.HasSuffix(host, "."+s)) {
				if host == s {
					return &Recognised{pr, fmt.Sprintf("the token endpoint's host is %s", host)}
				}
				return &Recognised{pr, fmt.Sprintf("the token endpoint's host %s ends in %s", host, s)}
			}
		}
	}
	var longest string
	var candidates []*Provider
	for _, pr := range t.Providers {
		for _, s := range pr.Recognise.TokenPathSuffixes {
			s = strings.TrimRight(s, "/")
			if p == "" || s == "" || !strings.HasSuffix(p, s) || len(s) < len(longest) {
				continue
			}
			if len(s) > len(longest) {
				longest, candidates = s, nil
			}
			if !slices.Contains(candidates, pr) {
				candidates = append(candidates, pr)
			}
		}
	}
	if len(candidates) == 1 && strings.Count(longest, "/") >= 2 {
		return &Recognised{candidates[0], fmt.Sprintf("the token endpoint's path ends in %s", longest)}
	}
	for _, pr := range t.Providers {
		for _, s := range pr.Recognise.IssuerContains {
			if w.Issuer != "" && s != "" && strings.Contains(w.Issuer, s) {
				return &Recognised{pr, fmt.Sprintf("the issuer contains %s", s)}
			}
		}
	}
	for _, pr := range t.Providers {
		if shape := pr.Recognise.Shape; len(shape) > 0 && containsAll(a.Members, shape) {
			return &Recognised{pr, fmt.Sprintf("its answer has the members %s", strings.Join(shape, ", "))}
		}
	}
	if r := t.recogniseFlow(w.Flow, candidates); r != nil {
		return r
	}
	var fit []*Provider
	for _, pr := range candidates {
		if len(hits(pr, a, textScore)) > 0 {
			fit = append(fit, pr)
		}
	}
	if len(fit) == 1 {
		return &Recognised{fit[0], fmt.Sprintf("the token endpoint's path ends in %s and the answer's words are %s's", longest, fit[0].Name)}
	}
	return nil
}

// recogniseFlow: a cookie name of the table among the flow's, else a login path part of the
// table in a flow page's path. When several providers' signs are seen, the one whose token path
// the token endpoint has decides; otherwise none is named. The sentence names the table's sign,
// never the recording's text.
func (t *Table) recogniseFlow(f Flow, candidates []*Provider) *Recognised {
	kinds := []struct {
		signs func(*Provider) []Sign
		seen  func(Sign) bool
		says  func(Sign) string
	}{{
		signs: func(p *Provider) []Sign { return p.Recognise.Cookies },
		seen:  func(s Sign) bool { return slices.ContainsFunc(f.Cookies, s.cookieIs) },
		says: func(s Sign) string {
			if name, prefix := strings.CutSuffix(s.Name, "*"); prefix {
				return "the login pages set a cookie whose name begins " + name
			}
			return "the login pages set the cookie " + s.Name
		},
	}, {
		signs: func(p *Provider) []Sign { return p.Recognise.LoginPaths },
		seen: func(s Sign) bool {
			return slices.ContainsFunc(f.Paths, func(p string) bool { return strings.Contains(p, s.Name) })
		},
		says: func(s Sign) string { return "the flow passed through its login pages at " + s.Name },
	}}
	for _, k := range kinds {
		var found []*Recognised
		for _, pr := range t.Providers {
			for _, s := range k.signs(pr) {
				if k.seen(s) {
					found = append(found, &Recognised{pr, k.says(s)})
					break
				}
			}
		}
		if len(found) > 1 {
			found = slices.DeleteFunc(found, func(r *Recognised) bool { return !slices.Contains(candidates, r.Provider) })
		}
		if len(found) == 1 {
			return found[0]
		}
	}
	return nil
}

// cookieIs: the recorded name is the sign's (its prefix when the sign ends in *). Cookie names
// are case-sensitive (RFC 6265 §5.3 compares them exactly).
func (s Sign) cookieIs(name string) bool {
	if p, prefix := strings.CutSuffix(s.Name, "*"); prefix {
		return strings.HasPrefix(name, p)
	}
	return name == s.Name
}

func containsAll(have, want []string) bool {
	for _, w := range want {
		if !slices.Contains(have, w) {
			return false
		}
	}
	return true
}

// BySlug is the provider of that slug, nil when none.
func (t *Table) BySlug(slug string) *Provider {
	for _, p := range t.Providers {
		if p.Slug == slug {
			return p
		}
	}
	return nil
}

// Slugs are every provider's slug, for a message naming the choices.
func (t *Table) Slugs() []string {
	var out []string
	for _, p := range t.Providers {
		out = append(out, p.Slug)
	}
	return out
}

// Hit is one entry that matches the answer.
type Hit struct {
	Provider *Provider
	Entry    *Entry
	// Score: how specific the match is (a numbered code or the exact text over a prefix, over the
	// error value alone).
	Score int
	// StatusDiffers: the entry documents another HTTP status than the answer's.
	StatusDiffers bool
}

// Scores of a match.
const (
	scoreError    = 1 // the error value alone
	scoreContains = 2
	scorePrefix   = 3 // a prefix or a regular expression
	scoreExact    = 4 // the exact text, or the numbered code
)

// textScore is the least score that counts as the provider's own words (not just an error value).
const textScore = scoreContains

// score is how well e matches a, 0 for not at all.
func (e *Entry) score(a Answer) (int, bool) {
	if e.Error != "" && e.Error != a.Error {
		return 0, false
	}
	statusDiffers := e.Status != 0 && a.Status != 0 && e.Status != a.Status
	if e.Error == "" && e.Says == "" && e.Code == "" && (statusDiffers || a.Status == 0) {
		return 0, false // an entry of a status alone (RFC 6749 §5.2's 401) needs that status
	}
	if e.Code != "" {
		if hasCode(a, e.Code) {
			return scoreExact, statusDiffers
		}
		if e.Says == "" {
			return 0, false
		}
	}
	if e.Says == "" {
		if e.Match == Exact { // "exactly no description": a dialect that never sends one (Duende)
			if strings.TrimSpace(a.Description) != "" {
				return 0, false
			}
			return scoreContains, statusDiffers
		}
		return scoreError, statusDiffers
	}
	desc, says := strings.TrimSpace(a.Description), strings.TrimSpace(e.Says)
	switch e.Match {
	case Exact:
		if desc == says {
			return scoreExact, statusDiffers
		}
	case Prefix:
		if strings.HasPrefix(strings.ToLower(desc), strings.ToLower(says)) {
			return scorePrefix, statusDiffers
		}
	case Contains:
		if strings.Contains(strings.ToLower(desc), strings.ToLower(says)) {
			return scoreContains, statusDiffers
		}
	case Regex:
		if e.re != nil && e.re.MatchString(desc) {
			return scorePrefix, statusDiffers
		}
	}
	return 0, false
}

// hasCode: the code appears in the description as a word, or its number among error_codes.
func hasCode(a Answer, code string) bool {
	if i := strings.Index(a.Description, code); i >= 0 {
		end := i + len(code)
		if end == len(a.Description) || !isDigit(a.Description[end]) {
			return true
		}
	}
	num := strings.TrimLeftFunc(code, func(r rune) bool { return r < '0' || r > '9' })
	if _, err := strconv.Atoi(num); err == nil {
		return slices.Contains(a.Codes, num)
	}
	return false
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// Match gives p's entries that fit the answer, the most specific only: a numbered code or exact
// text wins over a prefix, which wins over the error value alone; an entry with the answer's
// status wins over one documented with another.
func Match(p *Provider, a Answer) []Hit {
	return best(hits(p, a, scoreError))
}

// MatchWords gives the entries of every provider whose own words (text or numbered code, not only
// an error value) fit the answer: the reading when the provider was not recognised.
func (t *Table) MatchWords(a Answer) []Hit {
	var all []Hit
	for _, p := range t.Providers {
		for _, h := range hits(p, a, textScore) {
			if h.Entry.Says != "" || h.Entry.Code != "" { // an absent description is no one's words
				all = append(all, h)
			}
		}
	}
	return best(all)
}

func hits(p *Provider, a Answer, min int) []Hit {
	var out []Hit
	for i := range p.Entries {
		e := &p.Entries[i]
		if s, differs := e.score(a); s >= min {
			out = append(out, Hit{Provider: p, Entry: e, Score: s, StatusDiffers: differs})
		}
	}
	return out
}

func best(hs []Hit) []Hit {
	if slices.ContainsFunc(hs, func(h Hit) bool { return !h.StatusDiffers }) {
		hs = slices.DeleteFunc(hs, func(h Hit) bool { return h.StatusDiffers })
	}
	top := 0
	for _, h := range hs {
		top = max(top, h.Score)
	}
	return slices.DeleteFunc(hs, func(h Hit) bool { return h.Score < top })
}
