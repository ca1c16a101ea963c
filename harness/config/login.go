package config

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
)

// Login drivers.
const (
	DriverForm    = "form"
	DriverBrowser = "browser"
	DriverCommand = "command"
)

// IsHeadless: the browser runs without a window unless headless: false.
func (b Browser) IsHeadless() bool { return b.Headless == nil || *b.Headless }

// Dir is the folder of the configuration file, where the login command runs; "" (the working
// directory) when the configuration did not come from a file.
func (c *Config) Dir() string { return c.dir }

// validateLogin checks the login section per driver: each needs different step fields.
func (p *parser) validateLogin(c *Config) error {
	l := c.Login
	switch l.Driver {
	case DriverForm, DriverBrowser:
	case DriverCommand:
		if len(l.Command) == 0 || strings.TrimSpace(l.Command[0]) == "" {
			return p.fail("login.command", `required for driver command: the program and its arguments, e.g. ["./login.sh", "--tenant", "test"]`)
		}
	default:
		return p.fail("login.driver", "%q is not one of %s, %s, %s", l.Driver, DriverForm, DriverBrowser, DriverCommand)
	}
	for i, h := range l.Hosts {
		if u, err := url.Parse("//" + h); err != nil || h == "" || u.Host != h || u.User != nil {
			return p.fail(fmt.Sprintf("login.hosts[%d]", i), "%q is not a host or host:port (write login.example.com or login.example.com:8443, without scheme or path)", h)
		}
	}
	if l.Ahead != nil && (*l.Ahead < 0 || *l.Ahead > 8) {
		return p.fail("login.ahead", "%d is outside the sane range 0 to 8", *l.Ahead)
	}
	if len(l.Command) > 0 && l.Driver != DriverCommand {
		return p.fail("login.command", "only used by driver command (login.driver is %s)", l.Driver)
	}
	for i, s := range l.Steps {
		f := fmt.Sprintf("login.steps[%d]", i)
		if s.URL == "" {
			return p.fail(f+".url", "required: a regular expression matched against the page URL")
		}
		if _, err := regexp.Compile(s.URL); err != nil {
			return p.fail(f+".url", "not a regular expression: %v", err)
		}
		switch l.Driver {
		case DriverForm:
			if s.Form == "" {
				return p.fail(f+".form", "required: a CSS selector for the form")
			}
			if s.Click != "" {
				return p.fail(f+".click", "only used by driver browser; the form driver presses the button named by submit")
			}
		case DriverBrowser:
			if s.Form != "" || s.Submit != "" {
				return p.fail(f, "form and submit are form-driver fields; a browser step names CSS selectors in fill and click")
			}
			if len(s.Fill) == 0 && s.Click == "" {
				return p.fail(f, "a browser step needs fill (CSS selector: value) or click (a CSS selector)")
			}
			for sel := range s.Fill {
				if strings.TrimSpace(sel) == "" {
					return p.fail(f+".fill", "an empty CSS selector")
				}
			}
		case DriverCommand:
			return p.fail(f, "the command driver takes no steps: the command walks the pages itself")
		}
	}
	return nil
}
