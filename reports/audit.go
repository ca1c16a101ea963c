package reports

import (
	"fmt"
	"slices"
	"time"

	"github.com/grantcheck/grantcheck/harness/catalog"
	"github.com/grantcheck/grantcheck/harness/verdict"
)

// Audit is what an audit adds to a run: the client × check matrix's rows and columns, and what the
// audit could and could not see. Each client's results are in Run.Results with Result.Client set,
// so totals, findings, the outcome and a baseline treat them like every other result.
type Audit struct {
	// Checks are the matrix's columns: the audit entries, in catalogue order.
	Checks []string `json:"checks"`
	// Clients are the matrix's rows, in the order listed.
	Clients []AuditClient `json:"clients"`
	// Sees and CannotSee say what an audit over OAuth can and cannot show (catalog.AuditSees).
	Sees      []string `json:"sees"`
	CannotSee []string `json:"cannot_see"`
	// Matrix is the client × check matrix as data: per client (in Clients' order) one cell per
	// check (in Checks' order): "PASS", "n/a", "FAIL:security F2", "ERROR F5", "–" (no result).
	Matrix []AuditRow `json:"matrix"`
	// Jobs is how many clients ran at once; Shard the part of the list this run covered ("2/4").
	Jobs  int    `json:"jobs,omitempty"`
	Shard string `json:"shard,omitempty"`
}

// AuditClient is one audited client.
type AuditClient struct {
	ClientID string `json:"client_id"`
	// Index is the client's place in the whole list (from 0), so the parts of a sharded audit
	// merge back into list order.
	Index int `json:"index"`
	// Origin is where the client is listed (file:line).
	Origin string `json:"origin,omitempty"`
	// Duration is the client's own cost: its control and checks, one after the other.
	Duration time.Duration `json:"duration_ns"`
}

// ClientChecks is one client's audit as the harness returns it, for FromAudit.
type ClientChecks struct {
	ClientID, Origin string
	Index            int
	Duration         time.Duration
	Checks           []CheckOutcome
}

// CheckOutcome is one check's verdict for one client.
type CheckOutcome struct {
	Entry      catalog.Entry
	Verdict    verdict.Verdict
	Transcript string
	Duration   time.Duration
}

// FromAudit builds the model of an audit: one result per client and check, in list order.
func FromAudit(clients []ClientChecks, meta Meta, started time.Time, took time.Duration) Run {
	run := meta.run(started, started.Add(took), took)
	run.Audit = &Audit{Sees: catalog.AuditSees, CannotSee: catalog.AuditCannotSee}
	clean := meta.clean()
	for _, e := range catalog.AuditEntries() {
		run.Audit.Checks = append(run.Audit.Checks, e.ID)
	}
	for _, c := range clients {
		run.Audit.Clients = append(run.Audit.Clients, AuditClient{ClientID: clean(c.ClientID), Index: c.Index, Origin: clean(c.Origin), Duration: c.Duration})
		for _, o := range c.Checks {
			v := o.Verdict
			if meta.Strict && v.Result == verdict.Warn {
				v.Result, v.Category, v.Reason = verdict.Fail, verdict.Format, "WARN under --strict: "+v.Reason
			}
			v.ID = o.Entry.ID
			res := Result{ID: o.Entry.ID, Client: clean(c.ClientID), Verdict: cleanVerdict(v, clean), Duration: o.Duration,
				Transcript: excerpt(clean(o.Transcript), maxTranscript, transcriptTail)}
			res.describe(o.Entry)
			res.Title = fmt.Sprintf("client %s: %s", res.Client, res.Title)
			run.Results = append(run.Results, res)
		}
	}
	if len(run.Results) == 0 {
		run.SuiteErrors = append(run.SuiteErrors, "no client was audited")
	}
	run.tally()
	run.fillMatrix()
	return run
}

// AuditRow is one client's line of the matrix in results.json.
type AuditRow struct {
	ClientID string   `json:"client_id"`
	Cells    []string `json:"cells"`
}

// fillMatrix writes the matrix into Audit once the findings are numbered.
func (r *Run) fillMatrix() {
	if r.Audit == nil {
		return
	}
	r.Audit.Matrix = nil
	for _, row := range r.Matrix() {
		line := AuditRow{ClientID: row.Client.ClientID}
		for _, c := range row.Cells {
			var text string
			switch {
			case c.Missing:
				text = "–"
			case c.NotApplicable:
				text = "n/a"
			default:
				text = string(c.Result)
				if c.Category != "" {
					text += ":" + string(c.Category)
				}
				if c.Finding != "" {
					text += " " + c.Finding
				}
			}
			line.Cells = append(line.Cells, text)
		}
		r.Audit.Matrix = append(r.Audit.Matrix, line)
	}
}

// Key names a result uniquely in a run: its ID, and for an audit result the client first.
func (r Result) Key() string {
	if r.Client == "" {
		return r.ID
	}
	return r.Client + ": " + r.ID
}

// MatrixColumn is one check of the matrix, numbered for a compact header.
type MatrixColumn struct {
	N     string // "C1"
	ID    string
	Title string
	Level catalog.Level
}

// MatrixRow is one client's line of the matrix.
type MatrixRow struct {
	Client   AuditClient
	Cells    []MatrixCell
	Problems int // FAIL, WARN and ERROR cells
}

// MatrixCell is one client's verdict on one check.
type MatrixCell struct {
	Result        verdict.Result
	Category      verdict.Category
	NotApplicable bool
	Finding       string
	Missing       bool // the run has no result for it (a filtered or partial run)
}

// Short is the cell's text: "pass", "n/a", "FAIL F2", "ERROR F7", "warn F3", "skip", "–".
func (c MatrixCell) Short() string {
	switch {
	case c.Missing:
		return "–"
	case c.NotApplicable:
		return "n/a"
	case c.Result == verdict.Pass:
		return "pass"
	case c.Result == verdict.Skip:
		return "skip"
	case c.Result == verdict.Warn:
		return "warn " + c.Finding
	}
	return string(c.Result) + " " + c.Finding
}

// CSSClass colours the cell in HTML.
func (c MatrixCell) CSSClass() string {
	switch {
	case c.Missing, c.NotApplicable:
		return "na"
	case c.Result == verdict.Pass:
		return "pass"
	case c.Result == verdict.Warn:
		return "warn"
	case c.Result == verdict.Skip:
		return "skip"
	case c.Result == verdict.Error:
		return "error"
	}
	return "fail"
}

// MatrixColumns are the audit's checks as the matrix's columns.
func (r Run) MatrixColumns() []MatrixColumn {
	if r.Audit == nil {
		return nil
	}
	entries := catalog.AuditEntries()
	var out []MatrixColumn
	for i, id := range r.Audit.Checks {
		col := MatrixColumn{N: fmt.Sprintf("C%d", i+1), ID: id}
		if j := slices.IndexFunc(entries, func(e catalog.Entry) bool { return e.ID == id }); j >= 0 {
			col.Title, col.Level = entries[j].Title(), entries[j].Scenario.Level
		}
		out = append(out, col)
	}
	return out
}

// Matrix is the client × check matrix, clients in list order.
func (r Run) Matrix() []MatrixRow {
	if r.Audit == nil {
		return nil
	}
	byKey := map[string]Result{}
	for _, res := range r.Results {
		if res.Client != "" {
			byKey[res.Key()] = res
		}
	}
	var out []MatrixRow
	for _, c := range r.Audit.Clients {
		row := MatrixRow{Client: c}
		for _, id := range r.Audit.Checks {
			res, ok := byKey[Result{ID: id, Client: c.ClientID}.Key()]
			cell := MatrixCell{Missing: !ok, Result: res.Verdict.Result, Category: res.Verdict.Category,
				NotApplicable: res.Verdict.NotApplicable, Finding: res.Finding}
			if ok && slices.Contains([]verdict.Result{verdict.Fail, verdict.Warn, verdict.Error}, cell.Result) {
				row.Problems++
			}
			row.Cells = append(row.Cells, cell)
		}
		out = append(out, row)
	}
	return out
}
