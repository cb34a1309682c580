package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/quorum-dev/quorum/bot"
	"github.com/quorum-dev/quorum/store"
)

// storeWithAttempts writes a store of n attempts, one commit each, at dir/q.db with a
// config naming it, and returns the config and store paths.
func storeWithAttempts(t *testing.T, dir string, n int) (cfg, db string) {
	t.Helper()
	db = filepath.Join(dir, "q.db")
	st, err := store.Open(db, 0)
	if err != nil {
		t.Fatal(err)
	}
	for i := range n {
		u := bot.User{Platform: "test", ID: fmt.Sprintf("p%d", i%5)}
		a := &bot.Attempt{User: u.Key(), Question: "p/q", Outcome: bot.OutcomeSkipped, Answer: strings.Repeat("x ", 400)}
		if err := st.SaveSession(context.Background(), &bot.Session{User: u, State: bot.SessionOpen}, a); err != nil {
			t.Fatal(err)
		}
	}
	st.Close()
	cfg = filepath.Join(dir, "quorum.yaml")
	if err := os.WriteFile(cfg, []byte("store: { path: "+db+" }\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return cfg, db
}

// cutShort cuts the file at path to size bytes, as an interrupted copy leaves it.
func cutShort(t *testing.T, path string, size int64) {
	t.Helper()
	if err := os.Truncate(path, size); err != nil {
		t.Fatal(err)
	}
}

// tempFiles lists the backup's temporary files left in dir.
func tempFiles(dir string) []string {
	left, _ := filepath.Glob(filepath.Join(dir, ".*.tmp"))
	return left
}

func TestBackupOfDamagedStore(t *testing.T) {
	dir := t.TempDir()
	cfg, db := storeWithAttempts(t, dir, 40)
	cutShort(t, db, 20000)
	code, _, errs := cli(t, "", "", "backup", "--config", cfg, filepath.Join(dir, "copy.db"))
	want := "quorum: " + db + " is damaged or incomplete (20000 bytes, the store needs at least "
	if code != 1 || !strings.HasPrefix(errs, want) || strings.Count(errs, "\n") != 1 {
		t.Fatalf("exit %d, stderr %q; want one line starting %q", code, errs, want)
	}
	if left := tempFiles(dir); len(left) > 0 {
		t.Fatalf("temporary files left: %v", left)
	}
}
