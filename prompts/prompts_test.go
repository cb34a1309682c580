package prompts

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/quorum-dev/quorum/bot"
	"github.com/quorum-dev/quorum/bot/rubric"
)

// The bank's promises (issue 3): these fail if a pack edit breaks one.

var mainTopics = []string{"consensus", "replication", "consistency", "time", "transactions", "partitioning",
	"fault-tolerance", "storage", "messaging", "coordination", "byzantine", "papers", "system-design", "coding"}

func bank(t *testing.T) *bot.Bank {
	t.Helper()
	b, err := LoadBank()
	if err != nil {
		t.Fatalf("embedded packs: %v", err)
	}
	return b
}

func words(s string) int { return len(strings.Fields(s)) }

func TestEveryQuestionIsComplete(t *testing.T) {
	for _, q := range bank(t).Questions() {
		var problems []string
		if n := len(q.KeyPoints); n < 3 || n > 6 {
			problems = append(problems, fmt.Sprintf("%d key points, want 3 to 6", n))
		}
		for _, k := range q.KeyPoints {
			if len(k.Evidence) < 2 {
				problems = append(problems, fmt.Sprintf("key point %s has %d evidence phrases, want at least 2", k.ID, len(k.Evidence)))
			}
		}
		if len(q.RedFlags) < 1 {
			problems = append(problems, "no red flag")
		}
		if n := words(q.ModelAnswer); n < 120 || n > 250 {
			problems = append(problems, fmt.Sprintf("model answer has %d words, want 120 to 250", n))
		}
		if len(q.FollowUps) < 2 {
			problems = append(problems, "fewer than 2 follow-ups")
		}
		if len(q.References) < 1 {
			problems = append(problems, "no reference")
		}
		if len(q.Tags) < 1 {
			problems = append(problems, "no tags")
		}
		if len(problems) > 0 {
			t.Errorf("%s (%s): %s", q.Ref(), q.Source, strings.Join(problems, "; "))
		}
	}
}

func TestIDsAndPromptsAreUnique(t *testing.T) {
	ids := map[string]string{}
	prompts := map[string]string{}
	for _, q := range bank(t).Questions() {
		if prev, dup := ids[q.ID]; dup {
			t.Errorf("question id %s in %s and %s", q.ID, prev, q.Source)
		}
		ids[q.ID] = q.Source
		norm := strings.Join(strings.Fields(strings.ToLower(q.Prompt)), " ")
		if prev, dup := prompts[norm]; dup {
			t.Errorf("the same prompt in %s and %s", prev, q.Source)
		}
		prompts[norm] = q.Source
	}
}

func TestSpread(t *testing.T) {
	b := bank(t)
	byTopic := map[string]int{}
	byDiff := map[string]int{}
	byKind := map[string]int{}
	main, behavioral := 0, 0
	for _, q := range b.Questions() {
		if q.Topic == "behavioral" {
			behavioral++
			continue
		}
		main++
		byTopic[q.Topic]++
		byDiff[q.Difficulty]++
		byKind[q.Kind]++
	}
	if main < 220 {
		t.Errorf("got %d questions outside the behavioural pack, want at least 220", main)
	}
	if behavioral < 25 {
		t.Errorf("got %d behavioural questions, want at least 25", behavioral)
	}
	for _, topic := range mainTopics {
		if byTopic[topic] < 10 {
			t.Errorf("topic %s has %d questions, want at least 10", topic, byTopic[topic])
		}
	}
	for _, d := range bot.Difficulties {
		if byDiff[d] < 50 {
			t.Errorf("difficulty %s has %d questions, want at least 50", d, byDiff[d])
		}
	}
	for kind, want := range map[string]int{"coding": 25, "design": 25, "paper": 20} {
		if byKind[kind] < want {
			t.Errorf("kind %s has %d questions, want at least %d", kind, byKind[kind], want)
		}
	}
	t.Logf("%d main + %d behavioural; topics %v; difficulties %v; kinds %v", main, behavioral, byTopic, byDiff, byKind)
}

// TestModelAnswersPassAndPromptsFail checks each rubric against its own model answer and its own prompt.
func TestModelAnswersPassAndPromptsFail(t *testing.T) {
	g := rubric.New(rubric.Options{})
	ctx := context.Background()
	for _, q := range bank(t).Questions() {
		limit := q.TimeLimit
		if limit == 0 {
			limit = 3 * time.Minute
		}
		v, _ := g.Grade(ctx, q, bot.Answer{Text: q.ModelAnswer, TimeLimit: limit})
		if !v.Pass {
			t.Errorf("%s: its model answer gets %s: %s", q.Ref(), v.Title(), v.Feedback.Summary)
		}
		if len(v.RedFlags) > 0 {
			t.Errorf("%s: its model answer raises red flag %s", q.Ref(), v.RedFlags[0].ID)
		}
		r, _ := g.Grade(ctx, q, bot.Answer{Text: q.Prompt, TimeLimit: limit})
		if r.Pass {
			t.Errorf("%s: its prompt, restated as the answer, gets %s", q.Ref(), r.Title())
		}
	}
}

// TestNoNearDuplicatePrompts compares the content words of every pair of prompts.
func TestNoNearDuplicatePrompts(t *testing.T) {
	qs := bank(t).Questions()
	sets := make([]map[string]bool, len(qs))
	for i, q := range qs {
		sets[i] = contentWords(q.Prompt)
	}
	type pair struct {
		a, b string
		sim  float64
	}
	var worst []pair
	for i := range qs {
		for j := i + 1; j < len(qs); j++ {
			if s := jaccard(sets[i], sets[j]); s >= 0.5 {
				worst = append(worst, pair{qs[i].Ref(), qs[j].Ref(), s})
			}
		}
	}
	sort.Slice(worst, func(i, j int) bool { return worst[i].sim > worst[j].sim })
	for _, p := range worst {
		t.Errorf("prompts of %s and %s share %.0f%% of their content words", p.a, p.b, 100*p.sim)
	}
}

var stop = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`a an the and or but if of to in on at by for with from as is are was were be it its this that
		what which who how why when where do does did can could would should will you your i we they them their
		not no more most some any each all such than then so into about over under between there`) {
		m[w] = true
	}
	return m
}()

func contentWords(s string) map[string]bool {
	out := map[string]bool{}
	for _, w := range strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9')
	}) {
		if !stop[w] && len(w) > 2 {
			out[strings.TrimSuffix(w, "s")] = true
		}
	}
	return out
}

func jaccard(a, b map[string]bool) float64 {
	inter := 0
	for w := range a {
		if b[w] {
			inter++
		}
	}
	union := len(a) + len(b) - inter
	if union == 0 {
		return 0
	}
	return float64(inter) / float64(union)
}

// TestOperatorPacksWin: a pack file with the id of a built-in pack replaces it, and a bare
// question id a pack file shares with the bank (the DESIGN example's raft-leader-election)
// means the file's question, so a set written against its own pack grades against it.
func TestOperatorPacksWin(t *testing.T) {
	dir := t.TempDir()
	write := func(name, pack, id string) string {
		t.Helper()
		data := "pack: " + pack + "\nquestions:\n  - id: " + id + `
    topic: consensus
    difficulty: medium
    kind: concept
    prompt: How does Raft elect a leader?
    key_points:
      - {id: terms, text: Terms act as a logical clock., weight: 2, evidence: [term, epoch, logical clock]}
    model_answer: Raft uses terms as a logical clock, and a candidate needs a majority of votes to lead its term.
`
		f := filepath.Join(dir, name)
		if err := os.WriteFile(f, []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}
		return f
	}
	bank, err := LoadBank(write("mine.yaml", "elsewhere", "raft-leader-election"), write("override.yaml", "ds-consensus", "only-one"))
	if err != nil {
		t.Fatal(err)
	}
	q, err := bank.Lookup("raft-leader-election")
	if err != nil || q.Pack != "elsewhere" {
		t.Fatalf("got %v (%v), want elsewhere's question", q, err)
	}
	if _, err := bank.Lookup("ds-consensus/raft-election-restriction"); err == nil {
		t.Error("the built-in ds-consensus pack is still loaded beside the one replacing it")
	}
	if q, err := bank.Lookup("ds-consensus/only-one"); err != nil || q.Source == "" {
		t.Errorf("the replacing pack's question: %v, %v", q, err)
	}
	if _, err := LoadBank(write("a.yaml", "twice", "x"), write("b.yaml", "twice", "y")); err == nil {
		t.Error("two pack files with one id loaded")
	}
}
