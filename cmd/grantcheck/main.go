// Command grantcheck runs the conformance suite against an OpenID Connect / OAuth 2.0 provider:
// by default against the embedded reference provider, with --config against any provider.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/debug"
)

// Exit codes: what CI branches on.
const (
	exitConformant    = 0
	exitNotConformant = 1 // not conformant (a FAIL) or incomplete (a MUST skipped, an ERROR, nothing tested)
	exitUsage         = 2 // bad flags, bad configuration, provider unreachable
)

func main() { os.Exit(Main(os.Args[1:], os.Stdout, os.Stderr)) }

// Main is the whole command, separate from os.Exit so the self-test can run it in-process.
func Main(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return exitUsage
	}
	cmd, rest := args[0], args[1:]
	var err error
	code := exitConformant
	switch cmd {
	case "run":
		code, err = runCmd(rest, stdout, stderr)
	case "audit":
		code, err = auditCmd(rest, stdout, stderr)
	case "merge":
		code, err = mergeCmd(rest, stdout, stderr)
	case "list":
		err = listCmd(rest, stdout)
	case "reference":
		err = referenceCmd(rest, stdout, stderr)
	case "faults":
		err = faultsCmd(rest, stdout)
	case "explain":
		code, err = explainCmd(rest, os.Stdin, stdout, stderr)
	case "version":
		fmt.Fprintln(stdout, "grantcheck", version())
	case "help", "-h", "--help":
		usage(stdout)
	default:
		fmt.Fprintf(stderr, "grantcheck: unknown command %q\n", cmd)
		usage(stderr)
		return exitUsage
	}
	if err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintf(stderr, "grantcheck: %v\n", err)
		}
		return exitUsage
	}
	return code
}

func usage(w io.Writer) {
	fmt.Fprint(w, `grantcheck — conformance suite for OAuth 2.0 / OpenID Connect token endpoints

Usage:
  grantcheck run [--config FILE] [flags]   run the suite (no --config: against the embedded reference provider)
  grantcheck audit [--config FILE] [--jobs N] [--shard K/N|auto] [flags]
                                           check every client of audit.clients enforces its registration
  grantcheck merge [--reports DIR] results.json...
                                           one report set from the results of shards (or of several runs)
  grantcheck list [--format text|json|markdown]
                                           print the scenario catalogue (ID, level, spec references)
  grantcheck reference [--port N] [--fault NAME] [--code-ttl D] [--login form|js]
                                           serve the reference provider and print a config for it
  grantcheck faults                        list the reference provider's faults and what each breaks
  grantcheck explain --har FILE | --authorize-url URL --token-request FILE|- [--response FILE]
                     [--config FILE [--probe]] [--format text|json]
                                           say why one token request failed (offline unless --probe)
  grantcheck version

Run "grantcheck run -h" for the run flags. Exit status: 0 conformant, 1 a FAIL or ERROR, 2 usage or setup error.
`)
}

func version() string {
	if info, ok := debug.ReadBuildInfo(); ok && info.Main.Version != "" && info.Main.Version != "(devel)" {
		return info.Main.Version
	}
	return "dev"
}
