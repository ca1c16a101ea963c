package main

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"github.com/grantcheck/grantcheck/harness/catalog"
)

// TestCatalogueFileIsCurrent: CATALOGUE.md is generated from the catalogue (make catalogue), so
// the document users read cannot drift from the code that runs.
func TestCatalogueFileIsCurrent(t *testing.T) {
	want, err := os.ReadFile("../../CATALOGUE.md")
	if err != nil {
		t.Fatal(err)
	}
	var got bytes.Buffer
	if err := listCmd([]string{"--format", "markdown"}, &got); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.Bytes(), want) {
		t.Error("CATALOGUE.md is out of date: run make catalogue")
	}
}

// The "Passes when" column says what a non-error check checks, never "any RFC 6749 §5.2 error".
func TestPassesWhenOfNonErrorChecks(t *testing.T) {
	for _, e := range append(catalog.Entries(), catalog.AuditEntries()...) {
		if e.Scenario.Passes == "" {
			continue
		}
		got := passesWhen(e)
		if strings.Contains(got, "§5.2 error") || !strings.HasPrefix(got, e.Scenario.Passes) {
			t.Errorf("%s: Passes when is %q, want it to start with %q", e.ID, got, e.Scenario.Passes)
		}
	}
}
