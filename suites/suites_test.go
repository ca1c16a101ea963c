package suites

import (
	"flag"
	"os"
	"testing"

	. "github.com/onsi/ginkgo/v2"
	"github.com/onsi/ginkgo/v2/types"
	. "github.com/onsi/gomega"

	"github.com/grantcheck/grantcheck/harness"
	"github.com/grantcheck/grantcheck/reports"
)

var (
	configFlag  = flag.String("config", "", "grantcheck configuration file (default $GRANTCHECK_CONFIG, else the embedded reference provider)")
	reportsFlag = flag.String("reports", "", "folder for grantcheck's reports (results.json, junit.xml, report.md, report.html)")
	strictFlag  = flag.Bool("strict", false, "SHOULD-level findings fail instead of warn")
)

func TestSuites(t *testing.T) {
	configPath = *configFlag
	harness.SetStrict(*strictFlag)
	afterSuite = func(r types.Report) {
		run := reports.FromGinkgo(r, reports.Meta{Strict: *strictFlag, ConfigFile: configPath})
		_ = reports.WriteSummary(os.Stdout, run)
		if *reportsFlag != "" {
			if _, err := reports.WriteAll(*reportsFlag, run); err != nil {
				t.Errorf("write reports: %v", err)
			}
		}
	}
	RegisterFailHandler(Fail)
	RunSpecs(t, "grantcheck")
}
