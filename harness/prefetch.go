package harness

import (
	"context"
	"sync"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/grantcheck/grantcheck/harness/catalog"
)

// Prefetched is setup a scenario starts when the suite starts, so that a wait it needs (the code
// lifetime) overlaps every other scenario instead of adding to the run.
type Prefetched[T any] struct {
	sc    catalog.Scenario
	start func(r *Run) (T, error)

	once sync.Once
	done chan struct{}
	run  *Run
	val  T
	err  error
}

type starter interface {
	begin(p *Provider, filter types.LabelFilter)
}

var (
	prefetchMu sync.Mutex
	prefetches []starter
)

// Prefetch registers setup for sc. start must not assert: it runs outside the spec.
func Prefetch[T any](sc catalog.Scenario, start func(r *Run) (T, error)) *Prefetched[T] {
	pf := &Prefetched[T]{sc: sc, start: start, done: make(chan struct{})}
	prefetchMu.Lock()
	defer prefetchMu.Unlock()
	prefetches = append(prefetches, pf)
	return pf
}

// StartPrefetches begins every registered setup whose scenario will run: selected by labelFilter
// (the run's --label-filter, passed explicitly so no setup starts before the filter is known) and
// with its needs met exactly as the spec checks them (roles, code_ttl, the roles' controls). Call
// it once the provider is set and its controls ran. A filter that does not parse starts nothing:
// the run itself will refuse it.
func StartPrefetches(p *Provider, labelFilter string) {
	filter, err := types.ParseLabelFilter(labelFilter)
	if err != nil {
		return
	}
	prefetchMu.Lock()
	defer prefetchMu.Unlock()
	for _, pf := range prefetches {
		pf.begin(p, filter)
	}
}

func (pf *Prefetched[T]) begin(p *Provider, filter types.LabelFilter) {
	e := catalog.Entry{ID: pf.sc.ID, Scenario: pf.sc}
	needs := pf.sc.NeedsFor("")
	for _, n := range needs {
		if needReason(p, n) != "" {
			return
		}
	}
	if _, err := controlFailure(p, needs); err != nil || !filter(Labels(e)) {
		return
	}
	pf.once.Do(func() {
		pf.run = newRun(context.Background(), p, e)
		go func() {
			defer close(pf.done)
			pf.val, pf.err = pf.start(pf.run)
		}()
	})
}

// Get waits for the setup (starting it now if it never started), hands its transcript to r (what
// it learned to hide is shared already: a run's redactors have one store), and aborts r with ERROR
// if the setup failed.
func (pf *Prefetched[T]) Get(r *Run) T {
	pf.once.Do(func() {
		pf.run = newRun(context.Background(), r.P, r.Entry)
		pf.val, pf.err = pf.start(pf.run)
		close(pf.done)
	})
	select {
	case <-pf.done:
	case <-r.Ctx.Done():
		r.Abort("gave up waiting for the setup started at suite start: %v", r.Ctx.Err())
	}
	r.Log.Append(pf.run.Log.Records()...)
	if pf.err != nil {
		r.Abort("setup started at suite start failed: %v", pf.err)
	}
	return pf.val
}
