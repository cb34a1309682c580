package bot_test

import (
	"bytes"
	"context"
	"image/png"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/quorum-dev/quorum/bot"
	"github.com/quorum-dev/quorum/bot/bottest"
	"github.com/quorum-dev/quorum/store"
)

// scored makes graded attempts with these scores, one a day from t0 minus their count.
func scored(user string, scores ...int) []*bot.Attempt {
	var out []*bot.Attempt
	start := t0.Add(-time.Duration(len(scores)) * 24 * time.Hour)
	for i, s := range scores {
		at := start.Add(time.Duration(i) * 24 * time.Hour)
		out = append(out, &bot.Attempt{User: user, Question: "test/raft-election", Topic: "consensus", Outcome: bot.OutcomeGraded,
			Score: s, Pass: s >= 60, Asked: at.Add(-time.Minute), Answered: at,
			Verdict: &bot.Verdict{Score: s, Pass: s >= 60, Scores: bot.Scores{Content: s, Clarity: 80, Confidence: 90, Delivery: s / 2}}})
	}
	return out
}

func repeat(n, score int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = score
	}
	return out
}

func TestScoreTrend(t *testing.T) {
	for _, c := range []struct {
		name   string
		scores []int
		window int
		word   string
	}{
		{"none", nil, 0, "not enough answers yet"},
		{"three", []int{10, 50, 90}, 0, "not enough answers yet"},
		{"four up", []int{40, 50, 70, 80}, 2, "up 30 points"},
		{"last ten vs ten before", append(append(repeat(5, 0), repeat(10, 50)...), repeat(10, 62)...), 10, "up 12 points"},
		{"steady within four", append(repeat(10, 60), repeat(10, 64)...), 10, "steady"},
		{"down", append(repeat(10, 70), repeat(10, 63)...), 10, "down 7 points"},
		{"odd count uses half", []int{0, 20, 20, 80, 80}, 2, "up 60 points"},
	} {
		tr := bot.ScoreTrend(scored("test:a", c.scores...))
		if tr.Window != c.window || tr.Word() != c.word {
			t.Errorf("%s: got window %d %q, want %d %q", c.name, tr.Window, tr.Word(), c.window, c.word)
		}
	}
}

func TestTrendAndDimensionsIgnoreSkipsAndTimeouts(t *testing.T) {
	as := scored("test:a", 40, 40, 80, 80)
	as = append(as,
		&bot.Attempt{Outcome: bot.OutcomeTimeout, Answered: t0, Score: 0},
		&bot.Attempt{Outcome: bot.OutcomeSkipped, Answered: t0})
	if tr := bot.ScoreTrend(as); tr.Word() != "up 40 points" {
		t.Errorf("trend: got %q, want up 40 points", tr.Word())
	}
	d := bot.DimensionAverages(as)
	if d.N != 4 || d.Content != 60 || d.Clarity != 80 || d.Confidence != 90 || d.Delivery != 30 {
		t.Errorf("got %+v, want 4 answers averaging content 60, clarity 80, confidence 90, delivery 30", d)
	}
}

func (h *harness) record(as []*bot.Attempt) {
	h.t.Helper()
	for _, a := range as {
		if err := h.store.FinishSession(context.Background(), 0, a); err != nil {
			h.t.Fatal(err)
		}
	}
}

func TestStatsShowsDimensionsTrendStreakAndChart(t *testing.T) {
	h := newHarness(t)
	h.record(scored(alice.Key(), append(repeat(10, 50), repeat(10, 62)...)...))
	h.say(alice, dm, "stats")
	m := h.plat.NextKind(t, bot.MsgStats)
	for _, want := range []string{
		"20 attempts, 10 passed (50%), average score 56",
		"Dimensions (average of 20 graded answers): content 56 · clarity 80 · confidence 90 · delivery 28",
		"Trend: up 12 points (your last 10 graded answers average 62; the 10 before, 50).",
		"Streak: 20 days in a row (best 20 days)",
		"Chart: quorum-stats.png, your scores over time",
	} {
		if !strings.Contains(m.Text, want) {
			t.Errorf("stats lack %q:\n%s", want, m.Text)
		}
	}
	fields := map[string]string{}
	for _, f := range m.Fields {
		fields[f.Label] = f.Value
	}
	if fields["Trend"] != "up 12 points" || fields["Content"] != "56" || fields["Pass rate"] != "50%" {
		t.Errorf("got fields %v", fields)
	}
	if len(m.Files) != 1 || m.Files[0].Name != bot.ChartName || m.Files[0].ContentType != "image/png" {
		t.Fatalf("got files %+v, want the chart", m.Files)
	}
	img, err := png.Decode(bytes.NewReader(m.Files[0].Data))
	if err != nil {
		t.Fatalf("chart is not a PNG: %v", err)
	}
	if b := img.Bounds(); b.Dx() != 800 || b.Dy() != 400 {
		t.Errorf("chart is %dx%d, want 800x400", b.Dx(), b.Dy())
	}
}

func TestStatsWithoutEnoughAnswersForAChart(t *testing.T) {
	h := newHarness(t)
	h.say(alice, dm, "stats")
	m := h.plat.NextKind(t, bot.MsgStats)
	if len(m.Files) != 0 || !strings.Contains(m.Text, "No attempts yet") {
		t.Errorf("no attempts: got %q with %d files", m.Text, len(m.Files))
	}
	h.record(scored(alice.Key(), 70))
	h.say(alice, dm, "stats")
	m = h.plat.NextKind(t, bot.MsgStats)
	if len(m.Files) != 0 {
		t.Errorf("one answer: got %d files, want no chart", len(m.Files))
	}
	for _, want := range []string{"Chart: none yet; it needs 2 graded answers (you have 1).", "Trend: not yet; it needs 4 graded answers (you have 1)."} {
		if !strings.Contains(m.Text, want) {
			t.Errorf("stats lack %q:\n%s", want, m.Text)
		}
	}
}

// BenchmarkStatsMessage times `stats` for a person with 1,000 graded attempts in a real
// bbolt file: loading them, the tables, trend and dimensions, and drawing the chart.
func BenchmarkStatsMessage(b *testing.B) {
	st, err := store.Open(filepath.Join(b.TempDir(), "bench.db"), 0)
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	ctx := context.Background()
	scores := make([]int, 1000)
	for i := range scores {
		scores[i] = 30 + (i*37)%65
	}
	for _, a := range scored(alice.Key(), scores...) {
		if err := st.FinishSession(ctx, 0, a); err != nil {
			b.Fatal(err)
		}
	}
	core := bot.New(bot.Config{Bank: loadBank(b), Store: st, Clock: bottest.NewClock(t0)})
	var size int
	for b.Loop() {
		m, err := core.StatsMessage(ctx, alice, dm)
		if err != nil || len(m.Files) != 1 {
			b.Fatalf("got %d files, %v", len(m.Files), err)
		}
		size = len(m.Files[0].Data)
	}
	b.ReportMetric(float64(size)/1024, "png-KB")
}

func TestStatsCountsReviewsDue(t *testing.T) {
	h := newHarness(t)
	h.say(alice, dm, "practice consensus")
	h.plat.NextKind(t, bot.MsgQuestion)
	h.say(alice, dm, wrongAnswer)
	h.plat.NextKind(t, bot.MsgVerdict)
	h.say(alice, dm, "stats")
	if m := h.plat.NextKind(t, bot.MsgStats); !strings.Contains(m.Text, "Reviews: 0 questions you failed before due now (`practice` asks them first), 1 more later.") {
		t.Fatalf("right after the failure:\n%s", m.Text)
	}
	h.clock.Advance(23 * time.Hour) // within the leeway of the 24-hour interval
	h.say(alice, dm, "stats")
	if m := h.plat.NextKind(t, bot.MsgStats); !strings.Contains(m.Text, "Reviews: 1 question you failed before due now") {
		t.Fatalf("a day later:\n%s", m.Text)
	}
	// Never the same question twice in a row: the other one first, then the review.
	h.say(alice, dm, "practice")
	if q := h.plat.NextKind(t, bot.MsgQuestion); q.Question.ID != "quorum-overlap" {
		t.Fatalf("got %s, want the other question (the last one is not repeated)", q.Question.ID)
	}
	h.say(alice, dm, "skip")
	h.plat.NextKind(t, bot.MsgInfo)
	h.say(alice, dm, "practice")
	if q := h.plat.NextKind(t, bot.MsgQuestion); q.Question.ID != "raft-election" {
		t.Fatalf("got %s, want the failed question back", q.Question.ID)
	}
}
