package bot_test

import (
	"context"
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

// TestAnswerDuringTimeUpIsGradedLate: the terminal sends what was typed when its timer
// fires, at the same instant as the core's time-up. An answer that finds the session
// busy with the time-up's bookkeeping is graded as late once that is recorded; it was
// dropped with "I'm still grading your answer", leaving a time-out with no answer and
// the terminal waiting for a verdict forever.
func TestAnswerDuringTimeUpIsGradedLate(t *testing.T) {
	st, err := store.Open(filepath.Join(t.TempDir(), "q.db"), 0)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	gs := &gatedStore{Store: st, entered: make(chan struct{}), gate: make(chan struct{})}
	clock := bottest.NewClock(t0)
	plat := bottest.NewPlatform("test")
	bank := loadBank(t)
	b := bot.New(bot.Config{Bank: bank, Grader: rubric.New(rubric.Options{}), Store: gs, Clock: clock})
	b.AddPlatform(plat)
	if err := b.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	q, _ := bank.Lookup("raft-election")
	if _, err := b.Ask(context.Background(), alice, dm, q, false); err != nil {
		t.Fatal(err)
	}
	plat.NextKind(t, bot.MsgQuestion)

	go clock.Advance(4 * time.Minute) // the time-up starts and blocks in the store
	<-gs.entered
	release := sync.OnceFunc(func() { close(gs.gate) })
	defer release()
	// The answer arrives while the time-up holds the session.
	b.Handle(context.Background(), bot.Event{User: alice, Conv: dm, Text: goodAnswer, Answer: true})
	release()

	plat.NextKind(t, bot.MsgTimeUp)
	v := plat.NextKind(t, bot.MsgVerdict)
	if v.Verdict.Pass || !v.Verdict.Late {
		t.Fatalf("got %s late=%v, want a late FAIL", v.Title, v.Verdict.Late)
	}
	b.Idle()
	for _, m := range plat.Messages() {
		if strings.Contains(m.Text, "still grading") {
			t.Errorf("the answer was turned away: %q", m.Text)
		}
	}
	as, err := st.Attempts(context.Background(), alice.Key())
	if err != nil || len(as) != 1 || as[0].Outcome != bot.OutcomeLate || as[0].Answer == "" {
		t.Fatalf("got attempts %+v (%v), want one late attempt with its answer", as, err)
	}
}
