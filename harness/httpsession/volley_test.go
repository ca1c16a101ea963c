package httpsession

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/grantcheck/grantcheck/harness/loopback"
	"github.com/grantcheck/grantcheck/harness/transcript"
)

// arrivals records when each request's form was read (its last byte arrived), as a token
// endpoint reads it before it can look at the code.
type arrivals struct {
	mu    sync.Mutex
	times []time.Time
}

func (a *arrivals) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	_ = r.ParseForm()
	a.mu.Lock()
	a.times = append(a.times, time.Now())
	a.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	w.Write([]byte(`{"error":"invalid_grant"}`))
}

func (a *arrivals) spread() time.Duration {
	a.mu.Lock()
	defer a.mu.Unlock()
	lo, hi := a.times[0], a.times[0]
	for _, t := range a.times {
		if t.Before(lo) {
			lo = t
		}
		if t.After(hi) {
			hi = t
		}
	}
	return hi.Sub(lo)
}

// TestVolleyHoldsEveryRequestUntilAllAreWritten: no request of a volley reaches the provider
// before the last one was even started, over plain HTTP and over TLS (the handshake is not held).
func TestVolleyHoldsEveryRequestUntilAllAreWritten(t *testing.T) {
	for _, scheme := range []string{"http", "https"} {
		t.Run(scheme, func(t *testing.T) {
			a := &arrivals{}
			var url string
			cfg := parse(t, "")
			if scheme == "https" {
				url = loopback.TLSServer(t, a).URL
				cfg.Provider.TLS.InsecureSkipVerify = true // the test server's own certificate
			} else {
				url = loopback.Server(t, a).URL
			}
			b, err := NewBase(cfg)
			if err != nil {
				t.Fatal(err)
			}
			defer b.Close()
			const n = 4
			c, v := b.Volley(transcript.NewLog(transcript.NewRedactor()), n)
			var wg sync.WaitGroup
			var lastStarted time.Time
			var mu sync.Mutex
			for i := range n {
				if i == n-1 {
					time.Sleep(100 * time.Millisecond) // the others are held meanwhile
					mu.Lock()
					lastStarted = time.Now()
					mu.Unlock()
				}
				wg.Go(func() {
					resp, err := c.R().SetFormData(map[string]string{"code": "x"}).Post(url + "/token")
					if err != nil || resp.StatusCode() != 200 {
						t.Errorf("request: %v %v", err, resp)
					}
				})
			}
			wg.Wait()
			if held, _ := v.Held(); held != n {
				t.Errorf("%d requests were held, want %d", held, n)
			}
			for i, at := range a.times {
				if at.Before(lastStarted) {
					t.Errorf("request %d reached the server %s before the last one was started", i, lastStarted.Sub(at))
				}
			}
		})
	}
}

// BenchmarkRaceSpread measures how far apart 8 racing requests have their form read by the
// handler (ns from the first to the last, the "spread-ns" metric), over TLS: with a Volley, and with
// goroutines released by a channel over the run's pooled client (the suite's race before the
// Volley), whose pool holds no idle connection to the provider ("cold", as after the run's serial
// scenarios) or 8 ("warm").
func BenchmarkRaceSpread(b *testing.B) {
	const n = 8
	a := &arrivals{}
	srv := loopback.TLSServer(b, a)
	cfg := parse(b, "")
	cfg.Provider.TLS.InsecureSkipVerify = true
	for _, how := range []string{"volley", "goroutines-cold", "goroutines-warm"} {
		b.Run(how, func(b *testing.B) {
			base, _ := NewBase(cfg)
			defer base.Close()
			var total time.Duration
			for range b.N {
				if how == "goroutines-cold" {
					base.Close()
				}
				a.mu.Lock()
				a.times = nil
				a.mu.Unlock()
				c := base.New(transcript.NewLog(transcript.NewRedactor()), false)
				var v *Volley
				if how == "volley" {
					c, v = base.Volley(transcript.NewLog(transcript.NewRedactor()), n)
				}
				gate := make(chan struct{})
				var wg sync.WaitGroup
				for range n {
					wg.Go(func() {
						<-gate
						if _, err := c.R().SetFormData(map[string]string{"code": "x"}).Post(srv.URL + "/token"); err != nil && v != nil {
							v.Abandon()
						}
					})
				}
				close(gate)
				wg.Wait()
				total += a.spread()
			}
			b.ReportMetric(float64(total.Nanoseconds())/float64(b.N), "spread-ns")
		})
	}
}

// TestVolleyGivesUpOnAStalledProviderByName: a volley's client has its own breaker, which names
// what stalled and the setting, as the run's does.
func TestVolleyGivesUpOnAStalledProviderByName(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	srv := loopback.Server(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	base := shortTimeoutBase(t)
	c, _ := base.Volley(transcript.NewLog(transcript.NewRedactor()), 1)
	for range StallLimit {
		if _, err := c.R().Get(srv.URL); err == nil {
			t.Fatal("a stalled exchange succeeded")
		}
	}
	_, err := c.R().Get(srv.URL)
	want := fmt.Sprintf("the provider stopped answering: %d exchanges in a row got no answer within timeouts.request (200ms)", StallLimit)
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("after %d stalls: %v, want %q", StallLimit, err, want)
	}
}
