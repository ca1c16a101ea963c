package reports

import (
	"encoding/json"
	"fmt"
	"io"
)

// Schema versions the JSON report; a reader rejects any other. v2 added findings, each result's
// why/fix/finding, and each verdict's signature and request (see README "results.json").
const Schema = "grantcheck.report/v2"

type jsonReport struct {
	Schema string `json:"schema"`
	Run
}

// WriteJSON writes the whole model, transcripts included.
func WriteJSON(w io.Writer, run Run) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(jsonReport{Schema: Schema, Run: run})
}

// ReadJSON reads a report WriteJSON wrote, e.g. for the self-test's assertions.
func ReadJSON(r io.Reader) (Run, error) {
	var rep jsonReport
	if err := json.NewDecoder(r).Decode(&rep); err != nil {
		return Run{}, fmt.Errorf("reading grantcheck report: %w", err)
	}
	if rep.Schema != Schema {
		return Run{}, fmt.Errorf("reading grantcheck report: schema %q, want %q", rep.Schema, Schema)
	}
	return rep.Run, nil
}
