package harness

import "time"

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
