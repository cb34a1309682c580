package rubric_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/quorum-dev/quorum/bot"
	"github.com/quorum-dev/quorum/bot/bottest"
	"github.com/quorum-dev/quorum/bot/rubric"
	"github.com/quorum-dev/quorum/prompts"
)

// TestNearTheBarInOwnWords: round 5's rule on a blind answer a person passed (set A, a
// non-native speaker's account of Raft leadership transfer). Word matching credits 2 of
// its 5 points (45% of the weight), but it says much of what the model answer says in
// three or more explaining sentences, so it passes, saying which points were not made
// explicitly. The same answer cut to two sentences, or with a misconception added, fails.
func TestNearTheBarInOwnWords(t *testing.T) {
	var answer string
	for _, it := range bottest.Labelled(t, "../../testdata/blind/set-a.yaml") {
		if strings.HasSuffix(it.Source, "/set-a.yaml:46") {
			answer = it.Answer
		}
	}
	if answer == "" {
		t.Fatal("set-a.yaml:46 is gone; pick another near-the-bar answer")
	}
	bank, err := prompts.LoadBank("../../testdata/blind/packs/blind-a.yaml")
	if err != nil {
		t.Fatal(err)
	}
	q, err := bank.Lookup("blind-a/raft-leadership-transfer")
	if err != nil {
		t.Fatal(err)
	}
	g := rubric.New(rubric.Options{})
	grade := func(text string) *bot.Verdict {
		v, err := g.Grade(context.Background(), q, bot.Answer{Text: text, TimeLimit: 3 * time.Minute})
		if err != nil {
			t.Fatal(err)
		}
		return v
	}

	v := grade(answer)
	if !v.Pass || v.Score < rubric.DefaultPassScore || len(v.Missed) == 0 ||
		!strings.HasPrefix(v.Feedback.Summary, "A passing answer in your own words") || !strings.Contains(v.Feedback.Content, "make the missed points explicitly") {
		t.Fatalf("got %s, %d missed, %q / %q; want a PASS in its own words with the missed points listed",
			v.Title(), len(v.Missed), v.Feedback.Summary, v.Feedback.Content)
	}
	if w := float64(coveredWeight(q, v)) / float64(q.TotalWeight()); w >= q.PassWeight {
		t.Fatalf("covered %.0f%% of the weight: the answer no longer tests the rule", 100*w)
	}

	sentences := strings.SplitAfter(answer, ".")
	if short := grade(strings.Join(sentences[:2], "")); short.Pass {
		t.Errorf("two sentences of it pass (%s)", short.Title())
	}
	if wrong := grade(answer + " Honestly any follower can take over, so the leader can just appoint one in the same term."); wrong.Pass {
		t.Errorf("with a misconception added it passes (%s)", wrong.Title())
	}
}

func coveredWeight(q *bot.Question, v *bot.Verdict) int {
	w := 0
	for _, p := range v.Covered {
		for _, k := range q.KeyPoints {
			if k.ID == p.ID {
				w += k.Weight
			}
		}
	}
	return w
}
