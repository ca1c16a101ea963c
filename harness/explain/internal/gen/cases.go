package main

import (
	"time"

	"github.com/grantcheck/grantcheck/harness/config"
	"github.com/grantcheck/grantcheck/harness/pkce"
	"github.com/grantcheck/grantcheck/harness/token"
)

// flowCase is one recorded case: a code for role, then redeem's token requests; the last
// token request is the one explain must explain.
type flowCase struct {
	name string
	// want is the causes explain must name, in order; the first is the case's own.
	want []string
	// wantReference, when set, is want against the embedded reference: its answers (zitadel/oidc's
	// texts, in the provider table) name one cause, which then comes first (issue 17).
	wantReference []string
	// config: "yes" (the test passes reference.yaml), "no", or "both" (want holds either way).
	config string
	// forms are the inputs written: har, curl (as "Copy as cURL"), curl-typed (-u, -d), http (raw).
	forms  []string
	role   config.Role
	noPKCE bool
	// skewed sends the token requests to a provider node whose clock is ahead (clock-skew).
	skewed bool
	redeem func(f *flow) error
}

var (
	primary, secondary, public = config.Primary, config.Secondary, config.Public
	allForms                   = []string{"har", "curl", "curl-typed", "http"}
)

var cases = []flowCase{
	{name: "control-basic", want: []string{"none"}, config: "both", forms: allForms, role: primary,
		redeem: func(f *flow) error { return f.send(f.valid(primary)) }},
	{name: "control-post", want: []string{"none"}, config: "both", forms: []string{"har", "curl"}, role: secondary,
		redeem: func(f *flow) error { return f.send(f.valid(secondary)) }},
	{name: "control-public-pkce", want: []string{"none"}, config: "both", forms: []string{"har", "curl", "http"}, role: public,
		redeem: func(f *flow) error { return f.send(f.valid(public)) }},
	{name: "control-no-pkce", want: []string{"none"}, config: "both", forms: []string{"har", "curl-typed"}, role: primary, noPKCE: true,
		redeem: func(f *flow) error { return f.send(f.valid(primary)) }},

	{name: "code-reused", want: []string{"code-reused"}, config: "both", forms: []string{"har"}, role: primary,
		redeem: func(f *flow) error {
			if err := f.send(f.valid(primary)); err != nil {
				return err
			}
			return f.send(f.valid(primary))
		}},
	{name: "code-expired", want: []string{"code-expired"}, config: "yes", forms: []string{"har"}, role: primary,
		redeem: func(f *flow) error {
			time.Sleep(codeTTL + 1500*time.Millisecond)
			return f.send(f.valid(primary))
		}},
	{name: "clock-skew", want: []string{"clock-skew"}, config: "both", forms: []string{"har"}, role: primary, skewed: true,
		redeem: func(f *flow) error { return f.send(f.valid(primary)) }},
	{name: "redirect-uri-mismatch", want: []string{"redirect-uri-mismatch"}, config: "both", forms: []string{"har", "curl"}, role: primary,
		redeem: func(f *flow) error {
			return f.send(f.valid(primary).Set("redirect_uri", f.code.RedirectURI+"/"))
		}},
	{name: "redirect-uri-mismatch-encoded", want: []string{"redirect-uri-mismatch"}, config: "both", forms: []string{"curl-typed"}, role: primary,
		redeem: func(f *flow) error {
			return f.send(f.valid(primary).Set("redirect_uri", "https://app-a.example/c%62"))
		}},
	{name: "redirect-uri-missing", want: []string{"redirect-uri-missing"}, config: "both", forms: []string{"har", "curl"}, role: primary,
		redeem: func(f *flow) error { return f.send(f.valid(primary).Omit("redirect_uri")) }},
	{name: "pkce-verifier-mismatch", want: []string{"pkce-verifier-mismatch"}, config: "both", forms: []string{"har", "curl"}, role: public,
		redeem: func(f *flow) error {
			return f.send(f.valid(public).Set("code_verifier", pkce.New(pkce.S256).Value))
		}},
	{name: "pkce-verifier-missing", want: []string{"pkce-verifier-missing"}, config: "both", forms: []string{"har", "http"}, role: primary,
		redeem: func(f *flow) error { return f.send(f.valid(primary).Omit("code_verifier")) }},
	{name: "pkce-verifier-unexpected", want: []string{"pkce-verifier-unexpected"}, config: "both", forms: []string{"har", "curl"}, role: primary, noPKCE: true,
		redeem: func(f *flow) error {
			return f.send(f.valid(primary).Set("code_verifier", pkce.New(pkce.S256).Value))
		}},
	{name: "client-mismatch", want: []string{"client-mismatch"}, config: "both", forms: []string{"har", "curl"}, role: primary,
		redeem: func(f *flow) error {
			return f.send(f.valid(primary).Authenticate(token.AuthOf(f.g.cfg.Clients.Secondary)))
		}},
	{name: "client-authentication", want: []string{"client-authentication"}, config: "both", forms: []string{"har", "curl-typed"}, role: primary,
		redeem: func(f *flow) error {
			a := token.AuthOf(f.g.cfg.Clients.Primary)
			a.Secret = "not-the-registered-secret"
			return f.send(f.valid(primary).Authenticate(a))
		}},
	{name: "grant-type-not-allowed", want: []string{"grant-type-not-allowed"}, config: "both", forms: []string{"har", "curl-typed"}, role: primary,
		redeem: func(f *flow) error {
			if err := f.send(f.valid(primary)); err != nil {
				return err
			}
			return f.send(f.g.request(f, "client credentials").Authenticate(token.AuthOf(f.g.cfg.Clients.Primary)).
				Set("grant_type", "client_credentials").Set("scope", "openid"))
		}},

	{name: "two-redirect-mismatch-and-verifier-missing", want: []string{"redirect-uri-mismatch", "pkce-verifier-missing"},
		wantReference: []string{"pkce-verifier-missing", "redirect-uri-mismatch"}, // it says "code_verifier required"
		config:        "both", forms: []string{"har", "curl"}, role: primary,
		redeem: func(f *flow) error {
			return f.send(f.valid(primary).Set("redirect_uri", "http://app-a.example/cb").Omit("code_verifier"))
		}},
	{name: "two-verifier-mismatch-and-client-mismatch", want: []string{"pkce-verifier-mismatch", "client-mismatch"},
		config: "both", forms: []string{"har", "curl"}, role: public,
		redeem: func(f *flow) error {
			return f.send(f.valid(public).Authenticate(token.AuthOf(f.g.cfg.Clients.Secondary)).
				Set("code_verifier", pkce.New(pkce.S256).Value))
		}},
}
