// Package httpsessiontest gives tests the harness's recording client, built as in production.
package httpsessiontest

import (
	"testing"

	"github.com/go-resty/resty/v2"

	"github.com/grantcheck/grantcheck/harness/config"
	"github.com/grantcheck/grantcheck/harness/httpsession"
	"github.com/grantcheck/grantcheck/harness/transcript"
)

// Client returns a recording client with a 5 s request timeout and its transcript, whose redactor
// knows secrets. It is closed when the test ends.
func Client(t testing.TB, secrets ...string) (*resty.Client, *transcript.Log) {
	t.Helper()
	cfg, err := config.Parse("test.yaml", []byte(`provider:
  issuer: http://127.0.0.1
clients:
  public: {client_id: spa, redirect_uris: ["https://spa.example/cb"]}
timeouts:
  request: 5s
`), func(string) (string, bool) { return "", false })
	if err != nil {
		t.Fatal(err)
	}
	base, err := httpsession.NewBase(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(base.Close)
	log := transcript.NewLog(transcript.NewRedactor(secrets...))
	return base.New(log, false), log
}
