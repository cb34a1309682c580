package bot

import (
	"context"
	"strings"
)

// followUp asks the follow-up to the person's last graded answer: the LLM grader's
// follow-up when there is one, else the pack's follow-up closest to what was missed.
// It is graded against the key points the last answer missed (all of them when it
// missed none), with the normal time limit.
func (b *Bot) followUp(ctx context.Context, ev Event) {
	last, ok := b.lastAttempt(ctx, ev, "then ask for the follow-up", func(a *Attempt) bool { return a.Verdict != nil })
	if !ok {
		return
	}
	if last == nil {
		b.reply(ctx, ev, MsgInfo, "", "Answer a question first; then I'll ask the follow-up an interviewer would. Say `practice`.")
		return
	}
	if b.drillOpen(last) {
		// Its verdict would list the key points missed: the model answer, early.
		b.reply(ctx, ev, MsgInfo, "", "Your last answer was to a drill that is still open: its follow-up waits until the drill closes, like its model answer.")
		return
	}
	q, err := b.bank.Lookup(last.Question)
	if err != nil {
		b.reply(ctx, ev, MsgInfo, "", "I can't find your last question any more. Say `practice` for a new one.")
		return
	}
	fq := FollowUpQuestion(q, last.Verdict)
	if fq == nil {
		b.reply(ctx, ev, MsgInfo, "", "That question has no follow-up. Say `practice` for another.")
		return
	}
	b.askFollowUp(ctx, ev, fq)
}

func (b *Bot) askFollowUp(ctx context.Context, ev Event, fq *Question) {
	_, err := b.ask(ctx, ev.User, ev.Conv, fq, askOpts{kind: KindFollowUp})
	if err != nil {
		b.log.Error("ask follow-up", "user", ev.User.Key(), "question", fq.Ref(), "err", err)
		b.reply(ctx, ev, MsgError, "", "Sorry, I couldn't start the follow-up (a problem on my side). Please try again in a moment.")
	}
}

// FollowUpQuestion builds the follow-up to an answer of q that got verdict v, or nil when
// there is none to ask. Its rubric is the key points v missed that the follow-up is about
// (by shared words), else all the missed ones, else all of q's.
func FollowUpQuestion(q *Question, v *Verdict) *Question {
	missed := map[string]bool{}
	for _, m := range v.Missed {
		missed[m.ID] = true
	}
	var missedPoints []KeyPoint
	for _, k := range q.KeyPoints {
		if missed[k.ID] {
			missedPoints = append(missedPoints, k)
		}
	}
	text := strings.TrimSpace(v.Feedback.FollowUp)
	if v.Grader != GraderLLM || text == "" {
		text = closestFollowUp(q.FollowUps, missedPoints)
	}
	if text == "" {
		return nil
	}
	points := missedPoints
	if about := pointsAbout(text, missedPoints); len(about) > 0 {
		points = about
	}
	if len(points) == 0 {
		points = q.KeyPoints
	}
	fq := *q
	fq.Prompt = text
	fq.KeyPoints = points
	fq.FollowUps = nil
	fq.TimeLimit = 0
	return &fq
}

// closestFollowUp picks the follow-up sharing the most words with the missed points.
func closestFollowUp(followUps []string, missed []KeyPoint) string {
	best, bestScore := "", -1
	for _, f := range followUps {
		score := 0
		for _, k := range missed {
			score += overlap(f, k.Text+" "+strings.Join(k.Evidence, " "))
		}
		if score > bestScore {
			best, bestScore = f, score
		}
	}
	return best
}

// pointsAbout returns the points that share a content word with text.
func pointsAbout(text string, points []KeyPoint) []KeyPoint {
	var out []KeyPoint
	for _, k := range points {
		if overlap(text, k.Text+" "+strings.Join(k.Evidence, " ")) > 0 {
			out = append(out, k)
		}
	}
	return out
}

// overlap counts the words of four or more letters that a and b share.
func overlap(a, b string) int {
	words := func(s string) map[string]bool {
		m := map[string]bool{}
		for _, w := range strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9') }) {
			if len(w) >= 4 {
				m[strings.TrimSuffix(w, "s")] = true
			}
		}
		return m
	}
	wa, wb := words(a), words(b)
	n := 0
	for w := range wa {
		if wb[w] {
			n++
		}
	}
	return n
}
