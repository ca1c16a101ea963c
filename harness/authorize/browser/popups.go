package browser

import (
	"context"
	"net/url"
	"sync"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"
)

// popups holds every target but a flow's main frame to the provider's hosts, at the browser's own
// session: a new window is a target of its own, which no flow's tab intercepts, and a tab that is
// closing no longer intercepts. Each document request of a window some page opened is failed
// before it is sent, and the window is closed (the flow whose page opened it is told, so its
// transcript and messages name it); any other document request that is not a live flow's main
// frame's (a frame's, a closing tab's) is failed unless it is on the provider's hosts.
type popups struct {
	mu      sync.Mutex
	opened  map[target.ID]bool             // windows pages opened
	openers map[target.ID]func(url string) // a flow's tab → what to tell it
	// onProvider is the rule every document request outside a live flow's main frame is held to
	// (the provider is the run's, the same for every flow): a frame's, or one a closing tab
	// still makes.
	onProvider func(*url.URL) bool
	work       chan func(ctx context.Context)
}

// start makes the browser hold new windows; ctx is the browser's root chromedp context.
func (p *popups) start(ctx context.Context) error {
	p.opened, p.openers = map[target.ID]bool{}, map[target.ID]func(string){}
	p.work = make(chan func(context.Context), 1024)
	browser := chromedp.FromContext(ctx).Browser
	// In arrival order, so a window is known before its first request is decided.
	if err := chromedp.ListenBrowser(ctx, func(ev any) {
		switch ev := ev.(type) {
		case *target.EventTargetCreated:
			info := ev.TargetInfo
			if info == nil || info.OpenerID == "" || info.Type != "page" {
				return
			}
			p.mu.Lock()
			p.opened[info.TargetID] = true
			tell := p.openers[info.OpenerID]
			p.mu.Unlock()
			p.do(func(ctx context.Context) {
				_, _ = cdp.Call(ctx, browser, target.CloseTarget, target.CloseTargetParams{TargetID: info.TargetID})
				if tell != nil {
					tell(info.URL)
				}
			})
		case *fetch.EventRequestPaused:
			frame := target.ID(ev.FrameID)
			p.mu.Lock()
			_, main := p.openers[frame] // a live flow's main frame: its tab decides
			blocked := p.opened[frame]
			if !main && !blocked {
				u, err := url.Parse(ev.Request.URL)
				blocked = err != nil || p.onProvider == nil || !p.onProvider(u)
			}
			p.mu.Unlock()
			id := ev.RequestID
			p.do(func(ctx context.Context) {
				if blocked {
					_, _ = cdp.Call(ctx, browser, fetch.FailRequest, fetch.FailRequestParams{RequestID: id, ErrorReason: network.ErrorReasonBlockedByClient})
				} else {
					_, _ = cdp.Call(ctx, browser, fetch.ContinueRequest, fetch.ContinueRequestParams{RequestID: id})
				}
			})
		}
	}); err != nil {
		return err
	}
	go func() {
		for {
			select {
			case f := <-p.work:
				f(ctx)
			case <-ctx.Done():
				return
			}
		}
	}()
	_, err := cdp.Call(ctx, browser, fetch.Enable, fetch.EnableParams{Patterns: []*fetch.RequestPattern{
		{ResourceType: network.ResourceTypeDocument, RequestStage: fetch.RequestStageRequest}}})
	return err
}

func (p *popups) do(f func(context.Context)) {
	select {
	case p.work <- f:
	default:
		go func() { p.work <- f }() // never block the browser's reader
	}
}

// watch tells tell about every window the tab opens, until release; onProvider is the flow's
// host rule.
func (p *popups) watch(tab target.ID, onProvider func(*url.URL) bool, tell func(url string)) (release func()) {
	p.mu.Lock()
	p.openers[tab] = tell
	if onProvider != nil {
		p.onProvider = onProvider
	}
	p.mu.Unlock()
	return func() {
		p.mu.Lock()
		delete(p.openers, tab)
		p.mu.Unlock()
	}
}
