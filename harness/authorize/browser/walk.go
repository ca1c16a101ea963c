package browser

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/grantcheck/grantcheck/harness/authorize"
	"github.com/grantcheck/grantcheck/harness/config"
	"github.com/grantcheck/grantcheck/harness/transcript"
)

// poll is how often the walker looks at the page: a JavaScript login renders when it likes.
const poll = 15 * time.Millisecond

// Walker walks one flow's pages in a fresh browser context.
type Walker struct {
	B     *Browser
	Login config.Login
	Log   *transcript.Log
	// Artifacts is the folder for screenshots of pages no step matches ("" for the system's
	// temporary folder).
	Artifacts string

	mu   sync.Mutex
	last time.Time
}

// LastNavigation is when the latest document request the flow let through was sent: the code in
// the redirect that followed was issued no earlier.
func (w *Walker) LastNavigation() time.Time {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.last
}

// navigations is what the Fetch handler saw of one flow's document requests.
type navigations struct {
	mu       sync.Mutex
	finished bool     // the walk returned: every later request is failed
	stopped  *url.URL // the navigation Route.Stop ended the flow at, failed unloaded
	count    int      // document requests let through (a changed page resets a step's use)
	pages    int      // main-frame document requests let through, bounded by login.max_pages
	full     bool     // a main-frame request beyond login.max_pages was failed: the walk ends
	status   int      // status of the latest main-frame document
	pending  map[fetch.RequestID]sent
}

// sent is a document request let through, waiting for its response.
type sent struct {
	rec   transcript.Record
	start time.Time
}

func (w *Walker) Walk(ctx context.Context, r authorize.Route) (authorize.Landing, error) {
	red := w.Log.Redactor
	steps, err := compile(w.Login.Steps)
	if err != nil {
		return authorize.Landing{}, err
	}
	opened := time.Now()
	tab, release, err := w.B.tab(ctx)
	if err != nil {
		return authorize.Landing{}, fmt.Errorf("login: %w", err)
	}
	defer release()
	w.Log.Note("browser: a fresh browser context opened in %s", time.Since(opened).Round(time.Millisecond))
	// Actions run in the tab, bounded by the flow's own deadline and cancellation.
	actx, cancel := context.WithCancelCause(tab)
	defer cancel(nil)
	defer context.AfterFunc(ctx, func() { cancel(context.Cause(ctx)) })()
	mainFrame := chromedp.FromContext(tab).Target.TargetID
	g := &guard{log: w.Log}
	g.watch(actx, w.B, mainFrame, r.OnProvider)

	cookies := &refused{red: red}
	cookies.watch(actx)
	nav := &navigations{pending: map[fetch.RequestID]sent{}}
	// The interception lives as long as the tab, not the walk: whatever the page still requests
	// after the walk ended (a timer's frame) is failed, never let through while the tab closes.
	defer nav.finish()
	paused := chromedp.Events(tab, fetch.RequestPaused)
	go w.intercept(tab, paused, r, nav, string(mainFrame))
	if _, err := chromedp.Call(actx, fetch.Enable, fetch.EnableParams{Patterns: []*fetch.RequestPattern{
		{ResourceType: network.ResourceTypeDocument, RequestStage: fetch.RequestStageRequest},
		{ResourceType: network.ResourceTypeDocument, RequestStage: fetch.RequestStageResponse},
	}}); err != nil {
		return authorize.Landing{}, fmt.Errorf("login: intercept navigations: %w", err)
	}
	w.mu.Lock()
	w.last = time.Now()
	w.mu.Unlock()
	// Page.navigate answers once the first document commits or fails; a failure here is the
	// redirect the handler stopped, or an error the loop below reports from the page.
	_, _ = chromedp.Call(actx, page.Navigate, page.NavigateParams{URL: r.AuthURL})

	giveUp := giveUpAt(ctx)
	var used *use // the step last applied, and on which page state
	var last use  // the same, kept when a later page matches no step
	returns := 0  // how often a step was applied again on its page after navigations: a login loop
	pageURL := r.AuthURL
	for {
		if land, ok := nav.landing(); ok {
			return land, nil
		}
		if nav.overflowed() {
			loop := ""
			if returns > 0 {
				loop = " (" + last.loop(red.Redact(last.url), returns) + ")"
			}
			return authorize.Landing{}, fmt.Errorf("login: no redirect to %s after %d pages (login.max_pages)%s%s%s", r.RedirectURI, w.Login.MaxPages, loop, g.says(), cookies.note())
		}
		if ctx.Err() != nil {
			return authorize.Landing{}, fmt.Errorf("%w%s%s", stopped(ctx, red, pageURL), g.says(), cookies.note())
		}
		pctx, cancelProbe := context.WithTimeout(actx, probeWait)
		st, err := probe(pctx, steps)
		cancelProbe()
		if actx.Err() == nil {
			g.looked(err == nil || pctx.Err() == nil)
		}
		if err == nil {
			pageURL = st.URL
			nav.mu.Lock()
			count, status := nav.count, nav.status
			nav.mu.Unlock()
			if status >= 400 {
				return authorize.Landing{PageURL: st.URL, Status: status,
					Detail: fmt.Sprintf("login: %s answered HTTP %d instead of a login page or a redirect to %s; page text: %s",
						red.Redact(st.URL), status, r.RedirectURI, red.Redact(st.Text))}, nil
			}
			i := st.match(steps)
			switch {
			case i < 0:
				used = nil
			case used != nil && used.step == i && used.url == st.URL && used.count == count && used.dialogs == g.dialogCount():
				// Applied already and the page has not changed yet: wait for it to react. (A dialog
				// shown since may have swallowed the click: then the step is applied again.)
			default:
				if _, ended := nav.landing(); ended {
					continue // the page was left meanwhile: the landing is reported next round
				}
				t0 := time.Now()
				err := w.apply(actx, i, w.Login.Steps[i])
				if errors.Is(err, errGone) {
					continue // the page changed between the probe and the step: probe it again
				}
				if err != nil && actx.Err() == nil {
					return authorize.Landing{}, fmt.Errorf("login: %s: %s%s", red.Redact(st.URL), red.Redact(err.Error()), g.says())
				}
				w.Log.Note("browser: login.steps[%d] applied on %s (%s, %s into the walk)", i, st.URL, time.Since(t0).Round(time.Millisecond), time.Since(opened).Round(time.Millisecond))
				if last.step == i && last.url == st.URL && last.count != count {
					returns++
				}
				used = &use{step: i, url: st.URL, count: count, dialogs: g.dialogCount()}
				last = *used
			}
		}
		if time.Now().After(giveUp) {
			why := "no login.steps entry matched page " + pageURL
			switch {
			case g.busy():
				why = "the page could not be read"
			case returns > 0:
				why = last.loop(last.url, returns) + ","
			case used != nil:
				why = fmt.Sprintf("login.steps[%d] was applied on page %s and the page did not change", used.step, pageURL)
			}
			return w.noMatch(actx, why+g.says(), cookies.note(), pageURL, nav, g.busy())
		}
		select {
		case <-time.After(poll):
		case <-ctx.Done():
		}
	}
}

type use struct {
	step    int
	url     string
	count   int
	dialogs int
}

// loop names a login that came back to the step's page returns times after it was applied there;
// page is the page's URL as the message shows it.
func (u use) loop(page string, returns int) string {
	return fmt.Sprintf("login.steps[%d] was applied on page %s %d times and each time the login came back to it", u.step, page, returns+1)
}

// giveUpAt leaves the end of timeouts.login for describing the page and saving its screenshot.
func giveUpAt(ctx context.Context) time.Time {
	deadline, ok := ctx.Deadline()
	if !ok {
		return time.Now().Add(30 * time.Second)
	}
	margin := min(2*time.Second, time.Until(deadline)/5)
	return deadline.Add(-margin)
}

func stopped(ctx context.Context, red *transcript.Redactor, where string) error {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return fmt.Errorf("login: gave up at %s (timeouts.login)", red.Redact(where))
	}
	return fmt.Errorf("login: interrupted at %s: %w", red.Redact(where), context.Cause(ctx))
}

func (n *navigations) finish() {
	n.mu.Lock()
	n.finished = true
	n.mu.Unlock()
}

func (n *navigations) overflowed() bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.full
}

func (n *navigations) landing() (authorize.Landing, bool) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.stopped != nil {
		return authorize.Landing{Redirect: n.stopped}, true
	}
	return authorize.Landing{}, false
}

// intercept decides every paused document request: a navigation Route.Stop ends the flow at is
// recorded and failed (nothing is loaded from it); every other one continues. Each goes into the
// transcript, redacted.
func (w *Walker) intercept(ctx context.Context, paused iter.Seq2[fetch.EventRequestPaused, error], r authorize.Route, nav *navigations, mainFrame string) {
	red := w.Log.Redactor
	for ev, err := range paused {
		if err != nil {
			return
		}
		raw := ev.Request.URL + ev.Request.URLFragment
		main := string(ev.FrameID) == mainFrame
		nav.mu.Lock()
		ended := nav.stopped != nil || nav.finished
		nav.mu.Unlock()
		if ended {
			// The flow ended: nothing more is loaded, and Route.Stop (which remembers its last
			// answer) is not asked again.
			_, _ = chromedp.Call(ctx, fetch.FailRequest, fetch.FailRequestParams{RequestID: ev.RequestID, ErrorReason: network.ErrorReasonAborted})
			continue
		}
		if ev.ResponseStatusCode != 0 || ev.ResponseErrorReason != "" { // response stage
			nav.mu.Lock()
			p, ok := nav.pending[ev.RequestID]
			delete(nav.pending, ev.RequestID)
			if main {
				nav.status = int(ev.ResponseStatusCode)
			}
			nav.mu.Unlock()
			rec := p.rec
			if !ok {
				rec = transcript.Record{Step: "browser: navigation", Method: ev.Request.Method, URL: red.Redact(raw)}
			} else {
				rec.Duration = time.Since(p.start)
			}
			rec.Status = fmt.Sprintf("%d %s", ev.ResponseStatusCode, ev.ResponseStatusText)
			if ev.ResponseErrorReason != "" {
				rec.Err = string(ev.ResponseErrorReason)
			}
			for _, h := range ev.ResponseHeaders {
				if strings.EqualFold(h.Name, "Location") || strings.EqualFold(h.Name, "Content-Type") {
					rec.Response += red.Redact(h.Name+": "+h.Value) + "\n"
				}
			}
			w.Log.Append(rec)
			// A redirect to where the flow stops is decided on the redirect itself: failed here, it
			// is never followed (the next hop is not always paused before it is sent).
			if loc := location(ev.ResponseHeaders); main && ev.ResponseStatusCode >= 300 && ev.ResponseStatusCode < 400 && loc != "" {
				if base, err := url.Parse(raw); err == nil {
					if target, err := base.Parse(loc); err == nil && r.Stop(target) {
						w.stop(ctx, nav, ev.RequestID, ev.Request.Method, target)
						continue
					}
				}
			}
			_, _ = chromedp.Call(ctx, fetch.ContinueResponse, fetch.ContinueResponseParams{RequestID: ev.RequestID})
			continue
		}
		target, perr := url.Parse(raw)
		if perr == nil && main && r.Stop(target) {
			w.stop(ctx, nav, ev.RequestID, ev.Request.Method, target)
			continue
		}
		// A frame inside the page is held to the provider's hosts, by the rule the browser's own
		// interception holds every other target to (Route.OnProvider; Route.Stop remembers its
		// answer for the flow's landing, so only the main frame asks it): a document from another
		// host is not loaded (the flow goes on in the main frame).
		if !main && (perr != nil || r.OnProvider == nil || !r.OnProvider(target)) {
			w.Log.Append(transcript.Record{Step: "browser: a frame's navigation, blocked (not on the provider's hosts)",
				Method: ev.Request.Method, URL: red.Redact(raw), Status: "(failed by the harness)"})
			_, _ = chromedp.Call(ctx, fetch.FailRequest, fetch.FailRequestParams{RequestID: ev.RequestID, ErrorReason: network.ErrorReasonBlockedByClient})
			continue
		}
		// login.max_pages bounds the main frame's documents, as it bounds the form driver's pages:
		// a login that loops is not sent again and again until timeouts.login.
		nav.mu.Lock()
		full := main && w.Login.MaxPages > 0 && nav.pages >= w.Login.MaxPages
		if main && !full {
			nav.pages++
		}
		nav.full = nav.full || full
		nav.mu.Unlock()
		if full {
			w.Log.Append(transcript.Record{Step: "browser: navigation beyond login.max_pages, not sent",
				Method: ev.Request.Method, URL: red.Redact(raw), Status: "(failed by the harness)"})
			_, _ = chromedp.Call(ctx, fetch.FailRequest, fetch.FailRequestParams{RequestID: ev.RequestID, ErrorReason: network.ErrorReasonAborted})
			continue
		}
		body := ""
		if ev.Request.HasPostData {
			body = "(a form body; not shown)"
		}
		now := time.Now()
		nav.mu.Lock()
		nav.pending[ev.RequestID] = sent{start: now, rec: transcript.Record{Step: "browser: navigation",
			Method: ev.Request.Method, URL: red.Redact(raw), Request: body}}
		nav.count++
		nav.mu.Unlock()
		w.mu.Lock()
		w.last = now
		w.mu.Unlock()
		_, _ = chromedp.Call(ctx, fetch.ContinueRequest, fetch.ContinueRequestParams{RequestID: ev.RequestID})
	}
}

// stop ends the flow at target: the paused request is failed (before the walk may end, as a tab
// closed with it still paused lets it through) and the target recorded, its code learned first.
func (w *Walker) stop(ctx context.Context, nav *navigations, id fetch.RequestID, method string, target *url.URL) {
	red := w.Log.Redactor
	raw := target.String()
	red.Redact(raw)
	w.Log.Append(transcript.Record{Step: "browser: navigation stopped, not loaded", Method: method,
		URL: red.Redact(raw), Status: "(failed by the harness: the flow ends here)"})
	if _, err := chromedp.Call(ctx, fetch.FailRequest, fetch.FailRequestParams{RequestID: id, ErrorReason: network.ErrorReasonAborted}); err != nil {
		w.Log.Note("browser: failing the navigation to %s: %s", red.Redact(raw), red.Redact(err.Error()))
	}
	nav.mu.Lock()
	if nav.stopped == nil {
		nav.stopped = target
	}
	nav.mu.Unlock()
}

func location(headers []*fetch.HeaderEntry) string {
	for _, h := range headers {
		if strings.EqualFold(h.Name, "Location") {
			return h.Value
		}
	}
	return ""
}

// step is a login step with its URL expression compiled and the selectors it needs visible.
type step struct {
	url       *regexp.Regexp
	selectors []string
}

func compile(steps []config.Step) ([]step, error) {
	out := make([]step, len(steps))
	for i, s := range steps {
		re, err := regexp.Compile(s.URL)
		if err != nil {
			return nil, fmt.Errorf("login.steps[%d].url: %w", i, err)
		}
		sels := slices.Sorted(mapKeys(s.Fill))
		if s.Click != "" {
			sels = append(sels, s.Click)
		}
		out[i] = step{url: re, selectors: sels}
	}
	return out, nil
}

func mapKeys(m map[string]string) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// state is what one look at the page found.
type state struct {
	URL     string          `json:"url"`
	Visible map[string]bool `json:"visible"`
	Text    string          `json:"text"`
}

func (s state) match(steps []step) int {
	for i, st := range steps {
		if !st.url.MatchString(s.URL) {
			continue
		}
		all := true
		for _, sel := range st.selectors {
			all = all && s.Visible[sel]
		}
		if all {
			return i
		}
	}
	return -1
}

// visibleJS is true for an element a user can see and use: rendered, not hidden, not disabled.
const visibleJS = `function visible(el) {
  if (!el || el.disabled) return false;
  const st = getComputedStyle(el);
  if (st.visibility === 'hidden' || st.display === 'none' || Number(st.opacity) === 0) return false;
  const r = el.getBoundingClientRect();
  return r.width > 0 && r.height > 0;
}`

func probe(ctx context.Context, steps []step) (state, error) {
	var sels []string
	for _, s := range steps {
		sels = append(sels, s.selectors...)
	}
	arg, _ := json.Marshal(sels)
	expr := `(() => { ` + visibleJS + `
  const out = {url: location.href, visible: {}, text: (document.body ? document.body.innerText : '').replace(/\s+/g, ' ').slice(0, 160)};
  for (const s of ` + string(arg) + `) { try { out.visible[s] = visible(document.querySelector(s)); } catch (e) { out.visible[s] = false; } }
  return out; })()`
	return chromedp.Run(ctx, chromedp.Evaluate[state](expr))
}

// apply fills the step's fields (as a framework sees typing: value set, input and change fired)
// and clicks its element with the mouse.
// errGone: an element the probe saw visible was gone when the step reached it (the page was
// re-rendering or navigating); the walk probes again rather than failing the login.
var errGone = errors.New("the element went away")

func (w *Walker) apply(ctx context.Context, i int, s config.Step) error {
	for _, sel := range slices.Sorted(mapKeys(s.Fill)) {
		value := strings.NewReplacer("{{username}}", w.Login.Username, "{{password}}", w.Login.Password).Replace(s.Fill[sel])
		args, _ := json.Marshal([]string{sel, value})
		expr := `(([sel, v]) => { const el = document.querySelector(sel); if (!el) return false; el.focus();
  const proto = el instanceof HTMLTextAreaElement ? HTMLTextAreaElement.prototype : el instanceof HTMLSelectElement ? HTMLSelectElement.prototype : HTMLInputElement.prototype;
  Object.getOwnPropertyDescriptor(proto, 'value').set.call(el, v);
  el.dispatchEvent(new Event('input', {bubbles: true})); el.dispatchEvent(new Event('change', {bubbles: true}));
  return true; })(` + string(args) + `)`
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](expr))
		if err != nil {
			return fmt.Errorf("login.steps[%d].fill %q: %w", i, sel, err)
		}
		if !ok {
			return fmt.Errorf("login.steps[%d].fill %q: %w", i, sel, errGone)
		}
	}
	if s.Click == "" {
		return nil
	}
	// The element's centre, scrolled into view, gets a real mouse press and release (trusted
	// events, as a user's); whatever covers that point receives them, as it would a user's.
	args, _ := json.Marshal(s.Click)
	at, err := chromedp.Run(ctx, chromedp.Evaluate[*point](`((sel) => { const el = document.querySelector(sel); if (!el) return null;
  el.scrollIntoView({block: 'center', inline: 'center'}); const r = el.getBoundingClientRect();
  return {x: r.left + r.width / 2, y: r.top + r.height / 2}; })(`+string(args)+`)`))
	if err != nil {
		return fmt.Errorf("login.steps[%d].click %q: %w", i, s.Click, err)
	}
	if at == nil {
		return fmt.Errorf("login.steps[%d].click %q: %w", i, s.Click, errGone)
	}
	if err := chromedp.Do(ctx, chromedp.MouseClickXY(at.X, at.Y)); err != nil {
		return fmt.Errorf("login.steps[%d].click %q: %w", i, s.Click, err)
	}
	return nil
}

type point struct{ X, Y float64 }

// control is one visible input or button, with a selector that matches only it.
type control struct {
	Selector string `json:"selector"`
	Kind     string `json:"kind"`
	Label    string `json:"label"`
}

const describeJS = `(() => { ` + visibleJS + `
  const unique = (el) => {
    const tag = el.tagName.toLowerCase();
    const tries = [];
    if (el.id) tries.push('#' + CSS.escape(el.id));
    if (el.name) tries.push(tag + '[name="' + el.name + '"]');
    if (el.type && tag !== 'textarea') tries.push(tag + '[type="' + el.type + '"]');
    for (const t of tries) { try { if (document.querySelectorAll(t).length === 1) return t; } catch (e) {} }
    const path = [];
    for (let n = el; n && n.nodeType === 1 && n !== document.documentElement; n = n.parentElement) {
      let i = 1; for (let s = n.previousElementSibling; s; s = s.previousElementSibling) if (s.tagName === n.tagName) i++;
      path.unshift(n.tagName.toLowerCase() + ':nth-of-type(' + i + ')');
    }
    return path.join(' > ');
  };
  const out = [];
  for (const el of document.querySelectorAll('input, select, textarea, button, [role=button], a[href]')) {
    if (!visible(el) || (el.tagName === 'INPUT' && el.type === 'hidden')) continue;
    const kind = el.tagName === 'INPUT' ? 'input type=' + el.type : el.tagName.toLowerCase();
    const label = (el.innerText || el.placeholder || el.getAttribute('aria-label') || el.name || '').trim().slice(0, 40);
    out.push({selector: unique(el), kind, label});
    if (out.length >= 20) break;
  }
  return out; })()`

// noMatch is the end of a walk on a page no step matches for the rest of timeouts.login: the
// page, what a step could name on it, a screenshot beside the reports, and cookies (the account
// of the cookies Chromium did not store, "" for none).
func (w *Walker) noMatch(actx context.Context, why, cookies, pageURL string, nav *navigations, busy bool) (authorize.Landing, error) {
	red := w.Log.Redactor
	nav.mu.Lock()
	status := nav.status
	nav.mu.Unlock()
	if busy { // a page that answers no script gives neither controls nor a screenshot
		return authorize.Landing{PageURL: pageURL, Status: status, Detail: red.Redact("login: " + why + cookies)}, nil
	}
	dctx, cancel := context.WithTimeout(actx, probeWait)
	defer cancel()
	actx = dctx
	controls, err := chromedp.Run(actx, chromedp.Evaluate[[]control](describeJS))
	var seen []string
	for _, c := range controls {
		seen = append(seen, fmt.Sprintf("%s %q (selector %s)", c.Kind, c.Label, c.Selector))
	}
	what := "no visible inputs or buttons"
	if err != nil {
		what = "its controls could not be read: " + err.Error()
	} else if len(seen) > 0 {
		what = "visible: " + strings.Join(seen, "; ")
	}
	shot := w.screenshot(actx)
	msg := fmt.Sprintf("login: %s for the rest of timeouts.login (a browser step matches when its url matches and every selector in fill and click is visible); %s; %s%s",
		why, what, shot, cookies)
	return authorize.Landing{PageURL: pageURL, Status: status, Detail: red.Redact(msg)}, nil
}

var shotMu sync.Mutex

// screenshot saves the page as a PNG in Artifacts, attaches it to the transcript (the reports
// link it) and says where it is, for the error message.
func (w *Walker) screenshot(ctx context.Context) string {
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		return "no screenshot: " + err.Error()
	}
	dir := w.Artifacts
	if dir == "" {
		dir = os.TempDir()
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "no screenshot: " + err.Error()
	}
	shotMu.Lock()
	defer shotMu.Unlock()
	f, err := os.CreateTemp(dir, "login-no-step-*.png")
	if err != nil {
		return "no screenshot: " + err.Error()
	}
	defer f.Close()
	if _, err := f.Write(png); err != nil {
		return "no screenshot: " + err.Error()
	}
	path := filepath.Clean(f.Name())
	shown := path
	if w.Artifacts != "" {
		shown = filepath.Base(path) // beside the reports: linked relative to them
	}
	w.Log.Attach("screenshot of the page no login step matched", shown)
	return "screenshot: " + path
}
