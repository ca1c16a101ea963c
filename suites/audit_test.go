package suites

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/grantcheck/grantcheck/fixtures/reference"
	"github.com/grantcheck/grantcheck/harness"
	"github.com/grantcheck/grantcheck/harness/catalog"
	"github.com/grantcheck/grantcheck/harness/config"
	"github.com/grantcheck/grantcheck/harness/verdict"
)

// auditOf lists a configuration's four roles as audited clients, as a team would list them.
func auditOf(cfg *config.Config) string {
	var b strings.Builder
	b.WriteString("audit:\n  clients:\n")
	for _, r := range []config.Role{config.Primary, config.Secondary, config.Public, config.Restricted} {
		c := cfg.Clients.Get(r)
		fmt.Fprintf(&b, "    - client_id: %s\n      auth_method: %s\n", strconv.Quote(c.ClientID), c.AuthMethod)
		if c.ClientSecret != "" {
			fmt.Fprintf(&b, "      client_secret: %s\n", strconv.Quote(c.ClientSecret))
		}
		if len(c.RedirectURIs) > 0 {
			fmt.Fprintf(&b, "      redirect_uris: [%s]\n", strings.Join(c.RedirectURIs, ", "))
		}
		fmt.Fprintf(&b, "      grant_types: [%s]\n", strings.Join(c.GrantTypes, ", "))
		if c.PKCE != "" {
			fmt.Fprintf(&b, "      pkce: %s\n", c.PKCE)
		}
	}
	return b.String()
}

// TestAuditChecksTheReferenceClients audits the clean reference provider's own four clients:
// every check passes or does not apply (with its reason), none errors, and each check's verdict
// comes from the scenario logic it shares with the catalogue.
func TestAuditChecksTheReferenceClients(t *testing.T) {
	slog.SetDefault(slog.New(slog.DiscardHandler))
	srv, err := reference.Start(reference.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	base, err := config.Parse("reference", srv.ConfigYAML(), os.LookupEnv)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Parse("reference+audit", append(srv.ConfigYAML(), auditOf(base)...), os.LookupEnv)
	if err != nil {
		t.Fatal(err)
	}
	p, err := harness.Connect(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	checks := AuditChecks()
	if got, want := len(checks)+1, len(catalog.AuditEntries()); got != want {
		t.Fatalf("%d audit checks with the control, %d audit entries in the catalogue", got, want)
	}
	audits := p.Audit(context.Background(), cfg.AuditClients(), checks, harness.GateSlots(p.Gate(), 4), nil)
	applied := 0
	for _, a := range audits {
		for _, res := range a.Results {
			v := res.Verdict
			switch {
			case v.Result == verdict.Pass:
				applied++
			case v.Result == verdict.Skip && v.NotApplicable:
			default:
				t.Errorf("%s %s: %s %s\n%s", a.Client.ClientID, res.Entry.ID, v.String(), v.Reason, res.Transcript)
			}
		}
	}
	if applied < 40 {
		t.Errorf("only %d checks applied to the four reference clients", applied)
	}
}

// auditReference audits n extra clients of a reference provider started with fault.
func auditReference(t *testing.T, n int, fault string) []harness.ClientAudit {
	t.Helper()
	srv, err := reference.Start(reference.Options{ExtraClients: n, Fault: fault})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	cfg, err := config.Parse("reference", srv.ConfigYAML(), os.LookupEnv)
	if err != nil {
		t.Fatal(err)
	}
	if got := len(cfg.AuditClients()); got != n {
		t.Fatalf("the reference's configuration lists %d audited clients, want %d", got, n)
	}
	p, err := harness.Connect(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	return p.Audit(context.Background(), cfg.AuditClients(), AuditChecks(), harness.GateSlots(p.Gate(), 4), nil)
}

// TestAuditFindsTheOneMisconfiguredClient: against 50 extra clients of every kind, the clean
// reference passes every check that applies, and each audit fault makes exactly its declared
// checks of exactly its one client fail, every other verdict of every client unchanged.
func TestAuditFindsTheOneMisconfiguredClient(t *testing.T) {
	if testing.Short() {
		t.Skip("audits 50 clients once per audit fault")
	}
	slog.SetDefault(slog.New(slog.DiscardHandler))
	const n = 50
	clean := map[string]string{} // client + " " + entry -> verdict
	applied := map[string]bool{}
	for _, a := range auditReference(t, n, "") {
		for _, res := range a.Results {
			v := res.Verdict
			clean[a.Client.ClientID+" "+res.Entry.ID] = v.String()
			switch {
			case v.Result == verdict.Pass:
				applied[res.Entry.ID] = true
			case v.Result == verdict.Skip && v.NotApplicable:
			default:
				t.Errorf("clean reference: %s %s: %s %s", a.Client.ClientID, res.Entry.ID, v.String(), v.Reason)
			}
		}
	}
	failed := map[string]bool{}
	defer func() {
		// Every check is seen able to fail: some audit fault makes it fail for its client. (The
		// refresh_token variant applies only where the provider issued a refresh token to a client
		// without the grant, as under audit-one-grant-list-ignored.) The audit's control is the
		// exception: a failed control stops the client's checks, which every fault's run shows.
		for _, e := range catalog.AuditEntries() {
			if e.ID != catalog.AuditControl.ID && !failed[e.ID] {
				t.Errorf("%s fails under no audit fault: nothing shows the check can fail (passed for some client: %v)", e.ID, applied[e.ID])
			}
		}
	}()
	for _, f := range reference.AuditFaults() {
		for id := range f.Breaks {
			failed[id] = true
		}
		t.Run(f.Name, func(t *testing.T) {
			for _, a := range auditReference(t, n, f.Name) {
				for _, res := range a.Results {
					key := a.Client.ClientID + " " + res.Entry.ID
					want := clean[key]
					if a.Client.ClientID == f.Client && f.Breaks[res.Entry.ID] != "" {
						want = f.Breaks[res.Entry.ID]
					}
					if got := res.Verdict.String(); got != want {
						t.Errorf("%s: want %s, got %s — %s", key, want, got, res.Verdict.Reason)
					}
				}
			}
		})
	}
}
