package bot_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/quorum-dev/quorum/bot"
	"github.com/quorum-dev/quorum/bot/rubric"
	"github.com/quorum-dev/quorum/store"
)

// limitedPlatform accepts at most rate sends in any one-second window (span, when set)
// and refuses the rest, as a platform's rate limit would. It counts every delivery per
// conversation.
type limitedPlatform struct {
	rate float64
	span time.Duration // the window's length; 0 is one second

	mu     sync.Mutex
	window []time.Time // accepted sends in the last second
	sent   map[string]int
	times  []time.Time
	over   int
	kinds  map[bot.MessageKind]int
}

func (p *limitedPlatform) Name() string      { return "test" }
func (p *limitedPlatform) SendRate() float64 { return p.rate }

func (p *limitedPlatform) Send(_ context.Context, m bot.Message) (bot.Sent, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := time.Now()
	span := p.span
	if span == 0 {
		span = time.Second
	}
	for len(p.window) > 0 && now.Sub(p.window[0]) >= span {
		p.window = p.window[1:]
	}
	if float64(len(p.window)) >= p.rate {
		p.over++
		return bot.Sent{}, errors.New("429: rate limited")
	}
	p.window = append(p.window, now)
	if p.kinds == nil {
		p.kinds = map[bot.MessageKind]int{}
	}
	p.kinds[m.Kind]++
	if m.Kind == bot.MsgQuestion {
		p.sent[m.Conv.ID]++
		p.times = append(p.times, now)
	}
	return bot.Sent{ID: "m"}, nil
}

func (p *limitedPlatform) count() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.times)
}

// BenchmarkDailyFanOut posts one daily question to each of QUORUM_FANOUT_N subscribers
// (default 10,000) due at the same minute, through the core, to a platform that allows
// 50 sends a second; half-way the bot is stopped and started again on the same store.
// It reports the achieved send rate and fails on a duplicate or a missed subscriber.
// It takes about N/50 seconds: run it with -benchtime=1x.
func BenchmarkDailyFanOut(b *testing.B) {
	n := 10000
	if v, err := strconv.Atoi(os.Getenv("QUORUM_FANOUT_N")); err == nil && v > 0 {
		n = v
	}
	for i := 0; i < b.N; i++ {
		fanOut(b, n, 50)
	}
}

func fanOut(b *testing.B, n int, rate float64) {
	path := filepath.Join(b.TempDir(), "fanout.db")
	st, err := store.Open(path, 0)
	if err != nil {
		b.Fatal(err)
	}
	// Daily drills run on the minute: the next minute at least five seconds away.
	due := time.Now().UTC().Add(5 * time.Second).Truncate(time.Minute).Add(time.Minute)
	for i := 0; i < n; i++ {
		u := bot.User{Platform: "test", ID: fmt.Sprint("u", i)}
		d := &bot.Daily{User: u, Conv: bot.Conversation{Platform: "test", ID: "dm-" + u.ID, DM: true},
			Hour: due.Hour(), Minute: due.Minute(), TZ: "UTC", Topic: "consensus", Created: time.Now().Add(-time.Hour)}
		if err := st.SaveDaily(context.Background(), d); err != nil {
			b.Fatal(err)
		}
	}
	st.Close()
	bank := loadBank(b)
	plat := &limitedPlatform{rate: rate, sent: map[string]int{}}
	logs := &countingHandler{counts: map[string]int{}}
	start := func() (*bot.Bot, *store.Store) {
		st, err := store.Open(path, 0)
		if err != nil {
			b.Fatal(err)
		}
		// A long time limit (and a topic whose question sets none) keeps time's-up
		// messages, replies the core does not pace, out of the measurement.
		bt := bot.New(bot.Config{Bank: bank, Grader: rubric.New(rubric.Options{}), Store: st, Logger: slog.New(logs), TimeLimit: 30 * time.Minute})
		bt.AddPlatform(plat)
		if err := bt.Start(context.Background()); err != nil {
			b.Fatal(err)
		}
		return bt, st
	}
	bt, st := start()
	time.Sleep(time.Until(due))
	for plat.count() < n/2 {
		time.Sleep(10 * time.Millisecond)
	}
	bt.Close() // a stop half-way: paced runs not yet posted are given back
	st.Close()
	stopped := time.Now()
	bt, st = start()
	restarted := time.Now()
	deadline := time.Now().Add(time.Duration(float64(n)/rate*1.5)*time.Second + time.Minute)
	for plat.count() < n && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	bt.Close()
	st.Close()

	plat.mu.Lock()
	defer plat.mu.Unlock()
	dups, missed := 0, 0
	for i := 0; i < n; i++ {
		switch c := plat.sent[fmt.Sprint("dm-u", i)]; {
		case c == 0:
			missed++
		case c > 1:
			dups++
		}
	}
	if dups > 0 || missed > 0 {
		b.Fatalf("%d duplicates, %d missed; warnings and errors logged: %v", dups, missed, logs.snapshot())
	}
	busy := plat.times[len(plat.times)-1].Sub(plat.times[0]) - restarted.Sub(stopped)
	achieved := float64(n-1) / busy.Seconds()
	b.ReportMetric(achieved, "sends/s")
	b.ReportMetric(100*achieved/rate, "%-of-limit")
	b.ReportMetric(float64(n), "subscribers")
	b.ReportMetric(float64(plat.over), "refused-and-retried")
	if achieved < 0.9*rate {
		b.Errorf("achieved %.1f sends a second, under 90%% of the limit %.0f", achieved, rate)
	}
}

// countingHandler counts the warnings and errors the bot logs, by message.
type countingHandler struct {
	mu     sync.Mutex
	counts map[string]int
}

func (h *countingHandler) Enabled(_ context.Context, l slog.Level) bool { return l >= slog.LevelWarn }
func (h *countingHandler) Handle(_ context.Context, r slog.Record) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.counts[r.Message]++
	return nil
}
func (h *countingHandler) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h *countingHandler) WithGroup(string) slog.Handler      { return h }
func (h *countingHandler) snapshot() map[string]int {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := map[string]int{}
	for k, v := range h.counts {
		out[k] = v
	}
	return out
}
