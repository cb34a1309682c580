package rubric_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/quorum-dev/quorum/bot"
	"github.com/quorum-dev/quorum/bot/rubric"
	"github.com/quorum-dev/quorum/prompts"
)

// TestDevelopmentSet grades the labelled answers in testdata/graded and fails if the
// grader's agreement with the labels regresses. The floors are the figures measured
// when the set was written (agreement 88.6%, false-pass 11.8%, keyword-stuffed false-pass
// 26%, injection 0); the targets of issue 4 (90%, 5%, 10%, 0) are not reached yet.
func TestDevelopmentSet(t *testing.T) {
	files, _ := filepath.Glob("../../testdata/graded/*.yaml")
	if len(files) == 0 {
		t.Fatal("no labelled set in testdata/graded")
	}
	var set []bot.Labelled
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		items, err := bot.ParseLabelled(f, data)
		if err != nil {
			t.Fatal(err)
		}
		set = append(set, items...)
	}
	bank, err := prompts.LoadBank()
	if err != nil {
		t.Fatal(err)
	}
	rep, err := bot.Evaluate(context.Background(), rubric.New(rubric.Options{}), bank, set, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("\n%s", rep.Text())
	if len(rep.Skipped) > 0 {
		t.Errorf("%d labelled answers name questions not in the bank: %v", len(rep.Skipped), rep.Skipped)
	}
	if n := rep.Total.N; n < 320 {
		t.Errorf("got %d labelled answers, want at least 320", n)
	}
	if got := rep.Total.Agreement(); got < 0.88 {
		t.Errorf("agreement %.1f%%, want at least 88%%", 100*got)
	}
	if got := rep.Total.FalsePassRate(); got > 0.12 {
		t.Errorf("false-pass rate %.1f%%, want at most 12%%", 100*got)
	}
	if got := rep.Kind("keyword-stuffed").FalsePassRate(); got > 0.26 {
		t.Errorf("false-pass rate on keyword-stuffed answers %.1f%%, want at most 26%%", 100*got)
	}
	if got := rep.Kind("injection").FalsePass; got != 0 {
		t.Errorf("%d prompt-injection answers passed, want 0", got)
	}
	if t.Failed() {
		for _, m := range rep.Misses {
			t.Logf("%s %s: labelled %s, graded %s", m.Source, m.Kind, m.Label, m.Verdict)
		}
	}
}
