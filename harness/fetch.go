package harness

import (
	"github.com/grantcheck/grantcheck/harness/token"
)

// Fetch GETs a document of the provider (jwks_uri) through the recording client; a transport
// failure is ERROR.
func (r *Run) Fetch(url, step string) *token.Response {
	return r.Send(token.New(r.http, r.Log, url, step).AsGET())
}
