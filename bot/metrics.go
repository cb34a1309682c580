package bot

import "time"

// Meter receives what the core counts, for an operator's dashboards. Implementations
// must be safe for concurrent use and must not block: the core calls them inline.
type Meter interface {
	// Attempt counts an attempt the store recorded. verdict is one of the Verdict*
	// values; grader is the grader that judged it ("rubric", "llm"), or "" when nothing
	// was graded (a timeout or a skip).
	Attempt(verdict, grader string)
	// Graded observes how long one grader call took, failed calls included.
	Graded(grader string, d time.Duration, err error)
	// Answered observes how long a person waited for a verdict: from the core taking the
	// answer (transcription included) to the platform taking the verdict's message.
	Answered(grader string, d time.Duration)
	// DrillRun counts one scheduled run of a drill. kind is DrillDaily or DrillChannel;
	// result one of the Drill* results.
	DrillRun(kind, result string)
	// Limited counts a request a per-person limit turned away; what is one of the Limit* kinds.
	Limited(what string)
	// SendFailed counts a message a platform did not take (after its own retries).
	SendFailed(platform string)
	// Resent counts a message whose send a stop cut short, handled at the next start:
	// what is one of the Resent* kinds, result one of the Resent* results.
	Resent(what, result string)
}

// Kinds and results of Meter.Resent.
const (
	ResentQuestion = "question" // a session's question
	ResentDrill    = "drill"    // a channel drill run's question
	ResentVerdict  = "verdict"
	ResentReport   = "report" // a mock interview's report
	ResentTimeUp   = "timeup" // the note that closes a question nobody answered in time

	ResentSent    = "sent"    // sent again (the platform posts it once)
	ResentFailed  = "failed"  // the send again failed
	ResentDropped = "dropped" // too late to send again safely
)

// Verdicts of Meter.Attempt.
const (
	VerdictPass    = "pass"
	VerdictFail    = "fail"
	VerdictTimeout = "timeout"
	VerdictLate    = "late"
	VerdictSkipped = "skipped"
)

// Kinds and results of Meter.DrillRun.
const (
	DrillDaily   = "daily"
	DrillChannel = "channel"

	DrillPosted    = "posted"    // the question went out
	DrillSkipped   = "skipped"   // skipped on purpose: skip-next, or an open question already there
	DrillFailed    = "failed"    // could not be posted; given back for the next start
	DrillDuplicate = "duplicate" // already claimed, by an earlier start or another process
)

// noMeter is the Meter of a Bot configured without one.
type noMeter struct{}

func (noMeter) Attempt(string, string)              {}
func (noMeter) Graded(string, time.Duration, error) {}
func (noMeter) Answered(string, time.Duration)      {}
func (noMeter) DrillRun(string, string)             {}
func (noMeter) Limited(string)                      {}
func (noMeter) SendFailed(string)                   {}
func (noMeter) Resent(string, string)               {}

// verdictOf names an attempt's result for Meter.Attempt.
func verdictOf(a *Attempt) (verdict, grader string) {
	if a.Verdict != nil {
		grader = a.Verdict.Grader
	}
	switch {
	case a.Outcome == OutcomeSkipped:
		return VerdictSkipped, grader
	case a.Outcome == OutcomeTimeout:
		return VerdictTimeout, grader
	case a.Outcome == OutcomeLate:
		return VerdictLate, grader
	case a.Pass:
		return VerdictPass, grader
	}
	return VerdictFail, grader
}

// recorded tells the meter about an attempt the store has just written; a nil a
// (a session closed without an attempt) counts nothing.
func (b *Bot) recorded(a *Attempt) {
	if a != nil {
		b.meter.Attempt(verdictOf(a))
	}
}

// OpenSessions returns how many questions are waiting for an answer now (not those
// whose time ran out and that only wait for a late answer).
func (b *Bot) OpenSessions() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	n := 0
	for _, l := range b.sessions {
		if l.s.State == SessionOpen {
			n++
		}
	}
	return n
}

// graderName is the name of the grader that judged v, or, when grading failed, the
// name the grader gives itself (a Name method), else "unknown".
func graderName(g Grader, v *Verdict) string {
	if v != nil && v.Grader != "" {
		return v.Grader
	}
	if n, ok := g.(interface{ Name() string }); ok {
		return n.Name()
	}
	return "unknown"
}
