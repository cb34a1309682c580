package bot

import (
	"context"
	"time"
)

// PersonalPack is the set of questions chosen or written for one person from their
// resume and job description.
type PersonalPack struct {
	// Questions were written for the person (by an LLM) and checked by the pack linter.
	Questions []*Question `json:"questions,omitempty"`
	// Picks are bank questions (pack/id) ranked for the person when no LLM is configured.
	Picks []string `json:"picks,omitempty"`
	// Source is "llm" or "bank".
	Source string `json:"source"`
	// Dropped counts written questions that failed the linter.
	Dropped int `json:"dropped,omitempty"`
	// WriterFailed: an LLM was asked to write the questions and wrote none (it failed, or
	// none passed the linter), so these are bank picks.
	WriterFailed bool      `json:"writer_failed,omitempty"`
	CreatedAt    time.Time `json:"created_at"`
}

// QuestionWriter writes questions tailored to a profile.
//
// WriteQuestions returns up to n valid questions (pack "personal") and how many it
// wrote that failed validation. An error means it could not write any; the caller
// falls back to ranking the bank.
type QuestionWriter interface {
	WriteQuestions(ctx context.Context, p Profile, n int) (qs []*Question, dropped int, err error)
}

// Profiles keeps what people tell Quorum about themselves. The bbolt store implements it.
type Profiles interface {
	// Profile returns the person's profile, or ErrNotFound.
	Profile(ctx context.Context, userKey string) (*Profile, error)
	SaveProfile(ctx context.Context, userKey string, p *Profile) error
	// PersonalPack returns the person's pack, or ErrNotFound.
	PersonalPack(ctx context.Context, userKey string) (*PersonalPack, error)
	SavePersonalPack(ctx context.Context, userKey string, p *PersonalPack) error
	// Forget deletes everything stored about the person: profile, pack, sessions,
	// attempts and the person record. It reports how many records went.
	Forget(ctx context.Context, userKey string) (int, error)
}
