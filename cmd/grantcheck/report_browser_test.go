package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/grantcheck/grantcheck/harness/verdict"
)

// artifactDir keeps the screenshots a person looks at (git-ignored, under out/).
const artifactDir = "../../out/test-artifacts"

// chromiumPath finds the browser the login driver uses; "" when none is installed.
func chromiumPath() string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// TestHTMLReportWithErrorHTMLFault runs the suite against the error-html fault and checks the
// report a person reads: fewer findings than failing scenarios, each with why, fix and a curl;
// then opens report.html in headless Chromium with no network, checks that the outcome renders,
// that a transcript expands and the filters work, and keeps screenshots (light, dark, phone).
func TestHTMLReportWithErrorHTMLFault(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the whole suite")
	}
	t.Parallel()
	c := runChild(t, "--code-ttl", selfTestTTL, "--fault", "error-html")
	run := c.run
	failing := run.Totals[verdict.Fail] + run.Totals[verdict.Warn]
	if len(run.Findings) == 0 || len(run.Findings) >= failing {
		t.Errorf("%d findings for %d failing scenarios: a shared defect must be one finding", len(run.Findings), failing)
	}
	for _, f := range run.Findings {
		if f.Why == "" || f.Fix == "" || !strings.Contains(f.Reproduce, "curl ") {
			t.Errorf("%s %q lacks why, fix or a curl reproduction: %+v", f.ID, f.Title, f)
		}
	}
	if !strings.Contains(c.output, "F1 ") || strings.Index(c.output, "F1 ") > strings.Index(c.output, "baseline-exchange") {
		t.Errorf("the console summary does not show the findings first:\n%s", c.output)
	}

	browser := chromiumPath()
	if browser == "" {
		t.Skip("no chromium binary on PATH (chromium, chromium-browser, google-chrome): the browser check needs one")
	}
	page, err := filepath.Abs(filepath.Join(c.dir, "report.html"))
	if err != nil {
		t.Fatal(err)
	}
	if info, err := os.Stat(page); err != nil || info.Size() > 4<<20 {
		t.Fatalf("report.html: %v (size %d)", err, info.Size())
	}
	alloc, cancel := chromedp.NewExecAllocator(t.Context(),
		chromedp.ExecPath(browser), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1200, 900))
	defer cancel()
	ctx, cancel := chromedp.NewContext(alloc)
	defer cancel()
	ctx, cancel = context.WithTimeout(ctx, 60*time.Second)
	defer cancel()

	// The page is self-contained: it loads nothing but itself.
	var mu sync.Mutex
	var fetched []string
	if err := chromedp.Listen(ctx, func(ev any) {
		if e, ok := ev.(*network.EventRequestWillBeSent); ok && !strings.HasPrefix(e.Request.URL, "file:") {
			mu.Lock()
			fetched = append(fetched, e.Request.URL)
			mu.Unlock()
		}
	}); err != nil {
		t.Fatalf("start chromium (%s): %v", browser, err)
	}
	if _, err := chromedp.Call(ctx, network.Enable, network.EnableParams{}); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate("file://"+page), chromedp.WaitVisible(chromedp.CSS("#outcome"))); err != nil {
		t.Fatalf("open %s: %v", page, err)
	}
	outcome, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#outcome .word")))
	if err != nil || strings.TrimSpace(outcome) != string(run.Outcome) {
		t.Errorf("outcome shown %q (%v), want %q", outcome, err, run.Outcome)
	}
	shown, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("section.finding").length`))
	if err != nil || shown != len(run.Findings) {
		t.Errorf("%d findings rendered (%v), want %d", shown, err, len(run.Findings))
	}
	shoot(t, ctx, "report-light.png")

	// Open a failing scenario, then its transcript: collapsed until clicked.
	id := run.Findings[0].Scenarios[0]
	sel := `details.scenario[id="s-` + id + `"]`
	closed, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`!document.querySelector('`+sel+` details.exchange').open`))
	if err != nil || !closed {
		t.Errorf("the transcript of %s is open before a click (%v)", id, err)
	}
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(sel+" > summary")),
		chromedp.Click(chromedp.CSS(sel+" details.exchange > summary")),
		chromedp.WaitVisible(chromedp.CSS(sel+" details.exchange pre"))); err != nil {
		t.Fatalf("expand the transcript of %s: %v", id, err)
	}
	text, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel+" details.exchange pre")))
	if err != nil || !strings.Contains(text, "text/html") {
		t.Errorf("the expanded transcript shows %.200q (%v)", text, err)
	}
	if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](`document.querySelector('`+sel+`').scrollIntoView()`)); err != nil {
		t.Fatal(err)
	}
	shoot(t, ctx, "report-expanded.png")

	// The result filter leaves only the scenarios with that result.
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`.filters button[data-result="PASS"]`))); err != nil {
		t.Fatal(err)
	}
	visible, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("details.scenario:not([hidden])").length`))
	if err != nil || visible != run.Totals[verdict.Pass] {
		t.Errorf("the PASS filter shows %d scenarios (%v), want %d", visible, err, run.Totals[verdict.Pass])
	}
	if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](`document.getElementById("scenarios").scrollIntoView()`)); err != nil {
		t.Fatal(err)
	}
	shoot(t, ctx, "report-filtered.png")
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`.filters button[data-result=""]`)),
		chromedp.Evaluate[chromedp.Void](`window.scrollTo(0, 0)`)); err != nil {
		t.Fatal(err)
	}

	// Dark theme and a phone's width.
	if _, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
		Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: "dark"}}}); err != nil {
		t.Fatal(err)
	}
	bg, err := chromedp.Run(ctx, chromedp.Evaluate[string](`getComputedStyle(document.body).backgroundColor`))
	if err != nil || bg == "rgb(255, 255, 255)" {
		t.Errorf("dark theme background is %q (%v)", bg, err)
	}
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile, chromedp.EmulateScale(2))); err != nil {
		t.Fatal(err)
	}
	overflow, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth + 1`))
	if err != nil || overflow {
		t.Errorf("the page is wider than a phone's screen (%v)", err)
	}
	shoot(t, ctx, "report-phone-dark.png")

	mu.Lock()
	defer mu.Unlock()
	if len(fetched) > 0 {
		t.Errorf("report.html loaded from the network: %v", fetched)
	}
}

// shoot saves a screenshot of the viewport as a test artifact.
func shoot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Errorf("screenshot %s: %v", name, err)
		return
	}
	if err := os.MkdirAll(artifactDir, 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(artifactDir, name)
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s", path)
}
