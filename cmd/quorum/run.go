package main

import (
	"context"
	"fmt"
)

func cmdRun(ctx context.Context, e env, args []string) error {
	fs, cfgFile := newFlags(e, "run")
	if err := parseFlags(fs, args, false); err != nil {
		return err
	}
	a, err := load(*cfgFile, nil)
	if err != nil {
		return err
	}
	defer a.close()
	var enabled []string
	if a.cfg.Discord.Enabled {
		enabled = append(enabled, "discord")
	}
	if a.cfg.Slack.Enabled {
		enabled = append(enabled, "slack")
	}
	if len(enabled) == 0 {
		return fmt.Errorf("nothing to run: enable discord or slack in the config (see config.example.yaml), or use `quorum practice` in the terminal")
	}
	return fmt.Errorf("this build cannot serve %v yet: the chat adapters are not built in; use `quorum practice` in the terminal", enabled)
}
