package harness

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/grantcheck/grantcheck/harness/authorize"
	"github.com/grantcheck/grantcheck/harness/catalog"
	"github.com/grantcheck/grantcheck/harness/config"
	"github.com/grantcheck/grantcheck/harness/transcript"
)

// defaultMaxAge bounds how long a flow logged in ahead may wait when provider.code_ttl is not
// configured: far below the code lifetimes providers use, so a code handed over is still valid.
const defaultMaxAge = 5 * time.Second

// loginAhead logs in standard flows (a role's client, the default request) before a scenario asks
// for one, so that a slow login driver's flows overlap each other and the scenarios that need
// none. The specs still run one after another; only their logins move. Each flow is handed to
// exactly one scenario (one flow per scenario, never shared) with its transcript; one whose code
// waited past maxAge is dropped, never handed over. A role is logged in ahead once a scenario
// has asked for its standard flow, in proportion to how often scenarios ask for it.
type loginAhead struct {
	p      *Provider
	depth  int // flows running or ready, all roles together
	maxAge time.Duration
	ctx    context.Context
	cancel func()
	wg     sync.WaitGroup

	mu      sync.Mutex
	queued  map[config.Role][]*aheadFlow
	asked   map[config.Role]int
	closed  bool
	handed  int // flows handed to a scenario
	dropped int // flows that waited too long, or were never asked for
}

// aheadFlow is one flow logged in ahead; done closes when it ended.
type aheadFlow struct {
	done    chan struct{}
	log     *transcript.Log
	outcome authorize.Outcome
	err     error
	ended   time.Time
}

func newLoginAhead(p *Provider) *loginAhead {
	depth := p.Config.Login.FlowsAhead()
	if depth == 0 {
		return nil
	}
	maxAge := defaultMaxAge
	if ttl := p.Config.Provider.CodeTTL.D(); ttl > 0 {
		maxAge = ttl / 2
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &loginAhead{p: p, depth: depth, maxAge: maxAge, ctx: ctx, cancel: cancel,
		queued: map[config.Role][]*aheadFlow{}, asked: map[config.Role]int{}}
}

// take hands r the oldest flow logged in ahead for role, waiting for it when it is still
// running; false when none is queued or every queued one waited too long (r then logs in
// itself). Either way the queue is topped up for the next scenario.
func (a *loginAhead) take(r *Run, role config.Role) (authorize.Outcome, error, bool) {
	a.mu.Lock()
	a.asked[role]++
	a.mu.Unlock()
	defer a.fill()
	for {
		a.mu.Lock()
		q := a.queued[role]
		if len(q) == 0 {
			a.mu.Unlock()
			return authorize.Outcome{}, nil, false
		}
		f := q[0]
		a.queued[role] = q[1:]
		a.mu.Unlock()
		a.fill() // the next one starts while this one finishes
		select {
		case <-f.done:
		case <-r.Ctx.Done():
			a.mu.Lock()
			a.dropped++ // taken off the queue, never handed over
			a.mu.Unlock()
			return authorize.Outcome{}, fmt.Errorf("waiting for the flow logged in ahead: %w", context.Cause(r.Ctx)), true
		}
		age := time.Since(f.ended)
		if f.outcome.Code != nil {
			age = time.Since(f.outcome.Code.IssuedAt)
		}
		if age > a.maxAge {
			a.mu.Lock()
			a.dropped++
			a.mu.Unlock()
			r.Note("login ahead: a flow for %s was dropped unused: its code had waited %s, past %s (half of provider.code_ttl, or %s when unset)",
				role, age.Round(time.Millisecond), a.maxAge, defaultMaxAge)
			continue
		}
		r.Note("login ahead: the flow below ran before this scenario asked for it (login.ahead); it is this scenario's alone, handed over %s after it ended",
			time.Since(f.ended).Round(time.Millisecond))
		r.Log.Append(f.log.Records()...)
		a.mu.Lock()
		a.handed++
		a.mu.Unlock()
		return f.outcome, f.err, true
	}
}

// fill starts flows until depth are running or ready, for the roles scenarios asked for, the
// most asked-for role first relative to what it has queued.
func (a *loginAhead) fill() {
	a.mu.Lock()
	defer a.mu.Unlock()
	for !a.closed {
		total := 0
		for _, q := range a.queued {
			total += len(q)
		}
		if total >= a.depth {
			return
		}
		var best config.Role
		bestScore := 0.0
		for _, role := range config.Roles {
			if a.asked[role] == 0 || a.p.ControlErr(role) != nil {
				continue
			}
			if score := float64(a.asked[role]) / float64(len(a.queued[role])+1); score > bestScore {
				best, bestScore = role, score
			}
		}
		if best == "" {
			return
		}
		f := &aheadFlow{done: make(chan struct{})}
		a.queued[best] = append(a.queued[best], f)
		a.wg.Go(func() {
			defer close(f.done)
			r := newRun(a.ctx, a.p, catalog.Entry{})
			f.log = r.Log
			f.outcome, f.err = r.flow(best)
			f.ended = time.Now()
		})
	}
}

// close stops the flows still running and drops the ready ones (their codes are never redeemed
// and expire at the provider); it returns how many flows were dropped in the whole run.
func (a *loginAhead) close() int {
	if a == nil {
		return 0
	}
	a.mu.Lock()
	a.closed = true
	for _, q := range a.queued {
		a.dropped += len(q)
	}
	a.queued = nil
	a.mu.Unlock()
	a.cancel()
	a.wg.Wait()
	return a.dropped
}

// counts is how many flows were handed over, and how many were dropped or are still unused.
func (a *loginAhead) counts() (handed, unused int) {
	if a == nil {
		return 0, 0
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	unused = a.dropped
	for _, q := range a.queued {
		unused += len(q)
	}
	return a.handed, unused
}

// LoginsAhead is how many flows login.ahead handed to a scenario, and how many it dropped or
// still holds unused.
func (p *Provider) LoginsAhead() (handed, unused int) { return p.ahead.counts() }
