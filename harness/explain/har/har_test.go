package har

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

const minimal = `{"log":{"version":"1.2","creator":{"name":"t","version":"1"},"entries":[
 {"startedDateTime":"2026-12-01T20:00:00.123Z","time":12.5,
  "request":{"method":"POST","url":"https://id.example/token","headers":[{"name":"content-type","value":"application/x-www-form-urlencoded"},{"name":":authority","value":"id.example"}],
   "postData":{"mimeType":"application/x-www-form-urlencoded","params":[{"name":"grant_type","value":"authorization_code"},{"name":"code","value":"abc"}]}},
  "response":{"status":400,"headers":[{"name":"Date","value":"Tue, 01 Dec 2026 20:00:00 GMT"}],"content":{"text":"eyJlcnJvciI6ImludmFsaWRfZ3JhbnQifQ==","encoding":"base64"}}}]}}`

func TestReadMinimal(t *testing.T) {
	log, err := Read(strings.NewReader(minimal))
	if err != nil {
		t.Fatal(err)
	}
	if len(log.Entries) != 1 {
		t.Fatalf("%d entries", len(log.Entries))
	}
	e := log.Entries[0]
	if e.Body != "grant_type=authorization_code&code=abc" || string(e.RespBody()) != `{"error":"invalid_grant"}` ||
		e.Status != 400 || e.Header.Get(":authority") != "" || e.Started.Nanosecond() != 123e6 {
		t.Errorf("entry read wrong: %+v", e)
	}
}

// Broken input gives one line saying where, never a panic.
func TestReadHostile(t *testing.T) {
	garbage := make([]byte, 4096)
	_, _ = rand.Read(garbage)
	cases := []struct {
		name string
		in   []byte
		want string
	}{
		{"binary garbage", append([]byte{0xff, 0x00}, garbage...), "not a HAR file"},
		{"empty", nil, "ends early"},
		{"JSON array", []byte(`[1,2]`), "not a JSON object"},
		{"no log", []byte(`{"other":{}}`), `no "log" object`},
		{"truncated", []byte(minimal[:300]), "ends early"},
		{"entries not an array", []byte(`{"log":{"entries":{}}}`), "expected"},
		{"bad time", []byte(`{"log":{"entries":[{"startedDateTime":"yesterday"}]}}`), "entry 0: startedDateTime"},
		{"wrong type", []byte(`{"log":{"entries":[{"request":{"method":7}}]}}`), "entry 0"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Read(bytes.NewReader(c.in))
			if err == nil {
				t.Fatal("no error")
			}
			if !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "\n") {
				t.Errorf("error %q: want one line containing %q", err, c.want)
			}
		})
	}
}

// bigHAR streams a HAR of n entries, each with a response body of size bytes (a page asset).
func bigHAR(n, size int) io.Reader {
	pr, pw := io.Pipe()
	go func() {
		body := strings.Repeat("A", size)
		fmt.Fprint(pw, `{"log":{"version":"1.2","entries":[`)
		for i := 0; i < n; i++ {
			if i > 0 {
				fmt.Fprint(pw, ",")
			}
			fmt.Fprintf(pw, `{"startedDateTime":"2026-12-01T20:00:00Z","time":1,"request":{"method":"GET","url":"https://app.example/asset/%d.js","headers":[]},"response":{"status":200,"headers":[],"content":{"text":%q}}}`, i, body)
		}
		fmt.Fprint(pw, `]}}`)
		pw.Close()
	}()
	return pr
}

// A 50 MB recording is read entry by entry: its asset bodies are dropped, not kept.
func TestRead50MB(t *testing.T) {
	log, err := Read(bigHAR(50, 1<<20))
	if err != nil {
		t.Fatal(err)
	}
	if len(log.Entries) != 50 {
		t.Fatalf("%d entries", len(log.Entries))
	}
	for _, e := range log.Entries {
		if len(e.RespBody()) != 0 || !e.Dropped {
			t.Fatalf("a 1 MiB body was kept (%d bytes)", len(e.RespBody()))
		}
	}
}

func FuzzRead(f *testing.F) {
	f.Add([]byte(minimal))
	f.Add([]byte(`{"log":{"entries":[{}]}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		if _, err := Read(bytes.NewReader(b)); err != nil && strings.Contains(err.Error(), "\n") {
			t.Errorf("multi-line error %q", err)
		}
	})
}

// Valid JSON nested deeper than MaxDepth is reported as that, wherever it sits, not as invalid.
func TestReadTooDeep(t *testing.T) {
	deep := strings.Repeat("[", MaxDepth+5) + strings.Repeat("]", MaxDepth+5)
	for name, doc := range map[string]string{
		"in an entry":          `{"log":{"entries":[{"request":{"x":` + deep + `}}]}}`,
		"beside the log":       `{"other":` + deep + `,"log":{"entries":[]}}`,
		"in the log's creator": `{"log":{"creator":{"comment":` + deep + `},"entries":[]}}`,
	} {
		t.Run(name, func(t *testing.T) {
			_, err := Read(strings.NewReader(doc))
			if err == nil || !strings.Contains(err.Error(), "nested deeper than") {
				t.Fatalf("error %v, want one saying the JSON nests too deep", err)
			}
		})
	}
}

// Strings are decoded exactly, escapes split across the reader's buffer included; a body over
// the bound is read past and dropped, the entries after it still read.
func TestReadStrings(t *testing.T) {
	tricky := strings.Repeat(`a"b\c/d`+"\u00e9\u2028\t", 5000) // ~60 KB decoded, more escaped
	entry := func(text string) map[string]any {
		return map[string]any{"request": map[string]any{"method": "GET", "url": "https://x.example/?q=\"\\"},
			"response": map[string]any{"status": 200, "content": map[string]any{"text": text}}}
	}
	doc, err := json.Marshal(map[string]any{"log": map[string]any{"entries": []any{
		entry(tricky), entry(strings.Repeat(`\"`, MaxKeptBody)), entry("after")}}})
	if err != nil {
		t.Fatal(err)
	}
	log, err := Read(bytes.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	if len(log.Entries) != 3 {
		t.Fatalf("%d entries", len(log.Entries))
	}
	if got := string(log.Entries[0].RespBody()); got != tricky || log.Entries[0].URL != "https://x.example/?q=\"\\" {
		t.Errorf("decoded wrong: %d bytes of %d", len(got), len(tricky))
	}
	if !log.Entries[1].Dropped || log.Entries[1].RespBody() != nil {
		t.Error("an over-long body was kept")
	}
	if string(log.Entries[2].RespBody()) != "after" {
		t.Errorf("the entry after a dropped body read %q", log.Entries[2].RespBody())
	}
}

// A 20 MB body is read past, not held: scanning allocates a small fraction of the file.
func TestScanDoesNotHoldBodies(t *testing.T) {
	const size = 20 << 20
	path := filepath.Join(t.TempDir(), "big.har")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(f, bigHAR(1, size)); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	_, n, err := ScanEntries(f, func(*Entry) error { return nil })
	runtime.ReadMemStats(&after)
	if err != nil || n != 1 {
		t.Fatalf("%d entries, %v", n, err)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > size/8 {
		t.Errorf("scanning a %d MB body allocated %d MB", size>>20, alloc>>20)
	}
}

// response.cookies gives the names of the cookies a response set, never their values; a list
// that is not one (null) or holds other things is read past, not refused.
func TestCookieNames(t *testing.T) {
	entry := func(cookies string) string {
		return `{"log":{"entries":[{"request":{"method":"GET","url":"https://id.example/login","headers":[]},` +
			`"response":{"status":200,"headers":[],"cookies":` + cookies + `,"content":{}}}]}}`
	}
	for _, c := range []struct {
		name, cookies string
		want          []string
	}{
		{"names kept", `[{"name":"lemonldap","value":"S3CRET","httpOnly":true},{"value":"S3CRET2","name":"KC_RESTART"}]`, []string{"lemonldap", "KC_RESTART"}},
		{"null", `null`, nil},
		{"not objects", `[1, "x", null, {"name":"a"}]`, []string{"a"}},
		{"an over-long name is not kept", `[{"name":"` + strings.Repeat("n", 300) + `"}]`, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			log, err := Read(strings.NewReader(entry(c.cookies)))
			if err != nil {
				t.Fatal(err)
			}
			e := log.Entries[0]
			if fmt.Sprint(e.CookieNames) != fmt.Sprint(c.want) {
				t.Fatalf("names %q, want %q", e.CookieNames, c.want)
			}
			if strings.Contains(fmt.Sprintf("%#v", e), "S3CRET") {
				t.Fatalf("a cookie value is kept: %#v", e)
			}
		})
	}
	many := "[" + strings.TrimSuffix(strings.Repeat(`{"name":"c"},`, 100), ",") + "]"
	log, err := Read(strings.NewReader(entry(many)))
	if err != nil || len(log.Entries[0].CookieNames) != maxCookieNames {
		t.Fatalf("%v, %d names kept, want the bound %d", err, len(log.Entries[0].CookieNames), maxCookieNames)
	}
}
