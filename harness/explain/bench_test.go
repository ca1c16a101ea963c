package explain_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/grantcheck/grantcheck/harness/explain"
)

// fiveMB is a recorded failing flow padded with page assets to 5 MB, as a browser export of a
// real login page is: the exchange to explain is a few entries among many large ones.
func fiveMB(tb testing.TB) []byte {
	tb.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", "cases", "redirect-uri-mismatch", "flow.har"))
	if err != nil {
		tb.Fatal(err)
	}
	var doc map[string]map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		tb.Fatal(err)
	}
	entries := doc["log"]["entries"].([]any)
	asset := strings.Repeat("x", 200<<10)
	var padded []any
	for i := 0; i < 26; i++ {
		padded = append(padded, map[string]any{"startedDateTime": "2026-12-01T20:00:00.000Z", "time": 3,
			"request":  map[string]any{"method": "GET", "url": fmt.Sprintf("https://app-a.example/static/%d.js", i), "headers": []any{}},
			"response": map[string]any{"status": 200, "headers": []any{}, "content": map[string]any{"text": asset}}})
	}
	doc["log"]["entries"] = append(padded, entries...)
	out, err := json.Marshal(doc)
	if err != nil {
		tb.Fatal(err)
	}
	return out
}

func explainHAR(tb testing.TB, b []byte) explain.Report {
	in, err := explain.ReadHAR(bytes.NewReader(b))
	if err != nil {
		tb.Fatal(err)
	}
	return explain.Diagnose(in, nil)
}

// BenchmarkExplain5MBHAR: the bar is 1 s and 100 MB for a 5 MB HAR (go test -bench Explain -benchmem).
func BenchmarkExplain5MBHAR(b *testing.B) {
	har := fiveMB(b)
	b.SetBytes(int64(len(har)))
	b.ReportAllocs()
	for b.Loop() {
		explainHAR(b, har)
	}
}

// A loose memory check, no timing: explaining a 5 MB HAR allocates well under 100 MB in total.
func TestExplain5MBHARMemory(t *testing.T) {
	har := fiveMB(t)
	if len(har) < 5<<20 {
		t.Fatalf("the padded HAR is only %d bytes", len(har))
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	rep := explainHAR(t, har)
	runtime.ReadMemStats(&after)
	if rep.Causes[0].ID != explain.RedirectURIMismatch {
		t.Errorf("padded HAR diagnosed %s", rep.Causes[0].ID)
	}
	if total := after.TotalAlloc - before.TotalAlloc; total > 100<<20 {
		t.Errorf("explaining a %d-byte HAR allocated %d MB", len(har), total>>20)
	}
}
