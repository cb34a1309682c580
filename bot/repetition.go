package bot

import (
	"context"
	"math/rand/v2"
	"time"
)

// Spaced repetition, after SM-2 (Wozniak 1990): every question's state is derived from
// the person's attempts, which are the log, so nothing new is stored and a forgotten
// person leaves no schedule behind.

// Intervals and ease of the review schedule.
const (
	// LapseInterval is how soon a failed question comes back.
	LapseInterval = 24 * time.Hour
	// RelearnInterval follows the first pass after a failure; each later pass in a row
	// multiplies the interval by the question's ease.
	RelearnInterval = 6 * 24 * time.Hour
	// MasteredInterval ends the reviews: a failed question whose interval has grown to it
	// is treated like any question seen before. Three weeks is when Anki calls a card mature.
	MasteredInterval = 21 * 24 * time.Hour
	// ReviewLeeway is how early a review counts as due. A daily drill at 09:00 asks
	// yesterday's failure although it was answered at 09:02, and still does on the
	// morning the clocks spring forward, when the same hour comes 23 hours later.
	ReviewLeeway = 2 * time.Hour
	// InitialEase is a question's ease factor before any answer; MinEase is its floor,
	// both as in SM-2.
	InitialEase = 2.5
	MinEase     = 1.3
)

// topicWindow is how many recent counted attempts per topic measure its weakness:
// the weighting follows the person as they improve instead of their first week.
const topicWindow = 20

// topicPrior is how many attempts' worth of the person's overall mean a topic's mean
// starts from, so one bad answer does not make a topic look hopeless.
const topicPrior = 2

// Quality maps an attempt to SM-2's answer quality, 0 (no answer) to 5 (perfect).
// ok is false for a skip: it says "not now", not "I don't know", so it changes nothing.
// A timeout is a 0; a late answer is a fail whatever its content, at most 2.
func Quality(a *Attempt) (q int, ok bool) {
	switch a.Outcome {
	case OutcomeSkipped:
		return 0, false
	case OutcomeTimeout:
		return 0, true
	}
	if a.Pass {
		switch {
		case a.Score >= 85:
			return 5, true
		case a.Score >= 70:
			return 4, true
		}
		return 3, true
	}
	switch {
	case a.Score >= 50:
		return 2, true
	case a.Score >= 25:
		return 1, true
	}
	return 0, true
}

// Review is one question's spaced-repetition state for one person.
type Review struct {
	Question string
	// Seen counts the attempts, skips included; LastSeen is when the latest ended.
	Seen     int
	LastSeen time.Time
	// Lapses counts failures; Reps counts passes since the last one.
	Lapses, Reps int
	Ease         float64
	// Interval is the wait after the latest counted attempt; Due is when it ends.
	Interval time.Duration
	Due      time.Time
}

// Reviewing reports whether the question is in the review queue: failed at least once
// and not yet passed often enough for its interval to reach MasteredInterval.
func (r *Review) Reviewing() bool { return r.Lapses > 0 && r.Interval < MasteredInterval }

// record applies one attempt of quality q that ended at; ok false (a skip, a follow-up)
// only marks the question seen.
func (r *Review) record(q int, ok bool, at time.Time) {
	r.Seen++
	r.LastSeen = at
	if !ok {
		return
	}
	if q < 3 {
		r.Lapses++
		r.Reps = 0
		r.Interval = LapseInterval
	} else {
		r.Reps++
		if r.Reps == 1 {
			r.Interval = RelearnInterval
		} else {
			r.Interval = time.Duration(float64(r.Interval) * r.Ease)
		}
	}
	d := float64(5 - q)
	r.Ease += 0.1 - d*(0.08+d*0.02)
	if r.Ease < MinEase {
		r.Ease = MinEase
	}
	r.Due = at.Add(r.Interval)
}

// History is what picking needs to know of one person's attempts.
type History struct {
	reviews map[string]*Review
	topics  map[string]*topicRecord
	overall float64
	last    string
}

// topicRecord is the recent scores in one topic.
type topicRecord struct{ n, sum int }

// NewHistory derives the review states and topic weights from attempts, oldest first
// (as Store.Attempts returns them).
//
// A follow-up carries its question's id but asks only about what the answer missed,
// so it moves no schedule: passing it a minute after failing the question must not
// put off the question's review by days. In an interview the follow-up is the second
// attempt of a question in that interview.
func NewHistory(attempts []*Attempt) *History {
	h := &History{reviews: map[string]*Review{}, topics: map[string]*topicRecord{}}
	type inInterview struct {
		id  uint64
		ref string
	}
	interviewed := map[inInterview]bool{}
	for _, a := range attempts {
		r := h.reviews[a.Question]
		if r == nil {
			r = &Review{Question: a.Question, Ease: InitialEase}
			h.reviews[a.Question] = r
		}
		q, ok := Quality(a)
		if a.Kind == KindFollowUp {
			ok = false
		}
		if a.Interview != 0 {
			k := inInterview{a.Interview, a.Question}
			ok = ok && !interviewed[k]
			interviewed[k] = true
		}
		r.record(q, ok, a.Answered)
		h.last = a.Question
	}
	n, sum := 0, 0
	for i := len(attempts) - 1; i >= 0; i-- {
		a := attempts[i]
		if !a.Counted() || a.Topic == "" {
			continue
		}
		t := h.topics[a.Topic]
		if t == nil {
			t = &topicRecord{}
			h.topics[a.Topic] = t
		}
		if t.n < topicWindow {
			t.n++
			t.sum += a.Score
			n++
			sum += a.Score
		}
	}
	h.overall = 50
	if n > 0 {
		h.overall = float64(sum) / float64(n)
	}
	return h
}

// Last is the question of the latest attempt, "" with none.
func (h *History) Last() string { return h.last }

// Review returns the state of question ref (pack/id); ok is false when it was never asked.
func (h *History) Review(ref string) (r Review, ok bool) {
	p := h.reviews[ref]
	if p == nil {
		return Review{}, false
	}
	return *p, true
}

// TopicWeight is how strongly new questions of topic lean to be picked: 110 minus the
// topic's mean score over its last 20 counted attempts (a timeout scores 0), that mean
// starting from the person's overall mean. A topic never tried counts as average for
// the person: weighting it as weak would crowd out the topics they are known to struggle
// with, and new questions are all that topic has anyway. The 10 keeps mastered topics in play.
func (h *History) TopicWeight(topic string) float64 {
	mean := h.overall
	if t := h.topics[topic]; t != nil {
		mean = (float64(t.sum) + topicPrior*h.overall) / float64(t.n+topicPrior)
	}
	return 110 - mean
}

// Pick chooses the person's next question from tailored (written or chosen for them)
// and bank, both already matching their filter:
//
//  1. a failed question whose review is due (from ReviewLeeway before Due), the longest
//     overdue first;
//  2. else a tailored question they have not seen;
//  3. else a new bank question, its topic drawn with the weight TopicWeight;
//  4. else the least recently seen question, questions waiting for a review last.
//
// It never picks the last question asked unless it is the only candidate. It returns nil
// when there are no candidates. rng breaks ties, so a seeded rng makes Pick repeatable.
func (h *History) Pick(tailored, bank []*Question, now time.Time, rng *rand.Rand) *Question {
	var cands []*Question
	isTailored := map[string]bool{}
	for _, q := range tailored {
		if !isTailored[q.Ref()] {
			isTailored[q.Ref()] = true
			cands = append(cands, q)
		}
	}
	for _, q := range bank {
		if !isTailored[q.Ref()] {
			cands = append(cands, q)
		}
	}
	switch len(cands) {
	case 0:
		return nil
	case 1:
		// Refusing would leave someone who asked for exactly this question with none.
		return cands[0]
	}

	var due, freshTailored, waiting, seen []*Question
	fresh := map[string][]*Question{} // by topic
	var topics []string               // in bank order, so the draw is repeatable
	for _, q := range cands {
		ref := q.Ref()
		if ref == h.last {
			continue
		}
		r := h.reviews[ref]
		switch {
		case r == nil && isTailored[ref]:
			freshTailored = append(freshTailored, q)
		case r == nil:
			if fresh[q.Topic] == nil {
				topics = append(topics, q.Topic)
			}
			fresh[q.Topic] = append(fresh[q.Topic], q)
		case r.Reviewing() && !r.Due.After(now.Add(ReviewLeeway)):
			due = append(due, q)
		case r.Reviewing():
			waiting = append(waiting, q)
		default:
			seen = append(seen, q)
		}
	}
	switch {
	case len(due) > 0:
		return h.earliest(due, func(r *Review) time.Time { return r.Due }, rng)
	case len(freshTailored) > 0:
		return freshTailored[rng.IntN(len(freshTailored))]
	case len(topics) > 0:
		qs := fresh[h.drawTopic(topics, rng)]
		return qs[rng.IntN(len(qs))]
	case len(seen) > 0:
		return h.earliest(seen, func(r *Review) time.Time { return r.LastSeen }, rng)
	}
	// Only questions waiting for their review are left: the one due soonest.
	return h.earliest(waiting, func(r *Review) time.Time { return r.Due }, rng)
}

// earliest returns the question whose review has the earliest key, a random one of ties.
func (h *History) earliest(qs []*Question, key func(*Review) time.Time, rng *rand.Rand) *Question {
	var best []*Question
	var at time.Time
	for _, q := range qs {
		k := key(h.reviews[q.Ref()])
		switch {
		case best == nil || k.Before(at):
			best, at = []*Question{q}, k
		case k.Equal(at):
			best = append(best, q)
		}
	}
	return best[rng.IntN(len(best))]
}

// drawTopic draws one of topics with probability proportional to its TopicWeight.
func (h *History) drawTopic(topics []string, rng *rand.Rand) string {
	weights := make([]float64, len(topics))
	total := 0.0
	for i, t := range topics {
		weights[i] = h.TopicWeight(t)
		total += weights[i]
	}
	x := rng.Float64() * total
	for i, w := range weights {
		if x < w {
			return topics[i]
		}
		x -= w
	}
	return topics[len(topics)-1]
}

// attemptSummaries reads the person's attempts for picking: without answers and verdicts
// where the store can leave them out.
func (b *Bot) attemptSummaries(ctx context.Context, userKey string) ([]*Attempt, error) {
	if s, ok := b.store.(AttemptSummaries); ok {
		return s.AttemptSummaries(ctx, userKey)
	}
	return b.store.Attempts(ctx, userKey)
}

// Reviews counts the person's review queue: questions failed before that are due by now
// (practice asks them first) and those waiting for their interval to end.
func (h *History) Reviews(now time.Time) (due, waiting int) {
	for _, r := range h.reviews {
		switch {
		case !r.Reviewing():
		case !r.Due.After(now.Add(ReviewLeeway)):
			due++
		default:
			waiting++
		}
	}
	return due, waiting
}
