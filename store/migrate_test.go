package store

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/quorum-dev/quorum/bot"
)

// v1File writes a file the way schema version 1 lays it out, with one attempt in it.
func v1File(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "v1.db")
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		for _, name := range allBuckets {
			if bytes.Equal(name, bucketDailyUsers) {
				continue // added by schema 2
			}
			if _, err := tx.CreateBucket(name); err != nil {
				return err
			}
		}
		if err := tx.Bucket(bucketMeta).Put(keySchema, be64(1)); err != nil {
			return err
		}
		daily := `{"id":7,"user":{"platform":"test","id":"bob"},"conv":{"platform":"test","id":"dm-bob","dm":true},"hour":9,"minute":0,"tz":"UTC"}`
		if err := tx.Bucket(bucketDailies).Put(be64(7), []byte(daily)); err != nil {
			return err
		}
		return tx.Bucket(bucketAttempts).Put(attemptKey("test:alice", 1), []byte(`{"id":1,"user":"test:alice","question":"p/q","outcome":"graded","score":70}`))
	})
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	return path
}

// Schema 2 indexes daily drills by person: a version-1 file opens with its drills found.
func TestMigrationIndexesDailies(t *testing.T) {
	path := v1File(t)
	s, err := Open(path, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if v, _ := s.Version(); v != 2 {
		t.Fatalf("got version %d, want 2", v)
	}
	d, err := s.DailyOf(ctx, "test:bob")
	if err != nil || d.ID != 7 || d.Hour != 9 {
		t.Fatalf("got %+v, %v; want bob's drill 7", d, err)
	}
	if _, err := s.DailyOf(ctx, "test:alice"); !errors.Is(err, bot.ErrNotFound) {
		t.Fatalf("got %v for alice, want ErrNotFound", err)
	}
}

func TestMigrationFromV2ToV3(t *testing.T) {
	path := v1File(t)
	// A stand-in for a later change: version 3 moves attempts' scores into a new bucket.
	toV2 := migration{To: 3, Name: "scores bucket", Run: func(tx *bolt.Tx) error {
		b, err := tx.CreateBucket([]byte("scores"))
		if err != nil {
			return err
		}
		return tx.Bucket(bucketAttempts).ForEach(func(k, v []byte) error {
			if !bytes.Contains(v, []byte(`"score":70`)) {
				return errors.New("attempt without its score")
			}
			return b.Put(k, []byte("70"))
		})
	}}
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if err := migrate(db, path, append(migrations, toV2)); err != nil {
		t.Fatal(err)
	}
	s := &Store{db: db, path: path}
	if v, _ := s.Version(); v != 3 {
		t.Fatalf("got version %d, want 3", v)
	}
	err = db.View(func(tx *bolt.Tx) error {
		if got := tx.Bucket([]byte("scores")).Get(attemptKey("test:alice", 1)); string(got) != "70" {
			t.Errorf("got score %q in the new bucket, want 70", got)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// The attempt is still read through the store as before.
	if got, err := s.Attempts(ctx, "test:alice"); err != nil || len(got) != 1 || got[0].Score != 70 {
		t.Fatalf("got %v, %v; want the one attempt", got, err)
	}
	// Running again is a no-op.
	if err := migrate(db, path, append(migrations, toV2)); err != nil {
		t.Fatal(err)
	}
	db.Close()

	// This binary (schema 2) refuses the migrated file, and leaves it alone.
	if _, err := Open(path, 0); err == nil || !strings.Contains(err.Error(), "newer than this Quorum") {
		t.Fatalf("got %v, want a newer-schema error", err)
	}
}

func TestFailedMigrationLeavesTheOldVersion(t *testing.T) {
	path := v1File(t)
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	broken := migration{To: 2, Name: "half done", Run: func(tx *bolt.Tx) error {
		if err := tx.Bucket(bucketAttempts).Delete(attemptKey("test:alice", 1)); err != nil {
			return err
		}
		return errors.New("disk full")
	}}
	err = migrate(db, path, []migration{broken})
	if err == nil || !strings.Contains(err.Error(), "from version 1 to 2 (half done)") {
		t.Fatalf("got %v, want the failing step named", err)
	}
	s := &Store{db: db, path: path}
	if v, _ := s.Version(); v != 1 {
		t.Fatalf("got version %d, want 1", v)
	}
	if got, _ := s.Attempts(ctx, "test:alice"); len(got) != 1 {
		t.Fatalf("got %d attempts, want the one the failed step deleted back", len(got))
	}
}

func TestMigrationsAreNumberedInOrder(t *testing.T) {
	for i, m := range migrations {
		if m.To != uint64(i)+2 {
			t.Fatalf("migration %d (%s) goes to %d, want %d", i, m.Name, m.To, i+2)
		}
	}
	if latest(migrations) != SchemaVersion {
		t.Fatalf("migrations end at %d, SchemaVersion is %d", latest(migrations), SchemaVersion)
	}
}

func TestBackupOfALiveStore(t *testing.T) {
	dir := t.TempDir()
	s := open(t, filepath.Join(dir, "q.db"))
	defer s.Close()
	u := bot.User{Platform: "test", ID: "alice"}
	for i := 0; i < 50; i++ {
		if err := s.SaveSession(ctx, &bot.Session{User: u, Conv: bot.Conversation{Platform: "test", ID: "c"}, Question: "p/q", State: bot.SessionOpen}, &bot.Attempt{User: u.Key(), Question: "p/q", Outcome: bot.OutcomeGraded, Score: i}); err != nil {
			t.Fatal(err)
		}
	}
	// Writes keep coming while the copy is taken.
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			select {
			case <-stop:
				return
			default:
			}
			s.SaveSession(ctx, &bot.Session{User: bot.User{Platform: "test", ID: "bob"}, Conv: bot.Conversation{Platform: "test", ID: "d"}, State: bot.SessionOpen}, &bot.Attempt{User: "test:bob", Outcome: bot.OutcomeSkipped})
		}
	}()
	var buf bytes.Buffer
	n, err := s.Backup(ctx, &buf)
	close(stop)
	<-done
	if err != nil || n != int64(buf.Len()) || n == 0 {
		t.Fatalf("got %d bytes (%d buffered), %v", n, buf.Len(), err)
	}
	copyPath := filepath.Join(dir, "copy.db")
	if err := writeFile(copyPath, buf.Bytes()); err != nil {
		t.Fatal(err)
	}
	sum, err := Inspect(copyPath, 0)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Version != SchemaVersion || sum.People < 1 || sum.Sessions < 50 || sum.Attempts != sum.Sessions {
		t.Fatalf("got %+v; want every session with its attempt", sum)
	}
	c := open(t, copyPath)
	defer c.Close()
	got, err := c.Attempts(ctx, u.Key())
	if err != nil || len(got) != 50 || got[49].Score != 49 {
		t.Fatalf("got %d attempts, %v; want alice's 50", len(got), err)
	}
}

func writeFile(path string, data []byte) error {
	return os.WriteFile(path, data, 0o600)
}
