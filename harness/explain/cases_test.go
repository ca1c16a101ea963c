package explain_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/grantcheck/grantcheck/harness/config"
	"github.com/grantcheck/grantcheck/harness/explain"
)

// The cases are real exchanges with the reference provider, recorded by
// `go run ./harness/explain/internal/gen`: a valid flow, then one mistake (or two, or none).
type caseMeta struct {
	Want   []string `yaml:"want"`
	Config string   `yaml:"config"`
}

func loadConfig(t *testing.T, path string) *config.Config {
	t.Helper()
	cfg, err := config.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// inputs are every input form a case directory holds, by name.
func inputs(t *testing.T, dir string) map[string]explain.Input {
	t.Helper()
	out := map[string]explain.Input{}
	if f, err := os.Open(filepath.Join(dir, "flow.har")); err == nil {
		in, err := explain.ReadHAR(f)
		f.Close()
		if err != nil {
			t.Fatalf("flow.har: %v", err)
		}
		out["har"] = in
	}
	authz, _ := os.ReadFile(filepath.Join(dir, "authorize.url"))
	resp, _ := os.ReadFile(filepath.Join(dir, "response.http"))
	for _, name := range []string{"token.curl", "token-typed.curl", "token.http"} {
		req, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			continue
		}
		in, err := explain.ReadRequest(strings.TrimSpace(string(authz)), req, resp)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		out[name] = in
	}
	return out
}

// Each cause is diagnosed first on its own case; controls answer none and nothing else. The
// reference provider's cases and node-oidc-provider's are recorded the same way.
func TestRecordedCases(t *testing.T) {
	for _, p := range []struct{ name, root, config string }{
		{"reference", "testdata", "reference.yaml"},
		{"node-oidc-provider", filepath.Join("testdata", "node-oidc-provider"), "config.yaml"},
	} {
		t.Run(p.name, func(t *testing.T) { recordedCases(t, p.root, loadConfig(t, filepath.Join(p.root, p.config))) })
	}
}

func recordedCases(t *testing.T, root string, cfg *config.Config) {
	dirs, err := filepath.Glob(filepath.Join(root, "cases", "*"))
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no cases in %s/cases (run go run ./harness/explain/internal/gen): %v", root, err)
	}
	firstOn := map[string]bool{}
	for _, dir := range dirs {
		raw, err := os.ReadFile(filepath.Join(dir, "case.yaml"))
		if err != nil {
			t.Fatal(err)
		}
		var meta caseMeta
		if err := yaml.Unmarshal(raw, &meta); err != nil {
			t.Fatalf("%s: %v", dir, err)
		}
		configs := map[string][]*config.Config{"yes": {cfg}, "no": {nil}, "both": {nil, cfg}}[meta.Config]
		if len(configs) == 0 {
			t.Fatalf("%s: config %q: want yes, no or both", dir, meta.Config)
		}
		for form, in := range inputs(t, dir) {
			for _, c := range configs {
				name := filepath.Base(dir) + "/" + form
				if c != nil {
					name += "+config"
				}
				t.Run(name, func(t *testing.T) {
					in.Config = c
					rep := explain.Diagnose(in, nil)
					var got []string
					for _, cause := range rep.Causes {
						got = append(got, cause.ID)
					}
					if !slices.Equal(got, meta.Want) {
						t.Fatalf("causes %v, want %v\n%s", got, meta.Want, text(t, rep))
					}
					assertNoSecret(t, in, c, rep)
					firstOn[got[0]] = true
				})
			}
		}
	}
	for _, id := range explain.StructuralCauseIDs {
		if !firstOn[id] {
			t.Errorf("no recorded case is diagnosed first as %s", id)
		}
	}
}

func text(t *testing.T, r explain.Report) string {
	var b bytes.Buffer
	if err := explain.WriteText(&b, r); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

var jsonSecret = regexp.MustCompile(`"(access_token|refresh_token|id_token)"\s*:\s*"([^"]+)"`)

// assertNoSecret: codes, verifiers, client secrets and tokens of the input appear in the
// report only as fingerprints.
func assertNoSecret(t *testing.T, in explain.Input, c *config.Config, rep explain.Report) {
	t.Helper()
	out, err := json.Marshal(rep)
	if err != nil {
		t.Fatal(err)
	}
	var secrets []string
	for _, tok := range append(in.Earlier, in.Token) {
		for _, k := range []string{"code", "code_verifier", "client_secret"} {
			secrets = append(secrets, tok.Form.Get(k))
		}
		if b, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(tok.Header.Get("Authorization"), "Basic ")); err == nil {
			_, secret, _ := strings.Cut(string(b), ":")
			secrets = append(secrets, secret)
		}
		if tok.Response != nil {
			for _, m := range jsonSecret.FindAllStringSubmatch(string(tok.Response.Body), -1) {
				secrets = append(secrets, m[2])
			}
		}
	}
	if in.Authorize != nil {
		secrets = append(secrets, in.Authorize.URL.Query().Get("code_challenge"))
	}
	if c != nil {
		secrets = append(secrets, c.Secrets()...)
	}
	for _, s := range secrets {
		if len(s) >= 4 && bytes.Contains(out, []byte(s)) {
			t.Errorf("the report shows a secret (%d characters) unredacted", len(s))
		}
	}
}
