package rawhttp

import (
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
