package slack

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"

	"github.com/quorum-dev/quorum/adapters/slack/slacktest"
	"github.com/quorum-dev/quorum/bot"
)

func TestMissingFilesWriteScopeIsLoggedOnce(t *testing.T) {
	srv := slacktest.New(t)
	srv.WithoutFilesWrite()
	var logs bytes.Buffer
	a, err := New(Config{AppToken: slacktest.AppToken, BotToken: slacktest.BotToken, APIURL: srv.APIURL(),
		Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	msg := bot.Message{Kind: bot.MsgStats, Conv: bot.Conversation{Platform: Name, ID: "DU1", DM: true}, Title: "Your progress", Text: "stats",
		Files: []bot.File{{Name: bot.ChartName, ContentType: "image/png", Data: []byte("\x89PNG chart")}}}
	for range 2 {
		// The message is delivered although its file cannot be.
		if _, err := a.Send(context.Background(), msg); err != nil {
			t.Fatal(err)
		}
	}
	if n := len(srv.Calls("files.getUploadURLExternal")); n != 2 {
		t.Fatalf("got %d upload attempts, want 2", n)
	}
	if n := strings.Count(logs.String(), "lacks the files:write scope"); n != 1 {
		t.Fatalf("got the scope hint %d times, want once:\n%s", n, logs.String())
	}
	if strings.Contains(logs.String(), "level=ERROR") {
		t.Fatalf("a missing scope is logged as an error:\n%s", logs.String())
	}
}
