package harness

import (
	"errors"
	"strings"
	"testing"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/grantcheck/grantcheck/harness/catalog"
)

func TestClassify(t *testing.T) {
	must := catalog.Entry{ID: catalog.CodeReuse.ID, Scenario: catalog.CodeReuse}
	should := catalog.Entry{ID: catalog.CodeReuseRevokes.ID, Scenario: catalog.CodeReuseRevokes}
	cases := []struct {
		name    string
		entry   catalog.Entry
		failure error
		strict  bool
		want    string
		reason  string
	}{
		{"a noted warning", must, nil, false, "WARN", "w"},
		{"a noted warning, strict", must, nil, true, "FAIL:format", "w"},
		{"security", must, errors.New("[security] tokens issued"), false, "FAIL:security", "tokens issued"},
		{"error-code", must, errors.New("[error-code] error is x"), false, "FAIL:error-code", "error is x"},
		{"format", must, errors.New("[format] not JSON"), false, "FAIL:format", "not JSON"},
		{"untagged assertion", must, errors.New("Expected 1 to equal 2"), false, "FAIL:error-code", "Expected 1 to equal 2"},
		{"broken SHOULD warns", should, errors.New("[security] token still works"), false, "WARN", "token still works"},
		{"strict makes it fail", should, errors.New("[security] token still works"), true, "FAIL:security", "token still works"},
		{"a broken MUST of the form in a SHOULD scenario fails", should, errors.New("[error-code MUST] HTTP status is 403"), false, "FAIL:error-code", "HTTP status is 403"},
		{"a malformed refusal in a SHOULD scenario fails", should, errors.New("[format MUST] not JSON"), false, "FAIL:format", "not JSON"},
		{"a MUST tag in a MUST scenario", must, errors.New("[format MUST] not JSON"), false, "FAIL:format", "not JSON"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			SetStrict(c.strict)
			defer SetStrict(false)
			v := classify(c.entry, c.failure, []string{"w"})
			if v.String() != c.want || v.Reason != c.reason || v.ID != c.entry.ID {
				t.Errorf("classify = %s %q (%s), want %s %q", v, v.Reason, v.ID, c.want, c.reason)
			}
			if len(v.Warnings) != 1 {
				t.Errorf("warnings lost: %v", v.Warnings)
			}
		})
	}
}

func TestLabelsAreValidGinkgoLabels(t *testing.T) {
	for _, e := range catalog.Entries() {
		for _, l := range Labels(e) {
			if strings.ContainsAny(l, "&|!,()/") {
				t.Errorf("%s: label %q has a character Ginkgo labels may not hold", e.ID, l)
			}
		}
	}
}

func TestClassifyCleanPass(t *testing.T) {
	e := catalog.Entry{ID: catalog.CodeReuse.ID, Scenario: catalog.CodeReuse}
	if v := classify(e, nil, nil); v.String() != "PASS" || v.Reason != "" {
		t.Errorf("classify without failure or warning = %s %q, want PASS", v, v.Reason)
	}
}

// Every ID a report shows, variants included, selects exactly its entries with --label-filter
// 'id:<ID>' as the README shows (Ginkgo alone rejects id:grant-type-not-allowed/password with
// "Found two adjacent labels"); the variant's label form id:<scenario>:<variant> works in Ginkgo's
// own CLI too.
func TestEveryIDIsSelectableByLabelFilter(t *testing.T) {
	entries := catalog.Entries()
	selected := func(t *testing.T, expr string) []string {
		t.Helper()
		filter, err := types.ParseLabelFilter(LabelFilter(expr))
		if err != nil {
			t.Fatalf("--label-filter %q: %v", expr, err)
		}
		var ids []string
		for _, e := range entries {
			if filter(Labels(e)) {
				ids = append(ids, e.ID)
			}
		}
		return ids
	}
	for _, e := range entries {
		if e.Variant == nil {
			continue
		}
		t.Run(e.ID, func(t *testing.T) {
			for _, expr := range []string{"id:" + e.ID, "id:" + e.Scenario.ID + ":" + e.Variant.Name, "level:" + string(e.Scenario.Level) + " && id:" + e.ID} {
				if got := selected(t, expr); len(got) != 1 || got[0] != e.ID {
					t.Errorf("--label-filter %q selects %v, want only %s", expr, got, e.ID)
				}
			}
		})
	}
	for _, s := range catalog.All() {
		want := len(s.Variants)
		if want == 0 {
			want = 1
		}
		if got := selected(t, "id:"+s.ID); len(got) != want {
			t.Errorf("--label-filter id:%s selects %v, want the scenario's %d entries", s.ID, got, want)
		}
	}
	for _, valid := range []string{"/pkce/", "family:pkce && !id:code-expired", "id: containsAny {code-reuse}", "/^id:redirect-uri-mismatch:/"} {
		if got := LabelFilter(valid); got != valid {
			t.Errorf("LabelFilter changed the valid filter %q to %q", valid, got)
		}
	}
	if got := selected(t, "/^id:redirect-uri-mismatch:/"); len(got) != len(catalog.RedirectURIMismatch.Variants) {
		t.Errorf("a regular expression over the variant ID labels selects %v", got)
	}
}
