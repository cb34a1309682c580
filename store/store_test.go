package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/quorum-dev/quorum/bot"
)

var ctx = context.Background()

func open(t *testing.T, path string) *Store {
	t.Helper()
	s, err := Open(path, 100*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestSessionsAndAttemptsSurviveReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "q.db")
	s := open(t, path)
	u := bot.User{Platform: "test", ID: "alice"}
	deadline := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	sess := &bot.Session{User: u, Conv: bot.Conversation{Platform: "test", ID: "c"}, Question: "p/q", State: bot.SessionOpen, Deadline: deadline}
	if err := s.SaveSession(ctx, sess, nil); err != nil {
		t.Fatal(err)
	}
	if sess.ID == 0 {
		t.Fatal("no id assigned")
	}
	a := &bot.Attempt{User: u.Key(), Question: "p/q", Outcome: bot.OutcomeTimeout}
	sess.State = bot.SessionExpired
	if err := s.SaveSession(ctx, sess, a); err != nil {
		t.Fatal(err)
	}
	if a.ID == 0 || sess.AttemptID != a.ID {
		t.Fatalf("got attempt id %d, session.AttemptID %d; want them set and equal", a.ID, sess.AttemptID)
	}
	s.Close()

	s = open(t, path)
	defer s.Close()
	got, err := s.Sessions(ctx)
	if err != nil || len(got) != 1 {
		t.Fatalf("got %v, %v; want one session", got, err)
	}
	if !got[0].Deadline.Equal(deadline) || got[0].State != bot.SessionExpired || got[0].AttemptID != a.ID {
		t.Fatalf("got %+v", got[0])
	}
	// A late answer replaces the timed-out attempt and closes the session in one step.
	late := &bot.Attempt{ID: a.ID, User: u.Key(), Question: "p/q", Outcome: bot.OutcomeLate, Answer: "text"}
	if err := s.FinishSession(ctx, sess.ID, late); err != nil {
		t.Fatal(err)
	}
	as, err := s.Attempts(ctx, u.Key())
	if err != nil || len(as) != 1 || as[0].Outcome != bot.OutcomeLate {
		t.Fatalf("got %+v, %v; want one late attempt", as, err)
	}
	if left, _ := s.Sessions(ctx); len(left) != 0 {
		t.Fatalf("got %d sessions after finish, want 0", len(left))
	}
	p, err := s.Person(ctx, u.Key())
	if err != nil || p.ID != "alice" {
		t.Fatalf("got %+v, %v", p, err)
	}
	if _, err := s.Person(ctx, "test:nobody"); !errors.Is(err, bot.ErrNotFound) {
		t.Fatalf("got %v, want ErrNotFound", err)
	}
}

func TestAttemptsArePerPersonAndOrdered(t *testing.T) {
	s := open(t, filepath.Join(t.TempDir(), "q.db"))
	defer s.Close()
	// "test:al" is a prefix of "test:alice": the key separator must keep them apart.
	for i, who := range []string{"test:alice", "test:al", "test:alice", "test:alice"} {
		a := &bot.Attempt{User: who, Question: "q", Score: i}
		if err := s.FinishSession(ctx, 0, a); err != nil {
			t.Fatal(err)
		}
	}
	as, _ := s.Attempts(ctx, "test:alice")
	if len(as) != 3 || as[0].Score != 0 || as[1].Score != 2 || as[2].Score != 3 {
		t.Fatalf("got %+v, want alice's three attempts in order", as)
	}
	if as, _ := s.Attempts(ctx, "test:al"); len(as) != 1 {
		t.Fatalf("got %d attempts for al, want 1", len(as))
	}
}

func TestSecondProcessGetsInUse(t *testing.T) {
	path := filepath.Join(t.TempDir(), "q.db")
	s := open(t, path)
	defer s.Close()
	start := time.Now()
	_, err := Open(path, 50*time.Millisecond)
	if !errors.Is(err, ErrInUse) {
		t.Fatalf("got %v, want ErrInUse", err)
	}
	if time.Since(start) > 5*time.Second {
		t.Fatal("Open hung instead of failing fast")
	}
}

func TestFileModeAndNewerSchema(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "q.db")
	s := open(t, path)
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Fatalf("got mode %v, want 0600", fi.Mode().Perm())
	}
	// Pretend a newer Quorum wrote the file.
	if err := s.db.Update(func(tx *bolt.Tx) error { return tx.Bucket(bucketMeta).Put(keySchema, be64(SchemaVersion+1)) }); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if _, err := Open(path, 0); err == nil || !strings.Contains(err.Error(), "newer than this Quorum") {
		t.Fatalf("got %v, want a newer-schema error", err)
	}
}

func TestCanceledContext(t *testing.T) {
	s := open(t, filepath.Join(t.TempDir(), "q.db"))
	defer s.Close()
	c, cancel := context.WithCancel(ctx)
	cancel()
	if err := s.SaveSession(c, &bot.Session{}, nil); !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want context.Canceled", err)
	}
}

func TestProfilesAndForget(t *testing.T) {
	s := open(t, filepath.Join(t.TempDir(), "q.db"))
	defer s.Close()
	alice, bob := bot.User{Platform: "t", ID: "alice"}, bot.User{Platform: "t", ID: "bob"}
	if _, err := s.Profile(ctx, alice.Key()); !errors.Is(err, bot.ErrNotFound) {
		t.Fatalf("got %v, want ErrNotFound", err)
	}
	if err := s.SaveProfile(ctx, alice.Key(), &bot.Profile{Resume: "Kafka"}); err != nil {
		t.Fatal(err)
	}
	if err := s.SavePersonalPack(ctx, alice.Key(), &bot.PersonalPack{Source: "bank", Picks: []string{"p/q"}}); err != nil {
		t.Fatal(err)
	}
	p, _ := s.Profile(ctx, alice.Key())
	pack, _ := s.PersonalPack(ctx, alice.Key())
	if p.Resume != "Kafka" || pack.Picks[0] != "p/q" {
		t.Fatalf("got %+v and %+v", p, pack)
	}
	for _, u := range []bot.User{alice, bob} {
		sess := &bot.Session{User: u, Conv: bot.Conversation{Platform: "t", ID: "c"}, State: bot.SessionOpen}
		if err := s.SaveSession(ctx, sess, &bot.Attempt{User: u.Key(), Question: "p/q"}); err != nil {
			t.Fatal(err)
		}
	}
	n, err := s.Forget(ctx, alice.Key())
	if err != nil {
		t.Fatal(err)
	}
	// profile record, person record, one attempt, one session
	if n != 4 {
		t.Fatalf("forgot %d records, want 4", n)
	}
	if as, _ := s.Attempts(ctx, alice.Key()); len(as) != 0 {
		t.Fatalf("alice still has %d attempts", len(as))
	}
	if _, err := s.Person(ctx, alice.Key()); !errors.Is(err, bot.ErrNotFound) {
		t.Fatal("alice's person record survived")
	}
	sessions, _ := s.Sessions(ctx)
	if len(sessions) != 1 || sessions[0].User != bob {
		t.Fatalf("got sessions %+v, want only bob's", sessions)
	}
	if as, _ := s.Attempts(ctx, bob.Key()); len(as) != 1 {
		t.Fatal("forgetting alice touched bob's attempts")
	}
}

func TestDailyOfFollowsSaveDeleteAndForget(t *testing.T) {
	s := open(t, filepath.Join(t.TempDir(), "q.db"))
	defer s.Close()
	alice := bot.User{Platform: "test", ID: "alice"}
	d := &bot.Daily{User: alice, Conv: bot.Conversation{Platform: "test", ID: "dm", DM: true}, Hour: 9, TZ: "UTC"}
	if err := s.SaveDaily(ctx, d); err != nil {
		t.Fatal(err)
	}
	d.Hour = 10
	if err := s.SaveDaily(ctx, d); err != nil {
		t.Fatal(err)
	}
	if got, err := s.DailyOf(ctx, alice.Key()); err != nil || got.ID != d.ID || got.Hour != 10 {
		t.Fatalf("got %+v, %v; want the saved drill at 10", got, err)
	}
	if err := s.DeleteDaily(ctx, d.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.DailyOf(ctx, alice.Key()); !errors.Is(err, bot.ErrNotFound) {
		t.Fatalf("after delete got %v, want ErrNotFound", err)
	}
	d.ID = 0
	if err := s.SaveDaily(ctx, d); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Forget(ctx, alice.Key()); err != nil {
		t.Fatal(err)
	}
	if _, err := s.DailyOf(ctx, alice.Key()); !errors.Is(err, bot.ErrNotFound) {
		t.Fatalf("after forget got %v, want ErrNotFound", err)
	}
}

// TestSessionClaimsItsRun: a new session asked for a daily run claims the run in the
// transaction that stores it; a second session for the same run, from a second try or
// a second process, is refused with ErrRunClaimed and nothing of it is written, also
// when it comes in the same batch of concurrent writes.
func TestSessionClaimsItsRun(t *testing.T) {
	s := open(t, filepath.Join(t.TempDir(), "q.db"))
	defer s.Close()
	run := &bot.RunRef{Schedule: 7, Key: "2026-11-25T10:00"}
	newSession := func(who string) *bot.Session {
		return &bot.Session{User: bot.User{Platform: "test", ID: who}, Conv: bot.Conversation{Platform: "test", ID: "dm-" + who, DM: true},
			Question: "p/q", State: bot.SessionOpen, Run: run}
	}
	first := newSession("alice")
	if err := s.SaveSession(ctx, first, nil); err != nil {
		t.Fatal(err)
	}
	if last, _ := s.LastRun(ctx, 7); last != run.Key {
		t.Fatalf("last run %q, want %q claimed with the session", last, run.Key)
	}
	if ok, _ := s.ClaimRun(ctx, 7, run.Key); ok {
		t.Fatal("the run could be claimed again")
	}
	// Saving the stored session again (its message id) is not a new claim.
	first.MessageID = "m1"
	if err := s.SaveSession(ctx, first, nil); err != nil {
		t.Fatalf("saving the session again: %v", err)
	}

	errs := make(chan error, 8)
	for i := range 8 {
		go func() { errs <- s.SaveSession(ctx, newSession(fmt.Sprint("bob", i)), nil) }()
	}
	for range 8 {
		if err := <-errs; !errors.Is(err, bot.ErrRunClaimed) {
			t.Fatalf("a second session for the run: got %v, want ErrRunClaimed", err)
		}
	}
	if all, _ := s.Sessions(ctx); len(all) != 1 || all[0].ID != first.ID {
		t.Fatalf("got %d sessions stored, want only the first", len(all))
	}

	// A released run (its post failed) goes with its session in one transaction, so a
	// kill cannot leave the run claimed with no question; the next try's session
	// claims it.
	other := &bot.Session{User: bot.User{Platform: "test", ID: "carol"}, Question: "p/q", State: bot.SessionOpen}
	if err := s.SaveSession(ctx, other, nil); err != nil {
		t.Fatal(err)
	}
	if err := s.ReleaseRun(ctx, 7, run.Key); err != nil {
		t.Fatal(err)
	}
	if all, _ := s.Sessions(ctx); len(all) != 1 || all[0].ID != other.ID {
		t.Fatalf("after the release: %d sessions stored, want only the one of no run", len(all))
	}
	if err := s.SaveSession(ctx, newSession("alice"), nil); err != nil {
		t.Fatalf("after the release: %v", err)
	}
}

// TestClearSkipNext: clearing a daily drill's skip changes only that, on the record as
// stored, and does not bring back a drill deleted meanwhile.
func TestClearSkipNext(t *testing.T) {
	s := open(t, filepath.Join(t.TempDir(), "q.db"))
	defer s.Close()
	d := &bot.Daily{User: bot.User{Platform: "test", ID: "alice"}, Hour: 10, TZ: "UTC", SkipNext: true}
	if err := s.SaveDaily(ctx, d); err != nil {
		t.Fatal(err)
	}
	moved := *d
	moved.Hour, moved.TZ = 15, "Europe/Berlin" // a `daily on` since the skip was read
	if err := s.SaveDaily(ctx, &moved); err != nil {
		t.Fatal(err)
	}
	if err := s.ClearSkipNext(ctx, d.ID); err != nil {
		t.Fatal(err)
	}
	got, err := s.Daily(ctx, d.ID)
	if err != nil || got.SkipNext || got.Hour != 15 || got.TZ != "Europe/Berlin" {
		t.Fatalf("got %+v (%v), want 15:00 Europe/Berlin, not skipped", got, err)
	}
	if err := s.DeleteDaily(ctx, d.ID); err != nil {
		t.Fatal(err)
	}
	if err := s.ClearSkipNext(ctx, d.ID); !errors.Is(err, bot.ErrNotFound) {
		t.Fatalf("after delete: got %v, want ErrNotFound", err)
	}
	if ds, _ := s.Dailies(ctx); len(ds) != 0 {
		t.Fatalf("%d dailies after delete, want 0", len(ds))
	}
}

// timedOutInOutbox returns a store in which alice's question timed out, its attempt a
// recorded with a time's-up note to send by by.
func timedOutInOutbox(t *testing.T) (s *Store, sess *bot.Session, a *bot.Attempt, by time.Time) {
	t.Helper()
	s = open(t, filepath.Join(t.TempDir(), "q.db"))
	t.Cleanup(func() { s.Close() })
	alice := bot.User{Platform: "test", ID: "alice"}
	dm := bot.Conversation{Platform: "test", ID: "dm-alice", DM: true}
	by = time.Date(2026, 11, 25, 10, 2, 0, 0, time.UTC)
	sess = &bot.Session{User: alice, Conv: dm, Question: "p/q", State: bot.SessionOpen}
	if err := s.SaveSession(ctx, sess, nil); err != nil {
		t.Fatal(err)
	}
	sess.State = bot.SessionExpired
	a = &bot.Attempt{User: alice.Key(), Question: "p/q", Kind: bot.KindPractice, Outcome: bot.OutcomeTimeout,
		Deliver: &bot.Delivery{Session: sess.ID, User: alice, Conv: dm, By: by}}
	if err := s.SaveSession(ctx, sess, a); err != nil {
		t.Fatal(err)
	}
	return s, sess, a, by
}

// TestTimeUpNoteInOutboxUntilReplaced: a timed-out attempt recorded with SaveSession keeps
// its note in the outbox; recording the attempt again (a late answer) replaces the
// entry, or takes it out when the new record has none to send.
func TestTimeUpNoteInOutboxUntilReplaced(t *testing.T) {
	s, sess, a, by := timedOutInOutbox(t)
	alice := sess.User
	if ds, _ := s.Undelivered(ctx); len(ds) != 1 || ds[0].Attempt != a.ID || !ds[0].By.Equal(by) {
		t.Fatalf("outbox %+v, want the time's-up note of attempt %d", ds, a.ID)
	}
	late := &bot.Attempt{ID: a.ID, User: alice.Key(), Question: "p/q", Kind: bot.KindPractice, Outcome: bot.OutcomeLate}
	if err := s.FinishSession(ctx, sess.ID, late); err != nil {
		t.Fatal(err)
	}
	if ds, _ := s.Undelivered(ctx); len(ds) != 0 {
		t.Fatalf("outbox %+v after the late answer with nothing to send again, want empty", ds)
	}
	if as, _ := s.Attempts(ctx, alice.Key()); len(as) != 1 || as[0].Outcome != bot.OutcomeLate {
		t.Fatalf("attempts %+v, want the late answer in place of the timeout", as)
	}
}

// TestDeliveredKeyKeepsAReplacedEntry: the send of a time's-up note that a late answer's
// verdict replaced meanwhile does not take the verdict's entry out; the verdict's does.
func TestDeliveredKeyKeepsAReplacedEntry(t *testing.T) {
	s, sess, a, by := timedOutInOutbox(t)
	alice, dm := sess.User, sess.Conv
	note := a.MessageKey()
	late := &bot.Attempt{ID: a.ID, User: alice.Key(), Question: "p/q", Kind: bot.KindPractice, Outcome: bot.OutcomeLate,
		Verdict: &bot.Verdict{}, Answered: by.Add(time.Second), Deliver: &bot.Delivery{Session: sess.ID, User: alice, Conv: dm, By: by}}
	if err := s.FinishSession(ctx, sess.ID, late); err != nil {
		t.Fatal(err)
	}
	if err := s.DeliveredKey(ctx, a.ID, note); err != nil {
		t.Fatal(err)
	}
	if ds, _ := s.Undelivered(ctx); len(ds) != 1 || ds[0].Key != late.MessageKey() {
		t.Fatalf("got outbox %+v after the note was sent, want the late verdict's entry kept", ds)
	}
	if err := s.DeliveredKey(ctx, a.ID, late.MessageKey()); err != nil {
		t.Fatal(err)
	}
	if ds, _ := s.Undelivered(ctx); len(ds) != 0 {
		t.Fatalf("got outbox %+v after the verdict was sent, want it empty", ds)
	}
}
