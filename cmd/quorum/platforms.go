package main

import "log/slog"

// newPlatforms builds the chat platforms the config enables.
func newPlatforms(cfg *Config, log *slog.Logger) ([]runner, error) {
	var out []runner
	return out, nil
}
