package harness

import (
	"time"

	"github.com/grantcheck/grantcheck/harness/authorize"
	"github.com/grantcheck/grantcheck/harness/config"
)

// Wait is one wait a scenario makes (the expiry scenario's code lifetime).
type Wait struct {
	ID    string // the catalogue entry
	Why   string
	Until time.Time
	// Done is closed when the wait ends, early or not.
	Done <-chan struct{}
}

// OnWait, when set (by the command, before the run), is told of every wait, so a terminal can
// show what the run waits for and how long is left. It must return at once.
var OnWait func(Wait)

// wholeSecond is the rounding of providers that keep times as Unix seconds: a code issued at
// 12.98 s with a 2 s lifetime is still valid at 14.99 s when "now" and "issued" are both
// truncated (14 > 12+2 is false), that is up to a second past its exact lifetime.
const wholeSecond = time.Second

// ExpiredAfter is when a code is surely past the provider's lifetime: provider.code_ttl plus
// provider.expiry_margin counted from when the redirect carrying the code arrived (the code was
// issued no later), the margin at least a whole second so that whole-second counting cannot keep
// the code valid past it.
func ExpiredAfter(p config.Provider, code *authorize.Code) time.Time {
	return code.ReceivedAt.Add(p.CodeTTL.D() + max(p.ExpiryMargin.D(), wholeSecond))
}
