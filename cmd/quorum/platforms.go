package main

import (
	"log/slog"

	"github.com/quorum-dev/quorum/adapters/discord"
	"github.com/quorum-dev/quorum/adapters/slack"
)

// newPlatforms builds the chat platforms the config enables.
func newPlatforms(cfg *Config, log *slog.Logger) ([]runner, error) {
	var out []runner
	if cfg.Discord.Enabled {
		d, err := discord.New(discord.Config{
			Token: cfg.Discord.Token, BaseURL: cfg.Discord.BaseURL, GuildIDs: cfg.Discord.GuildIDs,
			EphemeralFeedback: cfg.Discord.EphemeralFeedback, Logger: log,
		})
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	if cfg.Slack.Enabled {
		s, err := slack.New(slack.Config{
			AppToken: cfg.Slack.AppToken, BotToken: cfg.Slack.BotToken, APIURL: cfg.Slack.APIURL,
			EphemeralFeedback: cfg.Slack.EphemeralFeedback, ManagerGroup: cfg.Slack.DrillManagers, Logger: log,
		})
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}
