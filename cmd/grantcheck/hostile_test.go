package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"

	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/grantcheck/grantcheck/fixtures/reference"
	"github.com/grantcheck/grantcheck/reports"
)

// A hostile provider is the reference provider behind a handler that misbehaves the way the
// providers of issue 6 did; the suite runs against it in a child process.

// buffered holds a whole answer, so a hostile handler can decide on it before anything is sent.
type buffered struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (b *buffered) Header() http.Header { return b.header }
func (b *buffered) WriteHeader(s int) {
	if b.status == 0 {
		b.status = s
	}
}
func (b *buffered) Write(p []byte) (int, error) {
	b.WriteHeader(http.StatusOK)
	return b.body.Write(p)
}

// serve runs next into a buffer and hands the answer to edit, which writes it (or not).
func serve(next http.Handler, edit func(w http.ResponseWriter, r *http.Request, b *buffered)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b := &buffered{header: http.Header{}}
		next.ServeHTTP(b, r)
		if b.status == 0 {
			b.status = http.StatusOK
		}
		edit(w, r, b)
	})
}

func send(w http.ResponseWriter, b *buffered) {
	for k, v := range b.header {
		w.Header()[k] = v
	}
	w.Header().Del("Content-Length")
	w.WriteHeader(b.status)
	w.Write(b.body.Bytes())
}

func isToken(r *http.Request) bool { return strings.HasSuffix(r.URL.Path, "/token") }

// echoing sends every secret back the ways providers were seen to: the request (body, Basic
// header, decoded id:secret) in error bodies through a JSON encoder (so & < > arrive as \u0026…),
// every refresh token issued so far in later error bodies, the access token in a success header.
func echoing() func(http.Handler) http.Handler {
	var mu sync.Mutex
	var refresh []string
	return func(next http.Handler) http.Handler {
		return serve(next, func(w http.ResponseWriter, r *http.Request, b *buffered) {
			auth := r.Header.Get("Authorization")
			if auth != "" {
				b.header.Set("X-Echo-Authorization", auth)
			}
			var obj map[string]any
			_ = json.Unmarshal(b.body.Bytes(), &obj)
			if at, ok := obj["access_token"].(string); ok {
				b.header.Set("X-Access-Token", at) // before the body is seen by the suite
			}
			if rt, ok := obj["refresh_token"].(string); ok {
				mu.Lock()
				refresh = append(refresh, rt)
				mu.Unlock()
			}
			if b.status >= 400 && obj != nil {
				_ = r.ParseForm()
				decoded := ""
				if _, cred, ok := strings.Cut(auth, " "); ok {
					raw, _ := base64.StdEncoding.DecodeString(cred)
					decoded = string(raw)
				}
				mu.Lock()
				earlier := strings.Join(refresh, " ")
				mu.Unlock()
				obj["error_description"] = fmt.Sprintf("you sent %s & <%s> as %s; earlier: %s; form %q",
					r.Form.Encode(), decoded, auth, earlier, r.Form)
				obj["echo"] = map[string]any{"form": r.Form, "basic": decoded}
				b.body.Reset()
				_ = json.NewEncoder(&b.body).Encode(obj) // escapes & < > as \u0026 \u003c \u003e
				// Terminal control: clear screen, window title, a fake green result line (item 11).
				b.body.WriteString("\x1b[2J\x1b]0;owned\a\x1b[32m39 passed\r\x9b31m\n")
			}
			send(w, b)
		})
	}
}

// failingLogin makes the login form a GET (so the password travels in the URL) and drops the
// connection of that GET: the login error then quotes a url.Error holding the whole URL. The
// login page itself echoes the client's Basic credentials and every query parameter.
func failingLogin(next http.Handler) http.Handler {
	return serve(next, func(w http.ResponseWriter, r *http.Request, b *buffered) {
		if r.URL.Path == "/login" && r.URL.Query().Get("password") != "" {
			conn, _, err := w.(http.Hijacker).Hijack()
			if err == nil {
				conn.Close()
			}
			return
		}
		if r.URL.Path == "/login" {
			html := strings.Replace(b.body.String(), `method="post"`, `method="get"`, 1)
			b.body.Reset()
			b.body.WriteString(html)
		}
		send(w, b)
	})
}

// hugeHeaders adds an 8 MB header to every error answer (observed: 6.3 GB RSS before bounds).
func hugeHeaders(next http.Handler) http.Handler {
	big := strings.Repeat("x", 8<<20)
	return serve(next, func(w http.ResponseWriter, r *http.Request, b *buffered) {
		if b.status >= 400 {
			b.header.Set("X-Padding", big)
		}
		send(w, b)
	})
}

// stalling never sends the token endpoint's error answers (observed: 370 s before the breaker).
func stalling(next http.Handler) http.Handler {
	return serve(next, func(w http.ResponseWriter, r *http.Request, b *buffered) {
		if isToken(r) && b.status >= 400 {
			<-r.Context().Done()
			return
		}
		send(w, b)
	})
}

// hostileRun is one run against the reference wrapped in wrap; extraYAML is appended to its config.
type hostileRun struct {
	child
	maxRSS  int64 // bytes
	elapsed time.Duration
	secrets []string
}

func runHostile(t *testing.T, wrap func(http.Handler) http.Handler, extraYAML string) hostileRun {
	t.Helper()
	return runHostileEnv(t, wrap, extraYAML)
}

// runHostileEnv is runHostile with extra environment variables (NAME=value) for the child.
func runHostileEnv(t *testing.T, wrap func(http.Handler) http.Handler, extraYAML string, env ...string) hostileRun {
	t.Helper()
	return runHostileOpts(t, reference.Options{CodeTTL: 2 * time.Second, Wrap: wrap}, extraYAML, env...)
}

// runHostileOpts is one run against the reference started with opts.
func runHostileOpts(t *testing.T, opts reference.Options, extraYAML string, env ...string) hostileRun {
	t.Helper()
	cfgPath, seen := startWitnessed(t, opts, extraYAML)
	dir := t.TempDir()
	args, _ := json.Marshal([]string{"run", "--config", cfgPath, "--reports", dir})
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(append(os.Environ(), childArgs+"="+string(args), "NO_COLOR=1"), env...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	_ = cmd.Run()
	h := hostileRun{elapsed: time.Since(start)}
	h.exit = cmd.ProcessState.ExitCode()
	h.output, h.dir = out.String(), dir
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		h.maxRSS = ru.Maxrss * 1024 // Linux reports KiB
	}
	if h.exit != exitConformant && h.exit != exitNotConformant {
		t.Fatalf("exit %d:\n%s", h.exit, h.output)
	}
	if err := os.WriteFile(filepath.Join(dir, "stdout.txt"), out.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(filepath.Join(dir, "results.json"))
	if err != nil {
		t.Fatalf("no results.json: %v\n%s", err, h.output)
	}
	defer f.Close()
	if h.run, err = reports.ReadJSON(f); err != nil {
		t.Fatal(err)
	}
	cfgText, _ := os.ReadFile(cfgPath)
	h.secrets = append(h.secrets, seen()...)
	for _, key := range []string{"client_secret", "password"} {
		for _, line := range strings.Split(string(cfgText), "\n") {
			if v, ok := strings.CutPrefix(strings.TrimSpace(line), key+": "); ok {
				h.secrets = append(h.secrets, strings.Trim(v, `"`))
			}
		}
	}
	return h
}

// leaks lists every form of every secret found in the reports and the console output.
func leaks(t *testing.T, h hostileRun) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(h.dir, "*"))
	if err != nil || len(files) < 6 {
		t.Fatalf("expected the reports and the console output in %s, found %v (%v)", h.dir, files, err)
	}
	var found []string
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		text := string(data)
		for _, s := range h.secrets {
			for _, form := range secretForms(s) {
				if strings.Contains(text, form) {
					found = append(found, fmt.Sprintf("%s holds a secret (%d characters, starts %.4q) as %.12q…", filepath.Base(f), len(s), s, form))
				}
			}
		}
		if i := strings.IndexAny(text, "\x1b\a\r\u009b"); i >= 0 {
			found = append(found, fmt.Sprintf("%s holds a control character: %q", filepath.Base(f), text[max(0, i-40):min(len(text), i+20)]))
		}
	}
	return found
}

// secretForms are the encodings a provider plausibly echoes (and the redactor must hide).
func secretForms(s string) []string {
	enc, _ := json.Marshal(s)
	forms := []string{s, strings.Trim(string(enc), `"`), base64.StdEncoding.EncodeToString([]byte(s))}
	for _, id := range []string{"app-a", "app-b", "svc"} {
		forms = append(forms, base64.StdEncoding.EncodeToString([]byte(id+":"+s)))
	}
	return forms
}

// TestNoSecretsWhenTheProviderEchoesThem: every echo of issue 6 item 9 planted, none shown.
func TestNoSecretsWhenTheProviderEchoesThem(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the whole suite")
	}
	t.Parallel()
	h := runHostile(t, echoing(), "")
	if len(h.secrets) < 100 {
		t.Fatalf("only %d secret values witnessed; expected hundreds from a full run", len(h.secrets))
	}
	echoed := 0
	for _, r := range h.run.Results {
		if strings.Contains(r.Transcript, "X-Echo-Authorization") || strings.Contains(r.Transcript, "you sent") {
			echoed++
		}
	}
	if echoed == 0 {
		t.Fatal("no transcript shows an echo: the hostile provider planted nothing")
	}
	if !strings.Contains(h.output+fmt.Sprint(h.run.Results), `\x1b[2J`) {
		t.Error("the planted escape sequence is shown nowhere: the check for raw ones looked at nothing")
	}
	t.Logf("%d secret values, %d transcripts with echoes", len(h.secrets), echoed)
	for _, l := range leaks(t, h) {
		t.Error(l)
	}
}

// TestNoSecretsInLoginErrors: the control exchange's login fails with a url.Error quoting the
// password in its URL; console and reports show the failure, not the password.
func TestNoSecretsInLoginErrors(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the whole suite")
	}
	t.Parallel()
	h := runHostile(t, failingLogin, "")
	i := strings.Index(h.output, "control exchange")
	if i < 0 {
		t.Fatalf("the login did not fail as planted:\n%.3000s", h.output)
	}
	if msg := firstLine(h.output[i:]); strings.Count(msg, "/login") != 1 {
		t.Errorf("the login URL should appear once in the control error: %s", msg)
	}
	for _, l := range leaks(t, h) {
		t.Error(l)
	}
}

// TestRunMemoryIsBounded: an 8 MB header on every error answer; the run's peak RSS stays under
// 200 MB and its reports small (DESIGN.md budget).
func TestRunMemoryIsBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the whole suite")
	}
	t.Parallel()
	h := runHostile(t, hugeHeaders, "")
	var size int64
	files, _ := filepath.Glob(filepath.Join(h.dir, "*"))
	for _, f := range files {
		if fi, err := os.Stat(f); err == nil {
			size += fi.Size()
		}
	}
	t.Logf("peak RSS %d MB, reports %d kB, %s", h.maxRSS>>20, size>>10, h.elapsed.Round(time.Millisecond))
	if h.maxRSS == 0 || h.maxRSS >= 200<<20 {
		t.Errorf("peak RSS %d MB, want under 200 MB", h.maxRSS>>20)
	}
	if size > 20<<20 {
		t.Errorf("reports take %d MB: excerpts must keep them small", size>>20)
	}
}

// TestStalledProviderEndsTheRun: every error answer of the token endpoint stalls; after three
// unanswered exchanges the rest is ERROR "the provider stopped answering" instead of waiting.
func TestStalledProviderEndsTheRun(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the whole suite")
	}
	t.Parallel()
	h := runHostile(t, stalling, "timeouts:\n  request: 2s\n")
	stopped, timedOut := 0, 0
	for _, r := range h.run.Results {
		switch {
		case strings.Contains(r.Verdict.Reason, "the provider stopped answering"):
			stopped++
		case strings.Contains(r.Verdict.Reason, "no answer within timeouts.request (2s)"):
			timedOut++
		}
		if strings.Contains(r.Verdict.Reason, "deadline exceeded") {
			t.Errorf("%s: %q does not name the setting", r.ID, firstLine(r.Verdict.Reason))
		}
	}
	// Counted, not timed: without the breaker every scenario waits its own timeout (over 60);
	// with it, three in a row trip it and only the exchanges already in flight may still time out.
	const maxTimedOut = 12
	t.Logf("suite %s, process %s; %d timed out, %d stopped", h.run.Duration.Round(time.Millisecond), h.elapsed.Round(time.Millisecond), timedOut, stopped)
	if timedOut < 3 || stopped == 0 {
		t.Errorf("%d scenarios timed out and %d were stopped; want at least 3 and then the rest stopped", timedOut, stopped)
	}
	if timedOut > maxTimedOut {
		t.Errorf("%d scenarios waited out timeouts.request, want at most %d: the run went on after the provider stopped answering", timedOut, maxTimedOut)
	}
}
