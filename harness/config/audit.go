package config

import (
	"fmt"
	"os"
	"path/filepath"
)

// auditFile is the form of audit.file: a clients: list, nothing else.
type auditFile struct {
	Clients []*Client `yaml:"clients"`
}

// listed is one audited client with the parser of the file it is listed in and its field path
// there, so every message names that file and line.
type listed struct {
	client *Client
	in     *parser
	field  string
}

// loadAudit reads audit.file, then defaults and validates every audited client (inline ones
// first): a client without credentials and a client_id listed twice are errors naming the file,
// line and field.
func (p *parser) loadAudit(c *Config) error {
	var all []listed
	for i, cl := range c.Audit.Clients {
		all = append(all, listed{cl, p, fmt.Sprintf("audit.clients[%d]", i)})
	}
	if c.Audit.File != "" {
		path := c.Audit.File
		if !filepath.IsAbs(path) {
			path = filepath.Join(filepath.Dir(p.file), path)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return p.fail("audit.file", "%v", err)
		}
		var file auditFile // a clients: list, with the same checks as the configuration itself
		fp, err := parseYAML(path, data, p.lookup, &file)
		if err != nil {
			return err
		}
		for i, cl := range file.Clients {
			all = append(all, listed{cl, fp, fmt.Sprintf("clients[%d]", i)})
		}
	}
	seen := map[string]listed{}
	c.Audit.Clients = nil
	if len(all) > 0 {
		c.Clients.audited = map[Role]*Client{}
	}
	for _, l := range all {
		cl := l.client
		if cl == nil {
			return l.in.fail(l.field, "an empty entry: want client_id, credentials and what the client is registered with")
		}
		cl.origin = fmt.Sprintf("%s:%d", l.in.file, l.in.lines[l.field])
		if cl.AuthMethod == "" {
			if cl.ClientSecret == "" {
				// A role without a secret is public by default; an audited client must say so,
				// since a secret that did not make it into the file looks the same.
				return l.in.fail(l.field+".client_secret", "client %q has no credentials: set client_secret (e.g. ${%s}) or auth_method: none for a public client",
					cl.ClientID, envName(cl.ClientID))
			}
			cl.AuthMethod = AuthBasic
		}
		if len(cl.GrantTypes) == 0 {
			cl.GrantTypes = []string{"authorization_code"}
		}
		if err := l.in.validateClient(l.field, cl, cl.Allows("authorization_code")); err != nil {
			return err
		}
		if first, dup := seen[cl.ClientID]; dup {
			return l.in.fail(l.field+".client_id", "%q is listed twice (first at %s)", cl.ClientID, first.client.origin)
		}
		seen[cl.ClientID] = l
		c.Clients.audited[AuditRole(cl.ClientID)] = cl
		c.Audit.Clients = append(c.Audit.Clients, cl)
	}
	return nil
}

// envName suggests an environment variable for a client's secret: APP_A_SECRET for app-a.
func envName(clientID string) string {
	b := []byte{}
	for _, c := range []byte(clientID) {
		switch {
		case c >= 'a' && c <= 'z':
			b = append(b, c-'a'+'A')
		case c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
			b = append(b, c)
		default:
			b = append(b, '_')
		}
	}
	if len(b) == 0 || (b[0] >= '0' && b[0] <= '9') {
		b = append([]byte("CLIENT_"), b...)
	}
	return string(b) + "_SECRET"
}
