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
		if i == 2 { // a verdict not yet sent when Quorum stopped
			a.Deliver = &bot.Delivery{User: u, Conv: conv, By: at.Add(time.Minute)}
		}
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
	// A channel drill they set up, and their answer to its first run.
	channel := bot.Conversation{Platform: u.Platform, ID: "general"}
	drill := &bot.Drill{Conv: channel, Spec: "0 9 * * *", TZ: "UTC", By: u, Created: at}
	if err := s.SaveDrill(ctx, drill); err != nil {
		t.Fatal(err)
	}
	answerDrill(t, s, drill, u, 70)
}

// answerDrill claims the drill's run on 2026-11-20 (once) and records u's answer to it.
func answerDrill(t *testing.T, s *Store, drill *bot.Drill, u bot.User, score int) {
	t.Helper()
	at := time.Date(2026, 11, 20, 9, 5, 0, 0, time.UTC)
	run := &bot.DrillRun{Drill: drill.ID, Key: "2026-11-20T09:00", Conv: drill.Conv, Question: "p/q1", Posted: at}
	if _, err := s.ClaimDrillRun(ctx, run); err != nil {
		t.Fatal(err)
	}
	a := &bot.Attempt{User: u.Key(), Question: "p/q1", Kind: "drill", Outcome: bot.OutcomeGraded, Score: score, Answer: u.ID + "'s drill answer"}
	if ok, err := s.AnswerDrillRun(ctx, drill.ID, run.Key, a, bot.DrillAnswer{User: u, Score: score, At: at}); err != nil || !ok {
		t.Fatalf("answer drill: %v, %v", ok, err)
	}
}

// sharedDrill is a drill set up by someone else that both people answered.
func sharedDrill(t *testing.T, s *Store, people ...bot.User) {
	t.Helper()
	carol := bot.User{Platform: "test", ID: "carol"}
	drill := &bot.Drill{Conv: bot.Conversation{Platform: "test", ID: "study"}, Spec: "@daily", TZ: "UTC", By: carol}
	if err := s.SaveDrill(ctx, drill); err != nil {
		t.Fatal(err)
	}
	for _, u := range people {
		answerDrill(t, s, drill, u, 60)
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
		string(bucketDrills): len(d.DrillsSetUp), string(bucketDrillRuns): len(d.DrillAnswers),
		string(bucketDailyUsers): len(d.Dailies), // the index entry of each daily drill
		string(bucketOutbox):     len(d.Undelivered),
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
	sharedDrill(t, s, alice, bob)

	exp, err := s.Export(ctx, alice.Key())
	if err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, s)
	if _, err := s.Forget(ctx, alice.Key()); err != nil {
		t.Fatal(err)
	}
	after := snapshot(t, s)

	// Forget deletes most records and rewrites some (a drill run without her line, a
	// drill without her name): both count as records it touched.
	counts := exported(exp)
	for _, b := range allBuckets {
		touched := 0
		for k, v := range before[string(b)] {
			if now, ok := after[string(b)][k]; !ok || now != v {
				touched++
			}
		}
		if touched != counts[string(b)] {
			t.Errorf("bucket %s: forget touched %d records, export has %d", b, touched, counts[string(b)])
		}
		if touched == 0 && string(b) != string(bucketMeta) {
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
	sharedDrill(t, s, alice, bob)
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
	if len(exp.Attempts) != 6 || len(exp.Sessions) != 2 || len(exp.Dailies) != 1 || len(exp.DailyRuns) != 2 || len(exp.Interviews) != 1 ||
		len(exp.DrillsSetUp) != 1 || len(exp.DrillAnswers) != 2 {
		t.Errorf("got %d attempts, %d sessions, %d dailies, %d runs, %d interviews, %d drills, %d drill answers; want 6, 2, 1, 2, 1, 1, 2",
			len(exp.Attempts), len(exp.Sessions), len(exp.Dailies), len(exp.DailyRuns), len(exp.Interviews), len(exp.DrillsSetUp), len(exp.DrillAnswers))
	}

	nobody, err := s.Export(ctx, "test:nobody")
	if err != nil {
		t.Fatal(err)
	}
	if nobody.Records() != 0 || nobody.Attempts == nil {
		t.Errorf("a stranger's export has %d records (attempts %v), want 0 and empty lists", nobody.Records(), nobody.Attempts)
	}
}

// TestExportOfNobodyHasEmptyLists: README promises lists that are empty, not missing or
// null, when a person has nothing of a kind.
func TestExportOfNobodyHasEmptyLists(t *testing.T) {
	s := open(t, filepath.Join(t.TempDir(), "q.db"))
	defer s.Close()
	populate(t, s, bot.User{Platform: "test", ID: "bob"})
	exp, err := s.Export(ctx, "test:nobody")
	if err != nil {
		t.Fatal(err)
	}
	data, err := json.Marshal(exp)
	if err != nil {
		t.Fatal(err)
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(data, &fields); err != nil {
		t.Fatal(err)
	}
	for _, list := range []string{"attempts", "sessions", "dailies", "daily_runs", "interviews", "drills_set_up", "drill_answers", "undelivered"} {
		if got := string(fields[list]); got != "[]" {
			t.Errorf("%s: got %s, want []", list, got)
		}
	}
}
