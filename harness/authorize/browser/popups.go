package browser

import (
	"context"
	"sync"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"
)

// popups holds every window a page opens to nothing: at the browser's own session (a new window
// is a target of its own, which no flow's tab intercepts), each document request of a window
// some page opened is failed before it is sent, and the window is closed. The flow whose page
// opened it is told, so its transcript and messages name it.
type popups struct {
	mu      sync.Mutex
	opened  map[target.ID]bool             // windows pages opened
	openers map[target.ID]func(url string) // a flow's tab → what to tell it
	work    chan func(ctx context.Context)
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
			p.mu.Lock()
			blocked := p.opened[target.ID(ev.FrameID)]
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

// watch tells tell about every window the tab opens, until release.
func (p *popups) watch(tab target.ID, tell func(url string)) (release func()) {
	p.mu.Lock()
	p.openers[tab] = tell
	p.mu.Unlock()
	return func() {
		p.mu.Lock()
		delete(p.openers, tab)
		p.mu.Unlock()
	}
}
