package store

import (
	"errors"
	"os"
	"testing"

	"github.com/quorum-dev/quorum/bot"
)

// TestDamagedPagesAreErrors overwrites each page of a used store in turn (a file of the
// right length with garbage inside, which checkFile cannot see) and reads and writes
// through the Store: bbolt panics or faults on such pages, and that must come back as
// ErrDamaged, never crash the process or leave the file locked.
func TestDamagedPagesAreErrors(t *testing.T) {
	path, pageSize, need := usedStore(t)
	good, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	damaged := 0
	for off := int64(2 * pageSize); off < need; off += int64(pageSize) {
		b := append([]byte(nil), good...)
		for i := off; i < off+int64(pageSize)/2; i++ {
			b[i] = 0xff
		}
		if err := os.WriteFile(path, b, 0o600); err != nil {
			t.Fatal(err)
		}
		s, err := Open(path, 0)
		if err == nil {
			_, err = s.Attempts(ctx, "test:person-1")
			if err == nil {
				u := bot.User{Platform: "test", ID: "person-2"}
				err = s.SaveSession(ctx, &bot.Session{User: u, State: bot.SessionOpen}, &bot.Attempt{User: u.Key(), Question: "p/q", Outcome: bot.OutcomeGraded})
			}
			if cerr := s.Close(); cerr != nil {
				t.Errorf("page at %d: close: %v", off, cerr)
			}
		}
		if errors.Is(err, ErrInUse) {
			t.Fatalf("page at %d: the file was left locked: %v", off, err)
		}
		if errors.Is(err, ErrDamaged) {
			damaged++
		}
	}
	if damaged == 0 {
		t.Fatalf("no damaged page was reported as ErrDamaged; the test no longer reaches bbolt's panics")
	}
	t.Logf("%d of %d damaged pages reported as ErrDamaged", damaged, (need-int64(2*pageSize))/int64(pageSize))
}
