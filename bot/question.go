package bot

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"time"
)

// Difficulty levels of a question.
const (
	Easy   = "easy"
	Medium = "medium"
	Hard   = "hard"
)

// Kinds of question.
var Kinds = []string{"concept", "design", "coding", "paper", "behavioral"}

// Difficulties lists the difficulty levels from easiest.
var Difficulties = []string{Easy, Medium, Hard}

// DefaultPassWeight is the share of key-point weight a pass needs when neither question nor pack sets one.
const DefaultPassWeight = 0.6

// Question is one interview question with the rubric that grades it.
type Question struct {
	Pack        string        `json:"pack"`
	ID          string        `json:"id"`
	Topic       string        `json:"topic"`
	Difficulty  string        `json:"difficulty"`
	Kind        string        `json:"kind"`
	Tags        []string      `json:"tags,omitempty"`
	Prompt      string        `json:"prompt"`
	TimeLimit   time.Duration `json:"time_limit,omitempty"` // zero: the configured default
	KeyPoints   []KeyPoint    `json:"key_points"`
	RedFlags    []RedFlag     `json:"red_flags"`
	PassWeight  float64       `json:"pass_weight"`
	ModelAnswer string        `json:"model_answer"`
	FollowUps   []string      `json:"follow_ups,omitempty"`
	References  []string      `json:"references,omitempty"`
	// Source is where the question was read from, as file:line.
	Source string `json:"-"`
}

// KeyPoint is something a passing answer says.
type KeyPoint struct {
	ID       string   `json:"id"`
	Text     string   `json:"text"`
	Weight   int      `json:"weight"`
	Evidence []string `json:"evidence"`
}

// RedFlag is a misconception that an answer must not state.
type RedFlag struct {
	ID         string   `json:"id"`
	Text       string   `json:"text"`
	Correction string   `json:"correction,omitempty"`
	Evidence   []string `json:"evidence"`
}

// Ref is the question's full id, pack/id.
func (q *Question) Ref() string { return q.Pack + "/" + q.ID }

// TotalWeight is the sum of the key points' weights.
func (q *Question) TotalWeight() int {
	n := 0
	for _, k := range q.KeyPoints {
		n += k.Weight
	}
	return n
}

// Pack is a set of questions read from one file.
type Pack struct {
	ID        string
	Title     string
	Source    string
	Questions []*Question
	// Embedded marks a pack of the bank built into the binary; the others are the
	// operator's (--pack, packs: in the config), which win where ids are shared (Lookup).
	Embedded bool
}

// Bank holds every loaded question, addressable by id or pack/id.
type Bank struct {
	packs     []*Pack
	questions []*Question
	byRef     map[string]*Question
	byID      map[string][]*Question
	embedded  map[string]bool // pack ids of Embedded packs
}

// NewBank indexes packs. A pack id may appear once; question ids need only be unique within a pack.
func NewBank(packs ...*Pack) (*Bank, error) {
	b := &Bank{byRef: map[string]*Question{}, byID: map[string][]*Question{}, embedded: map[string]bool{}}
	for _, p := range packs {
		if err := b.Add(p); err != nil {
			return nil, err
		}
	}
	return b, nil
}

// Add adds a pack to the bank.
func (b *Bank) Add(p *Pack) error {
	for _, old := range b.packs {
		if old.ID == p.ID {
			return fmt.Errorf("%s: pack %q is already loaded from %s", p.Source, p.ID, old.Source)
		}
	}
	b.packs = append(b.packs, p)
	b.embedded[p.ID] = p.Embedded
	for _, q := range p.Questions {
		b.questions = append(b.questions, q)
		b.byRef[q.Ref()] = q
		b.byID[q.ID] = append(b.byID[q.ID], q)
	}
	return nil
}

// Packs returns the loaded packs in load order. The caller must not modify them.
func (b *Bank) Packs() []*Pack { return b.packs }

// Questions returns every question. The caller must not modify the slice.
func (b *Bank) Questions() []*Question { return b.questions }

// Lookup finds a question by pack/id, or by id when only one pack has it.
func (b *Bank) Lookup(ref string) (*Question, error) {
	ref = strings.TrimSpace(ref)
	if q, ok := b.byRef[ref]; ok {
		return q, nil
	}
	qs := b.byID[ref]
	switch len(qs) {
	case 1:
		return qs[0], nil
	case 0:
		return nil, fmt.Errorf("no question %q; `quorum packs list` shows them all", ref)
	}
	// An id the operator's own pack shares with the built-in bank means theirs.
	var own []*Question
	for _, q := range qs {
		if !b.embedded[q.Pack] {
			own = append(own, q)
		}
	}
	if len(own) == 1 {
		return own[0], nil
	}
	refs := make([]string, len(qs))
	for i, q := range qs {
		refs[i] = q.Ref()
	}
	return nil, fmt.Errorf("question id %q is in more than one pack; say which: %s", ref, strings.Join(refs, ", "))
}

// Topics returns the topics in the bank, sorted.
func (b *Bank) Topics() []string {
	seen := map[string]bool{}
	var out []string
	for _, q := range b.questions {
		if !seen[q.Topic] {
			seen[q.Topic] = true
			out = append(out, q.Topic)
		}
	}
	sort.Strings(out)
	return out
}

// Tags returns the tags of the bank's questions, those most questions carry first.
func (b *Bank) Tags() []string {
	count := map[string]int{}
	var out []string
	for _, q := range b.questions {
		for _, t := range q.Tags {
			if count[t] == 0 {
				out = append(out, t)
			}
			count[t]++
		}
	}
	sort.Slice(out, func(i, j int) bool {
		return count[out[i]] > count[out[j]] || count[out[i]] == count[out[j]] && out[i] < out[j]
	})
	return out
}

// TopTags returns the n tags most questions carry (all of them when there are fewer).
func (b *Bank) TopTags(n int) []string {
	tags := b.Tags()
	return tags[:min(n, len(tags))]
}

// matchTopic returns what word names, the one rule for every topic argument (practice,
// interviews, daily and channel drills): a topic exactly, else the topic it starts
// ("repl", "transaction" for transactions), else a tag exactly or as its plural ("kafka",
// "quorums"); "" for none of them.
func matchTopic(word string, topics, tags []string) string {
	word = strings.ToLower(strings.TrimSpace(word))
	if word == "" {
		return ""
	}
	if slices.Contains(topics, word) {
		return word
	}
	singular := strings.TrimSuffix(word, "s")
	for _, t := range topics {
		if strings.HasPrefix(t, word) || singular != "" && strings.HasPrefix(t, singular) {
			return t
		}
	}
	return tagNamed(tags, word)
}

// Tag returns the bank's tag that s names ("kafka", "raft", "consistent-hashing"; a
// plural for a singular tag too), or "" when no question carries it.
func (b *Bank) Tag(s string) string { return tagNamed(b.Tags(), s) }

// tagNamed returns the one of tags that s names, exactly or as its plural, or "".
func tagNamed(tags []string, s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "" {
		return ""
	}
	for _, want := range []string{s, strings.TrimSuffix(s, "s")} {
		if i := slices.Index(tags, want); i >= 0 {
			return tags[i]
		}
	}
	return ""
}

// Filter says which questions a practice request wants. Empty fields match anything.
type Filter struct {
	Topic      string
	Tag        string // a system or idea the questions are tagged with, for "practice kafka"
	Difficulty string
	Kind       string
}

func (f Filter) match(q *Question) bool {
	return (f.Topic == "" || q.Topic == f.Topic) &&
		(f.Tag == "" || slices.Contains(q.Tags, f.Tag)) &&
		(f.Difficulty == "" || q.Difficulty == f.Difficulty) &&
		(f.Kind == "" || q.Kind == f.Kind)
}

// Select returns the questions that match f.
func (b *Bank) Select(f Filter) []*Question {
	var out []*Question
	for _, q := range b.questions {
		if f.match(q) {
			out = append(out, q)
		}
	}
	return out
}

// Pick chooses a question matching f for someone whose history is seen (ref → times asked)
// and whose last question was last: unseen questions first, never last again when another exists.
// A person's practice goes through History.Pick instead, which knows their results.
func (b *Bank) Pick(f Filter, seen map[string]int, last string, rng *rand.Rand) *Question {
	cands := b.Select(f)
	if len(cands) == 0 {
		return nil
	}
	least := -1
	var pool []*Question
	for _, q := range cands {
		if q.Ref() == last && len(cands) > 1 {
			continue
		}
		n := seen[q.Ref()]
		switch {
		case least == -1 || n < least:
			least, pool = n, []*Question{q}
		case n == least:
			pool = append(pool, q)
		}
	}
	return pool[rng.IntN(len(pool))]
}
