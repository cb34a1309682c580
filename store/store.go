// Package store keeps Quorum's people, sessions and attempts in a bbolt file.
// It implements bot.Store.
package store

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"sync/atomic"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"github.com/quorum-dev/quorum/bot"
)

// SchemaVersion is the layout this code reads and writes.
const SchemaVersion = 2

// Bucket names.
var (
	bucketMeta       = []byte("meta")
	bucketSessions   = []byte("sessions")   // be64(id) → Session JSON
	bucketAttempts   = []byte("attempts")   // user key, 0x00, be64(id) → Attempt JSON
	bucketUsers      = []byte("users")      // user key → User JSON
	bucketProfiles   = []byte("profiles")   // user key → profileRecord JSON
	bucketInterviews = []byte("interviews") // be64(id) → Interview JSON
	bucketDailies    = []byte("dailies")    // be64(id) → Daily JSON
	bucketRuns       = []byte("runs")       // be64(schedule id) + local run time → claimed time
	bucketDrills     = []byte("drills")     // be64(id) → Drill JSON (channel drills)
	bucketDrillRuns  = []byte("drillruns")  // be64(drill id) + local run time → DrillRun JSON
	bucketOutbox     = []byte("outbox")     // be64(attempt id) → Delivery JSON of a verdict not yet sent
	allBuckets       = [][]byte{bucketMeta, bucketSessions, bucketAttempts, bucketUsers, bucketProfiles, bucketInterviews, bucketDailies, bucketRuns, bucketDrills, bucketDrillRuns, bucketDailyUsers, bucketOutbox}

	keySchema = []byte("schema")
)

// ErrInUse is returned by Open when another process holds the file.
var ErrInUse = errors.New("the database is in use by another Quorum process")

// DefaultLockTimeout is how long Open waits for another process to let go of the file.
const DefaultLockTimeout = time.Second

// Store is a bbolt-backed bot.Store. It is safe for concurrent use.
type Store struct {
	db   *bolt.DB
	path string
	// wasEmpty: Open found path as a 0-byte file (see WasEmpty).
	wasEmpty bool
	// writers counts session and attempt writes in flight (see write).
	writers atomic.Int32
}

var (
	_ bot.Store      = (*Store)(nil)
	_ bot.Profiles   = (*Store)(nil)
	_ bot.Interviews = (*Store)(nil)
	_ bot.Schedules  = (*Store)(nil)
	_ bot.Outbox     = (*Store)(nil)
)

// Open opens (or creates, with mode 0600) the store at path. lockTimeout zero means
// DefaultLockTimeout. A file that is cut short or is not a store is refused with an
// error wrapping ErrDamaged, its message fit to show as it is. An existing empty file
// becomes a new store, and WasEmpty says so.
func Open(path string, lockTimeout time.Duration) (*Store, error) {
	if lockTimeout <= 0 {
		lockTimeout = DefaultLockTimeout
	}
	if dir := filepath.Dir(path); dir != "." {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("create store folder: %w", err)
		}
	}
	empty, err := checkFile(path)
	if err != nil {
		return nil, err
	}
	return openChecked(path, lockTimeout, empty)
}

// openChecked opens the checked file. A page damaged inside a file of the right length makes
// bbolt panic (an assertion, a slice out of range) or fault on its memory map while
// the buckets are created and migrated; that is reported as ErrDamaged, with the file
// closed, instead of crashing the command.
func openChecked(path string, lockTimeout time.Duration, empty bool) (s *Store, err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	var db *bolt.DB
	defer func() {
		if recover() != nil {
			if db != nil {
				db.Close()
			}
			s, err = nil, damagedPage(path)
		}
	}()
	db, err = bolt.Open(path, 0o600, &bolt.Options{Timeout: lockTimeout})
	if errors.Is(err, berrors.ErrTimeout) {
		return nil, fmt.Errorf("open %s: %w", path, ErrInUse)
	}
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	db.MaxBatchDelay = batchDelay // see write
	s = &Store{db: db, path: path, wasEmpty: empty}
	if err := s.init(); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

func (s *Store) init() error {
	if err := s.update(func(tx *bolt.Tx) error {
		for _, name := range allBuckets {
			if _, err := tx.CreateBucketIfNotExists(name); err != nil {
				return fmt.Errorf("create bucket %s: %w", name, err)
			}
		}
		return nil
	}); err != nil {
		return err
	}
	return migrate(s.db, s.path, migrations)
}

// WasEmpty reports whether Open found the file existing but empty (0 bytes) and made a
// new store in it. Unlike a missing file, that is worth a warning: a restore or copy
// that failed half-way leaves such a file, and the store then looks like nobody has
// used it.
func (s *Store) WasEmpty() bool { return s.wasEmpty }

// view and update run a bbolt transaction. A page damaged inside the file makes bbolt
// panic (an assertion, a slice out of range) or fault on its memory map when it reads
// the page; safely reports that as ErrDamaged, so one damaged page makes the commands
// that need it fail with a sentence instead of crashing the bot. bbolt rolls back a
// write transaction that panics.
func (s *Store) view(fn func(*bolt.Tx) error) error {
	return s.safely(func() error { return s.db.View(fn) })
}

func (s *Store) update(fn func(*bolt.Tx) error) error {
	return s.safely(func() error { return s.db.Update(fn) })
}

func (s *Store) safely(run func() error) (err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if recover() != nil {
			err = damagedPage(s.path)
		}
	}()
	return run()
}

// damagedPage is the error for bbolt panicking or faulting on a page of the file at
// path. The panic's own text says nothing a person can act on, so it is not kept.
func damagedPage(path string) error {
	return fmt.Errorf("%s is %w (a page inside it cannot be read); restore another copy of it", path, ErrDamaged)
}

// Path is the file the store lives in.
func (s *Store) Path() string { return s.path }

// Close closes the file.
func (s *Store) Close() error { return s.db.Close() }

func be64(n uint64) []byte {
	b := make([]byte, 8)
	binary.BigEndian.PutUint64(b, n)
	return b
}

func attemptKey(user string, id uint64) []byte {
	k := make([]byte, 0, len(user)+9)
	k = append(k, user...)
	k = append(k, 0)
	return append(k, be64(id)...)
}

// batchDelay is how long a session or attempt write waits for others to share its commit.
const batchDelay = 2 * time.Millisecond

// write runs a session or attempt write. Alone, it commits at once (Update); while
// another write is in flight it joins a batch (DB.Batch), so answers arriving together
// share commits and their fsyncs instead of queueing for one each, and a lone answer
// does not wait batchDelay for company that is not coming.
func (s *Store) write(fn func(*bolt.Tx) error) error {
	defer s.writers.Add(-1)
	if s.writers.Add(1) == 1 {
		return s.update(fn)
	}
	return s.safely(func() error { return s.db.Batch(fn) })
}

// SaveSession implements bot.Store.
func (s *Store) SaveSession(ctx context.Context, sess *bot.Session, a *bot.Attempt) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	sessID, sessAttempt := sess.ID, sess.AttemptID
	var attemptID uint64
	if a != nil {
		attemptID = a.ID
	}
	return s.write(func(tx *bolt.Tx) error {
		// Batch may run this again after a rolled-back try: start from the caller's ids,
		// not from ones a rolled-back sequence handed out.
		sess.ID, sess.AttemptID = sessID, sessAttempt
		// A session finished meanwhile (answered, skipped, forgotten) stays finished:
		// writing it again would leave a question open that nobody can close.
		if sess.ID != 0 && tx.Bucket(bucketSessions).Get(be64(sess.ID)) == nil {
			return bot.ErrNotFound
		}
		if a != nil {
			a.ID = attemptID
			if err := putAttempt(tx, a); err != nil {
				return err
			}
			if err := putDelivery(tx, a); err != nil {
				return err
			}
			sess.AttemptID = a.ID
		}
		if err := rememberPerson(tx, sess.User, sess.Asked); err != nil {
			return err
		}
		b := tx.Bucket(bucketSessions)
		if sess.ID == 0 && sess.Run != nil {
			claimed, err := claimRun(tx, sess.Run.Schedule, sess.Run.Key)
			if err != nil {
				return err
			}
			if !claimed {
				return bot.ErrRunClaimed
			}
		}
		if sess.ID == 0 {
			id, err := b.NextSequence()
			if err != nil {
				return fmt.Errorf("next session id: %w", err)
			}
			sess.ID = id
		}
		return putJSON(b, be64(sess.ID), sess)
	})
}

// FinishSession implements bot.Store.
func (s *Store) FinishSession(ctx context.Context, id uint64, a *bot.Attempt) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	var attemptID uint64
	if a != nil {
		attemptID = a.ID
	}
	return s.write(func(tx *bolt.Tx) error {
		if a == nil {
			if err := tx.Bucket(bucketSessions).Delete(be64(id)); err != nil {
				return fmt.Errorf("delete session: %w", err)
			}
			return nil
		}
		a.ID = attemptID // as in SaveSession: Batch may run this again
		// A session finished meanwhile (forgotten, above all) gets no attempt: writing
		// one would bring back an answer its person asked to delete.
		if id != 0 && tx.Bucket(bucketSessions).Get(be64(id)) == nil {
			return bot.ErrNotFound
		}
		if err := tx.Bucket(bucketSessions).Delete(be64(id)); err != nil {
			return fmt.Errorf("delete session: %w", err)
		}
		if err := putAttempt(tx, a); err != nil {
			return err
		}
		return putDelivery(tx, a)
	})
}

// putDelivery keeps attempt a's Deliver in the outbox (bot.Outbox), if it has one; a
// has its id. An attempt recorded again without one (a late answer replacing its
// time's-up) takes out what the earlier record left there: that message is no longer
// the one to send.
func putDelivery(tx *bolt.Tx, a *bot.Attempt) error {
	if a.Deliver == nil {
		return tx.Bucket(bucketOutbox).Delete(be64(a.ID))
	}
	d := *a.Deliver
	d.Attempt, d.Key = a.ID, a.MessageKey()
	return putJSON(tx.Bucket(bucketOutbox), be64(a.ID), &d)
}

// records returns the JSON records of bucket b, decoded as T, that keep accepts (all
// when keep is nil), with their keys, in key order. what names a record in errors.
func records[T any](tx *bolt.Tx, b []byte, what string, keep func(*T) bool) ([][]byte, []*T, error) {
	var keys [][]byte
	vals := []*T{} // an export lists none as [], not null
	err := tx.Bucket(b).ForEach(func(k, v []byte) error {
		rec := new(T)
		if err := json.Unmarshal(v, rec); err != nil {
			return fmt.Errorf("decode %s %x: %w", what, k, err)
		}
		if keep == nil || keep(rec) {
			keys, vals = append(keys, append([]byte(nil), k...)), append(vals, rec)
		}
		return nil
	})
	return keys, vals, err
}

// owned returns the records of bucket b whose person (user) is userKey (records).
func owned[T any](tx *bolt.Tx, b []byte, what, userKey string, user func(*T) bot.User) ([][]byte, []*T, error) {
	return records(tx, b, what, func(rec *T) bool { return user(rec).Key() == userKey })
}

// Undelivered implements bot.Outbox.
func (s *Store) Undelivered(ctx context.Context) ([]*bot.Delivery, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var out []*bot.Delivery
	err := s.view(func(tx *bolt.Tx) error {
		var err error
		_, out, err = records[bot.Delivery](tx, bucketOutbox, "delivery", nil)
		return err
	})
	return out, err
}

// Delivered implements bot.Outbox.
func (s *Store) Delivered(ctx context.Context, attempt uint64) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.write(func(tx *bolt.Tx) error { return tx.Bucket(bucketOutbox).Delete(be64(attempt)) })
}

// DeliveredKey implements bot.Outbox: the entry is read and deleted in one transaction,
// so a message replacing it meanwhile (a late answer's verdict) is never taken out by
// the send of the one it replaced.
func (s *Store) DeliveredKey(ctx context.Context, attempt uint64, key string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.write(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketOutbox)
		v := b.Get(be64(attempt))
		if v == nil {
			return nil
		}
		var d bot.Delivery
		if err := json.Unmarshal(v, &d); err != nil {
			return fmt.Errorf("decode delivery %d: %w", attempt, err)
		}
		if d.Key != "" && d.Key != key {
			return nil
		}
		return b.Delete(be64(attempt))
	})
}

// rememberPerson records a person the first time they are asked a question.
func rememberPerson(tx *bolt.Tx, u bot.User, at time.Time) error {
	b := tx.Bucket(bucketUsers)
	if b.Get([]byte(u.Key())) != nil {
		return nil
	}
	return putJSON(b, []byte(u.Key()), Person{User: u, FirstSeen: at})
}

// Person is what the store knows of someone beyond their attempts.
type Person struct {
	bot.User
	FirstSeen time.Time `json:"first_seen"`
}

// Person returns the record of the person with key userKey, or bot.ErrNotFound.
func (s *Store) Person(ctx context.Context, userKey string) (*Person, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var p *Person
	err := s.view(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketUsers).Get([]byte(userKey))
		if v == nil {
			return bot.ErrNotFound
		}
		p = new(Person)
		return json.Unmarshal(v, p)
	})
	return p, err
}

// putAttempt writes a and its summary: every attempt write goes through here, so the
// attempt index stays true.
func putAttempt(tx *bolt.Tx, a *bot.Attempt) error {
	b := tx.Bucket(bucketAttempts)
	if a.ID == 0 {
		id, err := b.NextSequence()
		if err != nil {
			return fmt.Errorf("next attempt id: %w", err)
		}
		a.ID = id
	}
	if err := putJSON(b, attemptKey(a.User, a.ID), a); err != nil {
		return err
	}
	return indexAttempt(tx, a)
}

func putJSON(b *bolt.Bucket, key []byte, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode: %w", err)
	}
	return b.Put(key, data)
}

// Sessions implements bot.Store.
func (s *Store) Sessions(ctx context.Context) ([]*bot.Session, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var out []*bot.Session
	err := s.view(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketSessions).ForEach(func(k, v []byte) error {
			sess := new(bot.Session)
			if err := json.Unmarshal(v, sess); err != nil {
				return fmt.Errorf("decode session %x: %w", k, err)
			}
			out = append(out, sess)
			return nil
		})
	})
	return out, err
}

// Attempts implements bot.Store.
func (s *Store) Attempts(ctx context.Context, userKey string) ([]*bot.Attempt, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var out []*bot.Attempt
	prefix := append([]byte(userKey), 0)
	err := s.view(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketAttempts).Cursor()
		for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
			a := new(bot.Attempt)
			// json.Unmarshal copies what it keeps, so v may go with the transaction.
			if err := json.Unmarshal(v, a); err != nil {
				return fmt.Errorf("decode attempt %x: %w", k, err)
			}
			out = append(out, a)
		}
		return nil
	})
	return out, err
}

// profileRecord is what the profiles bucket keeps per person.
type profileRecord struct {
	Profile *bot.Profile      `json:"profile,omitempty"`
	Pack    *bot.PersonalPack `json:"pack,omitempty"`
}

func (s *Store) loadProfile(ctx context.Context, userKey string) (profileRecord, error) {
	var rec profileRecord
	if err := ctx.Err(); err != nil {
		return rec, err
	}
	err := s.view(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketProfiles).Get([]byte(userKey))
		if v == nil {
			return nil
		}
		return json.Unmarshal(v, &rec)
	})
	return rec, err
}

func (s *Store) updateProfile(ctx context.Context, userKey string, change func(*profileRecord)) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketProfiles)
		var rec profileRecord
		if v := b.Get([]byte(userKey)); v != nil {
			if err := json.Unmarshal(v, &rec); err != nil {
				return fmt.Errorf("decode profile: %w", err)
			}
		}
		change(&rec)
		return putJSON(b, []byte(userKey), rec)
	})
}

// Profile implements bot.Profiles.
func (s *Store) Profile(ctx context.Context, userKey string) (*bot.Profile, error) {
	rec, err := s.loadProfile(ctx, userKey)
	if err == nil && rec.Profile == nil {
		err = bot.ErrNotFound
	}
	return rec.Profile, err
}

// SaveProfile implements bot.Profiles.
func (s *Store) SaveProfile(ctx context.Context, userKey string, p *bot.Profile) error {
	return s.updateProfile(ctx, userKey, func(rec *profileRecord) { rec.Profile = p })
}

// PersonalPack implements bot.Profiles.
func (s *Store) PersonalPack(ctx context.Context, userKey string) (*bot.PersonalPack, error) {
	rec, err := s.loadProfile(ctx, userKey)
	if err == nil && rec.Pack == nil {
		err = bot.ErrNotFound
	}
	return rec.Pack, err
}

// SavePersonalPack implements bot.Profiles.
func (s *Store) SavePersonalPack(ctx context.Context, userKey string, p *bot.PersonalPack) error {
	return s.updateProfile(ctx, userKey, func(rec *profileRecord) { rec.Pack = p })
}

// Forget implements bot.Profiles: one transaction deletes every record of the person.
func (s *Store) Forget(ctx context.Context, userKey string) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	n := 0
	err := s.update(func(tx *bolt.Tx) error {
		for _, b := range [][]byte{bucketProfiles, bucketUsers} {
			if tx.Bucket(b).Get([]byte(userKey)) != nil {
				n++
				if err := tx.Bucket(b).Delete([]byte(userKey)); err != nil {
					return err
				}
			}
		}
		prefix := append([]byte(userKey), 0)
		c := tx.Bucket(bucketAttempts).Cursor()
		for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Seek(prefix) {
			if err := c.Delete(); err != nil {
				return err
			}
			n++
		}
		if err := forgetAttemptIndex(tx, prefix); err != nil {
			return err
		}
		m, err := deleteOwned(tx, bucketSessions, "session", userKey, func(s *bot.Session) bot.User { return s.User })
		if err != nil {
			return err
		}
		n += m
		if m, err = deleteOwned(tx, bucketOutbox, "delivery", userKey, func(d *bot.Delivery) bot.User { return d.User }); err != nil {
			return err
		}
		n += m
		_, dailies, err := owned(tx, bucketDailies, "schedule", userKey, func(d *bot.Daily) bot.User { return d.User })
		if err != nil {
			return err
		}
		for _, d := range dailies {
			if err := deleteDaily(tx, d.ID); err != nil {
				return err
			}
			n++
		}
		if m, err = forgetDrillAnswers(tx, userKey); err != nil {
			return err
		}
		n += m
		if m, err = deleteOwned(tx, bucketInterviews, "interview", userKey, func(iv *bot.Interview) bot.User { return iv.User }); err != nil {
			return err
		}
		n += m
		return nil
	})
	return n, err
}

// deleteOwned deletes the records of bucket b whose person is userKey (owned) and
// returns how many there were.
func deleteOwned[T any](tx *bolt.Tx, b []byte, what, userKey string, user func(*T) bot.User) (int, error) {
	keys, _, err := owned(tx, b, what, userKey, user)
	if err != nil {
		return 0, err
	}
	for _, k := range keys {
		if err := tx.Bucket(b).Delete(k); err != nil {
			return 0, err
		}
	}
	return len(keys), nil
}

// SaveInterview implements bot.Interviews.
func (s *Store) SaveInterview(ctx context.Context, iv *bot.Interview) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketInterviews)
		// An interview deleted meanwhile (forgotten) is not written again.
		if iv.ID != 0 && b.Get(be64(iv.ID)) == nil {
			return bot.ErrNotFound
		}
		if iv.ID == 0 {
			id, err := b.NextSequence()
			if err != nil {
				return fmt.Errorf("next interview id: %w", err)
			}
			iv.ID = id
		}
		return putJSON(b, be64(iv.ID), iv)
	})
}

// Interview implements bot.Interviews.
func (s *Store) Interview(ctx context.Context, id uint64) (*bot.Interview, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var iv *bot.Interview
	err := s.view(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketInterviews).Get(be64(id))
		if v == nil {
			return bot.ErrNotFound
		}
		iv = new(bot.Interview)
		return json.Unmarshal(v, iv)
	})
	return iv, err
}

// RunningInterviews implements bot.Interviews.
func (s *Store) RunningInterviews(ctx context.Context) ([]*bot.Interview, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var out []*bot.Interview
	err := s.view(func(tx *bolt.Tx) error {
		var err error
		_, out, err = records(tx, bucketInterviews, "interview", func(iv *bot.Interview) bool { return iv.State == bot.InterviewRunning })
		return err
	})
	return out, err
}

// SaveDaily implements bot.Schedules.
func (s *Store) SaveDaily(ctx context.Context, d *bot.Daily) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketDailies)
		if d.ID == 0 {
			id, err := b.NextSequence()
			if err != nil {
				return fmt.Errorf("next schedule id: %w", err)
			}
			d.ID = id
		} else if err := unindexDaily(tx, d.ID); err != nil {
			return err
		}
		if err := putJSON(b, be64(d.ID), d); err != nil {
			return err
		}
		return indexDaily(tx, d)
	})
}

// DeleteDaily implements bot.Schedules; the drill's run records go with it.
func (s *Store) DeleteDaily(ctx context.Context, id uint64) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.update(func(tx *bolt.Tx) error { return deleteDaily(tx, id) })
}

func deleteDaily(tx *bolt.Tx, id uint64) error {
	if err := unindexDaily(tx, id); err != nil {
		return err
	}
	if err := tx.Bucket(bucketDailies).Delete(be64(id)); err != nil {
		return err
	}
	c := tx.Bucket(bucketRuns).Cursor()
	prefix := be64(id)
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Seek(prefix) {
		if err := c.Delete(); err != nil {
			return err
		}
	}
	return nil
}

// Daily implements bot.Schedules.
func (s *Store) Daily(ctx context.Context, id uint64) (*bot.Daily, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var d *bot.Daily
	err := s.view(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketDailies).Get(be64(id))
		if v == nil {
			return bot.ErrNotFound
		}
		d = new(bot.Daily)
		return json.Unmarshal(v, d)
	})
	return d, err
}

// Dailies implements bot.Schedules.
func (s *Store) Dailies(ctx context.Context) ([]*bot.Daily, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var out []*bot.Daily
	err := s.view(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketDailies).ForEach(func(k, v []byte) error {
			d := new(bot.Daily)
			if err := json.Unmarshal(v, d); err != nil {
				return fmt.Errorf("decode schedule %x: %w", k, err)
			}
			out = append(out, d)
			return nil
		})
	})
	return out, err
}

// ClaimRun implements bot.Schedules: the claim is one transaction, so two claims of
// the same run cannot both succeed.
func (s *Store) ClaimRun(ctx context.Context, id uint64, key string) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	claimed := false
	err := s.update(func(tx *bolt.Tx) error {
		var err error
		claimed, err = claimRun(tx, id, key)
		return err
	})
	return claimed, err
}

// claimRun records run key of schedule id in tx, and reports false if it was recorded
// before. ClaimRun and SaveSession (for a session asked for a run) share it.
func claimRun(tx *bolt.Tx, id uint64, key string) (bool, error) {
	b := tx.Bucket(bucketRuns)
	k := append(be64(id), key...)
	if b.Get(k) != nil {
		return false, nil
	}
	return true, b.Put(k, []byte(time.Now().UTC().Format(time.RFC3339)))
}

// ReleaseRun implements bot.Schedules: the claim and the run's session go in one
// transaction.
func (s *Store) ReleaseRun(ctx context.Context, id uint64, key string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.update(func(tx *bolt.Tx) error {
		keys, _, err := records(tx, bucketSessions, "session", func(sess *bot.Session) bool {
			return sess.Run != nil && sess.Run.Schedule == id && sess.Run.Key == key
		})
		if err != nil {
			return err
		}
		for _, k := range keys {
			if err := tx.Bucket(bucketSessions).Delete(k); err != nil {
				return fmt.Errorf("delete session: %w", err)
			}
		}
		return tx.Bucket(bucketRuns).Delete(append(be64(id), key...))
	})
}

// ClearSkipNext implements bot.Schedules: read, change and write in one transaction.
func (s *Store) ClearSkipNext(ctx context.Context, id uint64) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketDailies)
		v := b.Get(be64(id))
		if v == nil {
			return bot.ErrNotFound
		}
		var d bot.Daily
		if err := json.Unmarshal(v, &d); err != nil {
			return fmt.Errorf("decode schedule %d: %w", id, err)
		}
		if !d.SkipNext {
			return nil
		}
		d.SkipNext = false
		return putJSON(b, be64(id), &d)
	})
}

// LastRun implements bot.Schedules.
func (s *Store) LastRun(ctx context.Context, id uint64) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	last := ""
	err := s.view(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketRuns).Cursor()
		prefix := be64(id)
		for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
			last = string(k[8:])
		}
		return nil
	})
	return last, err
}
