package reports

import "github.com/grantcheck/grantcheck/harness/transcript"

// Caps on provider-supplied text in the report model, the same the harness applies to what it
// hands Ginkgo: each transcript keeps its head and tail, each reason its head.
const (
	maxTranscript  = transcript.KeptTranscript
	transcriptTail = transcript.KeptTranscriptTail
	maxReason      = transcript.ShownReason
)

var excerpt = transcript.ExcerptEnds
