package explain

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// WriteJSON writes the report as one JSON object (the --format json contract).
func WriteJSON(w io.Writer, r Report) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(r)
}

// WriteText writes the report for a person: the provider recognised and its answer, the causes most
// likely first, then the coverage. Every text in the report is already escaped (diagnosis.show).
func WriteText(w io.Writer, r Report) error {
	var b strings.Builder
	if p := r.Provider; p != nil {
		fmt.Fprintf(&b, "Provider: %s (%s)\n", p.Name, p.By)
	}
	if a := r.Answer; a != nil && a.Refused {
		b.WriteString("It answered:")
		if a.Status != 0 {
			fmt.Fprintf(&b, " HTTP %d", a.Status)
		}
		if a.Error != "" {
			fmt.Fprintf(&b, " %s", a.Error)
		}
		if a.Description != "" {
			fmt.Fprintf(&b, " “%s”", a.Description)
		}
		b.WriteString("\n\n")
	} else if r.Provider != nil {
		b.WriteString("\n")
	}
	if len(r.Causes) == 1 && r.Causes[0].ID == None {
		fmt.Fprintf(&b, "No cause found (%s).\n", r.Causes[0].Confidence)
	} else {
		fmt.Fprintf(&b, "%d cause(s), most likely first:\n", len(r.Causes))
	}
	for i, c := range r.Causes {
		fmt.Fprintf(&b, "\n%d. %s (%s)\n   evidence: %s\n   fix: %s\n", i+1, c.ID, c.Confidence, c.Evidence, c.Fix)
		if c.Source != "" {
			fmt.Fprintf(&b, "   source: %s\n", c.Source)
		}
	}
	if len(r.Checked) > 0 {
		fmt.Fprintf(&b, "\nchecked: %s\n", strings.Join(r.Checked, ", "))
	}
	if len(r.NotChecked) > 0 {
		b.WriteString("not checked:\n")
		for _, n := range r.NotChecked {
			fmt.Fprintf(&b, "  - %s\n", n)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}
