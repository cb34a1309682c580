package bot_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/quorum-dev/quorum/bot"
)

// TestOnePersonCannotReachAnothersData drives every command as bob, in the channel
// where alice has an open question and in alice's own DM conversation, and checks
// that alice's history, open question, profile and daily drill are all still there
// and that nothing of hers is shown to bob.
func TestOnePersonCannotReachAnothersData(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	h.say(alice, dm, "practice consensus")
	h.plat.NextKind(t, bot.MsgQuestion)
	h.say(alice, dm, goodAnswer)
	h.plat.NextKind(t, bot.MsgVerdict)
	h.say(alice, dm, "resume Alice Example, distributed storage engineer at Acme, Raft and Paxos")
	h.plat.Next(t)
	h.say(alice, dm, "daily on 18:00 UTC")
	h.plat.NextKind(t, bot.MsgInfo)
	h.say(alice, chanA, "practice consensus")
	aliceQ := h.plat.NextKind(t, bot.MsgQuestion)
	open, _ := h.bot.OpenSession(alice, chanA)
	thread := open.Conv // the question's thread, where her answer goes

	before := h.attempts(alice)
	secret := "Acme"

	cmds := []string{
		"stats", "model", "followup", "skip", "stop", "forget", "forget confirm",
		"daily status", "daily skip", "daily off", "resume", "jd", "tailor",
		"interview", goodAnswer,
	}
	for _, conv := range []bot.Conversation{chanA, thread, dm} {
		for _, c := range cmds {
			h.say(bob, conv, c)
			h.bot.Idle()
			for _, m := range h.plat.Messages() {
				if m.To.Key() == bob.Key() && (strings.Contains(m.Text, secret) || strings.Contains(m.Text, "PASS")) {
					t.Fatalf("bob saw alice's data after %q: %q", c, m.Text)
				}
			}
			h.plat.Drain()
			// bob's own question, asked by `interview` or `tailor`, is skipped again so
			// the next command is not taken as its answer.
			h.say(bob, conv, "stop")
			h.bot.Idle()
			h.plat.Drain()
		}
	}

	after := h.attempts(alice)
	if len(after) != len(before) {
		t.Fatalf("alice had %d attempts, now %d", len(before), len(after))
	}
	if s, open := h.bot.OpenSession(alice, chanA); !open || s.Question != aliceQ.Question.Ref() {
		t.Fatalf("alice's open question in the channel is gone: %+v %v", s, open)
	}
	p, err := h.store.Profile(ctx, alice.Key())
	if err != nil || !strings.Contains(p.Resume, secret) {
		t.Fatalf("alice's resume: got %+v, %v", p, err)
	}
	ds, err := h.store.Dailies(ctx)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, d := range ds {
		if d.User.Key() == alice.Key() {
			found = !d.SkipNext
		}
	}
	if !found {
		t.Fatalf("alice's daily drill was changed or removed: %+v", ds)
	}
	// alice's question still takes her answer.
	h.say(alice, thread, goodAnswer)
	if v := h.plat.NextKind(t, bot.MsgVerdict); !strings.HasPrefix(v.Title, "PASS") {
		t.Fatalf("got %q", v.Title)
	}
	// And her daily still runs.
	h.clock.Advance(9 * time.Hour)
	if q := h.plat.NextKind(t, bot.MsgQuestion); q.To.Key() != alice.Key() {
		t.Fatalf("the daily question went to %v", q.To)
	}
}
