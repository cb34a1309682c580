package bot

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"
)

// Interview lengths.
const (
	// InterviewLength is the whole mock interview, follow-up included.
	InterviewLength = 15 * time.Minute
	// InterviewQuestions is how many questions it asks before the follow-up.
	InterviewQuestions = 4
	// followUpLimit is the time for the follow-up question.
	followUpLimit = 2 * time.Minute
	// minQuestionTime is the least time worth asking another question in.
	minQuestionTime = time.Minute
)

// Interview states.
const (
	InterviewRunning = "running"
	InterviewDone    = "done"
	InterviewStopped = "stopped"
)

// Interview is a mock interview: several questions in a row under one clock, a
// follow-up on the weakest answer, and a report at the end.
type Interview struct {
	ID       uint64       `json:"id"`
	User     User         `json:"user"`
	Conv     Conversation `json:"conv"`
	Topic    string       `json:"topic,omitempty"`
	Started  time.Time    `json:"started"`
	Deadline time.Time    `json:"deadline"`
	// Plan holds copies of the questions, so a restart or a pack change does not matter.
	Plan []*Question `json:"plan"`
	// Current is the index in Plan being asked; len(Plan) means the follow-up.
	Current  int       `json:"current"`
	FollowUp *Question `json:"follow_up,omitempty"`
	// Attempts are the attempt ids in the order they were made.
	Attempts []uint64 `json:"attempts"`
	State    string   `json:"state"`
	// ReportBy is set, with Ending, when the report is about to be sent on a platform
	// that can send it again and still post it once (Redelivering): the interview stays
	// running until the report is sent, and a restart before ReportBy sends it again;
	// later, it ends without it. Ending is the state it ends in.
	ReportBy time.Time `json:"report_by,omitzero"`
	Ending   string    `json:"ending,omitempty"`
}

// Interviews keeps mock interviews. The bbolt store implements it.
type Interviews interface {
	// SaveInterview writes iv, assigning iv.ID when it is zero. An iv.ID that is no
	// longer stored (forgotten meanwhile) is not written again: the error is ErrNotFound.
	SaveInterview(ctx context.Context, iv *Interview) error
	// Interview returns interview id, or ErrNotFound.
	Interview(ctx context.Context, id uint64) (*Interview, error)
	// RunningInterviews returns the interviews not yet finished.
	RunningInterviews(ctx context.Context) ([]*Interview, error)
}

func (b *Bot) interviews() (Interviews, bool) {
	s, ok := b.store.(Interviews)
	return s, ok
}

// runningInterview returns the person's running interview in conv, if any.
func (b *Bot) runningInterview(ctx context.Context, u User, conv Conversation) (*Interview, error) {
	store, ok := b.interviews()
	if !ok {
		return nil, nil
	}
	all, err := store.RunningInterviews(ctx)
	if err != nil {
		return nil, err
	}
	for _, iv := range all {
		if iv.User.Key() == u.Key() && iv.Conv.Platform == conv.Platform && iv.Conv.ID == conv.ID {
			return iv, nil
		}
	}
	return nil, nil
}

// StartInterview plans and starts a mock interview for u in conv, and asks the first question.
func (b *Bot) StartInterview(ctx context.Context, u User, conv Conversation, topic string) (*Interview, error) {
	store, ok := b.interviews()
	if !ok {
		return nil, errors.New("this store cannot keep interviews")
	}
	if s, open := b.OpenSession(u, conv); open && s.State == SessionOpen {
		return nil, errOpen
	}
	if iv, err := b.runningInterview(ctx, u, conv); err != nil {
		return nil, err
	} else if iv != nil {
		return nil, errInterviewRunning
	}
	plan, err := b.planInterview(ctx, u, topic)
	if err != nil {
		return nil, err
	}
	now := b.clock.Now()
	iv := &Interview{User: u, Conv: conv, Topic: topic, Started: now, Deadline: now.Add(InterviewLength), Plan: plan, State: InterviewRunning}
	if err := store.SaveInterview(ctx, iv); err != nil {
		return nil, fmt.Errorf("save interview: %w", err)
	}
	intro := fmt.Sprintf("Mock interview: %d questions and a follow-up, about %d minutes. You get no feedback until the end, as in a real interview. Say `skip` to pass on a question, `stop` to end early with a partial report.",
		len(plan), int(InterviewLength/time.Minute))
	if err := b.askInterview(ctx, iv, intro); err != nil {
		return nil, err
	}
	return iv, nil
}

var errInterviewRunning = errors.New("an interview is running")

// ContinueInterview is for a platform that keeps nothing on screen between runs (the
// terminal): it returns u's running interview in conv (nil when there is none) and, when
// its open question was asked by an earlier process, sends that question again, so the
// interview goes on with it. A question asked by this process (at Start, when the
// earlier one stopped between an answer and the next question) is on its way already.
func (b *Bot) ContinueInterview(ctx context.Context, u User, conv Conversation) (*Interview, error) {
	iv, err := b.runningInterview(ctx, u, conv)
	if err != nil || iv == nil {
		return nil, err
	}
	b.mu.Lock()
	l := b.sessions[sessionKey(u, conv)]
	var s *Session
	if l != nil && l.loaded && !l.busy && l.s.Interview == iv.ID && l.s.State == SessionOpen {
		l.loaded, s = false, l.s
	}
	b.mu.Unlock()
	if s == nil {
		return iv, nil
	}
	q, err := b.question(s)
	if err != nil {
		return nil, fmt.Errorf("continue interview %d: %w", iv.ID, err)
	}
	if err := b.postQuestion(ctx, s, q, true); err != nil {
		return nil, fmt.Errorf("continue interview %d: %w", iv.ID, err)
	}
	return iv, nil
}

// planInterview chooses the questions: one of each of concept, design, coding, and
// paper or behavioural: a tailored one not yet answered where there is one, else the
// bank's least seen at a difficulty suited to the person's record.
func (b *Bot) planInterview(ctx context.Context, u User, topic string) ([]*Question, error) {
	attempts, err := b.attemptSummaries(ctx, u.Key())
	if err != nil {
		return nil, fmt.Errorf("load attempts: %w", err)
	}
	level := levelFor(attempts)
	seen := map[string]int{}
	for _, a := range attempts {
		seen[a.Question]++
	}
	b.rngMu.Lock()
	defer b.rngMu.Unlock()
	var plan []*Question
	taken := map[string]bool{}
	on := b.topicFilter(topic)
	for _, kinds := range [][]string{{"concept"}, {"design"}, {"coding"}, {"paper", "behavioral"}} {
		var q *Question
		// A question tailored to the person comes first, whatever its difficulty.
		for _, k := range kinds {
			for _, c := range b.personalCandidates(ctx, u, Filter{Topic: on.Topic, Tag: on.Tag, Kind: k}) {
				if q == nil && !taken[c.Ref()] && seen[c.Ref()] == 0 {
					q = c
				}
			}
		}
		for _, f := range interviewFilters(on, kinds, level) {
			if q != nil {
				break
			}
			var cands []*Question
			for _, c := range b.bank.Select(f) {
				if !taken[c.Ref()] {
					cands = append(cands, c)
				}
			}
			if len(cands) == 0 {
				continue
			}
			// Unseen first, then the least seen.
			sort.SliceStable(cands, func(i, j int) bool { return seen[cands[i].Ref()] < seen[cands[j].Ref()] })
			least := seen[cands[0].Ref()]
			n := 0
			for n < len(cands) && seen[cands[n].Ref()] == least {
				n++
			}
			q = cands[b.rng.IntN(n)]
			break
		}
		if q != nil {
			taken[q.Ref()] = true
			plan = append(plan, q)
		}
	}
	if len(plan) == 0 {
		return nil, fmt.Errorf("no questions for an interview on %q", topic)
	}
	return plan, nil
}

// topicFilter reads a stored topic (an interview's, a daily or channel drill's): a topic
// of the bank, or else a tag ("kafka").
func (b *Bot) topicFilter(topic string) Filter {
	if topic == "" || contains(b.bank.Topics(), topic) {
		return Filter{Topic: topic}
	}
	if t := b.bank.Tag(topic); t != "" {
		return Filter{Tag: t}
	}
	return Filter{Topic: topic}
}

// interviewFilters are the filters to try for one slot, most specific first: on the
// interview's topic or tag (on), then on anything.
func interviewFilters(on Filter, kinds []string, level string) []Filter {
	var out []Filter
	for _, base := range []Filter{on, {}} {
		for _, lvl := range []string{level, ""} {
			for _, k := range kinds {
				f := Filter{Topic: base.Topic, Tag: base.Tag, Kind: k, Difficulty: lvl}
				if f.Kind == "behavioral" {
					f.Topic, f.Tag = "", ""
				}
				out = append(out, f)
			}
		}
		if on == (Filter{}) {
			break
		}
	}
	return out
}

// levelFor suits difficulty to the record: hard after a 70% pass rate over the last
// ten graded attempts, medium after 40%, else easy (medium with no record).
func levelFor(attempts []*Attempt) string {
	var recent []*Attempt
	for i := len(attempts) - 1; i >= 0 && len(recent) < 10; i-- {
		if attempts[i].Counted() {
			recent = append(recent, attempts[i])
		}
	}
	if len(recent) < 3 {
		return Medium
	}
	passed := 0
	for _, a := range recent {
		if a.Pass {
			passed++
		}
	}
	switch rate := float64(passed) / float64(len(recent)); {
	case rate >= 0.7:
		return Hard
	case rate >= 0.4:
		return Medium
	}
	return Easy
}

// askInterview asks the interview's current question (or its follow-up), with a time
// limit that never runs past the interview's end.
func (b *Bot) askInterview(ctx context.Context, iv *Interview, intro string) error {
	var q *Question
	kind := KindInterview
	limit := time.Duration(0)
	if iv.Current < len(iv.Plan) {
		q = iv.Plan[iv.Current]
		if intro == "" {
			intro = fmt.Sprintf("Question %d of %d.", iv.Current+1, len(iv.Plan))
		}
	} else {
		q = iv.FollowUp
		limit = followUpLimit
		intro = "One follow-up on your weakest answer:"
	}
	if limit == 0 {
		limit = q.TimeLimit
		if limit <= 0 {
			limit = b.limit
		}
	}
	if left := iv.Deadline.Sub(b.clock.Now()); limit > left {
		limit = left
	}
	_, err := b.ask(ctx, iv.User, iv.Conv, q, askOpts{replace: true, kind: kind, interview: iv.ID, limit: limit, intro: intro})
	return err
}

// interviewTimeUp records a question's time running out and moves the interview on.
// l is claimed (busy) by the caller.
func (b *Bot) interviewTimeUp(ctx context.Context, l *live, s Session) {
	a := b.attempt(&s, OutcomeTimeout, "", nil, b.clock.Now())
	if err := b.store.FinishSession(ctx, s.ID, a); err != nil {
		if forgotten(err) {
			b.log.Info("interview time-up not recorded: its person was forgotten meanwhile", "session", s.ID)
		} else {
			b.log.Error("interview time up", "session", s.ID, "err", err)
		}
		b.mu.Lock()
		l.busy = false
		b.mu.Unlock()
		return
	}
	b.recorded(a)
	b.mu.Lock()
	if b.sessions[sessionKey(s.User, s.Conv)] == l {
		delete(b.sessions, sessionKey(s.User, s.Conv))
	}
	b.mu.Unlock()
	b.send(ctx, Message{Kind: MsgInfo, Conv: s.Conv, To: s.User, Text: "⏰ Time's up for that one; moving on."})
	b.interviewAnswered(ctx, s, a)
}

// interviewAnswered records attempt a in the interview and asks what comes next:
// the next question, the follow-up, or the report.
func (b *Bot) interviewAnswered(ctx context.Context, s Session, a *Attempt) {
	if iv := b.recordInInterview(ctx, s, a); iv != nil {
		b.advanceInterview(ctx, iv)
	}
}

// recordInInterview adds attempt a to its running interview and returns it (nil if none).
func (b *Bot) recordInInterview(ctx context.Context, s Session, a *Attempt) *Interview {
	store, ok := b.interviews()
	if !ok {
		return nil
	}
	iv, err := store.Interview(ctx, s.Interview)
	if err != nil {
		b.log.Error("load interview", "interview", s.Interview, "err", err)
		return nil
	}
	if iv.State != InterviewRunning {
		return nil
	}
	iv.Attempts = append(iv.Attempts, a.ID)
	iv.Current++
	return iv
}

// advanceInterview asks the next question or finishes, and saves the interview.
func (b *Bot) advanceInterview(ctx context.Context, iv *Interview) {
	store, _ := b.interviews()
	left := iv.Deadline.Sub(b.clock.Now())
	switch {
	case iv.Current < len(iv.Plan) && left >= minQuestionTime:
	case iv.Current == len(iv.Plan) && left >= minQuestionTime:
		iv.FollowUp = b.weakestFollowUp(ctx, iv)
		if iv.FollowUp == nil {
			b.finishInterview(ctx, iv, InterviewDone)
			return
		}
	default:
		b.finishInterview(ctx, iv, InterviewDone)
		return
	}
	if err := store.SaveInterview(ctx, iv); forgotten(err) {
		return // its person was forgotten meanwhile: no next question
	} else if err != nil {
		b.log.Error("save interview", "interview", iv.ID, "err", err)
	}
	if err := b.askInterview(ctx, iv, ""); err != nil {
		b.log.Error("ask interview question", "interview", iv.ID, "err", err)
		b.finishInterview(ctx, iv, InterviewStopped)
	}
}

// weakestFollowUp builds the follow-up to the lowest-scoring graded answer that said
// something: an interviewer follows up on what you said, not on a blank.
func (b *Bot) weakestFollowUp(ctx context.Context, iv *Interview) *Question {
	attempts, err := b.interviewAttempts(ctx, iv)
	if err != nil {
		return nil
	}
	var weakest *Attempt
	for _, a := range attempts {
		if a.Verdict != nil && strings.TrimSpace(a.Answer) != "" && (weakest == nil || a.Score < weakest.Score) {
			weakest = a
		}
	}
	if weakest == nil {
		return nil
	}
	for _, q := range iv.Plan {
		if q.Ref() == weakest.Question {
			return FollowUpQuestion(q, weakest.Verdict)
		}
	}
	return nil
}

func (b *Bot) interviewAttempts(ctx context.Context, iv *Interview) ([]*Attempt, error) {
	all, err := b.store.Attempts(ctx, iv.User.Key())
	if err != nil {
		return nil, err
	}
	byID := map[uint64]*Attempt{}
	for _, a := range all {
		byID[a.ID] = a
	}
	var out []*Attempt
	for _, id := range iv.Attempts {
		if a, ok := byID[id]; ok {
			out = append(out, a)
		}
	}
	return out, nil
}

// finishInterview ends the interview in state and sends the report. Where the platform
// can send the report again without posting it twice, the interview ends only once the
// report is sent (ReportBy), so a kill in between does not lose it; elsewhere it ends
// first and the report is sent at most once.
func (b *Bot) finishInterview(ctx context.Context, iv *Interview, state string) {
	store, _ := b.interviews()
	// save reports false when the interview's person was forgotten meanwhile: then
	// there is nothing to report, to them or to the store.
	save := func(iv *Interview) bool {
		err := store.SaveInterview(ctx, iv)
		if err != nil && !forgotten(err) {
			b.log.Error("save interview", "interview", iv.ID, "err", err)
		}
		return !forgotten(err)
	}
	iv.State = state
	attempts, err := b.interviewAttempts(ctx, iv)
	if err != nil {
		if !save(iv) {
			return
		}
		b.log.Error("load interview attempts", "interview", iv.ID, "err", err)
		b.send(ctx, Message{Kind: MsgError, Conv: iv.Conv, To: iv.User, Text: "Sorry, I couldn't put your report together. Your answers are saved; `stats` shows them."})
		return
	}
	rep := NewReport(iv, attempts)
	msg := Message{Kind: MsgReport, Conv: iv.Conv, To: iv.User, Title: rep.Title(), Text: rep.Markdown(), Report: rep,
		Actions: []Button{{ActionAnother, "Practice a question"}}, Key: messageKey("r", iv.ID, iv.Started), Again: !iv.ReportBy.IsZero()}
	if !msg.Again {
		if by := b.resendBy(ctx, msg, b.clock.Now()); !by.IsZero() {
			pending := *iv
			pending.State, pending.ReportBy, pending.Ending = InterviewRunning, by, state
			if !save(&pending) {
				return
			}
			iv.ReportBy, iv.Ending = by, state
		}
	}
	if iv.ReportBy.IsZero() {
		if save(iv) {
			b.send(ctx, msg)
		}
		return
	}
	if _, err := b.send(ctx, msg); err != nil {
		return // still running: the next start sends it again, within the window
	}
	if msg.Again {
		b.meter.Resent(ResentReport, ResentSent)
		b.log.Warn("interview report sent again after a restart: its first send was cut off", "interview", iv.ID)
	}
	save(iv)
}

// endPendingReport handles, at start, a running interview whose report was being sent
// when Quorum stopped: sent again within its window, else ended without it.
func (b *Bot) endPendingReport(ctx context.Context, iv *Interview) {
	if b.clock.Now().Before(iv.ReportBy) {
		b.finishInterview(ctx, iv, iv.Ending)
		return
	}
	b.log.Warn("an interview report may not have been sent before a stop; too late to send it again safely", "interview", iv.ID)
	b.meter.Resent(ResentReport, ResentDropped)
	iv.State = iv.Ending
	store, _ := b.interviews()
	if err := store.SaveInterview(ctx, iv); err != nil {
		b.log.Error("save interview", "interview", iv.ID, "err", err)
	}
}

// resumeInterviews, at start, moves on any running interview that has no open
// question (the process stopped between an answer and the next question).
func (b *Bot) resumeInterviews(ctx context.Context) {
	store, ok := b.interviews()
	if !ok {
		return
	}
	all, err := store.RunningInterviews(ctx)
	if err != nil {
		b.log.Error("load interviews", "err", err)
		return
	}
	for _, iv := range all {
		b.mu.Lock()
		_, platform := b.platforms[iv.Conv.Platform]
		_, open := b.sessions[sessionKey(iv.User, iv.Conv)]
		b.mu.Unlock()
		if platform && !iv.ReportBy.IsZero() {
			b.endPendingReport(ctx, iv)
			continue
		}
		if !platform || open {
			continue
		}
		// The next question was never asked: count the answers that were recorded.
		attempts, _ := b.store.Attempts(ctx, iv.User.Key())
		recorded := map[uint64]bool{}
		for _, id := range iv.Attempts {
			recorded[id] = true
		}
		for _, a := range attempts {
			if a.Interview == iv.ID && !recorded[a.ID] {
				iv.Attempts = append(iv.Attempts, a.ID)
				iv.Current++
			}
		}
		b.advanceInterview(ctx, iv)
	}
}

func (b *Bot) interviewCommand(ctx context.Context, ev Event, args []string) {
	topic := ""
	if len(args) > 0 {
		f, err := b.ParseFilter(args)
		if err != nil {
			b.reply(ctx, ev, MsgInfo, "", err.Error()+".")
			return
		}
		topic = f.Topic + f.Tag // at most one of them is set
	}
	_, err := b.StartInterview(ctx, ev.User, ev.Conv, topic)
	switch {
	case err == nil:
	case errors.Is(err, errOpen):
		b.reply(ctx, ev, MsgInfo, "", "You have an open question here. Answer it or say `skip`, then start the interview.")
	case errors.Is(err, errInterviewRunning):
		b.reply(ctx, ev, MsgInfo, "", "Your interview is already running: answer the question, or say `stop` to end it with a report.")
	default:
		b.log.Error("start interview", "user", ev.User.Key(), "err", err)
		b.reply(ctx, ev, MsgError, "", "Sorry, I couldn't start the interview (a problem on my side). Please try again in a moment.")
	}
}

// Report is the end of a mock interview.
type Report struct {
	// Interview is the id of the interview reported on.
	Interview uint64 `json:"interview,omitempty"`
	Pass      bool
	Score     int // average over the main questions
	Stopped   bool
	Rows      []ReportRow
	Scores    Scores // averages over graded answers
	// Strongest and Weakest quote the answers.
	Strongest, Weakest string
	Practise           []string // three things to practise next
	Revisit            []string // questions to come back to (pack/id)
	Reasons            []string // why it is a FAIL
	Minutes            int
}

// ReportRow is one question of the report.
type ReportRow struct {
	Question, Kind, Outcome string
	Pass                    bool
	Score                   int
	FollowUp                bool
}

// InterviewPassScore is the average content score the main questions need.
const InterviewPassScore = 60

// NewReport computes a report from an interview's attempts. The rule: PASS when the
// main questions average at least 60 on content, at most one of them failed (a skip or
// timeout is a failure), and no answer stated a misconception.
func NewReport(iv *Interview, attempts []*Attempt) *Report {
	r := &Report{Interview: iv.ID, Stopped: iv.State == InterviewStopped}
	var graded []*Attempt
	main := 0
	contentSum, scoreSum, fails, flags := 0, 0, 0, 0
	var sums [4]int
	kinds := map[string]string{}
	for _, q := range iv.Plan {
		kinds[q.Ref()] = q.Kind
	}
	for i, a := range attempts {
		// The attempts come in order: the planned questions, then the follow-up.
		row := ReportRow{Question: a.Question, Kind: kinds[a.Question], Outcome: a.Outcome, Pass: a.Pass, Score: a.Score, FollowUp: i >= len(iv.Plan)}
		r.Rows = append(r.Rows, row)
		if !row.FollowUp {
			main++
			scoreSum += a.Score
			if !a.Pass {
				fails++
			}
			if a.Verdict != nil {
				contentSum += a.Verdict.Scores.Content
			}
		}
		if a.Verdict != nil {
			graded = append(graded, a)
			v := a.Verdict.Scores
			sums[0] += v.Content
			sums[1] += v.Clarity
			sums[2] += v.Confidence
			sums[3] += v.Delivery
			flags += len(a.Verdict.RedFlags)
		}
		if !a.Pass {
			r.Revisit = appendOnce(r.Revisit, a.Question)
		}
	}
	// Questions never reached count as failed.
	unasked := len(iv.Plan) - main
	if unasked > 0 {
		fails += unasked
		for _, q := range iv.Plan[main:] {
			r.Rows = append(r.Rows, ReportRow{Question: q.Ref(), Kind: q.Kind, Outcome: "not reached"})
		}
	}
	planned := max(len(iv.Plan), 1)
	r.Score = scoreSum / planned
	content := contentSum / planned
	if n := len(graded); n > 0 {
		r.Scores = Scores{sums[0] / n, sums[1] / n, sums[2] / n, sums[3] / n}
	}
	if content < InterviewPassScore {
		r.Reasons = append(r.Reasons, fmt.Sprintf("the main questions average %d on content; the bar is %d", content, InterviewPassScore))
	}
	if fails > 1 {
		r.Reasons = append(r.Reasons, fmt.Sprintf("%d of the %d main questions were not passed; the bar allows one", fails, len(iv.Plan)))
	}
	if flags > 0 {
		r.Reasons = append(r.Reasons, fmt.Sprintf("%s stated", countNoun(flags, "misconception")))
	}
	r.Pass = len(r.Reasons) == 0
	if !r.Pass && r.Score >= InterviewPassScore {
		r.Score = InterviewPassScore - 1
	}

	// Strongest and weakest moments, in the person's own words.
	sort.SliceStable(graded, func(i, j int) bool { return graded[i].Score > graded[j].Score })
	// An answer given privately is not quoted where others can read the report.
	hidden := func(a *Attempt) bool { return a.Verdict.PrivateAnswer && !iv.Conv.DM }
	if len(graded) > 0 {
		best := graded[0]
		for _, p := range best.Verdict.Covered {
			if p.Quote != "" && !hidden(best) {
				r.Strongest = fmt.Sprintf("On %s you said \"%s\", which makes the point: %s", idOf(best.Question), p.Quote, p.Text)
				break
			}
		}
		worst := graded[len(graded)-1]
		switch {
		case len(worst.Verdict.RedFlags) > 0 && hidden(worst):
			f := worst.Verdict.RedFlags[0]
			r.Weakest = fmt.Sprintf("On %s: %s In fact: %s", idOf(worst.Question), f.Text, f.Correction)
		case len(worst.Verdict.RedFlags) > 0:
			f := worst.Verdict.RedFlags[0]
			r.Weakest = fmt.Sprintf("On %s you said \"%s\"; in fact: %s", idOf(worst.Question), f.Quote, f.Correction)
		case len(worst.Verdict.Missed) > 0:
			r.Weakest = fmt.Sprintf("On %s you did not say: %s", idOf(worst.Question), worst.Verdict.Missed[0].Text)
		}
	}
	// Three things to practise: the weightiest misses across answers, then delivery.
	for _, a := range graded {
		for _, m := range a.Verdict.Missed {
			if len(r.Practise) < 3 {
				r.Practise = appendOnce(r.Practise, m.Text)
			}
		}
	}
	for _, a := range attempts {
		if len(r.Practise) < 3 && a.Outcome == OutcomeTimeout {
			r.Practise = appendOnce(r.Practise, "Answer within the time: lead with the mechanism, then the details.")
		}
	}
	if len(r.Practise) < 3 && r.Scores.Delivery > 0 && r.Scores.Delivery < 70 {
		r.Practise = appendOnce(r.Practise, "Work on delivery: fewer fillers, and a length that fits the time.")
	}
	if len(r.Practise) < 3 && r.Scores.Clarity > 0 && r.Scores.Clarity < 70 {
		r.Practise = appendOnce(r.Practise, "Structure each answer: first the idea, then the mechanism, then the trade-off.")
	}
	if len(attempts) > 0 {
		r.Minutes = int(attempts[len(attempts)-1].Answered.Sub(iv.Started).Round(time.Minute) / time.Minute)
	}
	return r
}

func appendOnce(list []string, s string) []string {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}

func idOf(ref string) string {
	if i := strings.LastIndexByte(ref, '/'); i >= 0 {
		return ref[i+1:]
	}
	return ref
}

// Title is the report's first line: "Interview: PASS · 72/100".
func (r *Report) Title() string {
	w := "FAIL"
	if r.Pass {
		w = "PASS"
	}
	return fmt.Sprintf("Interview: %s · %d/100", w, r.Score)
}

// Markdown renders the report; the terminal writes it to a file with --out.
func (r *Report) Markdown() string {
	var b strings.Builder
	fmt.Fprintf(&b, "# %s\n\n", r.Title())
	if r.Stopped {
		b.WriteString("Stopped early: this is a partial report.\n\n")
	}
	if len(r.Reasons) > 0 {
		fmt.Fprintf(&b, "Below the bar: %s.\n\n", strings.Join(r.Reasons, "; "))
	} else {
		b.WriteString("Above the bar: content averages 60 or more, at most one question missed, no misconceptions.\n\n")
	}
	b.WriteString("| # | Question | Kind | Result | Score |\n|---|---|---|---|---|\n")
	for i, row := range r.Rows {
		result := row.Outcome
		switch row.Outcome {
		case OutcomeGraded:
			result = map[bool]string{true: "PASS", false: "FAIL"}[row.Pass]
		case OutcomeTimeout:
			result = "FAIL (time)"
		case OutcomeSkipped:
			result = "skipped"
		}
		name := idOf(row.Question)
		if row.FollowUp {
			name += " (follow-up)"
		}
		fmt.Fprintf(&b, "| %d | %s | %s | %s | %d |\n", i+1, name, row.Kind, result, row.Score)
	}
	fmt.Fprintf(&b, "\nContent %d · Clarity %d · Confidence %d · Delivery %d (averages of graded answers)\n",
		r.Scores.Content, r.Scores.Clarity, r.Scores.Confidence, r.Scores.Delivery)
	if r.Strongest != "" {
		fmt.Fprintf(&b, "\nStrongest moment: %s\n", r.Strongest)
	}
	if r.Weakest != "" {
		fmt.Fprintf(&b, "\nWeakest moment: %s\n", r.Weakest)
	}
	if len(r.Practise) > 0 {
		b.WriteString("\nPractise next:\n")
		for i, p := range r.Practise {
			fmt.Fprintf(&b, "%d. %s\n", i+1, p)
		}
	}
	if len(r.Revisit) > 0 {
		fmt.Fprintf(&b, "\nRevisit: %s\n", strings.Join(r.Revisit, ", "))
	}
	return strings.TrimRight(b.String(), "\n")
}
