package bot_test

import (
	"strings"
	"testing"

	"github.com/quorum-dev/quorum/bot"
)

const lintPack = `pack: lint
pass_weight: 0.6
questions:
  - id: q
    topic: consensus
    difficulty: medium
    kind: concept
    prompt: How does Raft elect a leader?
    key_points:
      - id: terms
        text: Terms act as a logical clock.
        weight: 2
        evidence: [term, epoch]
    model_answer: Terms and majorities.
`

// TestPackLintValues: a NaN pass_weight passed the range check (every comparison with
// NaN is false); evidence of punctuation alone matches no word, so a list of only that
// is as empty as none (one such phrase among others is a packs lint warning);
// a quoted weight got its type error and a false "weight 0 must be 1, 2 or 3".
func TestPackLintValues(t *testing.T) {
	tests := []struct {
		name, from, to string
		want           []string
		not            string
	}{
		{"nan pass_weight", "pass_weight: 0.6", "pass_weight: .nan", []string{"lint.yaml:2: pass_weight NaN must be above 0 and at most 1"}, ""},
		{"question nan pass_weight", "    model_answer:", "    pass_weight: .inf\n    model_answer:", []string{"pass_weight +Inf must be above 0 and at most 1"}, ""},
		{"punctuation evidence", "[term, epoch]", `["-", "!!"]`, []string{`lint.yaml:13: q: key point "terms" has no evidence phrases with words (-, !!)`}, ""},
		{"quoted weight", "weight: 2", `weight: "2"`, []string{`lint.yaml:12: "2" is text, want a whole number`}, "weight 0"},
	}
	for _, tt := range tests {
		_, err := bot.ParsePack("lint.yaml", []byte(strings.Replace(lintPack, tt.from, tt.to, 1)))
		if err == nil {
			t.Errorf("%s: no error", tt.name)
			continue
		}
		for _, w := range tt.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: got %q, want %q", tt.name, err, w)
			}
		}
		if tt.not != "" && strings.Contains(err.Error(), tt.not) {
			t.Errorf("%s: got %q, want no %q", tt.name, err, tt.not)
		}
	}
	p, err := bot.ParsePack("lint.yaml", []byte(strings.Replace(lintPack, "[term, epoch]", `[term, ">="]`, 1)))
	if err != nil {
		t.Fatalf("a pack with one wordless phrase among others must load: %v", err)
	}
	if got := bot.WordlessEvidence(p.Questions[0]); len(got) != 1 || got[0] != ">=" {
		t.Fatalf("WordlessEvidence = %q, want [>=]", got)
	}
}
