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

	"github.com/chromedp/chromedp"

	"github.com/grantcheck/grantcheck/harness/config"
)

// Flows is how many flows share the browser at once: the machines this runs on have 2 cores,
// and a third renderer only queues behind them.
const Flows = 2

// candidates are the names Find looks for when login.browser.executable is "".
var candidates = []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"}

// Find resolves the browser to start: executable when set, else the first candidate on PATH. Its
// error is the one-line setup message a user sees.
func Find(executable string) (string, error) {
	if executable != "" {
		path, err := exec.LookPath(executable)
		if err != nil {
			return "", fmt.Errorf("login.browser.executable %q: %v; install the Debian package chromium (apt-get install -y chromium) or fix the setting", executable, err)
		}
		return path, nil
	}
	for _, name := range candidates {
		if path, err := exec.LookPath(name); err == nil {
			return path, nil
		}
	}
	return "", fmt.Errorf("login.driver browser: no browser found (looked for %s on PATH); install the Debian package chromium (apt-get install -y chromium) or set login.browser.executable",
		strings.Join(candidates, ", "))
}

// Browser is one Chromium process shared by every flow of a run; each flow gets its own browser
// context (no cookies or storage shared) and a slot among Flows.
type Browser struct {
	ctx    context.Context // the browser's root chromedp context
	cancel func()
	slots  chan struct{}
	// ready holds browser contexts opened ahead (opening one costs ~200 ms): each is used by
	// one flow only, so isolation holds, and the next is opened while that flow runs.
	ready   chan prepared
	dataDir string
	path    string
}

// Start launches the browser with a fresh profile directory.
func Start(cfg config.Browser) (*Browser, error) {
	path, err := Find(cfg.Executable)
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
	)
	if !cfg.IsHeadless() {
		opts = append(opts, chromedp.VisibleWindow)
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(allocCtx)
	b := &Browser{ctx: ctx, slots: make(chan struct{}, Flows), ready: make(chan prepared, Flows), dataDir: dir, path: path}
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
	go b.prepare()
	return b, nil
}

// prepared is a tab in a fresh browser context, not used yet.
type prepared struct {
	ctx    context.Context
	cancel context.CancelFunc
}

// prepare opens one browser context ahead, unless enough wait already.
func (b *Browser) prepare() {
	tab, cancel := chromedp.NewContext(b.ctx, chromedp.WithNewBrowserContext())
	if err := chromedp.Do(tab); err != nil {
		cancel()
		return
	}
	select {
	case b.ready <- prepared{tab, cancel}:
	default:
		cancel()
	}
}

// Close stops the browser and removes its profile.
func (b *Browser) Close() {
	if b == nil {
		return
	}
	for {
		select {
		case p := <-b.ready:
			p.cancel()
		default:
			b.cancel()
			return
		}
	}
}

// tab opens a tab in a fresh browser context, once a slot is free; release closes both.
func (b *Browser) tab(ctx context.Context) (tab context.Context, release func(), err error) {
	select {
	case b.slots <- struct{}{}:
	case <-ctx.Done():
		return nil, nil, context.Cause(ctx)
	}
	go b.prepare() // for the next flow
	select {
	case p := <-b.ready:
		return p.ctx, func() { go func() { p.cancel(); <-b.slots }() }, nil // closing a tab takes time the flow need not wait for
	default:
	}
	tab, cancel := chromedp.NewContext(b.ctx, chromedp.WithNewBrowserContext())
	release = func() {
		cancel()
		<-b.slots
	}
	if err := chromedp.Do(tab); err != nil { // creates the context and its target
		release()
		if errors.Is(err, context.Canceled) && b.ctx.Err() != nil {
			return nil, nil, fmt.Errorf("the browser (%s) was closed", b.path)
		}
		return nil, nil, fmt.Errorf("open a browser tab: %w", err)
	}
	return tab, release, nil
}
