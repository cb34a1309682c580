package slack_test

import (
	"context"
	"os"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/quorum-dev/quorum/adapters/slack"
	"github.com/quorum-dev/quorum/adapters/slack/slacktest"
	"github.com/quorum-dev/quorum/bot"
)

func TestManifest(t *testing.T) {
	data, err := os.ReadFile("manifest.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		Features struct {
			AppHome struct {
				Home     bool `yaml:"home_tab_enabled"`
				Messages bool `yaml:"messages_tab_enabled"`
				ReadOnly bool `yaml:"messages_tab_read_only_enabled"`
			} `yaml:"app_home"`
			SlashCommands []struct {
				Command string `yaml:"command"`
			} `yaml:"slash_commands"`
		} `yaml:"features"`
		OAuth struct {
			Scopes struct {
				Bot []string `yaml:"bot"`
			} `yaml:"scopes"`
		} `yaml:"oauth_config"`
		Settings struct {
			Events struct {
				Bot []string `yaml:"bot_events"`
			} `yaml:"event_subscriptions"`
			Interactivity struct {
				Enabled bool `yaml:"is_enabled"`
			} `yaml:"interactivity"`
			SocketMode bool `yaml:"socket_mode_enabled"`
		} `yaml:"settings"`
	}
	if err := yaml.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	if !m.Settings.SocketMode || !m.Settings.Interactivity.Enabled {
		t.Errorf("socket mode %v, interactivity %v: want both on", m.Settings.SocketMode, m.Settings.Interactivity.Enabled)
	}
	if len(m.Features.SlashCommands) != 1 || m.Features.SlashCommands[0].Command != "/quorum" {
		t.Errorf("got slash commands %v, want /quorum alone", m.Features.SlashCommands)
	}
	if a := m.Features.AppHome; !a.Home || !a.Messages || a.ReadOnly {
		t.Errorf("got app home %+v, want the home tab and a writable messages tab", a)
	}
	// Exactly the scopes the adapter uses: no more, so admins approve it, and no fewer.
	scopes := slices.Sorted(slices.Values(m.OAuth.Scopes.Bot))
	want := []string{"channels:history", "chat:write", "commands", "files:read", "files:write", "groups:history", "im:history", "im:write", "usergroups:read", "users:read"}
	if !slices.Equal(scopes, want) {
		t.Errorf("got scopes %v, want %v", scopes, want)
	}
	events := slices.Sorted(slices.Values(m.Settings.Events.Bot))
	wantEvents := []string{"app_home_opened", "message.channels", "message.groups", "message.im"}
	if !slices.Equal(events, wantEvents) {
		t.Errorf("got events %v, want %v", events, wantEvents)
	}
}

// TestLongMessagesStayWithinBlockKitLimits sends messages far over Slack's block limits;
// the fake answers invalid_blocks as Slack does when a section, header or count is too big.
func TestLongMessagesStayWithinBlockKitLimits(t *testing.T) {
	srv := slacktest.New(t)
	ad, err := slack.New(slack.Config{AppToken: slacktest.AppToken, BotToken: slacktest.BotToken, APIURL: srv.APIURL()})
	if err != nil {
		t.Fatal(err)
	}
	long := strings.Repeat("A sentence of a long model answer & <its> details.\n", 900)
	verdict := &bot.Verdict{Score: 42, Grader: "rubric"}
	for i := range 60 {
		verdict.Missed = append(verdict.Missed, bot.Point{ID: "p", Text: strings.Repeat("missed point ", 10) + string(rune('a'+i%26))})
	}
	verdict.Feedback.Summary = long
	for _, m := range []bot.Message{
		{Kind: bot.MsgInfo, Title: strings.Repeat("Model answer: ", 20), Text: long},
		{Kind: bot.MsgStats, Title: "Your progress", Text: long},
		{Kind: bot.MsgVerdict, Title: verdict.Title(), Text: long, Verdict: verdict,
			Fields: []bot.Field{{Label: "Content", Value: "40"}, {Label: "Clarity", Value: "70"},
				{Label: "Confidence", Value: "90"}, {Label: "Delivery", Value: "80"}},
			Actions: []bot.Button{{Action: bot.ActionModel, Label: "Model answer"},
				{Action: bot.ActionFollowUp, Label: "Follow-up"}, {Action: bot.ActionAnother, Label: "Try another"}}},
	} {
		m.Conv = bot.Conversation{Platform: slack.Name, ID: "DU1", DM: true}
		if _, err := ad.Send(context.Background(), m); err != nil {
			t.Errorf("message kind %d: %v", m.Kind, err)
		}
	}
	calls := srv.Calls("chat.postMessage")
	if len(calls) != 3 {
		t.Fatalf("got %d posts, want 3", len(calls))
	}
	if got := buttons(calls[2]); len(got) != 3 {
		t.Errorf("a long verdict lost its buttons: got %v", got)
	}
	if h := header(calls[2]); h != "FAIL · 42/100" {
		t.Errorf("got header %q, want %q", h, "FAIL · 42/100")
	}
}
