package bot_test

import (
	"strings"
	"testing"

	"github.com/quorum-dev/quorum/bot"
)

// TestFirstParagraph: notes that quote a question show its first paragraph whole, though
// packs wrap long prompts over several lines.
func TestFirstParagraph(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"How does Raft elect a leader?", "How does Raft elect a leader?"},
		{"After a Kafka partition fails over, how do replicas reconcile logs\nthat have diverged? Why did\nthe old approach lose data?\n",
			"After a Kafka partition fails over, how do replicas reconcile logs that have diverged? Why did the old approach lose data?"},
		{"Write the follower side of AppendEntries.\n\n  func append(req Request) Reply\n", "Write the follower side of AppendEntries."},
		{"  Two paragraphs,\n \t \nthe second left out.", "Two paragraphs,"},
		{"", ""},
	} {
		if got := bot.FirstParagraph(tt.in); got != tt.want {
			t.Errorf("FirstParagraph(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestVerdictTextQuotesAsTyped: what the person said is shown as typed, on one line, in
// typographic quotes; not Go-escaped ("\"lowest id\"\tbecause").
func TestVerdictTextQuotesAsTyped(t *testing.T) {
	v := &bot.Verdict{QuestionID: "q", Score: 20, RedFlags: []bot.Point{{
		ID: "lowest-id", Text: "Claims the lowest id leads.", Correction: "A majority decides.",
		Quote: "the node with the \"lowest id\"\tbecause it\nstarts first",
	}}}
	text := bot.VerdictText(v)
	want := `(you said: “the node with the "lowest id" because it starts first”)`
	if !strings.Contains(text, want) || strings.Contains(text, `\"`) || strings.Contains(text, `\t`) {
		t.Errorf("got\n%s\nwant it to contain %s", text, want)
	}
}

// TestShorten: cut within n runes at a word when one stands in the second half, the cut
// marked with "…"; short text unchanged.
func TestShorten(t *testing.T) {
	for _, tt := range []struct {
		in   string
		n    int
		want string
	}{
		{"short enough", 20, "short enough"},
		{"leaders are elected by a majority of votes", 20, "leaders are elected…"},
		{"日本語のテキストです", 5, "日本語の…"},
		{"abcdefghij", 1, ""},
	} {
		if got := bot.Shorten(tt.in, tt.n); got != tt.want || len([]rune(got)) > tt.n && tt.n > 0 {
			t.Errorf("Shorten(%q, %d) = %q, want %q", tt.in, tt.n, got, tt.want)
		}
	}
}
