package store_test

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/quorum-dev/quorum/bot"
	"github.com/quorum-dev/quorum/store"
)

// BenchmarkConcurrentFinish records 1,000 attempts from 1,000 goroutines at once, as
// when answers arrive together: the time until the last one is durable.
//
//	go test -run - -bench ConcurrentFinish ./store/
func BenchmarkConcurrentFinish(b *testing.B) {
	st, err := store.Open(filepath.Join(b.TempDir(), "finish.db"), 0)
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	answer := make([]byte, 1500)
	for i := range answer {
		answer[i] = 'a' + byte(i%26)
	}
	for b.Loop() {
		var wg sync.WaitGroup
		for i := 0; i < 1000; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				a := &bot.Attempt{User: "test:u", Question: "test/q", Outcome: bot.OutcomeGraded, Answer: string(answer), Answered: time.Now()}
				if err := st.FinishSession(context.Background(), 0, a); err != nil {
					b.Error(err)
				}
			}()
		}
		wg.Wait()
	}
}
