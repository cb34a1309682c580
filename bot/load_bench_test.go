package bot_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/quorum-dev/quorum/bot"
	"github.com/quorum-dev/quorum/bot/rubric"
	"github.com/quorum-dev/quorum/store"
)

// openSessions asks n people a question each, from workers goroutines at a time, so
// the store's batched writes fill the file quickly.
func openSessions(tb testing.TB, core *bot.Bot, q *bot.Question, n, workers int) {
	var wg sync.WaitGroup
	next := make(chan int)
	errs := make(chan error, workers)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				u := bot.User{Platform: "test", ID: "u" + strconv.Itoa(i), Name: "Person " + strconv.Itoa(i)}
				conv := bot.Conversation{Platform: "test", ID: "dm-" + u.ID, DM: true}
				if _, err := core.Ask(context.Background(), u, conv, q, false); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	for i := 0; i < n; i++ {
		next <- i
	}
	close(next)
	wg.Wait()
	select {
	case err := <-errs:
		tb.Fatal(err)
	default:
	}
}

// BenchmarkOpenSessionMemory measures the heap a Bot holds per open session: 10,000
// people each with a question open (a real bbolt file, the system clock, so each
// session has its real timer), live heap after GC, divided by the sessions.
// QUORUM_SESSIONS changes the number.
//
//	go test -run - -bench OpenSessionMemory -benchtime 1x ./bot/
func BenchmarkOpenSessionMemory(b *testing.B) {
	n := 10000
	if s := os.Getenv("QUORUM_SESSIONS"); s != "" {
		n, _ = strconv.Atoi(s)
	}
	bank := loadBank(b)
	q, _ := bank.Lookup("raft-election")
	for range b.N {
		b.StopTimer()
		st, err := store.Open(filepath.Join(b.TempDir(), "mem.db"), 0)
		if err != nil {
			b.Fatal(err)
		}
		core := bot.New(bot.Config{Bank: bank, Grader: rubric.New(rubric.Options{}), Store: st})
		core.AddPlatform(discard{})
		if err := core.Start(context.Background()); err != nil {
			b.Fatal(err)
		}
		before := liveHeap()
		b.StartTimer()
		openSessions(b, core, q, n, 64)
		b.StopTimer()
		after := liveHeap()
		runtime.KeepAlive(core)
		b.ReportMetric(float64(after-before)/float64(n), "B/session")
		core.Close()
		st.Close()
		b.StartTimer()
	}
}

func liveHeap() uint64 {
	var m runtime.MemStats
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// BenchmarkStartup measures a restart with a full store: store.Open and Bot.Start
// (loading 10,000 open sessions and re-arming their timers) on a file that also holds
// 100,000 attempts. QUORUM_SESSIONS and QUORUM_ATTEMPTS change the numbers.
//
//	go test -run - -bench Startup -benchtime 5x ./bot/
func BenchmarkStartup(b *testing.B) {
	sessions, attempts := 10000, 100000
	if s := os.Getenv("QUORUM_SESSIONS"); s != "" {
		sessions, _ = strconv.Atoi(s)
	}
	if s := os.Getenv("QUORUM_ATTEMPTS"); s != "" {
		attempts, _ = strconv.Atoi(s)
	}
	bank := loadBank(b)
	q, _ := bank.Lookup("raft-election")
	path := filepath.Join(b.TempDir(), "startup.db")
	st, err := store.Open(path, 0)
	if err != nil {
		b.Fatal(err)
	}
	fillAttempts(b, st, q, attempts, sessions)
	core := bot.New(bot.Config{Bank: bank, Grader: rubric.New(rubric.Options{}), Store: st})
	core.AddPlatform(discard{})
	openSessions(b, core, q, sessions, 64)
	core.Close()
	st.Close()
	if fi, err := os.Stat(path); err == nil {
		b.Logf("store: %d open sessions, %d attempts, %d MB", sessions, attempts, fi.Size()>>20)
	}

	var times []time.Duration
	for b.Loop() {
		start := time.Now()
		st, err := store.Open(path, 0)
		if err != nil {
			b.Fatal(err)
		}
		core := bot.New(bot.Config{Bank: bank, Grader: rubric.New(rubric.Options{}), Store: st})
		core.AddPlatform(discard{})
		if err := core.Start(context.Background()); err != nil {
			b.Fatal(err)
		}
		times = append(times, time.Since(start))
		b.StopTimer()
		core.Close()
		st.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(times[len(times)/2].Microseconds())/1000, "median-ms")
}

// fillAttempts writes n graded attempts with verdicts, spread over people.
func fillAttempts(b *testing.B, st *store.Store, q *bot.Question, n, people int) {
	v, err := rubric.New(rubric.Options{}).Grade(context.Background(), q, bot.Answer{Text: goodAnswer, TimeLimit: 3 * time.Minute})
	if err != nil {
		b.Fatal(err)
	}
	var wg sync.WaitGroup
	const workers = 200
	errs := make(chan error, workers)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := w; i < n; i += workers {
				user := fmt.Sprintf("test:u%d", i%people)
				a := &bot.Attempt{User: user, Conv: "test:dm-" + user, Question: q.Ref(), Topic: q.Topic, Difficulty: q.Difficulty,
					Kind: bot.KindPractice, Outcome: bot.OutcomeGraded, Answer: goodAnswer, Verdict: v, Pass: v.Pass, Score: v.Score,
					Asked: t0, Answered: t0.Add(time.Minute)}
				if err := st.FinishSession(context.Background(), 0, a); err != nil {
					errs <- err
					return
				}
			}
		}(w)
	}
	wg.Wait()
	select {
	case err := <-errs:
		b.Fatal(err)
	default:
	}
}
