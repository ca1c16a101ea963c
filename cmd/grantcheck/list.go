package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/grantcheck/grantcheck/fixtures/reference"
	"github.com/grantcheck/grantcheck/harness/catalog"
)

func listCmd(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("list", flag.ContinueOnError)
	format := fs.String("format", "text", "text, json or markdown")
	if err := fs.Parse(args); err != nil {
		return err
	}
	switch *format {
	case "json":
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(catalog.All())
	case "markdown":
		fmt.Fprintln(stdout, "| ID | Level | References | What the suite checks |")
		fmt.Fprintln(stdout, "|---|---|---|---|")
		for _, e := range catalog.Entries() {
			fmt.Fprintf(stdout, "| `%s` | %s | %s | %s |\n", e.ID, e.Scenario.Level, e.Scenario.RefString(), e.Title())
		}
		return nil
	case "text":
		tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
		for _, e := range catalog.Entries() {
			fmt.Fprintf(tw, "%s\t%s\t%s\n", e.ID, e.Scenario.Level, e.Scenario.RefString())
		}
		return tw.Flush()
	}
	return fmt.Errorf("list --format %q: want text, json or markdown", *format)
}

func faultsCmd(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("faults", flag.ContinueOnError)
	if err := fs.Parse(args); err != nil {
		return err
	}
	for _, f := range reference.Faults() {
		fmt.Fprintf(stdout, "%s\n    %s\n", f.Name, f.Description)
		ids := make([]string, 0, len(f.Breaks))
		for id := range f.Breaks {
			ids = append(ids, id)
		}
		slices.Sort(ids)
		for _, id := range ids {
			fmt.Fprintf(stdout, "    breaks %-40s %s\n", id, f.Breaks[id])
		}
	}
	return nil
}

func referenceCmd(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("reference", flag.ContinueOnError)
	fs.SetOutput(stderr)
	port := fs.Int("port", 0, "port on 127.0.0.1 (0: any free port)")
	fault := fs.String("fault", "", "inject this fault (see grantcheck faults)")
	codeTTL := fs.Duration("code-ttl", 5*time.Second, "authorization code lifetime")
	if err := fs.Parse(args); err != nil {
		return err
	}
	srv, err := reference.Start(reference.Options{CodeTTL: *codeTTL, Fault: *fault, Port: *port})
	if err != nil {
		return err
	}
	defer srv.Close()
	stdout.Write(srv.ConfigYAML())
	fmt.Fprintf(stderr, "reference provider at %s%s; the config above runs the suite against it (grantcheck run --config FILE). Ctrl-C stops it.\n",
		srv.Issuer(), faultNote(*fault))
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, os.Interrupt, syscall.SIGTERM)
	<-stop
	return nil
}

func faultNote(f string) string {
	if f == "" {
		return ""
	}
	return " with fault " + strings.TrimSpace(f)
}
