package command

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/grantcheck/grantcheck/harness/authorize"
	"github.com/grantcheck/grantcheck/harness/config"
	"github.com/grantcheck/grantcheck/harness/transcript"
)

// mode makes the test binary act as a login command (argv[1] is the mode).
const mode = "GRANTCHECK_COMMAND_TEST"

const password = "pw:cmd-hunter2"

func TestMain(m *testing.M) {
	if os.Getenv(mode) != "" {
		os.Exit(act(os.Args[len(os.Args)-1]))
	}
	os.Exit(m.Run())
}

// act is the fake command: what it prints and how it ends.
func act(what string) int {
	switch what {
	case "ok":
		u, _ := url.Parse(os.Getenv(EnvAuthorizeURL))
		fmt.Println("logging in as", os.Getenv(EnvUsername))
		fmt.Printf("%s?code=cmd-code-1&state=%s\n", os.Getenv(EnvRedirectURI), u.Query().Get("state"))
		// What the command saw, for the test to check (the password only as whether it matched).
		wd, _ := os.Getwd()
		if f := os.Getenv("SEENFILE"); f != "" {
			os.WriteFile(f, []byte(fmt.Sprintf("client=%s scope=%s pw=%v wd=%s args=%q", os.Getenv(EnvClientID), os.Getenv(EnvScope),
				os.Getenv(EnvPassword) == password, wd, os.Args[1:])), 0o644)
		}
		return 0
	case "fail":
		fmt.Fprintln(os.Stderr, "first line")
		fmt.Fprintln(os.Stderr, "login failed for password", os.Getenv(EnvPassword))
		return 3
	case "errorpage": // the provider showed an error page instead of redirecting: its URL
		fmt.Fprintln(os.Stderr, "the page says: redirect_uri is not registered")
		fmt.Println(os.Getenv("PAGE_URL"))
		return 0
	case "nourl":
		fmt.Println("done")
		return 0
	case "hang":
		// A grandchild in the same process group, which the timeout must kill too.
		c := exec.Command(os.Args[0], "sleep")
		c.Env = os.Environ()
		c.Start()
		os.WriteFile(os.Getenv("PIDFILE"), []byte(strconv.Itoa(c.Process.Pid)), 0o644)
		fmt.Fprintln(os.Stderr, "waiting for a push approval")
		time.Sleep(time.Minute)
	case "sleep":
		time.Sleep(time.Minute)
	case "leak":
		// Debugging output that quotes the code and a token before the URL line, then a failure.
		u, _ := url.Parse(os.Getenv(EnvAuthorizeURL))
		fmt.Fprintln(os.Stderr, "debug: got code", leakedCode)
		fmt.Fprintln(os.Stderr, "debug: session", leakedToken)
		fmt.Fprintf(os.Stderr, "debug: {\"refresh_token\": \"%s\"}\n", leakedRefresh)
		fmt.Printf("%s?code=%s&state=%s\n", os.Getenv(EnvRedirectURI), leakedCode, u.Query().Get("state"))
		return 2
	case "background", "holdout", "escaped":
		// A child left running: in the background, holding standard output open, or holding it
		// from a session of its own (out of reach of the group kill).
		c := exec.Command(os.Args[0], "sleep")
		c.Env = os.Environ()
		if what != "background" {
			c.Stdout = os.Stdout
		}
		if what == "escaped" {
			c.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
		}
		c.Start()
		os.WriteFile(os.Getenv("PIDFILE"), []byte(strconv.Itoa(c.Process.Pid)), 0o644)
		u, _ := url.Parse(os.Getenv(EnvAuthorizeURL))
		fmt.Printf("%s?code=cmd-code-1&state=%s\n", os.Getenv(EnvRedirectURI), u.Query().Get("state"))
		return 0
	case "flood":
		// More than the kept output, the URL line last.
		line := strings.Repeat("x", 1023) + "\n"
		for range 3 << 10 {
			os.Stdout.WriteString(line)
		}
		u, _ := url.Parse(os.Getenv(EnvAuthorizeURL))
		fmt.Printf("%s?code=cmd-code-1&state=%s\n", os.Getenv(EnvRedirectURI), u.Query().Get("state"))
		return 0
	case "longline":
		// A last line longer than the kept output, ending like a URL.
		os.Stdout.WriteString("garbage " + strings.Repeat("y", 2<<20) + " " + os.Getenv(EnvRedirectURI) + "?code=x&state=y\n")
		return 0
	}
	return 0
}

// Values the leak mode reveals: a code, a token-like word, a refresh token under its name.
const (
	leakedCode    = "lk-code-7Hq2Zp9XwY4vB1nM"
	leakedToken   = "sess_9f8e7d6c5b4a3f2e1d0cBA"
	leakedRefresh = "rt-shortish-1"
)

func walk(t *testing.T, what string, timeout time.Duration, env ...string) (authorize.Landing, error, *transcript.Log) {
	t.Helper()
	for _, e := range append([]string{mode + "=1"}, env...) {
		k, v, _ := strings.Cut(e, "=")
		t.Setenv(k, v)
	}
	log := transcript.NewLog(transcript.NewRedactor(password))
	w := &Walker{Dir: t.TempDir(), Log: log, Login: config.Login{Username: "alice", Password: password,
		Command: []string{os.Args[0], "--tenant", "test", what}}}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	land, err := w.Walk(ctx, authorize.Route{
		AuthURL:     "https://op.example/authorize?client_id=app-a&scope=openid+offline_access&state=st4te",
		RedirectURI: "https://app.example/cb",
		Stop:        func(u *url.URL) bool { return u.Host == "app.example" },
	})
	return land, err, log
}

func TestCommandPrintsTheRedirect(t *testing.T) {
	land, err, log := walk(t, "ok", 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if land.Redirect == nil || land.Redirect.Query().Get("code") != "cmd-code-1" || land.Redirect.Query().Get("state") != "st4te" {
		t.Fatalf("landing %+v, want the printed redirect with code and state", land)
	}
	if strings.Contains(log.String(), "cmd-code-1") || strings.Contains(log.String(), password) {
		t.Errorf("transcript shows a secret:\n%s", log)
	}
}

func TestCommandEnvironmentAndFolder(t *testing.T) {
	dir := t.TempDir()
	seen := filepath.Join(t.TempDir(), "seen")
	t.Setenv(mode, "1")
	t.Setenv("SEENFILE", seen)
	// A relative argv[0] is resolved in the config's folder: copy the test binary there.
	bin, err := os.ReadFile(os.Args[0])
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "login"), bin, 0o755); err != nil {
		t.Fatal(err)
	}
	w := &Walker{Dir: dir, Log: transcript.NewLog(transcript.NewRedactor(password)),
		Login: config.Login{Password: password, Command: []string{"./login", "--tenant", "test", "ok"}}}
	land, err := w.Walk(context.Background(), authorize.Route{AuthURL: "https://op.example/a?client_id=c1&scope=openid+email&state=z",
		RedirectURI: "https://app.example/cb", Stop: func(*url.URL) bool { return true }})
	if err != nil || land.Redirect == nil {
		t.Fatalf("Walk: %v %+v", err, land)
	}
	raw, err := os.ReadFile(seen)
	if err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf(`client=c1 scope=openid email pw=true wd=%s args=["--tenant" "test" "ok"]`, dir)
	if string(raw) != want {
		t.Errorf("the command saw\n  %s\nwant\n  %s", raw, want)
	}
}

func TestCommandFailureQuotesStderrRedacted(t *testing.T) {
	_, err, _ := walk(t, "fail", 10*time.Second)
	if err == nil {
		t.Fatal("a non-zero exit must be an error")
	}
	msg := err.Error()
	for _, want := range []string{"exit status 3", "first line", "login failed for password"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error lacks %q: %s", want, msg)
		}
	}
	if strings.Contains(msg, password) {
		t.Errorf("error shows the password: %s", msg)
	}
	if strings.Contains(msg, "--tenant test fail") == false {
		t.Errorf("error does not name the command: %s", msg)
	}
}

func TestCommandWithoutURL(t *testing.T) {
	_, err, _ := walk(t, "nourl", 10*time.Second)
	if err == nil || !strings.Contains(err.Error(), `"done"`) || !strings.Contains(err.Error(), "not the URL") {
		t.Fatalf("got %v, want an error quoting the last line", err)
	}
}

func TestCommandTimeoutKillsTheProcessGroup(t *testing.T) {
	pidfile := filepath.Join(t.TempDir(), "pid")
	start := time.Now()
	_, err, _ := walk(t, "hang", 2*time.Second, "PIDFILE="+pidfile)
	if err == nil || !strings.Contains(err.Error(), "timeouts.login") || !strings.Contains(err.Error(), "waiting for a push approval") {
		t.Fatalf("got %v, want a timeout error with the stderr", err)
	}
	if took := time.Since(start); took > 6*time.Second {
		t.Errorf("the walk took %s after a 2s timeout", took)
	}
	raw, rerr := os.ReadFile(pidfile)
	if rerr != nil {
		t.Fatal(rerr)
	}
	pid, _ := strconv.Atoi(string(raw))
	// Killed and reaped by init, or a zombie: either way it no longer runs.
	deadline := time.Now().Add(2 * time.Second)
	for {
		stat, _ := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err := syscall.Kill(pid, 0); err != nil || strings.Contains(string(stat), ") Z ") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the grandchild %d still runs after the timeout", pid)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestCommandOutputIsLearntBeforeQuoted: a program that prints its code and tokens on standard
// error and then fails: the error quotes its standard error with every such value hidden.
func TestCommandOutputIsLearntBeforeQuoted(t *testing.T) {
	_, err, log := walk(t, "leak", 10*time.Second)
	if err == nil {
		t.Fatal("a non-zero exit must be an error")
	}
	msg := err.Error() + log.String()
	if !strings.Contains(msg, "debug: got code") {
		t.Fatalf("the error does not quote the standard error: %s", msg)
	}
	for _, secret := range []string{leakedCode, leakedToken, leakedRefresh} {
		if strings.Contains(msg, secret) {
			t.Errorf("the message shows %q:\n%s", secret, msg)
		}
	}
}

// alive reports whether the process whose pid the fake command wrote to pidfile still runs.
func alive(t *testing.T, pidfile string) bool {
	t.Helper()
	raw, err := os.ReadFile(pidfile)
	if err != nil {
		t.Fatal(err)
	}
	pid, _ := strconv.Atoi(string(raw))
	deadline := time.Now().Add(2 * time.Second)
	for {
		stat, _ := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err := syscall.Kill(pid, 0); err != nil || strings.Contains(string(stat), ") Z ") {
			return false
		}
		if time.Now().After(deadline) {
			return true
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestCommandLeavesNoProcesses: after a successful login, a child the program left in the
// background is gone, and a child that holds its standard output does not keep the URL from being
// read (the walk would otherwise run into its 10 s timeout).
func TestCommandLeavesNoProcesses(t *testing.T) {
	for _, what := range []string{"background", "holdout"} {
		t.Run(what, func(t *testing.T) {
			pidfile := filepath.Join(t.TempDir(), "pid")
			land, err, _ := walk(t, what, 10*time.Second, "PIDFILE="+pidfile)
			if err != nil || land.Redirect == nil || land.Redirect.Query().Get("code") != "cmd-code-1" {
				t.Fatalf("Walk = %+v, %v; want the printed URL", land, err)
			}
			if alive(t, pidfile) {
				t.Error("the program's child still runs after the login")
			}
		})
	}
}

// TestCommandLandingsThroughFlow: what the command prints is judged like any driver's landing. An
// error page's URL (the contract's answer when the provider does not redirect) is an error page
// the authorization endpoint scenarios accept as a refusal, with the command's standard error as
// what it saw; a page on a host neither the provider's nor in login.hosts ends the flow there,
// naming the host and the key.
func TestCommandLandingsThroughFlow(t *testing.T) {
	cases := []struct {
		name, page string
		hosts      []string
		want       authorize.Ending
		says       []string
	}{
		{name: "an error page on the provider", page: "https://op.example/error?id=7", want: authorize.EndedOnPage,
			says: []string{"https://op.example/error?id=7", "redirect_uri is not registered"}},
		{name: "an error page on a host login.hosts names", page: "https://login.example:8443/oops",
			hosts: []string{"login.example:8443"}, want: authorize.EndedOnPage, says: []string{"login.example:8443/oops"}},
		{name: "a page on another host", page: "https://login.example:8443/oops", want: authorize.EndedElsewhere,
			says: []string{"host login.example:8443", "login.hosts"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv(mode, "1")
			t.Setenv("PAGE_URL", tc.page)
			log := transcript.NewLog(transcript.NewRedactor(password))
			login := config.Login{Password: password, Hosts: tc.hosts, Command: []string{os.Args[0], "errorpage"}}
			d := &authorize.Driver{Endpoint: "https://op.example/authorize", Login: login, Timeout: 10 * time.Second, Log: log,
				Walker: &Walker{Login: login, Log: log}}
			o, err := d.Flow(context.Background(), authorize.Request{Client: &config.Client{ClientID: "app-a",
				RedirectURIs: []string{"https://app.example/cb"}}, Scope: "openid"})
			if err != nil {
				t.Fatalf("Flow: %v", err)
			}
			if o.Ending != tc.want {
				t.Fatalf("ending %s, want %s (%+v)", o.Ending, tc.want, o)
			}
			for _, want := range tc.says {
				if msg := o.Err().Error(); !strings.Contains(msg, want) {
					t.Errorf("%q does not say %q", msg, want)
				}
			}
		})
	}
}

// TestCommandOutputBeyondTheLimit: 3 MiB before the URL line still yields the URL (the end of the
// output is kept, and the transcript says how much was written); a last line longer than what is
// kept is named as such, never quoted as if it were the line.
func TestCommandOutputBeyondTheLimit(t *testing.T) {
	land, err, log := walk(t, "flood", 20*time.Second)
	if err != nil || land.Redirect == nil {
		t.Fatalf("flood: Walk = %+v, %v; want the URL of the last line", land, err)
	}
	if !strings.Contains(log.String(), "bytes of standard output; the last 1048576 were kept") {
		t.Errorf("the transcript does not say the output was cut:\n%s", log)
	}
	_, err, _ = walk(t, "longline", 20*time.Second)
	if err == nil || !strings.Contains(err.Error(), "its last line of standard output is longer than the 1048576 bytes grantcheck keeps") {
		t.Fatalf("longline: got %v, want the last line named as too long", err)
	}
	if len(err.Error()) > 1000 {
		t.Errorf("the error quotes %d bytes of output", len(err.Error()))
	}
}

// TestCommandOutputHeldOutsideTheGroup: a child in a session of its own keeps standard output
// open; the URL the program printed is still read (after the short grace), and the transcript says
// a process outside the group held the output.
func TestCommandOutputHeldOutsideTheGroup(t *testing.T) {
	pidfile := filepath.Join(t.TempDir(), "pid")
	land, err, log := walk(t, "escaped", 10*time.Second, "PIDFILE="+pidfile)
	if raw, rerr := os.ReadFile(pidfile); rerr == nil {
		pid, _ := strconv.Atoi(string(raw))
		defer syscall.Kill(pid, syscall.SIGKILL)
	}
	if err != nil || land.Redirect == nil || land.Redirect.Query().Get("code") != "cmd-code-1" {
		t.Fatalf("Walk = %+v, %v; want the printed URL", land, err)
	}
	if !strings.Contains(log.String(), "a process outside its process group still held its output") {
		t.Errorf("the transcript does not say who held the output:\n%s", log)
	}
}

// TestLandingURLIsLearntByName: the code and state of the URL a program prints are learnt by
// their names, so they are hidden wherever the program's other output later quotes them.
func TestLandingURLIsLearntByName(t *testing.T) {
	const code, state = "Q2hhbmdlZC1jb2RlLTEyMzQ1Njc4", "st4te-0f-the-fl0w-9f8e7d6c"
	red := transcript.NewRedactor()
	learnURL(red, "https://app.example/cb?code="+code+"&state="+state)
	got := red.Redact("debug: exchanged " + code + " for state " + state)
	if strings.Contains(got, code) || strings.Contains(got, state) {
		t.Errorf("the landing URL's code or state is still shown: %s", got)
	}
}
