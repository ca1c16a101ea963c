// Package loopback starts the HTTP servers tests talk to: on 127.0.0.1 only, on a port the system
// picks, stopped when the test ends.
package loopback

import (
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
)

// Server serves h on 127.0.0.1 until t ends (httptest.NewServer may listen on [::1] too).
func Server(t testing.TB, h http.Handler) *httptest.Server {
	t.Helper()
	srv := server(t, h)
	srv.Start()
	return srv
}

// TLSServer is Server over TLS, with httptest's own certificate (the client skips verifying it,
// or trusts srv.Client()'s pool). Handshake errors (a client that closes mid-handshake) are not
// logged.
func TLSServer(t testing.TB, h http.Handler) *httptest.Server {
	t.Helper()
	srv := server(t, h)
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.StartTLS()
	return srv
}

func server(t testing.TB, h http.Handler) *httptest.Server {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &httptest.Server{Listener: l, Config: &http.Server{Handler: h}}
	t.Cleanup(srv.Close)
	return srv
}
