package oauth

import (
	"strings"
	"testing"
)

// TestRoundsOutcomeAndSummary: the sampling watches Outcome (the verdict tag, "" for a pass), and
// a pass keeps every round's answers in Summary, as a failure's message does.
func TestRoundsOutcomeAndSummary(t *testing.T) {
	ok := answer(200, jsonCT, `{"access_token":"`+accessToken+`","token_type":"Bearer"}`)
	rejected := answer(400, jsonCT, errBody(InvalidGrant))
	busy := answer(500, jsonCT, `{"error":"server_error"}`)
	m := WinOnceEachRound(func() *ErrorMatcher { return BeError(InvalidGrant) })
	cases := []struct {
		name   string
		rounds Rounds
		want   string
	}{
		{"every round clean", Rounds{{ok, rejected}, {rejected, ok}}, ""},
		{"two winners", Rounds{{ok, rejected}, {ok, ok}}, "security"},
		{"a loser failed with 500", Rounds{{ok, busy}}, "error-code MUST"},
		{"nobody won", Rounds{{rejected, rejected}}, "error-code"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := m.Outcome(tc.rounds); got != tc.want {
				t.Errorf("Outcome = %q, want %q (%s)", got, tc.want, m.Summary())
			}
			for k := range tc.rounds {
				if round := "round " + string(rune('1'+k)) + ":"; !strings.Contains(m.Summary(), round) {
					t.Errorf("Summary %q lacks %q", m.Summary(), round)
				}
			}
		})
	}
}
