package bot_test

import (
	"context"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/quorum-dev/quorum/bot"
	"github.com/quorum-dev/quorum/bot/bottest"
	"github.com/quorum-dev/quorum/bot/rubric"
	"github.com/quorum-dev/quorum/store"
)

// countingMeter is a bot.Meter that counts what it is told.
type countingMeter struct {
	mu       sync.Mutex
	attempts map[string]int // verdict/grader
	graded   int
	answered int            // verdicts sent, by Meter.Answered
	drills   map[string]int // kind/result
	limited  map[string]int
}

func newCountingMeter() *countingMeter {
	return &countingMeter{attempts: map[string]int{}, drills: map[string]int{}, limited: map[string]int{}}
}

func (m *countingMeter) Attempt(verdict, grader string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.attempts[verdict+"/"+grader]++
}

func (m *countingMeter) Graded(grader string, d time.Duration, err error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if d >= 0 && err == nil && grader == "rubric" {
		m.graded++
	}
}

func (m *countingMeter) Answered(grader string, d time.Duration) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if d >= 0 && grader == "rubric" {
		m.answered++
	}
}

func (m *countingMeter) DrillRun(kind, result string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.drills[kind+"/"+result]++
}

func (m *countingMeter) Limited(what string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.limited[what]++
}

func (m *countingMeter) SendFailed(platform string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.limited["send:"+platform]++
}

func (m *countingMeter) Resent(what, result string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.drills["resent:"+what+"/"+result]++
}

func (m *countingMeter) get(table map[string]int, key string) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return table[key]
}

// expect fails the test for each count of table that is not as want says.
func (m *countingMeter) expect(t *testing.T, table map[string]int, want map[string]int) {
	t.Helper()
	for key, n := range want {
		if got := m.get(table, key); got != n {
			t.Errorf("meter %s = %d, want %d", key, got, n)
		}
	}
}

var _ bot.Meter = (*countingMeter)(nil)

// limitHarness is the harness of bot_test.go with a meter and limits.
func limitHarness(t *testing.T, lim bot.Limits) (*harness, *countingMeter) {
	t.Helper()
	h := &harness{t: t, clock: bottest.NewClock(t0), path: filepath.Join(t.TempDir(), "quorum.db"), bank: loadBank(t)}
	st, err := store.Open(h.path, 0)
	if err != nil {
		t.Fatal(err)
	}
	m := newCountingMeter()
	h.store = st
	h.plat = bottest.NewPlatform("test")
	h.bot = bot.New(bot.Config{
		Bank: h.bank, Grader: rubric.New(rubric.Options{}), Store: st, Clock: h.clock,
		Grace: 10 * time.Second, Rand: rand.New(rand.NewPCG(1, 2)), Metrics: m, Limits: lim,
	})
	h.bot.AddPlatform(h.plat)
	if err := h.bot.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(h.stop)
	return h, m
}

func TestAnswerLimitKeepsTheQuestionOpen(t *testing.T) {
	h, m := limitHarness(t, bot.Limits{AnswersPerHour: 60})
	for i := 0; i < 60; i++ {
		h.say(alice, dm, "practice consensus")
		h.plat.NextKind(t, bot.MsgQuestion)
		h.say(alice, dm, wrongAnswer)
		h.plat.NextKind(t, bot.MsgVerdict)
	}
	h.say(alice, dm, "practice consensus")
	h.plat.NextKind(t, bot.MsgQuestion)
	h.say(alice, dm, goodAnswer)
	msg := h.plat.NextKind(t, bot.MsgInfo)
	if !strings.Contains(msg.Text, "up to 60 answers an hour") || !strings.Contains(msg.Text, "go on in 1m0s") || !strings.Contains(msg.Text, "still open") {
		t.Fatalf("got %q; want the limit, when to go on, and that the question stays open", msg.Text)
	}
	if _, open := h.bot.OpenSession(alice, dm); !open {
		t.Fatal("the question was closed by a refused answer")
	}
	if got := len(h.attempts(alice)); got != 60 {
		t.Fatalf("got %d attempts, want 60: the refused answer is not graded", got)
	}
	// Another person is not held back by alice's use.
	h.say(bob, chanA, "practice consensus")
	h.plat.NextKind(t, bot.MsgQuestion)
	h.say(bob, chanA, goodAnswer)
	h.plat.NextKind(t, bot.MsgVerdict)

	// A minute later one answer's worth has come back, within the question's time.
	h.clock.Advance(time.Minute)
	h.say(alice, dm, goodAnswer)
	if v := h.plat.NextKind(t, bot.MsgVerdict); !strings.HasPrefix(v.Title, "PASS") {
		t.Fatalf("got %q, want the answer graded on time", v.Title)
	}
	if got := m.get(m.limited, bot.LimitAnswer); got != 1 {
		t.Fatalf("got %d answers limited in the meter, want 1", got)
	}
}

func TestCommandLimit(t *testing.T) {
	h, m := limitHarness(t, bot.Limits{CommandsPerMinute: 3})
	for i := 0; i < 3; i++ {
		h.say(alice, dm, "help")
		h.plat.NextKind(t, bot.MsgHelp)
	}
	h.say(alice, dm, "stats")
	msg := h.plat.NextKind(t, bot.MsgInfo)
	if !strings.Contains(msg.Text, "up to 3 commands a minute") || !strings.Contains(msg.Text, "go on in 20s") {
		t.Fatalf("got %q", msg.Text)
	}
	if strings.Contains(msg.Text, "question is still open") {
		t.Fatalf("got %q: no question is open", msg.Text)
	}
	h.clock.Advance(20 * time.Second)
	h.say(alice, dm, "help")
	h.plat.NextKind(t, bot.MsgHelp)
	if got := m.get(m.limited, bot.LimitCommand); got != 1 {
		t.Fatalf("got %d limited, want 1", got)
	}
}

func TestMeterCountsAttemptsAndDrills(t *testing.T) {
	h, m := limitHarness(t, bot.Limits{})
	h.say(alice, dm, "practice consensus")
	h.plat.NextKind(t, bot.MsgQuestion)
	if got := h.bot.OpenSessions(); got != 1 {
		t.Fatalf("got %d open sessions, want 1", got)
	}
	h.say(alice, dm, goodAnswer)
	h.plat.NextKind(t, bot.MsgVerdict)
	h.say(alice, dm, "practice consensus")
	h.plat.NextKind(t, bot.MsgQuestion)
	h.say(alice, dm, wrongAnswer)
	h.plat.NextKind(t, bot.MsgVerdict)
	h.say(alice, dm, "practice consensus")
	h.plat.NextKind(t, bot.MsgQuestion)
	h.clock.Advance(4 * time.Minute)
	h.plat.NextKind(t, bot.MsgTimeUp)
	if got := h.bot.OpenSessions(); got != 0 {
		t.Fatalf("got %d open sessions after time's up, want 0", got)
	}
	h.say(alice, dm, goodAnswer) // late
	h.plat.NextKind(t, bot.MsgVerdict)
	h.say(alice, dm, "practice consensus")
	h.plat.NextKind(t, bot.MsgQuestion)
	h.say(alice, dm, "skip")
	h.plat.Next(t)

	want := map[string]int{"pass/rubric": 1, "fail/rubric": 1, "timeout/": 1, "late/rubric": 1, "skipped/": 1}
	for k, n := range want {
		if got := m.get(m.attempts, k); got != n {
			t.Errorf("attempts %s: got %d, want %d (all: %v)", k, got, n, m.attempts)
		}
	}
	m.mu.Lock()
	graded, answered := m.graded, m.answered
	m.mu.Unlock()
	if graded != 3 || answered != 3 {
		t.Errorf("got %d gradings and %d waits for a verdict observed, want 3 of each", graded, answered)
	}

	h.say(alice, dm, "daily on 10:00 UTC")
	h.plat.NextKind(t, bot.MsgInfo)
	h.clock.Advance(time.Hour)
	h.plat.NextKind(t, bot.MsgQuestion)
	if got := m.get(m.drills, "daily/posted"); got != 1 {
		t.Fatalf("got %d daily runs posted, want 1 (all: %v)", got, m.drills)
	}
	h.plat.NextKind(t, bot.MsgTimeUp) // within the same hour
	h.say(alice, dm, "daily skip")
	h.plat.NextKind(t, bot.MsgInfo)
	h.clock.Advance(24 * time.Hour)
	h.bot.Idle()
	if got := m.get(m.drills, "daily/skipped"); got != 1 {
		t.Fatalf("got %d daily runs skipped, want 1 (all: %v)", got, m.drills)
	}
}

func TestMeterCountsChannelDrills(t *testing.T) {
	h, m := limitHarness(t, bot.Limits{AnswersPerHour: 1})
	h.plat.Managers = map[string]bool{"carol": true}
	h.plat.Threads = true
	h.say(carol, general, "drill add 0 10 * * * consensus")
	h.plat.NextKind(t, bot.MsgInfo)
	h.clock.Advance(time.Hour)
	h.plat.NextKind(t, bot.MsgQuestion)
	runs, err := h.store.DrillRuns(context.Background(), nil)
	if err != nil || len(runs) != 1 || runs[0].Conv.Thread == "" {
		t.Fatalf("got runs %+v (%v), want one posted with a thread", runs, err)
	}
	thread := runs[0].Conv
	h.say(alice, thread, goodAnswer)
	h.plat.NextKind(t, bot.MsgVerdict)
	if got := m.get(m.drills, "channel/posted"); got != 1 {
		t.Fatalf("got %d channel runs posted, want 1 (all: %v)", got, m.drills)
	}
	if got := m.get(m.attempts, "pass/rubric"); got != 1 {
		t.Fatalf("got %d passes, want alice's drill answer counted (all: %v)", got, m.attempts)
	}
	// alice's hourly allowance is spent: a practice answer elsewhere is turned away, and
	// so would be a second drill answer; bob's answer still counts.
	h.say(bob, thread, wrongAnswer)
	h.plat.NextKind(t, bot.MsgVerdict)
	h.say(alice, dm, "practice consensus")
	h.plat.NextKind(t, bot.MsgQuestion)
	h.say(alice, dm, goodAnswer)
	if msg := h.plat.NextKind(t, bot.MsgInfo); !strings.Contains(msg.Text, "up to 1 answers an hour") {
		t.Fatalf("got %q, want the limit", msg.Text)
	}
}
