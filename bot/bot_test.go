package bot_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/quorum-dev/quorum/bot"
	"github.com/quorum-dev/quorum/bot/bottest"
	"github.com/quorum-dev/quorum/bot/rubric"
	"github.com/quorum-dev/quorum/store"
)

var t0 = time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)

const goodAnswer = `Raft divides time into terms, and each term has at most one leader. When a follower's randomized
election timeout fires it becomes a candidate, increments the term and requests votes. Every server
casts one vote per term, first come first served, and a candidate needs a majority of the cluster,
so two candidates can't both win the same term because two majorities always overlap.`

const wrongAnswer = `The node with the lowest id becomes the leader, because it starts first. The others just follow it.`

// harness is a Bot on a real bbolt file, a fake clock and an in-memory platform.
type harness struct {
	t     *testing.T
	bot   *bot.Bot
	store *store.Store
	clock *bottest.Clock
	plat  *bottest.Platform
	path  string
	bank  *bot.Bank
	// redelivery is the platform's RedeliveryWindow at the next start.
	redelivery time.Duration
	// posted is what the platform remembers of keyed messages, across restarts.
	posted map[string]bot.Sent
	// meter, when set, is the Bot's Meter at each start.
	meter bot.Meter
	// grader, when set, is the Bot's Grader at each start (else the rubric).
	grader bot.Grader
	// logs, when set, gets the Bot's log at each start, as text.
	logs *logBuffer
	// wrapStore, when set, is the Bot's Store at each start, around the real one.
	wrapStore func(*store.Store) bot.Store
}

// logBuffer collects log lines; safe for concurrent use.
type logBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

// lines returns the lines logged so far that contain s.
func (l *logBuffer) lines(s string) []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
	for _, line := range strings.Split(l.b.String(), "\n") {
		if strings.Contains(line, s) {
			out = append(out, line)
		}
	}
	return out
}

func loadBank(t testing.TB) *bot.Bank { return bottest.Bank(t) }

func newHarness(t *testing.T) *harness {
	t.Helper()
	h := &harness{t: t, clock: bottest.NewClock(t0), path: filepath.Join(t.TempDir(), "quorum.db"), bank: loadBank(t)}
	h.start()
	return h
}

// start opens the store and a new Bot on it, as a process start would.
func (h *harness) start() {
	h.t.Helper()
	st, err := store.Open(h.path, 0)
	if err != nil {
		h.t.Fatal(err)
	}
	h.store = st
	h.plat = bottest.NewPlatform("test")
	h.plat.Threads = true
	h.plat.Redelivery = h.redelivery
	if h.posted == nil {
		h.posted = h.plat.Posted
	}
	h.plat.Posted = h.posted
	var g bot.Grader = rubric.New(rubric.Options{})
	if h.grader != nil {
		g = h.grader
	}
	var logger *slog.Logger
	if h.logs != nil {
		logger = slog.New(slog.NewTextHandler(h.logs, nil))
	}
	var bs bot.Store = st
	if h.wrapStore != nil {
		bs = h.wrapStore(st)
	}
	h.bot = bot.New(bot.Config{
		Bank: h.bank, Grader: g, Store: bs, Clock: h.clock, Logger: logger,
		Grace: 10 * time.Second, Rand: rand.New(rand.NewPCG(1, 2)), Metrics: h.meter,
	})
	h.bot.AddPlatform(h.plat)
	if err := h.bot.Start(context.Background()); err != nil {
		h.t.Fatal(err)
	}
	h.t.Cleanup(h.stop)
}

// stop closes the bot and the store, as a process exit would.
func (h *harness) stop() {
	if h.store == nil {
		return
	}
	h.bot.Close()
	h.store.Close()
	h.store = nil
}

var (
	alice = bot.User{Platform: "test", ID: "alice"}
	bob   = bot.User{Platform: "test", ID: "bob"}
	dm    = bot.Conversation{Platform: "test", ID: "dm-alice", DM: true}
	chanA = bot.Conversation{Platform: "test", ID: "general"}
)

func (h *harness) say(u bot.User, c bot.Conversation, text string) {
	h.bot.Handle(context.Background(), bot.Event{User: u, Conv: c, Text: text})
}

func (h *harness) attempts(u bot.User) []*bot.Attempt {
	h.t.Helper()
	as, err := h.store.Attempts(context.Background(), u.Key())
	if err != nil {
		h.t.Fatal(err)
	}
	return as
}

func TestPracticeAnswerVerdict(t *testing.T) {
	h := newHarness(t)
	h.say(alice, dm, "practice consensus")
	q := h.plat.NextKind(t, bot.MsgQuestion)
	if q.Question.ID != "raft-election" {
		t.Fatalf("got question %s, want raft-election", q.Question.ID)
	}
	if got, want := q.Deadline, t0.Add(3*time.Minute); !got.Equal(want) {
		t.Fatalf("got deadline %v, want %v", got, want)
	}
	h.clock.Advance(time.Minute)
	h.say(alice, dm, goodAnswer)
	v := h.plat.NextKind(t, bot.MsgVerdict)
	if !strings.HasPrefix(v.Title, "PASS · ") || !strings.HasPrefix(v.Text, "PASS · ") {
		t.Fatalf("got title %q, want PASS first:\n%s", v.Title, v.Text)
	}
	as := h.attempts(alice)
	if len(as) != 1 || as[0].Outcome != bot.OutcomeGraded || !as[0].Pass || as[0].Answer == "" {
		t.Fatalf("got attempts %+v, want one graded pass with its answer", as)
	}
	if _, open := h.bot.OpenSession(alice, dm); open {
		t.Fatal("session still open after the verdict")
	}
	// The timer was stopped: advancing past the deadline sends nothing.
	h.clock.Advance(10 * time.Minute)
	h.plat.None(t)
}

func TestWrongAnswerFailsWithRedFlag(t *testing.T) {
	h := newHarness(t)
	h.say(alice, dm, "practice consensus")
	h.plat.NextKind(t, bot.MsgQuestion)
	h.say(alice, dm, wrongAnswer)
	v := h.plat.NextKind(t, bot.MsgVerdict)
	if v.Verdict.Pass || !strings.HasPrefix(v.Title, "FAIL") {
		t.Fatalf("got %q, want FAIL", v.Title)
	}
	if len(v.Verdict.RedFlags) != 1 || v.Verdict.RedFlags[0].ID != "lowest-id" {
		t.Fatalf("got red flags %+v, want lowest-id", v.Verdict.RedFlags)
	}
	if !strings.Contains(v.Text, "Whoever first collects a majority") {
		t.Fatalf("verdict text lacks the correction:\n%s", v.Text)
	}
}

func TestTimeUp(t *testing.T) {
	h := newHarness(t)
	h.say(alice, dm, "practice replication")
	q := h.plat.NextKind(t, bot.MsgQuestion)
	if got, want := q.Deadline.Sub(t0), 2*time.Minute; got != want {
		t.Fatalf("got limit %v, want the question's own %v", got, want)
	}
	h.clock.Advance(2*time.Minute + 9*time.Second)
	h.plat.None(t) // still inside the grace period
	h.clock.Advance(time.Second)
	m := h.plat.NextKind(t, bot.MsgTimeUp)
	if !strings.Contains(m.Text, "Time's up") {
		t.Fatalf("got %q", m.Text)
	}
	as := h.attempts(alice)
	if len(as) != 1 || as[0].Outcome != bot.OutcomeTimeout || as[0].Pass {
		t.Fatalf("got attempts %+v, want one timeout", as)
	}
}

func TestAnswerInGraceIsOnTime(t *testing.T) {
	h := newHarness(t)
	h.say(alice, dm, "practice consensus")
	h.plat.NextKind(t, bot.MsgQuestion)
	h.clock.Advance(3*time.Minute + 5*time.Second)
	h.say(alice, dm, goodAnswer)
	v := h.plat.NextKind(t, bot.MsgVerdict)
	if !v.Verdict.Pass || v.Verdict.Late {
		t.Fatalf("got %q late=%v, want an on-time PASS", v.Title, v.Verdict.Late)
	}
}

func TestLateAnswer(t *testing.T) {
	h := newHarness(t)
	h.say(alice, dm, "practice consensus")
	h.plat.NextKind(t, bot.MsgQuestion)
	h.clock.Advance(4 * time.Minute)
	h.plat.NextKind(t, bot.MsgTimeUp)
	h.say(alice, dm, goodAnswer)
	v := h.plat.NextKind(t, bot.MsgVerdict)
	if v.Verdict.Pass || !v.Verdict.Late || !strings.HasPrefix(v.Title, "FAIL") {
		t.Fatalf("got %q late=%v, want a late FAIL", v.Title, v.Verdict.Late)
	}
	if !strings.Contains(v.Text, "would have been PASS") {
		t.Fatalf("late verdict should say what it would have been:\n%s", v.Text)
	}
	if v.Verdict.Score >= bot.DefaultPassScore || !strings.HasPrefix(v.Title, fmt.Sprintf("FAIL · %d/100", bot.DefaultPassScore-1)) {
		t.Fatalf("got %q (score %d): a late FAIL shows no passing number", v.Title, v.Verdict.Score)
	}
	as := h.attempts(alice)
	if len(as) != 1 || as[0].Outcome != bot.OutcomeLate || as[0].Answer == "" {
		t.Fatalf("got %d attempts %+v, want the timeout replaced by one late attempt", len(as), as)
	}
	// After the late window, the same text is no longer taken as an answer.
	h.say(alice, dm, "practice consensus")
	h.plat.NextKind(t, bot.MsgQuestion)
	h.clock.Advance(3*time.Minute + 10*time.Second)
	h.plat.NextKind(t, bot.MsgTimeUp)
	h.clock.Advance(bot.DefaultLateWindow + time.Minute)
	h.stop()
	h.start()
	h.say(alice, dm, goodAnswer)
	m := h.plat.NextKind(t, bot.MsgInfo)
	if !strings.Contains(m.Text, "I don't know") {
		t.Fatalf("got %q, want the unknown-command reply", m.Text)
	}
}

// TestLateWindowEnds: past the late window (15 minutes after time's up) the session is
// gone while the bot runs: a message is a message again (a command, or an unknown word),
// not a late answer, and the timed-out attempt stays as it was.
func TestLateWindowEnds(t *testing.T) {
	h := newHarness(t)
	h.say(alice, dm, "practice consensus")
	h.plat.NextKind(t, bot.MsgQuestion)
	h.clock.Advance(4 * time.Minute)
	h.plat.NextKind(t, bot.MsgTimeUp)
	h.clock.Advance(bot.DefaultLateWindow)
	if _, open := h.bot.OpenSession(alice, dm); open {
		t.Fatal("the expired session is still held after its late window")
	}
	h.clock.Advance(5 * time.Hour)
	h.say(alice, dm, "hello there, are you up?")
	if m := h.plat.NextKind(t, bot.MsgInfo); !strings.Contains(m.Text, `I don't know "hello"`) {
		t.Fatalf("got %q, want the unknown-command reply", m.Text)
	}
	h.say(alice, dm, "skip")
	if m := h.plat.NextKind(t, bot.MsgInfo); !strings.Contains(m.Text, "no open question") {
		t.Fatalf("got %q, want no open question", m.Text)
	}
	as := h.attempts(alice)
	if len(as) != 1 || as[0].Outcome != bot.OutcomeTimeout || as[0].Answer != "" {
		t.Fatalf("got %+v, want the timed-out attempt unchanged", as)
	}
	if ss, _ := h.store.Sessions(context.Background()); len(ss) != 0 {
		t.Fatalf("got %d stored sessions, want the expired one dropped", len(ss))
	}
}

// TestLateWindowEndsWhenTimerIsLate: a message stamped after the late window is not a
// late answer even when the window's timer has not fired yet.
func TestLateWindowEndsWhenTimerIsLate(t *testing.T) {
	h := newHarness(t)
	h.say(alice, dm, "practice consensus")
	h.plat.NextKind(t, bot.MsgQuestion)
	h.clock.Advance(4 * time.Minute)
	h.plat.NextKind(t, bot.MsgTimeUp)
	at := h.clock.Now().Add(bot.DefaultLateWindow)
	h.bot.Handle(context.Background(), bot.Event{User: alice, Conv: dm, Text: goodAnswer, Time: at})
	if m := h.plat.NextKind(t, bot.MsgInfo); !strings.Contains(m.Text, "I don't know") {
		t.Fatalf("got %q, want the unknown-command reply", m.Text)
	}
	if as := h.attempts(alice); len(as) != 1 || as[0].Outcome != bot.OutcomeTimeout {
		t.Fatalf("got %+v, want the timed-out attempt unchanged", as)
	}
}

// TestLateWindowEndsAfterRestart: an expired session reloaded at start, still inside its
// late window, is forgotten when the window ends.
func TestLateWindowEndsAfterRestart(t *testing.T) {
	h := newHarness(t)
	h.say(alice, dm, "practice consensus")
	h.plat.NextKind(t, bot.MsgQuestion)
	h.clock.Advance(4 * time.Minute)
	h.plat.NextKind(t, bot.MsgTimeUp)
	h.stop()
	h.start()
	if s, open := h.bot.OpenSession(alice, dm); !open || s.State != bot.SessionExpired {
		t.Fatalf("got %+v (%v), want the expired session back in its late window", s, open)
	}
	h.clock.Advance(bot.DefaultLateWindow)
	if _, open := h.bot.OpenSession(alice, dm); open {
		t.Fatal("the expired session is still held after its late window")
	}
}

func TestRestartRearmsTimer(t *testing.T) {
	h := newHarness(t)
	h.say(alice, dm, "practice consensus")
	h.plat.NextKind(t, bot.MsgQuestion)
	h.stop()

	h.start() // a new process on the same file
	if _, open := h.bot.OpenSession(alice, dm); !open {
		t.Fatal("session lost across the restart")
	}
	h.clock.Advance(3*time.Minute + 10*time.Second)
	h.plat.NextKind(t, bot.MsgTimeUp)
	if as := h.attempts(alice); len(as) != 1 || as[0].Outcome != bot.OutcomeTimeout {
		t.Fatalf("got %+v, want one timeout", as)
	}
}

func TestRestartKeepsAnswerable(t *testing.T) {
	h := newHarness(t)
	h.say(alice, dm, "practice consensus")
	h.plat.NextKind(t, bot.MsgQuestion)
	h.stop()
	h.clock.Advance(time.Minute)
	h.start()
	h.say(alice, dm, goodAnswer)
	v := h.plat.NextKind(t, bot.MsgVerdict)
	if !v.Verdict.Pass {
		t.Fatalf("got %q, want PASS after restart", v.Title)
	}
}

// redelivering restarts the bot with a platform that posts a message sent again under
// the same key once, within two minutes (bot.Redelivering), as Discord does.
func (h *harness) redelivering() {
	h.t.Helper()
	managers := h.plat.Managers
	h.redelivery = 2 * time.Minute
	h.stop()
	h.start()
	h.plat.Managers = managers
}

// unconfirm makes the stored session of u in conv look as a kill during its question's
// send leaves it: stored, but with no message id from the platform.
func (h *harness) unconfirm(u bot.User, conv bot.Conversation) bot.Session {
	h.t.Helper()
	s, open := h.bot.OpenSession(u, conv)
	if !open {
		h.t.Fatal("no open session")
	}
	s.MessageID = ""
	if err := h.store.SaveSession(context.Background(), &s, nil); err != nil {
		h.t.Fatal(err)
	}
	return s
}

// TestRestartSendsUnconfirmedQuestionAgain: a question whose send a kill cut short is
// sent again at the next start, under the same key, on a platform that posts a keyed
// message once (bot.Redelivering). If the first send got through, nothing new is
// posted and the session learns where it went; if it did not, the question is posted now.
func TestRestartSendsUnconfirmedQuestionAgain(t *testing.T) {
	h := newHarness(t)
	h.redelivering()

	// Posted, but the kill came before its id was recorded.
	h.say(alice, dm, "practice consensus")
	asked := h.plat.NextKind(t, bot.MsgQuestion)
	first, _ := h.bot.OpenSession(alice, dm)
	s := h.unconfirm(alice, dm)
	h.stop()
	h.clock.Advance(30 * time.Second)
	h.start()
	h.bot.Idle()
	h.plat.None(t) // not posted twice
	again := h.plat.Resent()
	if len(again) != 1 || asked.Again || !again[0].Again || again[0].Key != asked.Key || !strings.HasPrefix(asked.Key, "q"+strconv.FormatUint(s.ID, 36)+".") {
		t.Fatalf("sent again: %+v; want the question once more under key %q", again, asked.Key)
	}
	if again[0].Session != s.ID || again[0].Text != asked.Text || !again[0].Deadline.Equal(asked.Deadline) {
		t.Fatalf("sent again: session %d, deadline %s, %q; want session %d, deadline %s, %q",
			again[0].Session, again[0].Deadline, again[0].Text, s.ID, asked.Deadline, asked.Text)
	}
	if got, _ := h.bot.OpenSession(alice, dm); got.MessageID != first.MessageID {
		t.Errorf("message id %q after the restart, want %q", got.MessageID, first.MessageID)
	}
	h.say(alice, dm, goodAnswer)
	if v := h.plat.NextKind(t, bot.MsgVerdict); !v.Verdict.Pass {
		t.Fatalf("got %q, want PASS", v.Title)
	}

	// Stored, but killed before the post: posted at the restart.
	h.say(alice, dm, "practice consensus")
	h.plat.NextKind(t, bot.MsgQuestion)
	s = h.unconfirm(alice, dm)
	for k, sent := range h.posted {
		if sent.ID == s.MessageID || strings.HasPrefix(k, "q"+strconv.FormatUint(s.ID, 36)+".") {
			delete(h.posted, k) // the platform never got it
		}
	}
	h.stop()
	h.start()
	h.bot.Idle()
	if q := h.plat.NextKind(t, bot.MsgQuestion); !q.Again || q.Session != s.ID {
		t.Fatalf("got %+v, want session %d's question posted at the restart", q, s.ID)
	}
	if got, _ := h.bot.OpenSession(alice, dm); got.MessageID == "" {
		t.Error("the message id of the question posted at the restart was not recorded")
	}

	// Confirmed questions, and questions older than the window, are not sent again.
	h.stop()
	h.start()
	h.bot.Idle()
	h.plat.None(t)
	h.unconfirm(alice, dm)
	h.stop()
	h.clock.Advance(2*time.Minute + time.Second)
	h.start()
	h.bot.Idle()
	h.plat.None(t)
	if n := len(h.plat.Resent()); n != 0 {
		t.Fatalf("%d questions sent again past the window", n)
	}
}

// undelivered returns the verdicts in the store's outbox.
func (h *harness) undelivered() []*bot.Delivery {
	h.t.Helper()
	ds, err := h.store.Undelivered(context.Background())
	if err != nil {
		h.t.Fatal(err)
	}
	return ds
}

// TestRestartSendsUnsentVerdict: a verdict is recorded with its attempt, in the store's
// outbox, and taken out once sent. A verdict whose send failed, or that a kill cut
// short, is sent at the next start under its key (posted once); past the platform's
// window it is dropped, as a second send might post it twice.
func TestRestartSendsUnsentVerdict(t *testing.T) {
	h := newHarness(t)
	meter := newCountingMeter()
	h.meter = meter
	h.redelivering()
	ctx := context.Background()

	// The send failed: the person saw nothing.
	h.say(alice, dm, "practice consensus")
	h.plat.NextKind(t, bot.MsgQuestion)
	h.plat.FailNext(errors.New("502 from the platform"))
	h.say(alice, dm, goodAnswer)
	h.plat.None(t)
	ds := h.undelivered()
	as := h.attempts(alice)
	if len(ds) != 1 || len(as) != 1 || ds[0].Attempt != as[0].ID || ds[0].Conv != dm || ds[0].User != alice {
		t.Fatalf("outbox %+v, attempts %d: want alice's verdict waiting", ds, len(as))
	}
	h.stop()
	h.clock.Advance(10 * time.Second)
	h.start()
	h.bot.Idle()
	v := h.plat.NextKind(t, bot.MsgVerdict)
	if !v.Again || !strings.HasPrefix(v.Key, "v"+strconv.FormatUint(as[0].ID, 36)+".") || !strings.HasPrefix(v.Title, "PASS") || v.Question == nil {
		t.Fatalf("got %+v, want alice's PASS sent again under its key", v)
	}
	if ds := h.undelivered(); len(ds) != 0 {
		t.Fatalf("outbox still holds %+v", ds)
	}

	// Sent, but the kill came before it was taken out of the outbox: not posted twice.
	h.say(alice, dm, "practice consensus")
	h.plat.NextKind(t, bot.MsgQuestion)
	h.say(alice, dm, goodAnswer)
	sent := h.plat.NextKind(t, bot.MsgVerdict)
	if ds := h.undelivered(); len(ds) != 0 {
		t.Fatalf("a sent verdict left in the outbox: %+v", ds)
	}
	as = h.attempts(alice)
	last := as[len(as)-1]
	last.Deliver = &bot.Delivery{User: alice, Conv: dm, By: h.clock.Now().Add(2 * time.Minute)}
	if err := h.store.FinishSession(ctx, 0, last); err != nil {
		t.Fatal(err)
	}
	h.stop()
	h.start()
	h.bot.Idle()
	h.plat.None(t)
	if again := h.plat.Resent(); len(again) != 1 || again[0].Key != sent.Key || !strings.HasPrefix(sent.Key, "v"+strconv.FormatUint(last.ID, 36)+".") {
		t.Fatalf("sent again: %+v, want the second verdict under its key", again)
	}
	if ds := h.undelivered(); len(ds) != 0 {
		t.Fatalf("outbox still holds %+v", ds)
	}

	// Past the window: dropped, not sent.
	h.say(alice, dm, "practice consensus")
	h.plat.NextKind(t, bot.MsgQuestion)
	h.plat.FailNext(errors.New("502 from the platform"))
	h.say(alice, dm, goodAnswer)
	h.restartPastWindow(t)
	meter.expect(t, meter.drills, map[string]int{"resent:verdict/sent": 2, "resent:verdict/dropped": 1})
}

// restartPastWindow stops the bot and starts it again too late to send what its outbox
// holds: nothing is sent, and the outbox is left empty.
func (h *harness) restartPastWindow(t *testing.T) {
	t.Helper()
	h.stop()
	h.clock.Advance(3 * time.Minute)
	h.start()
	h.bot.Idle()
	h.plat.None(t)
	if ds := h.undelivered(); len(ds) != 0 {
		t.Fatalf("outbox still holds %+v", ds)
	}
}

// TestRestartSendsUnsentTimeUp: the note that closes a question nobody answered is kept
// in the outbox like a verdict, so a kill or a failed send cannot close the session
// without a message (issue #11). It is sent again at the next start under its own key;
// a late answer that replaces the timed-out attempt replaces the note too.
func TestRestartSendsUnsentTimeUp(t *testing.T) {
	h := newHarness(t)
	meter := newCountingMeter()
	h.meter = meter
	h.redelivering()
	// unanswered asks alice a question and lets its time run out with the note's send failing.
	unanswered := func() {
		h.say(alice, dm, "practice consensus")
		h.plat.NextKind(t, bot.MsgQuestion)
		h.plat.FailNext(errors.New("502 from the platform"))
		h.clock.Advance(3*time.Minute + 10*time.Second)
		h.bot.Idle()
		h.plat.None(t)
	}

	unanswered()
	as := h.attempts(alice)
	ds := h.undelivered()
	if len(as) != 1 || as[0].Outcome != bot.OutcomeTimeout || len(ds) != 1 || ds[0].Attempt != as[0].ID {
		t.Fatalf("attempts %+v, outbox %+v: want the timeout recorded and its note waiting", as, ds)
	}
	h.stop()
	h.clock.Advance(10 * time.Second)
	h.start()
	h.bot.Idle()
	note := h.plat.NextKind(t, bot.MsgTimeUp)
	if !note.Again || !strings.HasPrefix(note.Key, "t"+strconv.FormatUint(as[0].ID, 36)+".") ||
		!strings.Contains(note.Text, "Time's up") || !strings.Contains(note.Text, "The question was:") {
		t.Fatalf("got %+v, want the time's-up note sent again under its key, naming the question", note)
	}
	if ds := h.undelivered(); len(ds) != 0 {
		t.Fatalf("outbox still holds %+v", ds)
	}
	if got := meter.get(meter.drills, "resent:timeup/sent"); got != 1 {
		t.Errorf("meter resent:timeup/sent = %d, want 1", got)
	}

	// The note failed again, and then the answer came late: the late verdict is what
	// the attempt's outbox entry now sends, under a key of its own.
	unanswered()
	h.plat.FailNext(errors.New("502 from the platform"))
	h.say(alice, dm, goodAnswer)
	h.plat.None(t)
	as = h.attempts(alice)
	last := as[len(as)-1]
	if ds := h.undelivered(); len(ds) != 1 || ds[0].Attempt != last.ID || last.Outcome != bot.OutcomeLate {
		t.Fatalf("outbox %+v, last attempt %+v: want the late verdict waiting in place of the note", ds, last)
	}
	h.stop()
	h.start()
	h.bot.Idle()
	v := h.plat.NextKind(t, bot.MsgVerdict)
	if !v.Again || !strings.HasPrefix(v.Key, "v"+strconv.FormatUint(last.ID, 36)+".") {
		t.Fatalf("got %+v, want the late verdict under its own key", v)
	}
	h.plat.None(t)

	// Past the platform's window the note is dropped unsent, and counted as a note.
	unanswered()
	h.restartPastWindow(t)
	meter.expect(t, meter.drills, map[string]int{"resent:timeup/dropped": 1, "resent:verdict/dropped": 0, "resent:verdict/sent": 1})
}

// TestRestoredStoreDoesNotReuseKeys: a store restored from a backup hands out session ids
// again; a question's key carries its time too, so the platform does not take the new
// question for the old one with that id (on Discord: answer with the old message).
func TestRestoredStoreDoesNotReuseKeys(t *testing.T) {
	h := newHarness(t)
	h.redelivering()
	h.say(alice, dm, "practice consensus")
	h.plat.NextKind(t, bot.MsgQuestion)
	h.stop()
	backup, err := os.ReadFile(h.path)
	if err != nil {
		t.Fatal(err)
	}
	h.start()
	h.say(alice, dm, "skip")
	h.plat.Drain()
	h.say(alice, dm, "practice consensus")
	first := h.plat.NextKind(t, bot.MsgQuestion)
	h.stop()
	if err := os.WriteFile(h.path, backup, 0o600); err != nil {
		t.Fatal(err)
	}
	h.clock.Advance(time.Second)
	h.start()
	h.say(alice, dm, "skip")
	h.plat.Drain()
	h.say(alice, dm, "practice consensus")
	second := h.plat.NextKind(t, bot.MsgQuestion)
	if second.Session != first.Session || second.Key == first.Key {
		t.Fatalf("sessions %d and %d, keys %q and %q: want one id, two keys", first.Session, second.Session, first.Key, second.Key)
	}
}

// TestRestartDoesNotResendWithoutRedelivery: on a platform that cannot tell a second
// send from a first (no bot.Redelivering window), an unconfirmed question is not sent
// again: it might be posted twice. It closes with its time's-up as before.
func TestRestartDoesNotResendWithoutRedelivery(t *testing.T) {
	h := newHarness(t)
	h.say(alice, dm, "practice consensus")
	h.plat.NextKind(t, bot.MsgQuestion)
	h.unconfirm(alice, dm)
	h.stop()
	h.clock.Advance(10 * time.Second)
	h.start()
	h.bot.Idle()
	h.plat.None(t)
	h.clock.Advance(3 * time.Minute)
	h.plat.NextKind(t, bot.MsgTimeUp)
}

func TestRestartAfterDeadlineSendsTimeUp(t *testing.T) {
	h := newHarness(t)
	h.say(alice, dm, "practice consensus")
	h.plat.NextKind(t, bot.MsgQuestion)
	h.stop()
	h.clock.Advance(10 * time.Minute) // down past the deadline
	h.start()
	h.clock.Advance(0)
	h.plat.NextKind(t, bot.MsgTimeUp)
}

func TestSessionsInTwoConversationsStayApart(t *testing.T) {
	h := newHarness(t)
	h.say(alice, dm, "practice consensus")
	h.plat.NextKind(t, bot.MsgQuestion)
	h.say(alice, chanA, "practice replication")
	q2 := h.plat.NextKind(t, bot.MsgQuestion)
	if q2.Question.ID != "quorum-overlap" {
		t.Fatalf("got %s", q2.Question.ID)
	}
	thread := chanA
	thread.Thread = "tm2"
	// An answer in the channel itself (not the thread) is not the answer.
	h.say(alice, chanA, "stats")
	h.plat.NextKind(t, bot.MsgStats)
	h.say(alice, thread, "Every read quorum and write quorum overlap in at least one replica, so the reader sees the newest version number among the replies.")
	v := h.plat.NextKind(t, bot.MsgVerdict)
	if v.Verdict.QuestionID != "test/quorum-overlap" || v.Conv.Thread != "tm2" {
		t.Fatalf("got verdict for %s in %+v, want quorum-overlap in the thread", v.Verdict.QuestionID, v.Conv)
	}
	if _, open := h.bot.OpenSession(alice, dm); !open {
		t.Fatal("the DM session was closed by the channel answer")
	}
	h.say(alice, dm, goodAnswer)
	v = h.plat.NextKind(t, bot.MsgVerdict)
	if v.Verdict.QuestionID != "test/raft-election" || !v.Verdict.Pass {
		t.Fatalf("got %s %s", v.Verdict.QuestionID, v.Title)
	}
}

func TestTwoPeopleInOneChannel(t *testing.T) {
	h := newHarness(t)
	h.say(alice, chanA, "practice consensus")
	h.plat.NextKind(t, bot.MsgQuestion)
	h.say(bob, chanA, "practice consensus")
	h.plat.NextKind(t, bot.MsgQuestion)
	h.say(bob, bot.Conversation{Platform: "test", ID: "general", Thread: "tm2"}, wrongAnswer)
	v := h.plat.NextKind(t, bot.MsgVerdict)
	if v.To != bob || v.Verdict.Pass {
		t.Fatalf("got verdict to %v pass=%v, want bob's FAIL", v.To, v.Verdict.Pass)
	}
	if _, open := h.bot.OpenSession(alice, chanA); !open {
		t.Fatal("alice's session closed by bob's answer")
	}
}

func TestBadInput(t *testing.T) {
	h := newHarness(t)
	h.say(alice, dm, "practice consensus")
	h.plat.NextKind(t, bot.MsgQuestion)

	h.say(alice, dm, strings.Repeat("consensus ", 100_000)) // 1 MB
	m := h.plat.NextKind(t, bot.MsgError)
	if !strings.Contains(m.Text, "shorten") {
		t.Fatalf("got %q", m.Text)
	}
	h.say(alice, dm, "\x00\x01\x02\xff\xfe binary\x00")
	m = h.plat.NextKind(t, bot.MsgError)
	if !strings.Contains(m.Text, "binary") {
		t.Fatalf("got %q", m.Text)
	}
	if _, open := h.bot.OpenSession(alice, dm); !open {
		t.Fatal("bad input closed the session: the person could not answer any more")
	}
	h.say(alice, dm, "🤔🤔🔥🚀")
	v := h.plat.NextKind(t, bot.MsgVerdict)
	if v.Verdict.Pass || !strings.Contains(v.Text, "no words") {
		t.Fatalf("got %q, want a FAIL that says there were no words:\n%s", v.Title, v.Text)
	}

	h.say(alice, dm, "practice consensus")
	h.plat.NextKind(t, bot.MsgQuestion)
	h.bot.Handle(context.Background(), bot.Event{User: alice, Conv: dm, Text: "   ", Answer: true})
	v = h.plat.NextKind(t, bot.MsgVerdict)
	if v.Verdict.Pass || v.Verdict.Score != 0 || !strings.Contains(v.Text, "didn't get an answer") {
		t.Fatalf("empty answer got %q, want FAIL · 0 saying so:\n%s", v.Title, v.Text)
	}
}

func TestCommands(t *testing.T) {
	h := newHarness(t)
	tests := []struct {
		text string
		kind bot.MessageKind
		want string
	}{
		{"help", bot.MsgHelp, "practice [topic]"},
		{"dance", bot.MsgInfo, `I don't know "dance"`},
		{"stats", bot.MsgStats, "No attempts yet"},
		{"skip", bot.MsgInfo, "no open question"},
		{"model", bot.MsgInfo, "haven't answered"},
		{"practice astrology", bot.MsgInfo, `I don't know the topic "astrology"`},
		{"practice astrology", bot.MsgInfo, "name a system or idea, such as kafka"},
		{"practice hard raft", bot.MsgInfo, "I have no hard raft questions"},
		{"practice hard", bot.MsgInfo, "I have no hard questions. Try another difficulty or kind, or just `practice`."},
		{"practice hard raft", bot.MsgInfo, "Try `practice raft`, or just `practice`."},
		{"practice easy hard", bot.MsgInfo, "`easy` and `hard` are two difficulties; pick one, like `practice hard`."},
		{"practice concept coding", bot.MsgInfo, "`concept` and `coding` are two kinds of question"},
	}
	for _, tt := range tests {
		h.say(alice, dm, tt.text)
		m := h.plat.NextKind(t, tt.kind)
		if !strings.Contains(m.Text, tt.want) {
			t.Errorf("%q: got %q, want it to contain %q", tt.text, m.Text, tt.want)
		}
	}
}

// TestPracticeByTag: a system or idea the bank tags questions with works where a topic
// does ("practice raft", "practice leader election", "interview dynamo"), plurals too.
func TestPracticeByTag(t *testing.T) {
	for _, tt := range []struct{ text, want string }{
		{"practice raft", "raft-election"},
		{"practice leader election", "raft-election"},
		{"practice quorums", "quorum-overlap"},
		{"practice easy dynamo", "quorum-overlap"},
	} {
		h := newHarness(t)
		h.say(alice, dm, tt.text)
		if q := h.plat.NextKind(t, bot.MsgQuestion); q.Question.ID != tt.want {
			t.Errorf("%q asked %s, want %s", tt.text, q.Question.ID, tt.want)
		}
	}
}

func TestSkipStatsAndModel(t *testing.T) {
	h := newHarness(t)
	h.say(alice, dm, "practice consensus")
	h.plat.NextKind(t, bot.MsgQuestion)
	h.say(alice, dm, "practice")
	if m := h.plat.NextKind(t, bot.MsgInfo); !strings.Contains(m.Text, "already have an open question") {
		t.Fatalf("got %q", m.Text)
	}
	h.say(alice, dm, "model")
	if m := h.plat.NextKind(t, bot.MsgInfo); !strings.Contains(m.Text, "Answer the open question first") {
		t.Fatalf("got %q", m.Text)
	}
	h.say(alice, dm, "skip")
	h.plat.NextKind(t, bot.MsgInfo)
	h.say(alice, dm, "model")
	if m := h.plat.NextKind(t, bot.MsgInfo); !strings.Contains(m.Text, "Raft splits time into terms") {
		t.Fatalf("got %q, want the model answer", m.Text)
	}
	h.say(alice, dm, "practice consensus")
	h.plat.NextKind(t, bot.MsgQuestion)
	h.say(alice, dm, goodAnswer)
	h.plat.NextKind(t, bot.MsgVerdict)
	h.say(alice, dm, "stats")
	m := h.plat.NextKind(t, bot.MsgStats)
	for _, want := range []string{"1 attempt, 1 passed (100%)", "1 skipped", "consensus"} {
		if !strings.Contains(m.Text, want) {
			t.Errorf("stats lack %q:\n%s", want, m.Text)
		}
	}
}

func TestStopIsNotAnAnswerUnlessAlone(t *testing.T) {
	h := newHarness(t)
	h.say(alice, dm, "practice consensus")
	h.plat.NextKind(t, bot.MsgQuestion)
	// An answer that starts with a command word is still the answer.
	h.say(alice, dm, "Stop and think: Raft uses terms, a majority vote and one vote per term.")
	h.plat.NextKind(t, bot.MsgVerdict)
}

// TestShortAnswersStartingWithACommandWord: while a question is open, a message is the
// answer unless it is a command word alone or a command whose every word is valid, so
// short answers that start with a command word or alias are graded.
func TestShortAnswersStartingWithACommandWord(t *testing.T) {
	h := newHarness(t)
	for _, ans := range []string{"top k", "scores vary", "leaders elected", "daily on-call rotations elect a leader",
		"daily on 9 terms elect one leader", "drill down: a majority of votes", "forget it, raft uses terms", "practice makes perfect"} {
		h.say(alice, dm, "practice consensus")
		h.plat.NextKind(t, bot.MsgQuestion)
		h.say(alice, dm, ans)
		if m := h.plat.Next(t); m.Kind != bot.MsgVerdict {
			t.Errorf("answer %q: got %q, want it graded", ans, m.Text)
		}
	}
	// A command word alone, or a complete command, is still a command.
	h.say(alice, dm, "practice consensus")
	h.plat.NextKind(t, bot.MsgQuestion)
	for _, tt := range []struct{ text, want string }{
		{"top", "Leaderboards belong to channels"},
		{"leaderboard week", "Leaderboards belong to channels"},
		{"daily status", "You have no daily drill"},
		{"daily on 10:00 utc", "Daily drill on: 10:00 UTC"},
		{"drill pause 3", "Drills post to a channel"},
		{"practice replication", "already have an open question"},
	} {
		h.say(alice, dm, tt.text)
		if m := h.plat.NextKind(t, bot.MsgInfo); !strings.Contains(m.Text, tt.want) {
			t.Errorf("%q: got %q, want %q", tt.text, m.Text, tt.want)
		}
	}
	if _, open := h.bot.OpenSession(alice, dm); !open {
		t.Fatal("a command closed the open question")
	}
}

func TestButtons(t *testing.T) {
	h := newHarness(t)
	h.bot.Handle(context.Background(), bot.Event{Kind: bot.EventAction, User: alice, Conv: dm, Action: bot.ActionAnother})
	h.plat.NextKind(t, bot.MsgQuestion)
	h.bot.Handle(context.Background(), bot.Event{Kind: bot.EventAction, User: alice, Conv: dm, Action: bot.ActionSkip})
	h.plat.NextKind(t, bot.MsgInfo)
	h.bot.Handle(context.Background(), bot.Event{Kind: bot.EventAction, User: alice, Conv: dm, Action: "bogus"})
	h.plat.NextKind(t, bot.MsgError)
}

func TestSendFailureDropsSession(t *testing.T) {
	h := newHarness(t)
	h.plat.FailNext(context.DeadlineExceeded)
	h.say(alice, dm, "practice consensus")
	m := h.plat.NextKind(t, bot.MsgError)
	if !strings.Contains(m.Text, "couldn't start") {
		t.Fatalf("got %q", m.Text)
	}
	if _, open := h.bot.OpenSession(alice, dm); open {
		t.Fatal("a question that was never shown left an open session")
	}
	sessions, _ := h.store.Sessions(context.Background())
	if len(sessions) != 0 {
		t.Fatalf("got %d stored sessions, want 0", len(sessions))
	}
}

func TestNoRepeatInARow(t *testing.T) {
	h := newHarness(t)
	last := ""
	for i := 0; i < 6; i++ {
		h.say(alice, dm, "practice")
		q := h.plat.NextKind(t, bot.MsgQuestion)
		if q.Question.ID == last {
			t.Fatalf("question %s asked twice in a row", last)
		}
		last = q.Question.ID
		h.say(alice, dm, "skip")
		h.plat.NextKind(t, bot.MsgInfo)
	}
}

func TestFollowUp(t *testing.T) {
	h := newHarness(t)
	h.say(alice, dm, "followup")
	if m := h.plat.NextKind(t, bot.MsgInfo); !strings.Contains(m.Text, "Answer a question first") {
		t.Fatalf("got %q", m.Text)
	}
	h.say(alice, dm, "practice consensus")
	h.plat.NextKind(t, bot.MsgQuestion)
	// Covers terms, majority and one vote; misses the randomized timeouts.
	h.say(alice, dm, `Raft divides time into terms and each term has at most one leader. Each server gives one vote per term and a candidate needs a majority of the cluster to win.`)
	v := h.plat.NextKind(t, bot.MsgVerdict)
	if len(v.Verdict.Missed) != 1 || v.Verdict.Missed[0].ID != "timeouts" {
		t.Fatalf("got missed %+v, want only timeouts", v.Verdict.Missed)
	}
	h.bot.Handle(context.Background(), bot.Event{Kind: bot.EventAction, User: alice, Conv: dm, Action: bot.ActionFollowUp})
	q := h.plat.NextKind(t, bot.MsgQuestion)
	if q.Question.Prompt != "What happens when two candidates split the vote?" || len(q.Question.KeyPoints) != 1 || q.Question.KeyPoints[0].ID != "timeouts" {
		t.Fatalf("got follow-up %q graded on %+v", q.Question.Prompt, q.Question.KeyPoints)
	}
	h.stop() // the follow-up is not in the bank: it must survive a restart
	h.start()
	h.say(alice, dm, "Nobody wins that term; the randomized election timeout makes one candidate time out first next round, so it usually wins alone.")
	fv := h.plat.NextKind(t, bot.MsgVerdict)
	if !fv.Verdict.Pass {
		t.Fatalf("got %s: %s", fv.Title, fv.Verdict.Feedback.Summary)
	}
	as := h.attempts(alice)
	if len(as) != 2 || as[1].Kind != bot.KindFollowUp || as[1].Topic != "consensus" {
		t.Fatalf("got attempts %+v, want the follow-up recorded under its topic", as)
	}
}

// gatedStore holds the recording of a time-up until gate is closed, so a test can act
// while a session is busy with it.
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

// timeUpInProgress asks alice a question on a bot whose store holds the recording of
// its time-up, and lets the clock run out: it returns with the time-up started and
// waiting. release lets it finish; it runs at the test's end too, so a failing test does
// not leave the time-up, and Close, waiting.
func timeUpInProgress(t *testing.T) (b *bot.Bot, plat *bottest.Platform, st *store.Store, q *bot.Question, release func()) {
	t.Helper()
	st, err := store.Open(filepath.Join(t.TempDir(), "q.db"), 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	gs := &gatedStore{Store: st, entered: make(chan struct{}), gate: make(chan struct{})}
	clock := bottest.NewClock(t0)
	plat = bottest.NewPlatform("test")
	bank := loadBank(t)
	b = bot.New(bot.Config{Bank: bank, Grader: rubric.New(rubric.Options{}), Store: gs, Clock: clock})
	b.AddPlatform(plat)
	if err := b.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	q, _ = bank.Lookup("raft-election")
	if _, err := b.Ask(context.Background(), alice, dm, q, false); err != nil {
		t.Fatal(err)
	}
	plat.NextKind(t, bot.MsgQuestion)

	go clock.Advance(4 * time.Minute) // the time-up starts and blocks in the store
	<-gs.entered
	release = sync.OnceFunc(func() { close(gs.gate) })
	t.Cleanup(release)
	return b, plat, st, q, release
}

// TestAskReplacingWaitsForATimeUp: a new question that replaces the open one (the
// terminal's `quorum practice`) waits while that one's time-up is being recorded, instead
// of failing with "an answer is being graded", as it did when a run started just as an
// earlier run's question ran out.
func TestAskReplacingWaitsForATimeUp(t *testing.T) {
	b, plat, st, q, release := timeUpInProgress(t)
	asked := make(chan error, 1)
	go func() {
		_, err := b.Ask(context.Background(), alice, dm, q, true)
		asked <- err
	}()
	select {
	case err := <-asked:
		t.Fatalf("Ask returned %v while the time-up was being recorded; want it to wait", err)
	case <-time.After(100 * time.Millisecond):
	}
	release()
	if err := <-asked; err != nil {
		t.Fatalf("Ask after the time-up: %v", err)
	}
	kinds := map[bot.MessageKind]int{} // the time's-up note and the new question, in either order
	for range 2 {
		kinds[plat.Next(t).Kind]++
	}
	if kinds[bot.MsgTimeUp] != 1 || kinds[bot.MsgQuestion] != 1 {
		t.Fatalf("got messages of kinds %v, want the time's-up note and the new question", kinds)
	}
	if s, open := b.OpenSession(alice, dm); !open || s.State != bot.SessionOpen {
		t.Fatalf("got session %+v (open %v), want the new question open", s, open)
	}
	as, err := st.Attempts(context.Background(), alice.Key())
	if err != nil || len(as) != 1 || as[0].Outcome != bot.OutcomeTimeout {
		t.Fatalf("got attempts %+v (%v), want the earlier question's time-out only", as, err)
	}
}

// TestAskReplacingPastDueRecordsATimeOut: a question whose time ran out before its timer
// fired (left open by a run that stopped) is recorded as timed out when a new question
// replaces it, not as skipped.
func TestAskReplacingPastDueRecordsATimeOut(t *testing.T) {
	h := newHarness(t)
	h.say(alice, dm, "practice consensus")
	q := h.plat.NextKind(t, bot.MsgQuestion)
	h.stop()
	h.clock.Advance(10 * time.Minute) // stopped: no timer runs
	h.start()                         // re-arms the question's timer, due at once
	if _, err := h.bot.Ask(context.Background(), alice, dm, q.Question, true); err != nil {
		t.Fatal(err)
	}
	as := h.attempts(alice)
	if len(as) != 1 || as[0].Outcome != bot.OutcomeTimeout {
		t.Fatalf("got attempts %+v, want the earlier question recorded as timed out", as)
	}
}

// TestCommandsWithNoHistory: every command a newcomer might try, in a DM or a channel,
// gets a sentence that says what to do, never an error.
func TestCommandsWithNoHistory(t *testing.T) {
	h := drillHarness(t)
	for _, tt := range []struct {
		conv bot.Conversation
		text string
		kind bot.MessageKind
		want string
	}{
		{dm, "stats", bot.MsgStats, "No attempts yet"},
		{general, "leaderboard", bot.MsgStats, "No drill answers yet"},
		{general, "leaderboard server week", bot.MsgStats, "Leaderboard for this server, the last 7 days"},
		{general, "leaderboard bogus", bot.MsgInfo, "Say `leaderboard`, `leaderboard week`"},
		{dm, "leaderboard", bot.MsgInfo, "Leaderboards belong to channels"},
		{dm, "model", bot.MsgInfo, "You haven't answered a question yet"},
		{dm, "followup", bot.MsgInfo, "Answer a question first"},
		{dm, "skip", bot.MsgInfo, "There's no open question to skip"},
		{dm, "stop", bot.MsgInfo, "There's no open question to stop"},
		{dm, "daily", bot.MsgInfo, "You have no daily drill. Turn one on"},
		{dm, "daily off", bot.MsgInfo, "You have no daily drill. Turn one on"},
		{dm, "daily skip", bot.MsgInfo, "You have no daily drill to skip"},
		{dm, "daily foo", bot.MsgInfo, "Use `daily on 09:00 Europe/Berlin mon-fri`"},
		{dm, "daily on", bot.MsgInfo, "What time?"},
		{dm, "daily on 25:61", bot.MsgInfo, `I can't read "25:61" as a time`},
		{dm, "DAILY ON 9AM EUROPE/BERLIN MON-FRI", bot.MsgInfo, "Daily drill on: 09:00 Europe/Berlin, Mon-Fri."},
		{dm, "daily off", bot.MsgInfo, "Daily drill off"},
		{dm, "", bot.MsgInfo, "I didn't get any text there"},
		{dm, "   ", bot.MsgInfo, "I didn't get any text there"},
		{dm, "/quorum", bot.MsgInfo, "I didn't get any text there"},
		{dm, "!", bot.MsgInfo, "I didn't get any text there"},
		{dm, "<@123> practice", bot.MsgInfo, `I don't know "<@123>"`},
		{dm, "practice ???", bot.MsgInfo, `I don't know the topic "???"`},
		{dm, "practice easy hard", bot.MsgInfo, "`easy` and `hard` are two difficulties"},
		{general, "drill", bot.MsgInfo, "No drills here yet"},
		{general, "drill remove", bot.MsgInfo, "Which drill?"},
		{general, "drill remove abc", bot.MsgInfo, `"abc" isn't a drill number`},
		{general, "drill remove 99999999999999999999999", bot.MsgInfo, "isn't a drill number"},
		{general, "drill pause #7", bot.MsgInfo, "There is no drill #7 here"},
		{general, "drill frob", bot.MsgInfo, "Use `drill add <cron>"},
		{general, "export", bot.MsgInfo, "I only send your data in a direct message"},
		{dm, "forget", bot.MsgInfo, "Say `export` first for a copy, then `forget confirm`"},
		{dm, "forget confirm", bot.MsgInfo, "Done: I deleted everything I kept about you"},
	} {
		u := alice
		if tt.conv == general {
			u = carol
		}
		h.say(u, tt.conv, tt.text)
		m := h.plat.Next(t)
		if m.Kind != tt.kind || !strings.Contains(m.Text, tt.want) {
			t.Errorf("%q: got kind %d %q, want kind %d containing %q", tt.text, m.Kind, m.Text, tt.kind, tt.want)
		}
	}
	h.plat.None(t)
}

// TestAnswerInChannelOutsideTheThread: in a channel the answer goes in the question's
// thread; the same text typed in the channel itself is not taken as the answer, and the
// question stays open for the thread.
func TestAnswerInChannelOutsideTheThread(t *testing.T) {
	h := newHarness(t)
	h.say(alice, chanA, "practice consensus")
	q := h.plat.NextKind(t, bot.MsgQuestion)
	h.say(alice, chanA, goodAnswer)
	if m := h.plat.Next(t); m.Kind == bot.MsgVerdict {
		t.Fatalf("an answer outside the thread was graded: %q", m.Title)
	} else if !strings.Contains(m.Text, "open in its thread") {
		t.Errorf("got %q, want to be pointed to the question's thread", m.Text)
	}
	h.say(alice, chanA, "help") // a command still works outside the thread
	if m := h.plat.Next(t); !strings.Contains(m.Text, "practice") || strings.Contains(m.Text, "open in its thread") {
		t.Errorf("got %q for help outside the thread, want the help", m.Text)
	}
	s, open := h.bot.OpenSession(alice, chanA)
	if !open || s.State != bot.SessionOpen || s.Conv.Thread == "" {
		t.Fatalf("got %+v (open %v), want the question still open in its thread", s, open)
	}
	thread := chanA
	thread.Thread = s.Conv.Thread
	h.say(alice, thread, goodAnswer)
	if v := h.plat.NextKind(t, bot.MsgVerdict); !strings.HasPrefix(v.Title, "PASS") || v.Question != nil && v.Question.ID != q.Question.ID {
		t.Fatalf("got %q, want the answer in the thread graded", v.Title)
	}
}

// TestStatsCountALateAnswerOnce: a skip is not counted; a time-out is one attempt, and a
// late answer replaces it rather than adding another.
func TestStatsCountALateAnswerOnce(t *testing.T) {
	h := newHarness(t)
	stats := func() string {
		h.say(alice, dm, "stats")
		return h.plat.NextKind(t, bot.MsgStats).Text
	}
	h.say(alice, dm, "practice consensus")
	h.plat.NextKind(t, bot.MsgQuestion)
	h.say(alice, dm, "skip")
	h.plat.NextKind(t, bot.MsgInfo)
	if got := stats(); !strings.HasPrefix(got, "0 attempts, 0 passed (0%)") || !strings.Contains(got, "1 skipped") {
		t.Fatalf("after a skip: %q", got)
	}
	h.say(alice, dm, "practice consensus")
	h.plat.NextKind(t, bot.MsgQuestion)
	h.clock.Advance(4 * time.Minute)
	h.plat.NextKind(t, bot.MsgTimeUp)
	if got := stats(); !strings.HasPrefix(got, "1 attempt, 0 passed (0%)") {
		t.Fatalf("after a time-out: %q", got)
	}
	h.say(alice, dm, goodAnswer)
	h.plat.NextKind(t, bot.MsgVerdict)
	if got := stats(); !strings.HasPrefix(got, "1 attempt, 0 passed (0%)") || !strings.Contains(got, "1 skipped") {
		t.Fatalf("after the late answer: %q, want it to replace the time-out", got)
	}
}

// TestConcurrentAnswers (run with -race): members answering a drill at once, several
// times each, get one verdict each; one person's answers, skip and practice racing in a
// DM grade at most one answer.
func TestConcurrentAnswers(t *testing.T) {
	h := drillHarness(t)
	postedDrill(t, h)
	thread := general
	thread.Thread = "tm2"
	users := []bot.User{alice, bob, {Platform: "test", ID: "dan"}, {Platform: "test", ID: "eve"}}
	var wg sync.WaitGroup
	for _, u := range users {
		for i := 0; i < 3; i++ {
			wg.Add(1)
			go func() { defer wg.Done(); h.say(u, thread, goodAnswer) }()
		}
	}
	wg.Wait()
	verdicts := map[string]int{}
	for _, m := range h.plat.Messages() {
		if m.Kind == bot.MsgVerdict {
			verdicts[m.To.ID]++
		}
	}
	for _, u := range users {
		if verdicts[u.ID] != 1 {
			t.Errorf("%s got %d verdicts, want 1", u.ID, verdicts[u.ID])
		}
		if as := h.attempts(u); len(as) != 1 {
			t.Errorf("%s has %d attempts, want 1", u.ID, len(as))
		}
	}
	h.say(alice, dm, "practice consensus")
	n := len(h.plat.Messages())
	for _, text := range []string{goodAnswer, goodAnswer, goodAnswer, "skip", "practice"} {
		wg.Add(1)
		go func() { defer wg.Done(); h.say(alice, dm, text) }()
	}
	wg.Wait()
	dmVerdicts := 0
	for _, m := range h.plat.Messages()[n:] {
		if m.Kind == bot.MsgVerdict {
			dmVerdicts++
		}
	}
	if dmVerdicts > 1 {
		t.Errorf("got %d verdicts for one DM question, want at most 1", dmVerdicts)
	}
	h.clock.Advance(time.Hour)
	h.bot.Idle()
}

// TestFailedVerdictTriedAgainWhileRunning: a verdict or time's-up note whose send fails
// is tried again while Quorum runs, under its key and marked Again, and stays in the
// outbox until sent: a restart much later would be past the platform's window.
func TestFailedVerdictTriedAgainWhileRunning(t *testing.T) {
	h := newHarness(t)
	h.redelivering()
	h.say(alice, dm, "practice consensus")
	h.plat.NextKind(t, bot.MsgQuestion)
	h.plat.FailNext(errors.New("502 from the platform"))
	h.say(alice, dm, goodAnswer)
	h.plat.None(t)
	if ds := h.undelivered(); len(ds) != 1 {
		t.Fatalf("outbox %+v, want the verdict waiting", ds)
	}
	h.plat.FailNext(errors.New("502 from the platform")) // the first try again fails too
	h.clock.Advance(time.Minute)
	h.bot.Idle()
	v := h.plat.NextKind(t, bot.MsgVerdict)
	if !v.Again || !strings.HasPrefix(v.Title, "PASS") {
		t.Fatalf("got %+v, want alice's PASS sent again", v)
	}
	if ds := h.undelivered(); len(ds) != 0 {
		t.Fatalf("outbox still holds %+v", ds)
	}

	// A time's-up note takes the same path.
	h.say(alice, dm, "practice consensus")
	h.plat.NextKind(t, bot.MsgQuestion)
	h.plat.FailNext(errors.New("502 from the platform"))
	h.clock.Advance(3*time.Minute + 10*time.Second)
	h.bot.Idle()
	h.plat.None(t)
	h.clock.Advance(5 * time.Second)
	h.bot.Idle()
	if note := h.plat.NextKind(t, bot.MsgTimeUp); !note.Again {
		t.Fatalf("got %+v, want the note sent again", note)
	}
	h.clock.Advance(time.Hour)
	h.bot.Idle()
	h.plat.None(t)
	if ds := h.undelivered(); len(ds) != 0 {
		t.Fatalf("outbox still holds %+v", ds)
	}
}
