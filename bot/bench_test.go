package bot_test

import (
	"context"
	"fmt"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"github.com/quorum-dev/quorum/bot"
	"github.com/quorum-dev/quorum/bot/rubric"
	"github.com/quorum-dev/quorum/store"
)

// discard is a platform that accepts every message.
type discard struct{}

func (discard) Name() string { return "test" }
func (discard) Send(context.Context, bot.Message) (bot.Sent, error) {
	return bot.Sent{ID: "m"}, nil
}

// BenchmarkAnswerPath times one typed answer through the core: session lookup,
// rubric grading, the attempt written to a real bbolt file, and the verdict sent.
// It reports the median and 99th percentile besides the mean.
func BenchmarkAnswerPath(b *testing.B) {
	st, err := store.Open(filepath.Join(b.TempDir(), "bench.db"), 0)
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	bank := loadBank(b)
	q, _ := bank.Lookup("raft-election")
	core := bot.New(bot.Config{Bank: bank, Grader: rubric.New(rubric.Options{}), Store: st})
	core.AddPlatform(discard{})
	ctx := context.Background()
	var times []time.Duration
	i := 0
	for b.Loop() {
		b.StopTimer()
		u := bot.User{Platform: "test", ID: fmt.Sprint("u", i%100)}
		conv := bot.Conversation{Platform: "test", ID: "dm-" + u.ID, DM: true}
		if _, err := core.Ask(ctx, u, conv, q, true); err != nil {
			b.Fatal(err)
		}
		i++
		b.StartTimer()
		start := time.Now()
		core.Handle(ctx, bot.Event{User: u, Conv: conv, Text: goodAnswer})
		times = append(times, time.Since(start))
	}
	b.StopTimer()
	core.Close()
	sort.Slice(times, func(i, j int) bool { return times[i] < times[j] })
	b.ReportMetric(float64(times[len(times)/2].Microseconds()), "p50-µs")
	b.ReportMetric(float64(times[len(times)*99/100].Microseconds()), "p99-µs")
}
