package discord_test

import (
	"bytes"
	"context"
	"encoding/json"
	"image/png"
	"strings"
	"testing"
	"time"

	"github.com/quorum-dev/quorum/adapters/discord/discordtest"
	"github.com/quorum-dev/quorum/bot"
)

// graded stores n graded attempts for who, one a day up to t0.
func (e *env) graded(who discordtest.Invoker, scores ...int) {
	e.t.Helper()
	for i, s := range scores {
		at := t0.Add(-time.Duration(len(scores)-i) * 24 * time.Hour)
		a := &bot.Attempt{User: "discord:" + who.UserID, Question: "test/raft-election", Topic: "consensus",
			Outcome: bot.OutcomeGraded, Score: s, Pass: s >= 60, Asked: at, Answered: at,
			Verdict: &bot.Verdict{Score: s, Pass: s >= 60, Scores: bot.Scores{Content: s, Clarity: 70, Confidence: 80, Delivery: 90}}}
		if err := e.store.FinishSession(context.Background(), 0, a); err != nil {
			e.t.Fatal(err)
		}
	}
}

// wantChart fails unless p carries the stats chart as a PNG, shown in its embed.
func wantChart(t *testing.T, p discordtest.Post) {
	t.Helper()
	if len(p.Files) != 1 || p.Files[0].Name != bot.ChartName || p.Files[0].ContentType != "image/png" {
		t.Fatalf("got files %+v, want %s", p.Files, bot.ChartName)
	}
	img, err := png.Decode(bytes.NewReader(p.Files[0].Data))
	if err != nil {
		t.Fatalf("the attachment is not a PNG: %v", err)
	}
	if b := img.Bounds(); b.Dx() != 800 || b.Dy() != 400 {
		t.Fatalf("chart is %dx%d, want 800x400", b.Dx(), b.Dy())
	}
	if img := p.Embeds[0].Image; img == nil || img.URL != "attachment://"+bot.ChartName {
		t.Fatalf("embed image %+v, want the attachment", img)
	}
}

func TestStatsAttachTheChart(t *testing.T) {
	e := newEnv(t, nil)
	e.graded(alice, 40, 55, 70, 85)

	// In a DM: a channel message, as multipart, retried after a lost response without a second post.
	a := dm(e.srv, alice)
	path := "/api/v9/channels/" + a.ChannelID + "/messages"
	e.srv.LoseNextResponse("POST", path)
	e.srv.Say(a, "stats")
	p := e.srv.NextPost(t, "the stats", titled("Your progress"))
	if p.Via != "message" {
		t.Fatalf("got the stats via %s, want a channel message", p.Via)
	}
	wantChart(t, p)
	e.srv.WaitFor(t, "the retry with the same nonce", func() bool { return e.srv.Deduped() == 1 })

	// /stats in a server channel: the deferred, private response carries the chart.
	st := e.srv.Slash(alice, "stats")
	p = e.srv.NextPost(t, "the stats", titled("Your progress"))
	if p.Via != "original" || p.Interaction != st.Token || p.Flags&discordtest.FlagEphemeral == 0 {
		t.Fatalf("got the stats via %s flags %d, want the slash command's private response", p.Via, p.Flags)
	}
	wantChart(t, p)

	// Bob has one answer: no chart, and the text says why.
	e.graded(bob, 70)
	e.srv.Slash(bob, "stats")
	p = e.srv.NextPost(t, "bob's stats", titled("Your progress"))
	if len(p.Files) != 0 || p.Embeds[0].Image != nil {
		t.Fatalf("got files %+v for one answer, want none", p.Files)
	}
}

func TestExportOnlyInDM(t *testing.T) {
	e := newEnv(t, nil)
	e.graded(alice, 40, 80)
	e.graded(bob, 55)

	st := e.srv.Slash(alice, "export")
	p := e.srv.NextPost(t, "the refusal", nil)
	if p.Interaction != st.Token || p.Flags&discordtest.FlagEphemeral == 0 || len(p.Files) != 0 ||
		!strings.Contains(p.Text(), "only send your data in a direct message") {
		t.Fatalf("got %+v, want a private refusal without files", p)
	}

	a := dm(e.srv, alice)
	e.srv.Slash(a, "export")
	p = e.srv.NextPost(t, "the export", titled("Your data"))
	if len(p.Files) != 1 || !strings.HasPrefix(p.Files[0].Name, "quorum-export-") || p.Files[0].ContentType != "application/json" {
		t.Fatalf("got files %+v, want the export", p.Files)
	}
	var d bot.PersonalData
	if err := json.Unmarshal(p.Files[0].Data, &d); err != nil {
		t.Fatalf("export is not JSON: %v", err)
	}
	if d.User != "discord:"+alice.UserID || len(d.Attempts) != 2 {
		t.Fatalf("got %s with %d attempts, want alice's 2", d.User, len(d.Attempts))
	}
	if strings.Contains(string(p.Files[0].Data), bob.UserID) {
		t.Fatal("alice's export holds bob's records")
	}
}

func TestStatsWithoutAttachFilesPermission(t *testing.T) {
	e := newEnv(t, nil)
	e.srv.NoAttachFiles = true
	e.graded(alice, 40, 80)
	e.srv.Slash(alice, "practice", discordtest.String("topic", "consensus"))
	q := e.question(alice)
	e.srv.Say(in(alice, q.ID), goodAnswer)
	e.srv.NextPost(t, "the verdict", titled("PASS"))

	// `stats` typed in the question's thread: the text arrives without the chart.
	e.srv.Say(in(alice, q.ID), "stats")
	p := e.srv.NextPost(t, "the stats", titled("Your progress"))
	if p.ChannelID != q.ID || len(p.Files) != 0 || p.Embeds[0].Image != nil || !strings.Contains(p.Text(), "Trend:") {
		t.Fatalf("got %+v, want the stats text in the thread without files", p)
	}
	path := "/api/v9/channels/" + q.ID + "/messages"
	if n := e.srv.Attempts("POST", path); n != 3 {
		t.Fatalf("got %d posts to the thread, want 3 (the verdict, stats with the chart refused, stats without)", n)
	}
}
