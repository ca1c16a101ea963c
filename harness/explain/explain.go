// Package explain names why one token request failed. It reads the exchange as recorded (the
// authorization request, the redirect carrying the code, the token requests and answers), compares
// it with itself and, when given, with the client's registration, reads the provider's answer
// through the table of what real providers answer (package answers; provider.go weighs the two),
// and reports every cause that holds with its evidence, the provider's cited. A refusal is never
// "none". Secrets appear only as transcript fingerprints, and every text leaves with the input's
// control bytes escaped. Nothing is sent: the probe (probe.go) is separate and opt-in.
package explain

import (
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/grantcheck/grantcheck/harness/config"
	"github.com/grantcheck/grantcheck/harness/explain/answers"
	"github.com/grantcheck/grantcheck/harness/safetext"
	"github.com/grantcheck/grantcheck/harness/transcript"
)

// Confidence of a cause.
type Confidence string

const (
	Certain  Confidence = "certain"  // the input proves it
	Likely   Confidence = "likely"   // the input points to it; one fact is inferred
	Possible Confidence = "possible" // consistent with the input, not shown by it
)

func (c Confidence) rank() int {
	switch c {
	case Certain:
		return 0
	case Likely:
		return 1
	}
	return 2
}

// Cause ids, in the order ties are listed.
const (
	CodeReused             = "code-reused"
	CodeExpired            = "code-expired"
	ClockSkew              = "clock-skew"
	RedirectURIMissing     = "redirect-uri-missing"
	RedirectURIMismatch    = "redirect-uri-mismatch"
	PKCEVerifierMissing    = "pkce-verifier-missing"
	PKCEVerifierMismatch   = "pkce-verifier-mismatch"
	PKCEVerifierUnexpected = "pkce-verifier-unexpected"
	ClientMismatch         = "client-mismatch"
	ClientAuthentication   = "client-authentication"
	GrantTypeNotAllowed    = "grant-type-not-allowed"
	// Causes only the provider's answer names (answers.Causes): the request cannot show them.
	CodeInvalid      = "code-invalid"
	ScopeInvalid     = "scope-invalid"
	RequestMalformed = "request-malformed"
	UserOrConsent    = "user-or-consent"
	// Unexplained: the provider refused and neither the input nor its words say why.
	Unexplained = "other:unexplained-refusal"
	None        = "none"
)

// CauseIDs are every cause explain can name, none last: the causes a provider table entry may
// name (answers.Causes, one list), then Unexplained and None; a table may add other:<name>.
var CauseIDs = append(slices.Clone(answers.Causes), Unexplained, None)

// StructuralCauseIDs are the causes the input itself can prove; the recorded cases cover each.
var StructuralCauseIDs = []string{CodeReused, CodeExpired, ClockSkew, RedirectURIMissing, RedirectURIMismatch,
	PKCEVerifierMissing, PKCEVerifierMismatch, PKCEVerifierUnexpected, ClientMismatch,
	ClientAuthentication, GrantTypeNotAllowed, None}

// Cause is one reason the exchange failed.
type Cause struct {
	ID         string     `json:"id"`
	Confidence Confidence `json:"confidence"`
	Evidence   string     `json:"evidence"`
	Fix        string     `json:"fix"`
	// Source is where the provider's answer was read (its documentation, source code or a
	// public issue quoting it), when a table entry named the cause.
	Source string `json:"source,omitempty"`
	// named: the provider's own words name this cause (not only an error value's RFC meaning).
	named bool
	// reading: only the error value's RFC meaning gave this cause, no check of the input.
	reading bool
}

// Report is the answer: causes most likely first, and what was and was not checked.
type Report struct {
	Causes     []Cause  `json:"causes"`
	Checked    []string `json:"checked"`
	NotChecked []string `json:"not_checked"`
	// Provider is the provider recognised, nil when none was.
	Provider *Provider `json:"provider,omitempty"`
	// Answer is the provider's answer as quoted (redacted, bounded), nil when the input has none.
	Answer *Answer `json:"answer,omitempty"`
}

// Provider is the provider explain recognised, and how.
type Provider struct {
	Name string `json:"name"`
	By   string `json:"recognised_by"`
	Docs string `json:"docs,omitempty"`
}

// Answer is the provider's answer, quoted.
type Answer struct {
	Status      int    `json:"status,omitempty"`
	Error       string `json:"error,omitempty"`
	Description string `json:"error_description,omitempty"`
	// Refused: an error answer, whatever its status (some providers refuse with HTTP 200).
	Refused bool `json:"refused"`
}

// Step is a front-channel request: the authorization request or the redirect carrying the code.
type Step struct {
	URL *url.URL
	// At is when the client saw it (its clock); zero when unknown.
	At time.Time
	// Date is the provider's Date header on the response; zero when unknown.
	Date time.Time
}

// Token is one token request with its answer.
type Token struct {
	At     time.Time // zero when unknown
	Method string
	URL    string
	Header http.Header
	Form   url.Values
	// Response is nil when the answer is not in the input.
	Response *Response
}

// Response is the provider's answer to a token request.
type Response struct {
	Status int // 0 when only the body is known
	Header http.Header
	Body   []byte
	Date   time.Time // zero when absent
}

// Input is one failing exchange and what came before it.
type Input struct {
	Authorize *Step // nil: not in the input
	Redirect  *Step // nil: not in the input
	// Recording: the input is a recording of the flow (a HAR), so an earlier redemption of the
	// code would be in Earlier; a single pasted request says nothing about earlier ones.
	Recording bool
	// Earlier are the token requests before Token, oldest first.
	Earlier []Token
	Token   Token
	// NoRequest: only the provider's answer is in the input (Token holds just its Response).
	NoRequest bool
	// Provider is the slug of the provider the user named (--provider), "" to recognise it.
	Provider string
	// Notes are what reading the input noticed (a parameter a provider does not require, entries
	// let go); they are listed with what was not checked.
	Notes []string
	// Config is the client registration to compare with; nil without --config.
	Config *config.Config
	// Flow is what a recording shows of the provider's login pages (cookie names, page paths),
	// to recognise it; empty for a pasted request.
	Flow answers.Flow
}

// Diagnose runs every check. red hides secrets in the evidence (a fresh one when nil).
func Diagnose(in Input, red *transcript.Redactor) Report {
	if red == nil {
		var secrets []string
		if in.Config != nil {
			secrets = in.Config.Secrets()
		}
		red = transcript.NewRedactor(secrets...)
	}
	d := newDiagnosis(in, red)
	d.run()
	return d.report()
}

// report orders the causes and adds none when nothing was found.
func (d *diagnosis) report() Report {
	causes := d.causes
	rank(causes)
	if len(causes) == 0 {
		conf := Certain
		if len(d.notChecked) > 0 {
			conf = Likely
		}
		causes = []Cause{{ID: None, Confidence: conf, Evidence: d.noneEvidence(), Fix: noneFix}}
	}
	for i := range causes {
		causes[i].Evidence = d.show(causes[i].Evidence)
		causes[i].Fix = d.show(causes[i].Fix)
		causes[i].Source = d.show(causes[i].Source)
	}
	r := Report{Causes: causes, Checked: d.checked, NotChecked: d.notChecked, Provider: d.providerInfo(), Answer: d.quotedAnswer()}
	if r.Checked == nil {
		r.Checked = []string{}
	}
	if r.NotChecked == nil {
		r.NotChecked = []string{}
	}
	for i := range r.NotChecked {
		r.NotChecked[i] = d.show(r.NotChecked[i])
	}
	return r
}

// show is how every text of the report leaves explain: secrets as fingerprints, and the input's
// bytes (a HAR, a pasted request, the provider's words) with control characters escaped, so no
// input drives the reader's terminal.
func (d *diagnosis) show(s string) string { return safetext.Terminal(d.red.Redact(s)) }

// rank orders causes: those the provider's own words name first (it says which check failed),
// then by confidence, then in CauseIDs' order.
func rank(causes []Cause) {
	slices.SortStableFunc(causes, func(a, b Cause) int {
		if a.named != b.named {
			if a.named {
				return -1
			}
			return 1
		}
		if ra, rb := a.Confidence.rank(), b.Confidence.rank(); ra != rb {
			return ra - rb
		}
		return causeIndex(a.ID) - causeIndex(b.ID)
	})
}

func causeIndex(id string) int {
	if i := slices.Index(CauseIDs, id); i >= 0 {
		return i
	}
	return slices.Index(CauseIDs, Unexplained) // other:<name> from a provider's table
}
