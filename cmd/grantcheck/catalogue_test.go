package main

import (
	"bytes"
	"os"
	"testing"
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
