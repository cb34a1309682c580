package bot

import (
	"fmt"
	"testing"
	"time"
)

func TestLimiterTakesAllOrNothing(t *testing.T) {
	lm := newLimiter(Limits{AnswersPerHour: 10, AudioPerHour: 1})
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	if k, _ := lm.take("a", now, LimitAnswer, LimitAudio); k != "" {
		t.Fatalf("first recording refused by %s", k)
	}
	// The audio bucket is empty: a second recording is refused and costs no answer.
	k, wait := lm.take("a", now, LimitAnswer, LimitAudio)
	if k != LimitAudio || wait != time.Hour {
		t.Fatalf("got %q after %v, want audio after 1h", k, wait)
	}
	for i := 0; i < 9; i++ {
		if k, _ := lm.take("a", now, LimitAnswer); k != "" {
			t.Fatalf("typed answer %d refused: the refused recording must not have spent one", i+2)
		}
	}
	if k, wait := lm.take("a", now, LimitAnswer); k != LimitAnswer || wait != 6*time.Minute {
		t.Fatalf("got %q after %v, want answer after 6m", k, wait)
	}
	// Half a token's time later, still half a token to go.
	if _, wait := lm.take("a", now.Add(3*time.Minute), LimitAnswer); wait != 3*time.Minute {
		t.Fatalf("got wait %v, want 3m", wait)
	}
	if k, _ := lm.take("a", now.Add(6*time.Minute), LimitAnswer); k != "" {
		t.Fatal("refilled token refused")
	}
	// A kind with no limit is never refused.
	for i := 0; i < 1000; i++ {
		if k, _ := lm.take("a", now, LimitCommand); k != "" {
			t.Fatal("an unlimited kind was refused")
		}
	}
}

func TestLimiterForgetsIdleBuckets(t *testing.T) {
	lm := newLimiter(Limits{CommandsPerMinute: 5})
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := 0; i < 5000; i++ {
		lm.take(fmt.Sprint("user", i), now.Add(time.Duration(i)*time.Second), LimitCommand)
	}
	// Buckets untouched for a minute are dropped every 1024 new ones.
	if n := len(lm.buckets); n > 1100 {
		t.Fatalf("got %d buckets kept for 5000 people over 83 minutes, want those of about the last minute or so", n)
	}
}

// BenchmarkLimiterTake is the cost the limits add to every event.
func BenchmarkLimiterTake(b *testing.B) {
	lm := newLimiter(Limits{AnswersPerHour: 60, AudioPerHour: 20, CommandsPerMinute: 30})
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	users := make([]string, 1000)
	for i := range users {
		users[i] = fmt.Sprint("discord:", i)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		lm.take(users[i%len(users)], now.Add(time.Duration(i)*time.Millisecond), LimitAnswer, LimitAudio)
	}
}
