package bot

import (
	"fmt"
	"sync"
	"time"
)

// Limits cap how fast one person may use the bot, so nobody can spend the whole LLM
// or transcription budget alone. Each is a token bucket per person (User.Key) that holds
// the full allowance and refills evenly over its period. Zero turns a limit off.
type Limits struct {
	// AnswersPerHour caps answers graded, typed or spoken.
	AnswersPerHour int
	// AudioPerHour caps spoken answers transcribed (each also counts as an answer).
	AudioPerHour int
	// CommandsPerMinute caps commands and button presses.
	CommandsPerMinute int
}

// Kinds of Meter.Limited.
const (
	LimitAnswer  = "answer"
	LimitAudio   = "audio"
	LimitCommand = "command"
)

// limiter holds the buckets of every person. Buckets that have refilled are dropped
// now and then, so memory follows the people active in the last period.
type limiter struct {
	mu      sync.Mutex
	rates   map[string]allowance
	buckets map[bucketKey]*bucket
	adds    int
}

type bucketKey struct{ kind, user string }

type allowance struct {
	n   int
	per time.Duration
}

type bucket struct {
	tokens float64
	at     time.Time
}

func newLimiter(l Limits) *limiter {
	rates := map[string]allowance{}
	if l.AnswersPerHour > 0 {
		rates[LimitAnswer] = allowance{l.AnswersPerHour, time.Hour}
	}
	if l.AudioPerHour > 0 {
		rates[LimitAudio] = allowance{l.AudioPerHour, time.Hour}
	}
	if l.CommandsPerMinute > 0 {
		rates[LimitCommand] = allowance{l.CommandsPerMinute, time.Minute}
	}
	return &limiter{rates: rates, buckets: map[bucketKey]*bucket{}}
}

// take spends one token of each kind for user at now, all or none. When any bucket is
// empty it spends nothing and returns the kind that refused and how long until it has a token.
func (lm *limiter) take(user string, now time.Time, kinds ...string) (string, time.Duration) {
	lm.mu.Lock()
	defer lm.mu.Unlock()
	var buf [3]*bucket
	got := buf[:0]
	for _, k := range kinds {
		r, ok := lm.rates[k]
		if !ok {
			continue
		}
		bk := lm.bucket(bucketKey{k, user}, r, now)
		if bk.tokens < 1 {
			perToken := r.per / time.Duration(r.n)
			wait := time.Duration((1 - bk.tokens) * float64(perToken))
			return k, wait
		}
		got = append(got, bk)
	}
	for _, bk := range got {
		bk.tokens--
	}
	return "", 0
}

// bucket returns key's bucket refilled up to now. lm.mu must be held.
func (lm *limiter) bucket(key bucketKey, r allowance, now time.Time) *bucket {
	bk := lm.buckets[key]
	if bk == nil {
		lm.adds++
		if lm.adds%1024 == 0 {
			lm.prune(now)
		}
		bk = &bucket{tokens: float64(r.n), at: now}
		lm.buckets[key] = bk
		return bk
	}
	if el := now.Sub(bk.at); el > 0 {
		bk.tokens += float64(r.n) * float64(el) / float64(r.per)
		if bk.tokens > float64(r.n) {
			bk.tokens = float64(r.n)
		}
		bk.at = now
	}
	return bk
}

// prune drops buckets full again by now: a new one starts full anyway.
func (lm *limiter) prune(now time.Time) {
	longest := time.Duration(0)
	for _, r := range lm.rates {
		longest = max(longest, r.per)
	}
	for k, bk := range lm.buckets {
		if now.Sub(bk.at) >= longest {
			delete(lm.buckets, k)
		}
	}
}

// limited reports whether the person behind ev has used up an allowance, and if so
// tells them when they can go on. open says whether their question stays open.
func (b *Bot) limited(ev Event, open bool, kinds ...string) (string, bool) {
	kind, wait := b.limits.take(ev.User.Key(), b.clock.Now(), kinds...)
	if kind == "" {
		return "", false
	}
	b.meter.Limited(kind)
	b.log.Info("rate limited", "user", ev.User.Key(), "limit", kind, "wait", wait.Round(time.Second))
	r := b.limits.rates[kind]
	var what string
	switch kind {
	case LimitAnswer:
		what = fmt.Sprintf("I grade up to %d answers an hour per person, so the grading budget lasts for everyone.", r.n)
	case LimitAudio:
		what = fmt.Sprintf("I transcribe up to %d recordings an hour per person.", r.n)
	default:
		what = fmt.Sprintf("I take up to %d commands a minute per person.", r.n)
	}
	text := "You're going faster than I can keep up with: " + what + " You can go on in " + waitText(wait) + "."
	switch {
	case open && kind == LimitAudio:
		text += " Your question is still open (its timer keeps running): type your answer, or send the recording again then."
	case open:
		text += " Your question is still open (its timer keeps running): send your answer again then."
	}
	return text, true
}

// waitText rounds a wait up to a whole second, or a whole minute past two minutes.
func waitText(d time.Duration) string {
	if d < 2*time.Minute {
		return (d + time.Second - 1).Truncate(time.Second).String()
	}
	return (d + time.Minute - 1).Truncate(time.Minute).String()
}
