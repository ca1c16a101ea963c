package main

import (
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/grantcheck/grantcheck/harness"
)

// isTerminal reports whether w is a character device (a terminal), not a file or a pipe.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	info, err := f.Stat()
	return err == nil && info.Mode()&os.ModeCharDevice != 0
}

// waitProgress shows the scenarios' waits: on a terminal one line rewritten in place with what
// is awaited and how long is left, elsewhere one line per wait and nothing more.
type waitProgress struct {
	w        io.Writer
	terminal bool
	tick     time.Duration
	// width caps the progress line: a line that wraps cannot be rewritten in place with \r.
	width int

	mu     sync.Mutex
	active []harness.Wait
	shown  bool // a progress line is on screen
}

func newWaitProgress(w io.Writer, terminal bool) *waitProgress {
	return &waitProgress{w: w, terminal: terminal, tick: 100 * time.Millisecond, width: 79}
}

// waitLine is e.g. "code-expired: waiting 8.2 s (provider.code_ttl + … after the code was issued)".
func waitLine(wt harness.Wait, now time.Time) string {
	left := max(wt.Until.Sub(now), 0)
	return fmt.Sprintf("%s: waiting %.1f s (%s)", wt.ID, left.Seconds(), wt.Why)
}

// OnWait is the harness hook; it returns at once.
func (p *waitProgress) OnWait(wt harness.Wait) {
	if !p.terminal {
		fmt.Fprintln(p.w, waitLine(wt, time.Now()))
		return
	}
	p.mu.Lock()
	p.active = append(p.active, wt)
	p.mu.Unlock()
	go func() {
		t := time.NewTicker(p.tick)
		defer t.Stop()
		p.draw()
		for {
			select {
			case <-wt.Done:
				p.mu.Lock()
				p.active = slices.DeleteFunc(p.active, func(a harness.Wait) bool { return a.Done == wt.Done })
				p.mu.Unlock()
				p.draw()
				return
			case <-t.C:
				p.draw()
			}
		}
	}()
}

func (p *waitProgress) draw() {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := time.Now()
	var parts []string
	for _, wt := range p.active {
		parts = append(parts, waitLine(wt, now))
	}
	switch {
	case len(parts) > 0:
		line := []rune(strings.Join(parts, "; "))
		if len(line) > p.width {
			line = append(line[:p.width-1], '…')
		}
		fmt.Fprintf(p.w, "\r\x1b[2K%s", string(line))
		p.shown = true
	case p.shown:
		fmt.Fprint(p.w, "\r\x1b[2K")
		p.shown = false
	}
}
