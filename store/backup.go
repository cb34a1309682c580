package store

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Backup writes a consistent copy of the whole store to w: bbolt's read transaction
// sees one snapshot while the bot keeps writing. It returns the bytes written.
func (s *Store) Backup(ctx context.Context, w io.Writer) (int64, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	var n int64
	err := s.view(func(tx *bolt.Tx) error {
		var err error
		n, err = tx.WriteTo(ctxWriter{ctx, w})
		return err
	})
	if err != nil {
		return n, fmt.Errorf("back up store: %w", err)
	}
	return n, nil
}

// ctxWriter stops a long copy when its context ends (a client that went away).
type ctxWriter struct {
	ctx context.Context
	w   io.Writer
}

func (c ctxWriter) Write(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.w.Write(p)
}

// Summary is what a check of a store file found.
type Summary struct {
	Version  uint64
	Sessions int
	Attempts int
	People   int
}

// Inspect opens the store file at path read-only, checks its pages and counts what it
// holds: a backup is worth keeping only once it opens. It waits up to lockTimeout for a
// writer to let go of the file. A file cut short or empty is refused with ErrDamaged.
func Inspect(path string, lockTimeout time.Duration) (Summary, error) {
	var sum Summary
	if lockTimeout <= 0 {
		lockTimeout = DefaultLockTimeout
	}
	if empty, err := checkFile(path); err != nil {
		return sum, err
	} else if empty {
		return sum, fmt.Errorf("%s is %w: it is empty", path, ErrDamaged)
	}
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, Timeout: lockTimeout})
	if err != nil {
		return sum, fmt.Errorf("open %s: %w", path, err)
	}
	defer db.Close()
	err = db.View(func(tx *bolt.Tx) error {
		var bad error
		for err := range tx.Check() { // read to the end: Check's goroutine sends them all
			if bad == nil {
				bad = err
			}
		}
		if bad != nil {
			return fmt.Errorf("check %s: %w", path, bad)
		}
		meta := tx.Bucket(bucketMeta)
		if meta == nil || meta.Get(keySchema) == nil {
			return errors.New("not a Quorum store: no schema version")
		}
		sum.Version = binary.BigEndian.Uint64(meta.Get(keySchema))
		count := func(name []byte) int {
			if b := tx.Bucket(name); b != nil {
				return b.Stats().KeyN
			}
			return 0
		}
		sum.Sessions, sum.Attempts, sum.People = count(bucketSessions), count(bucketAttempts), count(bucketUsers)
		return nil
	})
	return sum, err
}
