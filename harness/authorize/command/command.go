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
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"time"
	"unicode"

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

// maxOutput bounds what is kept of each stream: its end, where the URL line is.
const maxOutput = 1 << 20

// stderrLines is how much of standard error an error message quotes, each line at most
// quotedLine bytes: the least that says why a login failed.
const (
	stderrLines = 4
	quotedLine  = 200
)

// outputGrace is how long the program's output may stay open after its process group was killed:
// only a process that left the group (setsid) can still hold it, and it is not waited for.
const outputGrace = time.Second

// Walker runs the command once per flow.
type Walker struct {
	Login config.Login
	// Dir is where the command runs (the config file's folder); "" is the working directory.
	Dir string
	Log *transcript.Log
}

// run is one run of the program: what it wrote and how it ended.
type run struct {
	stdout, stderr *tail
	err            error // its exit, or why it was stopped
	stopped        string
	held           bool // its output was still open outputGrace after its group was killed
	took           time.Duration
}

func (w *Walker) Walk(ctx context.Context, r authorize.Route) (authorize.Landing, error) {
	red := w.Log.Redactor
	argv := w.Login.Command
	if len(argv) == 0 {
		return authorize.Landing{}, errors.New("login.command is empty")
	}
	shown := red.Redact(strings.Join(argv, " "))
	res, err := w.run(ctx, r)
	if err != nil {
		return authorize.Landing{}, fmt.Errorf("login.command %s: %s", shown, red.Redact(err.Error()))
	}
	// Every secret the output reveals is learnt before any of it is quoted: the landing URL's
	// parameters, values under secret names anywhere in either stream, and every word that looks
	// like a token.
	last, lastWhole := res.stdout.lastLine()
	learnURL(red, last)
	learnSecrets(red, last)
	learnSecrets(red, res.stdout.String())
	learnSecrets(red, res.stderr.String())

	if res.held {
		w.Log.Note("login command %s: a process outside its process group still held its output %s after the group was killed; not waited for", shown, outputGrace)
	}
	if res.stopped != "" {
		w.Log.Note("login command %s: %s after %s", shown, res.stopped, res.took)
		return authorize.Landing{}, fmt.Errorf("login.command %s: %s%s", shown, res.stopped, w.quoteStderr(res.stderr))
	}
	if res.err != nil {
		w.Log.Note("login command %s: %s after %s", shown, red.Redact(res.err.Error()), res.took)
		return authorize.Landing{}, fmt.Errorf("login.command %s: %s%s", shown, red.Redact(res.err.Error()), w.quoteStderr(res.stderr))
	}
	if !lastWhole {
		w.Log.Note("login command %s: exit 0 after %s; its last line of standard output is longer than the %d bytes kept", shown, res.took, maxOutput)
		return authorize.Landing{}, fmt.Errorf("login.command %s: exited 0, but its last line of standard output is longer than the %d bytes grantcheck keeps (it wrote %d bytes in all), so no URL can be read from it",
			shown, maxOutput, res.stdout.total)
	}
	note := ""
	if res.stdout.total > maxOutput {
		note = fmt.Sprintf(" (it wrote %d bytes of standard output; the last %d were kept)", res.stdout.total, maxOutput)
	}
	target, perr := url.Parse(last)
	if last == "" || perr != nil || !target.IsAbs() {
		w.Log.Note("login command %s: exit 0 after %s, no URL on its last line%s", shown, res.took, note)
		return authorize.Landing{}, fmt.Errorf("login.command %s: exited 0 but its last line of standard output is %s, not the URL the provider redirected to%s%s",
			shown, quoteLine(red, last), note, w.quoteStderr(res.stderr))
	}
	w.Log.Note("login command %s: exit 0 after %s; it ended at %s%s", shown, res.took, red.Redact(last), note)
	if r.Stop(target) {
		return authorize.Landing{Redirect: target}, nil
	}
	// The contract's answer when the provider shows a page instead of redirecting (an error page
	// for an unregistered redirect_uri): that page's URL, and what the program saw on standard error
	// (every secret in it learnt above).
	return authorize.Landing{PageURL: last, Detail: fmt.Sprintf("login: the login command ended on the page %s, not a redirect to %s%s",
		red.Redact(last), r.RedirectURI, w.quoteStderr(res.stderr))}, nil
}

// run starts the program in a process group of its own, waits for it to exit (or ctx to end),
// then kills the whole group, whatever happened: a background child or one that keeps the output
// open outlives no run. The output is read to its end once the group is gone.
func (w *Walker) run(ctx context.Context, r authorize.Route) (run, error) {
	argv := w.Login.Command
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
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	// Our own pipes: exec's would make Wait wait for whoever holds them.
	outR, outW, err := os.Pipe()
	if err != nil {
		return run{}, err
	}
	errR, errW, err := os.Pipe()
	if err != nil {
		outR.Close()
		outW.Close()
		return run{}, err
	}
	cmd.Stdout, cmd.Stderr = outW, errW
	start := time.Now()
	err = cmd.Start()
	outW.Close()
	errW.Close()
	if err != nil {
		outR.Close()
		errR.Close()
		return run{}, err
	}
	res := run{stdout: &tail{max: maxOutput}, stderr: &tail{max: maxOutput}}
	copied := make(chan struct{}, 2)
	for _, c := range []struct {
		to   io.Writer
		from *os.File
	}{{res.stdout, outR}, {res.stderr, errR}} {
		go func() {
			_, _ = io.Copy(c.to, c.from)
			copied <- struct{}{}
		}()
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	select {
	case res.err = <-exited:
	case <-ctx.Done():
		res.stopped = "interrupted"
		if context.Cause(ctx) != nil && errors.Is(ctx.Err(), context.DeadlineExceeded) {
			res.stopped = "gave up after timeouts.login; its process group was killed"
		}
	}
	_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	if res.stopped != "" {
		<-exited
	}
	grace := time.NewTimer(outputGrace)
	defer grace.Stop()
	for pending := 2; pending > 0; {
		select {
		case <-copied:
			pending--
		case <-grace.C:
			res.held = true
			outR.Close() // ends the copies
			errR.Close()
		}
	}
	outR.Close()
	errR.Close()
	res.took = time.Since(start).Round(time.Millisecond)
	return res, nil
}

// quoteStderr is the end of the program's standard error for a message, redacted: its last
// stderrLines lines, each cut at quotedLine bytes.
func (w *Walker) quoteStderr(t *tail) string {
	s := strings.TrimRight(t.String(), "\n")
	if strings.TrimSpace(s) == "" {
		return "; its standard error was empty"
	}
	lines := strings.Split(s, "\n")
	if len(lines) > stderrLines {
		lines = lines[len(lines)-stderrLines:]
	}
	for i, l := range lines {
		lines[i] = transcript.Clip(w.Log.Redactor.Redact(l), quotedLine)
	}
	return "; its standard error ends:\n  " + strings.Join(lines, "\n  ")
}

// quoteLine is one line of output quoted in a message, redacted and cut.
func quoteLine(red *transcript.Redactor, line string) string {
	return fmt.Sprintf("%q", transcript.Clip(red.Redact(line), quotedLine))
}

// secretAssignment is a value given under a name: name=value, name: value, "name":"value".
var secretAssignment = regexp.MustCompile(`(?i)["']?([a-z][a-z0-9_-]*)["']?\s*[=:]\s*["']?([^\s"'&,;<>]+)`)

// tokenLike is a word long and mixed enough to be a credential: 20 or more characters of the
// base64url, base64 or JWT alphabets with letters and digits.
var tokenLike = regexp.MustCompile(`[A-Za-z0-9_\-.~+/=]{20,}`)

// learnSecrets has the redactor learn what text reveals: every URL's parameters under secret
// names (code, tokens, state's company), every value given under a secret name, and every word
// that looks like a token (a candidate: hiding it costs a fingerprint, showing it a credential).
func learnSecrets(red *transcript.Redactor, text string) {
	for _, m := range secretAssignment.FindAllStringSubmatch(text, -1) {
		if transcript.IsSecretName(m[1]) || strings.EqualFold(m[1], "state") {
			red.Learn(strings.ToLower(m[1]), m[2])
		}
	}
	for _, w := range tokenLike.FindAllString(text, -1) {
		if strings.Contains(w, "//") || !hasLetterAndDigit(w) {
			continue // a URL's path, a row of dashes
		}
		red.Learn("token?", w)
	}
}

// learnURL learns the secret parameters of the landing URL (its query and, for implicit-style
// redirects, its fragment): the code and state the program reports, by name, before any of its
// output is quoted. The word patterns of learnSecrets read "https" as a name and miss them.
func learnURL(red *transcript.Redactor, line string) {
	u, err := url.Parse(line)
	if err != nil || !u.IsAbs() {
		return
	}
	frag, _ := url.ParseQuery(u.Fragment)
	for _, params := range []url.Values{u.Query(), frag} {
		for k, vs := range params {
			if transcript.IsSecretName(k) || strings.EqualFold(k, "state") {
				for _, v := range vs {
					red.Learn(strings.ToLower(k), v)
				}
			}
		}
	}
}

func hasLetterAndDigit(s string) bool {
	letter, digit := false, false
	for _, c := range s {
		switch {
		case unicode.IsLetter(c):
			letter = true
		case unicode.IsDigit(c):
			digit = true
		}
	}
	return letter && digit
}

// tail keeps the last max bytes written, and counts them all.
type tail struct {
	mu    sync.Mutex
	buf   []byte
	max   int
	total int64
}

func (t *tail) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.total += int64(len(p))
	if len(p) >= t.max {
		t.buf = append(t.buf[:0], p[len(p)-t.max:]...)
		return len(p), nil
	}
	// Compact only when twice the limit is held, so a long stream costs linear time.
	if len(t.buf)+len(p) > 2*t.max {
		t.buf = append(t.buf[:0], t.buf[len(t.buf)-t.max:]...)
	}
	t.buf = append(t.buf, p...)
	return len(p), nil
}

// kept is the last max bytes held (the caller holds mu).
func (t *tail) kept() []byte {
	if len(t.buf) > t.max {
		return t.buf[len(t.buf)-t.max:]
	}
	return t.buf
}

func (t *tail) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.kept())
}

// lastLine is the last non-empty line kept, and whether it is whole: false when the output was
// cut inside it, so what is kept is not the line the program wrote.
func (t *tail) lastLine() (string, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	kept := t.kept()
	s := strings.TrimRight(string(kept), "\r\n \t")
	i := strings.LastIndexByte(s, '\n')
	whole := i >= 0 || t.total <= int64(len(kept))
	return strings.TrimSpace(s[i+1:]), whole
}
