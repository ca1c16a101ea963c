package catalog

import (
	"regexp"
	"strings"
	"testing"
)

// The §5.2 error codes, and the §4.1.2.1 authorization error codes the authorization endpoint
// family expects; an expectation naming anything else is a typo that would make a scenario
// impossible to pass.
var knownErrors = map[string]bool{
	"invalid_request": true, "invalid_client": true, "invalid_grant": true,
	"unauthorized_client": true, "unsupported_grant_type": true, "invalid_scope": true,
	"unsupported_response_type": true,
}

var idShape = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

func TestCatalogueIsWellFormed(t *testing.T) {
	seen := map[string]bool{}
	for _, s := range append(All(), Audit()...) {
		if !idShape.MatchString(s.ID) {
			t.Errorf("%q: IDs are lower-case words joined by '-'", s.ID)
		}
		if seen[s.ID] {
			t.Errorf("%s: duplicate ID", s.ID)
		}
		seen[s.ID] = true
		if s.Title == "" || s.Family == "" || len(s.Refs) == 0 {
			t.Errorf("%s: needs a title, a family and at least one spec reference", s.ID)
		}
		if s.Level != MUST && s.Level != SHOULD {
			t.Errorf("%s: level %q", s.ID, s.Level)
		}
		for _, r := range s.Refs {
			if r.Doc == "" || r.Section == "" {
				t.Errorf("%s: incomplete reference %+v", s.ID, r)
			}
		}
		checkExpect(t, s.ID, s.Expect)
		variants := map[string]bool{}
		for _, v := range s.Variants {
			// Variant names become Ginkgo labels, which may not hold these characters.
			if v.Name == "" || strings.ContainsAny(v.Name, "&|!,()/: ") || variants[v.Name] {
				t.Errorf("%s: bad or duplicate variant name %q", s.ID, v.Name)
			}
			variants[v.Name] = true
			checkExpect(t, s.VariantID(v.Name), v.Expect)
		}
	}
}

func checkExpect(t *testing.T, id string, e Expect) {
	t.Helper()
	if e.Error != "" && !knownErrors[e.Error] {
		t.Errorf("%s: unknown error code %q", id, e.Error)
	}
	for _, a := range e.Alternatives {
		if !knownErrors[a.Error] || a.Why == "" {
			t.Errorf("%s: alternative %q needs a known code and a reason", id, a.Error)
		}
	}
}

func TestAccepts(t *testing.T) {
	never := func(Condition) bool { return false }
	always := func(Condition) bool { return true }
	e := GrantTypeNotAllowed.ExpectFor("client_credentials")
	if got := strings.Join(e.Accepts(never), ","); got != "unauthorized_client" {
		t.Errorf("grant advertised: accepts %s, want unauthorized_client only", got)
	}
	if got := strings.Join(e.Accepts(always), ","); got != "unauthorized_client,unsupported_grant_type" {
		t.Errorf("grant not advertised: accepts %s", got)
	}
	if got := GrantTypeNotAllowed.ExpectFor("authorization_code").Accepts(never); len(got) != 2 || got[1] != "invalid_grant" {
		t.Errorf("authorization_code variant accepts %v, want its own expectation", got)
	}
	if got := PKCEVerifierMalformed.Expect.Accepts(never); got != nil {
		t.Errorf("a scenario without an error code accepts any code, got %v", got)
	}
}

// RFC 6749 §3.1.2: a redirect URI with a fragment is malformed, so invalid_request is as right as
// invalid_grant for that variant, and for that variant only.
func TestFragmentAcceptsInvalidRequest(t *testing.T) {
	for _, v := range RedirectURIMismatch.Variants {
		got := strings.Join(RedirectURIMismatch.ExpectFor(v.Name).Accepts(nil), ",")
		want := "invalid_grant"
		if v.Name == "fragment" {
			want = "invalid_grant,invalid_request"
		}
		if got != want {
			t.Errorf("redirect-uri-mismatch/%s accepts %s, want %s", v.Name, got, want)
		}
	}
}

func TestEntriesAndLookup(t *testing.T) {
	entries := Entries()
	ids := map[string]bool{}
	for _, e := range entries {
		if ids[e.ID] {
			t.Errorf("duplicate entry %s", e.ID)
		}
		ids[e.ID] = true
		s, ok := Lookup(e.ID)
		if !ok || s.ID != e.Scenario.ID {
			t.Errorf("Lookup(%s) = %v, %v", e.ID, s.ID, ok)
		}
	}
	if !ids["redirect-uri-mismatch/trailing-slash"] || ids["redirect-uri-mismatch"] {
		t.Error("a scenario with variants is reported by its variants only")
	}
	if _, ok := Lookup("no-such-scenario"); ok {
		t.Error("Lookup found a scenario that does not exist")
	}
	if _, err := RedirectURIMismatch.Variant("no-such-variant"); err == nil {
		t.Error("Variant accepted an unknown name")
	}
	needs := GrantTypeNotAllowed.NeedsFor("refresh_token")
	if len(needs) != 2 || needs[1] != RestrictedControl || needs[1].Role() != "restricted" || !needs[1].IsControl() {
		t.Errorf("NeedsFor(refresh_token) = %v", needs)
	}
}

// A scenario that judges no token endpoint error says what it checks instead; the catalogue's
// "Passes when" column must not claim "any RFC 6749 §5.2 error" for it (issue 14 item 15).
func TestNonErrorChecksSayWhatTheyCheck(t *testing.T) {
	for _, s := range All() {
		judgesNoError := s.Family == FamilyIDToken || (s.Family == FamilyAuthz && s.Expect.Error == "")
		if judgesNoError && s.Passes == "" {
			t.Errorf("%s judges no error response: its Passes must say what it checks", s.ID)
		}
	}
	for _, s := range []Scenario{IDTokenValid, AuthzIssParameter, AuthzUnregisteredRedirect} {
		if s.Passes == "" {
			t.Errorf("%s has no Passes", s.ID)
		}
	}
}

// Every shared check is probed by at least two scenarios, and every
// scenario names a known check: the grouping of findings is data, checked here.
func TestSharedChecks(t *testing.T) {
	members := map[string][]Scenario{}
	for _, s := range All() {
		if s.Check == "" {
			continue
		}
		if _, ok := CheckOf(s); !ok {
			t.Errorf("%s names the unknown check %q", s.ID, s.Check)
		}
		members[s.Check] = append(members[s.Check], s)
	}
	for _, c := range Checks() {
		if c.Title == "" || c.Why == "" || c.Fix == "" {
			t.Errorf("check %s needs a title, a why and a fix", c.ID)
		}
		if len(members[c.ID]) < 2 {
			t.Errorf("check %s is probed by %d scenarios; a shared check needs two", c.ID, len(members[c.ID]))
		}
	}
}
