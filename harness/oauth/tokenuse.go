package oauth

import (
	"fmt"
	"strings"

	"github.com/onsi/gomega/types"

	"github.com/grantcheck/grantcheck/harness/token"
	"github.com/grantcheck/grantcheck/harness/verdict"
)

// funcMatcher is a matcher whose check returns the failure category and reason ("" when met).
type funcMatcher struct {
	check  func(actual any) (verdict.Category, string, error)
	cat    verdict.Category
	reason string
}

func (m *funcMatcher) Match(actual any) (bool, error) {
	cat, reason, err := m.check(actual)
	m.cat, m.reason = cat, reason
	return cat == "" && err == nil, err
}

func (m *funcMatcher) FailureMessage(actual any) string {
	return fmt.Sprintf("[%s] %s%s", m.cat, m.reason, printed(actual))
}

func (m *funcMatcher) NegatedFailureMessage(actual any) string {
	return "[error-code] negation is not supported by this matcher" + printed(actual)
}

func asResponse(actual any) (*token.Response, error) {
	r, ok := actual.(*token.Response)
	if !ok || r == nil {
		return nil, fmt.Errorf("expected a *token.Response, got %T", actual)
	}
	return r, nil
}

// BeRefusedAccessToken matches a resource answer refusing the token (RFC 6750 §3.1: 401
// invalid_token); a 2xx means the token still works.
func BeRefusedAccessToken() types.GomegaMatcher {
	return &funcMatcher{check: func(actual any) (verdict.Category, string, error) {
		r, err := asResponse(actual)
		if err != nil {
			return "", "", err
		}
		if r.Status >= 200 && r.Status < 300 {
			return verdict.Security, fmt.Sprintf("the access token still works (HTTP %d)", r.Status), nil
		}
		return "", "", nil
	}}
}

// BeInactiveIntrospection matches an introspection answer with active:false (RFC 7662 §2.2).
func BeInactiveIntrospection() types.GomegaMatcher {
	return &funcMatcher{check: func(actual any) (verdict.Category, string, error) {
		r, err := asResponse(actual)
		if err != nil {
			return "", "", err
		}
		if active, _ := r.JSON["active"].(bool); active {
			return verdict.Security, "introspection says the access token is still active", nil
		}
		if r.Status != 200 || r.JSON == nil {
			return verdict.Format, fmt.Sprintf("introspection answered HTTP %d without a JSON object (RFC 7662 §2.2)", r.Status), nil
		}
		return "", "", nil
	}}
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
	return true, nil
}

func (m *RoundsMatcher) FailureMessage(any) string { return m.message }

func (m *RoundsMatcher) NegatedFailureMessage(any) string {
	return "[error-code] negation is not supported by this matcher"
}

var _ types.GomegaMatcher = (*RoundsMatcher)(nil)
