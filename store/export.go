package store

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"github.com/quorum-dev/quorum/bot"
)

var _ bot.Exporter = (*Store)(nil)

// Export implements bot.Exporter. It walks the buckets Forget deletes from, the same
// way, in one read transaction: a test holds the two to the same records.
func (s *Store) Export(ctx context.Context, userKey string) (*bot.PersonalData, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	d := &bot.PersonalData{Format: bot.ExportFormat, User: userKey, Attempts: []*bot.Attempt{}, Sessions: []*bot.Session{},
		Dailies: []*bot.Daily{}, DailyRuns: []bot.DailyRun{}, Interviews: []*bot.Interview{},
		DrillsSetUp: []*bot.Drill{}, DrillAnswers: []bot.DrillRunAnswer{}, Undelivered: []*bot.Delivery{}}
	err := s.view(func(tx *bolt.Tx) error {
		if v := tx.Bucket(bucketUsers).Get([]byte(userKey)); v != nil {
			var p Person
			if err := json.Unmarshal(v, &p); err != nil {
				return fmt.Errorf("decode person: %w", err)
			}
			d.Person = &bot.PersonRecord{User: p.User, FirstSeen: p.FirstSeen}
		}
		if v := tx.Bucket(bucketProfiles).Get([]byte(userKey)); v != nil {
			var rec profileRecord
			if err := json.Unmarshal(v, &rec); err != nil {
				return fmt.Errorf("decode profile: %w", err)
			}
			d.Profile, d.PersonalPack = rec.Profile, rec.Pack
			if d.Profile == nil && d.PersonalPack == nil {
				d.Profile = &bot.Profile{} // the record exists, even if empty
			}
		}
		prefix := append([]byte(userKey), 0)
		c := tx.Bucket(bucketAttempts).Cursor()
		for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
			a := new(bot.Attempt)
			if err := json.Unmarshal(v, a); err != nil {
				return fmt.Errorf("decode attempt %x: %w", k, err)
			}
			d.Attempts = append(d.Attempts, a)
		}
		var err error
		if _, d.Sessions, err = owned(tx, bucketSessions, "session", userKey, func(s *bot.Session) bot.User { return s.User }); err != nil {
			return err
		}
		if _, d.Dailies, err = owned(tx, bucketDailies, "schedule", userKey, func(x *bot.Daily) bot.User { return x.User }); err != nil {
			return err
		}
		runs := tx.Bucket(bucketRuns).Cursor()
		for _, daily := range d.Dailies {
			prefix := be64(daily.ID)
			for k, v := runs.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = runs.Next() {
				d.DailyRuns = append(d.DailyRuns, bot.DailyRun{Daily: binary.BigEndian.Uint64(k[:8]), Run: string(k[8:]), Claimed: string(v)})
			}
		}
		if _, d.Interviews, err = owned(tx, bucketInterviews, "interview", userKey, func(iv *bot.Interview) bot.User { return iv.User }); err != nil {
			return err
		}
		if _, d.Undelivered, err = owned(tx, bucketOutbox, "delivery", userKey, func(x *bot.Delivery) bot.User { return x.User }); err != nil {
			return err
		}
		return exportDrills(tx, userKey, d)
	})
	if err != nil {
		return nil, err
	}
	return d, nil
}

// exportDrills adds what forgetDrillAnswers changes: the drills the person set up, and
// their own lines (only theirs) in drill runs.
func exportDrills(tx *bolt.Tx, userKey string, d *bot.PersonalData) error {
	err := tx.Bucket(bucketDrills).ForEach(func(k, v []byte) error {
		drill := new(bot.Drill)
		if err := json.Unmarshal(v, drill); err != nil {
			return fmt.Errorf("decode drill %x: %w", k, err)
		}
		if drill.By.Key() == userKey {
			d.DrillsSetUp = append(d.DrillsSetUp, drill)
		}
		return nil
	})
	if err != nil {
		return err
	}
	return tx.Bucket(bucketDrillRuns).ForEach(func(k, v []byte) error {
		var r bot.DrillRun
		if err := json.Unmarshal(v, &r); err != nil {
			return fmt.Errorf("decode drill run %x: %w", k, err)
		}
		for _, a := range r.Answers {
			if a.User.Key() == userKey {
				d.DrillAnswers = append(d.DrillAnswers, bot.DrillRunAnswer{Drill: r.Drill, Run: r.Key, Conv: r.Conv, Question: r.Question, Answer: a})
			}
		}
		return nil
	})
}
