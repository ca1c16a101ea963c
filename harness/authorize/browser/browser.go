// Package browser is the browser login driver: a real headless Chromium, driven over the DevTools
// protocol (chromedp), walks the provider's pages — JavaScript logins included — while every
// document navigation is paused at the network layer, so the one to redirect_uri is read and
// failed, never loaded.
package browser

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/css"
	"github.com/chromedp/cdproto/dom"
	"github.com/chromedp/cdproto/inspector"
	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/grantcheck/grantcheck/harness/config"
)

// Flows is how many flows share the browser at once. The machines this runs on have 2 cores, but
// a flow also waits on its page's timers and the provider: measured against the reference's
// JavaScript login, the whole suite ran about 1 s (8%) faster with 3 than with 2, and no faster
// with 4.
const Flows = 3

// candidates are the names Find looks for when login.browser.executable is "". Headless, Debian's
// chromium-headless-shell comes first: the same Chromium (Blink, V8, network stack) built without
// the browser's windows and toolbars, which a full chromium builds again for every isolated
// context; measured here, a flow costs about a third of the CPU (see the package's benchmark).
var candidates = []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"}

const headlessShell = "chromium-headless-shell"

// Find resolves the browser to start: executable when set, else the first candidate on PATH
// (the headless shell first when headless). Its error is the one-line setup message a user sees.
func Find(executable string, headless bool) (string, error) {
	if executable != "" {
		path, err := exec.LookPath(executable)
		if err != nil {
			return "", fmt.Errorf("login.browser.executable %q: %v; install the Debian package chromium (apt-get install -y chromium) or fix the setting", executable, err)
		}
		return path, nil
	}
	names := candidates
	if headless {
		names = append([]string{headlessShell}, candidates...)
	}
	for _, name := range names {
		if path, err := exec.LookPath(name); err == nil {
			return path, nil
		}
	}
	return "", fmt.Errorf("login.driver browser: no browser found (looked for %s on PATH); install the Debian package chromium (apt-get install -y chromium, and chromium-headless-shell for faster headless runs) or set login.browser.executable",
		strings.Join(names, ", "))
}

// Browser is one Chromium process shared by every flow of a run; each flow gets its own browser
// context (no cookies or storage shared) and a slot among Flows.
type Browser struct {
	ctx     context.Context // the browser's root chromedp context
	cancel  func()
	slots   chan struct{}
	dataDir string
	path    string
	popups  popups
}

// Start launches the browser with a fresh profile directory.
func Start(cfg config.Browser) (*Browser, error) {
	path, err := Find(cfg.Executable, cfg.IsHeadless())
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "grantcheck-browser-")
	if err != nil {
		return nil, fmt.Errorf("browser profile directory: %w", err)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.UserDataDir(dir),
		// Flags for a root container and a quiet, offline-by-default browser: no GPU, no QUIC, no
		// background fetches to Google that would add noise and time.
		chromedp.Flag("headless", cfg.IsHeadless()),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		// A full chromium builds an omnibox popup (two WebUI renderers) for every window, and every
		// isolated context is a window: a quarter of a flow's CPU. The first two are chromedp's.
		chromedp.Flag("disable-features", "Translate,BlinkGenPropertyTrees,WebUIOmniboxPopup,WebUIOmniboxAimPopup,WebUIOmniboxFullPopup"),
	)
	if !cfg.IsHeadless() {
		opts = append(opts, chromedp.VisibleWindow)
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(allocCtx)
	b := &Browser{ctx: ctx, slots: make(chan struct{}, Flows), dataDir: dir, path: path}
	b.cancel = sync.OnceFunc(func() {
		cancelCtx()
		cancelAlloc()
		_ = os.RemoveAll(dir)
	})
	// The first Do starts the process; its context (not a timeout) owns the browser's life.
	if err := chromedp.Do(ctx); err != nil {
		b.cancel()
		return nil, fmt.Errorf("start %s: %w", path, err)
	}
	if err := b.popups.start(ctx); err != nil {
		b.cancel()
		return nil, fmt.Errorf("start %s: hold new windows: %w", path, err)
	}
	return b, nil
}

// Close stops the browser and removes its profile.
func (b *Browser) Close() {
	if b == nil {
		return
	}
	b.cancel()
}

// tab opens a tab in a fresh browser context, once a slot is free; release closes both.
func (b *Browser) tab(ctx context.Context) (tab context.Context, release func(), err error) {
	select {
	case b.slots <- struct{}{}:
	case <-ctx.Done():
		return nil, nil, context.Cause(ctx)
	}
	// A context is opened when a flow needs it, not ahead: opening one is CPU the other flow
	// needs (measured: no faster, more CPU), and login.ahead already overlaps whole flows.
	tab, cancel := chromedp.NewContext(b.ctx, chromedp.WithNewBrowserContext())
	release = func() {
		// Closing takes time the flow need not wait for; the slot is held until it is done.
		go func() {
			cancel()
			<-b.slots
		}()
	}
	if err := chromedp.Do(tab); err != nil { // creates the context and its target
		release()
		if errors.Is(err, context.Canceled) && b.ctx.Err() != nil {
			return nil, nil, fmt.Errorf("the browser (%s) was closed", b.path)
		}
		return nil, nil, fmt.Errorf("open a browser tab: %w", err)
	}
	lean(tab)
	return tab, release, nil
}

// lean turns off the DevTools domains chromedp enables on every tab for its DOM queries, which
// this driver does not use (it reads the page with Runtime, clicks with Input, intercepts with
// Fetch): the renderer then stops reporting every DOM and style change. Network stays on, but
// keeps no response bodies: its events are how Chromium says which cookies it did not store
// (see refused). A domain that will not turn off only costs time.
func lean(tab context.Context) {
	for _, off := range []cdp.Command[cdp.Empty, cdp.Empty]{css.Disable, dom.Disable, log.Disable, inspector.Disable} {
		_, _ = chromedp.Call(tab, off, cdp.Empty{})
	}
	var none int64
	_, _ = chromedp.Call(tab, network.Enable, network.EnableParams{MaxTotalBufferSize: &none, MaxResourceBufferSize: &none, MaxPostDataSize: &none})
}
