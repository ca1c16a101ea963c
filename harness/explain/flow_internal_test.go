package explain

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/grantcheck/grantcheck/harness/explain/har"
)

// The flow signals a recording keeps are bounded whatever it holds, and hold names, not values.
func TestFlowSignsBounded(t *testing.T) {
	f := newFlowSigns()
	for h := range 500 {
		for i := range 100 {
			hdr := http.Header{"Content-Type": {"text/html"}}
			for c := range 10 {
				hdr.Add("Set-Cookie", fmt.Sprintf("c%d_%d=value-%d; Path=/", i, c, i))
			}
			hdr.Add("Set-Cookie", strings.Repeat("n", 65)+"=v") // longer than any table name: not kept
			hdr.Set("Location", fmt.Sprintf("https://to%d.example/", i))
			f.see(&har.Entry{Method: "GET", URL: fmt.Sprintf("https://h%d.example/p/%d?q=secret", h, i), Status: 302, RespHdr: hdr})
		}
	}
	// Assets that set nothing make no host.
	f.see(&har.Entry{Method: "GET", URL: "https://cdn.example/app.js", Status: 200, RespHdr: http.Header{"Content-Type": {"text/javascript"}}})
	if len(f.hosts) != maxFlowHosts {
		t.Fatalf("%d hosts kept, want the bound %d", len(f.hosts), maxFlowHosts)
	}
	for name, h := range f.hosts {
		if len(h.cookies) > maxFlowNames || len(h.paths) > maxFlowPaths || len(h.redirects) > maxFlowRedirects {
			t.Fatalf("%s keeps %d names, %d paths, %d redirects", name, len(h.cookies), len(h.paths), len(h.redirects))
		}
		for _, s := range append(append([]string{}, h.cookies...), h.paths...) {
			if strings.ContainsAny(s, "=?") || strings.Contains(s, "value") || strings.Contains(s, "secret") || len(s) > 64 {
				t.Fatalf("%s keeps %q: a value, a query or an over-long name", name, s)
			}
		}
	}
}
