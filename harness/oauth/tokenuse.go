package oauth

import (
	"fmt"
	"strings"

	"github.com/onsi/gomega/types"

	"github.com/grantcheck/grantcheck/harness/token"
	"github.com/grantcheck/grantcheck/harness/verdict"
)

// TokenState is what a proven check (one that accepted the fresh token) said about a token later.
type TokenState struct {
	Works    bool   // the token is still accepted
	Evidence string // how the check answered
	// Unknown says why the check gave no answer it can be read by ("" when it did).
	Unknown string
}

// Revocation is what happened to a code's first tokens after the code was presented again: the
// access token's state (nil when nothing could check it, AccessUnchecked says why) and the answer
// to a refresh with the first refresh token (nil when none was issued).
type Revocation struct {
	Access          *TokenState
	AccessUnchecked string
	Refresh         *token.Response
}

// RevocationMatcher checks both tokens and reports both. A refresh refusal is "revoked" even when
// malformed; its form is then a finding of its own (a MUST, RFC 6749 §5.2).
type RevocationMatcher struct {
	refusal func() *ErrorMatcher
	message string
	// Unknown is set after a match when the access token's state could not be read.
	Unknown string
}

// BeRevoked matches when the access token no longer works and the refresh is refused by refusal().
func BeRevoked(refusal func() *ErrorMatcher) *RevocationMatcher {
	return &RevocationMatcher{refusal: refusal}
}

func (m *RevocationMatcher) Match(actual any) (bool, error) {
	rev, ok := actual.(Revocation)
	if !ok {
		return false, fmt.Errorf("BeRevoked expects oauth.Revocation, got %T", actual)
	}
	var parts []string
	tag := ""
	switch a := rev.Access; {
	case a == nil:
		m.Unknown = rev.AccessUnchecked
		parts = append(parts, "access token: not checked ("+rev.AccessUnchecked+")")
	case a.Unknown != "":
		m.Unknown = a.Unknown
		parts = append(parts, "access token: unknown ("+a.Unknown+")")
	case a.Works:
		tag = string(verdict.Security)
		parts = append(parts, "access token: still works ("+a.Evidence+")")
	default:
		parts = append(parts, "access token: revoked ("+a.Evidence+")")
	}
	if r := rev.Refresh; r != nil {
		em := m.refusal()
		matched, err := em.Match(r)
		switch {
		case err != nil:
			return false, err
		case matched:
			parts = append(parts, fmt.Sprintf("refresh token: revoked (HTTP %d %s)", r.Status, r.String("error")))
		case em.found.category == verdict.Security:
			if tag == "" {
				tag = string(verdict.Security)
			}
			parts = append(parts, fmt.Sprintf("refresh token: still works (HTTP %d with %s)", r.Status, strings.Join(r.Tokens(), ", ")))
		default:
			// Refused, so revoked; but the refusal breaks the error form or names another code.
			t := string(em.found.category)
			if em.found.must {
				t += MustTag
			}
			if tag == "" || em.found.must {
				tag = t
			}
			parts = append(parts, "refresh token: revoked, but the refusal is wrong: "+em.found.reason)
		}
	} else {
		parts = append(parts, "refresh token: none was issued")
	}
	m.message = strings.Join(parts, "; ")
	if tag == "" {
		return true, nil
	}
	lead := ""
	if tag == string(verdict.Security) {
		lead = "tokens issued from the code are still valid after it was presented again (RFC 6749 §4.1.2 says they should be revoked): "
	}
	m.message = "[" + tag + "] " + lead + m.message
	return false, nil
}

// Summary is the one-line account of both tokens, also after a match.
func (m *RevocationMatcher) Summary() string { return m.message }

func (m *RevocationMatcher) FailureMessage(any) string { return m.message }

func (m *RevocationMatcher) NegatedFailureMessage(any) string {
	return "[error-code] negation is not supported by this matcher"
}

// Rounds are the answers of parallel redemption rounds, one fresh code per round.
type Rounds [][]*token.Response

// RoundsMatcher checks that in every round exactly one redemption got tokens and every other
// answer is the rejection loser() describes. One round is a sample: the worst round decides, and
// the reason lists every round's counts.
type RoundsMatcher struct {
	loser   func() *ErrorMatcher
	message string
}

// WinOnceEachRound matches rounds in which exactly one redemption got tokens (a 2xx counts only
// when it carries one) and every loser's answer matches loser().
func WinOnceEachRound(loser func() *ErrorMatcher) *RoundsMatcher { return &RoundsMatcher{loser: loser} }

func (m *RoundsMatcher) Match(actual any) (bool, error) {
	rounds, ok := actual.(Rounds)
	if !ok {
		return false, fmt.Errorf("WinOnceEachRound expects oauth.Rounds, got %T", actual)
	}
	if len(rounds) == 0 {
		m.message = fmt.Sprintf("[%s] no redemption round ran", verdict.ErrorCode)
		return false, nil
	}
	counts := make([]string, len(rounds))
	worst, worstWins, worstSeverity := -1, 1, 0
	for k, round := range rounds {
		wins, answers := 0, map[string]int{}
		var order []string
		for _, r := range round {
			label := "tokens"
			if r.Status < 200 || r.Status >= 300 || len(r.Tokens()) == 0 {
				label = fmt.Sprintf("HTTP %d", r.Status)
				if e := r.String("error"); e != "" {
					label += " " + e
				}
			} else {
				wins++
			}
			if answers[label] == 0 {
				order = append(order, label)
			}
			answers[label]++
		}
		parts := make([]string, len(order))
		for i, l := range order {
			parts[i] = fmt.Sprintf("%d× %s", answers[l], l)
		}
		counts[k] = fmt.Sprintf("round %d: %s", k+1, strings.Join(parts, ", "))
		// Worst first: most tokens issued (a security finding), then none issued at all.
		severity := 0
		switch {
		case wins > 1:
			severity = wins
		case wins == 0:
			severity = 1
		}
		if severity > worstSeverity {
			worst, worstWins, worstSeverity = k, wins, severity
		}
	}
	every := " (" + strings.Join(counts, "; ") + ")"
	if worst >= 0 {
		n := len(rounds[worst])
		if worstWins > 1 {
			m.message = fmt.Sprintf("[%s] in round %d of %d, %d of %d parallel redemptions of one code issued tokens%s",
				verdict.Security, worst+1, len(rounds), worstWins, n, every)
		} else {
			m.message = fmt.Sprintf("[%s] in round %d of %d, none of %d parallel redemptions of a valid code issued tokens%s",
				verdict.ErrorCode, worst+1, len(rounds), n, every)
		}
		return false, nil
	}
	for k, round := range rounds {
		for _, r := range round {
			if r.Status >= 200 && r.Status < 300 && len(r.Tokens()) > 0 {
				continue
			}
			lm := m.loser()
			if ok, err := lm.Match(r); err != nil || ok {
				continue
			}
			msg := lm.FailureMessage(r)
			tag, rest, _ := strings.Cut(msg, "] ")
			m.message = fmt.Sprintf("%s] round %d of %d, a losing redemption: %s", tag, k+1, len(rounds), strings.Replace(rest, "\n", every+"\n", 1))
			return false, nil
		}
	}
	m.message = fmt.Sprintf("in each of %d rounds exactly one of the parallel redemptions issued tokens and every other was refused as required%s", len(rounds), every)
	return true, nil
}

// Summary is every round's answers, after a match or a mismatch: a PASS records them as a FAIL does.
func (m *RoundsMatcher) Summary() string { return m.message }

// Outcome is the verdict rounds earn, as the category tag a failure carries ("security",
// "error-code", "error-code MUST", …), "" when they pass: what the sampling watches for change.
func (m *RoundsMatcher) Outcome(rounds Rounds) string {
	if ok, err := m.Match(rounds); ok || err != nil {
		return ""
	}
	tag, _, _ := strings.Cut(strings.TrimPrefix(m.message, "["), "]")
	return tag
}

func (m *RoundsMatcher) FailureMessage(any) string { return m.message }

func (m *RoundsMatcher) NegatedFailureMessage(any) string {
	return "[error-code] negation is not supported by this matcher"
}

var (
	_ types.GomegaMatcher = (*RoundsMatcher)(nil)
	_ types.GomegaMatcher = (*RevocationMatcher)(nil)
)
