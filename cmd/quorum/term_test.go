package main

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

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
