package bot_test

import (
	"context"
	"errors"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/quorum-dev/quorum/bot"
	"github.com/quorum-dev/quorum/bot/bottest"
	"github.com/quorum-dev/quorum/bot/rubric"
	"github.com/quorum-dev/quorum/prompts"
	"github.com/quorum-dev/quorum/store"
)

const staffResume = `resume Staff-level engineer. Ran a 60-broker Kafka cluster with exactly-once pipelines and
consumer-lag alerting, and a 200-node Cassandra ring: repairs, compaction tuning, tombstone incidents.`

const staffJD = `jd Staff Software Engineer, Data Platform. Own our Kafka and Cassandra fleets, lead multi-region
replication design, mentor engineers on consistency trade-offs.`

// writerFunc adapts a function to bot.QuestionWriter.
type writerFunc func(ctx context.Context, p bot.Profile, n int) ([]*bot.Question, int, error)

func (f writerFunc) WriteQuestions(ctx context.Context, p bot.Profile, n int) ([]*bot.Question, int, error) {
	return f(ctx, p, n)
}

func realBankHarness(t *testing.T, w bot.QuestionWriter) (*bot.Bot, *bottest.Platform, *store.Store, func() (*bot.Bot, *bottest.Platform)) {
	t.Helper()
	bank, err := prompts.LoadBank()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "q.db")
	clock := bottest.NewClock(t0)
	var st *store.Store
	var b *bot.Bot
	open := func() (*bot.Bot, *bottest.Platform) {
		if b != nil {
			b.Close()
			st.Close()
		}
		st, err = store.Open(path, 0)
		if err != nil {
			t.Fatal(err)
		}
		p := bottest.NewPlatform("test")
		b = bot.New(bot.Config{Bank: bank, Grader: rubric.New(rubric.Options{}), Store: st, Clock: clock, Writer: w, Rand: rand.New(rand.NewPCG(3, 4))})
		b.AddPlatform(p)
		if err := b.Start(context.Background()); err != nil {
			t.Fatal(err)
		}
		return b, p
	}
	b, p := open()
	t.Cleanup(func() { b.Close(); st.Close() })
	return b, p, st, func() (*bot.Bot, *bottest.Platform) { b, p := open(); return b, p }
}

func TestTailorFromBankWithoutLLM(t *testing.T) {
	b, p, st, _ := realBankHarness(t, nil)
	say := func(text string) { b.Handle(context.Background(), bot.Event{User: alice, Conv: dm, Text: text}) }
	say("tailor")
	if m := p.NextKind(t, bot.MsgInfo); !strings.Contains(m.Text, "resume <text>") {
		t.Fatalf("got %q", m.Text)
	}
	say("resume")
	if m := p.NextKind(t, bot.MsgInfo); !strings.Contains(m.Text, "Paste your resume") {
		t.Fatalf("got %q", m.Text)
	}
	say(staffResume)
	p.NextKind(t, bot.MsgInfo)
	say(staffJD)
	if m := p.NextKind(t, bot.MsgInfo); !strings.Contains(m.Text, "Say `tailor`") {
		t.Fatalf("got %q", m.Text)
	}
	say("tailor")
	m := p.NextKind(t, bot.MsgInfo)
	lower := strings.ToLower(m.Text)
	if !strings.Contains(m.Text, "I picked 10 questions") || !strings.Contains(lower, "kafka") || !strings.Contains(lower, "cassandra") {
		t.Fatalf("tailored list lacks Kafka and Cassandra:\n%s", m.Text)
	}
	pack, err := st.PersonalPack(context.Background(), alice.Key())
	if err != nil || pack.Source != "bank" || len(pack.Picks) != 10 {
		t.Fatalf("got pack %+v, %v", pack, err)
	}
	say("practice")
	q := p.NextKind(t, bot.MsgQuestion)
	found := false
	for _, ref := range pack.Picks {
		found = found || ref == q.Question.Ref()
	}
	if !found {
		t.Fatalf("practice asked %s, not one of the tailored questions %v", q.Question.Ref(), pack.Picks)
	}

	say("forget")
	if m := p.NextKind(t, bot.MsgInfo); !strings.Contains(m.Text, "forget confirm") {
		t.Fatalf("got %q", m.Text)
	}
	say("forget confirm")
	if m := p.NextKind(t, bot.MsgInfo); !strings.Contains(m.Text, "deleted everything") {
		t.Fatalf("got %q", m.Text)
	}
	if _, err := st.Profile(context.Background(), alice.Key()); !errors.Is(err, bot.ErrNotFound) {
		t.Fatalf("profile survived forget: %v", err)
	}
	if _, err := st.PersonalPack(context.Background(), alice.Key()); !errors.Is(err, bot.ErrNotFound) {
		t.Fatalf("pack survived forget: %v", err)
	}
	if ss, _ := st.Sessions(context.Background()); len(ss) != 0 {
		t.Fatalf("%d sessions survived forget", len(ss))
	}
	if _, open := b.OpenSession(alice, dm); open {
		t.Fatal("the open session survived forget in memory")
	}
}

func TestTailorWithWriter(t *testing.T) {
	written := &bot.Question{Pack: "personal", ID: "kafka-acked-loss", Topic: "messaging", Difficulty: "hard", Kind: "concept",
		Prompt: "How can a Kafka cluster lose a write it acknowledged, and how do you prevent it?", PassWeight: 0.6,
		KeyPoints: []bot.KeyPoint{
			{ID: "acks", Text: "acks=1 acknowledges before followers have it.", Weight: 2, Evidence: []string{"acks 1", "only the leader"}},
			{ID: "unclean", Text: "Unclean leader election promotes an out-of-sync replica.", Weight: 2, Evidence: []string{"unclean leader election", "out of sync replica"}},
			{ID: "isr", Text: "min.insync.replicas with acks=all bounds the loss.", Weight: 2, Evidence: []string{"min insync replicas", "acks all"}},
		},
		ModelAnswer: "..."}
	calls := 0
	w := writerFunc(func(ctx context.Context, p bot.Profile, n int) ([]*bot.Question, int, error) {
		calls++
		if !strings.Contains(p.Resume, "Cassandra ring") || n != bot.PersonalPackSize {
			t.Errorf("writer got profile %+v, n %d", p, n)
		}
		return []*bot.Question{written}, 3, nil
	})
	b, p, _, restart := realBankHarness(t, w)
	say := func(b *bot.Bot, text string) {
		b.Handle(context.Background(), bot.Event{User: alice, Conv: dm, Text: text})
	}
	say(b, staffResume)
	p.Next(t)
	say(b, "tailor")
	m := p.NextKind(t, bot.MsgInfo)
	if calls != 1 || !strings.Contains(m.Text, "I wrote 1 question for you") || !strings.Contains(m.Text, "3 more failed my checks") {
		t.Fatalf("got %q after %d calls", m.Text, calls)
	}
	say(b, "practice messaging")
	q := p.NextKind(t, bot.MsgQuestion)
	if q.Question.ID != "kafka-acked-loss" {
		t.Fatalf("got %s, want the written question first", q.Question.Ref())
	}
	b, p = restart() // the written question lives in the session, not the bank
	say(b, "There are two ways it happens. With acks=1 only the leader has the record at the moment it acknowledges, so if that broker dies before the followers fetch it, the write is gone. And unclean leader election can hand leadership to an out-of-sync replica that never had the write. To prevent it I use acks=all with min.insync.replicas set to 2, and I keep unclean election disabled.")
	v := p.NextKind(t, bot.MsgVerdict)
	if !v.Verdict.Pass || v.Verdict.QuestionID != "personal/kafka-acked-loss" {
		t.Fatalf("got %s for %s:\n%s", v.Title, v.Verdict.QuestionID, v.Text)
	}
	_ = time.Second
}

func TestTailorWriterFailureFallsBackToBank(t *testing.T) {
	w := writerFunc(func(context.Context, bot.Profile, int) ([]*bot.Question, int, error) {
		return nil, 0, errors.New("llm down")
	})
	b, p, _, _ := realBankHarness(t, w)
	b.Handle(context.Background(), bot.Event{User: alice, Conv: dm, Text: staffJD})
	p.Next(t)
	b.Handle(context.Background(), bot.Event{User: alice, Conv: dm, Text: "tailor"})
	if m := p.NextKind(t, bot.MsgInfo); !strings.Contains(m.Text, "I picked") || !strings.Contains(m.Text, "The LLM couldn't write questions") {
		t.Fatalf("got %q, want the bank's picks, saying the LLM failed", m.Text)
	}
}

// TestTailorSaysWhatItReadFrom: with only a job description, the questions are said to
// fit the job description, not "your resume and job description".
func TestTailorSaysWhatItReadFrom(t *testing.T) {
	b, p, _, _ := realBankHarness(t, nil)
	b.Handle(context.Background(), bot.Event{User: alice, Conv: dm, Text: staffJD})
	p.Next(t)
	b.Handle(context.Background(), bot.Event{User: alice, Conv: dm, Text: "tailor"})
	m := p.NextKind(t, bot.MsgInfo)
	if first, _, _ := strings.Cut(m.Text, "\n"); !strings.Contains(first, "that fit the job description.") || strings.Contains(first, "resume") || strings.Contains(first, "LLM") {
		t.Fatalf("got %q, want picks that fit the job description, with no word of a resume or an LLM", first)
	}
}
