package openai

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/quorum-dev/quorum/adapters/openai/openaitest"
	"github.com/quorum-dev/quorum/bot"
)

// observed records Config.Observe calls.
type observed struct {
	mu    sync.Mutex
	calls []string
}

func (o *observed) observe(kind, outcome string, d time.Duration) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if d <= 0 {
		outcome += " (no duration)"
	}
	o.calls = append(o.calls, kind+" "+outcome)
}

func (o *observed) got() []string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return append([]string(nil), o.calls...)
}

func TestObserveNamesEachCallsKindAndOutcome(t *testing.T) {
	srv := openaitest.New()
	defer srv.Close()
	o := &observed{}
	srv.Enqueue(
		openaitest.Chat(grade(map[string]string{"terms": "Raft splits time into terms"}, nil), 1, 1),
		openaitest.RateLimited("0"), openaitest.RateLimited("0"),
		openaitest.Error(500, "boom"),
		openaitest.Transcription("terms and majorities", 3, nil, 0),
	)
	g := newGrader(t, srv, func(c *Config) { c.MaxRetries = 1; c.Observe = o.observe })
	ctx := context.Background()
	g.Grade(ctx, question(t), bot.Answer{Text: answer}) // ok
	g.Grade(ctx, question(t), bot.Answer{Text: answer}) // 429, then 429 again: rate limited
	// 500 on its only try.
	c := New(Config{BaseURL: srv.BaseURL(), APIKey: "sk-test", MaxRetries: -1, Observe: o.observe})
	g2, err := NewGrader(c, g.rubric)
	if err != nil {
		t.Fatal(err)
	}
	g2.Grade(ctx, question(t), bot.Answer{Text: answer})
	if _, err := NewTranscriber(c).Transcribe(ctx, "a.ogg", []byte("OggS")); err != nil {
		t.Fatal(err)
	}
	want := []string{"grade ok", "grade rate_limited", "grade error", "transcribe ok"}
	got := o.got()
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("got %v, want %v", got, want)
		}
	}
}
