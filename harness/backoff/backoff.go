// Package backoff keeps the suite's own concurrency from becoming evidence. Many real deployments
// (a SQLite development server, a single-process provider) fail when logins overlap: HTTP 5xx, an
// error redirect with server_error or temporarily_unavailable, an error page. A Gate retries such a
// failure on its own, a bounded number of times with growing waits (Retry), and after the first
// one makes the run stop overlapping: from then on one exchange (Exchange) and one login (Login) at
// a time reach the provider, except what a scenario about concurrency sends on purpose
// (code-reuse-concurrent's redemptions, OnPurpose), which waits until no login runs (Quiet). It
// says so once, with the failure that made it (Notify).
//
// One Gate belongs to one provider; everything that talks to that provider shares it (controls,
// logins ahead, prefetches, scenarios; a scheduler running many clients against one provider).
package backoff

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// Gate is the back-off state of one provider. The zero value is not usable; call New.
type Gate struct {
	// Attempts is how many times an operation that fails with a server error is tried in all.
	Attempts int
	// First is the wait after the first failure; each later wait doubles, up to Max.
	First, Max time.Duration

	notify func(reason string)
	// exchange and login hold one token each: the exchange, and the login, in flight once serial.
	exchange, login chan struct{}
	// quiet is held shared by every login and exclusively by Quiet.
	quiet sync.RWMutex

	mu     sync.Mutex
	serial bool
	reason string
	// retried counts the retries made, for the run's account.
	retried int
}

// New is a gate that overlaps until the first server failure, then serialises, telling notify
// once (nil: nobody is told).
func New(notify func(reason string)) *Gate {
	return &Gate{Attempts: 4, First: 250 * time.Millisecond, Max: 2 * time.Second,
		notify: notify, exchange: make(chan struct{}, 1), login: make(chan struct{}, 1)}
}

// Notify sets who is told, once, that the run stopped overlapping.
func (g *Gate) Notify(notify func(reason string)) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.notify = notify
}

// Serial reports whether the run stopped overlapping, and why.
func (g *Gate) Serial() (bool, string) {
	if g == nil {
		return false, ""
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.serial, g.reason
}

// Retries is how many operations were tried again after a server failure.
func (g *Gate) Retries() int {
	if g == nil {
		return 0
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.retried
}

// Degrade makes the run stop overlapping (once; later calls change nothing) because of reason.
func (g *Gate) Degrade(reason string) {
	if g == nil {
		return
	}
	g.mu.Lock()
	first := !g.serial
	if first {
		g.serial, g.reason = true, reason
	}
	notify := g.notify
	g.mu.Unlock()
	if first && notify != nil {
		notify(reason)
	}
}

// Exchange waits until one HTTP exchange may reach the provider and returns the function that
// ends it. Before any server failure every exchange goes at once; after one, one at a time.
func (g *Gate) Exchange(ctx context.Context) (release func(), err error) {
	return g.enter(ctx, g.exchange)
}

// Login is Exchange for a whole login (the browser driver's pages do not pass through this
// process's HTTP client): after a server failure, one login at a time, and no other request while
// it runs (a caller sending a token request takes Login too once serial). No login starts while a
// Quiet is held.
func (g *Gate) Login(ctx context.Context) (release func(), err error) {
	g.quiet.RLock()
	leave, err := g.enter(ctx, g.login)
	if err != nil {
		g.quiet.RUnlock()
		return nil, err
	}
	var once sync.Once
	return func() { once.Do(func() { leave(); g.quiet.RUnlock() }) }, nil
}

// Quiet waits until no login runs, and keeps new ones from starting until release: a race that
// overlaps on purpose then overlaps only itself, never a login of the suite's other work (a
// fragile provider fails a request that overlaps a login, which says nothing about the race).
func (g *Gate) Quiet() (release func()) {
	g.quiet.Lock()
	var once sync.Once
	return func() { once.Do(g.quiet.Unlock) }
}

func (g *Gate) enter(ctx context.Context, slot chan struct{}) (func(), error) {
	if serial, _ := g.Serial(); !serial {
		return func() {}, nil
	}
	select {
	case slot <- struct{}{}:
		var once sync.Once
		return func() { once.Do(func() { <-slot }) }, nil
	case <-ctx.Done():
		return nil, context.Cause(ctx)
	}
}

// Overlap is how many units of work (logins, race rounds) may run at once: want before any server
// failure, 1 after.
func (g *Gate) Overlap(want int) int {
	if serial, _ := g.Serial(); serial {
		return 1
	}
	return max(want, 1)
}

// Retry runs attempt until it does not fail with a server error, at most Attempts times, waiting
// First, 2×First, … (at most Max) in between. attempt returns failure, a sentence naming the
// server error it met ("" when it met none). The first such failure makes the run serial. Retry
// returns the last attempt's failure ("" when it ended without one) and ctx's cause when ctx ended
// during a wait.
func (g *Gate) Retry(ctx context.Context, what string, attempt func() (failure string)) (string, error) {
	wait := g.First
	for n := 1; ; n++ {
		failure := attempt()
		if failure == "" || n >= g.Attempts {
			return failure, nil
		}
		g.Degrade(fmt.Sprintf("%s failed with a server error (%s)", what, failure))
		g.mu.Lock()
		g.retried++
		g.mu.Unlock()
		select {
		case <-time.After(wait):
		case <-ctx.Done():
			return failure, context.Cause(ctx)
		}
		wait = min(2*wait, g.Max)
	}
}

// overlapKey marks a context whose exchanges overlap on purpose (a race under test).
type overlapKey struct{}

// OnPurpose marks ctx's exchanges as overlapping on purpose: Exchange is not asked for them, so a
// scenario whose subject is concurrency still races after the run stopped overlapping.
func OnPurpose(ctx context.Context) context.Context {
	return context.WithValue(ctx, overlapKey{}, true)
}

// IsOnPurpose reports whether ctx was marked by OnPurpose.
func IsOnPurpose(ctx context.Context) bool { v, _ := ctx.Value(overlapKey{}).(bool); return v }
