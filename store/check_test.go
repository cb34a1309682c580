package store

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	bolt "go.etcd.io/bbolt"

	"github.com/quorum-dev/quorum/bot"
)

// usedStore writes some people and attempts through a Store, one commit each so pages
// are freed and reused, closes it, and returns its path, bbolt's page size and the
// bytes the store needs (its high-water mark, as bbolt's Tx.Size reports it).
func usedStore(t *testing.T) (path string, pageSize int, need int64) {
	t.Helper()
	path = filepath.Join(t.TempDir(), "q.db")
	s := open(t, path)
	for i := range 60 {
		u := bot.User{Platform: "test", ID: fmt.Sprintf("person-%d", i%7)}
		a := &bot.Attempt{User: u.Key(), Question: "p/q", Outcome: bot.OutcomeGraded, Answer: strings.Repeat("a leader per term ", 40)}
		if err := s.SaveSession(ctx, &bot.Session{User: u, State: bot.SessionOpen}, a); err != nil {
			t.Fatal(err)
		}
	}
	s.Close()
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	pageSize = db.Info().PageSize
	if err := db.View(func(tx *bolt.Tx) error { need = tx.Size(); return nil }); err != nil {
		t.Fatal(err)
	}
	if need < int64(8*pageSize) {
		t.Fatalf("the store needs %d bytes, want a few pages beyond the first four", need)
	}
	return path, pageSize, need
}

func TestOpenRefusesTruncatedFile(t *testing.T) {
	path, pageSize, need := usedStore(t)
	good, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		size int64
	}{
		{"shorter than a page", 100},
		{"just past the meta pages", int64(2*pageSize) + 16},
		{"mid-way", need / 2},
		{"one page short", need - int64(pageSize)},
		{"one byte short", need - 1},
	} {
		t.Run(c.name, func(t *testing.T) {
			cut := filepath.Join(t.TempDir(), "quorum.db")
			if err := os.WriteFile(cut, good[:c.size], 0o600); err != nil {
				t.Fatal(err)
			}
			s, err := Open(cut, 0)
			if err == nil {
				s.Close()
				t.Fatalf("a file of %d of %d bytes opened", c.size, need)
			}
			if !errors.Is(err, ErrDamaged) {
				t.Fatalf("got %v, want ErrDamaged", err)
			}
			if msg := err.Error(); !strings.HasPrefix(msg, cut+" is damaged or incomplete") || !strings.HasSuffix(msg, "; restore another copy of it") {
				t.Fatalf("got %q, want it to name the file and say what to do", msg)
			}
			if c.size > int64(2*pageSize) {
				if want := fmt.Sprintf("(%d bytes, the store needs at least %d)", c.size, need); !strings.Contains(err.Error(), want) {
					t.Fatalf("got %q, want it to say %s", err, want)
				}
			}
			if _, err := Inspect(cut, 0); !errors.Is(err, ErrDamaged) {
				t.Fatalf("Inspect: got %v, want ErrDamaged", err)
			}
			if fi, _ := os.Stat(cut); fi.Size() != c.size {
				t.Fatalf("Open changed the damaged file to %d bytes, want it left at %d", fi.Size(), c.size)
			}
		})
	}

	// The intact file still opens, with what was written.
	s := open(t, path)
	defer s.Close()
	if s.WasEmpty() {
		t.Fatal("WasEmpty on a used store")
	}
	if as, err := s.Attempts(ctx, "test:person-0"); err != nil || len(as) != 9 {
		t.Fatalf("got %d attempts, %v; want 9", len(as), err)
	}
}

func TestOpenFallsBackToTheOtherMetaPage(t *testing.T) {
	path, _, _ := usedStore(t)
	// A torn write of meta page 0 (bbolt alternates them): bbolt uses page 1.
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteAt(make([]byte, 64), pageHeaderSize); err != nil {
		t.Fatal(err)
	}
	f.Close()
	s, err := Open(path, 0)
	if err != nil {
		t.Fatalf("got %v, want the store open from its second meta page", err)
	}
	s.Close()
}

func TestOpenRefusesNotAStore(t *testing.T) {
	path := filepath.Join(t.TempDir(), "quorum.db")
	junk := []byte(strings.Repeat("not a bbolt file at all. ", 3000))
	if err := os.WriteFile(path, junk, 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := Open(path, 0)
	if !errors.Is(err, ErrDamaged) || !strings.Contains(err.Error(), "not a Quorum store") {
		t.Fatalf("got %v, want ErrDamaged saying it may not be a store", err)
	}
}

func TestOpenEmptyFileIsNewStoreAndSaysSo(t *testing.T) {
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty.db")
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	s := open(t, empty)
	if !s.WasEmpty() {
		t.Fatal("WasEmpty is false for a 0-byte file")
	}
	if err := s.SaveSession(ctx, &bot.Session{User: bot.User{Platform: "test", ID: "al"}}, nil); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s = open(t, empty)
	if s.WasEmpty() {
		t.Fatal("WasEmpty is true at the second open")
	}
	s.Close()

	// A missing file is a first start, not a warning.
	s = open(t, filepath.Join(dir, "new", "quorum.db"))
	defer s.Close()
	if s.WasEmpty() {
		t.Fatal("WasEmpty is true for a new file")
	}
	if ss, err := s.Sessions(ctx); err != nil || len(ss) != 0 {
		t.Fatalf("got %v, %v; want a new, empty store", ss, err)
	}
}

func TestInspectRefusesEmptyFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "copy.db")
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Inspect(path, 0); !errors.Is(err, ErrDamaged) {
		t.Fatalf("got %v, want ErrDamaged", err)
	}
}
