package console

import (
	"context"
	"io"
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

// goClock runs each timer in its own goroutine, as the system clock does, once after
// is closed, so a test can choose which of two timers due together goes first.
type goClock struct {
	*bottest.Clock
	after chan struct{}
}

func (c goClock) AfterFunc(d time.Duration, f func()) bot.Timer {
	return c.Clock.AfterFunc(d, func() {
		go func() {
			<-c.after
			f()
		}()
	})
}

// gatedStore holds the recording of a time-up until gate is closed.
type gatedStore struct {
	*store.Store
	entered, gate chan struct{}
}

func (g *gatedStore) SaveSession(ctx context.Context, s *bot.Session, a *bot.Attempt) error {
	if s.State == bot.SessionExpired {
		g.entered <- struct{}{}
		<-g.gate
	}
	return g.Store.SaveSession(ctx, s, a)
}

// TestInteractiveTimeUpRacesTheCore: the editor's timer and the core's time-up fire at
// the same instant and the core takes the session first. What was typed must still be
// graded as late, and the run must end; it used to be turned away ("I'm still grading
// your answer") and the terminal waited for a verdict until Ctrl-C.
func TestInteractiveTimeUpRacesTheCore(t *testing.T) {
	base := bottest.NewClock(time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC))
	now := make(chan struct{})
	close(now)
	coreFirst := make(chan struct{})
	clock := goClock{base, now}             // the core's
	editorClock := goClock{base, coreFirst} // the editor's: fires once the core's time-up holds the session
	st, err := store.Open(filepath.Join(t.TempDir(), "q.db"), 0)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	gs := &gatedStore{Store: st, entered: make(chan struct{}), gate: make(chan struct{})}
	bank := bottest.Bank(t)
	q, _ := bank.Lookup("raft-election")
	a := New()
	b := bot.New(bot.Config{Bank: bank, Grader: rubric.New(rubric.Options{}), Store: gs, Clock: clock, Rand: rand.New(rand.NewPCG(1, 1))})
	b.AddPlatform(a)
	if err := b.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	release := sync.OnceFunc(func() { close(gs.gate) })
	defer b.Close()
	defer release()
	// The time-up is recorded only once the typed answer reached the core.
	a.afterHandle = func(ev bot.Event) {
		if ev.Answer {
			release()
		}
	}

	pr, pw := io.Pipe()
	defer pw.Close()
	var out, errs bottest.Buffer
	type result struct {
		v   *bot.Verdict
		err error
	}
	done := make(chan result, 1)
	go func() {
		v, err := a.Practice(context.Background(), b, q, Options{In: pr, Out: &out, Err: &errs, Interactive: true, Clock: editorClock})
		done <- result{v, err}
	}()
	waitFor(t, &errs, "[3:00] › ")
	pw.Write([]byte("Raft uses terms and a majority vote, each server casting one vote per term"))
	waitFor(t, &errs, "one vote per term")
	base.Advance(3*time.Minute + 10*time.Second)
	<-gs.entered // the core's time-up holds the session
	close(coreFirst)
	var r result
	select {
	case r = <-done:
	case <-time.After(10 * time.Second):
		t.Fatalf("no verdict: the run hangs\nstderr:\n%s", errs.String())
	}
	if r.err != nil {
		t.Fatalf("got %v\nstderr:\n%s", r.err, errs.String())
	}
	if r.v.Pass || !r.v.Late {
		t.Fatalf("got %s late=%v, want a late FAIL", r.v.Title(), r.v.Late)
	}
	if strings.Contains(errs.String(), "no answer came in time") || strings.Contains(errs.String(), "still grading") {
		t.Errorf("stderr contradicts the late grading:\n%s", errs.String())
	}
	as, err := st.Attempts(context.Background(), User().Key())
	if err != nil || len(as) != 1 || as[0].Outcome != bot.OutcomeLate || !strings.Contains(as[0].Answer, "one vote per term") {
		t.Fatalf("got attempts %+v (%v), want the typed answer recorded as late", as, err)
	}
}
