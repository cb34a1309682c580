package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"
)

func TestLogsScrubSecrets(t *testing.T) {
	c, err := ParseConfig("quorum.yaml", []byte("llm: { api_key: sk-live-abcdef }\nslack: { bot_token: xoxb-1-2-3, app_token: xapp-9-8-7 }\nlog: { format: json }\n"), lookup(nil))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	log := newLogger(&buf, c).With("component", "test")
	log.Info("calling with sk-live-abcdef", "err", fmt.Errorf("post: %w", errors.New("bad auth header Bearer xoxb-1-2-3")),
		"url", "wss://x/?token=xapp-9-8-7", "n", 3, "d", time.Second)
	log.WithGroup("g").Warn("nested", "v", []string{"xoxb-1-2-3"})
	out := buf.String()
	for _, s := range []string{"sk-live-abcdef", "xoxb-1-2-3", "xapp-9-8-7"} {
		if strings.Contains(out, s) {
			t.Fatalf("%s is in the log:\n%s", s, out)
		}
	}
	if strings.Count(out, "****") != 4 || !strings.Contains(out, `"n":3`) || !strings.Contains(out, "bad auth header Bearer ****") {
		t.Fatalf("want each secret replaced and the rest kept:\n%s", out)
	}
}

func TestConfigCommandSources(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("QUORUM_TEST_KEY", "sk-from-env-123456")
	t.Setenv("QUORUM_TEST_EMPTY", "")
	writeFile(t, dir+"/quorum.yaml", "llm: { api_key: \"${QUORUM_TEST_KEY}\" }\nslack: { bot_token: xoxb-in-the-file }\ndiscord: { token: \"${QUORUM_TEST_EMPTY}\" }\nlimits: { answers_per_hour: 10 }\n")
	code, out, errs := cli(t, dir, "", "config")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, bad := range []string{"sk-from-env-123456", "xoxb-in-the-file"} {
		if strings.Contains(out, bad) {
			t.Fatalf("%s printed:\n%s", bad, out)
		}
	}
	for _, want := range []string{
		"# llm.api_key: set, from the environment (QUORUM_TEST_KEY)",
		"# slack.bot_token: set, in the config file",
		"# discord.token: not set (QUORUM_TEST_EMPTY is empty or unset)",
		"# speech.api_key: not set",
		"answers_per_hour: 10", "audio_per_hour: 20", "time_limit: 3m0s",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in:\n%s", want, out)
		}
	}
	// What it prints is a config file Quorum reads back.
	if _, err := ParseConfig("printed.yaml", []byte(out), lookup(nil)); err != nil {
		t.Fatalf("the printed config does not parse: %v", err)
	}
}

func TestLimitsAndMetricsConfig(t *testing.T) {
	c, err := ParseConfig("quorum.yaml", nil, lookup(nil))
	if err != nil || c.Limits.AnswersPerHour != 60 || c.Limits.AudioPerHour != 20 || c.Limits.CommandsPerMinute != 30 {
		t.Fatalf("got %+v, %v; want the default limits", c.Limits, err)
	}
	for body, want := range map[string]string{
		"limits:\n  commands_per_minute: -1\n": "quorum.yaml:2: limits.commands_per_minute -1 must be 0 (no limit) or more",
		"metrics:\n  listen: 9090\n":           `quorum.yaml:2: metrics.listen "9090" must be host:port`,
	} {
		if _, err := ParseConfig("quorum.yaml", []byte(body), lookup(nil)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("got %v, want %q", err, want)
		}
	}
}

func writeFile(t *testing.T, path, body string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
}
