package bot_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/quorum-dev/quorum/bot"
)

func TestExportInADirectMessage(t *testing.T) {
	h := newHarness(t)
	h.say(alice, dm, "practice consensus")
	h.plat.NextKind(t, bot.MsgQuestion)
	h.say(alice, dm, goodAnswer)
	h.plat.NextKind(t, bot.MsgVerdict)
	h.say(alice, dm, "resume Ten years of Kafka and etcd at scale.")
	h.plat.NextKind(t, bot.MsgInfo)
	bobDM := bot.Conversation{Platform: "test", ID: "dm-bob", DM: true}
	h.say(bob, bobDM, "practice replication")
	h.plat.NextKind(t, bot.MsgQuestion)
	h.say(bob, bobDM, "Bob says quorums overlap so every read sees the latest write.")
	h.plat.NextKind(t, bot.MsgVerdict)

	h.say(alice, dm, "export")
	m := h.plat.NextKind(t, bot.MsgInfo)
	if len(m.Files) != 1 {
		t.Fatalf("got %d files, want the export", len(m.Files))
	}
	f := m.Files[0]
	if f.Name != "quorum-export-2026-11-25.json" || f.ContentType != "application/json" {
		t.Errorf("got file %q (%s), want quorum-export-2026-11-25.json", f.Name, f.ContentType)
	}
	var d bot.PersonalData
	if err := json.Unmarshal(f.Data, &d); err != nil {
		t.Fatalf("export is not JSON: %v", err)
	}
	if d.Format != bot.ExportFormat || d.User != alice.Key() || len(d.Attempts) != 1 || d.Attempts[0].Answer != goodAnswer ||
		d.Profile == nil || !strings.Contains(d.Profile.Resume, "Kafka") || d.Person == nil {
		t.Errorf("got export %+v", d)
	}
	if strings.Contains(string(f.Data), "Bob says") || strings.Contains(string(f.Data), bob.Key()) {
		t.Errorf("alice's export holds bob's data:\n%s", f.Data)
	}
	for _, want := range []string{"quorum-export-2026-11-25.json", "1 attempt,", "`forget` deletes all of it"} {
		if !strings.Contains(m.Text, want) {
			t.Errorf("text lacks %q: %s", want, m.Text)
		}
	}
}

func TestExportNeverInAChannel(t *testing.T) {
	h := newHarness(t)
	h.say(alice, dm, "practice consensus")
	h.plat.NextKind(t, bot.MsgQuestion)
	h.say(alice, dm, goodAnswer)
	h.plat.NextKind(t, bot.MsgVerdict)
	channel := bot.Conversation{Platform: "test", ID: "general"}
	h.say(alice, channel, "export")
	m := h.plat.NextKind(t, bot.MsgInfo)
	if len(m.Files) != 0 || !strings.Contains(m.Text, "only send your data in a direct message") {
		t.Fatalf("got %q with %d files, want a pointer to the DM and no file", m.Text, len(m.Files))
	}
}

func TestExportTooLargeToAttach(t *testing.T) {
	h := newHarness(t)
	long := strings.Repeat("Raft elects a leader with a majority of votes in each term. ", 20000/60*5)
	// About 200 KB an attempt (answer and summary): 45 of them pass the 8 MB limit.
	var as []*bot.Attempt
	for range 45 {
		as = append(as, &bot.Attempt{User: alice.Key(), Question: "test/raft-election", Outcome: bot.OutcomeGraded,
			Answer: long, Verdict: &bot.Verdict{Score: 70, Feedback: bot.Feedback{Summary: long}}})
	}
	h.record(as)
	h.say(alice, dm, "export")
	m := h.plat.NextKind(t, bot.MsgInfo)
	if len(m.Files) != 0 || !strings.Contains(m.Text, "quorum export --user "+alice.Key()) {
		t.Fatalf("got %q with %d files, want the way to get it as a file", m.Text, len(m.Files))
	}
}
