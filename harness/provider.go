// Package harness wires the pieces a scenario uses: the provider (config + discovery), a Run per
// scenario (transcript, code acquisition, token requests) and the wrapper that turns a catalogue
// entry into a labelled Ginkgo spec with a verdict.
package harness

import (
	"context"
	"fmt"
	"sync"

	"github.com/grantcheck/grantcheck/harness/authorize/browser"
	"github.com/grantcheck/grantcheck/harness/catalog"
	"github.com/grantcheck/grantcheck/harness/token"

	"github.com/grantcheck/grantcheck/harness/config"
	"github.com/grantcheck/grantcheck/harness/discovery"
	"github.com/grantcheck/grantcheck/harness/httpsession"
	"github.com/grantcheck/grantcheck/harness/transcript"
)

// Provider is a provider under test, discovered and ready.
type Provider struct {
	Config    *config.Config
	Discovery discovery.Document
	base      *httpsession.Base
	redactor  *transcript.Redactor
	// controlErr is why the control exchange failed; every scenario but the baseline is then ERROR.
	controlErr error
	// Artifacts is the folder for files a flow leaves for the reports (screenshots of login pages
	// no step matched); "" is the system's temporary folder.
	Artifacts string
	browser   lazyBrowser
}

// Connect reads the provider's discovery document; its errors are one line, naming what failed.
func Connect(ctx context.Context, cfg *config.Config) (*Provider, error) {
	base, err := httpsession.NewBase(cfg)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", cfg.Source(), err)
	}
	if cfg.Login.Driver == config.DriverBrowser {
		// A missing browser is a setup error now, not an ERROR in every scenario later.
		if _, err := browser.Find(cfg.Login.Browser.Executable); err != nil {
			base.Close()
			return nil, err
		}
	}
	p := &Provider{Config: cfg, base: base, redactor: transcript.NewRedactor(cfg.Secrets()...)}
	log := transcript.NewLog(p.redactor.Child())
	doc, err := discovery.Fetch(ctx, base.New(log, false), cfg.Provider.Issuer)
	if err != nil {
		base.Close()
		return nil, err
	}
	p.Discovery = doc
	return p, nil
}

// Redactor is the provider-wide redactor that knows the configured secrets.
func (p *Provider) Redactor() *transcript.Redactor { return p.redactor }

// Close releases connections and stops the browser, if one was started.
func (p *Provider) Close() {
	p.base.Close()
	p.browser.close()
}

// lazyBrowser is the run's one browser, started by the first flow that needs it.
type lazyBrowser struct {
	once sync.Once
	mu   sync.Mutex
	b    *browser.Browser
	err  error
}

func (l *lazyBrowser) get(cfg config.Browser) (*browser.Browser, error) {
	l.once.Do(func() {
		b, err := browser.Start(cfg)
		l.mu.Lock()
		l.b, l.err = b, err
		l.mu.Unlock()
	})
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b, l.err
}

func (l *lazyBrowser) close() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.b.Close()
	l.b = nil
}

var (
	currentMu sync.RWMutex
	current   *Provider
	strict    bool
)

// Use makes p the provider every scenario of this process runs against.
func Use(p *Provider) {
	currentMu.Lock()
	defer currentMu.Unlock()
	current = p
}

// Current is the provider set by Use, or nil.
func Current() *Provider {
	currentMu.RLock()
	defer currentMu.RUnlock()
	return current
}

// SetStrict makes SHOULD-level findings FAIL instead of WARN (--strict).
func SetStrict(on bool) { strict = on }

// Control runs one valid authorization flow and redemption by the first configured role that
// has redirect URIs. When it fails, negative results would mean nothing: the scenarios become
// ERROR with this reason, and the CLI reports it at once.
func (p *Provider) Control(ctx context.Context) error {
	role := config.Role("")
	for _, r := range []config.Role{config.Primary, config.Secondary, config.Public} {
		if c := p.Config.Clients.Get(r); c != nil && len(c.RedirectURIs) > 0 {
			role = r
			break
		}
	}
	if role == "" {
		return nil
	}
	r := newRun(ctx, p, catalog.Entry{ID: catalog.BaselineExchange.ID, Scenario: catalog.BaselineExchange})
	code, err := r.TryCode(role)
	if err == nil {
		var resp *token.Response
		resp, err = r.TrySend(r.Redeem(code, role, "control: valid redemption"))
		if err == nil && resp.Status != 200 {
			err = fmt.Errorf("the control redemption by %s answered HTTP %d %s", role, resp.Status, r.Log.Redactor.Redact(string(resp.Body)))
		}
	}
	if err != nil {
		p.controlErr = fmt.Errorf("control exchange: %w", err)
	}
	return p.controlErr
}
