package store

import (
	"bytes"
	"path/filepath"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/quorum-dev/quorum/bot"
)

// writeAttempts stores a varied history for alice (and one attempt for bob) the ways
// the bot does: with a session, on its own, and a late answer replacing a timeout.
func writeAttempts(t *testing.T, s *Store) {
	t.Helper()
	india := time.FixedZone("", 5*3600+1800)
	at := time.Date(2026, 11, 25, 9, 0, 0, 123, time.UTC)
	alice := bot.User{Platform: "t", ID: "alice"}
	sess := &bot.Session{User: alice, Conv: bot.Conversation{Platform: "t", ID: "dm"}, State: bot.SessionOpen}
	timeout := &bot.Attempt{User: alice.Key(), Conv: "t:dm", Question: "p/a", Topic: "consensus", Difficulty: "medium",
		Kind: bot.KindPractice, Outcome: bot.OutcomeTimeout, Asked: at, Answered: at.Add(3 * time.Minute)}
	if err := s.SaveSession(ctx, sess, timeout); err != nil {
		t.Fatal(err)
	}
	for _, a := range []*bot.Attempt{
		{ID: timeout.ID, User: alice.Key(), Conv: "t:dm", Question: "p/a", Topic: "consensus", Difficulty: "medium",
			Kind: bot.KindPractice, Outcome: bot.OutcomeLate, Answer: "a late answer", Score: 80,
			Verdict: &bot.Verdict{Score: 80, Late: true}, Asked: at, Answered: at.Add(5 * time.Minute)},
		{User: alice.Key(), Conv: "t:chan", Question: "p/b", Topic: "replication", Difficulty: "easy",
			Kind: bot.KindInterview, Interview: 300, Outcome: bot.OutcomeGraded, Answer: "quorums overlap", Pass: true, Score: 91,
			Verdict: &bot.Verdict{Pass: true, Score: 91}, Asked: at.In(india), Answered: at.Add(time.Hour).In(india)},
		{User: alice.Key(), Question: "p/c", Outcome: bot.OutcomeSkipped},
		{User: "t:bob", Question: "p/a", Outcome: bot.OutcomeGraded, Score: -1},
	} {
		if err := s.FinishSession(ctx, sess.ID, a); err != nil {
			t.Fatal(err)
		}
		sess.ID = 0 // finished: the other attempts belong to no session
	}
}

// sameSummaries checks that got are want without answers and verdicts.
func sameSummaries(t *testing.T, got, want []*bot.Attempt) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d summaries, want %d", len(got), len(want))
	}
	for i := range want {
		g, w := *got[i], *want[i]
		w.Answer, w.Verdict = "", nil
		for _, ts := range [][2]*time.Time{{&g.Asked, &w.Asked}, {&g.Answered, &w.Answered}} {
			_, goff := ts[0].Zone()
			_, woff := ts[1].Zone()
			if !ts[0].Equal(*ts[1]) || goff != woff {
				t.Fatalf("summary %d: got time %v, want %v", i, *ts[0], *ts[1])
			}
			*ts[0], *ts[1] = time.Time{}, time.Time{}
		}
		if g != w {
			t.Fatalf("summary %d:\ngot  %+v\nwant %+v", i, g, w)
		}
	}
}

func indexKeys(t *testing.T, s *Store, userKey string) int {
	t.Helper()
	n := 0
	prefix := append([]byte(userKey), 0)
	s.db.View(func(tx *bolt.Tx) error {
		if b := tx.Bucket(bucketAttemptIndex); b != nil {
			c := b.Cursor()
			for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
				n++
			}
		}
		return nil
	})
	return n
}

func TestAttemptSummariesAreAttemptsWithoutAnswers(t *testing.T) {
	path := filepath.Join(t.TempDir(), "q.db")
	s := open(t, path)
	writeAttempts(t, s)
	s.Close()
	s = open(t, path) // the summaries outlive the process
	defer s.Close()
	for _, who := range []string{"t:alice", "t:bob"} {
		want, err := s.Attempts(ctx, who)
		if err != nil {
			t.Fatal(err)
		}
		got, err := s.AttemptSummaries(ctx, who)
		if err != nil {
			t.Fatal(err)
		}
		sameSummaries(t, got, want)
	}
	if got, _ := s.AttemptSummaries(ctx, "t:al"); len(got) != 0 {
		t.Fatalf("got %d summaries for t:al, a prefix of t:alice; want 0", len(got))
	}
}

func TestAttemptSummariesIndexOlderAttempts(t *testing.T) {
	for _, c := range []struct {
		name  string
		spoil func(tx *bolt.Tx) error
	}{
		{"a store from before the index", func(tx *bolt.Tx) error { return tx.DeleteBucket(bucketAttemptIndex) }},
		{"an unreadable summary", func(tx *bolt.Tx) error {
			b := tx.Bucket(bucketAttemptIndex)
			k, _ := b.Cursor().Seek([]byte("t:alice\x00"))
			return b.Put(k, []byte{summaryVersion, 200})
		}},
		{"a summary of a later layout", func(tx *bolt.Tx) error {
			b := tx.Bucket(bucketAttemptIndex)
			k, v := b.Cursor().Seek([]byte("t:alice\x00"))
			return b.Put(k, append([]byte{summaryVersion + 1}, v[1:]...))
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := open(t, filepath.Join(t.TempDir(), "q.db"))
			defer s.Close()
			writeAttempts(t, s)
			if err := s.db.Update(c.spoil); err != nil {
				t.Fatal(err)
			}
			want, _ := s.Attempts(ctx, "t:alice")
			for i := 0; i < 2; i++ { // the first read repairs the index, the second uses it
				got, err := s.AttemptSummaries(ctx, "t:alice")
				if err != nil {
					t.Fatal(err)
				}
				sameSummaries(t, got, want)
				if n := indexKeys(t, s, "t:alice"); n != len(want) {
					t.Fatalf("read %d: %d summaries indexed, want %d", i+1, n, len(want))
				}
			}
		})
	}
}

func TestForgetDeletesSummaries(t *testing.T) {
	s := open(t, filepath.Join(t.TempDir(), "q.db"))
	defer s.Close()
	writeAttempts(t, s)
	if n := indexKeys(t, s, "t:alice"); n != 3 {
		t.Fatalf("got %d summaries for alice, want 3", n)
	}
	if _, err := s.Forget(ctx, "t:alice"); err != nil {
		t.Fatal(err)
	}
	if n := indexKeys(t, s, "t:alice"); n != 0 {
		t.Fatalf("%d summaries of alice survived forget", n)
	}
	if got, _ := s.AttemptSummaries(ctx, "t:alice"); len(got) != 0 {
		t.Fatalf("got %d summaries after forget", len(got))
	}
	if n := indexKeys(t, s, "t:bob"); n != 1 {
		t.Fatalf("forgetting alice left bob %d summaries, want 1", n)
	}
}
