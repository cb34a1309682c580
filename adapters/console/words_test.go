package console

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
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

// TestPracticeSkipAndStopAreCommands: an answer that is only "skip" or "stop" passes on
// the question or ends, as the words do in chat; it was graded as an answer.
func TestPracticeSkipAndStopAreCommands(t *testing.T) {
	tests := []struct {
		name, in    string
		interactive bool
		want        string
	}{
		{"piped stop", "  STOP\n", false, "Stopped. Nothing was graded."},
		{"piped skip", "skip", false, "Skipped."},
		{"typed skip", "Skip\n\n", true, "Skipped."},
		{"typed stop", "stop\x04", true, "Stopped. Nothing was graded."},
	}
	for _, tt := range tests {
		a, b, q := setup(t, nil)
		var out, errs bytes.Buffer
		_, err := a.Practice(context.Background(), b, q, Options{In: strings.NewReader(tt.in), Out: &out, Err: &errs, Interactive: tt.interactive})
		if !errors.Is(err, ErrNoVerdict) || !strings.Contains(errs.String(), tt.want) || strings.Contains(out.String(), "FAIL") {
			t.Errorf("%s: got %v, stdout %q, stderr %q; want no verdict and %q", tt.name, err, out.String(), errs.String(), tt.want)
		}
		if _, open := b.OpenSession(User(), Conversation()); open {
			t.Errorf("%s: the question is still open", tt.name)
		}
	}
}

// TestPracticeCtrlCOnPipedInput: Ctrl-C (the context cancelled) while standard input is a
// pipe that stays open stops at once, as in the terminal, and logs no error; it waited for
// the pipe to close, then failed to record the answer with "context canceled".
func TestPracticeCtrlCOnPipedInput(t *testing.T) {
	var logs bottest.Buffer
	st, err := store.Open(filepath.Join(t.TempDir(), "q.db"), 0)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	bank := bottest.Bank(t)
	q, _ := bank.Lookup("raft-election")
	a := New()
	b := bot.New(bot.Config{Bank: bank, Grader: rubric.New(rubric.Options{}), Store: st, Rand: rand.New(rand.NewPCG(1, 1)),
		Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	b.AddPlatform(a)
	if err := b.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	pr, pw := io.Pipe() // like `sleep 30 | quorum practice`
	defer pw.Close()
	ctx, cancel := context.WithCancel(context.Background())
	var out, errs bottest.Buffer
	done := make(chan error, 1)
	go func() {
		_, err := a.Practice(ctx, b, q, Options{In: pr, Out: &out, Err: &errs})
		done <- err
	}()
	waitFor(t, &out, "How does Raft elect")
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, ErrNoVerdict) || !strings.Contains(errs.String(), "Stopped. Nothing was graded.") {
			t.Fatalf("got %v, stderr %q", err, errs.String())
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Ctrl-C did not stop the run while standard input stayed open")
	}
	pw.Write([]byte(goodAnswer))
	pw.Close()
	b.Idle()
	if strings.Contains(logs.String(), "level=ERROR") {
		t.Errorf("logged an error:\n%s", logs.String())
	}
	if _, open := b.OpenSession(User(), Conversation()); open {
		t.Error("the stopped question is still open")
	}
}

// TestAnswerLengthInCharacters: the limit counts characters, and the message says how
// many there are; it counted bytes, so 10,001 Japanese characters were refused as
// "20001 characters long" (the bytes a reader had capped).
func TestAnswerLengthInCharacters(t *testing.T) {
	a, b, q := setup(t, nil)
	var out, errs bytes.Buffer
	_, err := a.Practice(context.Background(), b, q, Options{In: strings.NewReader(strings.Repeat("あ", 20001)), Out: &out, Err: &errs})
	if !errors.Is(err, ErrNoVerdict) || !strings.Contains(errs.String(), "That answer is 20,001 characters long; I take up to 20,000") {
		t.Fatalf("got %v, stderr %q", err, errs.String())
	}
	a, b, q = setup(t, nil)
	out.Reset()
	errs.Reset()
	v, err := a.Practice(context.Background(), b, q, Options{In: strings.NewReader(goodAnswer + strings.Repeat("あ", 10001)), Out: &out, Err: &errs})
	if err != nil || v == nil {
		t.Fatalf("an answer of 10,001 Japanese characters (and some English) was not graded: %v\n%s", err, errs.String())
	}
}
