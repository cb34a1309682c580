package bot_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/quorum-dev/quorum/bot"
	"github.com/quorum-dev/quorum/bot/bottest"
	"github.com/quorum-dev/quorum/bot/rubric"
	"github.com/quorum-dev/quorum/prompts"
	"github.com/quorum-dev/quorum/store"
)

func TestParseDaily(t *testing.T) {
	topics := []string{"consensus", "replication"}
	tests := []struct {
		args []string
		want string // Describe(), or the error's start
	}{
		{[]string{"09:00", "Europe/Berlin", "mon-fri"}, "09:00 Europe/Berlin, Mon-Fri"},
		{[]string{"9am"}, "09:00 UTC, every day"},
		{[]string{"6:30pm", "utc", "weekends", "consensus"}, "18:30 UTC, Sun, Sat, consensus"},
		{[]string{"07:15", "america/new_york", "mon,wed,fri", "repl"}, "07:15 America/New_York, Mon, Wed, Fri, replication"},
		{[]string{"08:00", "Kafka"}, "08:00 UTC, every day, kafka"},
		{[]string{"08:00", "replications"}, "08:00 UTC, every day, replication"}, // the rule practice uses
		{[]string{"08:00", "s"}, `I don't understand "s"`},
		{[]string{"08:00", "kafak"}, "I don't understand \"kafak\". Say it like `daily on 09:00 Europe/Berlin mon-fri` (timezone, days and a topic are optional); topics: consensus, replication, or a system such as kafka or raft."},
		{[]string{"25:00"}, `I can't read "25:00" as a time`},
		{[]string{"09:00", "Mars/Olympus"}, `I don't know the timezone "Mars/Olympus"`},
		{[]string{"09:00", "sometimes"}, `I don't understand "sometimes"`},
		// Only real day names are days; a tag that starts like one is the topic.
		{[]string{"09:00", "mongodb"}, "09:00 UTC, every day, mongodb"},
		{[]string{"09:00", "monday"}, "09:00 UTC, Mon"},
		{[]string{"09:00", "tues,thurs"}, "09:00 UTC, Tue, Thu"},
		{[]string{"09:00", "fridays"}, "09:00 UTC, Fri"},
		{[]string{"09:00", "sundry"}, `I don't understand "sundry"`},
		{[]string{"09:00", "monkey-fri"}, `I don't understand "monkey-fri"`},
		{[]string{"09:00", "sat"}, "09:00 UTC, every day, sat"}, // a tag named exactly like a day is the topic
		// Two of one thing conflict; several topic words name one topic, as in practice.
		{[]string{"09:00", "weekdays", "weekends"}, "`weekdays` and `weekends` both give the days; give them once, like `mon-fri` or `mon,wed,fri`."},
		{[]string{"09:00", "Europe/Berlin", "asia/tokyo"}, "`Europe/Berlin` and `Asia/Tokyo` are two timezones; give one."},
		{[]string{"09:00", "utc", "UTC"}, "09:00 UTC, every day"},
		{[]string{"09:00", "kafka", "raft"}, "`kafka` and `raft` are two topics; a daily question is on one topic"},
		{[]string{"09:00", "leader", "election"}, "09:00 UTC, every day, leader-election"},
		{[]string{"09:00", "kafka", "sometimes"}, `I don't understand "sometimes"`},
		{nil, "What time?"},
	}
	for _, tt := range tests {
		d, err := bot.ParseDaily(tt.args, "", topics, []string{"kafka", "raft", "mongodb", "sat", "leader-election"})
		got := ""
		if err != nil {
			got = err.Error()
		} else {
			got = d.Describe()
		}
		if !strings.HasPrefix(got, tt.want) {
			t.Errorf("%v: got %q, want %q", tt.args, got, tt.want)
		}
	}
}

func TestDailyNextAcrossDST(t *testing.T) {
	berlin, _ := time.LoadLocation("Europe/Berlin")
	d := &bot.Daily{Hour: 2, Minute: 30, TZ: "Europe/Berlin"}
	// Spring forward on 29 March 2026: 02:30 does not exist; the run comes at 03:30 CEST.
	got := d.Next(time.Date(2026, 3, 28, 12, 0, 0, 0, time.UTC))
	if want := time.Date(2026, 3, 29, 1, 30, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("spring forward: got %v, want %v", got.In(berlin), want.In(berlin))
	}
	// Fall back on 25 October 2026: 02:30 happens twice; the run is the first, once.
	first := d.Next(time.Date(2026, 10, 24, 12, 0, 0, 0, time.UTC))
	if want := time.Date(2026, 10, 25, 0, 30, 0, 0, time.UTC); !first.Equal(want) {
		t.Errorf("fall back: got %v, want %v", first, want)
	}
	second := d.Next(first)
	if want := time.Date(2026, 10, 26, 1, 30, 0, 0, time.UTC); !second.Equal(want) {
		t.Errorf("after fall back: got %v, want the next day %v", second, want)
	}
	weekdays := &bot.Daily{Hour: 9, TZ: "UTC", Days: []time.Weekday{1, 2, 3, 4, 5}}
	fri := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	if got := weekdays.Next(fri); got.Weekday() != time.Monday || got.Day() != 30 {
		t.Errorf("after Friday got %v, want Monday", got)
	}
}

func dailyHarness(t *testing.T) *harness {
	h := newHarness(t)
	// t0 is 09:00 UTC on a Wednesday.
	h.say(alice, dm, "daily on 10:00 UTC")
	if m := h.plat.NextKind(t, bot.MsgInfo); !strings.Contains(m.Text, "Daily drill on: 10:00 UTC, every day") {
		t.Fatalf("got %q", m.Text)
	}
	return h
}

func TestDailyPostsSkipsAndStops(t *testing.T) {
	h := dailyHarness(t)
	h.clock.Advance(time.Hour)
	q := h.plat.NextKind(t, bot.MsgQuestion)
	if !strings.HasPrefix(q.Text, "Your daily question:") || q.Conv != dm {
		t.Fatalf("got %q in %+v", q.Text, q.Conv)
	}
	h.say(alice, dm, "skip")
	h.plat.Next(t)
	h.say(alice, dm, "daily skip")
	if m := h.plat.NextKind(t, bot.MsgInfo); !strings.Contains(m.Text, "is skipped") {
		t.Fatalf("got %q", m.Text)
	}
	h.clock.Advance(24 * time.Hour) // skipped
	h.plat.None(t)
	h.clock.Advance(24 * time.Hour) // runs again
	h.plat.NextKind(t, bot.MsgQuestion)
	h.say(alice, dm, "skip")
	h.plat.Next(t)
	h.say(alice, dm, "daily off")
	h.plat.NextKind(t, bot.MsgInfo)
	h.clock.Advance(48 * time.Hour)
	h.plat.None(t)
}

func TestDailyRestartBetweenRecordAndPost(t *testing.T) {
	h := dailyHarness(t)
	ds, _ := h.store.Dailies(context.Background())
	// A process claims the 10:00 run and dies before posting it.
	if ok, err := h.store.ClaimRun(context.Background(), ds[0].ID, "2026-11-25T10:00Z"); !ok || err != nil {
		t.Fatalf("claim: %v %v", ok, err)
	}
	h.stop()
	h.clock.Advance(70 * time.Minute) // back at 10:10: within the catch-up hour
	h.start()
	h.bot.Idle() // catch-up runs in its own goroutine
	h.plat.None(t)
	if ok, _ := h.store.ClaimRun(context.Background(), ds[0].ID, "2026-11-25T10:00Z"); ok {
		t.Fatal("the run could be claimed twice")
	}
}

// TestDailyStoredQuestionSentAgainOnce: a process killed after storing a daily question
// but before the platform confirmed its post leaves the run claimed (in the session's own
// transaction) and the session open. On a platform that can tell a second send from a
// first (Redelivering) the next start sends that question again, with its intro (the
// platform finds it posted): the run is neither lost nor made up with a second question.
func TestDailyStoredQuestionSentAgainOnce(t *testing.T) {
	h := dailyHarness(t)
	h.redelivering()
	h.clock.Advance(time.Hour)
	q := h.plat.NextKind(t, bot.MsgQuestion)
	s := h.unconfirm(alice, dm)
	if s.Run == nil || s.Run.Key != "2026-11-25T10:00Z" {
		t.Fatalf("session's run %+v, want the 10:00 run", s.Run)
	}
	ds, _ := h.store.Dailies(context.Background())
	if ok, _ := h.store.ClaimRun(context.Background(), ds[0].ID, "2026-11-25T10:00Z"); ok {
		t.Fatal("storing the run's question did not claim the run")
	}
	h.stop()
	h.clock.Advance(20 * time.Second)
	h.start()
	h.bot.Idle()
	h.plat.None(t) // neither posted twice nor made up with another question
	again := h.plat.Resent()
	if len(again) != 1 || again[0].Session != s.ID || again[0].Text != q.Text || !strings.HasPrefix(again[0].Text, "Your daily question:") {
		t.Fatalf("sent again: %+v; want session %d's question with its intro, %q", again, s.ID, q.Text)
	}
}

// TestDailyRefusedPostIsTriedAgainOnce: a post the platform refuses drops its session and
// gives the run back, so the next try stores the question again (claiming the run in
// the same transaction) and posts it: one question, one claim.
func TestDailyRefusedPostIsTriedAgainOnce(t *testing.T) {
	h := dailyHarness(t)
	h.plat.FailNext(errors.New("503 from the platform"))
	h.clock.Advance(time.Hour)
	deadline := time.Now().Add(5 * time.Second)
	var qs []bot.Message
	for len(qs) == 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
		for _, m := range h.plat.Messages() {
			if m.Kind == bot.MsgQuestion {
				qs = append(qs, m)
			}
		}
	}
	h.bot.Idle()
	if len(qs) != 1 || !strings.HasPrefix(qs[0].Text, "Your daily question:") {
		t.Fatalf("got %d questions, want the daily question once after the refusal", len(qs))
	}
	ds, _ := h.store.Dailies(context.Background())
	if ok, _ := h.store.ClaimRun(context.Background(), ds[0].ID, "2026-11-25T10:00Z"); ok {
		t.Fatal("the posted run is not claimed")
	}
	if s, open := h.bot.OpenSession(alice, dm); !open || s.Run == nil || s.MessageID == "" {
		t.Fatalf("session %+v (open %v), want the posted run's", s, open)
	}
}

func TestDailyMissedRunMadeUpOnce(t *testing.T) {
	h := dailyHarness(t)
	h.stop()
	h.clock.Advance(80 * time.Minute) // down at 10:00; back at 10:20
	h.start()
	q := h.plat.NextKind(t, bot.MsgQuestion)
	if !strings.HasPrefix(q.Text, "Your daily question:") {
		t.Fatalf("got %q", q.Text)
	}
	h.say(alice, dm, "skip")
	h.plat.Next(t)
	h.stop()
	h.clock.Advance(5 * time.Minute)
	h.start()
	h.bot.Idle()
	h.plat.None(t) // the made-up run is not made up again
}

func TestDailyMissedByMoreThanAnHourIsSkipped(t *testing.T) {
	h := dailyHarness(t)
	h.stop()
	h.clock.Advance(3 * time.Hour) // down from 09:00 to 12:00
	h.start()
	h.bot.Idle()
	h.plat.None(t)
	h.clock.Advance(22 * time.Hour) // the next day's 10:00 still comes
	h.plat.NextKind(t, bot.MsgQuestion)
}

func TestDailyNeedsADM(t *testing.T) {
	h := newHarness(t)
	h.say(alice, chanA, "daily on 09:00")
	if m := h.plat.NextKind(t, bot.MsgInfo); !strings.Contains(m.Text, "direct message") {
		t.Fatalf("got %q", m.Text)
	}
	h.say(alice, dm, "daily on 9 Europe/Nowhere")
	if m := h.plat.NextKind(t, bot.MsgInfo); !strings.Contains(m.Text, "Europe/Berlin") {
		t.Fatalf("got %q", m.Text)
	}
}

func TestStreakAcrossMidnightInTheirTimezone(t *testing.T) {
	tokyo, _ := time.LoadLocation("Asia/Tokyo")
	at := func(s string) *bot.Attempt {
		tm, _ := time.ParseInLocation("2006-01-02 15:04", s, tokyo)
		return &bot.Attempt{Outcome: bot.OutcomeGraded, Answered: tm}
	}
	attempts := []*bot.Attempt{
		at("2026-11-20 10:00"), at("2026-11-21 23:50"), // two days
		at("2026-11-23 00:10"), at("2026-11-23 20:00"), at("2026-11-24 23:59"), at("2026-11-25 00:01"), // three days
	}
	now, _ := time.ParseInLocation("2006-01-02 15:04", "2026-11-25 09:00", tokyo)
	if cur, best := bot.Streak(attempts, tokyo, now); cur != 3 || best != 3 {
		t.Fatalf("got %d/%d, want 3/3", cur, best)
	}
	// The same instants counted in UTC fall on other days (00:10 Tokyo on the 23rd is the
	// 22nd in UTC), which closes the gap: five days in a row.
	if cur, _ := bot.Streak(attempts, time.UTC, now); cur != 5 {
		t.Fatalf("in UTC got %d, want 5 (20th to 24th UTC)", cur)
	}
	// A day not over yet does not break the streak; a missed day does.
	tomorrow := now.Add(24 * time.Hour)
	if cur, _ := bot.Streak(attempts, tokyo, tomorrow); cur != 3 {
		t.Fatalf("tomorrow morning got %d, want 3", cur)
	}
	if cur, best := bot.Streak(attempts, tokyo, tomorrow.Add(24*time.Hour)); cur != 0 || best != 3 {
		t.Fatalf("after a missed day got %d/%d, want 0/3", cur, best)
	}
}

// A daily fan-out's time's-up notes come one time limit after the posts, all at once on
// the clock; they wait for the platform's turns like the posts, so none is refused.
//
// The pacer's wall-clock ticker runs at 97% of the rate (paceShare): judged on a full
// second, one send held up 31ms by a loaded machine put the send ten turns later over
// the limit. The platform here judges 10 sends in any 900ms instead, which forgives
// 130ms of lateness; the 12 notes sent at once, unpaced, still have 2 refused, and the
// elapsed time still bounds their average rate.
func TestDailyTimeUpNotesArePaced(t *testing.T) {
	plat := &limitedPlatform{rate: 10, span: 900 * time.Millisecond, sent: map[string]int{}}
	clock := bottest.NewClock(t0)
	st, err := store.Open(filepath.Join(t.TempDir(), "quorum.db"), 0)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	const n = 12
	for i := 0; i < n; i++ {
		u := bot.User{Platform: "test", ID: fmt.Sprint("u", i)}
		d := &bot.Daily{User: u, Conv: bot.Conversation{Platform: "test", ID: "dm-" + u.ID, DM: true}, Hour: 10, TZ: "UTC", Topic: "consensus", Created: t0}
		if err := st.SaveDaily(context.Background(), d); err != nil {
			t.Fatal(err)
		}
	}
	b := bot.New(bot.Config{Bank: bottest.Bank(t), Grader: rubric.New(rubric.Options{}), Store: st, Clock: clock})
	b.AddPlatform(plat)
	if err := b.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	clock.Advance(time.Hour)
	b.Idle()
	plat.mu.Lock()
	refusedBefore := plat.over
	plat.mu.Unlock()
	// All n notes fall due at once; paced, they take at least n-2 turns of the ticker
	// (one turn may be waiting already). Unpaced they would all go in a few milliseconds.
	start := time.Now()
	clock.Advance(3*time.Minute + 10*time.Second)
	b.Idle()
	elapsed := time.Since(start)
	plat.mu.Lock()
	defer plat.mu.Unlock()
	turn := time.Duration(float64(time.Second) / (0.97 * plat.rate))
	if q := plat.kinds[bot.MsgQuestion]; q != n {
		t.Fatalf("got %d questions, want %d", q, n)
	}
	if min := time.Duration(n-2) * turn; elapsed < min {
		t.Fatalf("the %d time's-up notes went out in %v; paced they take at least %v", n, elapsed, min)
	}
	if up, refused := plat.kinds[bot.MsgTimeUp], plat.over-refusedBefore; up+refused != n || refused > 1 {
		t.Fatalf("got %d time's-up notes delivered and %d refused; want %d with at most one refused", up, refused, n)
	}
}

// dailyQuestions counts the daily questions sent to alice's DM so far.
func (h *harness) dailyQuestions() int {
	n := 0
	for _, m := range h.plat.Messages() {
		if m.Kind == bot.MsgQuestion && m.Conv == dm && strings.HasPrefix(m.Text, "Your daily question") {
			n++
		}
	}
	return n
}

// TestDailyTimezoneChangeKeepsNextRun: `daily on` keeps the drill's id, so runs are named
// by their instant: after Tokyo's 09:30 run, New York's 09:30 the same date is another
// run, not a duplicate of the one Tokyo claimed.
func TestDailyTimezoneChangeKeepsNextRun(t *testing.T) {
	h := newHarness(t)
	h.say(alice, dm, "daily on 09:30 Asia/Tokyo") // 00:30 UTC on 26 Nov
	h.plat.NextKind(t, bot.MsgInfo)
	h.clock.Advance(15*time.Hour + 31*time.Minute)
	h.bot.Idle()
	h.plat.NextKind(t, bot.MsgQuestion)
	h.say(alice, dm, goodAnswer)
	h.plat.NextKind(t, bot.MsgVerdict)
	// Alice flies to New York: 09:30 EST on 26 Nov is 14:30 UTC.
	h.say(alice, dm, "daily on 09:30 America/New_York")
	if m := h.plat.NextKind(t, bot.MsgInfo); !strings.Contains(m.Text, "Thu 26 Nov at 09:30 EST") {
		t.Fatalf("got %q", m.Text)
	}
	h.clock.Advance(14 * time.Hour)
	h.bot.Idle()
	if got := h.dailyQuestions(); got != 2 {
		t.Fatalf("got %d daily questions, want 2 (Tokyo's on 26 Nov, then New York's the same date)", got)
	}
}

// TestDailyRunClaimedBeforeUpgradeIsNotMadeUp: a version before run keys named instants
// stored the local wall time ("2026-11-25T09:00" for 09:00 in New York, 14:00 UTC). A start
// after the upgrade, inside the catch-up hour, reads that key in the drill's timezone and
// does not post the run again.
func TestDailyRunClaimedBeforeUpgradeIsNotMadeUp(t *testing.T) {
	h := newHarness(t)
	h.say(alice, dm, "daily on 09:00 America/New_York")
	h.plat.NextKind(t, bot.MsgInfo)
	ds, _ := h.store.Dailies(context.Background())
	h.stop()
	// The old version posted the 14:00 UTC run under its local wall-time key.
	st, err := store.Open(h.path, 0)
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := st.ClaimRun(context.Background(), ds[0].ID, "2026-11-25T09:00"); !ok || err != nil {
		t.Fatalf("claim: %v %v", ok, err)
	}
	st.Close()
	h.clock.Advance(5*time.Hour + 20*time.Minute) // 14:20 UTC: 20 minutes after the run
	h.start()
	h.bot.Idle()
	h.plat.None(t)
	// The next day's run comes, under the new key.
	h.clock.Advance(24 * time.Hour)
	h.bot.Idle()
	if got := h.dailyQuestions(); got != 1 {
		t.Fatalf("got %d daily questions, want the next day's only", got)
	}
	if ok, _ := h.store.ClaimRun(context.Background(), ds[0].ID, "2026-11-26T14:00Z"); ok {
		t.Fatal("the next day's run was not claimed under its instant")
	}
}

// TestTimezonesInAnyCase: commands reach the core lower-cased, so zone names are matched
// in any case against the real names, including those no capitalisation rule rebuilds.
func TestTimezonesInAnyCase(t *testing.T) {
	h := drillHarness(t)
	for _, tt := range []struct {
		conv bot.Conversation
		u    bot.User
		text string
		want string
	}{
		{dm, alice, "daily on 09:00 US/Eastern", "Daily drill on: 09:00 US/Eastern,"},
		{dm, alice, "daily on 09:00 us/eastern", "Daily drill on: 09:00 US/Eastern,"},
		{dm, alice, "daily on 09:00 Europe/Isle_of_Man", "Daily drill on: 09:00 Europe/Isle_of_Man,"},
		{dm, alice, "daily on 09:00 America/Port-au-Prince", "Daily drill on: 09:00 America/Port-au-Prince,"},
		{dm, alice, "daily on 09:00 Etc/GMT+5", "Daily drill on: 09:00 Etc/GMT+5,"},
		{dm, alice, "daily on 09:00 europe/berlin", "Daily drill on: 09:00 Europe/Berlin,"},
		{dm, alice, "daily on 09:00 Europe/Nowhere", `I don't know the timezone "europe/nowhere"`},
		{general, carol, "drill add 0 9 * * * US/Pacific", "`0 9 * * *` US/Pacific,"},
		{general, carol, "drill add CRON_TZ=Etc/UTC 0 9 * * *", "`0 9 * * *` Etc/UTC,"},
		{general, carol, "drill add 0 9 * * * America/Port-au-Prince", "`0 9 * * *` America/Port-au-Prince,"},
	} {
		h.say(tt.u, tt.conv, tt.text)
		if m := h.plat.NextKind(t, bot.MsgInfo); !strings.Contains(m.Text, tt.want) {
			t.Errorf("%q: got %q, want %q", tt.text, m.Text, tt.want)
		}
	}
}

// TestEveryListedZoneLoads: each name in the list timezones are matched against loads,
// in any case, and keeps its own spelling.
func TestEveryListedZoneLoads(t *testing.T) {
	list, err := os.ReadFile("tznames.txt")
	if err != nil {
		t.Fatal(err)
	}
	names := strings.Fields(string(list))
	if len(names) < 400 {
		t.Fatalf("got %d zone names, want the whole database", len(names))
	}
	for _, name := range names {
		d, err := bot.ParseDaily([]string{"09:00", strings.ToLower(name)}, "", nil, nil)
		if err != nil || d.TZ != name {
			t.Errorf("%s: got %+v, %v", name, d, err)
		}
	}
}

// TestDailyOnATagThatStartsLikeADay: with the real bank, `daily on 09:00 mongodb` is a
// daily question on mongodb every day, not a Monday one on any topic.
func TestDailyOnATagThatStartsLikeADay(t *testing.T) {
	bank, err := prompts.LoadBank()
	if err != nil {
		t.Fatal(err)
	}
	if bank.Tag("mongodb") == "" {
		t.Fatal("the bank no longer tags a question mongodb; pick another tag that starts like a day")
	}
	d, err := bot.ParseDaily([]string{"09:00", "mongodb"}, "", bank.Topics(), bank.Tags())
	if err != nil {
		t.Fatal(err)
	}
	if d.Topic != "mongodb" || len(d.Days) != 0 {
		t.Fatalf("got days %v, topic %q; want every day on mongodb", d.Days, d.Topic)
	}
}

// TestDailyUTCNote: the note that the time is UTC comes whenever no timezone was given
// (and none was saved), whatever else was: days, a topic.
func TestDailyUTCNote(t *testing.T) {
	for _, tt := range []struct {
		text string
		note bool
	}{
		{"daily on 09:00", true},
		{"daily on 09:00 mon-fri", true},
		{"daily on 09:00 mon-fri consensus", true},
		{"daily on 09:00 UTC", false},
		{"daily on 09:00 Europe/Berlin", false},
	} {
		h := newHarness(t)
		h.say(alice, dm, tt.text)
		m := h.plat.NextKind(t, bot.MsgInfo)
		if got := strings.Contains(m.Text, "(That's UTC: add your timezone"); got != tt.note {
			t.Errorf("%q: got %q, want the UTC note %v", tt.text, m.Text, tt.note)
		}
	}
}

// TestDailyToABlockedPerson: a daily question the platform refuses (the person blocked
// direct messages) is tried again; the daily drill stays on for the next day.
func TestDailyToABlockedPerson(t *testing.T) {
	h := newHarness(t)
	h.say(alice, dm, "daily on 09:30 UTC")
	h.plat.NextKind(t, bot.MsgInfo)
	h.plat.FailNext(errors.New("403 Forbidden: Cannot send messages to this user"))
	h.clock.Advance(30 * time.Minute)
	h.bot.Idle()
	if got := h.dailyQuestions(); got != 1 {
		t.Fatalf("got %d daily questions, want the one tried again after the refusal", got)
	}
	h.say(alice, dm, "skip")
	h.plat.Drain()
	h.say(alice, dm, "daily status")
	if m := h.plat.NextKind(t, bot.MsgInfo); !strings.Contains(m.Text, "Next: Thu 26 Nov at 09:30 UTC") {
		t.Fatalf("got %q, want the daily drill still on", m.Text)
	}
}

// flakyPlat posts through the in-memory platform and then reports an error for the next
// ambiguous questions all the same: a timeout after the platform took the post. With
// block set, question sends wait until it is closed, saying so on entered.
type flakyPlat struct {
	*bottest.Platform
	mu        sync.Mutex
	ambiguous int
	failed    chan struct{} // told of each ambiguous failure, when not nil
	block     chan struct{}
	entered   chan struct{}
}

func (p *flakyPlat) Send(ctx context.Context, m bot.Message) (bot.Sent, error) {
	if m.Kind == bot.MsgQuestion {
		p.mu.Lock()
		blk := p.block
		p.mu.Unlock()
		if blk != nil {
			p.entered <- struct{}{}
			<-blk
		}
	}
	sent, err := p.Platform.Send(ctx, m)
	if err != nil {
		return sent, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if m.Kind == bot.MsgQuestion && p.ambiguous > 0 {
		p.ambiguous--
		if p.failed != nil {
			p.failed <- struct{}{}
		}
		return bot.Sent{}, context.DeadlineExceeded
	}
	return sent, nil
}

// unblock lets question sends through from now on.
func (p *flakyPlat) unblock() {
	p.mu.Lock()
	defer p.mu.Unlock()
	close(p.block)
	p.block = nil
}

// questions returns the questions p posted.
func questions(p *bottest.Platform) []bot.Message {
	var qs []bot.Message
	for _, m := range p.Messages() {
		if m.Kind == bot.MsgQuestion {
			qs = append(qs, m)
		}
	}
	return qs
}

// TestDailyAmbiguousSendPostedOnce: a daily question whose send errs after the platform
// took it (a timeout) is tried again under the same key, marked Again, so a platform
// that posts a keyed message once (Discord's nonce, Slack's look-up) posts it once.
func TestDailyAmbiguousSendPostedOnce(t *testing.T) {
	h := dailyHarness(t)
	h.redelivering()
	h.bot.AddPlatform(&flakyPlat{Platform: h.plat, ambiguous: 1})
	h.clock.Advance(time.Hour)
	h.bot.Idle()
	qs := questions(h.plat)
	if len(qs) != 1 || qs[0].Again {
		t.Fatalf("got %d daily questions, want 1 posted by its first send", len(qs))
	}
	again := h.plat.Resent()
	if len(again) != 1 || again[0].Key != qs[0].Key || !strings.HasPrefix(qs[0].Key, "day") {
		t.Fatalf("sent again: %+v; want one try again under the run's key %q", again, qs[0].Key)
	}
	if s, open := h.bot.OpenSession(alice, dm); !open || s.MessageID == "" {
		t.Fatalf("session %+v (open %v), want the posted question's", s, open)
	}
}

// TestDailyStopBetweenTriesSentAgainAtStart: a stop while a daily question whose send
// failed waits to be tried again leaves it stored, and the next start sends it again
// under the same key, marked Again: posted once, not made up as a new question.
func TestDailyStopBetweenTriesSentAgainAtStart(t *testing.T) {
	h := dailyHarness(t)
	h.redelivering()
	fp := &flakyPlat{Platform: h.plat, ambiguous: 1, failed: make(chan struct{}, 1)}
	h.bot.AddPlatform(fp)
	first := h.plat
	done := make(chan struct{})
	go func() { h.clock.Advance(time.Hour); close(done) }()
	<-fp.failed
	h.stop() // while the run waits to try again
	<-done
	h.clock.Advance(time.Minute)
	h.start()
	h.bot.Idle()
	posted := append(questions(first), questions(h.plat)...)
	again := h.plat.Resent()
	if len(posted) != 1 || len(again) != 1 || again[0].Key != posted[0].Key {
		t.Fatalf("posted %d, sent again %+v; want one question, sent again once under its key", len(posted), again)
	}
	h.clock.Advance(30 * time.Minute)
	h.bot.Idle()
	if n := len(questions(h.plat)); n != 0 {
		t.Fatalf("%d more questions, want none", n)
	}
}

// TestDailyRescheduleDuringSend: `daily on` with a new hour while the old schedule's
// run is being sent keeps the new hour: the run re-arms from the drill as stored now.
func TestDailyRescheduleDuringSend(t *testing.T) {
	h := dailyHarness(t) // 10:00 UTC daily; now 09:00
	fp := &flakyPlat{Platform: h.plat, block: make(chan struct{}), entered: make(chan struct{}, 1)}
	h.bot.AddPlatform(fp)
	done := make(chan struct{})
	go func() { h.clock.Advance(time.Hour); close(done) }() // 10:00: the run starts sending
	<-fp.entered
	h.say(alice, dm, "daily on 15:00 UTC")
	fp.unblock()
	<-done
	h.bot.Idle()
	h.say(alice, dm, goodAnswer)
	// Today and tomorrow: one question at 15:00, none before (tomorrow's 10:00, the old hour).
	for day, wait := range []time.Duration{5 * time.Hour, 24 * time.Hour} {
		before := h.dailyQuestions()
		h.clock.Advance(wait - time.Minute) // 14:59
		h.bot.Idle()
		if n := h.dailyQuestions() - before; n != 0 {
			t.Fatalf("day %d: %d daily questions before 15:00, want 0", day, n)
		}
		h.clock.Advance(time.Minute)
		h.bot.Idle()
		if n := h.dailyQuestions() - before; n != 1 {
			t.Fatalf("day %d: %d daily questions at 15:00, want 1", day, n)
		}
		h.say(alice, dm, goodAnswer)
	}
}

// claimHook is a store that calls hook before each ClaimRun: what happens while a run
// waits for its turn.
type claimHook struct {
	*store.Store
	hook func()
}

func (s claimHook) ClaimRun(ctx context.Context, id uint64, key string) (bool, error) {
	if f := s.hook; f != nil {
		f()
	}
	return s.Store.ClaimRun(ctx, id, key)
}

// skippedRunWith runs alice's skipped 10:00 run, saying text just before the run
// claims it (after it loaded the drill).
func skippedRunWith(t *testing.T, text string) *harness {
	h := dailyHarness(t)
	h.say(alice, dm, "daily skip")
	h.plat.Drain()
	once := sync.Once{}
	h.wrapStore = func(st *store.Store) bot.Store {
		return claimHook{st, func() { once.Do(func() { h.say(alice, dm, text) }) }}
	}
	h.stop()
	h.start()
	h.clock.Advance(time.Hour)
	h.bot.Idle()
	return h
}

// TestDailySkipKeepsRescheduleMadeMeanwhile: a skipped run clears only the skip, so a
// `daily on` made while it waited stays.
func TestDailySkipKeepsRescheduleMadeMeanwhile(t *testing.T) {
	h := skippedRunWith(t, "daily on 15:00 Europe/Berlin")
	ds, err := h.store.Dailies(context.Background())
	if err != nil || len(ds) != 1 || ds[0].Hour != 15 || ds[0].TZ != "Europe/Berlin" || ds[0].SkipNext {
		t.Fatalf("stored %+v (%v), want 15:00 Europe/Berlin, not skipped", ds, err)
	}
}

// TestDailyOffDuringSkippedRun: a `daily off` made while a skipped run waited stays off.
func TestDailyOffDuringSkippedRun(t *testing.T) {
	h := skippedRunWith(t, "daily off")
	h.restart()
	before := h.dailyQuestions()
	h.clock.Advance(24 * time.Hour)
	h.bot.Idle()
	ds, _ := h.store.Dailies(context.Background())
	if len(ds) != 0 || h.dailyQuestions() != before {
		t.Fatalf("after `daily off`: %d dailies stored, %d questions the next day", len(ds), h.dailyQuestions()-before)
	}
}

// TestDailyDownForDays: down three days, back 20 minutes after the hour: the latest run
// is made up, once; the older ones are skipped and logged in one line with their count.
func TestDailyDownForDays(t *testing.T) {
	h := dailyHarness(t)
	h.logs = &logBuffer{}
	h.stop()
	h.clock.Advance(3*24*time.Hour + 80*time.Minute) // 10:20, three days later
	h.start()
	h.bot.Idle()
	if n := h.dailyQuestions(); n != 1 {
		t.Fatalf("%d made up, want 1", n)
	}
	lines := h.logs.lines("skipped daily runs missed while down")
	if len(lines) != 1 || !strings.Contains(lines[0], "runs=3") || !strings.Contains(lines[0], "first=2026-11-25T10:00:00.000Z") ||
		!strings.Contains(lines[0], "last=2026-11-27T10:00:00.000Z") {
		t.Fatalf("logged %q, want one line for the three older runs", lines)
	}
	h.restart()
	h.bot.Idle()
	if n := h.dailyQuestions(); n != 0 {
		t.Fatalf("%d made up again after a second restart", n)
	}
}
