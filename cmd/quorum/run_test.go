package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/quorum-dev/quorum/adapters/discord/discordtest"
	"github.com/quorum-dev/quorum/adapters/slack/slacktest"
)

// TestRunServesDiscordAndSlack runs `quorum run` with both platforms against their fakes
// in one process, asks a question on each, and stops it with a cancel (as a signal would).
func TestRunServesDiscordAndSlack(t *testing.T) {
	dc := discordtest.New("discord-token")
	defer dc.Close()
	sl := slacktest.New(t)
	defer sl.Close()
	dir := t.TempDir()
	cfg := filepath.Join(dir, "quorum.yaml")
	os.WriteFile(cfg, []byte(`store: { path: `+filepath.Join(dir, "q.db")+` }
discord: { enabled: true, token: discord-token, base_url: `+dc.URL+`, guild_ids: ["g1"] }
slack: { enabled: true, app_token: `+slacktest.AppToken+`, bot_token: `+slacktest.BotToken+`, api_url: `+sl.APIURL()+` }
`), 0o600)
	ctx, cancel := context.WithCancel(context.Background())
	var out, errs bytes.Buffer
	done := make(chan int)
	go func() { done <- run(ctx, []string{"run", "--config", cfg}, os.Stdin, &out, &errs) }()

	dc.WaitFor(t, "slash commands registered", func() bool { return len(dc.Commands("g1")) > 0 })
	dm := dc.DM("u1")
	dc.Slash(discordtest.Invoker{UserID: "u1", Username: "alice", ChannelID: dm}, "practice")
	dc.NextPost(t, "a question on Discord", func(p discordtest.Post) bool { return strings.Contains(p.Text(), "you have") })

	sl.WaitConnected(t, 1)
	sl.WaitAck(t, sl.Slash("U1", "D1", "practice"))
	sl.Wait(t, "chat.postMessage", func(c slacktest.Call) bool {
		return strings.Contains(c.Param("text"), "you have") || len(c.Blocks()) > 0
	})

	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errs.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("quorum run did not stop after the signal")
	}
}

func TestRunBadDiscordToken(t *testing.T) {
	dc := discordtest.New("the-right-token")
	defer dc.Close()
	dir := t.TempDir()
	cfg := filepath.Join(dir, "quorum.yaml")
	os.WriteFile(cfg, []byte(`store: { path: `+filepath.Join(dir, "q.db")+` }
discord: { enabled: true, token: a-wrong-token, base_url: `+dc.URL+` }
`), 0o600)
	start := time.Now()
	code, _, errs := cli(t, "", "", "run", "--config", cfg)
	if code != 1 || strings.Count(errs, "quorum: ") != 1 || !strings.Contains(errs, "quorum: discord: the bot token was rejected; check discord.token\n") {
		t.Fatalf("exit %d, stderr %q; want one clear error line", code, errs)
	}
	if strings.Contains(errs, "level=WARN") || strings.Contains(errs, "level=ERROR") {
		t.Fatalf("a bad token should not log retries:\n%s", errs)
	}
	if strings.Contains(errs, "a-wrong-token") {
		t.Fatal("the token was printed")
	}
	if time.Since(start) > 15*time.Second {
		t.Fatal("a bad token took too long to report")
	}
}

func TestRunSlackOnly(t *testing.T) {
	sl := slacktest.New(t)
	defer sl.Close()
	dir := t.TempDir()
	cfg := filepath.Join(dir, "quorum.yaml")
	os.WriteFile(cfg, []byte(`store: { path: `+filepath.Join(dir, "q.db")+` }
slack: { enabled: true, app_token: `+slacktest.AppToken+`, bot_token: `+slacktest.BotToken+`, api_url: `+sl.APIURL()+` }
`), 0o600)
	ctx, cancel := context.WithCancel(context.Background())
	var out, errs bytes.Buffer
	done := make(chan int)
	go func() { done <- run(ctx, []string{"run", "--config", cfg}, os.Stdin, &out, &errs) }()
	sl.WaitConnected(t, 1)
	sl.WaitAck(t, sl.Slash("U1", "D1", "help"))
	sl.Wait(t, "chat.postMessage", nil)
	cancel()
	if code := <-done; code != 0 {
		t.Fatalf("exit %d: %s", code, errs.String())
	}
}
