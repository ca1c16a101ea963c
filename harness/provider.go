// Package harness wires the pieces a scenario uses: the provider (config + discovery), a Run per
// scenario (transcript, code acquisition, token requests) and the wrapper that turns a catalogue
// entry into a labelled Ginkgo spec with a verdict.
package harness

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/grantcheck/grantcheck/harness/authorize"
	"github.com/grantcheck/grantcheck/harness/authorize/browser"
	"github.com/grantcheck/grantcheck/harness/backoff"
	"github.com/grantcheck/grantcheck/harness/catalog"
	"github.com/grantcheck/grantcheck/harness/token"

	"github.com/grantcheck/grantcheck/harness/config"
	"github.com/grantcheck/grantcheck/harness/discovery"
	"github.com/grantcheck/grantcheck/harness/httpsession"
	"github.com/grantcheck/grantcheck/harness/transcript"
	"github.com/grantcheck/grantcheck/harness/verdict"
)

// Provider is a provider under test, discovered and ready.
type Provider struct {
	Config    *config.Config
	Discovery discovery.Document
	base      *httpsession.Base
	redactor  *transcript.Redactor

	controlMu sync.Mutex
	// controls: each configured role's control failure (nil: it succeeded). A scenario needing a
	// role's control is ERROR with this reason; the others still run.
	controls map[config.Role]error
	// controlFiles: what each role's control saved as evidence (a screenshot of the page its
	// login stopped on).
	controlFiles map[config.Role][]verdict.File
	// performed: grant types a control just performed, so the provider supports them whatever
	// its discovery document lists.
	performed map[string]bool
	// Artifacts is the folder for files a flow leaves for the reports (screenshots of login pages
	// no step matched); "" is the system's temporary folder.
	Artifacts string
	browser   lazyBrowser
	ahead     *loginAhead // nil: every flow logs in when a scenario asks
	logins    loginTimes
	// loginStall gives up on logins after a few in a row ran out of timeouts.login, as the
	// breaker does for exchanges.
	loginStall *httpsession.Streak
}

// Connect reads the provider's discovery document; its errors are one line, naming what failed.
func Connect(ctx context.Context, cfg *config.Config) (*Provider, error) {
	base, err := httpsession.NewBase(cfg)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", cfg.Source(), err)
	}
	if cfg.Login.Driver == config.DriverBrowser {
		// A missing browser is a setup error now, not an ERROR in every scenario later.
		if _, err := browser.Find(cfg.Login.Browser.Executable, cfg.Login.Browser.IsHeadless()); err != nil {
			base.Close()
			return nil, err
		}
	}
	p := &Provider{Config: cfg, base: base, redactor: transcript.NewRedactor(cfg.Secrets()...),
		loginStall: httpsession.NewLoginStreak(cfg.Timeouts.Login.D())}
	for _, r := range config.Roles {
		if c := cfg.Clients.Get(r); c != nil {
			p.redactor.Client(c.ClientID) // an echoed Basic header is base64 of id:secret
		}
	}
	for _, c := range cfg.AuditClients() {
		p.redactor.Client(c.ClientID)
	}
	log := transcript.NewLog(p.redactor.Child())
	doc, err := discovery.Fetch(ctx, base.New(log, false), cfg.Provider.Issuer)
	if err != nil {
		base.Close()
		return nil, p.redactor.CleanError(err)
	}
	p.Discovery = doc
	p.ahead = newLoginAhead(p)
	return p, nil
}

// Gate is the provider's back-off state (harness/backoff): everything that talks to the provider
// shares it, so after one server failure the whole run stops overlapping.
func (p *Provider) Gate() *backoff.Gate { return p.base.Gate }

// Redactor is the provider-wide redactor that knows the configured secrets.
func (p *Provider) Redactor() *transcript.Redactor { return p.redactor }

// Close releases connections and stops the browser, if one was started.
func (p *Provider) Close() {
	p.ahead.close()
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

// Control runs every configured role's control at once: a valid authorization flow and redemption
// for primary, secondary and public; for restricted, the client_credentials grant it declares. A
// failed control makes only the scenarios that need that role's codes or tokens ERROR. The result
// joins every failure, each naming its role, for the CLI to report first.
func (p *Provider) Control(ctx context.Context) error {
	p.controlMu.Lock()
	p.controls, p.performed, p.controlFiles = map[config.Role]error{}, map[string]bool{}, map[config.Role][]verdict.File{}
	p.controlMu.Unlock()
	var wg sync.WaitGroup
	for _, role := range config.Roles {
		c := p.Config.Clients.Get(role)
		if c == nil {
			continue
		}
		wg.Go(func() {
			r, grant, err := p.control(ctx, catalog.Entry{ID: catalog.BaselineExchange.ID, Scenario: catalog.BaselineExchange}, role, c)
			p.recordControl(role, grant, r.Log.Files(), err)
		})
	}
	wg.Wait()
	var errs []error
	for _, role := range config.Roles {
		if err := p.ControlErr(role); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// control runs one role's control as entry e and returns its run (the transcript and the files its
// flow saved) and the grant it performed ("" for none).
func (p *Provider) control(ctx context.Context, e catalog.Entry, role config.Role, c *config.Client) (*Run, string, error) {
	r := newRun(ctx, p, e)
	r.ownLogin, r.controlRun = true, true
	grant, err := r.control(role, c)
	return r, grant, err
}

// recordControl keeps a role's control result for the scenarios and checks that need it.
func (p *Provider) recordControl(role config.Role, grant string, files []verdict.File, err error) {
	p.controlMu.Lock()
	defer p.controlMu.Unlock()
	p.controls[role], p.controlFiles[role] = err, files
	if err == nil && grant != "" {
		p.performed[grant] = true
	}
}

func (r *Run) control(role config.Role, c *config.Client) (string, error) {
	p := r.P
	// A login and a token request that fail with a server error were retried already (Run.flow,
	// Run.send); what is left is the answer, and failure says whether it was a server error.
	var failure string
	if role == config.Restricted || (role.Audited() && !c.Allows("authorization_code")) {
		if !c.Allows("client_credentials") {
			return "", nil // nothing the role declares can be shown to work without a redirect URI
		}
		resp, err := r.TrySend(r.ClientCredentials(role, "control: client_credentials grant"))
		failure = tokenServerFailure(resp, err)
		if err == nil && (resp.Status != 200 || resp.String("access_token") == "") {
			err = fmt.Errorf("answered HTTP %d %s", resp.Status, r.Log.Redactor.Redact(string(resp.Body)))
		}
		if err != nil {
			return "", p.redactor.CleanError(fmt.Errorf("setup: %s declares the client_credentials grant, but the provider did not perform it "+
				"for %s (%s): %w", p.Config.Describe(role), c.ClientID, controlAdvice(p.Config, role, resp, nil, failure, "fix the client's registration or its grant_types"), err))
		}
		return "client_credentials", nil
	}
	var resp *token.Response
	var refused *authorize.RefusalError
	o, err := r.Flow(role)
	failure = serverFailure(o, err)
	code, err := codeOf(role, o, err)
	if err != nil {
		errors.As(err, &refused)
	} else {
		resp, err = r.TrySend(r.Redeem(code, role, "control: valid redemption"))
		failure = tokenServerFailure(resp, err)
		if err == nil && (resp.Status != 200 || resp.String("access_token") == "") {
			err = fmt.Errorf("the control redemption answered HTTP %d %s", resp.Status, r.Log.Redactor.Redact(string(resp.Body)))
		}
	}
	if err != nil {
		// Login and exchange errors quote pages and URLs: cleaned once here, for console and reports.
		who := "the " + string(role) + " client"
		if role.Audited() {
			who = p.Config.Describe(role)
		}
		return "", p.redactor.CleanError(fmt.Errorf("control exchange of %s (%s): %w", who,
			controlAdvice(p.Config, role, resp, refused, failure, "fix the login steps or the client configuration"), err))
	}
	return "authorization_code", nil
}

// tokenServerFailure names the server error a token request met ("" for none): HTTP 5xx, an
// error server_error or temporarily_unavailable, or a connection an overloaded provider dropped.
// The answer is asked first: a request that ran out of retries keeps its last answer, with the
// context's end as err.
func tokenServerFailure(resp *token.Response, err error) string {
	switch {
	case resp == nil:
		return serverFailure(authorize.Outcome{}, err)
	case resp.Status >= 500:
		return fmt.Sprintf("HTTP %d", resp.Status)
	case authorize.IsServerErrorCode(resp.String("error")):
		return "error=" + resp.String("error")
	}
	return ""
}

// controlAdvice is what to do about a failed control, from what the provider answered: a scope it
// refused names the setting that sends it, a server error says the provider failed, anything else
// gets otherwise.
func controlAdvice(cfg *config.Config, role config.Role, resp *token.Response, refused *authorize.RefusalError, failure, otherwise string) string {
	scopeRefused := refused != nil && refused.Refusal.Error == "invalid_scope" || resp != nil && resp.String("error") == "invalid_scope"
	switch {
	case scopeRefused:
		key := cfg.ScopeKey(role)
		if key == "provider.scope" {
			key += " (or clients." + string(role) + ".scope for this client alone)"
		}
		return fmt.Sprintf("the provider refused the scope %q with invalid_scope: set %s to a scope the client is registered for",
			cfg.ScopeOf(role), key)
	case failure != "" || refused != nil && authorize.IsServerErrorCode(refused.Refusal.Error):
		return "the provider failed with a server error, also when tried again alone: the provider's failure, not the configuration's"
	case resp != nil && resp.Status == 403 && cfg.Clients.Get(role).Scope == "":
		return otherwise + "; a provider that grants a client only its own scope answers so: set clients." + string(role) + ".scope"
	}
	return otherwise
}

func (p *Provider) controlFilesOf(role config.Role) []verdict.File {
	p.controlMu.Lock()
	defer p.controlMu.Unlock()
	return p.controlFiles[role]
}

// ControlErr is why the role's control failed, nil when it succeeded, was not run or not needed.
func (p *Provider) ControlErr(role config.Role) error {
	p.controlMu.Lock()
	defer p.controlMu.Unlock()
	return p.controls[role]
}

// SupportsGrant: the provider supports grant for some client when its discovery document lists it,
// any configured client is allowed it, or a control just performed it (RFC 6749 §5.2
// unsupported_grant_type is then the wrong answer to a client not allowed it).
func (p *Provider) SupportsGrant(grant string) bool {
	if p.Discovery.SupportsGrant(grant) {
		return true
	}
	for _, role := range config.Roles {
		c := p.Config.Clients.Get(role)
		// A restricted client whose client_credentials control failed declares a grant the
		// provider does not perform: a setup error, not evidence of support.
		disproved := role == config.Restricted && grant == "client_credentials" && p.ControlErr(role) != nil
		if c != nil && c.Allows(grant) && !disproved {
			return true
		}
	}
	p.controlMu.Lock()
	defer p.controlMu.Unlock()
	return p.performed[grant]
}
