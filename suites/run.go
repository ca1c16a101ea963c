package suites

import (
	"io"

	"github.com/onsi/ginkgo/v2"
	"github.com/onsi/ginkgo/v2/formatter"
	"github.com/onsi/ginkgo/v2/types"
	"github.com/onsi/gomega"

	"github.com/grantcheck/grantcheck/harness"
)

// Options configure a run from the grantcheck binary.
type Options struct {
	// Provider is connected already (discovery done, control exchange run).
	Provider    *harness.Provider
	LabelFilter string
	Strict      bool
	Verbose     bool
	Seed        int64
	// GinkgoJSON and GinkgoJUnit are paths for Ginkgo's own reports ("" for none).
	GinkgoJSON, GinkgoJUnit string
	NoColor                 bool
	// Console receives Ginkgo's own console output (progress, failure dumps with transcripts);
	// nil is standard output. The grantcheck command sends it to a file: its summary says the same
	// in a form a person reads, and 60 failure dumps would bury it.
	Console io.Writer
}

// failRecorder is the GinkgoTestingT of a run outside `go test`.
type failRecorder struct{ failed bool }

func (f *failRecorder) Fail() { f.failed = true }

// Run runs the whole suite in this process and returns Ginkgo's report.
func Run(opts Options) types.Report {
	harness.Use(opts.Provider)
	harness.SetStrict(opts.Strict)
	// Prefetches start in the suite's setup, once the label filter below is in force.
	gomega.RegisterFailHandler(ginkgo.Fail)

	suiteCfg, reporterCfg := ginkgo.GinkgoConfiguration()
	suiteCfg.LabelFilter = opts.LabelFilter
	suiteCfg.RandomizeAllSpecs = true
	suiteCfg.RandomSeed = opts.Seed
	suiteCfg.FailOnEmpty = true
	suiteCfg.FailOnPending = true
	reporterCfg.NoColor = opts.NoColor
	reporterCfg.Succinct = !opts.Verbose
	reporterCfg.Verbose = opts.Verbose
	reporterCfg.JSONReport = opts.GinkgoJSON
	reporterCfg.JUnitReport = opts.GinkgoJUnit

	if opts.Console != nil {
		// Ginkgo's default reporter writes to this package variable; it is read when RunSpecs starts.
		prev := formatter.ColorableStdOut
		formatter.ColorableStdOut = opts.Console
		defer func() { formatter.ColorableStdOut = prev }()
	}
	var report types.Report
	afterSuite = func(r types.Report) { report = r }
	ginkgo.RunSpecs(&failRecorder{}, "grantcheck", suiteCfg, reporterCfg)
	return report
}
