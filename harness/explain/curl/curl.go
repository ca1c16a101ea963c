// Package curl reads a token request written as a curl command line — as typed, or as a browser's
// "Copy as cURL" — into the HTTP request it would send. It runs nothing and reads no file.
package curl

import (
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"

	"github.com/mattn/go-shellwords"
)

// Request is the HTTP request the command line describes.
type Request struct {
	Method string
	URL    string
	Header http.Header
	// Body is the request body exactly as curl would send it (the -d values joined by '&').
	Body string
}

// flags that take a value but do not change the request's method, URL, headers or body.
var ignoredWithValue = map[string]bool{
	"-A": true, "--user-agent": true, "-e": true, "--referer": true, "-b": true, "--cookie": true,
	"-o": true, "--output": true, "-m": true, "--max-time": true, "--connect-timeout": true,
	"--cacert": true, "--cert": true, "--key": true, "-w": true, "--write-out": true,
	"--resolve": true, "--proxy": true, "-x": true, "--retry": true, "-c": true, "--cookie-jar": true,
}

// flags without a value that do not change the request.
var ignoredFlags = map[string]bool{
	"-s": true, "--silent": true, "-S": true, "--show-error": true, "-v": true, "--verbose": true,
	"-i": true, "--include": true, "-k": true, "--insecure": true, "-L": true, "--location": true,
	"--compressed": true, "-f": true, "--fail": true, "-g": true, "--globoff": true, "-N": true,
	"--no-buffer": true, "--http1.1": true, "--http2": true, "-#": true, "--progress-bar": true,
	"--fail-with-body": true,
}

// continuation is a backslash ending a line (bash), and the caret of cmd.exe's "Copy as cURL".
var continuation = regexp.MustCompile(`(\\|\^)\r?\n`)

// Parse reads one curl command line. Errors are one line and name the offending option.
func Parse(text string) (*Request, error) {
	text = strings.TrimSpace(continuation.ReplaceAllString(text, " "))
	if strings.ContainsRune(text, 0) {
		return nil, errors.New("curl: the text contains NUL bytes; it is not a command line")
	}
	p := shellwords.NewParser() // no environment or backtick expansion: nothing is run
	args, err := p.Parse(text)
	if err != nil {
		return nil, fmt.Errorf("curl: %v (an unterminated quote?)", err)
	}
	if p.Position >= 0 {
		return nil, fmt.Errorf("curl: unquoted %q at byte %d ends the command; quote the -d value", string(text[p.Position]), p.Position)
	}
	if len(args) == 0 || (args[0] != "curl" && !strings.HasSuffix(args[0], "/curl") && args[0] != "curl.exe") {
		return nil, errors.New("curl: the command does not start with curl")
	}
	r := &Request{Header: http.Header{}}
	var data []string
	var user string
	haveUser, get := false, false
	for i := 1; i < len(args); i++ {
		a := args[i]
		name, value, inline := splitFlag(a)
		needValue := func() (string, error) {
			if inline {
				return value, nil
			}
			if i+1 >= len(args) {
				return "", fmt.Errorf("curl: %s needs a value", name)
			}
			i++
			return args[i], nil
		}
		switch {
		case name == "-X" || name == "--request":
			v, err := needValue()
			if err != nil {
				return nil, err
			}
			r.Method = strings.ToUpper(v)
		case name == "-H" || name == "--header":
			v, err := needValue()
			if err != nil {
				return nil, err
			}
			k, hv, ok := strings.Cut(v, ":")
			if !ok || strings.TrimSpace(k) == "" {
				return nil, fmt.Errorf("curl: argument %d: the header has no \"Name: value\" form", i)
			}
			r.Header.Add(strings.TrimSpace(k), strings.TrimSpace(hv))
		case name == "-u" || name == "--user":
			v, err := needValue()
			if err != nil {
				return nil, err
			}
			user, haveUser = v, true
		case name == "-d" || name == "--data" || name == "--data-ascii" || name == "--data-binary" || name == "--data-raw":
			v, err := needValue()
			if err != nil {
				return nil, err
			}
			if strings.HasPrefix(v, "@") && name != "--data-raw" {
				return nil, fmt.Errorf("curl: %s %q reads a file; paste the body instead (--data-raw)", name, clip(v))
			}
			if name == "-d" || name == "--data" || name == "--data-ascii" {
				v = strings.NewReplacer("\r", "", "\n", "").Replace(v) // curl strips newlines for -d
			}
			data = append(data, v)
		case name == "--json": // curl 7.82: the body as given, sent as JSON
			v, err := needValue()
			if err != nil {
				return nil, err
			}
			if strings.HasPrefix(v, "@") {
				return nil, fmt.Errorf("curl: --json %q reads a file; paste the body instead", clip(v))
			}
			data = append(data, v)
			if r.Header.Get("Content-Type") == "" {
				r.Header.Set("Content-Type", "application/json")
			}
		case name == "--data-urlencode":
			v, err := needValue()
			if err != nil {
				return nil, err
			}
			enc, err := urlencode(v)
			if err != nil {
				return nil, err
			}
			data = append(data, enc)
		case name == "--url":
			v, err := needValue()
			if err != nil {
				return nil, err
			}
			r.URL = v
		case name == "-G" || name == "--get":
			get = true
		case ignoredWithValue[name]:
			if _, err := needValue(); err != nil {
				return nil, err
			}
		case ignoredFlags[name]:
		case strings.HasPrefix(a, "-") && a != "-":
			return nil, fmt.Errorf("curl: option %q is not understood here; remove it or pass the request as raw HTTP", clip(name))
		default:
			if r.URL != "" {
				return nil, fmt.Errorf("curl: argument %d is a second URL; explain reads one request", i)
			}
			r.URL = a
		}
	}
	if r.URL == "" {
		return nil, errors.New("curl: no URL in the command")
	}
	u, err := url.Parse(r.URL)
	if err != nil || u.Host == "" {
		if err == nil && !strings.Contains(r.URL, "://") {
			u, err = url.Parse("http://" + r.URL) // curl's default scheme
		}
		if err != nil || u.Host == "" {
			return nil, errors.New("curl: the URL is not an absolute URL")
		}
	}
	body := strings.Join(data, "&")
	if get && body != "" {
		if u.RawQuery != "" {
			u.RawQuery += "&"
		}
		u.RawQuery += body
		body = ""
	}
	r.URL, r.Body = u.String(), body
	if haveUser {
		// curl sends -u id:secret as given, without RFC 6749 §2.3.1's form-encoding.
		r.Header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(user)))
	}
	if r.Method == "" {
		r.Method = http.MethodGet
		if body != "" {
			r.Method = http.MethodPost
		}
	}
	if body != "" && r.Header.Get("Content-Type") == "" {
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	return r, nil
}

// splitFlag separates "--data=x" and "-dx" into name and inline value.
func splitFlag(a string) (name, value string, inline bool) {
	if strings.HasPrefix(a, "--") {
		if n, v, ok := strings.Cut(a, "="); ok {
			return n, v, true
		}
		return a, "", false
	}
	if len(a) > 2 && a[0] == '-' && !ignoredFlags[a] {
		switch a[:2] {
		case "-X", "-H", "-u", "-d", "-A", "-e", "-b", "-o", "-m", "-w", "-x", "-c":
			return a[:2], a[2:], true
		}
		if allIgnored(a) { // -sSL
			return "-s", "", false
		}
	}
	return a, "", false
}

func allIgnored(a string) bool {
	for _, c := range a[1:] {
		if !ignoredFlags["-"+string(c)] {
			return false
		}
	}
	return true
}

// urlencode follows curl's --data-urlencode forms: "content", "=content", "name=content".
func urlencode(v string) (string, error) {
	if strings.HasPrefix(v, "@") || strings.Contains(strings.SplitN(v, "=", 2)[0], "@") && !strings.Contains(v, "=") {
		return "", fmt.Errorf("curl: --data-urlencode %q reads a file; paste the value instead", clip(v))
	}
	name, content, ok := strings.Cut(v, "=")
	if !ok {
		return url.QueryEscape(v), nil
	}
	if name == "" {
		return url.QueryEscape(content), nil
	}
	return name + "=" + url.QueryEscape(content), nil
}

func clip(s string) string {
	if len(s) > 60 {
		return s[:60] + "…"
	}
	return s
}
