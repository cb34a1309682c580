package discord

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/bwmarrin/discordgo"

	"github.com/quorum-dev/quorum/bot"
	"github.com/quorum-dev/quorum/bot/bottest"
)

// Fuzz targets for gateway payloads: the "d" of a MESSAGE_CREATE or INTERACTION_CREATE
// dispatch, decoded as discordgo decodes it (a decoding error still reaches the
// handlers, with whatever was filled in), then turned into a bot.Event by the adapter.
// `go test -fuzz=FuzzMessageCreate -fuzztime=30s ./adapters/discord` explores further.

const fuzzBotID = "900000000000000001"

// stubDiscord answers every REST call the adapter makes while handling an event: channel
// lookups (a channel id ending in 7 is a thread Quorum opened, others a plain channel)
// and interaction responses, which it counts by interaction id.
type stubDiscord struct {
	srv       *httptest.Server
	mu        sync.Mutex
	responses map[string]int
}

func newStubDiscord(tb testing.TB) *stubDiscord {
	s := &stubDiscord{responses: map[string]int{}}
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		parts := strings.Split(strings.Trim(strings.TrimPrefix(r.URL.Path, "/api/v9"), "/"), "/")
		w.Header().Set("Content-Type", "application/json")
		switch {
		case r.Method == "GET" && len(parts) == 2 && parts[0] == "channels":
			c := map[string]any{"id": parts[1], "type": 0, "guild_id": "1"}
			if strings.HasSuffix(parts[1], "7") {
				c["type"], c["owner_id"], c["parent_id"] = 11, fuzzBotID, "1000"
			}
			json.NewEncoder(w).Encode(c)
		case r.Method == "POST" && len(parts) == 4 && parts[0] == "interactions":
			s.mu.Lock()
			s.responses[parts[1]]++
			s.mu.Unlock()
			w.WriteHeader(http.StatusNoContent)
		default:
			w.Write([]byte(`{"id":"1","channel_id":"2"}`))
		}
	}))
	tb.Cleanup(s.srv.Close)
	return s
}

func (s *stubDiscord) responded(id string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.responses[id]
}

func fuzzAdapter(tb testing.TB, stub *stubDiscord) *Adapter {
	a, err := New(Config{Token: "fuzz-token", BaseURL: stub.srv.URL})
	if err != nil {
		tb.Fatal(err)
	}
	a.botID, a.appID, a.hctx = fuzzBotID, fuzzBotID, context.Background()
	return a
}

var messageSeeds = []string{
	`{"id":"1","channel_id":"10","author":{"id":"5","username":"alice"},"content":"practice consensus","type":0}`,
	`{"id":"1","channel_id":"10","author":{"id":"5","username":"alice","global_name":"Alice"},"content":"<@900000000000000001> stats"}`,
	`{"id":"1","channel_id":"17","guild_id":"1","author":{"id":"5"},"content":"my answer","member":{"roles":[]}}`,
	`{"id":"1","channel_id":"18","guild_id":"1","author":{"id":"5"},"content":"chatter"}`,
	`{"id":"1","channel_id":"10","author":{"id":"5"},"flags":8192,"attachments":[{"id":"a","filename":"voice-message.ogg","size":1000,"url":"http://x/a","duration_secs":3.5}]}`,
	`{"id":"1","channel_id":"10","author":{"id":"5"},"content":"","attachments":[{"id":"a","filename":"cat.png","content_type":"image/png","url":"http://x/a"}]}`,
	`{"id":"1","channel_id":"10","author":{"id":"6","bot":true},"content":"practice"}`,
	`{"id":"1","channel_id":"10","author":{"id":"900000000000000001"},"content":"echo"}`,
	`{"id":"1","channel_id":"10","content":"no author"}`,
	`null`, `5`, `"text"`, `[]`, `{"author":null}`, `{"channel_id":"10","author":{"id":"5"},"content":5}`,
}

// FuzzMessageCreate: no payload crashes the adapter; an event comes only from a person
// (not a bot, not Quorum), at most one per message, with the author's id, the right
// kind of conversation, and either text or audio.
func FuzzMessageCreate(f *testing.F) {
	for _, s := range messageSeeds {
		f.Add([]byte(s))
	}
	stub := newStubDiscord(f)
	a := fuzzAdapter(f, stub)
	rec := &bottest.Recorder{}
	f.Fuzz(func(t *testing.T, data []byte) {
		if !json.Valid(data) {
			return // the frame itself would not decode: discordgo drops it
		}
		var mc discordgo.MessageCreate
		json.Unmarshal(data, &mc) // as discordgo: an error still reaches the handlers
		a.onMessage(rec, mc.Message)
		a.wg.Wait()
		events := rec.Take()
		if len(events) == 0 {
			return
		}
		m := mc.Message
		if len(events) > 1 {
			t.Fatalf("one message made %d events", len(events))
		}
		ev := events[0]
		switch {
		case m == nil || m.Author == nil:
			t.Fatalf("an event from a message without an author: %+v", ev)
		case m.Author.ID == "" || m.Author.Bot || m.Author.ID == fuzzBotID:
			t.Fatalf("an event from a bot: %+v", ev)
		case ev.Kind != bot.EventMessage || ev.User.Platform != "discord" || ev.User.ID != m.Author.ID:
			t.Fatalf("got event %+v for author %q", ev, m.Author.ID)
		case ev.Conv.Platform != "discord" || ev.Conv.DM != (m.GuildID == ""):
			t.Fatalf("got conversation %+v for guild %q", ev.Conv, m.GuildID)
		case ev.Conv.DM && ev.Conv.ID != m.ChannelID:
			t.Fatalf("got DM %q for channel %q", ev.Conv.ID, m.ChannelID)
		case !ev.Conv.DM && ev.Conv.Thread != m.ChannelID:
			t.Fatalf("a server message outside Quorum's threads became an event: %+v", ev.Conv)
		case ev.Audio != nil && ev.Text != "":
			t.Fatalf("both audio and text %q", ev.Text)
		case strings.HasPrefix(ev.Text, "<@"+fuzzBotID+">"):
			t.Fatalf("the mention was left in %q", ev.Text)
		}
	})
}

var interactionSeeds = []string{
	`{"id":"11","application_id":"900000000000000001","type":2,"token":"t","channel_id":"10","user":{"id":"5"},"data":{"id":"c","name":"practice","type":1,"options":[{"name":"topic","type":3,"value":"consensus"}]}}`,
	`{"id":"12","type":2,"token":"t","channel_id":"18","guild_id":"1","member":{"user":{"id":"5"},"permissions":"32"},"data":{"id":"c","name":"drill","type":1,"options":[{"name":"add","type":1,"options":[{"name":"cron","type":3,"value":"0 9 * * 1-5"}]}]}}`,
	`{"id":"13","type":3,"token":"t","channel_id":"10","user":{"id":"5"},"message":{"id":"20","channel_id":"10"},"data":{"custom_id":"quorum:model","component_type":2}}`,
	`{"id":"14","type":3,"token":"t","channel_id":"18","guild_id":"1","member":{"user":{"id":"5"}},"message":{"id":"27","channel_id":"18"},"data":{"custom_id":"quorum:answer","component_type":2}}`,
	`{"id":"15","type":5,"token":"t","channel_id":"17","guild_id":"1","member":{"user":{"id":"5"}},"data":{"custom_id":"quorum:answer-modal","components":[{"type":1,"components":[{"type":4,"custom_id":"answer","value":"Raft elects..."}]}]}}`,
	`{"id":"16","type":4,"token":"t","channel_id":"10","user":{"id":"5"},"data":{"id":"c","name":"practice","type":1,"options":[{"name":"topic","type":3,"value":"con","focused":true}]}}`,
	`{"id":"17","type":2,"token":"t","channel_id":"10","user":{"id":"5"}}`,
	`{"id":"18","type":3,"token":"t","channel_id":"10","user":{"id":"5"}}`,
	`{"id":"19","type":2,"token":"t","channel_id":"10","user":{"id":"6","bot":true},"data":{"name":"help"}}`,
	`null`, `{"type":5}`, `{"type":2,"member":{}}`,
}

// FuzzInteractionCreate: no payload crashes the adapter; an event comes only from a
// person, after the interaction was answered, with the invoker's id; only Quorum's
// buttons are actions, named by their custom id less the prefix (the core answers an
// unknown one); an answer form is an answer.
func FuzzInteractionCreate(f *testing.F) {
	for _, s := range interactionSeeds {
		f.Add([]byte(s))
	}
	stub := newStubDiscord(f)
	a := fuzzAdapter(f, stub)
	rec := &bottest.Recorder{}
	f.Fuzz(func(t *testing.T, data []byte) {
		if !json.Valid(data) {
			return
		}
		var ic discordgo.InteractionCreate
		json.Unmarshal(data, &ic)
		a.onInteraction(rec, ic.Interaction)
		a.wg.Wait()
		events := rec.Take()
		if len(events) == 0 {
			return
		}
		i := ic.Interaction
		if len(events) > 1 {
			t.Fatalf("one interaction made %d events", len(events))
		}
		ev := events[0]
		u := interactionUser(i)
		switch {
		case u == nil || u.ID == "" || u.Bot:
			t.Fatalf("an event without a person: %+v", ev)
		case ev.User.ID != u.ID || ev.User.Platform != "discord":
			t.Fatalf("got user %+v, want %q", ev.User, u.ID)
		case snowflake(i.ID) && stub.responded(i.ID) == 0: // other ids don't survive the URL
			t.Fatalf("an event from interaction %q that was never answered", i.ID)
		case ev.Conv.DM != (i.GuildID == ""):
			t.Fatalf("got conversation %+v for guild %q", ev.Conv, i.GuildID)
		}
		switch i.Type {
		case discordgo.InteractionMessageComponent:
			id := i.Data.(discordgo.MessageComponentInteractionData).CustomID
			if ev.Kind != bot.EventAction || !strings.HasPrefix(id, idPrefix) || ev.Action != strings.TrimPrefix(id, idPrefix) {
				t.Fatalf("button %q made %+v", id, ev)
			}
		case discordgo.InteractionModalSubmit:
			if !ev.Answer {
				t.Fatalf("an answer form made a non-answer %+v", ev)
			}
		case discordgo.InteractionApplicationCommand:
			name := i.Data.(discordgo.ApplicationCommandInteractionData).Name
			if ev.Kind != bot.EventMessage || !strings.HasPrefix(ev.Text, name) || strings.Contains(ev.Text, "<nil>") {
				t.Fatalf("a slash command made %+v", ev)
			}
		default:
			t.Fatalf("interaction type %d made an event", i.Type)
		}
	})
}

// snowflake reports whether id looks like a Discord id (digits), which is all discordgo
// puts into a URL path unescaped without harm.
func snowflake(id string) bool {
	for _, r := range id {
		if r < '0' || r > '9' {
			return false
		}
	}
	return id != ""
}
