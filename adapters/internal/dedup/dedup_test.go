package dedup_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/quorum-dev/quorum/adapters/internal/dedup"
)

func TestSeen(t *testing.T) {
	now := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	s := dedup.New(10*time.Minute, 3, func() time.Time { return now })
	for _, step := range []struct {
		advance time.Duration
		key     string
		want    bool
	}{
		{0, "a", false},
		{0, "a", true},
		{0, "", false},
		{0, "", false},
		{9 * time.Minute, "a", true},
		{time.Minute, "a", false}, // ten minutes after it was first seen: forgotten
		{0, "b", false},
		{0, "c", false},
		{0, "d", false}, // a fourth key drops the oldest, a
		{0, "a", false},
		{0, "d", true},
	} {
		now = now.Add(step.advance)
		if got := s.Seen(step.key); got != step.want {
			t.Fatalf("after %v, Seen(%q): got %v, want %v", step.advance, step.key, got, step.want)
		}
	}
	if n := s.Len(); n != 3 {
		t.Errorf("got %d keys kept, want 3", n)
	}
}

// TestBounded: a flood of distinct keys keeps at most size of them.
func TestBounded(t *testing.T) {
	s := dedup.New(time.Hour, 100, nil)
	for i := range 10_000 {
		s.Seen(fmt.Sprint(i))
	}
	if n := s.Len(); n != 100 {
		t.Errorf("got %d keys kept, want 100", n)
	}
	if !s.Seen("9999") || s.Seen("0") {
		t.Error("want the newest key kept and the oldest dropped")
	}
}
