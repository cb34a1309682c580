package console

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/quorum-dev/quorum/bot"
	"github.com/quorum-dev/quorum/bot/bottest"
	"github.com/quorum-dev/quorum/bot/rubric"
	"github.com/quorum-dev/quorum/store"
)

// waitFor polls until out contains want, failing after a second.
func waitFor(t *testing.T, out *bottest.Buffer, want string) {
	t.Helper()
	deadline := time.Now().Add(time.Second)
	for !strings.Contains(out.String(), want) {
		if time.Now().After(deadline) {
			t.Fatalf("output never contained %q:\n%s", want, out.String())
		}
		time.Sleep(time.Millisecond)
	}
}

func TestEditor(t *testing.T) {
	left := 2*time.Minute + 41*time.Second
	tests := []struct {
		name, input string
		stop        bool
		want        string
		err         error
		expired     bool
	}{
		{"empty line ends", "first line\nsecond\n\n", false, "first line\nsecond", nil, false},
		{"ctrl-d ends", "only line\x04", false, "only line", nil, false},
		{"eof ends", "no newline", false, "no newline", nil, false},
		{"backspace", "abx\x7fc\n\n", false, "abc", nil, false},
		{"ctrl-u clears", "wrong\x15right\n\n", false, "right", nil, false},
		{"ctrl-c", "half\x03", false, "half", ErrInterrupted, false},
		{"leading empty line ignored", "\nanswer\n\n", false, "answer", nil, false},
	}
	for _, tt := range tests {
		var out bottest.Buffer
		ed := &Editor{Keys: NewKeyReader(strings.NewReader(tt.input)), Out: &out, Remaining: func() time.Duration { return left }, Tick: time.Hour}
		res, err := ed.Read(nil)
		if !errors.Is(err, tt.err) || res.Text != tt.want || res.Expired != tt.expired {
			t.Errorf("%s: got %q, %v, expired=%v; want %q, %v", tt.name, res.Text, err, res.Expired, tt.want, tt.err)
		}
		if !strings.Contains(out.String(), "[2:41] › ") {
			t.Errorf("%s: no countdown prompt in %q", tt.name, out.String())
		}
	}
}

func TestEditorStopReturnsWhatWasTyped(t *testing.T) {
	pr, pw := io.Pipe()
	defer pw.Close()
	var out bottest.Buffer
	ed := &Editor{Keys: NewKeyReader(pr), Out: &out, Remaining: func() time.Duration { return 0 }, Grace: 5 * time.Second, Tick: time.Hour}
	stop := make(chan struct{})
	done := make(chan Result)
	go func() { r, _ := ed.Read(stop); done <- r }()
	pw.Write([]byte("line one\npartial"))
	waitFor(t, &out, "partial")
	close(stop)
	r := <-done
	if !r.Expired || r.Text != "line one\npartial" {
		t.Fatalf("got %+v", r)
	}
}

func TestPrompt(t *testing.T) {
	tests := []struct {
		left, grace time.Duration
		want        string
	}{
		{3 * time.Minute, 10 * time.Second, "[3:00] › "},
		{1500 * time.Millisecond, 0, "[0:02] › "},
		{-2 * time.Second, 10 * time.Second, "[grace 0:08] › "},
		{-20 * time.Second, 10 * time.Second, "[time's up] › "},
	}
	for _, tt := range tests {
		if got := Prompt(tt.left, tt.grace); got != tt.want {
			t.Errorf("Prompt(%v, %v) = %q, want %q", tt.left, tt.grace, got, tt.want)
		}
	}
}

const goodAnswer = `Raft divides time into terms, each term has at most one leader. A follower whose randomized election
timeout fires becomes a candidate and asks for votes; each server casts one vote per term and the candidate needs
a majority, so two leaders cannot win one term.`

func setup(t *testing.T, clock bot.Clock) (*Adapter, *bot.Bot, *bot.Question) {
	t.Helper()
	bank := bottest.Bank(t)
	st, err := store.Open(filepath.Join(t.TempDir(), "q.db"), 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	a := New()
	b := bot.New(bot.Config{Bank: bank, Grader: rubric.New(rubric.Options{}), Store: st, Clock: clock, Rand: rand.New(rand.NewPCG(1, 1))})
	b.AddPlatform(a)
	if err := b.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.Close)
	q, _ := bank.Lookup("raft-election")
	return a, b, q
}

func TestPracticeFromStdinJSON(t *testing.T) {
	a, b, q := setup(t, nil)
	var out, errs bytes.Buffer
	v, err := a.Practice(context.Background(), b, q, Options{In: strings.NewReader(goodAnswer), Out: &out, Err: &errs, JSON: true})
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(out.Bytes(), &got); err != nil {
		t.Fatalf("stdout is not JSON: %v\n%s", err, out.String())
	}
	if got["verdict"] != "pass" || !v.Pass {
		t.Fatalf("got %v", got["verdict"])
	}
	if !strings.Contains(errs.String(), "How does Raft elect") {
		t.Fatalf("question not on stderr: %s", errs.String())
	}
}

func TestPracticeRefusesBinaryFromStdin(t *testing.T) {
	a, b, q := setup(t, nil)
	var out, errs bytes.Buffer
	_, err := a.Practice(context.Background(), b, q, Options{In: strings.NewReader("\x00\x01\x02garbage"), Out: &out, Err: &errs})
	if !errors.Is(err, ErrNoVerdict) || !strings.Contains(errs.String(), "binary") {
		t.Fatalf("got %v, stderr %q", err, errs.String())
	}
}

func TestInteractiveTimeUpGradesWhatWasTyped(t *testing.T) {
	clock := bottest.NewClock(time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC))
	a, b, q := setup(t, clock)
	pr, pw := io.Pipe()
	defer pw.Close()
	var out, errs bottest.Buffer
	type result struct {
		v   *bot.Verdict
		err error
	}
	done := make(chan result)
	go func() {
		v, err := a.Practice(context.Background(), b, q, Options{In: pr, Out: &out, Err: &errs, Interactive: true, Clock: clock})
		done <- result{v, err}
	}()
	waitFor(t, &errs, "[3:00] › ")
	pw.Write([]byte("Raft uses terms and a majority vote, each server casting one vote per term"))
	waitFor(t, &errs, "one vote per term")
	clock.Advance(3*time.Minute + 10*time.Second)
	r := <-done
	if r.err != nil {
		t.Fatal(r.err)
	}
	if r.v.Pass || !r.v.Late {
		t.Fatalf("got %s late=%v, want a late FAIL", r.v.Title(), r.v.Late)
	}
	if !strings.Contains(out.String(), "FAIL · ") || !strings.Contains(errs.String(), "Time's up") {
		t.Fatalf("stdout:\n%s\nstderr:\n%s", out.String(), errs.String())
	}
}

func TestInteractiveCtrlCStops(t *testing.T) {
	a, b, q := setup(t, nil)
	var out, errs bytes.Buffer
	_, err := a.Practice(context.Background(), b, q, Options{In: strings.NewReader("half an answer\x03"), Out: &out, Err: &errs, Interactive: true})
	if !errors.Is(err, ErrNoVerdict) || !strings.Contains(errs.String(), "Stopped") {
		t.Fatalf("got %v, stderr %q", err, errs.String())
	}
	if _, open := b.OpenSession(User(), Conversation()); open {
		t.Fatal("the stopped session is still open")
	}
}

// TestEarlierRunsTimeUpDoesNotEndThisQuestion: a question an earlier run left open runs out
// as the next run starts; its time's-up note must not end the new question.
func TestEarlierRunsTimeUpDoesNotEndThisQuestion(t *testing.T) {
	clock := bottest.NewClock(time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC))
	a, b, q := setup(t, clock)
	var out, errs bytes.Buffer
	if _, err := a.Practice(context.Background(), b, q, Options{In: strings.NewReader("\x00binary"), Out: &out, Err: &errs, Clock: clock}); !errors.Is(err, ErrNoVerdict) {
		t.Fatalf("got %v, want the binary answer refused and the question left open", err)
	}
	clock.Advance(4 * time.Minute) // its time runs out: the note waits in the adapter's queue
	out.Reset()
	errs.Reset()
	v, err := a.Practice(context.Background(), b, q, Options{In: strings.NewReader(goodAnswer + "\r\r"), Out: &out, Err: &errs, Interactive: true, Clock: clock})
	if err != nil || !v.Pass {
		t.Fatalf("got %v (%v), want this run's answer graded PASS\nstderr:\n%s", v, err, errs.String())
	}
	if !strings.Contains(errs.String(), "an earlier run left open ran out of time") {
		t.Errorf("stderr does not say what became of the earlier question:\n%s", errs.String())
	}
}

// TestEarlierRunsQuestionPastDue: a run starts after the time of a question an earlier
// run left open has run out (its timer never fired: the process had stopped). The run says
// so once, records it as timed out, and goes on with its own question.
func TestEarlierRunsQuestionPastDue(t *testing.T) {
	clock := bottest.NewClock(time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC))
	bank := bottest.Bank(t)
	q, _ := bank.Lookup("raft-election")
	st, err := store.Open(filepath.Join(t.TempDir(), "q.db"), 0)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	run := func(in string) (*bot.Verdict, string, error) {
		a := New()
		b := bot.New(bot.Config{Bank: bank, Grader: rubric.New(rubric.Options{}), Store: st, Clock: clock, Rand: rand.New(rand.NewPCG(1, 1))})
		b.AddPlatform(a)
		if err := b.Start(context.Background()); err != nil {
			t.Fatal(err)
		}
		defer b.Close()
		var out, errs bytes.Buffer
		v, err := a.Practice(context.Background(), b, q, Options{In: strings.NewReader(in), Out: &out, Err: &errs, Clock: clock})
		return v, errs.String(), err
	}
	if _, _, err := run("\x00binary"); !errors.Is(err, ErrNoVerdict) {
		t.Fatalf("got %v, want the question left open", err)
	}
	clock.Advance(10 * time.Minute) // no process runs: nothing fires
	v, errs, err := run(goodAnswer)
	if err != nil || !v.Pass {
		t.Fatalf("got %v (%v), want this run's answer graded PASS\nstderr:\n%s", v, err, errs)
	}
	if n := strings.Count(errs, "ran out of time; it counts as timed out"); n != 1 || strings.Contains(errs, "closed as skipped") {
		t.Fatalf("stderr tells about the earlier question %d times (or as skipped), want once as timed out:\n%s", n, errs)
	}
	as, err := st.Attempts(context.Background(), User().Key())
	if err != nil || len(as) != 2 || as[0].Outcome != bot.OutcomeTimeout {
		t.Fatalf("got attempts %+v (%v), want the earlier question timed out, then this one", as, err)
	}
}
