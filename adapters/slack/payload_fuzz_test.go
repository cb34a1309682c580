package slack

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	slackgo "github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"

	"github.com/quorum-dev/quorum/bot"
	"github.com/quorum-dev/quorum/bot/bottest"
)

// Fuzz target for Socket Mode payloads: an envelope's payload, parsed as slack-go's
// socketmode client parses it (events_api, slash_commands, interactive; a payload that
// does not parse is dropped there), then dispatched by the adapter.
// `go test -fuzz=FuzzSocketPayload -fuzztime=30s ./adapters/slack` explores further.

var socketSeeds = []struct {
	kind    byte // 0 events_api, 1 slash_commands, 2 interactive
	payload string
}{
	{0, `{"type":"event_callback","team_id":"T1","event":{"type":"message","channel":"D1","channel_type":"im","user":"U1","text":"practice consensus","ts":"1700000000.000100"}}`},
	{0, `{"type":"event_callback","event":{"type":"message","channel":"C1","channel_type":"channel","user":"U1","text":"an answer","ts":"1.2","thread_ts":"1.1"}}`},
	{0, `{"type":"event_callback","event":{"type":"message","channel":"D1","channel_type":"im","user":"U1","text":"","ts":"1.2","files":[{"id":"F1","name":"a.m4a","mimetype":"audio/mp4","filetype":"m4a","url_private_download":"http://x/f","duration_ms":3000}]}}`},
	{0, `{"type":"event_callback","event":{"type":"message","channel":"D1","channel_type":"im","user":"U1","ts":"1.2","files":[{"id":"F1","name":"cat.png","mimetype":"image/png"}]}}`},
	{0, `{"type":"event_callback","event":{"type":"message","subtype":"message_changed","channel":"D1","channel_type":"im","ts":"1.2"}}`},
	{0, `{"type":"event_callback","event":{"type":"message","channel":"D1","channel_type":"im","bot_id":"B1","user":"UBOT","text":"echo"}}`},
	{0, `{"type":"event_callback","event":{"type":"app_home_opened","user":"U1","channel":"D1","tab":"home"}}`},
	{0, `{"type":"url_verification","challenge":"x"}`},
	{1, `{"command":"/quorum","text":"practice consensus","user_id":"U1","user_name":"alice","channel_id":"C1","channel_name":"general","response_url":"http://x/r","trigger_id":"t"}`},
	{1, `{"command":"/quorum","text":"","user_id":"U1","channel_id":"D1","channel_name":"directmessage"}`},
	{2, `{"type":"block_actions","user":{"id":"U1","name":"alice"},"trigger_id":"t","container":{"type":"message","channel_id":"C1","message_ts":"1.1","thread_ts":"1.1"},"actions":[{"action_id":"quorum_model","block_id":"b","type":"button"}]}`},
	{2, `{"type":"block_actions","user":{"id":"U1"},"actions":[{"action_id":"quorum_home_practice","type":"button"}]}`},
	{2, `{"type":"block_actions","user":{"id":"U1"},"channel":{"id":"D1"},"actions":[null]}`},
	{2, `{"type":"view_submission","user":{"id":"U1"},"view":{"id":"V1","callback_id":"quorum_answer","private_metadata":"{\"id\":\"C1\",\"thread\":\"1.1\"}","state":{"values":{"answer":{"text":{"type":"plain_text_input","value":"Raft elects..."}}}}}}`},
	{2, `{"type":"view_submission","user":{"id":"U1"},"view":{"callback_id":"quorum_answer","private_metadata":"not json"}}`},
}

// FuzzSocketPayload: no payload crashes the adapter; every event carries the person's
// Slack id, slash commands always have words (help by default), a channel message
// becomes an event only in a question's thread, and a button press is an action.
func FuzzSocketPayload(f *testing.F) {
	for _, s := range socketSeeds {
		f.Add(s.kind, []byte(s.payload))
	}
	stub := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"ok":true,"channel":{"id":"D9"},"view":{"id":"V1"},"ts":"1.1"}`))
	}))
	defer stub.Close()
	a, err := New(Config{AppToken: "xapp-fuzz", BotToken: "xoxb-fuzz", APIURL: stub.URL + "/api/"})
	if err != nil {
		f.Fatal(err)
	}
	a.botUser = "UBOT"
	rec := &bottest.Recorder{}
	var wg sync.WaitGroup
	d := &dispatcher{a: a, h: rec, ctx: context.Background(), wg: &wg}
	f.Fuzz(func(t *testing.T, kind byte, payload []byte) {
		var evt socketmode.Event
		switch kind % 3 {
		case 0:
			ev, err := slackevents.ParseEvent(payload, slackevents.OptionNoVerifyToken())
			if err != nil {
				return
			}
			evt = socketmode.Event{Type: socketmode.EventTypeEventsAPI, Data: ev}
		case 1:
			var cmd slackgo.SlashCommand
			if json.Unmarshal(payload, &cmd) != nil {
				return
			}
			evt = socketmode.Event{Type: socketmode.EventTypeSlashCommand, Data: cmd}
		case 2:
			var cb slackgo.InteractionCallback
			if json.Unmarshal(payload, &cb) != nil {
				return
			}
			evt = socketmode.Event{Type: socketmode.EventTypeInteractive, Data: cb}
		}
		d.dispatch(evt)
		wg.Wait()
		for _, ev := range rec.Take() {
			if ev.User.Platform != Name || ev.Conv.Platform != Name {
				t.Fatalf("got event %+v, want platform slack", ev)
			}
			switch data := evt.Data.(type) {
			case slackgo.SlashCommand:
				if ev.User.ID != data.UserID || strings.TrimSpace(ev.Text) == "" || ev.Conv.ID != data.ChannelID {
					t.Fatalf("slash command %+v made %+v", data, ev)
				}
			case slackevents.EventsAPIEvent:
				m, ok := data.InnerEvent.Data.(*slackevents.MessageEvent)
				if !ok {
					continue // the App Home's buttons and tab speak for the person
				}
				switch {
				case ev.User.ID != m.User || m.User == "" || m.User == a.botUser || m.BotID != "":
					t.Fatalf("message from %q (bot %q) made an event for %q", m.User, m.BotID, ev.User.ID)
				case !ev.Conv.DM && ev.Conv.Thread == "":
					t.Fatalf("channel chatter made an event: %+v", ev)
				case ev.Conv.DM != (m.ChannelType == slackevents.ChannelTypeIM):
					t.Fatalf("channel type %q made conversation %+v", m.ChannelType, ev.Conv)
				}
			case slackgo.InteractionCallback:
				if ev.User.ID != data.User.ID {
					t.Fatalf("interaction by %q made an event for %q", data.User.ID, ev.User.ID)
				}
				if ev.Kind == bot.EventAction && (ev.Action == "" || strings.HasPrefix(ev.Action, actionPrefix)) {
					t.Fatalf("got action %q", ev.Action)
				}
			}
		}
	})
}
