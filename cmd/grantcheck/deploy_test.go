package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/grantcheck/grantcheck/fixtures/reference"
)

// startReference starts the reference provider in this process with opts, applies edit to its
// configuration, and returns the path of the edited file for a child run.
func startReference(t *testing.T, opts reference.Options, edit func(string) string) string {
	t.Helper()
	return referenceConfig(t, opts, func(cfg []byte) []byte {
		if edit == nil {
			return cfg
		}
		edited := edit(string(cfg))
		if edited == string(cfg) {
			t.Fatal("the edit changed nothing in the reference configuration; update this test")
		}
		return []byte(edited)
	})
}

// withoutIssParameter serves the discovery document without
// authorization_response_iss_parameter_supported.
func withoutIssParameter(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasSuffix(r.URL.Path, "/.well-known/openid-configuration") {
			next.ServeHTTP(w, r)
			return
		}
		rec := httptest.NewRecorder()
		next.ServeHTTP(rec, r)
		var doc map[string]any
		if err := json.Unmarshal(rec.Body.Bytes(), &doc); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		delete(doc, "authorization_response_iss_parameter_supported")
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(doc)
	})
}

// TestNotApplicableIsDecidedBeforeTheControls: with every control failing (the login steps match
// no page), the scenarios that configuration and discovery rule out are SKIP "does not apply", not
// ERROR: the primary client's first redirect URI is an IP address (no letter case to change), and
// discovery does not advertise RFC 9207's iss.
func TestNotApplicableIsDecidedBeforeTheControls(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the suite")
	}
	t.Parallel()
	path := startReference(t, reference.Options{Wrap: withoutIssParameter}, func(cfg string) string {
		cfg = strings.Replace(cfg, "form#login", "form#no-such-form", 1)
		return strings.Replace(cfg, `"https://app-a.example/cb", `, `"https://127.0.0.1/cb", `, 1)
	})
	c := runChild(t, "--config", path, "--label-filter",
		"(id:redirect-uri-mismatch && variant:host-case) || id:authz-iss-parameter || id:code-reuse")
	want := map[string]string{"redirect-uri-mismatch/host-case": "SKIP", "authz-iss-parameter": "SKIP", "code-reuse": "ERROR"}
	for _, r := range c.run.Results {
		w, ok := want[r.ID]
		if !ok {
			continue
		}
		delete(want, r.ID)
		if r.Verdict.String() != w || (w == "SKIP" && !strings.HasPrefix(r.Verdict.Reason, "does not apply")) {
			t.Errorf("%s: %s (%s), want %s", r.ID, r.Verdict, r.Verdict.Reason, w)
		}
	}
	if len(want) > 0 {
		t.Errorf("no result for %v\n%s", want, c.output)
	}
}

// TestFragileProviderGivesCleanVerdicts: a provider that fails a login overlapping another (as
// SQLite development setups do: a server_error redirect, an HTML 500 page) gets the clean
// reference's verdicts, no ERROR: the failed logins and controls are retried, the run stops
// overlapping and says so once.
func TestFragileProviderGivesCleanVerdicts(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the suite")
	}
	for _, f := range []reference.Fragility{reference.FragileServerErrorRedirect, reference.FragileErrorPage, reference.FragileTokenDuringLogin} {
		t.Run(string(f), func(t *testing.T) {
			t.Parallel()
			path := startReference(t, reference.Options{CodeTTL: 2 * time.Second, Wrap: reference.Fragile(f)}, nil)
			c := runChild(t, "--config", path)
			if diff := mismatches(c.run, nil); len(diff) > 0 {
				t.Errorf("a fragile provider must get the clean verdicts:\n  %s\n%s", strings.Join(diff, "\n  "), c.output)
			}
			if n := strings.Count(c.output, "from now on the run does not overlap"); n != 1 {
				t.Errorf("the run said %d times that it stopped overlapping, want once:\n%s", n, c.output)
			}
			for _, line := range strings.Split(c.output, "\n") {
				if strings.Contains(line, "were tried again after a server error") {
					t.Log(line)
				}
			}
		})
	}
}

// inFlight counts the token requests a provider is answering at once, and the most it saw. It
// holds each request (up to hold) until meet are in flight: whether requests sent together also
// overlap at the server is up to the scheduler, and a loaded machine must not decide the test.
type inFlight struct {
	meet      int
	hold      time.Duration
	mu        sync.Mutex
	now, most int
	gate      chan struct{}
}

func (f *inFlight) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || !strings.Contains(r.URL.Path, "token") {
			next.ServeHTTP(w, r)
			return
		}
		f.mu.Lock()
		f.now++
		f.most = max(f.most, f.now)
		var wait chan struct{}
		switch {
		case f.now >= f.meet && f.gate != nil:
			close(f.gate) // the group has met: release everyone held
			f.gate = nil
		case f.now < f.meet:
			if f.gate == nil {
				f.gate = make(chan struct{})
			}
			wait = f.gate
		}
		f.mu.Unlock()
		defer func() {
			f.mu.Lock()
			f.now--
			f.mu.Unlock()
		}()
		if wait != nil {
			select {
			case <-wait:
			case <-time.After(f.hold):
			case <-r.Context().Done():
			}
		}
		next.ServeHTTP(w, r)
	})
}

// TestRaceRoundsRunInBoundedBatches: with concurrency.rounds 20 the race never has more than 16
// redemptions at the provider at once (20 rounds of 8 at once overloaded a real provider), and the
// verdict is still a PASS that lists every round's answers.
func TestRaceRoundsRunInBoundedBatches(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the suite")
	}
	t.Parallel()
	f := &inFlight{meet: 8, hold: 300 * time.Millisecond}
	path := startReference(t, reference.Options{Wrap: f.wrap}, func(cfg string) string {
		return cfg + "concurrency: {rounds: 20, parallel: 8}\n"
	})
	c := runChild(t, "--config", path, "--label-filter", "id:code-reuse-concurrent")
	if len(c.run.Results) != 1 || c.run.Results[0].Verdict.String() != "PASS" {
		t.Fatalf("results %+v\n%s", c.run.Results, c.output)
	}
	reason := c.run.Results[0].Verdict.Reason
	if !strings.Contains(reason, "round 20:") {
		t.Errorf("the PASS does not list 20 rounds' answers: %s", reason)
	}
	if f.most > 16 || f.most < 8 {
		t.Errorf("at most %d redemptions were at the provider at once, want 8 to 16", f.most)
	}
	t.Logf("at most %d redemptions in flight", f.most)
}

// TestDiscoveryRedirectIsFollowedAndShown: a provider serving its discovery document only with a
// trailing slash (301 from the standard path) is run against, and the run header says so.
func TestDiscoveryRedirectIsFollowedAndShown(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the suite")
	}
	t.Parallel()
	const std = "/.well-known/openid-configuration"
	path := startReference(t, reference.Options{Wrap: func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			switch r.URL.Path {
			case std:
				http.Redirect(w, r, std+"/", http.StatusMovedPermanently)
			case std + "/":
				r.URL.Path = std
				next.ServeHTTP(w, r)
			default:
				next.ServeHTTP(w, r)
			}
		})
	}}, nil)
	c := runChild(t, "--config", path, "--label-filter", "id:code-reuse")
	if !strings.Contains(c.output, "grantcheck: discovery: ") || !strings.Contains(c.output, std+"/ (1 redirect(s) on the issuer's origin, followed)") {
		t.Errorf("the run header does not say discovery was redirected:\n%s", c.output)
	}
	if len(c.run.Results) != 1 || c.run.Results[0].Verdict.String() != "PASS" {
		t.Errorf("results %+v", c.run.Results)
	}
}

// TestAuthzRedirectToAnUnlistedHostIsNotJudged: a provider that answers an unregistered
// redirect_uri by redirecting to an error page on another host (its login application, not in
// login.hosts) gets ERROR naming login.hosts, not a FAIL: the suite saw nothing there to judge.
func TestAuthzRedirectToAnUnlistedHostIsNotJudged(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the suite")
	}
	t.Parallel()
	path := startReference(t, reference.Options{Wrap: func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if ru := r.URL.Query().Get("redirect_uri"); strings.Contains(ru, "grantcheck") || strings.HasPrefix(ru, "http://") {
				http.Redirect(w, r, "https://errors.example.net/oops", http.StatusFound)
				return
			}
			next.ServeHTTP(w, r)
		})
	}}, nil)
	c := runChild(t, "--config", path, "--label-filter", "id:authz-unregistered-redirect")
	if len(c.run.Results) != 3 {
		t.Fatalf("%d results, want the 3 variants\n%s", len(c.run.Results), c.output)
	}
	for _, r := range c.run.Results {
		if r.Verdict.String() != "ERROR" || !strings.Contains(r.Verdict.Reason, "errors.example.net") || !strings.Contains(r.Verdict.Reason, "login.hosts") {
			t.Errorf("%s: %s (%s), want ERROR naming the host and login.hosts", r.ID, r.Verdict, r.Verdict.Reason)
		}
	}
}
