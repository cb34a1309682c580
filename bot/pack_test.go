package bot_test

import (
	"strings"
	"testing"

	"github.com/quorum-dev/quorum/bot"
)

// TestPackFromElsewhereLoads: DESIGN asks kebab-case of pack and question ids; a pack
// written elsewhere may name its key points KP_1 and its topic "System Design", which
// load (the topic as the bank writes it). An id with a space is still an error.
func TestPackFromElsewhereLoads(t *testing.T) {
	pack := `pack: elsewhere
questions:
  - id: url-shortener
    topic: System Design
    difficulty: medium
    kind: design
    prompt: Design a URL shortener.
    key_points:
      - id: KP_1
        text: Generates short unique keys, for example base62 of a counter.
        weight: 2
        evidence: [base62, counter, unique key]
    red_flags:
      - id: RF.1
        text: Claims hashing the URL never collides.
        evidence: [hash never collides]
    model_answer: Base62-encode a counter handed out in ranges; store key to URL; cache reads.
`
	p, err := bot.ParsePack("elsewhere.yaml", []byte(pack))
	if err != nil {
		t.Fatal(err)
	}
	q := p.Questions[0]
	if q.Topic != "system-design" || q.KeyPoints[0].ID != "KP_1" || q.RedFlags[0].ID != "RF.1" {
		t.Fatalf("got topic %q, ids %q %q", q.Topic, q.KeyPoints[0].ID, q.RedFlags[0].ID)
	}
	bad := strings.Replace(pack, "id: KP_1", "id: key point one", 1)
	if _, err := bot.ParsePack("elsewhere.yaml", []byte(bad)); err == nil || !strings.Contains(err.Error(), `elsewhere.yaml:9: url-shortener: key point id "key point one" must be one word`) {
		t.Errorf("got %v, want the id with spaces refused at its line", err)
	}
}
