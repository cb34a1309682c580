package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/quorum-dev/quorum/adapters/console"
	"github.com/quorum-dev/quorum/bot"
	"github.com/quorum-dev/quorum/store"
)

// TestInterviewFromStdinRefusedAnswerAndWords: piped, an over-long answer cannot be sent
// again, so its question counts as skipped (with the reason, in characters) and the
// interview goes on to its report (binary data too); a block that is only "skip" skips,
// and "stop" ends with the partial report. The long answer used to end the interview with status 1, no
// report, and the question and interview left open in the store.
func TestInterviewFromStdinRefusedAnswerAndWords(t *testing.T) {
	cfg, db := testConfig(t)
	answers := strings.Join([]string{strings.Repeat("あ", 20001), "Skip", "\x00\x01binary", "stop"}, "\n---\n")
	code, out, errs := cli(t, "", answers, "interview", "--config", cfg)
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out, errs)
	}
	if !strings.Contains(out, "# Interview: ") {
		t.Fatalf("no report on stdout:\n%s\nstderr:\n%s", out, errs)
	}
	if !strings.Contains(errs, "That answer is 20,001 characters long") || strings.Count(errs, "counts as skipped") != 2 {
		t.Fatalf("stderr does not say why the first question was skipped:\n%s", errs)
	}
	st, err := store.Open(db, 0)
	if err != nil {
		t.Fatal(err)
	}
	as, err := st.Attempts(context.Background(), console.User().Key())
	st.Close()
	if err != nil {
		t.Fatal(err)
	}
	var outcomes []string
	for _, a := range as {
		outcomes = append(outcomes, a.Outcome)
	}
	want := []string{bot.OutcomeSkipped, bot.OutcomeSkipped, bot.OutcomeSkipped, bot.OutcomeSkipped}
	if strings.Join(outcomes, " ") != strings.Join(want, " ") {
		t.Fatalf("got outcomes %v, want %v", outcomes, want)
	}
	// Nothing is left open: the next practice asks afresh.
	code, _, errs = cli(t, "", answer, "practice", "--config", cfg, "--question", "cli-test/raft-election")
	if code != 0 || strings.Contains(errs, "earlier run") {
		t.Fatalf("exit %d; the next practice found something left open:\n%s", code, errs)
	}
}

// TestPracticeAudioWithoutSpeech: practice --audio without speech settings says so
// before asking: it asked and stored the question first, then failed, and the next run
// counted that question as skipped. The words are the terminal's, not the chat's.
func TestPracticeAudioWithoutSpeech(t *testing.T) {
	ogg, _ := filepath.Abs("../../testdata/audio/answer.ogg")
	cfg, db := testConfig(t)
	code, out, errs := cli(t, "", "", "practice", "--config", cfg, "--question", "cli-test/raft-election", "--audio", ogg)
	if code != 1 || !strings.Contains(errs, "set speech (or llm) in quorum.yaml") || strings.Contains(errs, "owner") || strings.Contains(out+errs, "How does Raft") {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errs)
	}
	st, err := store.Open(db, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ss, _ := st.Sessions(context.Background())
	as, _ := st.Attempts(context.Background(), console.User().Key())
	if len(ss) != 0 || len(as) != 0 {
		t.Fatalf("got sessions %+v and attempts %+v, want nothing stored", ss, as)
	}
}

// TestStoreOpenPermissionDenied: a store that may not be opened gets a sentence naming
// the path and store.path, not "open store quorum.db: open quorum.db: permission denied".
func TestStoreOpenPermissionDenied(t *testing.T) {
	err := storeOpenError("quorum.db", fmt.Errorf("open store quorum.db: %w", &fs.PathError{Op: "open", Path: "quorum.db", Err: fs.ErrPermission}))
	if msg := err.Error(); !strings.Contains(msg, "store quorum.db (permission denied)") || !strings.Contains(msg, "store.path") || strings.Contains(msg, "open store") {
		t.Fatalf("got %q", msg)
	}
	if os.Geteuid() == 0 {
		t.Skip("root may open any file: the rest needs an unprivileged user")
	}
	dir := t.TempDir()
	locked := filepath.Join(dir, "locked")
	if err := os.Mkdir(locked, 0o500); err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(dir, "quorum.yaml")
	os.WriteFile(cfg, []byte("store: { path: "+filepath.Join(locked, "q.db")+" }\n"), 0o600)
	code, _, errs := cli(t, "", answer, "practice", "--config", cfg)
	if code != 1 || !strings.Contains(errs, "permission denied): give yourself access") {
		t.Fatalf("exit %d, %q", code, errs)
	}
}

// killedInterview leaves the store of config cfg as `quorum interview` killed (kill -9)
// at its second question does: the interview running, its second question open and
// shown, the first answer recorded. It returns that question's id.
func killedInterview(t *testing.T, cfg string) string {
	t.Helper()
	a, err := load(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer a.close()
	var errs bytes.Buffer
	if err := a.openStore(&errs); err != nil {
		t.Fatal(err)
	}
	_, b, err := a.terminalBot(context.Background(), env{stdout: io.Discard, stderr: &errs})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close() // a kill stops the timers too; the store keeps what was written
	u, conv := console.User(), console.Conversation()
	iv, err := b.StartInterview(context.Background(), u, conv, "")
	if err != nil {
		t.Fatal(err)
	}
	b.Handle(context.Background(), bot.Event{User: u, Conv: conv, Text: answer})
	s, open := b.OpenSession(u, conv)
	if !open || s.Interview != iv.ID || !strings.HasPrefix(s.Intro, "Question 2 of") {
		t.Fatalf("got session %+v (open %v), want the interview's second question open", s, open)
	}
	return s.Question
}

// storedInterviews returns the terminal person's interviews in the store at db.
func storedInterviews(t *testing.T, db string) ([]*bot.Interview, []*bot.Attempt) {
	t.Helper()
	st, err := store.Open(db, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	d, err := st.Export(context.Background(), console.User().Key())
	if err != nil {
		t.Fatal(err)
	}
	return d.Interviews, d.Attempts
}

// TestInterviewContinuesAfterAKill: `quorum interview` after a run was killed goes on
// with the stored interview at its open question, saying so, as the README promises. It
// used to stop that interview (throwing its report away) and start another, after the
// core had already moved the old one on.
func TestInterviewContinuesAfterAKill(t *testing.T) {
	cfg, db := testConfig(t)
	q2 := killedInterview(t, cfg)
	answers := strings.Join([]string{answer, answer, answer, answer}, "\n---\n")
	code, out, errs := cli(t, "", answers, "interview", "--config", cfg)
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out, errs)
	}
	if !strings.Contains(errs, "Continuing your interview from ") || !strings.Contains(errs, ": question 2 of 4.") {
		t.Fatalf("stderr does not say the interview goes on:\n%s", errs)
	}
	if i := strings.Index(out, "Question 2 of 4"); i < 0 || strings.Contains(out, "Mock interview:") {
		t.Fatalf("want the interview shown again from its second question:\n%s", out)
	}
	if !strings.Contains(out, "# Interview: ") || strings.Contains(errs, "earlier run") {
		t.Fatalf("want the report of the continued interview, nothing closed:\nstdout:\n%s\nstderr:\n%s", out, errs)
	}
	ivs, as := storedInterviews(t, db)
	if len(ivs) != 1 || ivs[0].State != bot.InterviewDone {
		t.Fatalf("got interviews %+v, want the one interview, done", ivs)
	}
	for _, a := range as {
		if a.Outcome != bot.OutcomeGraded {
			t.Errorf("attempt at %s: %s, want every question answered (none skipped)", a.Question, a.Outcome)
		}
		if a.Question == q2 && a.Answer == "" {
			t.Errorf("the second question's answer is missing: %+v", a)
		}
	}
}

// TestPracticeAfterAKilledInterviewStopsIt: `quorum practice` that replaces the open
// question of an interview a killed run left ends that interview, stopped, with its
// partial report; the next `quorum interview` starts afresh. The interview used to stay
// running, to be resumed past a question recorded as skipped but never shown.
func TestPracticeAfterAKilledInterviewStopsIt(t *testing.T) {
	cfg, db := testConfig(t)
	q2 := killedInterview(t, cfg)
	code, out, errs := cli(t, "", answer, "practice", "--config", cfg, "--question", "cli-test/raft-election")
	if code != 0 || !strings.Contains(out, "PASS") {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errs)
	}
	if !strings.Contains(errs, "The mock interview an earlier run left open is stopped") || !strings.Contains(errs, "# Interview: FAIL") {
		t.Fatalf("stderr does not tell of the stopped interview and its report:\n%s", errs)
	}
	ivs, as := storedInterviews(t, db)
	if len(ivs) != 1 || ivs[0].State != bot.InterviewStopped || len(ivs[0].Attempts) != 2 {
		t.Fatalf("got interviews %+v, want the interview stopped with its two attempts", ivs)
	}
	skipped := 0
	for _, a := range as {
		if a.Outcome == bot.OutcomeSkipped {
			skipped++
			if a.Question != q2 || a.Interview != ivs[0].ID {
				t.Errorf("skipped attempt %+v, want only the interview's open question", a)
			}
		}
	}
	if skipped != 1 {
		t.Errorf("%d skipped attempts, want 1", skipped)
	}
	code, out, errs = cli(t, "", strings.Join([]string{answer, answer, answer, answer}, "\n---\n"), "interview", "--config", cfg)
	if code != 0 || strings.Contains(errs, "Continuing") || !strings.Contains(out, "Mock interview:") {
		t.Fatalf("want a new interview from its first question, exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errs)
	}
	if ivs, _ := storedInterviews(t, db); len(ivs) != 2 || ivs[0].State != bot.InterviewStopped {
		t.Fatalf("got interviews %+v, want the stopped one and a new one", ivs)
	}
}

// TestInterviewOverdueAfterAKill: an interview an earlier run left running whose 15
// minutes ran out meanwhile ends when Quorum starts again; `quorum interview` shows that
// report as the earlier interview's, then runs the new interview to its own report. It
// used to hand back the old report as if it were the new interview's.
func TestInterviewOverdueAfterAKill(t *testing.T) {
	cfg, db := testConfig(t)
	killedInterview(t, cfg)
	st, err := store.Open(db, 0)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	ago := 30 * time.Minute // the run was killed half an hour ago
	ivs, err := st.RunningInterviews(ctx)
	if err != nil || len(ivs) != 1 {
		t.Fatalf("got running interviews %+v (%v), want the killed one", ivs, err)
	}
	ivs[0].Started, ivs[0].Deadline = ivs[0].Started.Add(-ago), ivs[0].Deadline.Add(-ago)
	if err := st.SaveInterview(ctx, ivs[0]); err != nil {
		t.Fatal(err)
	}
	ss, err := st.Sessions(ctx)
	if err != nil || len(ss) != 1 {
		t.Fatalf("got sessions %+v (%v), want the open question", ss, err)
	}
	ss[0].Asked, ss[0].Deadline = ss[0].Asked.Add(-ago), ss[0].Deadline.Add(-ago)
	if err := st.SaveSession(ctx, ss[0], nil); err != nil {
		t.Fatal(err)
	}
	st.Close()

	answers := strings.Join([]string{answer, answer, answer, answer}, "\n---\n")
	code, out, errs := cli(t, "", answers, "interview", "--config", cfg)
	if code != 0 {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errs)
	}
	earlier, mock := strings.Index(out, "earlier interview"), strings.Index(out, "Mock interview:")
	if earlier < 0 || mock < earlier || strings.Count(out, "# Interview: ") != 2 || strings.LastIndex(out, "# Interview: ") < mock {
		t.Fatalf("want the earlier interview's report, then the new interview and its own report:\nstdout:\n%s\nstderr:\n%s", out, errs)
	}
	ivs2, _ := storedInterviews(t, db)
	if len(ivs2) != 2 || ivs2[1].State != bot.InterviewDone {
		t.Fatalf("got interviews %+v, want the earlier one ended and the new one done", ivs2)
	}
}
