package bot_test

import (
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
