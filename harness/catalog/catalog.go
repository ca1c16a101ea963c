// Package catalog is the single source of every scenario's identity: ID, title, family, requirement
// level, spec references, the client roles it needs and the error codes the specs allow. Specs, the
// CLI's list command and every report read it from here, so no ID or spec string is written twice.
package catalog

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// Level is the requirement level of the clause a scenario checks.
type Level string

const (
	MUST   Level = "MUST"
	SHOULD Level = "SHOULD"
)

// Need is something a scenario cannot run without; a run that lacks it skips the scenario with the
// need's reason, never passes it.
type Need string

const (
	PrimaryClient    Need = "primary"
	SecondaryClient  Need = "secondary"
	PublicClient     Need = "public"
	RestrictedClient Need = "restricted"
	// CodeTTL: the provider's authorization code lifetime is configured (provider.code_ttl).
	CodeTTL Need = "code_ttl"

	// A control need: the role is configured and its control succeeded before the scenarios ran (a
	// valid code exchange; for the restricted role, the client_credentials grant it declares). A
	// scenario that uses the role's codes or tokens needs it: when the control failed, the scenario
	// is ERROR, while scenarios that need no code still run.
	PrimaryControl    Need = "primary-control"
	SecondaryControl  Need = "secondary-control"
	PublicControl     Need = "public-control"
	RestrictedControl Need = "restricted-control"
)

// Role is the client role a need is about ("" for a need that is not about a client).
func (n Need) Role() string {
	switch n {
	case PrimaryClient, SecondaryClient, PublicClient, RestrictedClient:
		return string(n)
	case PrimaryControl, SecondaryControl, PublicControl, RestrictedControl:
		return strings.TrimSuffix(string(n), "-control")
	}
	return ""
}

// IsControl reports whether n needs the role's control to have succeeded.
func (n Need) IsControl() bool { return strings.HasSuffix(string(n), "-control") }

// Ref is one clause of one document.
type Ref struct {
	Doc     string `json:"doc"`
	Section string `json:"section"`
}

func (r Ref) String() string { return r.Doc + " §" + r.Section }

// Refs are a scenario's references, in the order they are cited.
type Refs []Ref

// String joins the references for display: "RFC 6749 §4.1.2, OpenID Connect Core 1.0 §3.1.3.2".
func (rs Refs) String() string {
	parts := make([]string, len(rs))
	for i, r := range rs {
		parts[i] = r.String()
	}
	return strings.Join(parts, ", ")
}

func RFC6749(section string) Ref    { return Ref{"RFC 6749", section} }
func RFC7636(section string) Ref    { return Ref{"RFC 7636", section} }
func RFC9700(section string) Ref    { return Ref{"RFC 9700", section} }
func OIDCCore(section string) Ref   { return Ref{"OpenID Connect Core 1.0", section} }
func RFC7235(section string) Ref    { return Ref{"RFC 7235", section} }
func RFC7617(section string) Ref    { return Ref{"RFC 7617", section} }
func OIDCDiscovery(s string) Ref    { return Ref{"OpenID Connect Discovery 1.0", s} }
func OIDCRegistration(s string) Ref { return Ref{"OpenID Connect Dynamic Client Registration 1.0", s} }
func RFC9207(section string) Ref    { return Ref{"RFC 9207", section} }

// Condition limits when an alternative error code is accepted.
type Condition string

const (
	// Always: the alternative is as good as the primary error code.
	Always Condition = ""
	// GrantNotAdvertised: accepted only when the provider supports the grant type for no client:
	// discovery's grant_types_supported does not list it, no configured client is allowed it, and
	// no control performed it (a discovery document may omit grants the provider performs).
	GrantNotAdvertised Condition = "grant-not-advertised"
)

// Alternative is a further error code the specs allow, with the reason it is allowed.
type Alternative struct {
	Error string    `json:"error"`
	When  Condition `json:"when,omitempty"`
	Why   string    `json:"why"`
}

// Expect is what a rejection must look like. An empty Error means any RFC 6749 §5.2 error code
// is accepted ("rejected").
type Expect struct {
	Error        string        `json:"error,omitempty"`
	Alternatives []Alternative `json:"alternatives,omitempty"`
	// Status, when set, is the only HTTP status accepted (e.g. 401 for the Basic challenge).
	Status int `json:"status,omitempty"`
	// HTTPRefusal also accepts a refusal below OAuth: any 4xx but 400 and 401 (405, 415), without
	// tokens. A 400 or 401 is the OAuth layer answering and must be an RFC 6749 §5.2 error.
	HTTPRefusal bool `json:"http_refusal,omitempty"`
}

// Accepts lists the error codes accepted when conditions hold. An empty result means any code.
func (e Expect) Accepts(holds func(Condition) bool) []string {
	if e.Error == "" {
		return nil
	}
	out := []string{e.Error}
	for _, a := range e.Alternatives {
		if a.When == Always || (holds != nil && holds(a.When)) {
			out = append(out, a.Error)
		}
	}
	return out
}

// Variant is one row of a scenario's table; its ID is "<scenario>/<name>".
type Variant struct {
	Name  string `json:"name"`
	Title string `json:"title"`
	// Needs adds to the scenario's needs for this variant.
	Needs []Need `json:"needs,omitempty"`
	// Expect overrides the scenario's expectation for this variant when it has an Error.
	Expect Expect `json:"expect,omitzero"`
}

// Scenario is one catalogue entry.
type Scenario struct {
	ID     string `json:"id"`
	Family string `json:"family"`
	Title  string `json:"title"`
	Level  Level  `json:"level"`
	Refs   Refs   `json:"refs"`
	Needs  []Need `json:"needs,omitempty"`
	Expect Expect `json:"expect"`
	Note   string `json:"note,omitempty"`
	// Passes says what a pass means for a scenario that judges no error response (an ID token, an
	// authorization response, where an authorization flow ended).
	Passes string `json:"passes,omitempty"`
	// Check is the ID of the shared check (checks.go) an acceptance in this scenario shows missing,
	// when other scenarios probe the same check: their acceptances are one finding.
	Check    string    `json:"check,omitempty"`
	Variants []Variant `json:"variants,omitempty"`
}

// VariantID is the stable ID of one variant.
func (s Scenario) VariantID(name string) string { return s.ID + "/" + name }

// Variant returns the named variant, or an error naming the scenario.
func (s Scenario) Variant(name string) (Variant, error) {
	for _, v := range s.Variants {
		if v.Name == name {
			return v, nil
		}
	}
	return Variant{}, fmt.Errorf("scenario %s has no variant %q", s.ID, name)
}

// ExpectFor is the expectation of a variant (or of the scenario when name is empty).
func (s Scenario) ExpectFor(name string) Expect {
	if name != "" {
		if v, err := s.Variant(name); err == nil && v.Expect.Error != "" {
			return v.Expect
		}
	}
	return s.Expect
}

// NeedsFor is what a variant (or the scenario, for an empty name) needs.
func (s Scenario) NeedsFor(name string) []Need {
	needs := append([]Need(nil), s.Needs...)
	if v, err := s.Variant(name); err == nil {
		needs = append(needs, v.Needs...)
	}
	return needs
}

// Entry is one runnable, reportable ID: a scenario without variants, or one variant.
type Entry struct {
	ID       string
	Scenario Scenario
	Variant  *Variant
}

// Title is the entry's human title.
func (e Entry) Title() string {
	if e.Variant != nil {
		return e.Scenario.Title + ": " + e.Variant.Title
	}
	return e.Scenario.Title
}

// Entries expands every scenario into its reportable IDs, in catalogue order.
func Entries() []Entry { return expand(All()) }

func expand(scenarios []Scenario) []Entry {
	var out []Entry
	for _, s := range scenarios {
		if len(s.Variants) == 0 {
			out = append(out, Entry{ID: s.ID, Scenario: s})
			continue
		}
		for i := range s.Variants {
			v := s.Variants[i]
			out = append(out, Entry{ID: s.VariantID(v.Name), Scenario: s, Variant: &v})
		}
	}
	return out
}

// Lookup finds a scenario by ID, or by the ID of one of its variants.
func Lookup(id string) (Scenario, bool) {
	base, _, _ := strings.Cut(id, "/")
	for _, s := range append(All(), Audit()...) {
		if s.ID == base {
			return s, true
		}
	}
	return Scenario{}, false
}

// Incidental is a cause of refusal that a scenario's request carries without meaning to: the
// scope the harness sends with every request of a role. A provider may check it before the rule a
// scenario tests (RFC 6749 §4.1.2.1 and §5.2 set no order among errors), so a refusal naming it
// proves nothing about that rule: the harness removes the cause and asks again, or SKIPs saying so.
type Incidental struct {
	// Error is the error code that names the cause.
	Error string `json:"error"`
	// Param is the request parameter that carries the cause.
	Param string `json:"param"`
	Why   string `json:"why"`
	// Setting is the configuration key that lets the harness avoid the cause ("<role>" is replaced).
	Setting string `json:"setting"`
}

// Incidentals are the causes the harness knows how to remove, by the error code that names them.
var Incidentals = []Incidental{
	{Error: invalidScope, Param: "scope", Setting: "clients.<role>.scope",
		Why: "the scope sent is invalid, unknown or beyond what the client may ask for (RFC 6749 §3.3, §5.2, §4.1.2.1)"},
}

// IncidentalFor is the incidental cause an error code names, unless the entry means to create it
// (its expectation accepts the code, e.g. refresh-scope-escalation's invalid_scope) or accepts
// any error code.
func (s Scenario) IncidentalFor(variant, code string, holds func(Condition) bool) (Incidental, bool) {
	accepted := s.ExpectFor(variant).Accepts(holds)
	if len(accepted) == 0 || slices.Contains(accepted, code) {
		return Incidental{}, false
	}
	for _, inc := range Incidentals {
		if inc.Error == code {
			return inc, true
		}
	}
	return Incidental{}, false
}

// Version identifies the catalogue (every scenario of All and Audit: IDs, levels, needs and
// accepted answers): results judged by different catalogues are not comparable verdict by verdict.
func Version() string {
	data, err := json.Marshal(append(All(), Audit()...))
	if err != nil {
		panic(fmt.Sprintf("catalogue bug: %v", err)) // plain data; cannot fail
	}
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:6])
}
