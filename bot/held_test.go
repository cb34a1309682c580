package bot_test

import (
	"context"
	"errors"
	"path/filepath"
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
