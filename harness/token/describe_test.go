package token

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/grantcheck/grantcheck/harness/config"
)

// The request description a reproduction is built from holds no secret value: secret parameters
// become shell variables, and a secret learned under another name shows as its fingerprint.
func TestDescriptionHoldsNoSecret(t *testing.T) {
	e := newEndpoint(t, 400, `{"error":"invalid_grant"}`)
	const secret, code, verifier = "s3cret-client-value", "the-issued-code-value", "a-verifier-of-enough-length-0123456789abcdef"
	c, log := client(t, secret)
	log.Redactor.Learn("code", code)
	resp, err := New(c, log, e.URL, "redemption with a different redirect_uri").
		Authenticate(Auth{Method: config.AuthPost, ClientID: "app-b", Secret: secret}).
		Set("grant_type", "authorization_code").Set("code", code).
		Set("redirect_uri", "https://app.example/cb?echo="+code).
		Set("code_verifier", verifier).
		ObtainedBy("https://id.example/authorize?client_id=app-b&state=$STATE").
		Send(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	d := resp.Request
	if d == nil {
		t.Fatal("no request description on the response")
	}
	raw, _ := json.Marshal(d)
	for _, s := range []string{secret, code, verifier} {
		if strings.Contains(string(raw), s) {
			t.Errorf("description holds a secret (%.6q…): %s", s, raw)
		}
	}
	want := map[string]string{"grant_type": "authorization_code", "code": "$CODE", "code_verifier": "$CODE_VERIFIER",
		"client_id": "app-b", "client_secret": "$CLIENT_SECRET"}
	for _, p := range d.Params {
		got := p.Value
		if p.Env != "" {
			got = "$" + p.Env
		}
		if w, ok := want[p.Name]; ok && got != w {
			t.Errorf("%s = %q, want %q", p.Name, got, w)
		}
		if p.Name == "redirect_uri" && !strings.Contains(got, "‹code:") {
			t.Errorf("redirect_uri %q: a learned secret in another parameter is not fingerprinted", got)
		}
	}
	if d.Method != "POST" || d.URL != e.URL || d.Step != "redemption with a different redirect_uri" ||
		d.Authorize == "" || len(d.Params) != 6 {
		t.Errorf("description = %+v", d)
	}
}
