package bot_test

import (
	"context"
	"errors"
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

// hookPlatform is a bottest.Platform whose sends first go through hook, which may
// fail them or hold them: a test acts while a message is being sent.
type hookPlatform struct {
	*bottest.Platform
	mu   sync.Mutex
	hook func(bot.Message) error
}

var _ bot.Platform = (*hookPlatform)(nil)

func (p *hookPlatform) Send(ctx context.Context, m bot.Message) (bot.Sent, error) {
	p.mu.Lock()
	h := p.hook
	p.mu.Unlock()
	if h != nil {
		if err := h(m); err != nil {
			return bot.Sent{}, err
		}
	}
	return p.Platform.Send(ctx, m)
}

func (p *hookPlatform) setHook(h func(bot.Message) error) {
	p.mu.Lock()
	p.hook = h
	p.mu.Unlock()
}

// hookEnv is a started bot on a hookPlatform that can send again (Redelivery), with
// a bbolt store, optionally wrapped.
type hookEnv struct {
	b     *bot.Bot
	plat  *hookPlatform
	st    *store.Store
	clock *bottest.Clock
}

func newHookEnv(t *testing.T, wrap func(*store.Store) bot.Store) *hookEnv {
	t.Helper()
	st, err := store.Open(filepath.Join(t.TempDir(), "q.db"), 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	clock := bottest.NewClock(t0)
	inner := bottest.NewPlatform("test")
	inner.Redelivery = 2 * time.Minute
	plat := &hookPlatform{Platform: inner}
	var bs bot.Store = st
	if wrap != nil {
		bs = wrap(st)
	}
	b := bot.New(bot.Config{Bank: loadBank(t), Grader: rubric.New(rubric.Options{}), Store: bs, Clock: clock, Grace: 10 * time.Second})
	b.AddPlatform(plat)
	if err := b.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.Close)
	return &hookEnv{b: b, plat: plat, st: st, clock: clock}
}

// ask asks alice raft-election in dm and waits for the question.
func (e *hookEnv) ask(t *testing.T) {
	t.Helper()
	q, _ := e.b.Bank().Lookup("raft-election")
	if _, err := e.b.Ask(context.Background(), alice, dm, q, false); err != nil {
		t.Fatal(err)
	}
	e.plat.NextKind(t, bot.MsgQuestion)
}

// gate is a channel closed once, by the test or at its end, so a failing test never
// leaves a send or a store call waiting.
func gate(t *testing.T) (ch chan struct{}, open func()) {
	ch = make(chan struct{})
	open = sync.OnceFunc(func() { close(ch) })
	t.Cleanup(open)
	return ch, open
}

// reached waits for ch to be closed or receive, failing the test instead of hanging.
func reached(t *testing.T, ch <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(5 * time.Second):
		t.Fatalf("%s: not reached within 5s", what)
	}
}

func countKind(ms []bot.Message, k bot.MessageKind, to bot.User) (n int) {
	for _, m := range ms {
		if m.Kind == k && m.To.Key() == to.Key() {
			n++
		}
	}
	return n
}

// TestTimeUpNoteSentAgainKeepsLateVerdict: the time's-up note's first send fails; its
// send again is taken by the platform just as a late answer is recorded, whose verdict's
// first send fails too. Marking the note delivered took out the attempt's outbox entry,
// which by then held the verdict, so the verdict was never sent again.
func TestTimeUpNoteSentAgainKeepsLateVerdict(t *testing.T) {
	e := newHookEnv(t, nil)
	e.ask(t)
	var noteFailed sync.Once
	e.plat.setHook(func(m bot.Message) error {
		var err error
		if m.Kind == bot.MsgTimeUp {
			noteFailed.Do(func() { err = errors.New("timeout") })
		}
		return err
	})
	e.clock.Advance(3*time.Minute + 10*time.Second) // time and grace run out
	e.b.Idle()

	inResend := make(chan struct{})
	noteGate, openNote := gate(t)
	var resending, verdictFailed sync.Once
	e.plat.setHook(func(m bot.Message) error {
		if m.Kind == bot.MsgTimeUp && m.Again {
			resending.Do(func() { close(inResend) })
			<-noteGate
			return nil
		}
		var err error
		if m.Kind == bot.MsgVerdict {
			verdictFailed.Do(func() { err = errors.New("timeout") })
		}
		return err
	})
	advanced := make(chan struct{})
	go func() { e.clock.Advance(2 * time.Second); close(advanced) }() // the note's send again
	reached(t, inResend, "the time's-up note sent again")
	e.b.Handle(context.Background(), bot.Event{User: alice, Conv: dm, Text: goodAnswer}) // late; its send fails
	openNote()
	reached(t, advanced, "the clock's advance")
	e.b.Idle()
	for range 10 {
		e.clock.Advance(time.Minute)
		e.b.Idle()
	}
	if n := countKind(e.plat.Messages(), bot.MsgVerdict, alice); n != 1 {
		t.Errorf("got the late verdict posted %d times, want 1", n)
	}
	if ds, err := e.st.Undelivered(context.Background()); err != nil || len(ds) != 0 {
		t.Errorf("got outbox %+v (%v), want it empty once the verdict is sent", ds, err)
	}
}

// TestHeldAnswerBeatsLaterSkip: an answer held while a time-up is recorded wins over a
// skip sent after it, even when the skip comes while the time's-up note is being sent:
// the answer gets its late verdict and the skip finds the question answered. The skip
// took the session first and the answer was told "That question was just closed".
func TestHeldAnswerBeatsLaterSkip(t *testing.T) {
	entered := make(chan struct{})
	saveGate, openSave := gate(t)
	e := newHookEnv(t, func(st *store.Store) bot.Store { return &gatedStore{Store: st, entered: entered, gate: saveGate} })
	e.ask(t)
	noteSending := make(chan struct{})
	noteGate, openNote := gate(t)
	e.plat.setHook(func(m bot.Message) error {
		if m.Kind == bot.MsgTimeUp {
			close(noteSending)
			<-noteGate
		}
		return nil
	})
	go e.clock.Advance(4 * time.Minute)
	reached(t, entered, "the time-up's recording")
	e.b.Handle(context.Background(), bot.Event{User: alice, Conv: dm, Text: goodAnswer, Answer: true}) // held
	openSave()
	reached(t, noteSending, "the time's-up note's send")
	e.b.Handle(context.Background(), bot.Event{User: alice, Conv: dm, Text: "skip"}) // held too
	openNote()
	e.b.Idle()

	msgs := e.plat.Messages()
	if n := countKind(msgs, bot.MsgVerdict, alice); n != 1 {
		t.Errorf("got %d verdicts for the held answer, want 1", n)
	}
	for _, m := range msgs {
		if strings.Contains(m.Text, "just closed") || strings.Contains(m.Text, "Closed.") || strings.Contains(m.Text, "Skipped") ||
			strings.Contains(m.Text, "grading your answer") {
			t.Errorf("the skip took the question from the held answer: %q", m.Text)
		}
	}
	if !strings.Contains(msgs[len(msgs)-1].Text, "There's no open question to skip") {
		t.Errorf("got the skip answered %q, want it told there is no open question", msgs[len(msgs)-1].Text)
	}
	as, err := e.st.Attempts(context.Background(), alice.Key())
	if err != nil || len(as) != 1 || as[0].Outcome != bot.OutcomeLate {
		t.Fatalf("got attempts %+v (%v), want one late attempt", as, err)
	}
}

// TestHeldAnswerAfterForget: an answer held while a time-up is recorded, whose person
// then says `forget confirm`, is dropped without a word: it was told "That question was
// just closed" after forget's Done.
func TestHeldAnswerAfterForget(t *testing.T) {
	b, plat, st, _, release := timeUpInProgress(t)
	b.Handle(context.Background(), bot.Event{User: alice, Conv: dm, Text: goodAnswer, Answer: true})
	forgetNow(t, b, plat, alice, dm)
	release()
	b.Idle()
	noMore(t, plat, alice)
	nothingLeft(t, st, alice)
}

// TestSkipDuringTimeUp: `skip` with no answer while a time-up is recorded waits for it
// and closes the timed-out question; it was told "I'm already grading your answer" and
// lost.
func TestSkipDuringTimeUp(t *testing.T) {
	b, plat, st, _, release := timeUpInProgress(t)
	b.Handle(context.Background(), bot.Event{User: alice, Conv: dm, Text: "skip"})
	release()
	b.Idle()
	msgs := plat.Messages()
	for _, m := range msgs {
		if strings.Contains(m.Text, "grading your answer") {
			t.Errorf("skip with no answer was told %q", m.Text)
		}
	}
	if last := msgs[len(msgs)-1]; !strings.HasPrefix(last.Text, "Closed. The timed-out attempt stays in your history.") {
		t.Errorf("got the skip answered %q, want the timed-out question closed", last.Text)
	}
	if _, open := b.OpenSession(alice, dm); open {
		t.Error("the session is still open after the skip")
	}
	as, err := st.Attempts(context.Background(), alice.Key())
	if err != nil || len(as) != 1 || as[0].Outcome != bot.OutcomeTimeout {
		t.Fatalf("got attempts %+v (%v), want the one timed-out attempt", as, err)
	}
}

// TestPracticeDuringTimeUp: `practice` while a question's time-up is being recorded (no
// answer was given) says so; it was told "I'm still grading your answer".
func TestPracticeDuringTimeUp(t *testing.T) {
	b, plat, _, _, release := timeUpInProgress(t)
	b.Handle(context.Background(), bot.Event{User: alice, Conv: dm, Text: "practice consensus"})
	release()
	b.Idle()
	said := false
	for _, m := range plat.Messages() {
		if strings.Contains(m.Text, "grading your answer") {
			t.Errorf("practice with no answer was told %q", m.Text)
		}
		said = said || strings.Contains(m.Text, "time just ran out")
	}
	if !said {
		t.Error("practice during the time-up got no word that the time just ran out")
	}
}
