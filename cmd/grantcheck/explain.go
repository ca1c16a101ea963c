package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/grantcheck/grantcheck/harness/config"
	"github.com/grantcheck/grantcheck/harness/explain"
	"github.com/grantcheck/grantcheck/harness/explain/answers"
	"github.com/grantcheck/grantcheck/harness/safetext"
	"github.com/grantcheck/grantcheck/harness/transcript"
)

// maxInput bounds a --token-request or --response file: a pasted request is a few kilobytes.
const maxInput = 4 << 20

// explainCmd names why one token request failed. Exit 0: no cause found; 1: at least one cause;
// 2: usage or unreadable input. An error quotes the input, so it leaves escaped like the report.
func explainCmd(args []string, stdin io.Reader, stdout, stderr io.Writer) (int, error) {
	code, err := explainRun(args, stdin, stdout, stderr)
	if err != nil {
		err = errors.New(safetext.Terminal(err.Error()))
	}
	return code, err
}

func explainRun(args []string, stdin io.Reader, stdout, stderr io.Writer) (int, error) {
	fs := flag.NewFlagSet("explain", flag.ContinueOnError)
	fs.SetOutput(stderr)
	harPath := fs.String("har", "", "HAR 1.2 file exported from the browser's developer tools (or a proxy)")
	authorizeURL := fs.String("authorize-url", "", "the authorization request URL (with --token-request)")
	tokenPath := fs.String("token-request", "", `the token request: a curl command line or raw HTTP/1.1, in a file ("-": standard input)`)
	responsePath := fs.String("response", "", `the provider's answer to the token request: raw HTTP or only the JSON body ("-": standard input); alone, it is enough to start`)
	providerSlug := fs.String("provider", "", "the provider, when explain does not recognise it: "+providerChoices())
	configPath := fs.String("config", "", "grantcheck configuration: compare with what the clients are registered for")
	probe := fs.Bool("probe", false, "with --config: reproduce against the provider with fresh codes, one changed parameter at a time")
	format := fs.String("format", "text", "output: text or json")
	if err := fs.Parse(args); err != nil {
		return exitUsage, err
	}
	if fs.NArg() > 0 {
		return exitUsage, fmt.Errorf("explain takes no arguments, got %q", fs.Args())
	}
	if *format != "text" && *format != "json" {
		return exitUsage, fmt.Errorf("explain: --format %q: want text or json", *format)
	}
	if *harPath != "" && *tokenPath != "" || *harPath == "" && *tokenPath == "" && *responsePath == "" {
		return exitUsage, errors.New("explain: give --har FILE, or --token-request FILE (with --authorize-url URL and --response FILE), or --response FILE alone")
	}
	if *harPath != "" && (*authorizeURL != "" || *responsePath != "") {
		return exitUsage, errors.New("explain: --authorize-url and --response go with --token-request, not --har")
	}
	if *probe && *configPath == "" {
		return exitUsage, errors.New("explain: --probe needs --config (it signs in and redeems codes as the configured clients)")
	}

	var in explain.Input
	var err error
	if *harPath != "" {
		in, err = readHAR(*harPath)
	} else {
		in, err = readRequest(*authorizeURL, *tokenPath, *responsePath, stdin)
	}
	if err != nil {
		return exitUsage, err
	}
	if *providerSlug != "" {
		if table, _ := answers.Load(); table == nil || table.BySlug(*providerSlug) == nil {
			return exitUsage, fmt.Errorf("explain: --provider %q: want one of %s", *providerSlug, providerChoices())
		}
		in.Provider = *providerSlug
	}
	var cfg *config.Config
	if *configPath != "" {
		if cfg, err = config.Load(*configPath); err != nil {
			return exitUsage, err
		}
		in.Config = cfg
	}
	var secrets []string
	if cfg != nil {
		secrets = cfg.Secrets()
	}
	red := transcript.NewRedactor(secrets...)
	report := explain.Diagnose(in, red)
	if *probe {
		ctx, cancel := context.WithTimeout(context.Background(), 4*(cfg.Timeouts.Login.D()+cfg.Timeouts.Request.D()))
		defer cancel()
		report, err = explain.Probe(ctx, cfg, in, report, red)
		if err != nil {
			return exitUsage, err
		}
	}
	if *format == "json" {
		err = explain.WriteJSON(stdout, report)
	} else {
		err = explain.WriteText(stdout, report)
	}
	if err != nil {
		return exitUsage, err
	}
	if report.Causes[0].ID == explain.None {
		return 0, nil
	}
	return 1, nil
}

// providerChoices lists the slugs --provider takes.
func providerChoices() string {
	table, _ := answers.Load()
	if table == nil {
		return "(the provider table does not load)"
	}
	return strings.Join(table.Slugs(), ", ")
}

func readHAR(path string) (explain.Input, error) {
	f, err := os.Open(path)
	if err != nil {
		return explain.Input{}, fmt.Errorf("--har: %w", err)
	}
	defer f.Close()
	in, err := explain.ReadHAR(f)
	if err != nil {
		return explain.Input{}, fmt.Errorf("--har %s: %w", path, err)
	}
	return in, nil
}

func readRequest(authorizeURL, tokenPath, responsePath string, stdin io.Reader) (explain.Input, error) {
	if tokenPath == "" {
		resp, err := readInput(responsePath, stdin)
		if err != nil {
			return explain.Input{}, fmt.Errorf("--response: %w", err)
		}
		in, err := explain.ReadResponse(authorizeURL, resp)
		if err != nil {
			return explain.Input{}, fmt.Errorf("--response %s: %w", responsePath, err)
		}
		return in, nil
	}
	text, err := readInput(tokenPath, stdin)
	if err != nil {
		return explain.Input{}, fmt.Errorf("--token-request: %w", err)
	}
	var resp []byte
	if responsePath != "" {
		if responsePath == "-" && tokenPath == "-" {
			return explain.Input{}, errors.New("explain: --token-request and --response cannot both read standard input")
		}
		if resp, err = readInput(responsePath, stdin); err != nil {
			return explain.Input{}, fmt.Errorf("--response: %w", err)
		}
	}
	in, err := explain.ReadRequest(authorizeURL, text, resp)
	var respErr *explain.ResponseError
	switch {
	case errors.As(err, &respErr):
		return explain.Input{}, fmt.Errorf("--response %s: %w", responsePath, err)
	case err != nil:
		return explain.Input{}, fmt.Errorf("--token-request %s: %w", tokenPath, err)
	}
	return in, nil
}

func readInput(path string, stdin io.Reader) ([]byte, error) {
	var r io.Reader
	if path == "-" {
		r = stdin
	} else {
		f, err := os.Open(path)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		r = f
	}
	b, err := io.ReadAll(io.LimitReader(r, maxInput+1))
	if err != nil {
		return nil, err
	}
	if len(b) > maxInput {
		return nil, fmt.Errorf("%s is larger than %d bytes; a token request is a few kilobytes", path, maxInput)
	}
	return b, nil
}
