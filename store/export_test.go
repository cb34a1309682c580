package store

import (
	"encoding/binary"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/quorum-dev/quorum/bot"
)

// populate gives the person every kind of record the store keeps.
func populate(t *testing.T, s *Store, u bot.User) {
	t.Helper()
	at := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
	conv := bot.Conversation{Platform: u.Platform, ID: "dm-" + u.ID, DM: true}
	open := &bot.Session{User: u, Conv: conv, Question: "p/q1", State: bot.SessionOpen, Asked: at, Deadline: at.Add(time.Minute)}
	if err := s.SaveSession(ctx, open, nil); err != nil {
		t.Fatal(err)
	}
	timedOut := &bot.Session{User: u, Conv: conv, Question: "p/q2", State: bot.SessionExpired, Asked: at, Deadline: at.Add(time.Minute)}
	if err := s.SaveSession(ctx, timedOut, &bot.Attempt{User: u.Key(), Question: "p/q2", Outcome: bot.OutcomeTimeout}); err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		a := &bot.Attempt{User: u.Key(), Question: "p/q3", Outcome: bot.OutcomeGraded, Score: 50 + i, Answer: u.ID + "'s answer",
			Verdict: &bot.Verdict{Score: 50 + i}}
		if err := s.FinishSession(ctx, 0, a); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.SaveProfile(ctx, u.Key(), &bot.Profile{Resume: u.ID + "'s resume", JobDescription: "SRE"}); err != nil {
		t.Fatal(err)
	}
	if err := s.SavePersonalPack(ctx, u.Key(), &bot.PersonalPack{Source: "bank", Picks: []string{"p/q1"}}); err != nil {
		t.Fatal(err)
	}
	d := &bot.Daily{User: u, Conv: conv, Hour: 9, TZ: "Europe/Berlin"}
	if err := s.SaveDaily(ctx, d); err != nil {
		t.Fatal(err)
	}
	for _, run := range []string{"2026-11-20T09:00", "2026-11-21T09:00"} {
		if _, err := s.ClaimRun(ctx, d.ID, run); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.SaveInterview(ctx, &bot.Interview{User: u, Conv: conv, State: bot.InterviewRunning, Started: at}); err != nil {
		t.Fatal(err)
	}
}

// snapshot is every key in every bucket, with its value.
func snapshot(t *testing.T, s *Store) map[string]map[string]string {
	t.Helper()
	out := map[string]map[string]string{}
	err := s.db.View(func(tx *bolt.Tx) error {
		for _, b := range allBuckets {
			out[string(b)] = map[string]string{}
			if err := tx.Bucket(b).ForEach(func(k, v []byte) error {
				out[string(b)][string(k)] = string(v)
				return nil
			}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// exported counts the records of d by the bucket they come from.
func exported(d *bot.PersonalData) map[string]int {
	n := map[string]int{
		string(bucketAttempts): len(d.Attempts), string(bucketSessions): len(d.Sessions), string(bucketDailies): len(d.Dailies),
		string(bucketRuns): len(d.DailyRuns), string(bucketInterviews): len(d.Interviews),
	}
	if d.Person != nil {
		n[string(bucketUsers)] = 1
	}
	if d.Profile != nil || d.PersonalPack != nil {
		n[string(bucketProfiles)] = 1
	}
	return n
}

func TestExportHasEveryRecordForgetDeletes(t *testing.T) {
	s := open(t, filepath.Join(t.TempDir(), "q.db"))
	defer s.Close()
	alice, bob := bot.User{Platform: "test", ID: "alice"}, bot.User{Platform: "test", ID: "bob"}
	populate(t, s, alice)
	populate(t, s, bob)

	exp, err := s.Export(ctx, alice.Key())
	if err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, s)
	if _, err := s.Forget(ctx, alice.Key()); err != nil {
		t.Fatal(err)
	}
	after := snapshot(t, s)

	counts := exported(exp)
	for _, b := range allBuckets {
		deleted := 0
		for k := range before[string(b)] {
			if _, ok := after[string(b)][k]; !ok {
				deleted++
			}
		}
		if deleted != counts[string(b)] {
			t.Errorf("bucket %s: forget deleted %d records, export has %d", b, deleted, counts[string(b)])
		}
		if deleted == 0 && string(b) != string(bucketMeta) {
			t.Errorf("bucket %s: the test stored nothing of alice's there to forget", b)
		}
	}
	// The exported attempts are the ones forgotten, by id.
	for _, a := range exp.Attempts {
		if _, ok := after[string(bucketAttempts)][string(attemptKey(alice.Key(), a.ID))]; ok {
			t.Errorf("exported attempt %d was not forgotten", a.ID)
		}
	}
	for _, r := range exp.DailyRuns {
		k := make([]byte, 8)
		binary.BigEndian.PutUint64(k, r.Daily)
		if _, ok := before[string(bucketRuns)][string(k)+r.Run]; !ok {
			t.Errorf("exported run %d %s is not a stored run", r.Daily, r.Run)
		}
	}
	if exp.Profile == nil || exp.Profile.Resume != "alice's resume" || exp.PersonalPack == nil || exp.Person == nil || exp.Person.User != alice {
		t.Errorf("got profile %+v, pack %+v, person %+v", exp.Profile, exp.PersonalPack, exp.Person)
	}
}

func TestExportHasOnlyThePersonsOwnRecords(t *testing.T) {
	s := open(t, filepath.Join(t.TempDir(), "q.db"))
	defer s.Close()
	alice, bob := bot.User{Platform: "test", ID: "alice"}, bot.User{Platform: "test", ID: "bob"}
	populate(t, s, alice)
	populate(t, s, bob)
	exp, err := s.Export(ctx, alice.Key())
	if err != nil {
		t.Fatal(err)
	}
	data, err := json.Marshal(exp)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(data), "bob") {
		t.Errorf("alice's export mentions bob:\n%s", data)
	}
	if len(exp.Attempts) != 4 || len(exp.Sessions) != 2 || len(exp.Dailies) != 1 || len(exp.DailyRuns) != 2 || len(exp.Interviews) != 1 {
		t.Errorf("got %d attempts, %d sessions, %d dailies, %d runs, %d interviews; want 4, 2, 1, 2, 1",
			len(exp.Attempts), len(exp.Sessions), len(exp.Dailies), len(exp.DailyRuns), len(exp.Interviews))
	}

	nobody, err := s.Export(ctx, "test:nobody")
	if err != nil {
		t.Fatal(err)
	}
	if nobody.Records() != 0 || nobody.Attempts == nil {
		t.Errorf("a stranger's export has %d records (attempts %v), want 0 and empty lists", nobody.Records(), nobody.Attempts)
	}
}
