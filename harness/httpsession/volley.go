package httpsession

import (
	"context"
	"crypto/tls"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/go-resty/resty/v2"

	"github.com/grantcheck/grantcheck/harness/transcript"
)

// Volley makes n requests arrive at the provider together: each goes on a connection of its own,
// opened (and its TLS handshake done) before anything is released; each request is written but for
// its last byte; when all n wait there, every last byte is sent at once. The provider cannot start
// on any of them before the release, so they race in earnest: the way `curl -Z` or a burst of
// real clients hits a check-then-delete, which goroutines sharing pooled connections mostly miss.
type Volley struct {
	n    int
	gate chan struct{}

	mu        sync.Mutex
	arrived   int
	abandoned int
	once      sync.Once
	first     time.Time
	released  time.Time
	timer     *time.Timer
}

// Volley is a client whose requests (up to n, one connection each) are released together, and the
// Volley that releases them. If not all n reach their last byte within timeouts.request (a
// connection that cannot be opened), the ones waiting are released anyway.
func (b *Base) Volley(log *transcript.Log, n int) (*resty.Client, *Volley) {
	v := &Volley{n: n, gate: make(chan struct{})}
	v.timer = time.AfterFunc(b.breaker.timeout, v.release)
	tr := b.transport.Clone()
	tr.DisableKeepAlives = true // one request, one new connection
	tr.ForceAttemptHTTP2 = false
	tlsCfg := tr.TLSClientConfig.Clone()
	tlsCfg.NextProtos = []string{"http/1.1"}
	tr.TLSClientConfig = tlsCfg
	dialer := &net.Dialer{Timeout: b.breaker.timeout, KeepAlive: 30 * time.Second}
	tr.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := dialer.DialContext(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		return &heldConn{Conn: c, v: v, armed: true}, nil
	}
	tr.DialTLSContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := dialer.DialContext(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		held := &heldConn{Conn: c, v: v}
		cfg := tlsCfg.Clone()
		if cfg.ServerName == "" {
			cfg.ServerName, _, _ = net.SplitHostPort(addr)
		}
		tc := tls.Client(held, cfg)
		if err := tc.HandshakeContext(ctx); err != nil {
			c.Close()
			return nil, err
		}
		held.armed = true // the handshake went through; the request's bytes are held
		return tc, nil
	}
	hc := &http.Client{
		Transport:     &transcript.Transport{Base: newBreaker(tr, b.breaker.timeout, nil), Log: log},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	c := resty.NewWithClient(hc)
	c.SetDebug(false)
	c.SetDisableWarn(true)
	c.SetLogger(quiet{})
	c.SetHeader("User-Agent", "grantcheck")
	return c, v
}

// Abandon counts a request that ended without reaching its last byte (its connection failed), so
// the others are not kept waiting for it.
func (v *Volley) Abandon() { v.count(false) }

func (v *Volley) arrive() { v.count(true) }

// count adds a request that reached its last byte (arrived) or never will; once all n are
// counted, the volley is released.
func (v *Volley) count(arrived bool) {
	v.mu.Lock()
	if arrived {
		if v.arrived == 0 {
			v.first = time.Now()
		}
		v.arrived++
	} else {
		v.abandoned++
	}
	all := v.arrived+v.abandoned >= v.n
	v.mu.Unlock()
	if all {
		v.release()
	}
}

func (v *Volley) release() {
	v.once.Do(func() {
		v.timer.Stop()
		v.mu.Lock()
		v.released = time.Now()
		v.mu.Unlock()
		close(v.gate)
	})
}

// Held is how many requests waited at their last byte for the release, and how long the first of
// them waited (the time it took to open every connection and write every request).
func (v *Volley) Held() (n int, gathering time.Duration) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.arrived == 0 || v.released.IsZero() {
		return v.arrived, 0
	}
	return v.arrived, v.released.Sub(v.first)
}

// heldConn holds back the last byte of the first write made once armed (an HTTP/1.1 request is one
// write of the transport's buffer) until the volley is released.
type heldConn struct {
	net.Conn
	v     *Volley
	armed bool
	done  bool
}

func (c *heldConn) Write(p []byte) (int, error) {
	if !c.armed || c.done || len(p) < 2 {
		return c.Conn.Write(p)
	}
	c.done = true
	n, err := c.Conn.Write(p[:len(p)-1])
	if err != nil {
		return n, err
	}
	c.v.arrive()
	<-c.v.gate
	m, err := c.Conn.Write(p[len(p)-1:])
	return n + m, err
}
