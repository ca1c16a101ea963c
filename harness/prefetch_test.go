package harness

import (
	"errors"
	"sync/atomic"
	"testing"

	"github.com/grantcheck/grantcheck/harness/catalog"
	"github.com/grantcheck/grantcheck/harness/config"
	"github.com/grantcheck/grantcheck/harness/httpsession"
	"github.com/grantcheck/grantcheck/harness/transcript"
)

func testProvider(t *testing.T, codeTTL string) *Provider {
	t.Helper()
	cfg, err := config.Parse("t.yaml", []byte(`provider:
  issuer: http://127.0.0.1:1
  code_ttl: `+codeTTL+`
clients:
  primary: {client_id: app-a, client_secret: s3cret-value, redirect_uris: ["https://app-a.example/cb"]}
`), func(string) (string, bool) { return "", false })
	if err != nil {
		t.Fatal(err)
	}
	base, err := httpsession.NewBase(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(base.Close)
	return &Provider{Config: cfg, base: base, redactor: transcript.NewRedactor(cfg.Secrets()...)}
}

// A prefetch starts only for a scenario the run will run: the label filter selects it and its
// needs (roles, code_ttl, the roles' controls) are met — a run filtered to code-unknown does no
// expiry login.
func TestPrefetchHonoursFilterAndNeeds(t *testing.T) {
	cases := []struct {
		name, filter, codeTTL string
		primaryControl        error
		wantStart             bool
	}{
		{"filtered to code-unknown", "id:code-unknown", "2s", nil, false},
		{"filtered to its family", "family:code-validity", "2s", nil, true},
		{"no filter", "", "2s", nil, true},
		{"filtered out by a negation", "!id:code-expired", "2s", nil, false},
		{"code_ttl not configured", "", "0s", nil, false},
		{"the primary control failed", "", "2s", errors.New("login failed"), false},
		{"a filter that does not parse", "id:(", "2s", nil, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := testProvider(t, c.codeTTL)
			p.controls = map[config.Role]error{config.Primary: c.primaryControl}
			var started atomic.Int32
			pf := Prefetch(catalog.CodeExpired, func(*Run) (int, error) { started.Add(1); return 0, nil })
			StartPrefetches(p, c.filter)
			if got := pf.run != nil; got != c.wantStart {
				t.Errorf("started = %v, want %v", got, c.wantStart)
			}
			if c.wantStart {
				<-pf.done
				if started.Load() != 1 {
					t.Errorf("start ran %d times", started.Load())
				}
			}
			// Later cases start every registered prefetch again; this one must be done by then.
			pf.once.Do(func() { close(pf.done) })
		})
	}
}
