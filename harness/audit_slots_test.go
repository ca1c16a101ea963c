package harness

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/grantcheck/grantcheck/harness/backoff"
)

// TestGateSlotsBackOff: n clients at once while the provider copes, one at a time once the gate
// has seen a server failure (the audit builds on the run's back-off, it does not have its own).
func TestGateSlotsBackOff(t *testing.T) {
	for _, tc := range []struct {
		name     string
		degraded bool
		// least and most clients seen running at once
		least, most int32
	}{
		{"overlapping", false, 2, 4},
		{"after a server failure", true, 1, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := backoff.New(nil)
			if tc.degraded {
				g.Degrade("a login answered server_error")
			}
			slots := GateSlots(g, 4)
			var running, most atomic.Int32
			var wg sync.WaitGroup
			for range 8 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					if err := slots.Acquire(context.Background()); err != nil {
						t.Error(err)
						return
					}
					n := running.Add(1)
					for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
					}
					time.Sleep(50 * time.Millisecond) // hold the slot so the others queue
					running.Add(-1)
					slots.Release(nil)
				}()
			}
			wg.Wait()
			if got := most.Load(); got < tc.least || got > tc.most {
				t.Errorf("%d clients ran at once, want %d to %d", got, tc.least, tc.most)
			}
		})
	}
}

// TestGateSlotsAcquireEndsWithItsContext: a client waiting for a slot stops waiting when the run ends.
func TestGateSlotsAcquireEndsWithItsContext(t *testing.T) {
	slots := GateSlots(backoff.New(nil), 1)
	if err := slots.Acquire(context.Background()); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := slots.Acquire(ctx); err == nil {
		t.Fatal("Acquire returned a second slot of one")
	}
}
