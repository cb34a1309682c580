package bot

import (
	"context"
	"fmt"
	"time"
)

// Graders' names, as the verdict reports them.
const (
	GraderRubric = "rubric"
	GraderLLM    = "llm"
)

// Scores are the four dimensions of a verdict, each 0-100.
type Scores struct {
	Content    int `json:"content"`
	Clarity    int `json:"clarity"`
	Confidence int `json:"confidence"`
	Delivery   int `json:"delivery"`
}

// Point is a key point or red flag as a verdict reports it.
type Point struct {
	ID   string `json:"id"`
	Text string `json:"text"`
	// Quote is the part of the answer that showed it, where the grader knows one.
	Quote string `json:"quote,omitempty"`
	// Correction says what is true instead, for red flags.
	Correction string `json:"correction,omitempty"`
}

// Feedback is what the verdict says in words. Each dimension is one concrete sentence.
type Feedback struct {
	Summary    string `json:"summary"`
	Content    string `json:"content"`
	Clarity    string `json:"clarity"`
	Confidence string `json:"confidence"`
	Delivery   string `json:"delivery"`
	NextStep   string `json:"next_step"`
	FollowUp   string `json:"follow_up,omitempty"`
	// Strengths and Improvements come from an LLM grader, in its words.
	Strengths    []string `json:"strengths,omitempty"`
	Improvements []string `json:"improvements,omitempty"`
	// CommonMistakes, with a PASS from the rubric grader, are the question's red flags
	// (with their corrections) that it did not find: it looks for them by their words and
	// can miss one said in other words, so the person checks them against what they said.
	CommonMistakes []Point `json:"common_mistakes,omitempty"`
}

// Verdict is the result of grading one answer. Its JSON form is how the store keeps it;
// the `--json` contract is VerdictJSON.
type Verdict struct {
	QuestionID string   `json:"question_id"`
	Pass       bool     `json:"pass"`
	Score      int      `json:"score"`
	Scores     Scores   `json:"scores"`
	Covered    []Point  `json:"covered,omitempty"`
	Missed     []Point  `json:"missed,omitempty"`
	RedFlags   []Point  `json:"red_flags,omitempty"`
	Feedback   Feedback `json:"feedback"`
	Grader     string   `json:"grader"`
	// Note tells the person something about how the verdict was made ("the LLM was unavailable").
	Note string `json:"note,omitempty"`
	// Late is set when the answer came after the time limit and grace.
	Late bool `json:"late,omitempty"`
	// Metrics are the numbers behind the delivery feedback.
	Metrics Metrics `json:"metrics"`
	// Usage is what an LLM grader spent on this verdict (zero for the rubric).
	Usage Usage `json:"usage,omitempty"`
	// PrivateAnswer is set when the answer was typed where only Quorum saw it (the
	// "Answer privately" form): a verdict shown outside a DM leaves out its quotes.
	PrivateAnswer bool `json:"private_answer,omitempty"`
}

// Unquoted is a copy of v without the parts of the answer its points quote.
func (v *Verdict) Unquoted() *Verdict {
	c := *v
	unquote := func(ps []Point) []Point {
		if ps == nil {
			return nil
		}
		out := make([]Point, len(ps))
		for i, p := range ps {
			p.Quote = ""
			out[i] = p
		}
		return out
	}
	c.Covered, c.Missed, c.RedFlags = unquote(v.Covered), unquote(v.Missed), unquote(v.RedFlags)
	c.Feedback.CommonMistakes = unquote(v.Feedback.CommonMistakes)
	return &c
}

// Usage counts the tokens of LLM calls.
type Usage struct {
	PromptTokens     int `json:"prompt_tokens,omitempty"`
	CompletionTokens int `json:"completion_tokens,omitempty"`
}

// Metrics are measured on the answer text (and, for speech, its timing).
type Metrics struct {
	Words        int     `json:"words"`
	Sentences    int     `json:"sentences"`
	Fillers      int     `json:"fillers"`
	Hedges       int     `json:"hedges"`
	Signals      int     `json:"structure_signals"`
	Seconds      float64 `json:"seconds,omitempty"`
	WordsPerMin  float64 `json:"words_per_minute,omitempty"`
	LongPauses   int     `json:"long_pauses,omitempty"`
	LongestPause float64 `json:"longest_pause_seconds,omitempty"`
}

// Word returns "PASS" or "FAIL".
func (v *Verdict) Word() string {
	if v.Pass {
		return "PASS"
	}
	return "FAIL"
}

// Title is the verdict's first line: "PASS · 78/100".
func (v *Verdict) Title() string {
	return fmt.Sprintf("%s · %d/100", v.Word(), v.Score)
}

// VerdictJSON is the object `--json` prints (the contract of DESIGN.md).
type VerdictJSON struct {
	QuestionID string       `json:"question_id"`
	Verdict    string       `json:"verdict"`
	Score      int          `json:"score"`
	Scores     Scores       `json:"scores"`
	Covered    []string     `json:"covered"`
	Missed     []string     `json:"missed"`
	RedFlags   []string     `json:"red_flags"`
	Feedback   FeedbackJSON `json:"feedback"`
	Grader     string       `json:"grader"`
	Note       string       `json:"note,omitempty"`
	Late       bool         `json:"late,omitempty"`
	Metrics    Metrics      `json:"metrics"`
	Usage      *Usage       `json:"usage,omitempty"`
}

// FeedbackJSON is the feedback object of VerdictJSON: the sentences, and the points by their text.
type FeedbackJSON struct {
	Feedback
	CoveredPoints []Point `json:"covered_points"`
	MissedPoints  []Point `json:"missed_points"`
	RedFlags      []Point `json:"red_flags"`
}

// JSON returns the verdict in the shape of the `--json` contract.
func (v *Verdict) JSON() VerdictJSON {
	ids := func(ps []Point) []string {
		out := make([]string, len(ps))
		for i, p := range ps {
			out[i] = p.ID
		}
		return out
	}
	nonNil := func(ps []Point) []Point {
		if ps == nil {
			return []Point{}
		}
		return ps
	}
	word := "fail"
	if v.Pass {
		word = "pass"
	}
	return VerdictJSON{
		QuestionID: v.QuestionID,
		Verdict:    word,
		Score:      v.Score,
		Scores:     v.Scores,
		Covered:    ids(v.Covered),
		Missed:     ids(v.Missed),
		RedFlags:   ids(v.RedFlags),
		Feedback:   FeedbackJSON{Feedback: v.Feedback, CoveredPoints: nonNil(v.Covered), MissedPoints: nonNil(v.Missed), RedFlags: nonNil(v.RedFlags)},
		Grader:     v.Grader,
		Note:       v.Note,
		Late:       v.Late,
		Metrics:    v.Metrics,
		Usage:      usage(v.Usage),
	}
}

func usage(u Usage) *Usage {
	if u == (Usage{}) {
		return nil
	}
	return &u
}

// Answer is what a person said, as text, with timing where it was spoken.
type Answer struct {
	Text string
	// Duration is how long the spoken answer lasted; zero for typed answers.
	Duration time.Duration
	// Words are the spoken words with their timings; nil for typed answers.
	Words []TimedWord
	// TimeLimit is the question's limit, for judging length.
	TimeLimit time.Duration
}

// TimedWord is one transcribed word and when it was said, from the start of the clip.
type TimedWord struct {
	Word       string
	Start, End time.Duration
}

// Grader grades one answer to one question.
//
// Grade returns an error only when it could not grade at all; a bad answer
// is a FAIL verdict, never an error. The verdict belongs to the caller.
type Grader interface {
	Grade(ctx context.Context, q *Question, a Answer) (*Verdict, error)
}

// GraderFunc adapts a function to Grader.
type GraderFunc func(ctx context.Context, q *Question, a Answer) (*Verdict, error)

// Grade calls f.
func (f GraderFunc) Grade(ctx context.Context, q *Question, a Answer) (*Verdict, error) {
	return f(ctx, q, a)
}
