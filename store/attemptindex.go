package store

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/quorum-dev/quorum/bot"
)

// bucketAttemptIndex mirrors the attempts bucket, same keys, with each attempt's summary
// (all but the answer and the verdict) in a compact binary form. Picking a question reads
// every attempt of the person; decoding 10,000 whole attempts from JSON takes about 150 ms,
// their summaries a few. putAttempt writes both; attempts written before the index existed
// are indexed the first time their person's summaries are read.
var bucketAttemptIndex = []byte("attempt-index")

var _ bot.AttemptSummaries = (*Store)(nil)

// summaryVersion starts every summary, so a later layout can tell old ones apart.
const summaryVersion = 1

var errSummary = errors.New("unreadable attempt summary")

// indexAttempt writes a's summary. It runs in the transaction that writes a.
func indexAttempt(tx *bolt.Tx, a *bot.Attempt) error {
	b, err := tx.CreateBucketIfNotExists(bucketAttemptIndex)
	if err != nil {
		return fmt.Errorf("create attempt index: %w", err)
	}
	return b.Put(attemptKey(a.User, a.ID), encodeSummary(a))
}

// forgetAttemptIndex deletes the summaries under prefix (a user key and 0x00).
func forgetAttemptIndex(tx *bolt.Tx, prefix []byte) error {
	b := tx.Bucket(bucketAttemptIndex)
	if b == nil {
		return nil
	}
	c := b.Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Seek(prefix) {
		if err := c.Delete(); err != nil {
			return fmt.Errorf("delete attempt summary: %w", err)
		}
	}
	return nil
}

// AttemptSummaries implements bot.AttemptSummaries: the person's attempts, oldest first,
// without Answer and Verdict.
func (s *Store) AttemptSummaries(ctx context.Context, userKey string) ([]*bot.Attempt, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var out []*bot.Attempt
	var missing [][]byte
	prefix := append([]byte(userKey), 0)
	d := summaryDecoder{strings: map[string]string{}}
	err := s.view(func(tx *bolt.Tx) error {
		// Walk the attempts and the index side by side: the attempts bucket says which
		// attempts exist, so a summary that is missing or unreadable costs only speed.
		var ic *bolt.Cursor
		var ik, iv []byte
		if idx := tx.Bucket(bucketAttemptIndex); idx != nil {
			ic = idx.Cursor()
			ik, iv = ic.Seek(prefix)
		}
		c := tx.Bucket(bucketAttempts).Cursor()
		for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
			for ic != nil && ik != nil && bytes.Compare(ik, k) < 0 {
				ik, iv = ic.Next()
			}
			if ik != nil && bytes.Equal(ik, k) {
				if a, err := d.decode(iv); err == nil {
					a.ID, a.User = binary.BigEndian.Uint64(k[len(prefix):]), userKey
					out = append(out, a)
					continue
				}
			}
			a := new(bot.Attempt)
			if err := json.Unmarshal(v, a); err != nil {
				return fmt.Errorf("decode attempt %x: %w", k, err)
			}
			a.Answer, a.Verdict = "", nil
			out = append(out, a)
			missing = append(missing, append([]byte(nil), k...))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(missing) > 0 {
		// Best effort: the summaries are already right; a failed write is retried by the next read.
		_ = s.update(func(tx *bolt.Tx) error { return backfillAttemptIndex(tx, missing) })
	}
	return out, nil
}

// backfillAttemptIndex writes the summaries of the attempts at keys from their records as
// they are now, so an attempt replaced since it was read is not indexed stale.
func backfillAttemptIndex(tx *bolt.Tx, keys [][]byte) error {
	idx, err := tx.CreateBucketIfNotExists(bucketAttemptIndex)
	if err != nil {
		return err
	}
	attempts := tx.Bucket(bucketAttempts)
	for _, k := range keys {
		v := attempts.Get(k)
		if v == nil {
			continue
		}
		if old := idx.Get(k); old != nil {
			if _, err := (&summaryDecoder{}).decode(old); err == nil {
				continue // written meanwhile by putAttempt
			}
		}
		a := new(bot.Attempt)
		if err := json.Unmarshal(v, a); err != nil {
			return err
		}
		if err := idx.Put(k, encodeSummary(a)); err != nil {
			return err
		}
	}
	return nil
}

// encodeSummary lays out a without its id, user, answer and verdict: the version, then
// conv, question, topic, difficulty, kind and outcome as length-prefixed strings, the
// interview as a uvarint, pass as a byte, the score as a varint, asked and answered in
// time.Time's binary form (which keeps the zone offset) prefixed by their lengths.
func encodeSummary(a *bot.Attempt) []byte {
	buf := make([]byte, 0, 128)
	buf = append(buf, summaryVersion)
	for _, s := range []string{a.Conv, a.Question, a.Topic, a.Difficulty, a.Kind, a.Outcome} {
		buf = binary.AppendUvarint(buf, uint64(len(s)))
		buf = append(buf, s...)
	}
	buf = binary.AppendUvarint(buf, a.Interview)
	pass := byte(0)
	if a.Pass {
		pass = 1
	}
	buf = append(buf, pass)
	buf = binary.AppendVarint(buf, int64(a.Score))
	for _, t := range []time.Time{a.Asked, a.Answered} {
		tb, err := t.MarshalBinary()
		if err != nil {
			// Only a zone offset that is not a whole minute fails: keep the instant in UTC.
			tb, _ = t.UTC().MarshalBinary()
		}
		buf = binary.AppendUvarint(buf, uint64(len(tb)))
		buf = append(buf, tb...)
	}
	return buf
}

// summaryDecoder reads what encodeSummary wrote. A person's thousands of attempts share a
// few hundred questions and a handful of topics, kinds and outcomes, so it keeps one copy
// of each string, and allocates attempts in slabs: the decoding is then mostly copying.
type summaryDecoder struct {
	strings map[string]string // nil: no sharing
	slab    []bot.Attempt
}

// decode reads one summary. It copies what it keeps, so data may go with the transaction.
func (sd *summaryDecoder) decode(data []byte) (*bot.Attempt, error) {
	d := summaryReader{data: data}
	if d.byte() != summaryVersion {
		return nil, errSummary
	}
	if len(sd.slab) == cap(sd.slab) {
		sd.slab = make([]bot.Attempt, 0, 256)
	}
	sd.slab = append(sd.slab, bot.Attempt{})
	a := &sd.slab[len(sd.slab)-1]
	for _, s := range []*string{&a.Conv, &a.Question, &a.Topic, &a.Difficulty, &a.Kind, &a.Outcome} {
		*s = sd.string(d.bytes())
	}
	a.Interview = d.uvarint()
	a.Pass = d.byte() == 1
	a.Score = int(d.varint())
	for _, t := range []*time.Time{&a.Asked, &a.Answered} {
		if b := d.bytes(); d.err == nil {
			if err := t.UnmarshalBinary(b); err != nil {
				return nil, errSummary
			}
		}
	}
	if d.err != nil || len(d.data) != 0 {
		return nil, errSummary
	}
	return a, nil
}

func (sd *summaryDecoder) string(b []byte) string {
	if sd.strings == nil {
		return string(b)
	}
	if s, ok := sd.strings[string(b)]; ok {
		return s
	}
	s := string(b)
	sd.strings[s] = s
	return s
}

// summaryReader takes values off the front of data; after the first error it returns zeros.
type summaryReader struct {
	data []byte
	err  error
}

func (r *summaryReader) byte() byte {
	if r.err != nil || len(r.data) == 0 {
		r.err = errSummary
		return 0
	}
	b := r.data[0]
	r.data = r.data[1:]
	return b
}

func (r *summaryReader) uvarint() uint64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Uvarint(r.data)
	if n <= 0 {
		r.err = errSummary
		return 0
	}
	r.data = r.data[n:]
	return v
}

func (r *summaryReader) varint() int64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Varint(r.data)
	if n <= 0 {
		r.err = errSummary
		return 0
	}
	r.data = r.data[n:]
	return v
}

func (r *summaryReader) bytes() []byte {
	n := r.uvarint()
	if r.err != nil || n > uint64(len(r.data)) {
		r.err = errSummary
		return nil
	}
	b := r.data[:n]
	r.data = r.data[n:]
	return b
}
