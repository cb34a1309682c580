package slack_test

import (
	"context"
	"encoding/json"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/quorum-dev/quorum/adapters/slack"
	"github.com/quorum-dev/quorum/adapters/slack/slacktest"
	"github.com/quorum-dev/quorum/bot"
	"github.com/quorum-dev/quorum/bot/bottest"
	"github.com/quorum-dev/quorum/bot/rubric"
	"github.com/quorum-dev/quorum/store"
)

// process is the core and the adapter on a bbolt file that outlives them, so a test can
// stop and start them as a restart of Quorum would, against the same fake Slack.
type process struct {
	t      *testing.T
	srv    *slacktest.Server
	clock  *bottest.Clock
	path   string
	starts int

	store  *store.Store
	bot    *bot.Bot
	cancel context.CancelFunc
	done   chan error
}

func (p *process) start() {
	p.t.Helper()
	st, err := store.Open(p.path, time.Second)
	if err != nil {
		p.t.Fatal(err)
	}
	p.store = st
	p.bot = bot.New(bot.Config{Bank: loadBank(p.t), Grader: rubric.New(rubric.Options{}), Store: st, Clock: p.clock,
		Grace: 10 * time.Second, Rand: rand.New(rand.NewPCG(1, 2))})
	ad, err := slack.New(slack.Config{AppToken: slacktest.AppToken, BotToken: slacktest.BotToken, APIURL: p.srv.APIURL()})
	if err != nil {
		p.t.Fatal(err)
	}
	p.bot.AddPlatform(ad)
	ctx, cancel := context.WithCancel(context.Background())
	if err := p.bot.Start(ctx); err != nil {
		p.t.Fatal(err)
	}
	p.cancel, p.done = cancel, make(chan error, 1)
	go func() { p.done <- ad.Run(ctx, p.bot) }()
	p.starts++
	p.srv.WaitConnected(p.t, p.starts)
}

func (p *process) stop() {
	if p.store == nil {
		return
	}
	p.cancel()
	if err := <-p.done; err != nil {
		p.t.Errorf("Run: %v", err)
	}
	p.bot.Close()
	p.store.Close()
	p.store = nil
}

// questions returns the questions posted in channel outside threads.
func questions(srv *slacktest.Server, channel string) []slacktest.Call {
	var out []slacktest.Call
	for _, c := range srv.Calls("chat.postMessage") {
		if c.Error == "" && in(channel, "")(c) && header(c) != "" && c.Param("metadata") != "" {
			out = append(out, c)
		}
	}
	return out
}

// TestRestartFindsOrSendsUnconfirmedQuestion: Slack has no idempotency key, so a
// question carries its session in its metadata. A restart after a kill that cut a
// question's send short reads the conversation first: a question that was posted is
// taken as sent (its thread kept), one that was not is posted now; neither is posted twice.
func TestRestartFindsOrSendsUnconfirmedQuestion(t *testing.T) {
	p := &process{t: t, srv: slacktest.New(t), clock: bottest.NewClock(time.Now()), path: filepath.Join(t.TempDir(), "quorum.db")}
	p.start()
	t.Cleanup(p.stop)
	ctx := context.Background()

	// Posted, but the kill came before its ts was recorded.
	p.srv.Slash("U1", "C1", "practice consensus")
	q := p.srv.Wait(t, "chat.postMessage", in("C1", ""))
	var meta struct {
		Type    string            `json:"event_type"`
		Payload map[string]string `json:"event_payload"`
	}
	if err := json.Unmarshal([]byte(q.Param("metadata")), &meta); err != nil || meta.Type != "quorum_message" || !strings.HasPrefix(meta.Payload["key"], "q") {
		t.Fatalf("question metadata %q (%v), want its key", q.Param("metadata"), err)
	}
	u1, c1 := bot.User{Platform: slack.Name, ID: "U1"}, bot.Conversation{Platform: slack.Name, ID: "C1"}
	var s bot.Session
	deadline := time.Now().Add(5 * time.Second)
	for s.MessageID != q.TS && time.Now().Before(deadline) {
		s, _ = p.bot.OpenSession(u1, c1)
		time.Sleep(time.Millisecond)
	}
	if s.ResendBy.IsZero() {
		t.Fatal("a channel question on Slack may never be sent again")
	}
	s.MessageID, s.Conv.Thread = "", "" // as the session was first stored
	if err := p.store.SaveSession(ctx, &s, nil); err != nil {
		t.Fatal(err)
	}
	p.stop()
	p.clock.Advance(20 * time.Second)
	p.start()
	p.bot.Idle()
	if n := len(p.srv.Calls("conversations.history")); n != 1 {
		t.Fatalf("%d conversations.history calls, want the one looking for the question", n)
	}
	if qs := questions(p.srv, "C1"); len(qs) != 1 {
		t.Fatalf("%d questions posted in C1, want 1", len(qs))
	}
	if s, _ := p.bot.OpenSession(u1, c1); s.MessageID != q.TS || s.Conv.Thread != q.TS {
		t.Fatalf("session has message %q, thread %q; want both %s", s.MessageID, s.Conv.Thread, q.TS)
	}
	p.srv.Post(slacktest.Message{User: "U1", Channel: "C1", ThreadTS: q.TS, Text: goodAnswer})
	wantVerdict(t, p.srv.Wait(t, "chat.postMessage", in("C1", q.TS)), "PASS")

	// Stored, but killed before the post: the restart finds nothing and posts it.
	now := p.clock.Now()
	u2, dm := bot.User{Platform: slack.Name, ID: "U2"}, bot.Conversation{Platform: slack.Name, ID: "DU2", DM: true}
	stored := &bot.Session{User: u2, Conv: dm, Question: s.Question, Kind: bot.KindPractice, State: bot.SessionOpen,
		Asked: now, Deadline: now.Add(3 * time.Minute), Grace: 10 * time.Second, ResendBy: now.Add(10 * time.Minute)}
	if err := p.store.SaveSession(ctx, stored, nil); err != nil {
		t.Fatal(err)
	}
	p.stop()
	p.start()
	p.bot.Idle()
	qs := questions(p.srv, "DU2")
	if len(qs) != 1 || header(qs[0]) != "Question: raft-election" {
		t.Fatalf("got %d questions in DU2, want the stored one posted once", len(qs))
	}
	if s, _ := p.bot.OpenSession(u2, dm); s.MessageID != qs[0].TS {
		t.Fatalf("session's message %q, want %s", s.MessageID, qs[0].TS)
	}

	// Past its window (a long restart): not looked for, not sent again; its time's-up
	// will close it.
	asked := p.clock.Now().Add(-11 * time.Minute)
	late := &bot.Session{User: bot.User{Platform: slack.Name, ID: "U3"}, Conv: bot.Conversation{Platform: slack.Name, ID: "DU3", DM: true},
		Question: s.Question, Kind: bot.KindPractice, State: bot.SessionOpen,
		Asked: asked, Deadline: asked.Add(30 * time.Minute), Grace: 10 * time.Second, ResendBy: asked.Add(10 * time.Minute)}
	if err := p.store.SaveSession(ctx, late, nil); err != nil {
		t.Fatal(err)
	}
	looks := len(p.srv.Calls("conversations.history"))
	p.stop()
	p.start()
	p.bot.Idle()
	if qs := questions(p.srv, "DU3"); len(qs) != 0 || len(p.srv.Calls("conversations.history")) != looks {
		t.Fatalf("a question past its window was looked for or sent again (%d posted)", len(qs))
	}
}

// TestRestartFindsPostedVerdict: a verdict carries its key in its metadata too, so one
// left in the outbox by a kill after its post is found in the conversation at the
// restart, not posted twice.
func TestRestartFindsPostedVerdict(t *testing.T) {
	p := &process{t: t, srv: slacktest.New(t), clock: bottest.NewClock(time.Now()), path: filepath.Join(t.TempDir(), "quorum.db")}
	p.start()
	t.Cleanup(p.stop)
	ctx := context.Background()
	p.srv.Post(slacktest.Message{User: "U1", Channel: "DU1", ChannelType: "im", Text: "practice consensus"})
	p.srv.Wait(t, "chat.postMessage", in("DU1", ""))
	p.srv.Post(slacktest.Message{User: "U1", Channel: "DU1", ChannelType: "im", Text: goodAnswer})
	verdicts := func() (n int) {
		for _, c := range p.srv.Calls("chat.postMessage") {
			if c.Error == "" && strings.HasPrefix(header(c), "PASS") {
				n++
			}
		}
		return n
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		ds, _ := p.store.Undelivered(ctx)
		if verdicts() == 1 && len(ds) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d verdicts posted, %d left in the outbox", verdicts(), len(ds))
		}
		time.Sleep(time.Millisecond)
	}
	as, err := p.store.Attempts(ctx, "slack:U1")
	if err != nil || len(as) != 1 {
		t.Fatalf("attempts %d (%v)", len(as), err)
	}
	as[0].Deliver = &bot.Delivery{User: bot.User{Platform: slack.Name, ID: "U1"}, Conv: bot.Conversation{Platform: slack.Name, ID: "DU1", DM: true},
		By: p.clock.Now().Add(10 * time.Minute)}
	if err := p.store.FinishSession(ctx, 0, as[0]); err != nil { // as a kill before it was taken out
		t.Fatal(err)
	}
	p.stop()
	p.start()
	p.bot.Idle()
	if n := len(p.srv.Calls("conversations.history")); n != 1 || verdicts() != 1 {
		t.Fatalf("%d lookups and %d verdicts posted, want one lookup and the verdict once", n, verdicts())
	}
	if ds, _ := p.store.Undelivered(ctx); len(ds) != 0 {
		t.Fatalf("outbox still holds %+v", ds)
	}
}
