// Package loopback starts the HTTP servers tests talk to: on 127.0.0.1 only, on a port the system
// picks, stopped when the test ends.
package loopback

import (
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
)

// Server serves h on 127.0.0.1 until t ends (httptest.NewServer may listen on [::1] too).
func Server(t testing.TB, h http.Handler) *httptest.Server {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &httptest.Server{Listener: l, Config: &http.Server{Handler: h}}
	srv.Start()
	t.Cleanup(srv.Close)
	return srv
}
