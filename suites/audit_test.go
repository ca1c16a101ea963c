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
	audits := p.Audit(context.Background(), cfg.AuditClients(), checks, harness.FixedSlots(4), nil)
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
