// Package verdict is the result of one scenario as DESIGN.md defines it. The harness attaches it to
// each Ginkgo spec as a report entry; reports/ reads it back from Ginkgo's report.
package verdict

import (
	"encoding/json"

	"github.com/onsi/ginkgo/v2/types"
)

// Result is one of PASS, FAIL, WARN, SKIP, ERROR.
type Result string

const (
	Pass  Result = "PASS"
	Fail  Result = "FAIL"
	Warn  Result = "WARN"
	Skip  Result = "SKIP"
	Error Result = "ERROR"
)

// Category of a FAIL, most severe first.
type Category string

const (
	Security  Category = "security"   // the provider accepted what it must reject: tokens were issued
	ErrorCode Category = "error-code" // rejected, but with the wrong error or status
	Format    Category = "format"     // the error response itself is malformed
)

// Categories in severity order.
var Categories = []Category{Security, ErrorCode, Format}

// Report entry names the harness writes and reports/ reads.
const (
	EntryVerdict    = "grantcheck.verdict"
	EntryTranscript = "grantcheck.transcript"
)

// Verdict is the outcome of one catalogue entry (a scenario or one of its variants).
type Verdict struct {
	ID       string   `json:"id"`
	Result   Result   `json:"result"`
	Category Category `json:"category,omitempty"`
	// Reason says why, for anything but PASS; redacted.
	Reason string `json:"reason,omitempty"`
	// NotApplicable marks a SKIP whose scenario does not apply to this provider or configuration
	// (the client may use the grant; the provider stops the attack earlier; an optional feature it
	// does not offer), as opposed to one the run could not test: only the latter leaves a run
	// incomplete.
	NotApplicable bool `json:"not_applicable,omitempty"`
	// Warnings are SHOULD-level findings that did not change a PASS (e.g. CR/LF in error_description).
	Warnings []string `json:"warnings,omitempty"`
	// Signature and Request are the failing check's observation and the request behind it, when
	// the check knew them (reports group findings and build the curl from these).
	Signature *Signature `json:"signature,omitempty"`
	Request   *Request   `json:"request,omitempty"`
	// Files are what the harness saved as evidence (a screenshot of a login page no step
	// matched), for the reports to link.
	Files []File `json:"files,omitempty"`
}

// File is a file the harness saved as evidence. Path is relative to the reports folder when the
// file is in it (the reports link it as it is), else absolute.
type File struct {
	What string `json:"what"`
	Path string `json:"path"`
}

// String is the one-line form, e.g. "FAIL:security".
func (v Verdict) String() string {
	if v.Category != "" {
		return string(v.Result) + ":" + string(v.Category)
	}
	return string(v.Result)
}

// FromEntries finds the verdict among a spec's report entries.
func FromEntries(entries types.ReportEntries) (Verdict, bool) {
	for _, e := range entries {
		if e.Name != EntryVerdict {
			continue
		}
		if v, ok := e.Value.GetRawValue().(Verdict); ok {
			return v, true
		}
		var v Verdict
		if err := json.Unmarshal([]byte(e.Value.AsJSON), &v); err == nil && v.ID != "" {
			return v, true
		}
	}
	return Verdict{}, false
}

// Transcript is the redacted transcript attached to a spec (EntryTranscript). Ginkgo keeps a
// report entry's value twice in ginkgo.json, as its text and as JSON; a transcript is kept once,
// as text: its JSON form is null.
type Transcript string

func (t Transcript) String() string               { return string(t) }
func (t Transcript) MarshalJSON() ([]byte, error) { return []byte("null"), nil }

// TranscriptFromEntries returns the redacted transcript attached to a spec.
func TranscriptFromEntries(entries types.ReportEntries) string {
	for _, e := range entries {
		if e.Name == EntryTranscript {
			switch v := e.Value.GetRawValue().(type) {
			case Transcript:
				return string(v)
			case string:
				return v
			}
			var s string
			if err := json.Unmarshal([]byte(e.Value.AsJSON), &s); err == nil && s != "" {
				return s
			}
			return e.Value.Representation
		}
	}
	return ""
}
