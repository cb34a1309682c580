package bot_test

import (
	"context"
	"strings"
	"testing"

	"github.com/quorum-dev/quorum/bot"
)

// TestAnswerDuringTimeUpIsGradedLate: the terminal sends what was typed when its timer
// fires, at the same instant as the core's time-up. An answer that finds the session
// busy with the time-up's bookkeeping is graded as late once that is recorded; it was
// dropped with "I'm still grading your answer", leaving a time-out with no answer and
// the terminal waiting for a verdict forever.
func TestAnswerDuringTimeUpIsGradedLate(t *testing.T) {
	b, plat, st, _, release := timeUpInProgress(t)
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
