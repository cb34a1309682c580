package store

import (
	"errors"
	"path/filepath"
	"testing"

	"github.com/quorum-dev/quorum/bot"
)

// A late write to a session that was finished meanwhile (a question answered before
// its send returned) must not bring the session back, nor write its attempt.
func TestFinishedSessionStaysFinished(t *testing.T) {
	s := open(t, filepath.Join(t.TempDir(), "q.db"))
	defer s.Close()
	u := bot.User{Platform: "test", ID: "alice"}
	sess := &bot.Session{User: u, Conv: bot.Conversation{Platform: "test", ID: "c"}, State: bot.SessionOpen}
	if err := s.SaveSession(ctx, sess, nil); err != nil {
		t.Fatal(err)
	}
	stale := *sess
	if err := s.FinishSession(ctx, sess.ID, &bot.Attempt{User: u.Key(), Outcome: bot.OutcomeGraded}); err != nil {
		t.Fatal(err)
	}
	stale.MessageID = "m1"
	err := s.SaveSession(ctx, &stale, &bot.Attempt{User: u.Key(), Outcome: bot.OutcomeTimeout})
	if !errors.Is(err, bot.ErrNotFound) {
		t.Fatalf("got %v, want ErrNotFound", err)
	}
	if got, _ := s.Sessions(ctx); len(got) != 0 {
		t.Fatalf("got %d sessions, want the finished one gone", len(got))
	}
	if got, _ := s.Attempts(ctx, u.Key()); len(got) != 1 || got[0].Outcome != bot.OutcomeGraded {
		t.Fatalf("got %+v, want only the graded attempt", got)
	}
}

// An answer graded while its person said `forget confirm` must not be written once
// Forget has run: FinishSession refuses an attempt for a session no longer stored, and
// SaveInterview an interview no longer stored. Finishing a gone session with no attempt
// is nothing to do.
func TestForgottenSessionGetsNoAttempt(t *testing.T) {
	s := open(t, filepath.Join(t.TempDir(), "q.db"))
	defer s.Close()
	u := bot.User{Platform: "test", ID: "alice"}
	iv := &bot.Interview{User: u, State: bot.InterviewRunning}
	if err := s.SaveInterview(ctx, iv); err != nil {
		t.Fatal(err)
	}
	sess := &bot.Session{User: u, Conv: bot.Conversation{Platform: "test", ID: "c"}, State: bot.SessionOpen, Interview: iv.ID}
	if err := s.SaveSession(ctx, sess, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Forget(ctx, u.Key()); err != nil {
		t.Fatal(err)
	}
	err := s.FinishSession(ctx, sess.ID, &bot.Attempt{User: u.Key(), Outcome: bot.OutcomeGraded, Answer: "my answer"})
	if !errors.Is(err, bot.ErrNotFound) {
		t.Fatalf("FinishSession after Forget: got %v, want ErrNotFound", err)
	}
	if got, _ := s.Attempts(ctx, u.Key()); len(got) != 0 {
		t.Fatalf("got %d attempts after Forget, want none", len(got))
	}
	if err := s.FinishSession(ctx, sess.ID, nil); err != nil {
		t.Fatalf("FinishSession of a gone session without an attempt: got %v, want nil", err)
	}
	iv.Current++
	if err := s.SaveInterview(ctx, iv); !errors.Is(err, bot.ErrNotFound) {
		t.Fatalf("SaveInterview after Forget: got %v, want ErrNotFound", err)
	}
	if _, err := s.Interview(ctx, iv.ID); !errors.Is(err, bot.ErrNotFound) {
		t.Fatalf("the forgotten interview is back: %v", err)
	}
}
