package main

import (
	"bytes"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/grantcheck/grantcheck/harness"
)

// syncBuffer lets the progress goroutine write while the test reads.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestWaitProgressOffTerminalIsOneLine(t *testing.T) {
	var out syncBuffer
	done := make(chan struct{})
	newWaitProgress(&out, false).OnWait(harness.Wait{ID: "code-expired", Why: "the code's lifetime",
		Until: time.Now().Add(8200 * time.Millisecond), Done: done})
	close(done)
	got := out.String()
	if strings.Count(got, "\n") != 1 || !strings.HasPrefix(got, "code-expired: waiting 8.") ||
		!strings.Contains(got, " s (the code's lifetime)") || strings.Contains(got, "\r") {
		t.Errorf("non-terminal output %q, want one plain line", got)
	}
}

func TestWaitProgressOnTerminalCountsDownAndClears(t *testing.T) {
	var out syncBuffer
	p := newWaitProgress(&out, true)
	p.tick = 5 * time.Millisecond
	done := make(chan struct{})
	p.OnWait(harness.Wait{ID: "code-expired", Why: "the code's lifetime", Until: time.Now().Add(time.Second), Done: done})
	deadline := time.Now().Add(2 * time.Second)
	for strings.Count(out.String(), "code-expired: waiting") < 3 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	close(done)
	for !strings.HasSuffix(out.String(), "\r\x1b[2K") && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	got := out.String()
	if strings.Count(got, "\r\x1b[2Kcode-expired: waiting") < 3 || strings.Contains(got, "\n") {
		t.Errorf("terminal output %q: want the line rewritten in place", got)
	}
	if !strings.HasSuffix(got, "\r\x1b[2K") {
		t.Errorf("the progress line is not cleared when the wait ends: %q", got[max(0, len(got)-40):])
	}
}
