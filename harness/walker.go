package harness

import (
	"github.com/grantcheck/grantcheck/harness/authorize"
	"github.com/grantcheck/grantcheck/harness/authorize/browser"
	"github.com/grantcheck/grantcheck/harness/authorize/command"
	"github.com/grantcheck/grantcheck/harness/config"
	"github.com/grantcheck/grantcheck/harness/transcript"
)

// walker is the login driver login.driver names, for one flow recording into log; nil is the
// form driver (authorize's default).
func (p *Provider) walker(log *transcript.Log) (authorize.Walker, error) {
	login := p.Config.Login
	switch login.Driver {
	case config.DriverBrowser:
		b, err := p.browser.get(login.Browser)
		if err != nil {
			return nil, err
		}
		return &browser.Walker{B: b, Login: login, Log: log, Artifacts: p.Artifacts}, nil
	case config.DriverCommand:
		return &command.Walker{Login: login, Dir: p.Config.Dir(), Log: log}, nil
	}
	return nil, nil
}
