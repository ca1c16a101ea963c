package config

import (
	"strings"
	"testing"
	"time"
)

// The refresh policy keys: validated values, one-line errors naming the field and line.
func TestRefreshPolicy(t *testing.T) {
	doc := func(provider string) string {
		return "provider:\n  issuer: https://id.example.com\n" + provider +
			"clients:\n  primary: {client_id: app-a, client_secret: s3cret-value, redirect_uris: [https://app-a.example/cb]}\n"
	}
	none := func(string) (string, bool) { return "", false }

	cfg, err := Parse("t.yaml", []byte(doc("  refresh_rotation: rotate\n  refresh_reuse_grace: 30s\n")), none)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Provider.RefreshRotation != RotationRotate || cfg.Provider.RefreshReuseGrace.D() != 30*time.Second {
		t.Errorf("got rotation %q grace %s", cfg.Provider.RefreshRotation, cfg.Provider.RefreshReuseGrace)
	}

	for _, c := range []struct{ name, provider, want string }{
		{"unknown policy", "  refresh_rotation: sometimes\n", "t.yaml:3: provider.refresh_rotation: \"sometimes\" is not one of none, rotate, rotate-detect-reuse"},
		{"negative grace", "  refresh_rotation: rotate\n  refresh_reuse_grace: -1s\n", "t.yaml:4: provider.refresh_reuse_grace: "},
		{"grace without rotation", "  refresh_rotation: none\n  refresh_reuse_grace: 5s\n", "t.yaml:4: provider.refresh_reuse_grace: a grace period needs"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse("t.yaml", []byte(doc(c.provider)), none)
			if err == nil || !strings.HasPrefix(err.Error(), c.want) || strings.Contains(err.Error(), "\n") {
				t.Errorf("got %v, want a one-line error starting %q", err, c.want)
			}
		})
	}
}
