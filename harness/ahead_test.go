package harness

import (
	"context"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/grantcheck/grantcheck/harness/catalog"
	"github.com/grantcheck/grantcheck/harness/config"
)

// aheadProvider is a provider whose authorization endpoint issues a distinct code at once to
// every flow, counting them, with login.ahead set to depth.
func aheadProvider(t *testing.T, codeTTL string, depth int) (*Provider, *atomic.Int32) {
	t.Helper()
	var flows atomic.Int32
	srv := codeServer(t, func(*http.Request, http.ResponseWriter) { flows.Add(1) })
	p := testProvider(t, codeTTL)
	p.Discovery.AuthorizationEndpoint = srv.URL + "/authorize"
	p.Config.Login.Ahead = &depth
	p.ahead = newLoginAhead(p)
	t.Cleanup(func() { p.ahead.close() })
	return p, &flows
}

func scenarioRun(p *Provider) *Run {
	return newRun(context.Background(), p, catalog.Entry{ID: catalog.CodeReuse.ID, Scenario: catalog.CodeReuse})
}

// Flows logged in ahead go to one scenario each (no code is handed out twice), carry their
// transcript, and the run never logs in more than depth flows nobody asked for.
func TestLoginAheadHandsEachFlowToOneScenario(t *testing.T) {
	p, flows := aheadProvider(t, "10s", 2)
	seen := map[string]bool{}
	served := 0
	const scenarios = 8
	for i := range scenarios {
		r := scenarioRun(p)
		code, err := r.TryCode(config.Primary)
		if err != nil {
			t.Fatalf("scenario %d: %v", i, err)
		}
		if seen[code.Value] {
			t.Fatalf("scenario %d got a code another scenario had", i)
		}
		seen[code.Value] = true
		log := r.Log.String()
		if strings.Contains(log, "login ahead: the flow below") {
			served++
			if !strings.Contains(log, "/authorize?") {
				t.Errorf("scenario %d was handed a flow without its transcript:\n%s", i, log)
			}
		}
	}
	if served < scenarios-1 {
		t.Errorf("%d of %d scenarios were served ahead; every one after the first should be", served, scenarios)
	}
	dropped := p.ahead.close()
	// A flow stopped by close may not have reached the provider yet.
	if got := int(flows.Load()); got < scenarios || got > scenarios+dropped || dropped > 2 {
		t.Errorf("%d flows at the provider for %d scenarios, %d dropped: want one per scenario plus at most login.ahead (2) unused", got, scenarios, dropped)
	}
}

// A flow whose code waited past half of code_ttl is dropped, and the scenario logs in itself.
func TestLoginAheadDropsACodeThatWaitedTooLong(t *testing.T) {
	p, _ := aheadProvider(t, "200ms", 1)
	if _, err := scenarioRun(p).TryCode(config.Primary); err != nil { // asks: one flow starts ahead
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond)
	r := scenarioRun(p)
	code, err := r.TryCode(config.Primary)
	if err != nil {
		t.Fatal(err)
	}
	if age := time.Since(code.IssuedAt); age > 100*time.Millisecond {
		t.Errorf("handed a code %s old; half of code_ttl is 100ms", age)
	}
	if !strings.Contains(r.Log.String(), "dropped unused") {
		t.Errorf("the transcript does not say the stale flow was dropped:\n%s", r.Log)
	}
}

// A flow with options (a chosen redirect_uri, no PKCE, ...) is always the scenario's own, and the
// controls' flows do not count as demand.
func TestLoginAheadServesOnlyStandardFlows(t *testing.T) {
	p, flows := aheadProvider(t, "10s", 2)
	control := scenarioRun(p)
	control.ownLogin = true
	if _, err := control.TryCode(config.Primary); err != nil {
		t.Fatal(err)
	}
	time.Sleep(50 * time.Millisecond)
	if n := flows.Load(); n != 1 {
		t.Errorf("a control's flow started %d flows ahead; want none", n-1)
	}
	r := scenarioRun(p)
	code, err := r.TryCode(config.Primary, WithoutPKCE())
	if err != nil {
		t.Fatal(err)
	}
	if code.PKCE != nil || strings.Contains(r.Log.String(), "login ahead") {
		t.Errorf("a flow without PKCE was served ahead (PKCE %v):\n%s", code.PKCE, r.Log)
	}
}
