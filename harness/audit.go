package harness

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/grantcheck/grantcheck/harness/backoff"
	"github.com/grantcheck/grantcheck/harness/catalog"
	"github.com/grantcheck/grantcheck/harness/config"
	"github.com/grantcheck/grantcheck/harness/verdict"
)

// AuditCheck is one audit catalogue entry with the body that runs it for one client, given the
// client's role (config.AuditRole). The body is the existing scenario's logic with the role as a
// parameter.
type AuditCheck struct {
	Entry catalog.Entry
	Body  func(r *Run, role config.Role)
}

// CheckResult is one check's verdict for one client.
type CheckResult struct {
	Entry      catalog.Entry
	Verdict    verdict.Verdict
	Transcript string
	Duration   time.Duration
}

// ClientAudit is what the audit found for one client.
type ClientAudit struct {
	Client  *config.Client
	Results []CheckResult
	// Duration is the client's own cost: its control and its checks, one after the other.
	Duration time.Duration
}

// ClientSlots bounds how many audited clients run at once (--jobs). It is the audit's one
// concurrency seam: a policy that backs off when overlapping logins fail (DESIGN.md, "The
// harness's own concurrency is never evidence") is a ClientSlots whose Release sees the failure
// and whose Acquire then hands out one slot at a time.
type ClientSlots interface {
	// Acquire waits for a slot; its error is the context's.
	Acquire(ctx context.Context) error
	// Release returns the slot; failure is the work's own failure (a control's), nil on success.
	Release(failure error)
}

// GateSlots is n slots while the provider copes with overlapping work, and one once the gate has
// seen a server failure (backoff.Gate.Overlap): audited clients then run one after another, as the
// scenarios' logins do, so a fragile provider's failures under the audit's own concurrency never
// become a client's ERROR or verdict. Slots already handed out finish; no new one starts until
// the number running is below what the gate allows.
func GateSlots(g *backoff.Gate, n int) ClientSlots { return &gateSlots{gate: g, n: max(n, 1)} }

type gateSlots struct {
	gate   *backoff.Gate
	n      int
	mu     sync.Mutex
	active int
	wake   chan struct{} // closed when a slot is released
}

func (s *gateSlots) Acquire(ctx context.Context) error {
	for {
		s.mu.Lock()
		if s.active < s.gate.Overlap(s.n) {
			s.active++
			s.mu.Unlock()
			return nil
		}
		if s.wake == nil {
			s.wake = make(chan struct{})
		}
		wake := s.wake
		s.mu.Unlock()
		select {
		case <-wake:
		case <-ctx.Done():
			return context.Cause(ctx)
		}
	}
}

func (s *gateSlots) Release(error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.active--
	if s.wake != nil {
		close(s.wake)
		s.wake = nil
	}
}

// Audit runs every client's control, then every check for each client, as many clients at once as
// slots allow. The controls all run first, so a check that needs another client's code (a code of
// another listed client) knows which controls succeeded. done, when set, is called as each client
// finishes. Results follow the clients' order.
func (p *Provider) Audit(ctx context.Context, clients []*config.Client, checks []AuditCheck, slots ClientSlots, done func(ClientAudit)) (out []ClientAudit) {
	p.controlMu.Lock()
	if p.controls == nil {
		p.controls, p.performed, p.controlFiles = map[config.Role]error{}, map[string]bool{}, map[config.Role][]verdict.File{}
	}
	p.controlMu.Unlock()
	out = make([]ClientAudit, len(clients))
	controls := make([]CheckResult, len(clients))
	each := func(work func(i int) error) {
		var wg sync.WaitGroup
		for i := range clients {
			if err := slots.Acquire(ctx); err != nil {
				break
			}
			wg.Go(func() { slots.Release(work(i)) })
		}
		wg.Wait()
	}
	defer func() {
		// A client the stopped run never reached is left out, not reported half done.
		out = slices.DeleteFunc(out, func(a ClientAudit) bool { return a.Client == nil })
	}()
	each(func(i int) error {
		began := time.Now()
		controls[i] = p.auditControl(ctx, clients[i])
		controls[i].Duration = time.Since(began)
		return p.ControlErr(config.AuditRole(clients[i].ClientID))
	})
	each(func(i int) error {
		if ctx.Err() != nil {
			return nil // the run was stopped: the client is left out
		}
		began := time.Now()
		a := ClientAudit{Client: clients[i], Results: []CheckResult{controls[i]}}
		role := config.AuditRole(clients[i].ClientID)
		for _, check := range checks {
			a.Results = append(a.Results, p.auditCheck(ctx, role, check))
		}
		a.Duration = controls[i].Duration + time.Since(began)
		out[i] = a
		if done != nil {
			done(a)
		}
		return nil
	})
	return out
}

// auditControl runs one client's control and reports it as the audit-control entry.
func (p *Provider) auditControl(ctx context.Context, c *config.Client) CheckResult {
	role := config.AuditRole(c.ClientID)
	e := catalog.Entry{ID: catalog.AuditControl.ID, Scenario: catalog.AuditControl}
	r, grant, err := p.control(ctx, e, role, c)
	p.recordControl(role, grant, r.Log.Files(), err)
	v := verdict.Verdict{ID: e.ID, Result: verdict.Pass, Files: r.Log.Files()}
	switch {
	case err != nil:
		v.Result, v.Reason = verdict.Error, err.Error() // cleaned in control
	case grant == "":
		v.Result, v.NotApplicable = verdict.Skip, true
		v.Reason = "does not apply: the client declares neither authorization_code nor client_credentials, so no valid request can be shown to work"
	}
	return CheckResult{Entry: e, Verdict: v, Transcript: r.Log.String()}
}

// auditCheck judges one check for one client: ERROR with the control's reason when the client's
// control failed, else the body's verdict.
func (p *Provider) auditCheck(ctx context.Context, role config.Role, check AuditCheck) CheckResult {
	began := time.Now()
	e := check.Entry
	variant := ""
	if e.Variant != nil {
		variant = e.Variant.Name
	}
	if slices.Contains(e.Scenario.NeedsFor(variant), catalog.AuditedControl) {
		if err := p.ControlErr(role); err != nil {
			return CheckResult{Entry: e, Verdict: verdict.Verdict{ID: e.ID, Result: verdict.Error,
				Reason: fmt.Sprintf("the client's control failed, so this check cannot run: %v", err), Files: p.controlFilesOf(role)}}
		}
	}
	v, log := judge(ctx, p, e, true, func(r *Run) { check.Body(r, role) })
	return CheckResult{Entry: e, Verdict: v, Transcript: log, Duration: time.Since(began)}
}

// AuditPeer is the next listed client after role's (in list order, wrapping) that has the code
// grant and whose control succeeded: the client whose code another client must not redeem.
func (p *Provider) AuditPeer(role config.Role) (config.Role, bool) {
	clients := p.Config.AuditClients()
	at := slices.IndexFunc(clients, func(c *config.Client) bool { return config.AuditRole(c.ClientID) == role })
	for k := 1; at >= 0 && k < len(clients); k++ {
		c := clients[(at+k)%len(clients)]
		peer := config.AuditRole(c.ClientID)
		p.controlMu.Lock()
		err, ran := p.controls[peer]
		p.controlMu.Unlock()
		if c.Allows("authorization_code") && ran && err == nil {
			return peer, true
		}
	}
	return "", false
}
