package backoff

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestRetryIsBoundedAndDegradesOnce: a server failure is tried again, at most Attempts times in
// all; the first one makes the gate serial and is told once, however many follow.
func TestRetryIsBoundedAndDegradesOnce(t *testing.T) {
	var told []string
	g := New(func(reason string) { told = append(told, reason) })
	g.First, g.Max = time.Millisecond, 2*time.Millisecond
	calls := 0
	failure, err := g.Retry(context.Background(), "a login", func() string { calls++; return "HTTP 503" })
	if err != nil || failure != "HTTP 503" || calls != g.Attempts {
		t.Fatalf("Retry = %q, %v after %d calls; want the failure after %d", failure, err, calls, g.Attempts)
	}
	calls = 0
	failure, _ = g.Retry(context.Background(), "a control", func() string {
		calls++
		if calls < 2 {
			return "error=server_error"
		}
		return ""
	})
	if failure != "" || calls != 2 {
		t.Errorf("a failure then a success: Retry = %q after %d calls", failure, calls)
	}
	if serial, why := g.Serial(); !serial || len(told) != 1 || why != told[0] || why != "a login failed with a server error (HTTP 503)" {
		t.Errorf("serial %v, told %q, reason %q", serial, told, why)
	}
	if g.Retries() != g.Attempts {
		t.Errorf("Retries = %d, want %d", g.Retries(), g.Attempts)
	}
}

// TestSerialLetsOneThroughAtATime: before a failure everything overlaps; after, Exchange and
// Login admit one at a time each, and Overlap is 1.
func TestSerialLetsOneThroughAtATime(t *testing.T) {
	g := New(nil)
	if g.Overlap(8) != 8 {
		t.Errorf("Overlap before a failure = %d", g.Overlap(8))
	}
	g.Degrade("test")
	if g.Overlap(8) != 1 {
		t.Errorf("Overlap after a failure = %d", g.Overlap(8))
	}
	for name, enter := range map[string]func(context.Context) (func(), error){"Exchange": g.Exchange, "Login": g.Login} {
		var inside, most atomic.Int32
		var wg sync.WaitGroup
		for range 6 {
			wg.Go(func() {
				release, err := enter(context.Background())
				if err != nil {
					t.Error(err)
					return
				}
				n := inside.Add(1)
				for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
				}
				time.Sleep(2 * time.Millisecond)
				inside.Add(-1)
				release()
			})
		}
		wg.Wait()
		if most.Load() != 1 {
			t.Errorf("%s: %d at once after the gate went serial, want 1", name, most.Load())
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	release, _ := g.Exchange(context.Background())
	cancel()
	if _, err := g.Exchange(ctx); err == nil {
		t.Error("a cancelled wait for the slot must fail")
	}
	release()
}

// TestQuietWaitsForLoginsAndHoldsNewOnes: a Quiet starts once the running login ended, and no login
// starts while it is held.
func TestQuietWaitsForLoginsAndHoldsNewOnes(t *testing.T) {
	g := New(nil)
	var events []string
	var mu sync.Mutex
	log := func(e string) { mu.Lock(); events = append(events, e); mu.Unlock() }
	leave, _ := g.Login(context.Background())
	quieted := make(chan func())
	go func() { release := g.Quiet(); log("quiet"); quieted <- release }()
	time.Sleep(20 * time.Millisecond)
	log("login ends")
	leave()
	release := <-quieted
	started := make(chan struct{})
	go func() { l, _ := g.Login(context.Background()); log("next login"); l(); close(started) }()
	time.Sleep(20 * time.Millisecond)
	log("quiet ends")
	release()
	<-started
	if got := strings.Join(events, ", "); got != "login ends, quiet, quiet ends, next login" {
		t.Errorf("order: %s", got)
	}
}
