package main

import (
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"gopkg.in/yaml.v3"

	"github.com/grantcheck/grantcheck/fixtures/reference"
	"github.com/grantcheck/grantcheck/harness/catalog"
)

// editedReferenceConfig is referenceConfig with its clients changed by edit.
func editedReferenceConfig(t *testing.T, opts reference.Options, edit func(clients map[string]any)) string {
	t.Helper()
	return referenceConfig(t, opts, func(cfg []byte) []byte {
		var doc map[string]any
		if err := yaml.Unmarshal(cfg, &doc); err != nil {
			t.Fatal(err)
		}
		edit(doc["clients"].(map[string]any))
		data, err := yaml.Marshal(doc)
		if err != nil {
			t.Fatal(err)
		}
		return data
	})
}

// TestAssertionScenariosNameTheKeyToSet: without the assertion roles, every client-assertion
// scenario but the one run by the primary client SKIPs, saying which configuration key to set;
// none passes.
func TestAssertionScenariosNameTheKeyToSet(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the client-assertion family")
	}
	t.Parallel()
	path := editedReferenceConfig(t, reference.Options{}, func(clients map[string]any) {
		delete(clients, "assertion")
		delete(clients, "assertion_secret")
	})
	c := runChild(t, "--config", path, "--label-filter", "family:"+catalog.FamilyClientAssertion)
	if len(c.run.Results) != len(catalog.ClientAssertion.Variants)+len(catalog.ClientAssertionRecommended.Variants) {
		t.Fatalf("%d results", len(c.run.Results))
	}
	for _, r := range c.run.Results {
		want := "SKIP"
		if r.ID == catalog.ClientAssertionRecommended.VariantID("method-unregistered") {
			want = "PASS"
		}
		if got := r.Verdict.String(); got != want {
			t.Errorf("%s: %s (%s), want %s", r.ID, got, r.Verdict.Reason, want)
			continue
		}
		if want == "SKIP" && !strings.Contains(r.Verdict.Reason, "set clients.assertion") {
			t.Errorf("%s: the reason names no key to set: %s", r.ID, r.Verdict.Reason)
		}
	}
	if c.run.Outcome != "incomplete" {
		t.Errorf("outcome %q: MUST scenarios were skipped, so the run is incomplete", c.run.Outcome)
	}
}

// TestAssertionKeyFromPEMFile: the private_key_jwt client signs with a PEM key read from
// private_key_file as well as with the JWK the reference prints; the family passes either way.
func TestAssertionKeyFromPEMFile(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the client-assertion family")
	}
	t.Parallel()
	keyFile := filepath.Join(t.TempDir(), "app-jwt.pem")
	path := editedReferenceConfig(t, reference.Options{}, func(clients map[string]any) {
		a := clients["assertion"].(map[string]any)
		var jwk jose.JSONWebKey
		if err := jwk.UnmarshalJSON([]byte(a["private_key"].(string))); err != nil {
			t.Fatal(err)
		}
		der, err := x509.MarshalPKCS8PrivateKey(jwk.Key)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600); err != nil {
			t.Fatal(err)
		}
		delete(a, "private_key")
		a["private_key_file"] = keyFile
	})
	c := runChild(t, "--config", path, "--label-filter", "family:"+catalog.FamilyClientAssertion)
	for _, r := range c.run.Results {
		if r.Verdict.String() != "PASS" {
			t.Errorf("%s: %s (%s)", r.ID, r.Verdict, r.Verdict.Reason)
		}
	}
	if len(c.run.Results) == 0 {
		t.Error("no results")
	}
}

// TestEveryScenarioRunsWithAssertionClients: with the primary client on private_key_jwt and the
// secondary on client_secret_jwt, every scenario runs with a fresh assertion per request and
// passes; only those about secrets sent by Basic or in the body (and the two redirect URIs the
// reference's assertion client lacks) skip.
func TestEveryScenarioRunsWithAssertionClients(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the whole suite")
	}
	t.Parallel()
	path := editedReferenceConfig(t, reference.Options{CodeTTL: 2 * time.Second}, func(clients map[string]any) {
		clients["primary"], clients["secondary"] = clients["assertion"], clients["assertion_secret"]
		delete(clients, "assertion")
		delete(clients, "assertion_secret")
	})
	c := runChild(t, "--config", path)
	skips := map[string]bool{
		catalog.RedirectURIOmitted.ID: true, catalog.RedirectURIMismatch.VariantID("other-registered"): true,
		catalog.ClientSecretWrongBasic.ID: true, catalog.InvalidClientChallenge.ID: true, catalog.ClientSecretWrongPost.ID: true,
		catalog.ClientAuthMethodUnregistered.ID: true, catalog.ClientAuthMultiple.ID: true, catalog.CrossClientIDMismatch.ID: true,
		catalog.ClientAssertionRecommended.VariantID("method-unregistered"): true,
	}
	for _, r := range c.run.Results {
		want := "PASS"
		if skips[r.ID] {
			want = "SKIP"
		}
		if got := r.Verdict.String(); got != want {
			t.Errorf("%s: %s (%s), want %s", r.ID, got, r.Verdict.Reason, want)
		}
	}
	if len(c.run.Results) != len(catalog.Entries()) {
		t.Errorf("%d results for %d catalogue entries", len(c.run.Results), len(catalog.Entries()))
	}
}
