package discord_test

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/quorum-dev/quorum/adapters/discord"
	"github.com/quorum-dev/quorum/adapters/discord/discordtest"
	"github.com/quorum-dev/quorum/bot"
	"github.com/quorum-dev/quorum/bot/rubric"
	"github.com/quorum-dev/quorum/store"
)

// BenchmarkConcurrentAnswers is the load test of issue #11: 1,000 people each open a
// practice question by DM through the fake Discord (the real discordgo adapter, the real
// core, the rubric grader, a real bbolt file), then all 1,000 answers are dispatched on
// the gateway at once. For each answer it measures the time from its dispatch to its
// verdict's POST arriving at the fake, and reports the median and the 99th percentile
// over every round. QUORUM_LOAD_N changes the number of people; QUORUM_LOAD_RATE=R
// (answers a second) spreads the answers evenly instead of sending them at once, for the
// latency at a steady arrival rate.
//
//	go test -run - -bench ConcurrentAnswers -benchtime 3x ./adapters/discord/
//	QUORUM_LOAD_RATE=500 go test -run - -bench ConcurrentAnswers -benchtime 3x ./adapters/discord/
func BenchmarkConcurrentAnswers(b *testing.B) {
	n := 1000
	if s := os.Getenv("QUORUM_LOAD_N"); s != "" {
		n, _ = strconv.Atoi(s)
	}
	var gap time.Duration // between two answers; 0 sends them all at once
	if s := os.Getenv("QUORUM_LOAD_RATE"); s != "" {
		rate, err := strconv.ParseFloat(s, 64)
		if err != nil || rate <= 0 {
			b.Fatalf("QUORUM_LOAD_RATE=%q: want answers a second, above 0", s)
		}
		gap = time.Duration(float64(time.Second) / rate)
	}
	srv := discordtest.New(token)
	defer srv.Close()
	st, err := store.Open(filepath.Join(b.TempDir(), "load.db"), 0)
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	core := bot.New(bot.Config{Bank: loadBank(b), Grader: rubric.New(rubric.Options{}), Store: st, TimeLimit: 10 * time.Minute})
	ad, err := discord.New(discord.Config{Token: token, BaseURL: srv.URL, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		b.Fatal(err)
	}
	core.AddPlatform(ad)
	if err := core.Start(context.Background()); err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- ad.Run(ctx, core) }()
	defer func() { cancel(); <-done; core.Close() }()
	srv.WaitFor(b, "the adapter to connect", func() bool { return srv.Connected() && len(srv.Commands("")) > 0 })

	people := make([]discordtest.Invoker, n)
	who := map[string]int{} // DM channel -> person
	for i := range people {
		id := strconv.Itoa(300000 + i)
		people[i] = discordtest.Invoker{UserID: id, Username: "user" + id, ChannelID: srv.DM(id)}
		who[people[i].ChannelID] = i
	}
	read := 0 // posts already looked at, in all channels
	// waitAll waits until every person has a new post whose title starts with one of
	// prefixes and returns when each arrived. It reads each post once: a harness that
	// rescanned a thousand conversations per post would be the bottleneck it measures.
	waitAll := func(what string, prefixes ...string) []time.Time {
		at := make([]time.Time, n)
		left := n
		deadline := time.After(2 * time.Minute)
		for left > 0 {
			changed := srv.Changed()
			posts := srv.PostsFrom(read)
			read += len(posts)
			for _, post := range posts {
				i, ok := who[post.ChannelID]
				if !ok || !at[i].IsZero() || len(post.Embeds) == 0 {
					continue
				}
				for _, prefix := range prefixes {
					if strings.HasPrefix(post.Embeds[0].Title, prefix) {
						at[i] = post.At
						left--
						break
					}
				}
			}
			if left == 0 {
				break
			}
			select {
			case <-changed:
			case <-deadline:
				b.Fatalf("%d of %d people still wait for %s", left, n, what)
			}
		}
		return at
	}

	var lat []time.Duration
	for b.Loop() {
		b.StopTimer()
		for _, p := range people {
			srv.Say(p, "practice consensus")
		}
		waitAll("their question", "Question:")
		b.StartTimer()
		sent := make([]time.Time, n)
		start := time.Now()
		for i, p := range people {
			if gap > 0 {
				time.Sleep(time.Until(start.Add(time.Duration(i) * gap)))
			}
			sent[i] = time.Now()
			srv.Say(p, goodAnswer)
		}
		got := waitAll("their verdict", "PASS", "FAIL")
		for i := range got {
			lat = append(lat, got[i].Sub(sent[i]))
		}
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	b.ReportMetric(ms(lat[len(lat)/2]), "p50-ms")
	b.ReportMetric(ms(lat[len(lat)*99/100]), "p99-ms")
	b.ReportMetric(ms(lat[len(lat)-1]), "max-ms")
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
