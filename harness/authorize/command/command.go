// Package command is the command login driver: a program the user supplies logs in however it
// must (an MFA push, an internal SSO, a login API) and prints the URL the provider redirected to.
// Contract: the environment carries the authorization request and the credentials (secrets never
// go in argv); the last line of standard output is the URL the flow ended at, and the exit status
// is 0. That URL is the redirect the provider sent (to redirect_uri, with a code or an error), or,
// when the provider shows a page instead of redirecting (an error page for an unregistered
// redirect_uri or a client not allowed the code grant), the URL of that page; what the program
// writes to standard error is kept as what it saw there. The authorization endpoint scenarios
// judge an error page as the provider informing the resource owner (RFC 6749 §4.1.2.1). A non-zero
// exit is the program's own failure: ERROR, never a verdict.
package command

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/grantcheck/grantcheck/harness/authorize"
	"github.com/grantcheck/grantcheck/harness/config"
	"github.com/grantcheck/grantcheck/harness/transcript"
)

// Environment variables the command reads.
const (
	EnvAuthorizeURL = "GRANTCHECK_AUTHORIZE_URL"
	EnvRedirectURI  = "GRANTCHECK_REDIRECT_URI"
	EnvClientID     = "GRANTCHECK_CLIENT_ID"
	EnvScope        = "GRANTCHECK_SCOPE"
	EnvUsername     = "GRANTCHECK_USERNAME"
	EnvPassword     = "GRANTCHECK_PASSWORD"
)

// maxOutput bounds what is kept of each stream (stdout from its start, stderr its end).
const maxOutput = 1 << 20

// stderrLines is how much of standard error an error message quotes.
const stderrLines = 8

// Walker runs the command once per flow.
type Walker struct {
	Login config.Login
	// Dir is where the command runs (the config file's folder); "" is the working directory.
	Dir string
	Log *transcript.Log
}

func (w *Walker) Walk(ctx context.Context, r authorize.Route) (authorize.Landing, error) {
	red := w.Log.Redactor
	argv := w.Login.Command
	if len(argv) == 0 {
		return authorize.Landing{}, errors.New("login.command is empty")
	}
	q := url.Values{}
	if u, err := url.Parse(r.AuthURL); err == nil {
		q = u.Query()
	}
	name := argv[0]
	// exec resolves a relative path against our working directory, not cmd.Dir: anchor it to
	// the config file's folder, where the user wrote it from.
	if strings.ContainsRune(name, filepath.Separator) && !filepath.IsAbs(name) && w.Dir != "" {
		name = filepath.Join(w.Dir, name)
	}
	cmd := exec.Command(name, argv[1:]...)
	cmd.Dir = w.Dir
	cmd.Env = append(os.Environ(),
		EnvAuthorizeURL+"="+r.AuthURL,
		EnvRedirectURI+"="+r.RedirectURI,
		EnvClientID+"="+q.Get("client_id"),
		EnvScope+"="+q.Get("scope"),
		EnvUsername+"="+w.Login.Username,
		EnvPassword+"="+w.Login.Password,
	)
	// Its own process group, so a timeout kills whatever it started too.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	stdout, stderr := &head{max: maxOutput}, &tail{max: maxOutput}
	cmd.Stdout, cmd.Stderr = stdout, stderr
	// A grandchild that keeps the pipes open must not hold the flow after the command exits.
	cmd.WaitDelay = time.Second
	shown := red.Redact(strings.Join(argv, " "))
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return authorize.Landing{}, fmt.Errorf("login.command %s: %s", shown, red.Redact(err.Error()))
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	var err error
	select {
	case err = <-done:
	case <-ctx.Done():
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		<-done
		why := "interrupted"
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			why = "gave up after timeouts.login; its process group was killed"
		}
		w.Log.Note("login command %s: %s after %s", shown, why, time.Since(start).Round(time.Millisecond))
		return authorize.Landing{}, fmt.Errorf("login.command %s: %s%s", shown, why, w.stderr(stderr))
	}
	took := time.Since(start).Round(time.Millisecond)
	if err != nil {
		w.Log.Note("login command %s: %v after %s", shown, err, took)
		return authorize.Landing{}, fmt.Errorf("login.command %s: %s%s", shown, red.Redact(err.Error()), w.stderr(stderr))
	}
	last := lastLine(stdout.String())
	target, perr := url.Parse(last)
	if last == "" || perr != nil || !target.IsAbs() {
		w.Log.Note("login command %s: exit 0 after %s, no URL on its last line", shown, took)
		return authorize.Landing{}, fmt.Errorf("login.command %s: exited 0 but its last line of standard output is %q, not the URL the provider redirected to%s",
			shown, red.Redact(last), w.stderr(stderr))
	}
	w.Log.Note("login command %s: exit 0 after %s; it ended at %s", shown, took, red.Redact(last))
	if r.Stop(target) {
		return authorize.Landing{Redirect: target}, nil
	}
	// The contract's answer when the provider shows a page instead of redirecting (an error page
	// for an unregistered redirect_uri): that page's URL, and what the program saw on standard error.
	return authorize.Landing{PageURL: last, Detail: fmt.Sprintf("login: the login command ended on the page %s, not a redirect to %s%s",
		red.Redact(last), r.RedirectURI, w.stderr(stderr))}, nil
}

// stderr is the end of the command's standard error for a message, redacted.
func (w *Walker) stderr(t *tail) string {
	s := strings.TrimRight(t.String(), "\n")
	if strings.TrimSpace(s) == "" {
		return "; its standard error was empty"
	}
	lines := strings.Split(s, "\n")
	if len(lines) > stderrLines {
		lines = lines[len(lines)-stderrLines:]
	}
	return "; its standard error ends:\n  " + w.Log.Redactor.Redact(strings.Join(lines, "\n  "))
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\r\n \t"), "\n")
	return strings.TrimSpace(lines[len(lines)-1])
}

// head keeps the first max bytes written.
type head struct {
	mu  sync.Mutex
	buf bytes.Buffer
	max int
}

func (h *head) Write(p []byte) (int, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if room := h.max - h.buf.Len(); room > 0 {
		h.buf.Write(p[:min(room, len(p))])
	}
	return len(p), nil
}

func (h *head) String() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.buf.String()
}

// tail keeps the last max bytes written.
type tail struct {
	mu  sync.Mutex
	buf []byte
	max int
}

func (t *tail) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, p...)
	if over := len(t.buf) - t.max; over > 0 {
		t.buf = append(t.buf[:0], t.buf[over:]...)
	}
	return len(p), nil
}

func (t *tail) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.buf)
}
