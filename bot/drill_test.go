package bot_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/quorum-dev/quorum/bot"
	"github.com/quorum-dev/quorum/bot/bottest"
	"github.com/quorum-dev/quorum/store"
)

func TestParseDrill(t *testing.T) {
	topics := []string{"consensus", "replication"}
	now := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	tests := []struct {
		args string
		want string // Describe() without the id, or the error's start
	}{
		{"0 9 * * mon-fri Europe/Berlin consensus", "`0 9 * * mon-fri` Europe/Berlin, consensus, answers for 1 hour"},
		{"CRON_TZ=America/New_York 30 8 * * 1-5 hard window=2h", "`30 8 * * 1-5` America/New_York, hard, answers for 2 hours"},
		{`"0 18 * * *" utc repl 90m`, "`0 18 * * *` UTC, replication, answers for 90 minutes"},
		{"0 9 * * 1-5 raft", "`0 9 * * 1-5` UTC, raft, answers for 1 hour"},
		{"@daily", "`@daily` UTC, answers for 1 hour"},
		{"0 9 * *", "I need five cron fields and found 4"},
		{"0 25 * * *", "I can't read the schedule `0 25 * * *`"},
		{"0 9 * * * Mars/Olympus", `I don't know the timezone "Mars/Olympus"`},
		{"CRON_TZ=Nowhere/Land 0 9 * * *", `I don't know the timezone "Nowhere/Land"`},
		{"*/15 * * * *", "`*/15 * * * *` runs every 15 minutes; a drill runs at most once an hour"},
		{"@every 1h", "`@every` schedules drift"},
		{"0 9,10 * * * window=3h", "The answer window (3 hours) is longer than the time between runs (1 hour); make it shorter, like `window=30m`"},
		{"0 9 * * * window=2d", `The answer window "window=2d" should be between 5m and 24h`},
		{"0 9 * * * sometimes", `I don't understand "sometimes"`},
		{"0 0 30 2 *", "The schedule `0 0 30 2 *` never runs"},
		{"", "When should it run?"},
		// 7 is Sunday, as in standard cron.
		{"0 9 * * 7", "`0 9 * * 7` UTC, answers for 1 hour"},
		{"0 9 * * 5-7", "`0 9 * * 5-7` UTC, answers for 1 hour"},
		{"0 9 * * 1,7", "`0 9 * * 1,7` UTC, answers for 1 hour"},
		{"0 9 * * 1-7/2", "`0 9 * * 1-7/2` UTC, answers for 1 hour"},
		// A field the parser refuses is named in a sentence, never with Go's error text.
		{"0 9 L * *", "I can't read the schedule `0 9 l * *`: the day-of-month field `l` uses L, W or #, which these schedules don't support; it takes 1-31."},
		{"0 9 1W * *", "I can't read the schedule `0 9 1w * *`: the day-of-month field `1w` uses L, W or #"},
		{"0 25 * * *", "I can't read the schedule `0 25 * * *`: the hour field `25` is out of range; it takes 0-23."},
		{"0 9 * 13 *", "I can't read the schedule `0 9 * 13 *`: the month field `13` is out of range; it takes 1-12 or jan-dec."},
		{"0 9 * * 8", "I can't read the schedule `0 9 * * 8`: the day-of-week field `8` is out of range; it takes 0-7 or sun-sat"},
		{"0 9 * * fri-mon", "I can't read the schedule `0 9 * * fri-mon`: the day-of-week field `fri-mon` has a range that runs backwards"},
		{"x 9 * * *", "I can't read the schedule `x 9 * * *`: the minute field `x` isn't a number, range (1-5), list (1,3) or step (*/2) I can read; it takes 0-59."},
		{"@fortnightly", "I can't read the schedule `@fortnightly`: `@fortnightly` isn't a schedule name I know"},
		// Two of one thing conflict; the same one twice does not.
		{"0 9 * * * Europe/Berlin Asia/Tokyo", "`Europe/Berlin` and `Asia/Tokyo` are two timezones; give one."},
		{"CRON_TZ=Europe/Berlin 0 9 * * * asia/tokyo", "`Europe/Berlin` and `Asia/Tokyo` are two timezones; give one."},
		{"0 9 * * * utc UTC", "`0 9 * * *` UTC, answers for 1 hour"},
		{"0 9 * * * hard easy", "`hard` and `easy` are two difficulties; give one."},
		{"0 9 * * * window=2h 90m", "`window=2h` and `90m` are two answer windows; give one."},
		{"0 9 * * * kafka raft", "`kafka` and `raft` are two topics; a drill asks about one topic"},
		{"0 9 * * * consensus kafka", "`consensus` and `kafka` are two topics"},
		{"0 9 * * * leader election", "`0 9 * * *` UTC, leader-election, answers for 1 hour"},
		{"0 9 * * * kafka sometimes", `I don't understand "sometimes"`},
	}
	for _, tt := range tests {
		d, err := bot.ParseDrill(strings.Fields(tt.args), topics, []string{"kafka", "raft", "leader-election"}, now)
		got := ""
		if err != nil {
			got = err.Error()
		} else {
			got = strings.TrimPrefix(d.Describe(), "#0 ")
		}
		if !strings.HasPrefix(got, tt.want) {
			t.Errorf("%q: got %q, want %q", tt.args, got, tt.want)
		}
	}
}

func TestDrillCronAcrossDST(t *testing.T) {
	berlin, _ := time.LoadLocation("Europe/Berlin")
	d := &bot.Drill{Spec: "30 2 * * *", TZ: "Europe/Berlin"}
	// Spring forward on 29 March 2026: 02:30 does not exist; the run comes at 03:30 CEST.
	got := d.Next(time.Date(2026, 3, 28, 12, 0, 0, 0, time.UTC))
	if want := time.Date(2026, 3, 29, 1, 30, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("spring forward: got %v, want %v", got.In(berlin), want.In(berlin))
	}
	if next := d.Next(got); !next.Equal(time.Date(2026, 3, 30, 0, 30, 0, 0, time.UTC)) {
		t.Errorf("after spring forward: got %v, want 02:30 CEST the next day", next.In(berlin))
	}
	// Fall back on 25 October 2026: 02:30 happens twice; the run is the first, once.
	first := d.Next(time.Date(2026, 10, 24, 12, 0, 0, 0, time.UTC))
	if want := time.Date(2026, 10, 25, 0, 30, 0, 0, time.UTC); !first.Equal(want) {
		t.Errorf("fall back: got %v, want %v", first, want)
	}
	if second := d.Next(first); !second.Equal(time.Date(2026, 10, 26, 1, 30, 0, 0, time.UTC)) {
		t.Errorf("after fall back: got %v, want the next day", second)
	}
	// A cron spec read in a timezone: 09:00 New York is 14:00 UTC in November.
	ny := &bot.Drill{Spec: "0 9 * * 1-5", TZ: "America/New_York"}
	fri := time.Date(2026, 11, 27, 15, 0, 0, 0, time.UTC)
	if got := ny.Next(fri); !got.Equal(time.Date(2026, 11, 30, 14, 0, 0, 0, time.UTC)) {
		t.Errorf("after Friday got %v, want Monday 14:00 UTC", got)
	}
	if prev := ny.Prev(fri); !prev.Equal(time.Date(2026, 11, 27, 14, 0, 0, 0, time.UTC)) {
		t.Errorf("prev: got %v, want Friday 14:00 UTC", prev)
	}
}

var (
	carol   = bot.User{Platform: "test", ID: "carol", Name: "Carol"}
	general = bot.Conversation{Platform: "test", ID: "general", Guild: "g1"}
	random  = bot.Conversation{Platform: "test", ID: "random", Guild: "g1"}
	other   = bot.Conversation{Platform: "test", ID: "elsewhere", Guild: "g2"}
)

// drillHarness has carol managing the server; alice and bob are members.
func drillHarness(t *testing.T) *harness {
	h := newHarness(t)
	h.plat.Managers = map[string]bool{"carol": true}
	return h
}

func (h *harness) restart() {
	h.stop()
	h.start()
	h.plat.Managers = map[string]bool{"carol": true}
}

func (h *harness) drills() []*bot.Drill {
	h.t.Helper()
	ds, err := h.store.Drills(context.Background())
	if err != nil {
		h.t.Fatal(err)
	}
	return ds
}

func TestDrillCommandsNeedManager(t *testing.T) {
	h := drillHarness(t)
	h.say(bob, general, "drill add 0 10 * * * consensus")
	if m := h.plat.NextKind(t, bot.MsgInfo); !strings.Contains(m.Text, "set up by the people who manage") {
		t.Fatalf("got %q, want the rule", m.Text)
	}
	if ds := h.drills(); len(ds) != 0 {
		t.Fatalf("a member added a drill: %+v", ds)
	}
	h.say(carol, general, "drill add 0 10 * * * consensus")
	if m := h.plat.NextKind(t, bot.MsgInfo); !strings.Contains(m.Text, "Drill #1 `0 10 * * *` UTC, consensus, answers for 1 hour added") || !strings.Contains(m.Text, "Wed 25 Nov at 10:00 UTC") {
		t.Fatalf("got %q", m.Text)
	}
	// Anyone may list; nobody but a manager may pause, resume or remove.
	h.say(bob, random, "drill list")
	if m := h.plat.NextKind(t, bot.MsgInfo); !strings.Contains(m.Text, "#1 `0 10 * * *`") || !strings.Contains(m.Text, "in another channel") {
		t.Fatalf("got %q", m.Text)
	}
	for _, cmd := range []string{"drill pause 1", "drill resume 1", "drill remove 1"} {
		h.say(bob, general, cmd)
		if m := h.plat.NextKind(t, bot.MsgInfo); !strings.Contains(m.Text, "set up by the people who manage") {
			t.Fatalf("%s by a member: got %q", cmd, m.Text)
		}
	}
	// A manager of another server can't touch this one's drill, nor learn it exists.
	h.plat.Managers["dave"] = true
	dave := bot.User{Platform: "test", ID: "dave"}
	h.say(dave, other, "drill remove 1")
	if m := h.plat.NextKind(t, bot.MsgInfo); !strings.Contains(m.Text, "There is no drill #1 here") {
		t.Fatalf("got %q", m.Text)
	}
	// The Discord adapter vouches for a slash command's sender with Event.Manager.
	h.bot.Handle(context.Background(), bot.Event{User: bob, Conv: general, Text: "drill pause 1", Manager: true})
	if m := h.plat.NextKind(t, bot.MsgInfo); !strings.Contains(m.Text, "Drill #1 paused") {
		t.Fatalf("got %q", m.Text)
	}
	if ds := h.drills(); len(ds) != 1 || !ds[0].Paused || ds[0].By.ID != "carol" {
		t.Fatalf("got %+v, want carol's drill, paused", ds[0])
	}
	// Paused: 10:00 passes without a post.
	h.clock.Advance(time.Hour)
	h.plat.None(t)
	h.say(carol, general, "drill resume 1")
	if m := h.plat.NextKind(t, bot.MsgInfo); !strings.Contains(m.Text, "Thu 26 Nov at 10:00") {
		t.Fatalf("got %q", m.Text)
	}
	h.say(carol, general, "drill remove 1")
	h.plat.NextKind(t, bot.MsgInfo)
	h.clock.Advance(25 * time.Hour)
	h.plat.None(t)
	h.say(alice, dm, "drill add 0 9 * * *")
	if m := h.plat.NextKind(t, bot.MsgInfo); !strings.Contains(m.Text, "Drills post to a channel") {
		t.Fatalf("got %q", m.Text)
	}
	h.say(carol, general, "drill add 0 9 * *")
	if m := h.plat.NextKind(t, bot.MsgInfo); !strings.Contains(m.Text, "Say it like `drill add 0 9 * * mon-fri") {
		t.Fatalf("got %q", m.Text)
	}
}

// postedDrill adds a drill for 10:00 UTC in #general and lets it run; it returns the question.
func postedDrill(t *testing.T, h *harness) bot.Message {
	t.Helper()
	h.say(carol, general, "drill add 0 10 * * * consensus window=1h")
	h.plat.NextKind(t, bot.MsgInfo)
	h.clock.Advance(time.Hour)
	q := h.plat.NextKind(t, bot.MsgQuestion)
	if q.Conv.ID != "general" || q.To.ID != "" || !strings.Contains(q.Text, "Everyone can answer") || !strings.Contains(q.Text, "aim to answer in 3 minutes") {
		t.Fatalf("got %+v, want a question for the whole channel", q)
	}
	return q
}

func TestDrillMembersAnswerInThreadAndSummary(t *testing.T) {
	h := drillHarness(t)
	meter := newCountingMeter()
	h.meter = meter
	h.restart()
	postedDrill(t, h)
	thread := general
	thread.Thread = "tm2" // the bottest platform's thread for message 2
	alice := bot.User{Platform: "test", ID: "alice", Name: "Alice"}
	bob := bot.User{Platform: "test", ID: "bob", Name: "Bob"}

	h.say(alice, thread, goodAnswer)
	v := h.plat.NextKind(t, bot.MsgVerdict)
	if !strings.HasPrefix(v.Title, "PASS") || v.To.ID != "alice" || v.Conv != thread || len(v.Actions) != 0 {
		t.Fatalf("got %+v, want alice's PASS in the thread with no model-answer button", v)
	}
	h.say(bob, thread, wrongAnswer)
	if v := h.plat.NextKind(t, bot.MsgVerdict); !strings.HasPrefix(v.Title, "FAIL") || v.To.ID != "bob" {
		t.Fatalf("got %q for %s, want bob's FAIL", v.Title, v.To.ID)
	}
	h.say(alice, thread, goodAnswer+" Also terms.")
	if m := h.plat.NextKind(t, bot.MsgInfo); !strings.Contains(m.Text, "You already answered this drill (PASS") {
		t.Fatalf("got %q", m.Text)
	}
	meter.mu.Lock()
	if meter.answered != 2 {
		t.Errorf("%d waits for a drill verdict observed, want 2 (the refused second answer is not one)", meter.answered)
	}
	meter.mu.Unlock()
	h.say(bob, thread, "model")
	if m := h.plat.NextKind(t, bot.MsgInfo); !strings.Contains(m.Text, "the model answer comes with the summary") {
		t.Fatalf("got %q", m.Text)
	}
	h.say(bob, thread, "practice")
	if m := h.plat.NextKind(t, bot.MsgInfo); !strings.Contains(m.Text, "This thread belongs to the drill") {
		t.Fatalf("got %q", m.Text)
	}
	// Chatter outside the thread is not an answer.
	h.say(bob, general, "stats")
	h.plat.NextKind(t, bot.MsgStats)

	as := h.attempts(alice)
	if len(as) != 1 || as[0].Kind != bot.KindDrill || !as[0].Pass || as[0].Conv != thread.Key() {
		t.Fatalf("got %+v, want one passed drill attempt", as)
	}
	h.clock.Advance(time.Hour)
	s := h.plat.NextKind(t, bot.MsgInfo)
	if s.Title != "Drill closed: 2 answered, 1 passed" || s.Conv.Thread != "" {
		t.Fatalf("got %q in %+v", s.Title, s.Conv)
	}
	for _, want := range []string{"• Alice: PASS", "• Bob: FAIL", "Model answer:", "Leaderboard for this channel", "1. Alice: 1 passed of 1"} {
		if !strings.Contains(s.Text, want) {
			t.Errorf("summary lacks %q:\n%s", want, s.Text)
		}
	}
	h.say(carol, thread, "a late answer about terms and majorities")
	if m := h.plat.NextKind(t, bot.MsgInfo); !strings.Contains(m.Text, "This drill has closed") {
		t.Fatalf("got %q", m.Text)
	}
	h.say(bob, general, "leaderboard all")
	if m := h.plat.NextKind(t, bot.MsgStats); !strings.Contains(m.Text, "1. Alice: 1 passed of 1, average") || !strings.Contains(m.Text, "2. Bob: 0 passed of 1") {
		t.Fatalf("got %q", m.Text)
	}
	h.say(bob, other, "leaderboard server")
	if m := h.plat.NextKind(t, bot.MsgStats); !strings.Contains(m.Text, "No drill answers yet") {
		t.Fatalf("another server's leaderboard: got %q", m.Text)
	}
	h.say(bob, dm, "leaderboard")
	if m := h.plat.NextKind(t, bot.MsgInfo); !strings.Contains(m.Text, "Leaderboards belong to channels") {
		t.Fatalf("got %q", m.Text)
	}
	// Forgetting alice removes her line from the run, not bob's.
	h.say(alice, dm, "forget confirm")
	h.plat.Drain()
	runs, err := h.store.DrillRuns(context.Background(), nil)
	if err != nil || len(runs) != 1 || len(runs[0].Answers) != 1 || runs[0].Answers[0].User.ID != "bob" {
		t.Fatalf("got %+v (%v), want only bob's answer left", runs, err)
	}
}

func TestDrillRestartKeepsThreadAndPostsOnce(t *testing.T) {
	h := drillHarness(t)
	postedDrill(t, h)
	thread := general
	thread.Thread = "tm2"
	h.clock.Advance(10 * time.Minute)
	h.restart()
	h.plat.None(t) // the posted run is not posted again
	h.say(alice, thread, goodAnswer)
	if v := h.plat.NextKind(t, bot.MsgVerdict); !strings.HasPrefix(v.Title, "PASS") {
		t.Fatalf("after restart got %q, want the answer graded", v.Title)
	}
	h.clock.Advance(50 * time.Minute)
	if s := h.plat.NextKind(t, bot.MsgInfo); s.Title != "Drill closed: 1 answered, 1 passed" {
		t.Fatalf("got %q", s.Title)
	}
	// Restarted after the summary: neither the question nor the summary comes again.
	h.restart()
	h.clock.Advance(time.Minute)
	h.plat.None(t)
}

func TestDrillClaimedBeforeCrashIsNotPostedTwice(t *testing.T) {
	h := drillHarness(t)
	h.say(carol, general, "drill add 0 10 * * * consensus")
	h.plat.NextKind(t, bot.MsgInfo)
	h.stop()
	// The process claimed the 10:00 run and died before posting it.
	st, err := store.Open(h.path, 0)
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := st.ClaimDrillRun(context.Background(), &bot.DrillRun{Drill: 1, Key: "2026-11-25T10:00", Conv: general}); !ok || err != nil {
		t.Fatalf("claim: %v %v", ok, err)
	}
	st.Close()
	h.clock.Advance(time.Hour + 5*time.Minute)
	h.start()
	h.plat.None(t)
	h.clock.Advance(23*time.Hour + 55*time.Minute)
	if q := h.plat.NextKind(t, bot.MsgQuestion); q.Deadline.Sub(t0) != 26*time.Hour {
		t.Fatalf("next day's run: got deadline %v", q.Deadline)
	}
}

// unconfirmRun makes drill run r look as a kill between its post and recording it leaves
// it: claimed, with no message or thread.
func (h *harness) unconfirmRun() *bot.DrillRun {
	h.t.Helper()
	runs, err := h.store.DrillRuns(context.Background(), nil)
	if err != nil || len(runs) != 1 {
		h.t.Fatalf("got %d runs (%v), want 1", len(runs), err)
	}
	r := runs[0]
	r.MessageID, r.Conv.Thread = "", ""
	if err := h.store.SaveDrillRun(context.Background(), r); err != nil {
		h.t.Fatal(err)
	}
	return r
}

// TestDrillCutOffMidSendIsSentAgainOnce: a drill run claimed by a process killed before
// its post was confirmed is sent again at the next start under the same key, on a
// platform that posts a keyed message once: the channel sees one question, and the run
// takes answers in its thread and closes with its summary.
func TestDrillCutOffMidSendIsSentAgainOnce(t *testing.T) {
	h := drillHarness(t)
	h.redelivering()
	q := postedDrill(t, h)
	if q.Key != "d1-2026-11-25T10:00" {
		t.Fatalf("drill question key %q", q.Key)
	}
	r := h.unconfirmRun()
	if !r.ResendBy.Equal(t0.Add(time.Hour + 2*time.Minute)) {
		t.Fatalf("run may be sent again until %s", r.ResendBy)
	}
	h.clock.Advance(20 * time.Second)
	h.restart()
	h.bot.Idle()
	h.plat.None(t)
	if again := h.plat.Resent(); len(again) != 1 || again[0].Key != q.Key || again[0].Text != q.Text {
		t.Fatalf("sent again: %+v, want the drill question once more", again)
	}
	thread := general
	thread.Thread = "tm2"
	h.say(alice, thread, goodAnswer)
	if v := h.plat.NextKind(t, bot.MsgVerdict); !strings.HasPrefix(v.Title, "PASS") {
		t.Fatalf("got %q, want the answer in the run's thread graded", v.Title)
	}
	h.clock.Advance(time.Hour)
	if s := h.plat.NextKind(t, bot.MsgInfo); s.Title != "Drill closed: 1 answered, 1 passed" {
		t.Fatalf("got %q", s.Title)
	}
}

// TestDrillCutOffPastItsWindowIsClosed: past the platform's window a second send could
// post twice, so the run is closed without a summary, as before.
func TestDrillCutOffPastItsWindowIsClosed(t *testing.T) {
	h := drillHarness(t)
	h.redelivering()
	postedDrill(t, h)
	h.unconfirmRun()
	h.clock.Advance(3 * time.Minute)
	h.restart()
	h.bot.Idle()
	h.clock.Advance(time.Hour)
	h.plat.None(t)
	if n := len(h.plat.Resent()); n != 0 {
		t.Fatalf("%d drill questions sent again past the window", n)
	}
	runs, _ := h.store.DrillRuns(context.Background(), nil)
	if len(runs) != 1 || !runs[0].Closed {
		t.Fatalf("got %+v, want the run closed", runs)
	}
}

func TestDrillMissedWhileDownIsMadeUpOnce(t *testing.T) {
	h := drillHarness(t)
	h.say(carol, general, "drill add 0 10 * * * consensus")
	h.plat.NextKind(t, bot.MsgInfo)
	h.stop()
	h.clock.Advance(time.Hour + 20*time.Minute) // 10:20, 20 minutes late
	h.start()
	h.bot.Idle()
	if q := h.plat.NextKind(t, bot.MsgQuestion); q.Question == nil {
		t.Fatal("no question")
	}
	h.clock.Advance(5 * time.Minute)
	h.restart()
	h.bot.Idle()
	h.plat.None(t)
	// Down across the next day's run for over an hour: skipped, not posted late.
	h.stop()
	h.clock.Advance(25 * time.Hour) // 11:45 the next day
	h.start()
	h.bot.Idle()
	for _, m := range h.plat.Messages() {
		if m.Kind == bot.MsgQuestion {
			t.Fatalf("a run 1h45m late was posted: %q", m.Title)
		}
	}
}

// FuzzParseDrill: any words either parse into a drill that runs at most hourly with a
// window inside its gap, or give a sentence that shows the right form; never a panic.
func FuzzParseDrill(f *testing.F) {
	for _, seed := range []string{"0 9 * * mon-fri Europe/Berlin consensus", "CRON_TZ=UTC @daily window=2h", "*/5 * * * *",
		"0 0 30 2 *", "@every 1h", "0 9 * * * 90m hard", "'0 9 * * *' utc", "", "0 9 * * 7", "59 23 31 12 *"} {
		f.Add(seed)
	}
	now := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, in string) {
		d, err := bot.ParseDrill(strings.Fields(in), []string{"consensus", "replication"}, []string{"raft"}, now)
		if err != nil {
			if msg := err.Error(); msg == "" || strings.Contains(msg, "panic") {
				t.Fatalf("bad error %q", msg)
			}
			return
		}
		next := d.Next(now)
		if next.IsZero() || !next.After(now) {
			t.Fatalf("%q parsed but never runs after now: %v", in, next)
		}
		if after := d.Next(next); !after.IsZero() && after.Sub(next) < time.Hour {
			t.Fatalf("%q runs at %v then %v: more than once an hour", in, next, after)
		}
		if d.Window < 5*time.Minute || d.Window > 24*time.Hour {
			t.Fatalf("%q: window %v out of range", in, d.Window)
		}
	})
}

// TestDailyAndDrillByTag: a daily or channel drill on a tag ("dynamo", "raft") asks the
// questions tagged so, as `practice` does.
func TestDailyAndDrillByTag(t *testing.T) {
	h := drillHarness(t)
	h.say(alice, dm, "daily on 10:00 UTC dynamo")
	if m := h.plat.NextKind(t, bot.MsgInfo); !strings.Contains(m.Text, "dynamo") {
		t.Fatalf("got %q, want the daily drill on dynamo confirmed", m.Text)
	}
	h.clock.Advance(time.Hour)
	if q := h.plat.NextKind(t, bot.MsgQuestion); q.Question.ID != "quorum-overlap" {
		t.Fatalf("the daily question is %s, want the one tagged dynamo", q.Question.ID)
	}
	h.say(carol, general, "drill add 0 11 * * * raft")
	if m := h.plat.NextKind(t, bot.MsgInfo); !strings.Contains(m.Text, "raft") {
		t.Fatalf("got %q, want the drill on raft confirmed", m.Text)
	}
	h.clock.Advance(time.Hour)
	h.plat.NextKind(t, bot.MsgTimeUp) // alice's daily question, unanswered
	q := h.plat.NextKind(t, bot.MsgQuestion)
	if q.Conv.ID != "general" || q.Question.ID != "raft-election" {
		t.Fatalf("got %s in %s, want the question tagged raft in the channel", q.Question.ID, q.Conv.ID)
	}
}

// TestDrillModelAnswerWaitsEverywhere: after answering an open drill, `model` (or the
// button, or `followup`) in the channel or a DM is declined like in the thread, so
// nobody sees the model answer before the window closes; after it, it is shown.
func TestDrillModelAnswerWaitsEverywhere(t *testing.T) {
	h := drillHarness(t)
	postedDrill(t, h)
	thread := general
	thread.Thread = "tm2"
	h.say(alice, thread, goodAnswer)
	h.plat.NextKind(t, bot.MsgVerdict)
	for _, ev := range []bot.Event{
		{User: alice, Conv: general, Text: "model"},
		{User: alice, Conv: dm, Text: "model"},
		{User: alice, Conv: dm, Text: "answer"},
		{User: alice, Conv: dm, Kind: bot.EventAction, Action: bot.ActionModel},
	} {
		h.bot.Handle(context.Background(), ev)
		m := h.plat.NextKind(t, bot.MsgInfo)
		if strings.Contains(m.Text, "Raft splits time into terms") || !strings.Contains(m.Text, "the model answer comes with the summary when the drill closes") {
			t.Fatalf("%q in %s: got %q, want it declined until the drill closes", ev.Text+ev.Action, ev.Conv.ID, m.Text)
		}
	}
	h.say(alice, dm, "followup")
	if m := h.plat.NextKind(t, bot.MsgInfo); !strings.Contains(m.Text, "its follow-up waits until the drill closes") {
		t.Fatalf("followup: got %q", m.Text)
	}
	h.clock.Advance(time.Hour)
	if s := h.plat.NextKind(t, bot.MsgInfo); !strings.HasPrefix(s.Title, "Drill closed") {
		t.Fatalf("got %q, want the summary", s.Title)
	}
	h.say(alice, dm, "model")
	if m := h.plat.NextKind(t, bot.MsgInfo); !strings.Contains(m.Text, "Raft splits time into terms") {
		t.Fatalf("after the drill closed got %q, want the model answer", m.Text)
	}
}

// TestDrillWithoutThreadTakesFormAnswers: a drill posted where no thread could be opened
// stays in the channel, and the "Answer privately" form (Event.Answer) there answers
// it; a plain message in the channel is not taken as an answer.
func TestDrillWithoutThreadTakesFormAnswers(t *testing.T) {
	h := drillHarness(t)
	h.plat.Threads = false
	h.say(carol, general, "drill add 0 10 * * * consensus window=1h")
	h.plat.NextKind(t, bot.MsgInfo)
	h.clock.Advance(time.Hour)
	if q := h.plat.NextKind(t, bot.MsgQuestion); q.Conv.Thread != "" {
		t.Fatalf("question posted in thread %q, want the channel", q.Conv.Thread)
	}
	h.say(bob, general, goodAnswer)
	if m := h.plat.Next(t); m.Kind == bot.MsgVerdict {
		t.Fatalf("a plain channel message was graded as a drill answer: %q", m.Title)
	}
	h.bot.Handle(context.Background(), bot.Event{User: alice, Conv: general, Text: goodAnswer, Answer: true})
	v := h.plat.NextKind(t, bot.MsgVerdict)
	if !strings.HasPrefix(v.Title, "PASS") || v.To != alice || len(v.Actions) != 0 {
		t.Fatalf("got %+v, want alice's PASS without a model-answer button", v)
	}
	h.bot.Handle(context.Background(), bot.Event{User: alice, Conv: general, Text: goodAnswer, Answer: true})
	if m := h.plat.NextKind(t, bot.MsgInfo); !strings.Contains(m.Text, "You already answered this drill") {
		t.Fatalf("second answer: got %q", m.Text)
	}
	h.clock.Advance(time.Hour)
	if s := h.plat.NextKind(t, bot.MsgInfo); s.Title != "Drill closed: 1 answered, 1 passed" {
		t.Fatalf("got %q", s.Title)
	}
}

// TestDrillThreadSkipSaysNothingToSkip: skip or stop in a drill thread says the drill
// stays open, not something about the model answer.
func TestDrillThreadSkipSaysNothingToSkip(t *testing.T) {
	h := drillHarness(t)
	postedDrill(t, h)
	thread := general
	thread.Thread = "tm2"
	for _, word := range []string{"skip", "stop"} {
		h.say(bob, thread, word)
		m := h.plat.NextKind(t, bot.MsgInfo)
		if strings.Contains(m.Text, "model answer") || !strings.Contains(m.Text, "nothing to "+word) {
			t.Errorf("%s: got %q", word, m.Text)
		}
	}
}

// TestDrillCronSevenIsSunday: in the day-of-week field 7 is Sunday, as in standard cron,
// alone, ending a range, or ending a stepped range.
func TestDrillCronSevenIsSunday(t *testing.T) {
	wed := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		spec string
		want []time.Weekday // the run days of the next week, from Thursday
	}{
		{"0 9 * * 7", []time.Weekday{time.Sunday}},
		{"0 9 * * 5-7", []time.Weekday{time.Friday, time.Saturday, time.Sunday}},
		{"0 9 * * 1-7/2", []time.Weekday{time.Friday, time.Sunday, time.Monday, time.Wednesday}},
		{"0 9 * * 0", []time.Weekday{time.Sunday}},
	} {
		d := &bot.Drill{Spec: tt.spec, TZ: "UTC"}
		var got []time.Weekday
		for at := d.Next(wed); !at.IsZero() && at.Before(wed.Add(7*24*time.Hour)); at = d.Next(at) {
			got = append(got, at.Weekday())
		}
		if fmt.Sprint(got) != fmt.Sprint(tt.want) {
			t.Errorf("%s: runs on %v, want %v", tt.spec, got, tt.want)
		}
	}
}

// TestTwoDrillsAtTheSameMinute: two drills of one channel due at the same minute post
// two questions in two threads; a restart posts neither again, and each gets its summary.
func TestTwoDrillsAtTheSameMinute(t *testing.T) {
	h := drillHarness(t)
	h.say(carol, general, "drill add 0 10 * * * consensus")
	h.plat.NextKind(t, bot.MsgInfo)
	h.say(carol, general, "drill add 0 10 * * * replication")
	h.plat.NextKind(t, bot.MsgInfo)
	h.clock.Advance(time.Hour)
	h.bot.Idle()
	q1 := h.plat.NextKind(t, bot.MsgQuestion)
	q2 := h.plat.NextKind(t, bot.MsgQuestion)
	if q1.Question.ID == q2.Question.ID || q1.Key == q2.Key {
		t.Fatalf("got %s (%s) and %s (%s), want two runs", q1.Question.ID, q1.Key, q2.Question.ID, q2.Key)
	}
	h.restart()
	h.bot.Idle()
	h.plat.None(t)
	h.clock.Advance(time.Hour)
	h.bot.Idle()
	var summaries []string
	for _, m := range h.plat.Messages() {
		summaries = append(summaries, m.Title)
	}
	if len(summaries) != 2 || summaries[0] != "Drill closed: 0 answered, 0 passed" || summaries[1] != summaries[0] {
		t.Fatalf("after the restart got %q, want two summaries", summaries)
	}
}

// summaries returns the drill summaries p posted.
func summaries(p *bottest.Platform) []bot.Message {
	var out []bot.Message
	for _, m := range p.Messages() {
		if strings.HasPrefix(m.Title, "Drill closed") {
			out = append(out, m)
		}
	}
	return out
}

// TestDrillSummaryTriedAgain: a summary whose send fails is tried again while Quorum
// runs, under its key and marked Again, and posted once.
func TestDrillSummaryTriedAgain(t *testing.T) {
	h := drillHarness(t)
	h.redelivering()
	postedDrill(t, h)
	h.plat.FailNext(errors.New("503 from the platform"))
	h.clock.Advance(time.Hour) // the window closes; the summary's send fails
	h.bot.Idle()
	if n := len(summaries(h.plat)); n != 0 {
		t.Fatalf("%d summaries after the failed send", n)
	}
	h.clock.Advance(time.Minute)
	h.bot.Idle()
	got := summaries(h.plat)
	if again := h.plat.Resent(); len(got) != 1 || len(again) != 1 || again[0].Key != got[0].Key || got[0].Key == "" {
		t.Fatalf("summaries %+v, sent again %+v: want one, sent again under its key", got, again)
	}
	h.clock.Advance(time.Hour)
	h.restart()
	h.bot.Idle()
	if n := len(summaries(h.plat)); n != 0 {
		t.Fatalf("%d summaries again after a restart", n)
	}
}

// TestDrillSummaryAfterRestart: a summary not sent before a stop (its send failed) is
// posted at the next start, with the answers recorded, and once.
func TestDrillSummaryAfterRestart(t *testing.T) {
	h := drillHarness(t)
	h.redelivering()
	postedDrill(t, h)
	thread := general
	thread.Thread = "tm2"
	h.say(alice, thread, goodAnswer)
	h.plat.NextKind(t, bot.MsgVerdict)
	h.plat.FailNext(errors.New("503 from the platform"))
	h.clock.Advance(time.Hour) // the summary's send fails
	h.bot.Idle()
	h.restart() // before it is tried again
	h.bot.Idle()
	got := summaries(h.plat)
	if len(got) != 1 || !got[0].Again || got[0].Title != "Drill closed: 1 answered, 1 passed" {
		t.Fatalf("summaries %+v, want alice's, sent again at start", got)
	}
	h.restart()
	h.clock.Advance(time.Minute)
	h.bot.Idle()
	if n := len(summaries(h.plat)); n != 0 {
		t.Fatalf("%d summaries again after a second restart", n)
	}
}

// slackLike reports a redelivery window but, like adapters/slack, looks for an earlier
// post of a key only when the message is marked Again.
type slackLike struct{ *flakyPlat }

func (slackLike) RedeliveryWindow(context.Context, bot.Message) time.Duration {
	return 10 * time.Minute
}

func (p slackLike) Send(ctx context.Context, m bot.Message) (bot.Sent, error) {
	p.mu.Lock()
	if m.Again {
		p.Platform.Redelivery = time.Minute // the look-up by key
	} else {
		p.Platform.Redelivery = 0
	}
	p.mu.Unlock()
	return p.flakyPlat.Send(ctx, m)
}

// TestDrillAmbiguousSendSlackLike: a drill question whose post errs after the platform
// took it is tried again marked Again, so a platform that looks for an earlier post
// only then (Slack) posts it once.
func TestDrillAmbiguousSendSlackLike(t *testing.T) {
	h := drillHarness(t)
	h.say(carol, general, "drill add 0 10 * * * consensus window=1h")
	h.plat.NextKind(t, bot.MsgInfo)
	h.bot.AddPlatform(slackLike{&flakyPlat{Platform: h.plat, ambiguous: 1}})
	h.clock.Advance(time.Hour)
	h.bot.Idle()
	if qs := questions(h.plat); len(qs) != 1 {
		t.Fatalf("drill question posted %d times, want 1", len(qs))
	}
	if again := h.plat.Resent(); len(again) != 1 {
		t.Fatalf("sent again %d times, want 1 marked Again", len(again))
	}
}

// TestDrillDownForDays: down three days, back 20 minutes after the hour: the latest run
// is made up; the older ones are skipped and logged in one line with their count.
func TestDrillDownForDays(t *testing.T) {
	h := drillHarness(t)
	h.say(carol, general, "drill add 0 10 * * * consensus window=1h")
	h.plat.NextKind(t, bot.MsgInfo)
	h.logs = &logBuffer{}
	h.stop()
	h.clock.Advance(3*24*time.Hour + 80*time.Minute)
	h.restart()
	h.bot.Idle()
	if n := len(questions(h.plat)); n != 1 {
		t.Fatalf("%d made up, want 1", n)
	}
	lines := h.logs.lines("skipped drill runs missed while down")
	if len(lines) != 1 || !strings.Contains(lines[0], "runs=3") || !strings.Contains(lines[0], "made_up=true") {
		t.Fatalf("logged %q, want one line for the three older runs", lines)
	}
}

// TestThreadlessDrillFormWithOwnQuestionOpen: a form answer on a drill posted without a
// thread is the drill's, even when the person has a practice question open in a thread
// of the same channel; a form opened on that question (it comes from its thread) still
// answers the question. It went to the practice question and the drill recorded nothing.
func TestThreadlessDrillFormWithOwnQuestionOpen(t *testing.T) {
	h := drillHarness(t)
	h.say(carol, general, "drill add 0 10 * * * consensus window=1h")
	h.plat.NextKind(t, bot.MsgInfo)
	h.clock.Advance(59 * time.Minute)
	h.plat.Threads = true
	h.say(alice, general, "practice replication")
	pq := h.plat.NextKind(t, bot.MsgQuestion)
	s, open := h.bot.OpenSession(alice, general)
	if !open || s.Conv.Thread == "" {
		t.Fatalf("got session %+v (open %v), want the practice question open in a thread", s, open)
	}
	h.plat.Threads = false
	h.clock.Advance(time.Minute)
	if q := h.plat.NextKind(t, bot.MsgQuestion); q.Conv.Thread != "" {
		t.Fatalf("drill question posted in thread %q, want the channel", q.Conv.Thread)
	}
	h.bot.Handle(context.Background(), bot.Event{User: alice, Conv: general, Text: goodAnswer, Answer: true})
	h.plat.NextKind(t, bot.MsgVerdict)
	h.bot.Handle(context.Background(), bot.Event{User: alice, Conv: s.Conv, Text: goodAnswer, Answer: true})
	h.plat.NextKind(t, bot.MsgVerdict)
	kinds := map[string]string{}
	for _, a := range h.attempts(alice) {
		kinds[a.Kind] = a.Question
	}
	if kinds[bot.KindDrill] == "" || kinds[bot.KindPractice] != pq.Question.Ref() {
		t.Fatalf("got attempts by kind %v, want one drill answer and the practice question's answer", kinds)
	}
}
