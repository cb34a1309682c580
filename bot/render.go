package bot

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// questionMessage is the message that puts q to the person.
func questionMessage(s *Session, q *Question) Message {
	limit := s.Deadline.Sub(s.Asked)
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n\n", strings.TrimSpace(q.Prompt))
	fmt.Fprintf(&b, "Topic: %s · %s · %s · you have %s", q.Topic, q.Difficulty, q.Kind, humanDuration(limit))
	return Message{
		Kind:     MsgQuestion,
		Conv:     s.Conv,
		To:       s.User,
		Title:    fmt.Sprintf("Question: %s", q.ID),
		Text:     b.String(),
		Question: q,
		Deadline: s.Deadline,
		Session:  s.ID,
		Actions:  []Button{{ActionSkip, "Skip"}},
		Key:      questionKey(s),
	}
}

// questionKey is the Message.Key of session s's question. A daily run's question is
// named by its run (drill id and run key), not by its session: every send of it, a try
// again or a make-up at the next start, goes under one key, so a platform that posts a
// keyed message once (Redelivering) posts it once.
func questionKey(s *Session) string {
	if s.Run != nil {
		return "day" + strconv.FormatUint(s.Run.Schedule, 36) + "-" + s.Run.Key
	}
	return messageKey("q", s.ID, s.Asked)
}

// messageKey is the Message.Key of record id (a session's question, "q"; an attempt's
// verdict, "v") made at, or "" before the record is stored. The time tells apart two
// records with one id, as a store restored from a backup hands out ids again.
func messageKey(kind string, id uint64, at time.Time) string {
	if id == 0 {
		return ""
	}
	return kind + strconv.FormatUint(id, 36) + "." + strconv.FormatInt(at.UnixMilli(), 36)
}

// verdictMessage renders a verdict; the title (and the text's first line) starts with PASS or FAIL.
// A verdict on an answer given privately quotes it only in a DM: elsewhere others see it.
func verdictMessage(s Session, q *Question, v *Verdict) Message {
	if v.PrivateAnswer && !s.Conv.DM {
		v = v.Unquoted()
	}
	return Message{
		Kind:     MsgVerdict,
		Conv:     s.Conv,
		To:       s.User,
		Title:    v.Title(),
		Text:     VerdictText(v),
		Question: q,
		Verdict:  v,
		Session:  s.ID,
		Fields: []Field{
			{"Content", fmt.Sprint(v.Scores.Content)},
			{"Clarity", fmt.Sprint(v.Scores.Clarity)},
			{"Confidence", fmt.Sprint(v.Scores.Confidence)},
			{"Delivery", fmt.Sprint(v.Scores.Delivery)},
		},
		Actions: []Button{{ActionModel, "Model answer"}, {ActionFollowUp, "Follow-up"}, {ActionAnother, "Try another"}},
	}
}

// CommonMistakesTitle heads a PASS's list of the question's misconceptions (Feedback.CommonMistakes).
const CommonMistakesTitle = "Common mistakes to check (the offline grader can miss one said in other words)"

// VerdictText renders a verdict as plain text, title first.
func VerdictText(v *Verdict) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n", v.Title())
	if v.Note != "" {
		fmt.Fprintf(&b, "%s\n", v.Note)
	}
	fmt.Fprintf(&b, "Content %d · Clarity %d · Confidence %d · Delivery %d (graded by %s)\n",
		v.Scores.Content, v.Scores.Clarity, v.Scores.Confidence, v.Scores.Delivery, v.Grader)
	if v.Feedback.Summary != "" {
		fmt.Fprintf(&b, "\n%s\n", v.Feedback.Summary)
	}
	if len(v.Covered) > 0 {
		b.WriteString("\nCovered:\n")
		for _, p := range v.Covered {
			fmt.Fprintf(&b, "  ✓ %s\n", p.Text)
		}
	}
	if len(v.Missed) > 0 {
		b.WriteString("\nMissed:\n")
		for _, p := range v.Missed {
			fmt.Fprintf(&b, "  ✗ %s\n", p.Text)
		}
	}
	if len(v.RedFlags) > 0 {
		b.WriteString("\nRed flags:\n")
		for _, p := range v.RedFlags {
			fmt.Fprintf(&b, "  ⚠ %s", p.Text)
			if p.Quote != "" {
				// As typed, on one line: %q would show a quote mark or a tab as \" or \t.
				fmt.Fprintf(&b, " (you said: “%s”)", strings.Join(strings.Fields(p.Quote), " "))
			}
			b.WriteString("\n")
			if p.Correction != "" {
				fmt.Fprintf(&b, "    In fact: %s\n", p.Correction)
			}
		}
	}
	if len(v.Feedback.CommonMistakes) > 0 {
		fmt.Fprintf(&b, "\n%s:\n", CommonMistakesTitle)
		for _, p := range v.Feedback.CommonMistakes {
			fmt.Fprintf(&b, "  ? %s\n", p.Text)
			if p.Correction != "" {
				fmt.Fprintf(&b, "    In fact: %s\n", p.Correction)
			}
		}
	}
	if len(v.Feedback.Strengths) > 0 {
		b.WriteString("\nStrengths:\n")
		for _, x := range v.Feedback.Strengths {
			fmt.Fprintf(&b, "  + %s\n", x)
		}
	}
	if len(v.Feedback.Improvements) > 0 {
		b.WriteString("\nTo improve:\n")
		for _, x := range v.Feedback.Improvements {
			fmt.Fprintf(&b, "  - %s\n", x)
		}
	}
	b.WriteString("\n")
	for _, line := range [][2]string{
		{"Content", v.Feedback.Content},
		{"Clarity", v.Feedback.Clarity},
		{"Confidence", v.Feedback.Confidence},
		{"Delivery", v.Feedback.Delivery},
		{"Next step", v.Feedback.NextStep},
		{"Follow-up to think about", v.Feedback.FollowUp},
	} {
		if line[1] != "" {
			fmt.Fprintf(&b, "%s: %s\n", line[0], line[1])
		}
	}
	return strings.TrimRight(b.String(), "\n")
}

func modelMessage(ev Event, q *Question) Message {
	text := fmt.Sprintf("%s\n\nModel answer:\n%s", FirstParagraph(q.Prompt), q.ModelAnswer)
	if len(q.References) > 0 {
		text += "\n\nRead more: " + strings.Join(q.References, "; ")
	}
	return Message{Kind: MsgInfo, Conv: ev.Conv, To: ev.User, Title: "Model answer: " + q.ID, Text: text, Question: q,
		Actions: []Button{{ActionAnother, "Try another"}}}
}

// TopicStats is one row of a person's stats.
type TopicStats struct {
	Topic    string
	Attempts int
	Passed   int
	Skipped  int
	AvgScore float64
}

// PassRate is the share of attempts passed, 0-100.
func (t TopicStats) PassRate() int {
	if t.Attempts == 0 {
		return 0
	}
	return (t.Passed*100 + t.Attempts/2) / t.Attempts
}

// Stats summarises attempts: the total first, then one row per topic by name.
func Stats(attempts []*Attempt) (TopicStats, []TopicStats) {
	total := TopicStats{Topic: "all"}
	by := map[string]*TopicStats{}
	for _, a := range attempts {
		t := by[a.Topic]
		if t == nil {
			t = &TopicStats{Topic: a.Topic}
			by[a.Topic] = t
		}
		for _, row := range []*TopicStats{&total, t} {
			if !a.Counted() {
				row.Skipped++
				continue
			}
			row.AvgScore = (row.AvgScore*float64(row.Attempts) + float64(a.Score)) / float64(row.Attempts+1)
			row.Attempts++
			if a.Pass {
				row.Passed++
			}
		}
	}
	rows := make([]TopicStats, 0, len(by))
	for _, t := range by {
		rows = append(rows, *t)
	}
	sort.Slice(rows, func(i, j int) bool { return rows[i].Topic < rows[j].Topic })
	return total, rows
}

func outcomeWord(a *Attempt) string {
	switch a.Outcome {
	case OutcomeSkipped:
		return "skipped"
	case OutcomeTimeout:
		return "timed out"
	}
	w := "FAIL"
	if a.Pass {
		w = "PASS"
	}
	return fmt.Sprintf("%s %d/100", w, a.Score)
}

func humanDuration(d time.Duration) string {
	d = d.Round(time.Second)
	m, s := int(d/time.Minute), int(d%time.Minute/time.Second)
	switch {
	case m == 0:
		return fmt.Sprintf("%d seconds", s)
	case s == 0 && m == 1:
		return "1 minute"
	case s == 0:
		return fmt.Sprintf("%d minutes", m)
	}
	return fmt.Sprintf("%dm%02ds", m, s)
}

// Streak counts the days in a row, in loc, with at least one answered attempt: the
// current run (ending today, or yesterday when today has none yet) and the best.
func Streak(attempts []*Attempt, loc *time.Location, now time.Time) (current, best int) {
	days := map[string]bool{}
	for _, a := range attempts {
		if a.Counted() && a.Outcome != OutcomeTimeout {
			days[a.Answered.In(loc).Format("2006-01-02")] = true
		}
	}
	if len(days) == 0 {
		return 0, 0
	}
	dayOf := func(t time.Time) time.Time { y, m, d := t.In(loc).Date(); return time.Date(y, m, d, 12, 0, 0, 0, loc) }
	var first time.Time
	for k := range days {
		t, _ := time.ParseInLocation("2006-01-02", k, loc)
		if first.IsZero() || t.Before(first) {
			first = t
		}
	}
	run := 0
	for d := dayOf(first); !d.After(dayOf(now)); d = d.AddDate(0, 0, 1) {
		if days[d.Format("2006-01-02")] {
			run++
			best = max(best, run)
		} else {
			run = 0
		}
	}
	today := dayOf(now)
	switch {
	case days[today.Format("2006-01-02")]:
		current = run
	case days[today.AddDate(0, 0, -1).Format("2006-01-02")]:
		// Today is not over: yesterday's run still stands.
		current = 0
		for d := today.AddDate(0, 0, -1); days[d.Format("2006-01-02")]; d = d.AddDate(0, 0, -1) {
			current++
		}
	}
	return current, best
}

// Count is "1 attempt" or "3 attempts": n with the noun's singular or plural form.
func Count(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// countNoun is Count for a noun whose plural adds an s: "1 question" or "3 questions".
func countNoun(n int, noun string) string { return Count(n, noun, noun+"s") }

// Shorten cuts s to at most n runes, at a word boundary when one stands in the second
// half (a word that ends at the cut is kept), marking the cut with "…" (which counts
// toward n).
func Shorten(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	if n <= 1 {
		return ""
	}
	cut := string(r[:n-1])
	if i := strings.LastIndexFunc(cut, unicode.IsSpace); !unicode.IsSpace(r[n-1]) && i > len(cut)/2 {
		cut = cut[:i]
	}
	return strings.TrimRightFunc(cut, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsPunct(r) }) + "…"
}
