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
	}
	return 0
}

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
