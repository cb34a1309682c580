package store

import (
	"fmt"
	"io"
	"path/filepath"
	"testing"

	bolt "go.etcd.io/bbolt"

	"github.com/quorum-dev/quorum/bot"
)

// BenchmarkBackup copies a store of 100,000 attempts (about the size a busy group
// reaches in a year) to io.Discard: the time a backup holds its read transaction.
func BenchmarkBackup(b *testing.B) {
	path := filepath.Join(b.TempDir(), "q.db")
	s, err := Open(path, 0)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	const people, each = 500, 200
	err = s.db.Update(func(tx *bolt.Tx) error {
		for p := 0; p < people; p++ {
			for i := 0; i < each; i++ {
				a := &bot.Attempt{User: fmt.Sprint("discord:", p), Question: "ds-consensus/raft-election", Outcome: bot.OutcomeGraded,
					Score: i % 100, Answer: "Raft elects a leader per term with a majority of votes; each server votes once per term."}
				if err := putAttempt(tx, a); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	n, err := s.Backup(ctx, io.Discard)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(n)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := s.Backup(ctx, io.Discard); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n)/(1<<20), "MB")
}
