package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/grantcheck/grantcheck/fixtures/reference"
	"github.com/grantcheck/grantcheck/reports"
)

// loginWrapper runs the repository's JavaScript login program ("$@") and then misbehaves the
// way issue 16's login programs did, per its first argument.
const loginWrapper = `#!/bin/sh
mode=$1; shift
if [ "$mode" = hang ]; then
	# Recorded before anything slow: on a loaded machine the real login alone can outlast
	# timeouts.login, and the test must still find the process to prove it was stopped.
	echo $$ >>"$GRANTCHECK_TEST_PIDS"
	exec sleep 300
fi
url=$("$@" | tail -n 1)
code=$(printf %s "$url" | sed -n 's/.*[?&]code=\([^&]*\).*/\1/p')
case $mode in
leak)
	echo "debug: got code $code" >&2
	echo "debug: exchanging $code now" >&2
	echo "$url"
	exit 1 ;;
orphans)
	sleep 300 >/dev/null 2>&1 &
	echo $! >>"$GRANTCHECK_TEST_PIDS"
	sleep 301 2>/dev/null &
	echo $! >>"$GRANTCHECK_TEST_PIDS"
	echo "$url" ;;
esac
`

// runLoginProgram runs the suite with the command driver running loginWrapper in mode.
func runLoginProgram(t *testing.T, mode, extraYAML string, env ...string) hostileRun {
	t.Helper()
	wrapper := filepath.Join(t.TempDir(), "login.sh")
	if err := os.WriteFile(wrapper, []byte(loginWrapper), 0o755); err != nil {
		t.Fatal(err)
	}
	opts := reference.Options{CodeTTL: 2 * time.Second, Login: reference.LoginJS,
		LoginCommand: append([]string{"/bin/sh", wrapper, mode}, jsLoginProgram(t)...)}
	return runHostileOpts(t, opts, extraYAML, env...)
}

// reasonsSaying counts the results whose reason contains s.
func reasonsSaying(run reports.Run, s string) int {
	n := 0
	for _, r := range run.Results {
		if strings.Contains(r.Verdict.Reason, s) {
			n++
		}
	}
	return n
}

// pidsAlive lists the processes named in the file (one pid a line) that still run.
func pidsAlive(t *testing.T, file string) (alive []int, n int) {
	t.Helper()
	raw, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("the login program recorded no process: %v", err)
	}
	for _, f := range strings.Fields(string(raw)) {
		pid, _ := strconv.Atoi(f)
		n++
		stat, _ := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if syscall.Kill(pid, 0) == nil && !strings.Contains(string(stat), ") Z ") {
			alive = append(alive, pid)
		}
	}
	return alive, n
}

// TestLoginProgramLeavesNoProcesses: every login leaves one child in the background and one that
// holds standard output open; the run still passes every scenario and no child survives it.
func TestLoginProgramLeavesNoProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the whole suite")
	}
	t.Parallel()
	pids := filepath.Join(t.TempDir(), "pids")
	h := runLoginProgram(t, "orphans", "", "GRANTCHECK_TEST_PIDS="+pids)
	if diff := mismatches(h.run, nil); len(diff) > 0 {
		t.Errorf("a login program leaving children must not change a verdict:\n  %s", strings.Join(diff, "\n  "))
	}
	alive, n := pidsAlive(t, pids)
	for _, pid := range alive {
		_ = syscall.Kill(pid, syscall.SIGKILL)
	}
	t.Logf("%d children left by the login program, %d still alive after the run; %s", n, len(alive), h.elapsed.Round(time.Millisecond))
	if len(alive) > 0 {
		t.Errorf("%d of the %d children the login program left still run after the run", len(alive), n)
	}
}

// TestLoginProgramOutputLeaksNoSecret: the program prints the code it got on standard error and
// then fails; every login's error quotes its standard error, with the code hidden everywhere.
func TestLoginProgramOutputLeaksNoSecret(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the whole suite")
	}
	t.Parallel()
	h := runLoginProgram(t, "leak", "")
	if reasonsSaying(h.run, "debug: got code") == 0 {
		t.Fatalf("no reason quotes the program's standard error: the check looked at nothing\n%.3000s", h.output)
	}
	for _, l := range leaks(t, h) {
		t.Error(l)
	}
}

// TestHangingLoginProgramEndsTheRun: a login program that never ends costs about three
// timeouts.login, then every other login fails at once saying the provider's logins stopped
// answering (issue 16: 240 s with the default timeouts, every login waiting its own).
func TestHangingLoginProgramEndsTheRun(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the whole suite")
	}
	t.Parallel()
	pids := filepath.Join(t.TempDir(), "pids")
	h := runLoginProgram(t, "hang", "timeouts:\n  login: 2s\n", "GRANTCHECK_TEST_PIDS="+pids)
	stopped := reasonsSaying(h.run, "logins in a row got no answer within timeouts.login (2s)")
	alive, n := pidsAlive(t, pids)
	for _, pid := range alive {
		_ = syscall.Kill(pid, syscall.SIGKILL)
	}
	// Logins overlap (controls per role, login.ahead): a few run out together before the streak
	// trips; then none is started. Without the cut-off every login of the run is started and
	// waits its own timeout (over 50). Counted, not timed: the time is the run's own line.
	const maxStarted = 12
	t.Logf("suite %s, process %s; %d logins started, %d results stopped", h.run.Duration.Round(time.Millisecond), h.elapsed.Round(time.Millisecond), n, stopped)
	if stopped == 0 {
		t.Errorf("no result says the logins stopped answering:\n%.3000s", h.output)
	}
	if n > maxStarted {
		t.Errorf("%d login programs were started, want at most %d: the run went on starting logins after they stopped answering", n, maxStarted)
	}
	if len(alive) > 0 {
		t.Errorf("%d hanging login programs still run after the run", len(alive))
	}
}
