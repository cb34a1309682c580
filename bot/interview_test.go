package bot_test

import (
	"context"
	"errors"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/quorum-dev/quorum/bot"
	"github.com/quorum-dev/quorum/bot/bottest"
	"github.com/quorum-dev/quorum/bot/rubric"
	"github.com/quorum-dev/quorum/prompts"
	"github.com/quorum-dev/quorum/store"
)

// ivHarness runs the core on the real bank, so interviews can mix kinds.
type ivHarness struct {
	t     *testing.T
	bank  *bot.Bank
	path  string
	clock *bottest.Clock
	st    *store.Store
	b     *bot.Bot
	plat  *bottest.Platform
	// redelivery and posted play a platform that posts a keyed message once (Discord),
	// across restarts.
	redelivery time.Duration
	posted     map[string]bot.Sent
	// grader, when set, is the Bot's Grader at each start (else the rubric).
	grader bot.Grader
}

func newIV(t *testing.T) *ivHarness {
	bank, err := prompts.LoadBank()
	if err != nil {
		t.Fatal(err)
	}
	h := &ivHarness{t: t, bank: bank, path: filepath.Join(t.TempDir(), "q.db"), clock: bottest.NewClock(t0)}
	h.start()
	t.Cleanup(h.stop)
	return h
}

func (h *ivHarness) start() {
	st, err := store.Open(h.path, 0)
	if err != nil {
		h.t.Fatal(err)
	}
	h.st = st
	h.plat = bottest.NewPlatform("test")
	h.plat.Redelivery = h.redelivery
	if h.posted == nil {
		h.posted = h.plat.Posted
	}
	h.plat.Posted = h.posted
	var g bot.Grader = rubric.New(rubric.Options{})
	if h.grader != nil {
		g = h.grader
	}
	h.b = bot.New(bot.Config{Bank: h.bank, Grader: g, Store: st, Clock: h.clock, Grace: 10 * time.Second, Rand: rand.New(rand.NewPCG(7, 8))})
	h.b.AddPlatform(h.plat)
	if err := h.b.Start(context.Background()); err != nil {
		h.t.Fatal(err)
	}
}

func (h *ivHarness) stop() {
	if h.st != nil {
		h.b.Close()
		h.st.Close()
		h.st = nil
	}
}

func (h *ivHarness) say(text string) {
	h.b.Handle(context.Background(), bot.Event{User: alice, Conv: dm, Text: text})
}

// question waits for the next question, skipping notes.
func (h *ivHarness) question() bot.Message {
	h.t.Helper()
	for {
		m := h.plat.Next(h.t)
		switch m.Kind {
		case bot.MsgQuestion:
			return m
		case bot.MsgInfo:
			continue
		}
		h.t.Fatalf("got %d %q, want a question", m.Kind, m.Text)
	}
}

func (h *ivHarness) report() bot.Message {
	h.t.Helper()
	for {
		m := h.plat.Next(h.t)
		if m.Kind == bot.MsgReport {
			return m
		}
		if m.Kind != bot.MsgInfo {
			h.t.Fatalf("got %d %q, want the report", m.Kind, m.Text)
		}
	}
}

func TestInterviewAllAnswered(t *testing.T) {
	h := newIV(t)
	h.say("interview")
	kinds := map[string]bool{}
	for i := 0; i < bot.InterviewQuestions; i++ {
		q := h.question()
		if i == 0 && !strings.Contains(q.Text, "Mock interview") {
			t.Fatalf("first question lacks the introduction: %q", q.Text)
		}
		kinds[q.Question.Kind] = true
		if q.Deadline.Sub(h.clock.Now()) > 4*time.Minute {
			t.Fatalf("question %d allows %v", i, q.Deadline.Sub(h.clock.Now()))
		}
		h.clock.Advance(2 * time.Minute)
		h.say(q.Question.ModelAnswer)
	}
	if !kinds["concept"] || !kinds["design"] || !kinds["coding"] || !(kinds["paper"] || kinds["behavioral"]) {
		t.Fatalf("got kinds %v, want concept, design, coding and paper or behavioural", kinds)
	}
	fu := h.question()
	if !strings.Contains(fu.Text, "follow-up") || fu.Deadline.Sub(h.clock.Now()) != 2*time.Minute {
		t.Fatalf("got %q with %v, want the 2-minute follow-up", fu.Text, fu.Deadline.Sub(h.clock.Now()))
	}
	h.say(fu.Question.ModelAnswer)
	r := h.report()
	rep := r.Report
	if !rep.Pass || !strings.HasPrefix(r.Title, "Interview: PASS · ") || len(rep.Rows) != 5 || !rep.Rows[4].FollowUp {
		t.Fatalf("got %s with %d rows:\n%s", r.Title, len(rep.Rows), r.Text)
	}
	// The report's figures are the attempts' figures.
	as, _ := h.st.Attempts(context.Background(), alice.Key())
	if len(as) != 5 {
		t.Fatalf("got %d attempts, want 5", len(as))
	}
	sum := 0
	for i, a := range as[:4] {
		sum += a.Score
		if rep.Rows[i].Score != a.Score || rep.Rows[i].Question != a.Question {
			t.Fatalf("row %d is %+v, attempt is %s %d", i, rep.Rows[i], a.Question, a.Score)
		}
	}
	if rep.Score != sum/4 {
		t.Fatalf("report score %d, want the average %d", rep.Score, sum/4)
	}
	for _, want := range []string{"| # | Question |", "Content ", "Strongest moment"} {
		if !strings.Contains(r.Text, want) {
			t.Errorf("report lacks %q:\n%s", want, r.Text)
		}
	}
}

func TestInterviewTimeoutAndStop(t *testing.T) {
	h := newIV(t)
	h.say("interview")
	q := h.question()
	h.say(q.Question.ModelAnswer)
	q = h.question()
	h.clock.Advance(q.Deadline.Sub(h.clock.Now()) + 11*time.Second) // no answer: timed out
	q = h.question()
	if m := h.plat.Messages(); !strings.Contains(m[len(m)-2].Text, "Time's up") {
		t.Fatalf("no time's-up note before the next question: %q", m[len(m)-2].Text)
	}
	h.say("stop")
	r := h.report()
	rep := r.Report
	if rep.Pass || !rep.Stopped || !strings.Contains(r.Text, "partial report") {
		t.Fatalf("got %s:\n%s", r.Title, r.Text)
	}
	outcomes := []string{}
	for _, row := range rep.Rows {
		outcomes = append(outcomes, row.Outcome)
	}
	if got := strings.Join(outcomes, ","); got != "graded,timeout,skipped,not reached" {
		t.Fatalf("got outcomes %s", got)
	}
	if len(rep.Revisit) != 2 {
		t.Fatalf("got revisit %v, want the timed-out and the skipped question", rep.Revisit)
	}
	h.say("practice")
	h.question() // the interview is over: practice works again
}

func TestInterviewSurvivesRestart(t *testing.T) {
	h := newIV(t)
	h.say("interview")
	q := h.question()
	h.say(q.Question.ModelAnswer)
	q2 := h.question()
	h.stop()
	h.clock.Advance(time.Minute)
	h.start()
	h.say(q2.Question.ModelAnswer)
	for i := 0; i < 2; i++ {
		q := h.question()
		h.say(q.Question.ModelAnswer)
	}
	fu := h.question()
	h.say(fu.Question.ModelAnswer)
	r := h.report()
	if len(r.Report.Rows) != 5 || r.Report.Stopped {
		t.Fatalf("got %d rows after a restart:\n%s", len(r.Report.Rows), r.Text)
	}
}

func TestInterviewTimeRunsOutWhileDown(t *testing.T) {
	h := newIV(t)
	h.say("interview")
	q := h.question()
	h.say(q.Question.ModelAnswer)
	h.question()
	h.stop()
	h.clock.Advance(20 * time.Minute)
	h.start()
	h.clock.Advance(0)
	r := h.report()
	if r.Report.Pass || len(r.Report.Rows) != 4 || r.Report.Rows[1].Outcome != bot.OutcomeTimeout {
		t.Fatalf("got %s:\n%s", r.Title, r.Text)
	}
}

func TestInterviewRefusesDoubleStart(t *testing.T) {
	h := newIV(t)
	h.say("interview consensus")
	q := h.question()
	if q.Question.Topic != "consensus" {
		t.Fatalf("got topic %s", q.Question.Topic)
	}
	h.say("interview")
	if m := h.plat.NextKind(t, bot.MsgInfo); !strings.Contains(m.Text, "open question") {
		t.Fatalf("got %q", m.Text)
	}
}

func TestInterviewUsesTailoredQuestions(t *testing.T) {
	h := newIV(t)
	pick := "ds-time/hlc-implementation" // a coding question the person's pack chose
	if q, err := h.bank.Lookup(pick); err != nil || q.Kind != "coding" {
		t.Fatalf("fixture question: %v %v", q, err)
	}
	if err := h.st.SavePersonalPack(context.Background(), alice.Key(), &bot.PersonalPack{Source: "bank", Picks: []string{pick}}); err != nil {
		t.Fatal(err)
	}
	h.say("interview")
	for i := 0; i < 3; i++ {
		q := h.question()
		if q.Question.Kind == "coding" {
			if q.Question.Ref() != pick {
				t.Fatalf("the coding slot asked %s, want the tailored %s", q.Question.Ref(), pick)
			}
			return
		}
		h.say(q.Question.ModelAnswer)
	}
	t.Fatal("no coding question in the first three")
}

// runToReport answers every question of a new interview with its model answer, the
// report's send failing when fail is set, and returns the interview's id.
func (h *ivHarness) runToReport(fail bool) uint64 {
	h.t.Helper()
	h.say("interview")
	for i := 0; i <= bot.InterviewQuestions; i++ { // the four questions and the follow-up
		q := h.question()
		if i == bot.InterviewQuestions && fail {
			h.plat.FailNext(errors.New("502 from the platform"))
		}
		h.say(q.Question.ModelAnswer)
	}
	ivs, err := h.st.RunningInterviews(context.Background())
	if err != nil {
		h.t.Fatal(err)
	}
	if fail && len(ivs) != 1 {
		h.t.Fatalf("%d running interviews after the report's send failed, want it kept running", len(ivs))
	}
	if !fail && len(ivs) != 0 {
		h.t.Fatalf("%d running interviews after the report was sent", len(ivs))
	}
	if fail {
		return ivs[0].ID
	}
	return 0
}

// TestInterviewReportSurvivesAKill: on a platform that posts a keyed message once, an
// interview ends only once its report is sent, so a report whose send failed or was cut
// short by a kill is sent at the next start (posted once); past the window it ends
// without it.
func TestInterviewReportSurvivesAKill(t *testing.T) {
	h := newIV(t)
	h.redelivery = 2 * time.Minute
	h.stop()
	h.start()
	ctx := context.Background()

	// The report's send failed: sent at the restart.
	id := h.runToReport(true)
	h.stop()
	h.clock.Advance(10 * time.Second)
	h.start()
	h.b.Idle()
	r := h.report()
	if !r.Again || !strings.HasPrefix(r.Key, "r"+strconv.FormatUint(id, 36)+".") || len(r.Report.Rows) != 5 {
		t.Fatalf("got %+v, want interview %d's report sent again under its key", r, id)
	}
	if ivs, _ := h.st.RunningInterviews(ctx); len(ivs) != 0 {
		t.Fatalf("still running after its report was sent: %+v", ivs)
	}

	// Sent, but the kill came before the interview ended: not posted twice.
	h.runToReport(false)
	sent := h.report()
	id36, _, _ := strings.Cut(strings.TrimPrefix(sent.Key, "r"), ".")
	id, _ = strconv.ParseUint(id36, 36, 64)
	iv, err := h.st.Interview(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	iv.Ending, iv.State, iv.ReportBy = iv.State, bot.InterviewRunning, h.clock.Now().Add(time.Minute)
	if err := h.st.SaveInterview(ctx, iv); err != nil {
		t.Fatal(err)
	}
	h.stop()
	h.start()
	h.b.Idle()
	h.plat.None(t)
	if again := h.plat.Resent(); len(again) != 1 || again[0].Key != sent.Key {
		t.Fatalf("sent again: %+v, want the report under key %q", again, sent.Key)
	}
	if ivs, _ := h.st.RunningInterviews(ctx); len(ivs) != 0 {
		t.Fatalf("still running: %+v", ivs)
	}

	// Past the window: ended without the report.
	h.runToReport(true)
	h.stop()
	h.clock.Advance(3 * time.Minute)
	h.start()
	h.b.Idle()
	h.plat.None(t)
	if ivs, _ := h.st.RunningInterviews(ctx); len(ivs) != 0 {
		t.Fatalf("still running past the window: %+v", ivs)
	}
}

// TestInterviewOnATag: "interview kafka" keeps the technical questions on the tag where
// the bank has them, as "interview consensus" keeps them on the topic.
func TestInterviewOnATag(t *testing.T) {
	h := newIV(t)
	h.say("interview kafka")
	tagged := 0
	for i := 0; i < bot.InterviewQuestions; i++ {
		q := h.question()
		if slices.Contains(q.Question.Tags, "kafka") {
			tagged++
		} else if q.Question.Kind == "concept" {
			t.Fatalf("the concept question %s is not tagged kafka (tags %v)", q.Question.Ref(), q.Question.Tags)
		}
		h.clock.Advance(time.Minute)
		h.say("skip")
	}
	if tagged < 2 {
		t.Fatalf("%d of %d questions tagged kafka, want the concept question and at least one more", tagged, bot.InterviewQuestions)
	}
}

// TestFollowUpOnWhatWasSaid: the follow-up goes to the weakest answer that said something,
// not to a blank one, which scores lower but gives an interviewer nothing to follow.
func TestFollowUpOnWhatWasSaid(t *testing.T) {
	h := newIV(t)
	h.say("interview")
	var weak string
	for i := 0; i < bot.InterviewQuestions; i++ {
		q := h.question()
		h.clock.Advance(time.Minute)
		switch i {
		case 1:
			h.say("") // a blank answer: FAIL, 0
		case 2:
			weak = q.Question.Ref()
			h.say("I am not sure, I would probably add a cache in front of it and some retries.")
		default:
			h.say(q.Question.ModelAnswer)
		}
	}
	fu := h.question()
	if !strings.Contains(fu.Text, "follow-up") || fu.Question.Ref() == "" || !strings.HasPrefix(fu.Question.Ref(), weak) {
		t.Fatalf("the follow-up is on %s, want it on the weak answer's question %s:\n%s", fu.Question.Ref(), weak, fu.Text)
	}
}

// TestReportQuotesPrivateAnswersOnlyInDM: an interview report in a channel does not quote
// an answer given by the form; in a DM it does.
func TestReportQuotesPrivateAnswersOnlyInDM(t *testing.T) {
	attempts := func() []*bot.Attempt {
		v := func(score int, covered, flag string) *bot.Verdict {
			v := &bot.Verdict{Score: score, PrivateAnswer: true}
			if covered != "" {
				v.Covered = []bot.Point{{ID: "terms", Text: "Terms order leaders.", Quote: covered}}
			}
			if flag != "" {
				v.RedFlags = []bot.Point{{ID: "lowest-id", Text: "Claims the lowest id leads.", Quote: flag, Correction: "A majority decides."}}
			}
			return v
		}
		return []*bot.Attempt{
			{Question: "test/a", Outcome: bot.OutcomeGraded, Score: 90, Pass: true, Verdict: v(90, "each term has one leader", "")},
			{Question: "test/b", Outcome: bot.OutcomeGraded, Score: 20, Verdict: v(20, "", "the lowest id starts first")},
		}
	}
	for _, tc := range []struct {
		dm    bool
		quote bool
	}{{dm: false, quote: false}, {dm: true, quote: true}} {
		iv := &bot.Interview{Conv: bot.Conversation{Platform: "discord", ID: "c1", Thread: "t1", DM: tc.dm}}
		r := bot.NewReport(iv, attempts())
		text := r.Strongest + "\n" + r.Weakest + "\n" + r.Markdown()
		for _, q := range []string{"each term has one leader", "the lowest id starts first"} {
			if got := strings.Contains(text, q); got != tc.quote {
				t.Errorf("dm %v: report quotes %q: got %v, want %v\n%s", tc.dm, q, got, tc.quote, text)
			}
		}
		if !strings.Contains(r.Weakest, "A majority decides.") {
			t.Errorf("dm %v: got weakest %q, want the correction", tc.dm, r.Weakest)
		}
	}
}
