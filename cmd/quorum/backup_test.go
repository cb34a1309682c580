package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

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

// Every way writeChecked can fail leaves neither FILE nor its temporary file behind.
func TestBackupRemovesTempFileOnEveryError(t *testing.T) {
	src := t.TempDir()
	_, db := storeWithAttempts(t, src, 40)
	good, err := os.ReadFile(db)
	if err != nil {
		t.Fatal(err)
	}
	write := func(b []byte) func(io.Writer) (int64, error) {
		return func(w io.Writer) (int64, error) { n, err := w.Write(b); return int64(n), err }
	}
	for _, c := range []struct {
		name   string
		copyTo func(io.Writer) (int64, error)
		dest   func(dir string) string
		want   string
	}{
		{"copy fails half-way", func(w io.Writer) (int64, error) {
			n, _ := w.Write(good[:5000])
			return int64(n), errors.New("connection reset")
		}, nil, "write backup: connection reset"},
		{"copy is not a store", write([]byte("<html>502 Bad Gateway</html>")), nil, "the copy does not open as a store"},
		{"copy is cut short", write(good[:20000]), nil, "is damaged or incomplete (20000 bytes, the store needs at least "},
		{"copy is empty", write(nil), nil, "is damaged or incomplete: it is empty"},
		{"rename fails", write(good), func(dir string) string {
			d := filepath.Join(dir, "taken")
			if err := os.MkdirAll(filepath.Join(d, "inside"), 0o700); err != nil {
				t.Fatal(err)
			}
			return d
		}, "write backup: rename"},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			dest := filepath.Join(dir, "copy.db")
			if c.dest != nil {
				dest = c.dest(dir)
			}
			_, _, err := writeChecked(dest, c.copyTo)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got %v, want an error with %q", err, c.want)
			}
			if left := tempFiles(dir); len(left) > 0 {
				t.Fatalf("temporary files left: %v", left)
			}
			if fi, err := os.Stat(dest); c.dest == nil && err == nil {
				t.Fatalf("a failed backup left %s (%d bytes)", dest, fi.Size())
			}
		})
	}
	// No folder to write in: nothing is created.
	if _, _, err := writeChecked(filepath.Join(src, "missing", "copy.db"), write(good)); err == nil || !strings.Contains(err.Error(), "create backup file") {
		t.Fatalf("got %v, want a create error", err)
	}
}

// `quorum backup FOLDER` writes the copy in the folder under a dated name, as cp does
// with a folder, instead of failing to rename over it.
func TestBackupIntoFolder(t *testing.T) {
	dir := t.TempDir()
	cfg, _ := storeWithAttempts(t, dir, 3)
	folder := filepath.Join(dir, "backups")
	if err := os.Mkdir(folder, 0o700); err != nil {
		t.Fatal(err)
	}
	code, out, errs := cli(t, "", "", "backup", "--config", cfg, folder)
	if code != 0 {
		t.Fatalf("exit %d: %q %q", code, out, errs)
	}
	names, _ := filepath.Glob(filepath.Join(folder, "*"))
	if len(names) != 1 || !regexp.MustCompile(`^q-\d{4}-\d\d-\d\d-\d{6}\.db$`).MatchString(filepath.Base(names[0])) {
		t.Fatalf("got %v in the folder, want one q-DATE-TIME.db", names)
	}
	if !strings.Contains(out, " to "+names[0]+" ") {
		t.Fatalf("got %q, want it to name %s", out, names[0])
	}
	sum, err := store.Inspect(names[0], 0)
	if err != nil || sum.Attempts != 3 {
		t.Fatalf("got %+v, %v; want a store with 3 attempts", sum, err)
	}
}

func TestDatedName(t *testing.T) {
	now := time.Date(2026, 11, 24, 15, 30, 0, 0, time.UTC)
	for _, c := range []struct{ store, want string }{
		{"quorum.db", "quorum-2026-11-24-153000.db"},
		{"/var/lib/quorum/quorum.db", "quorum-2026-11-24-153000.db"},
		{"data/store", "store-2026-11-24-153000.db"},
		{"my.store.bolt", "my.store-2026-11-24-153000.bolt"},
	} {
		if got := datedName(c.store, now); got != c.want {
			t.Errorf("datedName(%q): got %q, want %q", c.store, got, c.want)
		}
	}
}
