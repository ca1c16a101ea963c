package rawhttp

import (
	"fmt"
	"strings"
	"testing"
)

func TestParseRequest(t *testing.T) {
	in := "POST /oauth/token?x=1 HTTP/1.1\nHost: id.example\nAuthorization: Basic YXBwLWE6czNjcmV0\n" +
		"Content-Type: application/x-www-form-urlencoded\nContent-Length: 3\n\ngrant_type=authorization_code&code=abc\n"
	r, err := ParseRequest([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	// A pasted Content-Length is often stale: the body as pasted counts.
	if r.Method != "POST" || r.URL != "https://id.example/oauth/token?x=1" || r.Body != "grant_type=authorization_code&code=abc" {
		t.Errorf("got %s %s %q", r.Method, r.URL, r.Body)
	}
	if r.Header.Get("Authorization") == "" {
		t.Error("Authorization lost")
	}
}

func TestParseResponse(t *testing.T) {
	for name, in := range map[string]string{
		"raw":       "HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\nDate: Tue, 01 Dec 2026 20:00:00 GMT\r\n\r\n{\"error\":\"invalid_grant\"}\r\n",
		"body only": "  {\"error\":\"invalid_grant\"}\n",
	} {
		t.Run(name, func(t *testing.T) {
			r, err := ParseResponse([]byte(in))
			if err != nil {
				t.Fatal(err)
			}
			if string(r.Body) != `{"error":"invalid_grant"}` {
				t.Errorf("body %q", r.Body)
			}
		})
	}
}

func TestHostile(t *testing.T) {
	for name, in := range map[string]string{
		"garbage":        "\x00\xff\xfe garbage \x01",
		"no host":        "POST /token HTTP/1.1\r\nContent-Type: x\r\n\r\nbody",
		"bad header":     "POST /token HTTP/1.1\r\nHost: a\r\nno colon here\r\n\r\n",
		"lower method":   "post /token HTTP/1.1\r\nHost: a\r\n\r\n",
		"response first": "HTTP/1.1 200 OK\r\n\r\n",
	} {
		t.Run(name, func(t *testing.T) {
			_, err := ParseRequest([]byte(in))
			if err == nil {
				t.Fatal("no error")
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("multi-line error %q", err)
			}
		})
	}
	if _, err := ParseResponse([]byte("\x00\x01binary")); err == nil || strings.Contains(err.Error(), "\n") {
		t.Errorf("response garbage: %v", err)
	}
	if _, err := ParseResponse([]byte("HTTP/1.1 abc\r\n\r\n")); err == nil {
		t.Error("bad status line accepted")
	}
}

// A response as a proxy or curl -i records it: interim 100 Continue, an HTTP/2 status line, a
// chunked body (with or without the \r of each line). The JSON inside is what explain reads.
func TestParseResponseAsRecorded(t *testing.T) {
	const want = `{"error":"invalid_client","error_description":"Invalid client or Invalid client credentials"}`
	chunked := func(eol string) string {
		return "Transfer-Encoding: chunked" + eol + eol + "1e" + eol + want[:30] + eol + fmt.Sprintf("%x", len(want)-30) + eol + want[30:] + eol + "0" + eol + eol
	}
	for name, in := range map[string]string{
		"chunked CRLF":    "HTTP/1.1 401 Unauthorized\r\nContent-Type: application/json\r\n" + chunked("\r\n"),
		"chunked LF":      "HTTP/1.1 401 Unauthorized\nContent-Type: application/json\n" + chunked("\n"),
		"100 then HTTP/2": "HTTP/1.1 100 Continue\r\n\r\nHTTP/2 401\r\ncontent-type: application/json\r\n\r\n" + want + "\r\n",
		"stale te, plain": "HTTP/1.1 401 Unauthorized\nTransfer-Encoding: chunked\n\n" + want + "\n",
	} {
		t.Run(name, func(t *testing.T) {
			r, err := ParseResponse([]byte(in))
			if err != nil {
				t.Fatal(err)
			}
			if r.Status != 401 || string(r.Body) != want {
				t.Errorf("status %d body %q", r.Status, r.Body)
			}
		})
	}
}
