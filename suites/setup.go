// Package suites holds the Ginkgo specs, one per catalogue entry, grouped by family. A spec only
// wires the harness together. The suite runs from the grantcheck binary (Run) or from `go test`
// / `go tool ginkgo` (config from --config or GRANTCHECK_CONFIG; without one, against the
// embedded reference provider).
package suites

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"os"

	. "github.com/onsi/ginkgo/v2"
	"github.com/onsi/ginkgo/v2/types"

	"github.com/grantcheck/grantcheck/fixtures/reference"
	"github.com/grantcheck/grantcheck/harness"
	"github.com/grantcheck/grantcheck/harness/config"
)

// ConfigEnv names the configuration file when none is given on the command line.
const ConfigEnv = "GRANTCHECK_CONFIG"

// source is the configuration handed from Ginkgo process 1 to every process.
type source struct {
	Name string `json:"name"`
	YAML []byte `json:"yaml"`
}

var (
	// configPath is set by the test binary's --config flag.
	configPath string
	// embedded is the reference provider process 1 started when no configuration was given.
	embedded *reference.Server
	// afterSuite receives the merged report (set by Run, or by the test for report writing).
	afterSuite func(types.Report)
)

var _ = SynchronizedBeforeSuite(func(ctx SpecContext) []byte {
	if harness.Current() != nil {
		return nil // the grantcheck binary connected already
	}
	src, err := loadSource()
	if err != nil {
		Fail(err.Error())
	}
	data, err := json.Marshal(src)
	if err != nil {
		Fail(fmt.Sprintf("hand the configuration to the other processes: %v", err))
	}
	return data
}, func(ctx SpecContext, data []byte) {
	p := harness.Current()
	if p == nil {
		var src source
		if err := json.Unmarshal(data, &src); err != nil {
			Fail(fmt.Sprintf("read the configuration from process 1: %v", err))
		}
		cfg, err := config.Parse(src.Name, src.YAML, os.LookupEnv)
		if err != nil {
			Fail(err.Error())
		}
		p, err = harness.Connect(ctx, cfg)
		if err != nil {
			Fail(err.Error())
		}
		harness.Use(p)
		// A failed control makes the scenarios that need that role's codes ERROR with its reason.
		_ = p.Control(ctx)
	}
	harness.StartPrefetches(p, GinkgoLabelFilter())
})

var _ = SynchronizedAfterSuite(func() {}, func() {
	if embedded != nil {
		_ = embedded.Close()
		embedded = nil
	}
})

var _ = ReportAfterSuite("grantcheck reports", func(r Report) {
	if afterSuite != nil {
		afterSuite(r)
	}
})

// loadSource reads the configured file, or starts the embedded reference provider.
func loadSource() (source, error) {
	path := configPath
	if path == "" {
		path = os.Getenv(ConfigEnv)
	}
	if path != "" {
		data, err := os.ReadFile(path)
		if err != nil {
			return source{}, fmt.Errorf("load config: %w", err)
		}
		return source{Name: path, YAML: data}, nil
	}
	slog.SetDefault(slog.New(slog.DiscardHandler)) // the library's request logs: noise here
	srv, err := reference.Start(reference.Options{})
	if err != nil {
		return source{}, fmt.Errorf("start the embedded reference provider: %w", err)
	}
	embedded = srv
	return source{Name: "embedded reference provider", YAML: srv.ConfigYAML()}, nil
}
