// Package explain names why one token request failed. It reads the exchange as recorded (the
// authorization request, the redirect carrying the code, the token requests and answers), compares
// it with itself and, when given, with the client's registration, and reports every cause that
// holds with its evidence. Secrets appear only as transcript fingerprints. Nothing is sent: the
// probe (probe.go) is separate and opt-in.
package explain

import (
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/grantcheck/grantcheck/harness/config"
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
	None                   = "none"
)

// CauseIDs are every cause explain can name, none last.
var CauseIDs = []string{CodeReused, CodeExpired, ClockSkew, RedirectURIMissing, RedirectURIMismatch,
	PKCEVerifierMissing, PKCEVerifierMismatch, PKCEVerifierUnexpected, ClientMismatch,
	ClientAuthentication, GrantTypeNotAllowed, None}

// Cause is one reason the exchange failed.
type Cause struct {
	ID         string     `json:"id"`
	Confidence Confidence `json:"confidence"`
	Evidence   string     `json:"evidence"`
	Fix        string     `json:"fix"`
}

// Report is the answer: causes most likely first, and what was and was not checked.
type Report struct {
	Causes     []Cause  `json:"causes"`
	Checked    []string `json:"checked"`
	NotChecked []string `json:"not_checked"`
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
	// Config is the client registration to compare with; nil without --config.
	Config *config.Config
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
	slices.SortStableFunc(causes, func(a, b Cause) int {
		if ra, rb := a.Confidence.rank(), b.Confidence.rank(); ra != rb {
			return ra - rb
		}
		return slices.Index(CauseIDs, a.ID) - slices.Index(CauseIDs, b.ID)
	})
	if len(causes) == 0 {
		conf := Certain
		if len(d.notChecked) > 0 {
			conf = Likely
		}
		causes = []Cause{{ID: None, Confidence: conf, Evidence: d.noneEvidence(), Fix: noneFix}}
	}
	for i := range causes {
		causes[i].Evidence = d.red.Redact(causes[i].Evidence)
		causes[i].Fix = d.red.Redact(causes[i].Fix)
	}
	r := Report{Causes: causes, Checked: d.checked, NotChecked: d.notChecked}
	if r.Checked == nil {
		r.Checked = []string{}
	}
	if r.NotChecked == nil {
		r.NotChecked = []string{}
	}
	for i := range r.NotChecked {
		r.NotChecked[i] = d.red.Redact(r.NotChecked[i])
	}
	return r
}
