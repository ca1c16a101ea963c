package browser

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"

	"github.com/grantcheck/grantcheck/harness/transcript"
)

// probeWait is how long one look at the page may take. A page whose JavaScript does not yield
// (a script busy in an endless loop) answers no look at all; it is named as such, not left to
// end as an unexplained timeout.
const probeWait = 2 * time.Second

// guard holds what a flow's page does besides its document: the windows it opens (closed as they
// open: a login is walked in one window, and a new window would load from any host, which the
// main frame may not), the JavaScript dialogs it shows (dismissed, since nobody can answer them
// and an open dialog stalls the page), and whether its script stopped answering.
type guard struct {
	log *transcript.Log

	mu        sync.Mutex
	windows   int      // new windows the page opened (each is named in the transcript)
	dialogs   []string // "alert \"…\""
	busySince time.Time
}

// watch has the browser close the windows the flow's page opens (and tell the flow), and
// dismisses its dialogs, until actx ends.
func (g *guard) watch(actx context.Context, b *Browser, main target.ID, onProvider func(*url.URL) bool) {
	release := b.popups.watch(main, onProvider, func(u string) {
		g.mu.Lock()
		g.windows++
		g.mu.Unlock()
		g.log.Note("browser: the page opened a new window (%s); closed unloaded: a login is walked in one window, held to the provider's hosts", orBlank(g.log.Redactor.Redact(u)))
	})
	context.AfterFunc(actx, release)
	go func() {
		for ev, err := range chromedp.Events(actx, page.JavascriptDialogOpening) {
			if err != nil {
				return
			}
			// beforeunload is accepted, so the page may leave; every other dialog is dismissed.
			accept := ev.Type == page.DialogTypeBeforeunload
			_, _ = chromedp.Call(actx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: accept})
			shown := fmt.Sprintf("%s %q", ev.Type, transcript.Clip(g.log.Redactor.Redact(ev.Message), 120))
			g.mu.Lock()
			g.dialogs = append(g.dialogs, shown)
			g.mu.Unlock()
			what := "dismissed"
			if accept {
				what = "accepted (the page may leave)"
			}
			g.log.Note("browser: the page showed a JavaScript %s dialog; %s", shown, what)
		}
	}()
}

// looked records whether a look at the page got an answer within probeWait.
func (g *guard) looked(answered bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	switch {
	case answered:
		g.busySince = time.Time{}
	case g.busySince.IsZero():
		g.busySince = time.Now().Add(-probeWait)
	}
}

// says is what the page did that a message about the walk must name: a script that stopped
// answering, the dialogs it showed, the windows it opened. "" when none.
func (g *guard) says() string {
	g.mu.Lock()
	defer g.mu.Unlock()
	var parts []string
	if !g.busySince.IsZero() {
		parts = append(parts, fmt.Sprintf("the page's JavaScript has not answered for %s: a script busy in an endless loop keeps the page from being read or used",
			time.Since(g.busySince).Round(100*time.Millisecond)))
	}
	if n := len(g.dialogs); n > 0 {
		parts = append(parts, fmt.Sprintf("the page showed %d JavaScript %s (dismissed): %s", n, plural(n, "dialog", "dialogs"), strings.Join(first(g.dialogs, 3), ", ")))
	}
	if n := g.windows; n > 0 {
		parts = append(parts, fmt.Sprintf("the page opened %d new %s (closed)", n, plural(n, "window", "windows")))
	}
	if len(parts) == 0 {
		return ""
	}
	return "; " + strings.Join(parts, "; ")
}

// dialogCount is how many dialogs the page has shown.
func (g *guard) dialogCount() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return len(g.dialogs)
}

// busy reports whether the page's script has stopped answering.
func (g *guard) busy() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	return !g.busySince.IsZero()
}

func first(s []string, n int) []string { return s[:min(n, len(s))] }

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func orBlank(u string) string {
	if u == "" {
		return "about:blank"
	}
	return u
}
