package httpsession

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/grantcheck/grantcheck/harness/backoff"
)

// StallLimit is how many exchanges in a row may go unanswered before the rest of the run is given
// up on (DESIGN.md budget: a provider that hangs costs its timeout, never the run).
const StallLimit = 3

// MaxResponseHeaderBytes bounds what is read of a response's headers; Go's default is 10 MB, and
// an 8 MB header on every answer made one run use gigabytes.
const MaxResponseHeaderBytes = 256 << 10

// ErrTimeout is an exchange that got no (complete) answer within timeouts.request.
var ErrTimeout = errors.New("no answer")

// ErrStopped is every exchange after StallLimit unanswered ones in a row.
var ErrStopped = errors.New("the provider stopped answering")

// timeoutError names the setting, not "context deadline exceeded".
type timeoutError struct{ d time.Duration }

func (e timeoutError) Error() string {
	return fmt.Sprintf("no answer within timeouts.request (%s)", e.d)
}
func (timeoutError) Is(target error) bool { return target == ErrTimeout }
func (timeoutError) Timeout() bool        { return true }

type stoppedError struct {
	n       int
	what    string // "exchanges", "logins"
	setting string // "timeouts.request", "timeouts.login"
	d       time.Duration
}

func (e stoppedError) Error() string {
	return fmt.Sprintf("the provider stopped answering: %d %s in a row got no answer within %s (%s); the rest of the run's %s are not started",
		e.n, e.what, e.setting, e.d, e.what)
}
func (stoppedError) Is(target error) bool { return target == ErrStopped }

// Streak gives up on a provider after StallLimit operations of one kind in a row went unanswered
// within their timeout: token endpoint exchanges (timeouts.request) or logins (timeouts.login). A
// provider that hangs costs about three timeouts, then every later operation fails at once.
type Streak struct {
	What    string // plural noun: "exchanges", "logins"
	Setting string // the timeout's configuration key
	Timeout time.Duration

	mu      sync.Mutex
	n       int
	tripped bool
}

// NewLoginStreak is the run's streak of logins that ended at timeouts.login.
func NewLoginStreak(timeout time.Duration) *Streak {
	return &Streak{What: "logins", Setting: "timeouts.login", Timeout: timeout}
}

// Stopped is the error every operation gets once the streak tripped; nil before.
func (s *Streak) Stopped() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.tripped {
		return nil
	}
	return stoppedError{n: StallLimit, what: s.What, setting: s.Setting, d: s.Timeout}
}

// Unanswered counts an operation that ran out of its timeout.
func (s *Streak) Unanswered() {
	s.mu.Lock()
	s.n++
	if s.n >= StallLimit {
		s.tripped = true
	}
	s.mu.Unlock()
}

// Answered ends the streak.
func (s *Streak) Answered() {
	s.mu.Lock()
	s.n = 0
	s.mu.Unlock()
}

// breaker applies timeouts.request to each exchange (headers and body) and, after StallLimit
// timeouts in a row, fails every later exchange at once. "In a row" counts the exchanges that did
// not succeed: a provider that answers its successes but stalls every refusal (observed) has
// stopped answering for this suite, whose every scenario waits for a refusal. A refusal that does
// arrive (status >= 400) ends the streak.
type breaker struct {
	next    http.RoundTripper
	timeout time.Duration
	streak  Streak
	// gate, when the run stopped overlapping, lets one exchange at a time through (until its body
	// is closed); nil lets every one through.
	gate *backoff.Gate
}

func newBreaker(next http.RoundTripper, timeout time.Duration, gate *backoff.Gate) *breaker {
	return &breaker{next: next, timeout: timeout, gate: gate,
		streak: Streak{What: "exchanges", Setting: "timeouts.request", Timeout: timeout}}
}

func (b *breaker) RoundTrip(req *http.Request) (*http.Response, error) {
	if err := b.streak.Stopped(); err != nil {
		if req.Body != nil {
			req.Body.Close()
		}
		return nil, err
	}
	release := func() {}
	if b.gate != nil && !backoff.IsOnPurpose(req.Context()) {
		var err error
		if release, err = b.gate.Exchange(req.Context()); err != nil {
			if req.Body != nil {
				req.Body.Close()
			}
			return nil, fmt.Errorf("interrupted while waiting for the provider's other exchange: %w", err)
		}
	}
	ctx, cancel := context.WithTimeout(req.Context(), b.timeout)
	resp, err := b.next.RoundTrip(req.WithContext(ctx))
	if err != nil {
		cancel()
		release()
		return nil, b.failed(req.Context(), ctx, err)
	}
	resp.Body = &timedBody{ReadCloser: resp.Body, b: b, parent: req.Context(), ctx: ctx,
		cancel: func() { cancel(); release() }, refusal: resp.StatusCode >= 400}
	return resp, nil
}

// failed turns our own deadline into a named timeout and counts it; the caller's deadline or
// cancellation (timeouts.login, the scenario's) is theirs to name.
func (b *breaker) failed(parent, ctx context.Context, err error) error {
	if parent.Err() != nil {
		if c := context.Cause(parent); c != nil && c != parent.Err() {
			return fmt.Errorf("interrupted: %w", c) // a cause that names its setting
		}
		return err
	}
	if !errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return err
	}
	b.streak.Unanswered()
	return timeoutError{d: b.timeout}
}

func (b *breaker) answered() { b.streak.Answered() }

// timedBody keeps the deadline over the body read and names it when it strikes there.
type timedBody struct {
	io.ReadCloser
	b           *breaker
	parent, ctx context.Context
	cancel      context.CancelFunc
	refusal     bool // a whole refusal, read to its end, ends the streak
}

func (t *timedBody) Read(p []byte) (int, error) {
	n, err := t.ReadCloser.Read(p)
	switch {
	case err == io.EOF && t.refusal:
		t.b.answered()
	case err != nil && err != io.EOF:
		err = t.b.failed(t.parent, t.ctx, err)
	}
	return n, err
}

func (t *timedBody) Close() error {
	err := t.ReadCloser.Close()
	t.cancel()
	return err
}
