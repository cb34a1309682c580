package store

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/quorum-dev/quorum/bot"
	bolt "go.etcd.io/bbolt"
)

var _ bot.Drills = (*Store)(nil)

// drillRunKey orders a drill's runs by their local run time.
func drillRunKey(drill uint64, key string) []byte { return append(be64(drill), key...) }

// SaveDrill implements bot.Drills.
func (s *Store) SaveDrill(ctx context.Context, d *bot.Drill) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketDrills)
		if d.ID == 0 {
			id, err := b.NextSequence()
			if err != nil {
				return fmt.Errorf("next drill id: %w", err)
			}
			d.ID = id
		}
		return putJSON(b, be64(d.ID), d)
	})
}

// DeleteDrill implements bot.Drills. The drill's past runs stay: they are the channel's
// history, which leaderboards count.
func (s *Store) DeleteDrill(ctx context.Context, id uint64) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.update(func(tx *bolt.Tx) error { return tx.Bucket(bucketDrills).Delete(be64(id)) })
}

// Drill implements bot.Drills.
func (s *Store) Drill(ctx context.Context, id uint64) (*bot.Drill, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var d *bot.Drill
	err := s.view(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketDrills).Get(be64(id))
		if v == nil {
			return bot.ErrNotFound
		}
		d = new(bot.Drill)
		return json.Unmarshal(v, d)
	})
	return d, err
}

// Drills implements bot.Drills.
func (s *Store) Drills(ctx context.Context) ([]*bot.Drill, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var out []*bot.Drill
	err := s.view(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketDrills).ForEach(func(k, v []byte) error {
			d := new(bot.Drill)
			if err := json.Unmarshal(v, d); err != nil {
				return fmt.Errorf("decode drill %x: %w", k, err)
			}
			out = append(out, d)
			return nil
		})
	})
	return out, err
}

// ClaimDrillRun implements bot.Drills in one transaction, so two claims of the same run
// cannot both succeed.
func (s *Store) ClaimDrillRun(ctx context.Context, r *bot.DrillRun) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	claimed := false
	err := s.update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketDrillRuns)
		k := drillRunKey(r.Drill, r.Key)
		if b.Get(k) != nil {
			return nil
		}
		claimed = true
		return putJSON(b, k, r)
	})
	return claimed, err
}

// SaveDrillRun implements bot.Drills. The answers stored with the run are kept: only
// AnswerDrillRun changes them.
func (s *Store) SaveDrillRun(ctx context.Context, r *bot.DrillRun) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketDrillRuns)
		k := drillRunKey(r.Drill, r.Key)
		cp := *r
		if v := b.Get(k); v != nil {
			var old bot.DrillRun
			if err := json.Unmarshal(v, &old); err != nil {
				return fmt.Errorf("decode drill run: %w", err)
			}
			cp.Answers = old.Answers
		}
		return putJSON(b, k, &cp)
	})
}

// DeleteDrillRun implements bot.Drills.
func (s *Store) DeleteDrillRun(ctx context.Context, drill uint64, key string) error {
	return s.update(func(tx *bolt.Tx) error { return tx.Bucket(bucketDrillRuns).Delete(drillRunKey(drill, key)) })
}

// DrillRuns implements bot.Drills.
func (s *Store) DrillRuns(ctx context.Context, match func(*bot.DrillRun) bool) ([]*bot.DrillRun, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var out []*bot.DrillRun
	err := s.view(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketDrillRuns).ForEach(func(k, v []byte) error {
			r := new(bot.DrillRun)
			if err := json.Unmarshal(v, r); err != nil {
				return fmt.Errorf("decode drill run %x: %w", k, err)
			}
			if match == nil || match(r) {
				out = append(out, r)
			}
			return nil
		})
	})
	return out, err
}

// LastDrillRun implements bot.Drills.
func (s *Store) LastDrillRun(ctx context.Context, drill uint64) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	last := ""
	err := s.view(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketDrillRuns).Cursor()
		prefix := be64(drill)
		for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
			last = string(k[8:])
		}
		return nil
	})
	return last, err
}

// AnswerDrillRun implements bot.Drills: the member's attempt and their line in the run
// are written together, and only once.
func (s *Store) AnswerDrillRun(ctx context.Context, drill uint64, key string, a *bot.Attempt, ans bot.DrillAnswer) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	recorded := false
	err := s.update(func(tx *bolt.Tx) error {
		runs := tx.Bucket(bucketDrillRuns)
		k := drillRunKey(drill, key)
		v := runs.Get(k)
		if v == nil {
			return bot.ErrNotFound
		}
		var r bot.DrillRun
		if err := json.Unmarshal(v, &r); err != nil {
			return fmt.Errorf("decode drill run: %w", err)
		}
		if slices.ContainsFunc(r.Answers, func(x bot.DrillAnswer) bool { return x.User.Key() == ans.User.Key() }) {
			return nil
		}
		if err := rememberPerson(tx, ans.User, a.Answered); err != nil {
			return err
		}
		if err := putAttempt(tx, a); err != nil {
			return err
		}
		if err := putDelivery(tx, a); err != nil {
			return err
		}
		ans.Attempt = a.ID
		r.Answers = append(r.Answers, ans)
		recorded = true
		return putJSON(runs, k, &r)
	})
	return recorded, err
}

// forgetDrillAnswers removes a person's lines from drill runs and their name from the
// drills they set up (the drills themselves belong to the channel).
func forgetDrillAnswers(tx *bolt.Tx, userKey string) (int, error) {
	n := 0
	runs := tx.Bucket(bucketDrillRuns)
	type change struct {
		k []byte
		r *bot.DrillRun
	}
	var changes []change
	err := runs.ForEach(func(k, v []byte) error {
		r := new(bot.DrillRun)
		if err := json.Unmarshal(v, r); err != nil {
			return fmt.Errorf("decode drill run %x: %w", k, err)
		}
		before := len(r.Answers)
		r.Answers = slices.DeleteFunc(r.Answers, func(x bot.DrillAnswer) bool { return x.User.Key() == userKey })
		if len(r.Answers) != before {
			changes = append(changes, change{append([]byte(nil), k...), r})
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	for _, c := range changes {
		if err := putJSON(runs, c.k, c.r); err != nil {
			return 0, err
		}
		n++
	}
	drills := tx.Bucket(bucketDrills)
	var owned []*bot.Drill
	err = drills.ForEach(func(k, v []byte) error {
		d := new(bot.Drill)
		if err := json.Unmarshal(v, d); err != nil {
			return fmt.Errorf("decode drill %x: %w", k, err)
		}
		if d.By.Key() == userKey {
			owned = append(owned, d)
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	for _, d := range owned {
		d.By = bot.User{}
		if err := putJSON(drills, be64(d.ID), d); err != nil {
			return 0, err
		}
		n++
	}
	return n, nil
}
