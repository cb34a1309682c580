package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/quorum-dev/quorum/internal/yamlx"
)

// redacted stands for a secret wherever one would be shown.
const redacted = "****"

// secret is one setting that must never be printed or logged.
type secret struct {
	path  []string // e.g. discord, token
	value *string
}

// secrets lists the config's secret settings.
func (c *Config) secrets() []secret {
	return []secret{
		{[]string{"llm", "api_key"}, &c.LLM.APIKey},
		{[]string{"speech", "api_key"}, &c.Speech.APIKey},
		{[]string{"discord", "token"}, &c.Discord.Token},
		{[]string{"slack", "app_token"}, &c.Slack.AppToken},
		{[]string{"slack", "bot_token"}, &c.Slack.BotToken},
	}
}

// minSecretLen is the shortest value redacted inside log text: shorter ones (a test's
// "x") would blank out ordinary words.
const minSecretLen = 6

// redactor returns a slog ReplaceAttr that replaces every secret of cfg found in a
// logged value (strings, errors, anything printed) with "****". The code logs no
// secrets on purpose; this catches the ones an SDK's error message might carry.
func redactor(cfg *Config) func(groups []string, a slog.Attr) slog.Attr {
	var values []string
	for _, s := range cfg.secrets() {
		if v := *s.value; len(v) >= minSecretLen {
			values = append(values, v)
		}
	}
	if len(values) == 0 {
		return nil
	}
	scrub := func(s string) (string, bool) {
		changed := false
		for _, v := range values {
			if strings.Contains(s, v) {
				s, changed = strings.ReplaceAll(s, v, redacted), true
			}
		}
		return s, changed
	}
	return func(_ []string, a slog.Attr) slog.Attr {
		v := a.Value.Resolve()
		switch v.Kind() {
		case slog.KindString:
			if s, ok := scrub(v.String()); ok {
				a.Value = slog.StringValue(s)
			}
		case slog.KindAny:
			var text string
			if err, ok := v.Any().(error); ok {
				text = err.Error()
			} else {
				text = fmt.Sprint(v.Any())
			}
			if s, ok := scrub(text); ok {
				a.Value = slog.StringValue(s)
			}
		}
		return a
	}
}

// cmdConfig prints the effective configuration: the file with defaults filled in and
// ${VAR} expanded, secrets shown as "****", and where each secret came from.
func cmdConfig(_ context.Context, e env, args []string) error {
	fs, cfgFile := newFlags(e, "config")
	if err := parseFlags(fs, args, false); err != nil {
		return err
	}
	cfg, err := LoadConfig(*cfgFile, nil)
	if err != nil {
		return err
	}
	sources := secretSources(cfg)
	shown := *cfg
	for _, s := range shown.secrets() {
		if *s.value != "" {
			*s.value = redacted
		}
	}
	out, err := yaml.Marshal(&shown)
	if err != nil {
		return fmt.Errorf("print config: %w", err)
	}
	from := cfg.File
	if from == "" {
		from = "defaults (no config file)"
	}
	fmt.Fprintf(e.stdout, "# Effective configuration, from %s. Secrets are shown as %s.\n", from, redacted)
	for _, s := range sources {
		fmt.Fprintf(e.stdout, "# %s: %s\n", s[0], s[1])
	}
	_, err = e.stdout.Write(out)
	return err
}

// secretSources says where each secret setting got its value: an environment
// variable named in the file, the file itself, or nowhere.
func secretSources(cfg *Config) [][2]string {
	var root *yaml.Node
	if cfg.File != "" {
		if data, err := os.ReadFile(cfg.File); err == nil {
			root, _ = yamlx.Parse(data)
		}
	}
	var out [][2]string
	for _, s := range cfg.secrets() {
		name := strings.Join(s.path, ".")
		var raw string
		if root != nil {
			n := root
			for _, k := range s.path {
				if n = yamlx.Lookup(n, k); n == nil {
					break
				}
			}
			if n != nil {
				raw = n.Value
			}
		}
		var where string
		switch vars := envVars(raw); {
		case *s.value == "" && len(vars) > 0:
			where = "not set (" + strings.Join(vars, ", ") + " is empty or unset)"
		case *s.value == "":
			where = "not set"
		case len(vars) > 0:
			where = "set, from the environment (" + strings.Join(vars, ", ") + ")"
		default:
			where = "set, in the config file (better: ${VAR} and the environment)"
		}
		out = append(out, [2]string{name, where})
	}
	return out
}

// envVars are the ${VAR} names in a raw config value.
func envVars(raw string) []string {
	var out []string
	for i := 0; ; {
		j := strings.Index(raw[i:], "${")
		if j < 0 {
			return out
		}
		i += j + 2
		k := strings.IndexAny(raw[i:], ":}")
		if k < 0 {
			return out
		}
		out = append(out, raw[i:i+k])
	}
}
