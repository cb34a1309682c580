package bot_test

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/quorum-dev/quorum/bot"
	"github.com/quorum-dev/quorum/bot/bottest"
	"github.com/quorum-dev/quorum/store"
)

const day = 24 * time.Hour

// srsBank is a bank of n questions in each topic, ids topic-1..topic-n, difficulties in turn.
func srsBank(t testing.TB, n int, topics ...string) *bot.Bank {
	t.Helper()
	p := &bot.Pack{ID: "srs", Title: "Spaced repetition", Source: "srs.yaml"}
	for _, topic := range topics {
		for i := 1; i <= n; i++ {
			p.Questions = append(p.Questions, &bot.Question{
				Pack: "srs", ID: fmt.Sprintf("%s-%d", topic, i), Topic: topic,
				Difficulty: bot.Difficulties[i%3], Kind: bot.Kinds[i%2],
				Prompt:    "Explain " + topic + ".",
				KeyPoints: []bot.KeyPoint{{ID: "k", Text: "the point", Weight: 1, Evidence: []string{"point"}}},
			})
		}
	}
	b, err := bot.NewBank(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// try is one attempt in a made-up history: question id in the srs pack, outcome,
// score, and when it ended after t0. A pass is a graded score of 60 or more.
type try struct {
	id      string
	outcome string
	score   int
	at      time.Duration
	kind    string
	// interview is the mock interview the attempt belongs to, 0 for none.
	interview uint64
}

func fail(id string, at time.Duration) try { return try{id, bot.OutcomeGraded, 20, at, "", 0} }
func pass(id string, score int, at time.Duration) try {
	return try{id, bot.OutcomeGraded, score, at, "", 0}
}

func history(t testing.TB, bank *bot.Bank, tries ...try) []*bot.Attempt {
	t.Helper()
	var out []*bot.Attempt
	for i, tr := range tries {
		q, err := bank.Lookup("srs/" + tr.id)
		if err != nil {
			t.Fatal(err)
		}
		kind := tr.kind
		if kind == "" {
			kind = bot.KindPractice
		}
		at := t0.Add(tr.at)
		out = append(out, &bot.Attempt{
			ID: uint64(i + 1), User: alice.Key(), Question: q.Ref(), Topic: q.Topic, Difficulty: q.Difficulty,
			Kind: kind, Interview: tr.interview, Outcome: tr.outcome, Score: tr.score, Pass: tr.outcome == bot.OutcomeGraded && tr.score >= 60,
			Asked: at.Add(-time.Minute), Answered: at,
		})
	}
	return out
}

func TestQuality(t *testing.T) {
	for _, c := range []struct {
		name    string
		a       bot.Attempt
		want    int
		counted bool
	}{
		{"skip", bot.Attempt{Outcome: bot.OutcomeSkipped}, 0, false},
		{"timeout", bot.Attempt{Outcome: bot.OutcomeTimeout}, 0, true},
		{"blank fail", bot.Attempt{Outcome: bot.OutcomeGraded, Score: 10}, 0, true},
		{"weak fail", bot.Attempt{Outcome: bot.OutcomeGraded, Score: 30}, 1, true},
		{"near miss", bot.Attempt{Outcome: bot.OutcomeGraded, Score: 55}, 2, true},
		{"good answer, late", bot.Attempt{Outcome: bot.OutcomeLate, Score: 95}, 2, true},
		{"bare pass", bot.Attempt{Outcome: bot.OutcomeGraded, Score: 62, Pass: true}, 3, true},
		{"good pass", bot.Attempt{Outcome: bot.OutcomeGraded, Score: 75, Pass: true}, 4, true},
		{"perfect", bot.Attempt{Outcome: bot.OutcomeGraded, Score: 90, Pass: true}, 5, true},
	} {
		q, ok := bot.Quality(&c.a)
		if q != c.want || ok != c.counted {
			t.Errorf("%s: got quality %d counted %v, want %d %v", c.name, q, ok, c.want, c.counted)
		}
	}
}

func TestIntervalsGrowAfterPasses(t *testing.T) {
	bank := srsBank(t, 1, "a")
	days := func(ds ...float64) []time.Duration {
		var out []time.Duration
		for _, d := range ds {
			out = append(out, time.Duration(d*float64(day)))
		}
		return out
	}
	for _, c := range []struct {
		name  string
		tries []try
		want  []time.Duration // the interval after each try
		// reviewing is whether the question is still in the review queue at the end.
		reviewing bool
		// still are the tries (from 1) that leave the schedule as it was.
		still []int
	}{
		{
			// A blank fail drops the ease from 2.5 to 1.7; passes of quality 4 keep it.
			name:  "fail then good passes",
			tries: []try{fail("a-1", 0), pass("a-1", 75, day), pass("a-1", 75, 7*day), pass("a-1", 75, 18*day), pass("a-1", 75, 36*day)},
			want:  days(1, 6, 6*1.7, 6*1.7*1.7, 6*1.7*1.7*1.7), reviewing: false,
		},
		{
			// Perfect passes raise the ease by 0.1 each, so the interval grows faster.
			name:  "fail then perfect passes",
			tries: []try{fail("a-1", 0), pass("a-1", 95, day), pass("a-1", 95, 7*day), pass("a-1", 95, 19*day), pass("a-1", 95, 45*day)},
			want:  days(1, 6, 6*1.8, 6*1.8*1.9, 6*1.8*1.9*2.0), reviewing: false,
		},
		{
			name:  "a second failure starts over",
			tries: []try{fail("a-1", 0), pass("a-1", 75, day), pass("a-1", 75, 7*day), fail("a-1", 18*day), pass("a-1", 75, 19*day)},
			want:  days(1, 6, 6*1.7, 1, 6), reviewing: true,
		},
		{
			name:  "a timeout is a failure, a skip changes nothing",
			tries: []try{{"a-1", bot.OutcomeTimeout, 0, 0, "", 0}, {"a-1", bot.OutcomeSkipped, 0, day, "", 0}, pass("a-1", 75, 2*day)},
			want:  days(1, 1, 6), reviewing: true, still: []int{2},
		},
		{
			name:  "a follow-up passed after the failure does not put the review off",
			tries: []try{fail("a-1", 0), {"a-1", bot.OutcomeGraded, 90, time.Minute, bot.KindFollowUp, 0}},
			want:  days(1, 1), reviewing: true, still: []int{2},
		},
		{
			name:  "nor does an interview's follow-up, the question's second attempt in it",
			tries: []try{{"a-1", bot.OutcomeGraded, 20, 0, bot.KindInterview, 7}, {"a-1", bot.OutcomeGraded, 90, 10 * time.Minute, bot.KindInterview, 7}, {"a-1", bot.OutcomeGraded, 75, day, bot.KindInterview, 8}},
			want:  days(1, 1, 6), reviewing: true, still: []int{2},
		},
		{
			name:  "passed at once: never in the review queue",
			tries: []try{pass("a-1", 75, 0)},
			want:  days(6), reviewing: false,
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			as := history(t, bank, c.tries...)
			var counted time.Time // when the latest attempt that moves the schedule ended
			for i, a := range as {
				if !slices.Contains(c.still, i+1) {
					counted = a.Answered
				}
				r, ok := bot.NewHistory(as[:i+1]).Review("srs/a-1")
				if !ok {
					t.Fatal("no review state")
				}
				if diff := r.Interval - c.want[i]; diff < -time.Second || diff > time.Second {
					t.Fatalf("after try %d: got interval %v, want %v", i+1, r.Interval, c.want[i])
				}
				if got, want := r.Due, counted.Add(r.Interval); !got.Equal(want) {
					t.Fatalf("after try %d: got due %v, want %v", i+1, got, want)
				}
			}
			r, _ := bot.NewHistory(as).Review("srs/a-1")
			if r.Reviewing() != c.reviewing {
				t.Fatalf("got reviewing %v, want %v (%+v)", r.Reviewing(), c.reviewing, r)
			}
		})
	}
}

func TestPickOrder(t *testing.T) {
	bank := srsBank(t, 3, "consensus", "replication")
	for _, c := range []struct {
		name  string
		f     bot.Filter
		tries []try
		now   time.Duration
		// want is the question id; "new" means any question never asked.
		want string
	}{
		{"a failed question waits for its interval", bot.Filter{},
			[]try{fail("consensus-1", 0), pass("replication-1", 90, time.Hour)}, day - bot.ReviewLeeway - time.Second, "new"},
		{"it is asked when due, before new questions", bot.Filter{},
			[]try{fail("consensus-1", 0), pass("replication-1", 90, time.Hour)}, day - bot.ReviewLeeway, "consensus-1"},
		{"the longest overdue first", bot.Filter{},
			[]try{fail("consensus-2", 0), fail("consensus-1", time.Hour), pass("replication-1", 90, 2*time.Hour)}, 3 * day, "consensus-2"},
		{"never twice in a row, even when it is the only one due", bot.Filter{},
			[]try{fail("consensus-1", 0)}, 3 * day, "new"},
		{"the only due one after the last falls to the next due", bot.Filter{},
			[]try{fail("consensus-2", 0), fail("consensus-1", time.Hour)}, 3 * day, "consensus-2"},
		{"a passed question is not reviewed while new ones remain", bot.Filter{},
			[]try{pass("consensus-1", 75, 0), pass("replication-1", 75, time.Hour)}, 90 * day, "new"},
		{"a skip is not a failure", bot.Filter{},
			[]try{{"consensus-1", bot.OutcomeSkipped, 0, 0, "", 0}, pass("replication-1", 75, time.Hour)}, 3 * day, "new"},
		{"a timeout is a failure", bot.Filter{},
			[]try{{"consensus-1", bot.OutcomeTimeout, 0, 0, "", 0}, pass("replication-1", 75, time.Hour)}, day, "consensus-1"},
		{"a mastered question leaves the queue", bot.Filter{},
			[]try{fail("consensus-1", 0), pass("consensus-1", 95, day), pass("consensus-1", 95, 7*day), pass("consensus-1", 95, 19*day), pass("consensus-1", 95, 45*day), pass("replication-1", 90, 46*day)},
			400 * day, "new"},
		{"the filter holds over a due review", bot.Filter{Topic: "replication"},
			[]try{fail("consensus-1", 0), pass("replication-1", 90, time.Hour)}, 3 * day, "new"},
		{"all seen: the least recently seen", bot.Filter{Topic: "replication"},
			[]try{pass("replication-2", 75, 0), pass("replication-1", 75, time.Hour), pass("replication-3", 75, 2*time.Hour)}, day, "replication-2"},
		{"all seen: a question waiting for review comes after the others", bot.Filter{Topic: "replication"},
			[]try{fail("replication-2", 0), pass("replication-1", 75, time.Hour), pass("replication-3", 75, 2*time.Hour)}, 3 * time.Hour, "replication-1"},
		{"all seen, the rest waiting: the one due soonest", bot.Filter{Topic: "replication"},
			[]try{fail("replication-2", time.Hour), fail("replication-1", 0), pass("replication-3", 75, 2*time.Hour)}, 3 * time.Hour, "replication-1"},
		{"the only question the filter allows, even right after itself", bot.Filter{Topic: "replication", Difficulty: bot.Difficulties[1]},
			[]try{fail("replication-1", 0)}, time.Hour, "replication-1"},
	} {
		t.Run(c.name, func(t *testing.T) {
			h := bot.NewHistory(history(t, bank, c.tries...))
			for seed := uint64(0); seed < 20; seed++ {
				q := h.Pick(nil, bank.Select(c.f), t0.Add(c.now), rand.New(rand.NewPCG(seed, 1)))
				if q == nil {
					t.Fatal("got no question")
				}
				if !matches(c.f, q) {
					t.Fatalf("got %s, outside the filter %+v", q.Ref(), c.f)
				}
				_, asked := h.Review(q.Ref())
				switch {
				case c.want == "new" && asked:
					t.Fatalf("seed %d: got %s, asked before; want a new question", seed, q.Ref())
				case c.want != "new" && q.Ref() != "srs/"+c.want:
					t.Fatalf("seed %d: got %s, want srs/%s", seed, q.Ref(), c.want)
				}
			}
		})
	}
}

func matches(f bot.Filter, q *bot.Question) bool {
	return (f.Topic == "" || q.Topic == f.Topic) && (f.Difficulty == "" || q.Difficulty == f.Difficulty) && (f.Kind == "" || q.Kind == f.Kind)
}

// TestPickKeepsItsPromises picks for made-up histories under random filters: the
// question always matches the filter and is never the last one when another matches.
func TestPickKeepsItsPromises(t *testing.T) {
	bank := srsBank(t, 4, "consensus", "replication", "storage")
	rng := rand.New(rand.NewPCG(7, 7))
	qs := bank.Questions()
	outcomes := []string{bot.OutcomeGraded, bot.OutcomeGraded, bot.OutcomeTimeout, bot.OutcomeSkipped, bot.OutcomeLate}
	for i := 0; i < 500; i++ {
		var tries []try
		at := time.Duration(0)
		for n := rng.IntN(40); n > 0; n-- {
			at += time.Duration(rng.IntN(72)) * time.Hour
			tries = append(tries, try{qs[rng.IntN(len(qs))].ID, outcomes[rng.IntN(len(outcomes))], rng.IntN(101), at, "", 0})
		}
		h := bot.NewHistory(history(t, bank, tries...))
		f := bot.Filter{}
		if rng.IntN(2) == 0 {
			f.Topic = bank.Topics()[rng.IntN(3)]
		}
		if rng.IntN(2) == 0 {
			f.Difficulty = bot.Difficulties[rng.IntN(3)]
		}
		if rng.IntN(3) == 0 {
			f.Kind = bot.Kinds[rng.IntN(2)]
		}
		cands := bank.Select(f)
		q := h.Pick(nil, cands, t0.Add(at+time.Duration(rng.IntN(200))*time.Hour), rng)
		if len(cands) == 0 {
			if q != nil {
				t.Fatalf("got %s for filter %+v that matches nothing", q.Ref(), f)
			}
			continue
		}
		if q == nil || !matches(f, q) {
			t.Fatalf("history %d: got %v for filter %+v", i, q, f)
		}
		if q.Ref() == h.Last() && len(cands) > 1 {
			t.Fatalf("history %d: got %s twice in a row with %d questions to choose from", i, q.Ref(), len(cands))
		}
	}
}

// TestWeakerTopicsPickedMoreOften draws 2,000 new questions for someone who scores 20
// in consensus and 90 in replication and never tried storage. Weights (TopicWeight):
// overall mean 55; consensus (5×20 + 2×55)/7 = 30 → 80, replication 80 → 30, storage 55
// → 55, so shares of about 48%, 18% and 33%.
func TestWeakerTopicsPickedMoreOften(t *testing.T) {
	bank := srsBank(t, 8, "consensus", "replication", "storage")
	var tries []try
	for i := 1; i <= 5; i++ {
		// Failures only a minute old are not due, so every pick is a new question.
		tries = append(tries, fail(fmt.Sprint("consensus-", i), time.Duration(i)*time.Minute))
		tries = append(tries, pass(fmt.Sprint("replication-", i), 90, time.Duration(i)*time.Minute))
	}
	h := bot.NewHistory(history(t, bank, tries...))
	if w := h.TopicWeight("consensus"); math.Abs(w-80) > 1e-9 {
		t.Fatalf("got consensus weight %v, want 80", w)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	n := map[string]int{}
	for i := 0; i < 2000; i++ {
		q := h.Pick(nil, bank.Select(bot.Filter{}), t0.Add(10*time.Minute), rng)
		if _, asked := h.Review(q.Ref()); asked {
			t.Fatalf("got %s, asked before", q.Ref())
		}
		n[q.Topic]++
	}
	t.Logf("picks by topic: %v", n)
	if !(n["consensus"] > 2*n["replication"] && n["consensus"] > n["storage"] && n["storage"] > n["replication"]) {
		t.Fatalf("got picks %v, want consensus more than twice replication, storage in between", n)
	}
	for topic, share := range map[string]float64{"consensus": 80.0 / 165, "replication": 30.0 / 165, "storage": 55.0 / 165} {
		if got := float64(n[topic]) / 2000; math.Abs(got-share) > 0.04 {
			t.Errorf("%s: got share %.3f, want %.3f ± 0.04", topic, got, share)
		}
	}
}

// TestFailedQuestionComesBack drives the bot by chat: a question answered wrong is not
// asked again the same day, is asked first once a day has passed, and after a pass
// stays away for six days.
func TestFailedQuestionComesBack(t *testing.T) {
	bank := bottest.Bank(t)
	extra := srsBank(t, 4, "storage", "time")
	if err := bank.Add(extra.Packs()[0]); err != nil {
		t.Fatal(err)
	}
	h := &harness{t: t, clock: bottest.NewClock(t0), path: filepath.Join(t.TempDir(), "quorum.db"), bank: bank}
	h.start()
	practiceThenSkip := func(times int) {
		t.Helper()
		for i := 0; i < times; i++ {
			h.say(alice, dm, "practice")
			if q := h.plat.NextKind(t, bot.MsgQuestion); q.Question.ID == "raft-election" {
				t.Fatalf("pick %d at %v: raft-election asked before its review is due", i+1, h.clock.Now())
			}
			h.say(alice, dm, "skip")
			h.plat.NextKind(t, bot.MsgInfo)
		}
	}
	askedRaft := func() {
		t.Helper()
		h.say(alice, dm, "practice")
		if q := h.plat.NextKind(t, bot.MsgQuestion); q.Question.ID != "raft-election" {
			t.Fatalf("at %v got %s, want the due review test/raft-election", h.clock.Now(), q.Question.Ref())
		}
	}

	h.say(alice, dm, "practice consensus")
	h.plat.NextKind(t, bot.MsgQuestion)
	h.say(alice, dm, wrongAnswer)
	if v := h.plat.NextKind(t, bot.MsgVerdict); v.Verdict.Pass {
		t.Fatal("the wrong answer passed")
	}
	h.clock.Advance(day - bot.ReviewLeeway - time.Minute)
	practiceThenSkip(3)
	h.clock.Advance(time.Minute)
	askedRaft()
	h.say(alice, dm, goodAnswer)
	if v := h.plat.NextKind(t, bot.MsgVerdict); !v.Verdict.Pass {
		t.Fatalf("the good answer got %s", v.Title)
	}
	r, _ := bot.NewHistory(h.attempts(alice)).Review("test/raft-election")
	if r.Interval != bot.RelearnInterval || r.Lapses != 1 || r.Reps != 1 {
		t.Fatalf("got %+v, want one lapse, one pass and a six-day interval", r)
	}
	h.clock.Advance(6*day - bot.ReviewLeeway - time.Minute)
	practiceThenSkip(3)
	h.clock.Advance(time.Minute)
	askedRaft()
}

// TestDailyDrillAsksYesterdaysFailure: a question failed in Saturday's 10:00 drill comes
// back in Sunday's, although the clocks sprang forward in between and the drill comes
// 22h58m after the answer, when another question came in between; when none did, it
// would be the same question twice in a row, so it comes on Monday.
func TestDailyDrillAsksYesterdaysFailure(t *testing.T) {
	for _, between := range []bool{true, false} {
		t.Run(fmt.Sprintf("practice in between %v", between), func(t *testing.T) {
			bank := bottest.Bank(t)
			if err := bank.Add(srsBank(t, 4, "storage", "time").Packs()[0]); err != nil {
				t.Fatal(err)
			}
			friday := time.Date(2027, 3, 26, 12, 0, 0, 0, time.UTC)
			h := &harness{t: t, clock: bottest.NewClock(friday), path: filepath.Join(t.TempDir(), "quorum.db"), bank: bank}
			h.start()
			h.say(alice, dm, "daily on 10:00 Europe/Berlin")
			h.plat.NextKind(t, bot.MsgInfo)
			h.clock.Advance(21 * time.Hour) // Saturday 10:00 CET
			failed := h.plat.NextKind(t, bot.MsgQuestion).Question.Ref()
			h.clock.Advance(2 * time.Minute)
			h.say(alice, dm, "No idea, sorry.")
			if v := h.plat.NextKind(t, bot.MsgVerdict); v.Verdict.Pass {
				t.Fatalf("got %s for no answer", v.Title)
			}
			if between {
				h.say(alice, dm, "practice")
				h.plat.NextKind(t, bot.MsgQuestion)
				h.say(alice, dm, "skip")
				h.plat.NextKind(t, bot.MsgInfo)
			}
			h.clock.Advance(22*time.Hour + 58*time.Minute) // Sunday 10:00 CEST
			sunday := h.plat.NextKind(t, bot.MsgQuestion).Question.Ref()
			if between {
				if sunday != failed {
					t.Fatalf("Sunday's drill asked %s, want Saturday's failure %s", sunday, failed)
				}
				return
			}
			if sunday == failed {
				t.Fatalf("Sunday's drill asked %s again, right after itself", failed)
			}
			h.say(alice, dm, "skip")
			h.plat.NextKind(t, bot.MsgInfo)
			h.clock.Advance(day) // Monday
			if monday := h.plat.NextKind(t, bot.MsgQuestion).Question.Ref(); monday != failed {
				t.Fatalf("Monday's drill asked %s, want Saturday's failure %s", monday, failed)
			}
		})
	}
}

// logStore is a bot.Store whose attempts come from attempts, or an error from Attempts
// when summaries is set (the bot must then read the summaries).
type logStore struct {
	attempts  []*bot.Attempt
	summaries bool
}

func (logStore) SaveSession(context.Context, *bot.Session, *bot.Attempt) error { return nil }
func (logStore) FinishSession(context.Context, uint64, *bot.Attempt) error     { return nil }
func (logStore) Sessions(context.Context) ([]*bot.Session, error)              { return nil, nil }
func (s logStore) Attempts(context.Context, string) ([]*bot.Attempt, error) {
	if s.summaries {
		return nil, fmt.Errorf("whole attempts read by the picker")
	}
	return s.attempts, nil
}

type summaryStore struct{ logStore }

func (s summaryStore) AttemptSummaries(context.Context, string) ([]*bot.Attempt, error) {
	return s.attempts, nil
}

// TestPickReadsSummariesWhereTheStoreHasThem: the summaries are what keeps Pick fast;
// a store without them still works.
func TestPickReadsSummariesWhereTheStoreHasThem(t *testing.T) {
	bank := srsBank(t, 3, "consensus", "replication")
	as := history(t, bank, fail("consensus-2", 0), pass("replication-1", 90, time.Hour))
	for _, st := range []bot.Store{summaryStore{logStore{as, true}}, logStore{as, false}} {
		core := bot.New(bot.Config{Bank: bank, Store: st, Clock: bottest.NewClock(t0.Add(day)), Rand: rand.New(rand.NewPCG(1, 2))})
		q, err := core.Pick(context.Background(), alice, bot.Filter{})
		if err != nil {
			t.Fatalf("%T: %v", st, err)
		}
		if q.Ref() != "srs/consensus-2" {
			t.Fatalf("%T: got %s, want the due review srs/consensus-2", st, q.Ref())
		}
	}
}

// BenchmarkPick10kAttempts times Bot.Pick for someone with 10,000 attempts in a real
// bbolt file: reading the attempts, deriving the review states and topic weights, and
// choosing among 300 questions. "summaries" reads the store's attempt index, as the bot
// does; "whole-attempts" decodes every attempt with its answer and verdict, as a store
// without the index would.
func BenchmarkPick10kAttempts(b *testing.B) {
	st := openStore(b)
	bank := srsBank(b, 30, "consensus", "replication", "storage", "time", "transactions", "partitioning", "caching", "streaming", "membership", "storage-engines")
	as := tenThousand(b, bank)
	seedAttempts(b, st, as)
	clock := bottest.NewClock(as[len(as)-1].Answered.Add(time.Hour))
	for _, c := range []struct {
		name  string
		store bot.Store
	}{{"summaries", st}, {"whole-attempts", struct{ bot.Store }{st}}} {
		b.Run(c.name, func(b *testing.B) {
			core := bot.New(bot.Config{Bank: bank, Store: c.store, Clock: clock, Rand: rand.New(rand.NewPCG(1, 2))})
			ctx := context.Background()
			for b.Loop() {
				if q, err := core.Pick(ctx, alice, bot.Filter{}); err != nil || q == nil {
					b.Fatalf("got %v, %v", q, err)
				}
			}
		})
	}
}

// BenchmarkHistoryPick10kAttempts is the scheduling alone, without the store.
func BenchmarkHistoryPick10kAttempts(b *testing.B) {
	bank := srsBank(b, 30, "consensus", "replication", "storage", "time", "transactions", "partitioning", "caching", "streaming", "membership", "storage-engines")
	as := tenThousand(b, bank)
	rng := rand.New(rand.NewPCG(1, 2))
	now := as[len(as)-1].Answered.Add(time.Hour)
	all := bank.Select(bot.Filter{})
	for b.Loop() {
		if q := bot.NewHistory(as).Pick(nil, all, now, rng); q == nil {
			b.Fatal("no question")
		}
	}
}

// tenThousand is two years of practice, about 14 questions a day, with typical
// answers and verdicts (their size is most of what the store has to decode).
func tenThousand(b *testing.B, bank *bot.Bank) []*bot.Attempt {
	rng := rand.New(rand.NewPCG(3, 4))
	qs := bank.Questions()
	outcomes := []string{bot.OutcomeGraded, bot.OutcomeGraded, bot.OutcomeGraded, bot.OutcomeGraded, bot.OutcomeTimeout, bot.OutcomeSkipped}
	var as []*bot.Attempt
	at := t0
	for i := 0; i < 10000; i++ {
		q := qs[rng.IntN(len(qs))]
		at = at.Add(time.Duration(rng.IntN(200)) * time.Minute)
		a := &bot.Attempt{User: alice.Key(), Conv: dm.Key(), Question: q.Ref(), Topic: q.Topic, Difficulty: q.Difficulty,
			Kind: bot.KindPractice, Outcome: outcomes[rng.IntN(len(outcomes))], Asked: at.Add(-2 * time.Minute), Answered: at}
		if a.Outcome == bot.OutcomeGraded {
			a.Answer = goodAnswer
			a.Score = rng.IntN(101)
			a.Pass = a.Score >= 60
			a.Verdict = &bot.Verdict{QuestionID: q.Ref(), Pass: a.Pass, Score: a.Score, Grader: bot.GraderRubric,
				Scores:   bot.Scores{Content: a.Score, Clarity: 70, Confidence: 80, Delivery: 75},
				Covered:  []bot.Point{{ID: "terms", Text: "Terms act as a logical clock; a term has at most one leader.", Quote: "each term has at most one leader"}},
				Missed:   []bot.Point{{ID: "timeouts", Text: "Randomized election timeouts make split votes rare."}},
				Feedback: bot.Feedback{Summary: "A solid answer that misses one point.", Content: "You covered terms and majorities.", Clarity: "Clear structure.", Confidence: "Few hedges.", Delivery: "Good pace.", NextStep: "Say why timeouts are randomized."},
				Metrics:  bot.Metrics{Words: 70, Sentences: 3}}
		}
		as = append(as, a)
	}
	return as
}

func openStore(b *testing.B) *store.Store {
	st, err := store.Open(filepath.Join(b.TempDir(), "bench.db"), 0)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	return st
}

// seedAttempts writes as to st the way the bot does, one transaction per attempt.
func seedAttempts(b *testing.B, st *store.Store, as []*bot.Attempt) {
	ctx := context.Background()
	for _, a := range as {
		if err := st.FinishSession(ctx, 0, a); err != nil {
			b.Fatal(err)
		}
	}
}
