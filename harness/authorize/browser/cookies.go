package browser

import (
	"context"
	"fmt"
	"strings"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/grantcheck/grantcheck/harness/authorize"

	"github.com/grantcheck/grantcheck/harness/transcript"
)

// refused remembers the cookies a flow's responses set that Chromium did not store, with
// Chromium's own reasons (Network.responseReceivedExtraInfo's blockedCookies, for every request
// of the page, its scripts' included): a login that then loops back to its sign-in page usually
// lost its session that way, and the message should say so. Values are never kept or shown.
type refused struct {
	red *transcript.Redactor
	authorize.RefusedCookies
}

// watch collects what Chromium reports until ctx ends.
func (rc *refused) watch(ctx context.Context) {
	events := chromedp.Events(ctx, network.ResponseReceivedExtraInfo)
	go func() {
		for ev, err := range events {
			if err != nil {
				return
			}
			for _, b := range ev.BlockedCookies {
				rc.add(b)
			}
		}
	}()
}

func (rc *refused) add(b *network.BlockedSetCookieWithReason) {
	name := ""
	if b.Cookie != nil {
		name = b.Cookie.Name
	} else if n, _, ok := strings.Cut(strings.SplitN(b.CookieLine, ";", 2)[0], "="); ok {
		name = strings.TrimSpace(n) // without "=", the whole pair is the value (rfc6265bis, "The Set-Cookie Header Field", step 3; Chromium follows it)
	}
	shown := "a cookie without a name"
	if name != "" {
		shown = fmt.Sprintf("%q", transcript.Clip(rc.red.Redact(name), 60))
	}
	why := make([]string, len(b.BlockedReasons))
	for i, r := range b.BlockedReasons {
		s, ok := blockedReasons[r]
		if d := domainAttr(b.CookieLine); r == network.SetCookieBlockedReasonInvalidDomain && d != "" {
			s += ": Domain=" + transcript.Clip(rc.red.Redact(d), 60)
		}
		why[i] = string(r)
		if ok {
			why[i] += " (" + s + ")"
		}
	}
	rc.Add(shown, strings.Join(why, " and "))
}

// domainAttr is the Domain attribute of a Set-Cookie line (the attributes follow the first ";",
// after the value), "" for none.
func domainAttr(line string) string {
	_, attrs, _ := strings.Cut(line, ";")
	d := ""
	for _, a := range strings.Split(attrs, ";") {
		if k, v, _ := strings.Cut(a, "="); strings.EqualFold(strings.TrimSpace(k), "domain") {
			d = strings.TrimSpace(v) // the last one counts (RFC 6265 §5.3 step 4)
		}
	}
	return d
}

// blockedReasons are Chromium's reasons (the protocol's SetCookieBlockedReason), in the words
// of its DevTools; a reason not listed is shown by its name alone.
var blockedReasons = map[network.SetCookieBlockedReason]string{
	network.SetCookieBlockedReasonSecureOnly:                      "it has the Secure attribute but came over an insecure connection",
	network.SetCookieBlockedReasonSameSiteStrict:                  "it has SameSite=Strict but came from a cross-site response that was not a top-level navigation",
	network.SetCookieBlockedReasonSameSiteLax:                     "it has SameSite=Lax but came from a cross-site response that was not a top-level navigation",
	network.SetCookieBlockedReasonSameSiteUnspecifiedTreatedAsLax: "it has no SameSite attribute, so counts as SameSite=Lax, and came from a cross-site response that was not a top-level navigation",
	network.SetCookieBlockedReasonSameSiteNoneInsecure:            "it has SameSite=None without the Secure attribute that SameSite=None requires",
	network.SetCookieBlockedReasonThirdPartyPhaseout:              "third-party cookies are blocked",
	network.SetCookieBlockedReasonSyntaxError:                     "its syntax is invalid",
	network.SetCookieBlockedReasonSchemeNotSupported:              "the URL's scheme may not set cookies",
	network.SetCookieBlockedReasonOverwriteSecure:                 "it came over an insecure connection and would overwrite a Secure cookie",
	network.SetCookieBlockedReasonInvalidDomain:                   "its Domain attribute is not valid for the host that set it",
	network.SetCookieBlockedReasonInvalidPrefix:                   "its __Secure- or __Host- name breaks the rules of that prefix",
	network.SetCookieBlockedReasonNameValuePairExceedsMaxSize:     "its name and value exceed 4096 bytes",
	network.SetCookieBlockedReasonDisallowedCharacter:             "it contains characters a cookie may not",
	network.SetCookieBlockedReasonNoCookieContent:                 "it has neither name nor value",
}

// note is the account of the refused cookies for a message, "" for none.
func (rc *refused) note() string { return rc.Note("Chromium did not store") }
