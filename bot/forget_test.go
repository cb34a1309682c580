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
	"github.com/quorum-dev/quorum/prompts"
	"github.com/quorum-dev/quorum/store"
)

// gatedGrader grades with the rubric, but each grading waits for release: a test acts
// while an answer is being graded. release runs at the test's end too, so a failing
// test does not leave a grading, and Close, waiting.
type gatedGrader struct {
	started chan struct{} // one value per grading begun
	gate    chan struct{}
	release func()
}

func newGatedGrader(t *testing.T) *gatedGrader {
	g := &gatedGrader{started: make(chan struct{}, 16), gate: make(chan struct{})}
	g.release = sync.OnceFunc(func() { close(g.gate) })
	t.Cleanup(g.release)
	return g
}

func (g *gatedGrader) Grade(ctx context.Context, q *bot.Question, a bot.Answer) (*bot.Verdict, error) {
	g.started <- struct{}{}
	<-g.gate
	return rubric.New(rubric.Options{}).Grade(ctx, q, a)
}

// waitStarted waits for a grading to begin, failing the test instead of hanging.
func (g *gatedGrader) waitStarted(t *testing.T) {
	t.Helper()
	select {
	case <-g.started:
	case <-time.After(5 * time.Second):
		t.Fatal("no grading started within 5s")
	}
}

// forgetNow says `forget confirm` as u in conv and waits for its "Done".
func forgetNow(t *testing.T, b *bot.Bot, plat *bottest.Platform, u bot.User, conv bot.Conversation) {
	t.Helper()
	b.Handle(context.Background(), bot.Event{User: u, Conv: conv, Text: "forget confirm"})
	for {
		m := plat.Next(t)
		if m.To.Key() == u.Key() && strings.HasPrefix(m.Text, "Done: I deleted everything") {
			return
		}
	}
}

// nothingLeft fails the test unless the store keeps nothing about u.
func nothingLeft(t *testing.T, st *store.Store, u bot.User) {
	t.Helper()
	d, err := st.Export(context.Background(), u.Key())
	if err != nil {
		t.Fatal(err)
	}
	if d.Person != nil || d.Profile != nil || len(d.Attempts) != 0 || len(d.Sessions) != 0 || len(d.Interviews) != 0 ||
		len(d.Undelivered) != 0 || len(d.DrillAnswers) != 0 || len(d.Dailies) != 0 {
		t.Errorf("after forget's Done the store keeps about %s: person %v, %d attempts, %d sessions, %d interviews, %d undelivered, %d drill answers",
			u.Key(), d.Person, len(d.Attempts), len(d.Sessions), len(d.Interviews), len(d.Undelivered), len(d.DrillAnswers))
	}
}

// noMore fails the test if anything was sent to u after forget's Done.
func noMore(t *testing.T, plat *bottest.Platform, u bot.User) {
	t.Helper()
	msgs := plat.Messages()
	done := -1
	for i, m := range msgs {
		if m.To.Key() == u.Key() && strings.HasPrefix(m.Text, "Done: I deleted everything") {
			done = i
		}
	}
	for _, m := range msgs[done+1:] {
		if m.To.Key() == u.Key() {
			t.Errorf("after forget's Done, sent to %s: kind %d %q %q", u.Key(), m.Kind, m.Title, m.Text)
		}
	}
}

// TestForgetDuringGrading: `forget confirm` while an answer is being graded leaves
// nothing of that answer: the grading's end finds the session forgotten, so its attempt
// is not written and its verdict not sent.
func TestForgetDuringGrading(t *testing.T) {
	h := newHarness(t)
	g := newGatedGrader(t)
	h.grader = g
	h.stop()
	h.start()
	h.say(alice, dm, "practice consensus")
	h.plat.NextKind(t, bot.MsgQuestion)
	answered := make(chan struct{})
	go func() { h.say(alice, dm, goodAnswer); close(answered) }()
	g.waitStarted(t)
	forgetNow(t, h.bot, h.plat, alice, dm)
	g.release()
	<-answered
	h.bot.Idle()
	noMore(t, h.plat, alice)
	nothingLeft(t, h.store, alice)
}

// TestForgetDuringTimeUp: `forget confirm` while a question's time-up is being recorded
// leaves no timed-out attempt, and no time's-up note follows the Done.
func TestForgetDuringTimeUp(t *testing.T) {
	b, plat, st, _, release := timeUpInProgress(t)
	forgetNow(t, b, plat, alice, dm)
	release()
	b.Idle()
	noMore(t, plat, alice)
	nothingLeft(t, st, alice)
}

// TestForgetDuringInterviewGrading: an interview answer being graded when the person
// says `forget confirm` is not recorded, the interview is not saved again and its next
// question is not asked.
func TestForgetDuringInterviewGrading(t *testing.T) {
	h := newIV(t)
	g := newGatedGrader(t)
	h.grader = g
	h.stop()
	h.start()
	h.say("interview")
	h.question()
	answered := make(chan struct{})
	go func() { h.say(goodAnswer); close(answered) }()
	g.waitStarted(t)
	forgetNow(t, h.b, h.plat, alice, dm)
	g.release()
	<-answered
	h.b.Idle()
	noMore(t, h.plat, alice)
	nothingLeft(t, h.st, alice)
}

// finishGate holds FinishSession of a timed-out attempt (an interview question's
// time-up) until gate is closed.
type finishGate struct {
	*store.Store
	entered, gate chan struct{}
}

func (f *finishGate) FinishSession(ctx context.Context, id uint64, a *bot.Attempt) error {
	if a != nil && a.Outcome == bot.OutcomeTimeout {
		f.entered <- struct{}{}
		<-f.gate
	}
	return f.Store.FinishSession(ctx, id, a)
}

// TestForgetDuringInterviewTimeUp: an interview question's time-up being recorded when
// the person says `forget confirm` records nothing and moves the interview on to nothing.
func TestForgetDuringInterviewTimeUp(t *testing.T) {
	bank, err := prompts.LoadBank()
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(filepath.Join(t.TempDir(), "q.db"), 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	fg := &finishGate{Store: st, entered: make(chan struct{}), gate: make(chan struct{})}
	release := sync.OnceFunc(func() { close(fg.gate) })
	clock := bottest.NewClock(t0)
	plat := bottest.NewPlatform("test")
	b := bot.New(bot.Config{Bank: bank, Grader: rubric.New(rubric.Options{}), Store: fg, Clock: clock, Rand: rand.New(rand.NewPCG(7, 8))})
	b.AddPlatform(plat)
	if err := b.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.Close)
	t.Cleanup(release) // runs before Close
	b.Handle(context.Background(), bot.Event{User: alice, Conv: dm, Text: "interview"})
	plat.NextKind(t, bot.MsgQuestion)
	go clock.Advance(6 * time.Minute)
	select {
	case <-fg.entered:
	case <-time.After(5 * time.Second):
		t.Fatal("the time-up did not start within 5s")
	}
	forgetNow(t, b, plat, alice, dm)
	release()
	b.Idle()
	noMore(t, plat, alice)
	nothingLeft(t, st, alice)
}

// TestForgetDuringDrillGrading: a drill answer being graded when its author says
// `forget confirm` is neither recorded nor in the summary, and its verdict is not sent.
func TestForgetDuringDrillGrading(t *testing.T) {
	h := drillHarness(t)
	g := newGatedGrader(t)
	h.grader = g
	h.restart()
	postedDrill(t, h)
	thread := general
	thread.Thread = "tm2"
	alice := bot.User{Platform: "test", ID: "alice", Name: "Alice"}
	answered := make(chan struct{})
	go func() { h.say(alice, thread, goodAnswer); close(answered) }()
	g.waitStarted(t)
	forgetNow(t, h.bot, h.plat, alice, dm)
	g.release()
	<-answered
	h.bot.Idle()
	noMore(t, h.plat, alice)
	nothingLeft(t, h.store, alice)
	h.clock.Advance(time.Hour)
	h.bot.Idle()
	for _, m := range h.plat.Messages() {
		if strings.HasPrefix(m.Title, "Drill closed") && (m.Title != "Drill closed: 0 answered, 0 passed" || strings.Contains(m.Text, "Alice")) {
			t.Errorf("summary after alice was forgotten: %q\n%s", m.Title, m.Text)
		}
	}
}

// TestForgetDuringOpenDrill: a member who says `forget confirm` while a drill is open
// is not named or counted in its summary, and their line does not come back to the
// stored run when it closes.
func TestForgetDuringOpenDrill(t *testing.T) {
	h := drillHarness(t)
	postedDrill(t, h)
	thread := general
	thread.Thread = "tm2"
	alice := bot.User{Platform: "test", ID: "alice", Name: "Alice"}
	bob := bot.User{Platform: "test", ID: "bob", Name: "Bob"}
	h.say(alice, thread, goodAnswer)
	h.say(bob, thread, goodAnswer)
	h.bot.Idle()
	h.plat.Drain()
	forgetNow(t, h.bot, h.plat, alice, dm)
	h.clock.Advance(time.Hour)
	h.bot.Idle()
	found := false
	for _, m := range h.plat.Messages() {
		if !strings.HasPrefix(m.Title, "Drill closed") {
			continue
		}
		found = true
		if m.Title != "Drill closed: 1 answered, 1 passed" || strings.Contains(m.Text, "Alice") || !strings.Contains(m.Text, "• Bob: PASS") {
			t.Errorf("got summary %q:\n%s\nwant bob's answer only", m.Title, m.Text)
		}
	}
	if !found {
		t.Fatal("no summary posted")
	}
	nothingLeft(t, h.store, alice)
	runs, err := h.store.DrillRuns(context.Background(), nil)
	if err != nil || len(runs) != 1 || !runs[0].Closed || len(runs[0].Answers) != 1 || runs[0].Answers[0].User.ID != "bob" {
		t.Fatalf("got runs %+v (%v), want the closed run with bob's answer only", runs, err)
	}
}
