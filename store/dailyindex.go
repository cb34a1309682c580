package store

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"

	"github.com/quorum-dev/quorum/bot"
	bolt "go.etcd.io/bbolt"
)

// bucketDailyUsers finds a person's daily drill without reading every drill: `stats`,
// `daily status` and the Slack home ask for it, and a scan costs ~10 ms at 10,000 drills.
var bucketDailyUsers = []byte("dailyusers") // user key → be64(daily id)

var _ bot.DailyFinder = (*Store)(nil)

// indexDaily points the person's entry at d. tx must be writable.
func indexDaily(tx *bolt.Tx, d *bot.Daily) error {
	return tx.Bucket(bucketDailyUsers).Put([]byte(d.User.Key()), be64(d.ID))
}

// unindexDaily removes the entry of the drill stored under id, if it points there.
func unindexDaily(tx *bolt.Tx, id uint64) error {
	v := tx.Bucket(bucketDailies).Get(be64(id))
	if v == nil {
		return nil
	}
	var d bot.Daily
	if err := json.Unmarshal(v, &d); err != nil {
		return fmt.Errorf("decode schedule %d: %w", id, err)
	}
	idx := tx.Bucket(bucketDailyUsers)
	if cur := idx.Get([]byte(d.User.Key())); bytes.Equal(cur, be64(id)) {
		return idx.Delete([]byte(d.User.Key()))
	}
	return nil
}

// DailyOf implements bot.DailyFinder.
func (s *Store) DailyOf(ctx context.Context, userKey string) (*bot.Daily, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var d *bot.Daily
	err := s.view(func(tx *bolt.Tx) error {
		id := tx.Bucket(bucketDailyUsers).Get([]byte(userKey))
		if id == nil {
			return bot.ErrNotFound
		}
		v := tx.Bucket(bucketDailies).Get(id)
		if v == nil {
			return bot.ErrNotFound
		}
		d = new(bot.Daily)
		return json.Unmarshal(v, d)
	})
	return d, err
}

// migrateDailyIndex (schema 2) indexes the daily drills a version-1 store holds.
func migrateDailyIndex(tx *bolt.Tx) error {
	idx, err := tx.CreateBucketIfNotExists(bucketDailyUsers)
	if err != nil {
		return err
	}
	return tx.Bucket(bucketDailies).ForEach(func(k, v []byte) error {
		var d bot.Daily
		if err := json.Unmarshal(v, &d); err != nil {
			return fmt.Errorf("decode schedule %x: %w", k, err)
		}
		return idx.Put([]byte(d.User.Key()), append([]byte(nil), k...))
	})
}
