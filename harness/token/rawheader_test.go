package token

import (
	"context"
	"testing"
)

// AuthRawHeader sends the header unchanged and adds no body credentials.
func TestAuthRawHeader(t *testing.T) {
	ep := newEndpoint(t, 401, `{"error":"invalid_client"}`)
	c, log := client(t)
	resp, err := New(c, log, ep.URL, "malformed Basic").Set("grant_type", "authorization_code").
		Authenticate(Auth{Method: AuthRawHeader, Header: "Basic %%%"}).Send(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	s := ep.Last()
	if s.Authorization != "Basic %%%" {
		t.Errorf("Authorization = %q, want it unchanged", s.Authorization)
	}
	if f := s.form(t); f.Has("client_id") || f.Has("client_secret") {
		t.Errorf("body %q carries client credentials", s.Body)
	}
	if !resp.UsedBasic {
		t.Error("UsedBasic = false for a Basic header")
	}
}
