package main

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/quorum-dev/quorum/adapters/discord"
	"github.com/quorum-dev/quorum/adapters/prometheus"
	"github.com/quorum-dev/quorum/adapters/slack"
)

// newPlatforms builds the chat platforms the config enables. With m set, their API
// requests are counted.
func newPlatforms(cfg *Config, log *slog.Logger, m *prometheus.Metrics) ([]runner, error) {
	var out []runner
	// client is the HTTP client of a platform's SDK: nil (the adapter's default) unless counted.
	client := func(platform string, timeout time.Duration) *http.Client {
		if m == nil {
			return nil
		}
		return &http.Client{Timeout: timeout, Transport: m.Transport(platform, nil)}
	}
	if cfg.Discord.Enabled {
		d, err := discord.New(discord.Config{
			Token: cfg.Discord.Token, BaseURL: cfg.Discord.BaseURL, GuildIDs: cfg.Discord.GuildIDs,
			EphemeralFeedback: cfg.Discord.EphemeralFeedback, Logger: log,
			HTTPClient: client("discord", 20*time.Second), // the adapter's own default timeout
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
			HTTPClient: client(slack.Name, 0), // slack-go's default has no timeout either
		})
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}
