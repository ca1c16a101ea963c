package explain_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

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

// BenchmarkExplain200MBHAR: a 200 MB recording in three shapes a hostile or careless export
// takes, 600,000 small entries, 12,800 token requests with 16 KB headers (all kept: the bound on
// kept entries shows) and one 200 MB base64 body, each ending in the failing flow. It reports
// the heap's peak (sampled) as peak-heap-MB; the bar is 100 MB whatever the size (issue 16 item
// 10). The file is generated in the benchmark's temporary folder, never committed.
//
//	go test ./harness/explain -run '^$' -bench Explain200MB -benchtime 1x
func BenchmarkExplain200MBHAR(b *testing.B) {
	flow := flowEntries(b)
	for _, shape := range []struct {
		name  string
		write func(w *bufio.Writer)
	}{
		{"600k-small-entries", func(w *bufio.Writer) {
			for i := range 600_000 {
				fmt.Fprintf(w, `{"startedDateTime":"2026-12-01T20:00:00.000Z","time":1,"request":{"method":"GET","url":"https://app-a.example/static/%07d.js","headers":[{"name":"Accept","value":"*/*"}]},"response":{"status":200,"headers":[{"name":"Content-Type","value":"text/javascript"}],"content":{"text":"%s"}}},`, i, strings.Repeat("x", 130))
			}
		}},
		{"12k-token-requests-16KB-headers", func(w *bufio.Writer) {
			big := strings.Repeat("h", 16<<10)
			for i := range 12_800 {
				fmt.Fprintf(w, `{"startedDateTime":"2026-12-01T19:00:00.000Z","time":1,"request":{"method":"POST","url":"https://id.example/token","headers":[{"name":"X-Pad","value":"%s"}],"postData":{"mimeType":"application/x-www-form-urlencoded","text":"grant_type=authorization_code&code=other-%07d"}},"response":{"status":200,"headers":[],"content":{"text":"{}"}}},`, big, i)
			}
		}},
		{"one-200MB-base64-body", func(w *bufio.Writer) {
			w.WriteString(`{"startedDateTime":"2026-12-01T20:00:00.000Z","time":1,"request":{"method":"GET","url":"https://app-a.example/video.mp4","headers":[]},"response":{"status":200,"headers":[],"content":{"encoding":"base64","text":"`)
			chunk := strings.Repeat("QUJD", 1<<16)
			for range 200 << 20 / len(chunk) {
				w.WriteString(chunk)
			}
			w.WriteString(`"}}},`)
		}},
	} {
		b.Run(shape.name, func(b *testing.B) {
			path := filepath.Join(b.TempDir(), "big.har")
			f, err := os.Create(path)
			if err != nil {
				b.Fatal(err)
			}
			w := bufio.NewWriterSize(f, 1<<20)
			w.WriteString(`{"log":{"version":"1.2","entries":[`)
			shape.write(w)
			w.Write(flow)
			w.WriteString(`]}}`)
			if err := w.Flush(); err != nil {
				b.Fatal(err)
			}
			st, _ := f.Stat()
			f.Close()
			b.SetBytes(st.Size())
			for b.Loop() {
				peak := heapPeak(func() {
					f, err := os.Open(path)
					if err != nil {
						b.Fatal(err)
					}
					defer f.Close()
					in, err := explain.ReadHAR(f)
					if err != nil {
						b.Fatal(err)
					}
					if rep := explain.Diagnose(in, nil); rep.Causes[0].ID != explain.RedirectURIMismatch {
						b.Fatalf("diagnosed %s", rep.Causes[0].ID)
					}
				})
				b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
			}
		})
	}
}

// flowEntries are the recorded failing flow's entries as JSON, comma-separated.
func flowEntries(tb testing.TB) []byte {
	raw, err := os.ReadFile(filepath.Join("testdata", "cases", "redirect-uri-mismatch", "flow.har"))
	if err != nil {
		tb.Fatal(err)
	}
	var doc struct {
		Log struct {
			Entries []json.RawMessage `json:"entries"`
		} `json:"log"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		tb.Fatal(err)
	}
	var parts [][]byte
	for _, e := range doc.Log.Entries {
		parts = append(parts, e)
	}
	return bytes.Join(parts, []byte(","))
}

// heapPeak runs f and samples the heap in use meanwhile, returning the most seen.
func heapPeak(f func()) uint64 {
	runtime.GC()
	var peak atomic.Uint64
	done := make(chan struct{})
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		var m runtime.MemStats
		for {
			runtime.ReadMemStats(&m)
			if m.HeapInuse > peak.Load() {
				peak.Store(m.HeapInuse)
			}
			select {
			case <-done:
				return
			case <-time.After(5 * time.Millisecond):
			}
		}
	}()
	f()
	close(done)
	<-stopped
	return peak.Load()
}
