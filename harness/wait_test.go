package harness

import (
	"testing"
	"time"

	"github.com/grantcheck/grantcheck/harness/authorize"
	"github.com/grantcheck/grantcheck/harness/config"
)

// code-expired counts from when the code arrived, not from when the login began, and its margin
// covers a provider that counts whole seconds (issue 14 item 11; the reference provider's legal
// fault code-ttl-whole-seconds proves it end to end).
func TestExpiredAfter(t *testing.T) {
	sent := time.Date(2026, 1, 1, 12, 0, 12, 980_000_000, time.UTC)
	arrived := sent.Add(60 * time.Millisecond) // issued at 13.02 s: a second boundary in between
	code := &authorize.Code{IssuedAt: sent, ReceivedAt: arrived}
	cases := []struct {
		name   string
		margin time.Duration
		want   time.Time
	}{
		{"default margin", time.Second, arrived.Add(3 * time.Second)},
		{"a larger margin is kept", 2 * time.Second, arrived.Add(4 * time.Second)},
		{"a margin below a second is raised to one", 200 * time.Millisecond, arrived.Add(3 * time.Second)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := config.Provider{CodeTTL: config.Duration(2 * time.Second), ExpiryMargin: config.Duration(c.margin)}
			got := ExpiredAfter(p, code)
			if !got.Equal(c.want) {
				t.Errorf("ExpiredAfter = %s, want %s", got.Format("05.000"), c.want.Format("05.000"))
			}
			// A provider truncating both times to seconds keeps the code valid while
			// now.Unix() <= issued.Unix() + 2: the wait must end after that.
			if lastValid := time.Unix(arrived.Unix()+2, 999_999_999); !got.After(lastValid) {
				t.Errorf("ExpiredAfter = %s, but a whole-second provider still honours the code until %s", got.Format("05.000"), lastValid.Format("05.000"))
			}
		})
	}
}
