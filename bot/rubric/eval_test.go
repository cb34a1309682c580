package rubric_test

import (
	"context"
	"testing"

	"github.com/quorum-dev/quorum/bot"
	"github.com/quorum-dev/quorum/bot/bottest"
	"github.com/quorum-dev/quorum/bot/rubric"
	"github.com/quorum-dev/quorum/prompts"
)

// evaluate grades every labelled answer in the YAML files that pattern names against
// the bank and any extra pack files.
func evaluate(t *testing.T, pattern string, packs ...string) *bot.EvalReport {
	t.Helper()
	return evaluateBank(t, pattern, nil, packs...)
}

// evaluateBank is evaluate with the bank changed by edit first (when not nil).
func evaluateBank(t *testing.T, pattern string, edit func(*bot.Bank), packs ...string) *bot.EvalReport {
	t.Helper()
	set := bottest.Labelled(t, pattern)
	bank, err := prompts.LoadBank(packs...)
	if err != nil {
		t.Fatal(err)
	}
	if edit != nil {
		edit(bank)
	}
	rep, err := bot.Evaluate(context.Background(), rubric.New(rubric.Options{}), bank, set, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("\n%s", rep.Text())
	if len(rep.Skipped) > 0 {
		t.Errorf("%d labelled answers name questions not in the bank: %v", len(rep.Skipped), rep.Skipped)
	}
	t.Cleanup(func() {
		if t.Failed() {
			for _, m := range rep.Misses {
				t.Logf("%s %s: labelled %s, graded %s", m.Source, m.Kind, m.Label, m.Verdict)
			}
		}
	})
	return rep
}

// floors are the figures a labelled set must keep.
type floors struct {
	agreement    float64 // at least
	falsePass    float64 // at most
	falseFail    float64 // at most
	stuffedPass  float64 // false-pass rate on keyword-stuffed answers, at most
	minQuestions int
}

func (f floors) check(t *testing.T, rep *bot.EvalReport) {
	t.Helper()
	if got := rep.Total.Agreement(); got < f.agreement {
		t.Errorf("agreement %.1f%%, want at least %.1f%%", 100*got, 100*f.agreement)
	}
	if got := rep.Total.FalsePassRate(); got > f.falsePass {
		t.Errorf("false-pass rate %.1f%%, want at most %.1f%%", 100*got, 100*f.falsePass)
	}
	if got := rep.Total.FalseFailRate(); got > f.falseFail {
		t.Errorf("false-fail rate %.1f%%, want at most %.1f%%", 100*got, 100*f.falseFail)
	}
	if got := rep.Kind("keyword-stuffed").FalsePassRate(); got > f.stuffedPass {
		t.Errorf("false-pass rate on keyword-stuffed answers %.1f%%, want at most %.1f%%", 100*got, 100*f.stuffedPass)
	}
	if got := rep.Kind("injection").FalsePass; got != 0 {
		t.Errorf("%d prompt-injection answers passed, want 0", got)
	}
}

// TestDevelopmentSet grades the labelled answers in testdata/graded and fails if the
// grader's agreement with the labels regresses. The floors are the figures reached
// (agreement 92.5%, false-pass 9.0%, false-fail 5.0%, keyword-stuffed false-pass
// 11.1%, injection 0); the false-pass targets of issue 4 (5% overall, 10% on
// keyword-stuffed) are not reached. Round 5's near-the-bar rule traded one false pass
// here for two false fails fewer (and 14 on the blind sets).
func TestDevelopmentSet(t *testing.T) {
	rep := evaluate(t, "../../testdata/graded/*.yaml")
	if n := rep.Total.N; n < 320 {
		t.Errorf("got %d labelled answers, want at least 320", n)
	}
	floors{agreement: 0.925, falsePass: 0.091, falseFail: 0.05, stuffedPass: 0.112}.check(t, rep)
}

// TestHeldOutSet grades testdata/heldout: answers to questions the development set does
// not use, written from the questions' texts without their evidence lists. set-h1 was
// written before the grader was tuned (its misses were studied since); set-h2 was written
// after round 1, set-h3 before round 2 and set-h4 before round 3, each measured once
// before any rule changed.
// Together they stand in for the independent set the grader will be judged on, so a
// change that fits the development set's wording and hurts unseen answers fails here.
// Floors (h1..h4, 296 answers): agreement 93.9%, false-pass 3.6%, false-fail 9.2%,
// keyword-stuffed false-pass 3.6%.
func TestHeldOutSet(t *testing.T) {
	rep := evaluate(t, "../../testdata/heldout/*.yaml")
	if n := rep.Total.N; n < 220 {
		t.Errorf("got %d labelled answers, want at least 220", n)
	}
	floors{agreement: 0.939, falsePass: 0.037, falseFail: 0.092, stuffedPass: 0.036}.check(t, rep)
}

// TestBlindSets grades testdata/blind: twenty-four sets of 8 new questions each, with their own
// rubrics (testdata/blind/packs) and 73-74 labelled answers, written by twenty-four authors who never
// read the grader, the bank's evidence lists or any test data, the way the independent set
// the grader is judged on is written. How each was used (README, "Blind sets"): A, D and E
// were studied soon after their first measurement, B and C late in round 4, F measured
// only, G and H written after round 4 (H's misconception answers read, nothing changed).
// First measurement → now: A 71.6% → 86.5%, B 86.5% → 89.2%, C 86.5% → 91.9%,
// D 64.9% → 74.3%, E 68.9% → 74.3%, F 77.0% → 81.1%; with the grader before round 4,
// G 74.3% (now 74.3%) and H 64.9% (now 73.0%). I and J were written in session 4 and
// measured with the grader of the session's start (I 76.7%, J 79.7%), after round 5's
// synonym groups (76.7%, 81.1%) and after its near-the-bar rule (80.8%, 83.8%); their
// misses were not read. K and L were written after round 5 and measured once with its
// grader (78.4%, 85.1%; the session's starting grader gave 75.7% and 85.1%). M to P were
// written in session 5 before round 6 and measured before and after it (78.4% → 81.1%,
// 79.7% → 79.7%, 81.1% → 83.8%, 74.3% → 75.7%); their misses were not read. Round 6
// raised D, E, F, H, I, K and L too (README). Q to T were written in session 6 and
// measured once (83.8%, 81.1%, 81.1%, 82.4%); Q went to 85.1% in session 9, when a spoken
// answer saying "ignore" twice stopped being blanked as an instruction. U to X were
// written in session 7 and measured once (81.1%, 86.5%, 77.0%, 77.0%).
func TestBlindSets(t *testing.T) {
	for _, set := range []struct {
		name   string
		floors floors
	}{
		{"a", floors{agreement: 0.864, falsePass: 0.079, falseFail: 0.195, stuffedPass: 0.01}},
		{"b", floors{agreement: 0.891, falsePass: 0.053, falseFail: 0.167, stuffedPass: 0.01}},
		{"c", floors{agreement: 0.918, falsePass: 0.079, falseFail: 0.084, stuffedPass: 0.01}},
		{"d", floors{agreement: 0.756, falsePass: 0.158, falseFail: 0.334, stuffedPass: 0.17}},
		{"e", floors{agreement: 0.756, falsePass: 0.136, falseFail: 0.352, stuffedPass: 0.01}},
		{"f", floors{agreement: 0.837, falsePass: 0.055, falseFail: 0.271, stuffedPass: 0.01}},
		{"g", floors{agreement: 0.743, falsePass: 0.185, falseFail: 0.334, stuffedPass: 0.01}},
		{"h", floors{agreement: 0.742, falsePass: 0.264, falseFail: 0.25, stuffedPass: 0.17}},
		{"i", floors{agreement: 0.835, falsePass: 0.053, falseFail: 0.286, stuffedPass: 0.01}},
		{"j", floors{agreement: 0.837, falsePass: 0.237, falseFail: 0.084, stuffedPass: 0.01}},
		{"k", floors{agreement: 0.81, falsePass: 0.132, falseFail: 0.25, stuffedPass: 0.17}},
		{"l", floors{agreement: 0.864, falsePass: 0.109, falseFail: 0.163, stuffedPass: 0.01}},
		{"m", floors{agreement: 0.81, falsePass: 0.132, falseFail: 0.25, stuffedPass: 0.01}},
		{"n", floors{agreement: 0.796, falsePass: 0.158, falseFail: 0.25, stuffedPass: 0.17}},
		{"o", floors{agreement: 0.837, falsePass: 0.079, falseFail: 0.25, stuffedPass: 0.01}},
		{"p", floors{agreement: 0.756, falsePass: 0.19, falseFail: 0.298, stuffedPass: 0.01}},
		{"q", floors{agreement: 0.85, falsePass: 0.211, falseFail: 0.084, stuffedPass: 0.01}},
		{"r", floors{agreement: 0.81, falsePass: 0.158, falseFail: 0.223, stuffedPass: 0.17}},
		{"s", floors{agreement: 0.81, falsePass: 0.082, falseFail: 0.298, stuffedPass: 0.01}},
		{"t", floors{agreement: 0.823, falsePass: 0.185, falseFail: 0.167, stuffedPass: 0.01}},
		{"u", floors{agreement: 0.81, falsePass: 0.053, falseFail: 0.334, stuffedPass: 0.01}},
		{"v", floors{agreement: 0.864, falsePass: 0.053, falseFail: 0.223, stuffedPass: 0.17}},
		{"w", floors{agreement: 0.769, falsePass: 0.027, falseFail: 0.445, stuffedPass: 0.01}},
		{"x", floors{agreement: 0.769, falsePass: 0.053, falseFail: 0.417, stuffedPass: 0.01}},
		{"y", floors{agreement: 0.837, falsePass: 0.079, falseFail: 0.25, stuffedPass: 0.17}},
		{"z", floors{agreement: 0.837, falsePass: 0.132, falseFail: 0.195, stuffedPass: 0.17}},
		{"aa", floors{agreement: 0.823, falsePass: 0.136, falseFail: 0.217, stuffedPass: 0.01}},
		{"ab", floors{agreement: 0.837, falsePass: 0.106, falseFail: 0.223, stuffedPass: 0.01}},
	} {
		t.Run(set.name, func(t *testing.T) {
			rep := evaluate(t, "../../testdata/blind/set-"+set.name+".yaml", "../../testdata/blind/packs/blind-"+set.name+".yaml")
			set.floors.check(t, rep)
		})
	}
}

// TestThinEvidence grades the development and held-out sets with every key point's
// evidence cut to its first three phrases: how the grader does with rubrics written with
// fewer phrases than the bank's (README, "Blind sets"; it is why packs lint warns below
// three). Floors: development 90.6% / false-pass 7.2% / false-fail 12.9%; held-out
// 89.9% / 3.0% / 19.1% (before round 5's near-the-bar rule: 88.1 / 7.2 / 19.3 and
// 87.8 / 3.6 / 22.9).
func TestThinEvidence(t *testing.T) {
	thin := func(b *bot.Bank) {
		for _, q := range b.Questions() {
			for i := range q.KeyPoints {
				if k := &q.KeyPoints[i]; len(k.Evidence) > 3 {
					k.Evidence = k.Evidence[:3]
				}
			}
		}
	}
	t.Run("development", func(t *testing.T) {
		floors{agreement: 0.905, falsePass: 0.073, falseFail: 0.129, stuffedPass: 0.16}.check(t, evaluateBank(t, "../../testdata/graded/*.yaml", thin))
	})
	t.Run("held-out", func(t *testing.T) {
		floors{agreement: 0.898, falsePass: 0.031, falseFail: 0.191, stuffedPass: 0.08}.check(t, evaluateBank(t, "../../testdata/heldout/*.yaml", thin))
	})
}
