package explain

import (
	"context"
	"fmt"
	"slices"

	"github.com/go-resty/resty/v2"

	"github.com/grantcheck/grantcheck/harness/authorize"
	"github.com/grantcheck/grantcheck/harness/config"
	"github.com/grantcheck/grantcheck/harness/discovery"
	"github.com/grantcheck/grantcheck/harness/httpsession"
	"github.com/grantcheck/grantcheck/harness/pkce"
	"github.com/grantcheck/grantcheck/harness/token"
	"github.com/grantcheck/grantcheck/harness/transcript"
)

// A probe reproduces one cause: a fresh code obtained as the configured client would, redeemed
// validly except for the one parameter the cause is about.
type probe struct {
	what string // the change, in words
	// noPKCE: the authorization request sends no challenge.
	noPKCE bool
	// mutate changes the valid redemption; second redeems the same code a second time first.
	mutate func(req *token.Request, code *authorize.Code, p *prober)
	twice  bool
}

// probes are the causes a fresh exchange can reproduce. code-expired (it would wait code_ttl)
// and clock-skew (the provider's clocks are not ours to move) are not probed.
var probes = map[string]probe{
	CodeReused: {what: "the same code redeemed a second time", twice: true},
	RedirectURIMissing: {what: "redirect_uri omitted",
		mutate: func(r *token.Request, _ *authorize.Code, _ *prober) { r.Omit("redirect_uri") }},
	RedirectURIMismatch: {what: "redirect_uri as the failing request sent it",
		mutate: func(r *token.Request, _ *authorize.Code, p *prober) {
			r.Set("redirect_uri", p.in.Token.Form.Get("redirect_uri"))
		}},
	PKCEVerifierMissing: {what: "code_verifier omitted",
		mutate: func(r *token.Request, _ *authorize.Code, _ *prober) { r.Omit("code_verifier") }},
	PKCEVerifierMismatch: {what: "another code_verifier",
		mutate: func(r *token.Request, _ *authorize.Code, _ *prober) {
			r.Set("code_verifier", pkce.New(pkce.S256).Value)
		}},
	PKCEVerifierUnexpected: {what: "no code_challenge at authorization, a code_verifier at the token endpoint", noPKCE: true,
		mutate: func(r *token.Request, _ *authorize.Code, _ *prober) {
			r.Set("code_verifier", pkce.New(pkce.S256).Value)
		}},
	ClientMismatch: {what: "redeemed by the client of the failing request",
		mutate: func(r *token.Request, _ *authorize.Code, p *prober) { r.Authenticate(p.redeemer) }},
	ClientAuthentication: {what: "the failing request's client authentication",
		mutate: func(r *token.Request, _ *authorize.Code, p *prober) {
			r.Authenticate(p.redeemer)
			if p.d.auth.hasBasic && p.d.auth.hasBodySecret {
				r.Set("client_secret", p.d.auth.bodySecret)
			}
		}},
	GrantTypeNotAllowed: {what: "grant_type as the failing request sent it",
		mutate: func(r *token.Request, _ *authorize.Code, p *prober) {
			r.Set("grant_type", p.in.Token.Form.Get("grant_type")).Omit("code").Omit("redirect_uri").Omit("code_verifier")
		}},
}

type prober struct {
	in       Input
	d        *diagnosis
	cfg      *config.Config
	client   *config.Client
	redeemer token.Auth
	driver   *authorize.Driver
	http     *resty.Client
	endpoint string
	log      *transcript.Log
}

// Probe confirms or weakens each cause of the report against the configured provider. It runs one
// valid flow first (the control); a cause is certain when only its change makes a fresh redemption
// fail, and possible when the provider accepts the change.
func Probe(ctx context.Context, cfg *config.Config, in Input, rep Report, red *transcript.Redactor) (Report, error) {
	in.Config = cfg
	d := newDiagnosis(in, red)
	issuer := d.client // the code is obtained as the client of the authorization request
	if id := d.authz.Get("client_id"); id != "" {
		issuer = clientByID(cfg, id)
	}
	if issuer == nil {
		rep.NotChecked = append(rep.NotChecked, "probe: the failing exchange's client is not in the configuration")
		return rep, nil
	}
	base, err := httpsession.NewBase(cfg)
	if err != nil {
		return rep, fmt.Errorf("probe: %s: %w", cfg.Source(), err)
	}
	defer base.Close()
	log := transcript.NewLog(red)
	c := base.New(log, false)
	doc, err := discovery.Fetch(ctx, c, cfg.Provider.Issuer)
	if err != nil {
		return rep, fmt.Errorf("probe: %w", err)
	}
	p := &prober{in: in, d: d, cfg: cfg, client: issuer, http: c, endpoint: doc.TokenEndpoint, log: log,
		redeemer: token.Auth{Method: d.auth.method(), ClientID: d.auth.id(), Secret: d.auth.secret()}}
	if p.redeemer.Method != config.AuthBasic && p.redeemer.Method != config.AuthPost && p.redeemer.Method != config.AuthNone {
		p.redeemer.Method = config.AuthBasic // both at once: Basic here, the body secret added by the probe
	}
	p.driver = &authorize.Driver{Endpoint: doc.AuthorizationEndpoint, Login: cfg.Login, Timeout: cfg.Timeouts.Login.D(),
		Log: log, NewClient: func() *resty.Client { return base.New(log, true) }}

	status, err := p.try(ctx, probe{what: "control"})
	if err != nil {
		return rep, fmt.Errorf("probe: control flow: %w", err)
	}
	if status != 200 {
		rep.NotChecked = append(rep.NotChecked, red.Redact(fmt.Sprintf("probe: a valid redemption by %s failed too (HTTP %d), so no change can be singled out; fix the configuration or the login steps first", p.client.ClientID, status)))
		return rep, nil
	}
	for i, cause := range rep.Causes {
		pr, ok := probes[cause.ID]
		if !ok || cause.ID == None {
			continue
		}
		status, err := p.try(ctx, pr)
		if err != nil {
			rep.NotChecked = append(rep.NotChecked, red.Redact(fmt.Sprintf("probe of %s: %v", cause.ID, err)))
			continue
		}
		if status >= 400 {
			rep.Causes[i].Confidence = Certain
			rep.Causes[i].Evidence += fmt.Sprintf("; probe: confirmed, a valid redemption of a fresh code succeeded and "+
				"one with only %s changed was refused (HTTP %d)", pr.what, status)
		} else {
			rep.Causes[i].Confidence = Possible
			rep.Causes[i].Evidence += fmt.Sprintf("; probe: a fresh code with only %s changed was accepted (HTTP %d), "+
				"so this alone does not make the provider refuse", pr.what, status)
		}
	}
	rank(rep.Causes)
	return rep, nil
}

// try obtains a fresh code as the configured client and redeems it with the probe's change.
func (p *prober) try(ctx context.Context, pr probe) (int, error) {
	redirect := p.client.RedirectURIs
	if len(redirect) == 0 {
		return 0, fmt.Errorf("%s has no redirect_uris to obtain a code with", p.client.ClientID)
	}
	req := authorize.Request{Client: p.client, Scope: p.cfg.ScopeFor(p.client), Extra: p.cfg.Provider.AuthorizeParams,
		RedirectURI: redirect[0]}
	if sent := p.d.authz.Get("redirect_uri"); sent != "" && slices.Contains(redirect, sent) {
		req.RedirectURI = sent
	}
	if !pr.noPKCE {
		v := pkce.New(pkce.S256)
		req.PKCE = &v
	}
	code, err := p.driver.Acquire(ctx, req)
	if err != nil {
		return 0, err
	}
	valid := func(step string) *token.Request {
		r := token.New(p.http, p.log, p.endpoint, step).Authenticate(token.AuthOf(p.client).WithAudience(p.cfg.Provider.Issuer)).
			Set("grant_type", "authorization_code").Set("code", code.Value).Set("redirect_uri", code.RedirectURI)
		if code.PKCE != nil {
			p.log.Redactor.Learn("code_verifier", code.PKCE.Value)
			r.Set("code_verifier", code.PKCE.Value)
		}
		return r
	}
	if pr.twice {
		if _, err := valid("probe: first redemption").Send(ctx); err != nil {
			return 0, err
		}
	}
	r := valid("probe: " + pr.what)
	if pr.mutate != nil {
		pr.mutate(r, code, p)
	}
	resp, err := r.Send(ctx)
	if err != nil {
		return 0, err
	}
	return resp.Status, nil
}

func clientByID(cfg *config.Config, id string) *config.Client {
	for _, r := range []config.Role{config.Primary, config.Secondary, config.Public, config.Restricted} {
		if c := cfg.Clients.Get(r); c != nil && c.ClientID == id {
			return c
		}
	}
	// A client of the audit list is registered as listed too.
	return cfg.Clients.Get(config.AuditRole(id))
}
