package explain

import (
	"fmt"
	"slices"
	"strings"

	"github.com/grantcheck/grantcheck/harness/explain/answers"
)

// heard is what the provider's answer says, read through the table of real providers' answers.
type heard struct {
	answer     answers.Answer
	recognised *answers.Recognised // nil: not recognised
	hits       []answers.Hit
	rfc        bool // no provider entry matched: hits are RFC 6749 §5.2's meaning of the error value
}

// refused: the provider said no. An error member is a refusal whatever the status: some providers
// answer HTTP 200 with {"error": …} (a dialect RFC 6749 §5.2 does not allow, but they do). So is
// an answer without an access_token (RFC 6749 §5.1 requires one), such as a login page served
// at a wrong token endpoint URL.
func (d *diagnosis) refused() bool {
	r := d.in.Token.Response
	return r != nil && (r.Status >= 400 || d.errCode != "" || !d.issued())
}

// issued: the answer is a successful token response (RFC 6749 §5.1): 2xx (or unknown) with an
// access_token.
func (d *diagnosis) issued() bool {
	r := d.in.Token.Response
	if r == nil || r.Status >= 300 || (r.Status != 0 && r.Status < 200) {
		return false
	}
	a := d.heard.answer // no members when the body is not a JSON object
	return a.Error == "" && slices.Contains(a.Members, "access_token")
}

// listen reads the answer through the provider table. It runs after newDiagnosis read the answer.
func (d *diagnosis) listen() {
	if d.in.Token.Response == nil {
		return
	}
	h := &d.heard // h.answer: newDiagnosis read it
	if !d.refused() {
		return
	}
	table, err := answers.Load()
	if err != nil {
		d.skip("provider answers", err.Error())
		if table == nil {
			return
		}
	}
	where := answers.Where{TokenURL: d.in.Token.URL, Flow: d.in.Flow}
	if d.in.Config != nil {
		where.Issuer = d.in.Config.Provider.Issuer
	} else if d.in.Authorize != nil && d.in.Authorize.URL != nil {
		u := *d.in.Authorize.URL
		u.RawQuery, u.Fragment = "", ""
		where.Issuer = u.String()
	}
	if p := table.BySlug(d.in.Provider); p != nil {
		h.recognised = &answers.Recognised{Provider: p, By: "named with --provider"}
	} else {
		h.recognised = table.Recognise(where, h.answer)
	}
	if h.recognised != nil {
		// A recognised provider's answer is read through its own entries (or the RFC), never
		// through another provider's words.
		h.hits = answers.Match(h.recognised.Provider, h.answer)
	} else {
		h.hits = table.MatchWords(h.answer)
		if p := onlyProvider(h.hits); p != nil {
			h.recognised = &answers.Recognised{Provider: p, By: "its answer's words are this provider's"}
		}
	}
	if len(h.hits) == 0 {
		h.hits = answers.Match(table.RFC, h.answer)
		h.rfc = len(h.hits) > 0
	}
}

// onlyProvider is the one provider all hits are of, nil when none or several.
func onlyProvider(hits []answers.Hit) *answers.Provider {
	if len(hits) == 0 {
		return nil
	}
	p := hits[0].Provider
	for _, h := range hits[1:] {
		if h.Provider != p {
			return nil
		}
	}
	return p
}

// named is what the hits say: every cause they mean, whether the text fits several causes (an
// entry marked generic; several causes of an entry not marked generic hold together), and the hit
// naming each cause.
func (h *heard) named() (ids []string, generic bool, by map[string]answers.Hit) {
	by = map[string]answers.Hit{}
	for _, hit := range h.hits {
		if hit.Entry.Generic {
			generic = true
		}
		for _, id := range hit.Entry.Means {
			if _, seen := by[id]; !seen {
				ids = append(ids, id)
				by[id] = hit
			}
		}
	}
	// Several sub-cases of one cause (Keycloak's one text for a missing and a wrong secret) are
	// that cause: generic counts only when the causes differ.
	generic = h.rfc || (generic && len(ids) > 1)
	return ids, generic, by
}

// families are causes one provider text may name for another: a provider that says the verifier
// "does not match" when none was sent names the missing verifier.
var families = [][]string{
	{RedirectURIMissing, RedirectURIMismatch},
	{PKCEVerifierMissing, PKCEVerifierMismatch, PKCEVerifierUnexpected},
	{CodeReused, CodeExpired, CodeInvalid},
	{ClientMismatch, ClientAuthentication},
}

func sameFamily(a, b string) bool {
	for _, f := range families {
		if slices.Contains(f, a) && slices.Contains(f, b) {
			return true
		}
	}
	return false
}

// unshown says what it means when the provider names a cause the input was checked for and does
// not show.
var unshown = map[string]string{
	PKCEVerifierMismatch: "the code_verifier in the input does hash to the code_challenge of the authorization request in the " +
		"input, so that authorization request is most likely not the one that produced this code: an app that generates a " +
		"new verifier and challenge on every login attempt (a second tab, a retried or reloaded login) sends one attempt's " +
		"verifier with another attempt's code",
	RedirectURIMismatch: "the redirect_uri equals the one of the authorization request in the input, so the code most likely " +
		"came from another authorization request, or the provider compares with a registered URI that differs",
	CodeReused: "the recording shows no earlier redemption of this code, so it was most likely redeemed outside it (the " +
		"backend, another tab, a retry after a timeout, a link prefetcher)",
	ClientMismatch: "the client of the token request is the one of the authorization request in the input, so that " +
		"authorization request is most likely not the one that produced this code",
}

const unshownDefault = "the input does not show it, so the exchange the provider answered most likely differs from the " +
	"one in the input, or the provider knows something the request cannot show"

// tellApart is what would decide a cause that only fits the answer.
var tellApart = map[string]string{
	CodeReused:             "a HAR of the whole flow shows whether the code was redeemed before",
	CodeExpired:            "a HAR (the redirect's time) with --config giving code_ttl shows the code's age",
	CodeInvalid:            "--probe with a fresh code, or the provider's log for this request, shows whether the code was known at all",
	ClockSkew:              "a HAR with the provider's Date headers shows its clock",
	RedirectURIMissing:     "the authorization URL (--authorize-url) and the token request show both redirect_uri values",
	RedirectURIMismatch:    "the authorization URL (--authorize-url) and the token request show both redirect_uri values",
	PKCEVerifierMissing:    "the authorization URL shows the code_challenge, the token request the code_verifier",
	PKCEVerifierMismatch:   "the authorization URL shows the code_challenge, the token request the code_verifier",
	PKCEVerifierUnexpected: "the authorization URL shows whether a code_challenge was sent",
	ClientMismatch:         "the authorization URL shows the client_id the code was issued to",
	ClientAuthentication:   "--config with the client's secret and token_endpoint_auth_method",
	GrantTypeNotAllowed:    "--config with the client's grant_types",
	ScopeInvalid:           "--config with the client's scope, or the provider's console for the client's allowed scopes",
	RequestMalformed:       "the token request (--token-request) shows every parameter sent",
	UserOrConsent:          "a fresh login of the same user (--probe) shows whether the session or consent is still valid",
}

// weigh turns what the provider said into causes, against what the input proved (item 3 of
// issue 17): a cause the provider names comes first; with the input agreeing it is certain; a
// cause the input disproves is folded into the one it proves, quoting the provider; a text that
// fits several causes makes each possible, unless the input already proves one of them.
func (d *diagnosis) weigh() {
	h := &d.heard
	ids, generic, by := h.named()
	says := d.providerWords()
	// A provider's table entry reads its dialect: a cause only the error value's RFC meaning gave
	// ("invalid_client" read as client authentication) yields to what the entry names (Keycloak's
	// invalid_client "Bearer-only not allowed" is a client that may not get tokens at all).
	if !h.rfc && len(ids) > 0 {
		d.causes = slices.DeleteFunc(d.causes, func(c Cause) bool { return c.reading && !slices.Contains(ids, c.ID) })
	}
	// The input shows which of a generic text's causes it was: the others are not added. An error
	// value's RFC meaning yields to any cause the input shows; a provider's own generic text only
	// to one of its causes (Keycloak's "Code not valid" with a redirect_uri that also differs: the
	// code was refused first, the redirect_uri is a second mistake).
	inputShows := slices.ContainsFunc(d.causes, func(c Cause) bool { return h.rfc || slices.Contains(ids, c.ID) })
	for _, id := range ids {
		hit := by[id]
		words := says
		if hit.Entry.Misleading != "" {
			words += " (note: " + clip(hit.Entry.Misleading, maxNote) + ")"
		}
		if i := d.causeAt(id); i >= 0 { // the input shows it too
			c := &d.causes[i]
			if !h.rfc {
				c.named = true
				if !generic { // a text naming only this cause agrees with the input: certain
					c.Confidence = Certain
				}
				d.cite(c, hit)
			}
			c.Evidence += "; " + words
			continue
		}
		if generic && inputShows {
			continue // the input already shows which cause it was
		}
		checked := d.ruledOut(id)
		if checked {
			if folded := d.fold(id, words); folded || generic {
				continue // generic: the input rules this one out
			}
		}
		conf := Likely
		if generic {
			conf = Possible
		}
		ev := words
		if checked {
			note := unshown[id]
			if note == "" {
				note = unshownDefault
			}
			ev += "; " + note
		} else if generic {
			if t := tellApart[id]; t != "" {
				ev += "; would tell: " + t
			}
		}
		c := Cause{ID: id, Confidence: conf, Evidence: ev, Fix: fixFor(id), named: !h.rfc}
		d.cite(&c, hit)
		d.causes = append(d.causes, c)
	}
}

// fold attaches the provider's words naming id to a cause of the same family the input proves.
func (d *diagnosis) fold(id, words string) bool {
	for i := range d.causes {
		c := &d.causes[i]
		if sameFamily(c.ID, id) && c.Confidence == Certain {
			c.Evidence += fmt.Sprintf("; %s, naming %s, but the input shows %s", words, id, c.ID)
			c.named = !d.heard.rfc
			return true
		}
	}
	return false
}

// ruledOut: the input was checked for the cause and does not show it (a check that could not
// compare, for want of --config or of a step, does not rule it out).
func (d *diagnosis) ruledOut(id string) bool {
	return slices.Contains(d.checked, id) &&
		!slices.ContainsFunc(d.notChecked, func(n string) bool { return strings.HasPrefix(n, id+":") })
}

func (d *diagnosis) causeAt(id string) int {
	return slices.IndexFunc(d.causes, func(c Cause) bool { return c.ID == id })
}

// cite puts the provider's fix first and the table entry's source on the cause.
func (d *diagnosis) cite(c *Cause, hit answers.Hit) {
	c.Source = hit.Entry.Source
	if hit.Entry.Fix != "" && !strings.Contains(c.Fix, hit.Entry.Fix) {
		c.Fix = hit.Provider.Name + ": " + hit.Entry.Fix + " " + c.Fix
	}
}

// providerWords quotes the answer: who said it and what, with the provider's text bounded.
func (d *diagnosis) providerWords() string {
	h := &d.heard
	who := "the provider"
	if h.recognised != nil {
		who = h.recognised.Provider.Name
	}
	s := who + " answered"
	if st := h.answer.Status; st != 0 {
		s += fmt.Sprintf(" HTTP %d", st)
	}
	if d.errCode != "" {
		s += " " + d.errCode
	}
	if d.errDesc != "" {
		s += fmt.Sprintf(" “%s”", clipText(d.errDesc))
	}
	switch {
	case h.rfc:
		s += ", which RFC 6749 §5.2 defines as " + rfcMeaning(h)
	case h.recognised == nil && len(h.hits) > 0:
		s += ", the words of " + providerNames(h.hits)
	}
	return s
}

// rfcMeaning quotes the specification's definition of the error value.
func rfcMeaning(h *heard) string {
	return "“" + h.hits[0].Entry.Quote + "”"
}

func providerNames(hits []answers.Hit) string {
	var names []string
	for _, h := range hits {
		if !slices.Contains(names, h.Provider.Name) {
			names = append(names, h.Provider.Name)
		}
	}
	return strings.Join(names, " and ")
}

// fixFor is the general fix of a cause the provider named and the input did not show.
func fixFor(id string) string {
	switch id {
	case CodeReused:
		return "Redeem each code exactly once: make the callback handler idempotent (a reload, a double submit or a " +
			"retry after a timeout must not redeem again) and keep the tokens from the first redemption."
	case CodeExpired:
		return "Redeem the code as soon as the redirect arrives; a code lives seconds to minutes (RFC 6749 §4.1.2 " +
			"recommends at most 10)."
	case CodeInvalid:
		return "Send the code exactly as the redirect delivered it (decoded once, not truncated or re-encoded), to the " +
			"token endpoint of the server (tenant, realm) that issued it; start a new login for a fresh code."
	case RedirectURIMissing, RedirectURIMismatch:
		return fixRedirect
	case PKCEVerifierMissing:
		return fixVerifierMissing
	case PKCEVerifierMismatch:
		return fixVerifierMismatch
	case PKCEVerifierUnexpected:
		return fixVerifierUnexpected
	case ClientMismatch:
		return fixClient
	case ClientAuthentication:
		return fixAuth
	case GrantTypeNotAllowed:
		return "Register the grant type for the client at the provider, or use a client that has it."
	case ScopeInvalid:
		return "Request only scopes the client is allowed (the provider's client settings list them), spelled as the provider defines them."
	case RequestMalformed:
		return "Send every required parameter once, form-encoded (application/x-www-form-urlencoded): grant_type, code, " +
			"redirect_uri, and the client's credentials (RFC 6749 §4.1.3)."
	case UserOrConsent:
		return "Have the user sign in again; the session, consent or account behind the code is no longer valid."
	}
	return "Read the provider's documentation of this answer (the source below) and its log for the request; --probe reproduces it with a fresh code."
}

// unexplained keeps a refusal from reading as "nothing wrong" when no check and no word of the
// provider names a cause.
func (d *diagnosis) unexplained() {
	if len(d.causes) > 0 || !d.refused() {
		return
	}
	ev := "the provider refused (" + d.responseSays() + ")"
	if d.errDesc != "" {
		ev += fmt.Sprintf(", saying “%s”", clipText(d.errDesc))
	}
	ev += ", but every check passed"
	if len(d.checked) > 0 {
		ev += " (" + strings.Join(d.checked, ", ") + ")"
	}
	ev += " and no provider answer in the table explains it"
	d.add(Unexplained, Possible, ev, "Read the provider's log for this request (it names the failed check); --config with "+
		"--probe reproduces the exchange with fresh codes, one changed parameter at a time.")
}

func (d *diagnosis) providerInfo() *Provider {
	h := &d.heard
	if h.recognised == nil {
		return nil
	}
	p := h.recognised.Provider
	return &Provider{Name: d.show(p.Name), By: d.show(h.recognised.By), Docs: d.show(p.Docs)}
}

// maxNote bounds a table entry's note quoted in evidence.
const maxNote = 240

// maxQuoted bounds the provider's text quoted in the report.
const maxQuoted = 300

func (d *diagnosis) quotedAnswer() *Answer {
	r := d.in.Token.Response
	if r == nil {
		return nil
	}
	return &Answer{Status: r.Status, Error: d.show(clip(d.errCode, maxQuoted)), Description: d.show(clip(d.errDesc, maxQuoted)), Refused: d.refused()}
}

func clip(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}
