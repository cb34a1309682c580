package bot

import (
	"context"
	"errors"
	"time"
)

// Session states.
const (
	// SessionOpen is waiting for an answer.
	SessionOpen = "open"
	// SessionExpired ran out of time; it is kept for a while so a late answer still gets feedback.
	SessionExpired = "expired"
)

// Session is one question put to one person in one conversation, waiting for the answer.
type Session struct {
	ID       uint64        `json:"id"`
	User     User          `json:"user"`
	Conv     Conversation  `json:"conv"`
	Question string        `json:"question"` // pack/id
	Kind     string        `json:"kind"`     // practice
	State    string        `json:"state"`
	Asked    time.Time     `json:"asked"`
	Deadline time.Time     `json:"deadline"`
	Grace    time.Duration `json:"grace"`
	// MessageID is the platform's id of the question message.
	MessageID string `json:"message_id,omitempty"`
	// AttemptID is the timed-out attempt recorded when the session expired.
	AttemptID uint64 `json:"attempt_id,omitempty"`
	// Inline is the question itself when it is not in the bank (a follow-up, a
	// question written for this person), so a restart can still grade the answer.
	Inline *Question `json:"inline,omitempty"`
	// Interview is the mock interview the question belongs to, if any.
	Interview uint64 `json:"interview,omitempty"`
	// Paced marks a question Quorum sent on its own (a daily question): its time's-up
	// note waits for the platform's turn too, so a big fan-out is not followed, one time
	// limit later, by an unpaced wave of notes.
	Paced bool `json:"paced,omitempty"`
	// Intro is said before the question, in the same message ("Your daily question:").
	Intro string `json:"intro,omitempty"`
	// ResendBy is until when the question may be sent again and still be posted once
	// (Redelivering): a restart before then sends a question whose send was never
	// confirmed again. Zero: never.
	ResendBy time.Time `json:"resend_by,omitzero"`
	// Run is the daily run the question was asked for. The store claims it in the
	// transaction that first saves the session, so a run is posted at most once, and a
	// run whose question is stored is not lost to a kill (ResendBy).
	Run *RunRef `json:"run,omitempty"`
}

// RunRef names a run of a daily drill: the drill's id and the run's key.
type RunRef struct {
	Schedule uint64 `json:"schedule"`
	Key      string `json:"key"`
}

// Session kinds.
const (
	KindPractice  = "practice"
	KindFollowUp  = "followup"
	KindInterview = "interview"
)

// Closes is when the session stops taking on-time answers: the deadline plus grace.
func (s *Session) Closes() time.Time { return s.Deadline.Add(s.Grace) }

// Attempt outcomes.
const (
	OutcomeGraded  = "graded"
	OutcomeTimeout = "timeout"
	OutcomeLate    = "late"
	OutcomeSkipped = "skipped"
)

// Attempt is one question a person was asked, and what came of it.
type Attempt struct {
	ID         uint64    `json:"id"`
	User       string    `json:"user"` // User.Key()
	Conv       string    `json:"conv"` // Conversation.Key()
	Question   string    `json:"question"`
	Topic      string    `json:"topic"`
	Difficulty string    `json:"difficulty"`
	Kind       string    `json:"kind"`
	Interview  uint64    `json:"interview,omitempty"`
	Outcome    string    `json:"outcome"`
	Answer     string    `json:"answer,omitempty"`
	Verdict    *Verdict  `json:"verdict,omitempty"`
	Pass       bool      `json:"pass"`
	Score      int       `json:"score"`
	Asked      time.Time `json:"asked"`
	Answered   time.Time `json:"answered"`
	// Deliver, when set, says where the attempt's verdict (or, for a timeout, its
	// time's-up note) is about to be sent: a store that keeps an Outbox records it in the
	// transaction that records the attempt, until it is Delivered, so a kill before the
	// send cannot lose the message.
	Deliver *Delivery `json:"-"`
}

// Delivery is where an attempt's verdict or time's-up note goes, kept in the store's
// Outbox from the transaction that records the attempt until the message is sent.
type Delivery struct {
	Attempt uint64       `json:"attempt"`
	Session uint64       `json:"session"`
	User    User         `json:"user"`
	Conv    Conversation `json:"conv"`
	// By is until when the message may be sent again and still be posted once
	// (Redelivering); later, a restart drops it unsent.
	By time.Time `json:"by"`
	// Key is the key of the message to send (Attempt.MessageKey), set by the store: a
	// late answer's verdict takes the place of its time's-up note under the same
	// attempt, and only the message the entry still holds may take it out
	// (DeliveredKey). Empty in entries written before it was kept.
	Key string `json:"key,omitempty"`
}

// Outbox is an optional Store ability: the verdicts and time's-up notes recorded with
// Attempt.Deliver and not yet marked Delivered, oldest first.
type Outbox interface {
	Undelivered(ctx context.Context) ([]*Delivery, error)
	// DeliveredKey takes attempt's entry out if it is for the message under key (or
	// keeps no key); an entry replaced by another message stays, for that one's send.
	DeliveredKey(ctx context.Context, attempt uint64, key string) error
}

// Counted reports whether the attempt counts in pass rates (a skip does not).
func (a *Attempt) Counted() bool { return a.Outcome != OutcomeSkipped }

// ErrNotFound is returned by a Store for a record that does not exist.
var ErrNotFound = errors.New("not found")

// forgotten reports whether err says a session or interview being recorded is no longer
// stored: its person said `forget confirm` meanwhile (while an answer was graded, or a
// time-up recorded). That is no failure: nothing more is recorded or said about it.
func forgotten(err error) bool { return errors.Is(err, ErrNotFound) }

// ErrRunClaimed is SaveSession's error for a new session whose Run was claimed before.
var ErrRunClaimed = errors.New("run already claimed")

// Store keeps sessions and attempts. Implementations must be safe for concurrent use.
// Values passed in are copied; values returned belong to the caller.
type Store interface {
	// SaveSession writes s, and a if it is not nil, in one transaction. A session with
	// an id that is no longer stored (finished meanwhile) is not written again: the
	// error is ErrNotFound and a is not written either.
	// A zero s.ID or a.ID is assigned a new id (and set on the value);
	// when a is written, s.AttemptID is set to a.ID. A new session with a Run claims
	// that run (Schedules.ClaimRun) in the same transaction; when the run was claimed
	// before, nothing is written and the error is ErrRunClaimed.
	SaveSession(ctx context.Context, s *Session, a *Attempt) error
	// FinishSession deletes session id and writes a (if not nil) in one transaction.
	// An a.ID that is not zero replaces that attempt. A session that is no longer
	// stored (finished meanwhile, or forgotten) gets no attempt: with a not nil, the
	// error is ErrNotFound and nothing is written; with a nil, there is nothing to do.
	// An id of zero names no session: a alone is written (tests record attempts so).
	FinishSession(ctx context.Context, id uint64, a *Attempt) error
	// Sessions returns every stored session, open or expired, in id order.
	Sessions(ctx context.Context) ([]*Session, error)
	// Attempts returns a person's attempts, oldest first.
	Attempts(ctx context.Context, userKey string) ([]*Attempt, error)
}

// AttemptSummaries is an optional Store ability for reading a long history fast.
//
// AttemptSummaries returns what Attempts returns with Answer and Verdict left empty:
// choosing a question needs neither, and they are most of what there is to decode.
type AttemptSummaries interface {
	AttemptSummaries(ctx context.Context, userKey string) ([]*Attempt, error)
}
