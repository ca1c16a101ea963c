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
	n int
	d time.Duration
}

func (e stoppedError) Error() string {
	return fmt.Sprintf("the provider stopped answering: %d exchanges in a row got no answer within timeouts.request (%s); the rest of the run is not sent", e.n, e.d)
}
func (stoppedError) Is(target error) bool { return target == ErrStopped }

// breaker applies timeouts.request to each exchange (headers and body) and, after StallLimit
// timeouts in a row, fails every later exchange at once. "In a row" counts the exchanges that did
// not succeed: a provider that answers its successes but stalls every refusal (observed) has
// stopped answering for this suite, whose every scenario waits for a refusal. A refusal that does
// arrive (status >= 400) ends the streak.
type breaker struct {
	next    http.RoundTripper
	timeout time.Duration
	// gate, when the run stopped overlapping, lets one exchange at a time through (until its body
	// is closed); nil lets every one through.
	gate *backoff.Gate

	mu      sync.Mutex
	streak  int
	tripped bool
}

func (b *breaker) RoundTrip(req *http.Request) (*http.Response, error) {
	b.mu.Lock()
	tripped := b.tripped
	b.mu.Unlock()
	if tripped {
		if req.Body != nil {
			req.Body.Close()
		}
		return nil, stoppedError{n: StallLimit, d: b.timeout}
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
	b.mu.Lock()
	b.streak++
	if b.streak >= StallLimit {
		b.tripped = true
	}
	b.mu.Unlock()
	return timeoutError{d: b.timeout}
}

func (b *breaker) answered() {
	b.mu.Lock()
	b.streak = 0
	b.mu.Unlock()
}

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
