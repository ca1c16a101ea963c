// Package httpsession builds the resty client every harness request goes through: recording
// transport, one timeout per exchange, the provider's TLS settings, no automatic redirects.
package httpsession

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/cookiejar"
	"os"

	"github.com/go-resty/resty/v2"

	"github.com/grantcheck/grantcheck/harness/backoff"
	"github.com/grantcheck/grantcheck/harness/config"
	"github.com/grantcheck/grantcheck/harness/transcript"
)

// Base is the shared, connection-pooling transport for one provider.
type Base struct {
	transport *http.Transport
	// breaker applies timeouts.request and gives up on a provider that stopped answering; shared,
	// so every scenario of the run sees the same streak.
	breaker *breaker
	// Gate is the provider's back-off state: after a server failure, one exchange at a time.
	Gate *backoff.Gate
}

// NewBase applies the provider's TLS settings.
func NewBase(cfg *config.Config) (*Base, error) {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 32
	tlsCfg := &tls.Config{MinVersion: tls.VersionTLS12}
	if cfg.Provider.TLS.CAFile != "" {
		pem, err := os.ReadFile(cfg.Provider.TLS.CAFile)
		if err != nil {
			return nil, fmt.Errorf("provider.tls.ca_file: %w", err)
		}
		pool, err := x509.SystemCertPool()
		if err != nil {
			pool = x509.NewCertPool()
		}
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("provider.tls.ca_file %s: no PEM certificate in it", cfg.Provider.TLS.CAFile)
		}
		tlsCfg.RootCAs = pool
	}
	// Named InsecureSkipVerify in the config on purpose: a user opts in, knowing.
	tlsCfg.InsecureSkipVerify = cfg.Provider.TLS.InsecureSkipVerify
	tr.TLSClientConfig = tlsCfg
	tr.MaxResponseHeaderBytes = MaxResponseHeaderBytes
	gate := backoff.New(nil)
	return &Base{transport: tr, Gate: gate, breaker: newBreaker(tr, cfg.Timeouts.Request.D(), gate)}, nil
}

// Close releases idle connections.
func (b *Base) Close() {
	b.transport.CloseIdleConnections()
}

// New returns a client recording into log. With a cookie jar when a login needs one.
func (b *Base) New(log *transcript.Log, withCookies bool) *resty.Client {
	hc := &http.Client{
		// No http.Client.Timeout: the breaker applies timeouts.request and names it in its error.
		Transport: &transcript.Transport{Base: b.breaker, Log: log},
		// Every redirect is a step the harness looks at (the last one carries the code).
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	if withCookies {
		jar, _ := cookiejar.New(nil) // never fails with nil options
		hc.Jar = jar
	}
	c := resty.NewWithClient(hc)
	// resty's debug and warning logs would print credentials unredacted.
	c.SetDebug(false)
	c.SetDisableWarn(true)
	c.SetLogger(quiet{})
	c.SetHeader("User-Agent", "grantcheck")
	return c
}

type quiet struct{}

var discard = log.New(io.Discard, "", 0)

func (quiet) Errorf(format string, v ...any) { discard.Printf(format, v...) }
func (quiet) Warnf(format string, v ...any)  { discard.Printf(format, v...) }
func (quiet) Debugf(format string, v ...any) { discard.Printf(format, v...) }
