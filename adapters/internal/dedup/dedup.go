// Package dedup remembers the ids of recent events, so that an adapter handles an event
// its platform delivers twice (a retry, a replay) once.
package dedup

import (
	"sync"
	"time"
)

// Set is a bounded set of keys, each kept for a time-to-live. It is safe for
// concurrent use.
type Set struct {
	ttl  time.Duration
	size int
	now  func() time.Time

	mu    sync.Mutex
	at    map[string]time.Time
	order []entry // oldest first
}

type entry struct {
	key string
	at  time.Time
}

// New returns a set that keeps a key for ttl and at most size keys, dropping the
// oldest first. now tells the time; nil means time.Now.
func New(ttl time.Duration, size int, now func() time.Time) *Set {
	if now == nil {
		now = time.Now
	}
	return &Set{ttl: ttl, size: max(size, 1), now: now, at: map[string]time.Time{}}
}

// Seen records key and reports whether it was recorded already, within the
// time-to-live. An empty key is never seen.
func (s *Set) Seen(key string) bool {
	if key == "" {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	for len(s.order) > 0 && now.Sub(s.order[0].at) >= s.ttl {
		s.drop()
	}
	if _, ok := s.at[key]; ok {
		return true
	}
	for len(s.order) >= s.size {
		s.drop()
	}
	s.at[key] = now
	s.order = append(s.order, entry{key, now})
	return false
}

// drop forgets the oldest key.
func (s *Set) drop() {
	old := s.order[0]
	s.order = s.order[1:]
	if s.at[old.key].Equal(old.at) {
		delete(s.at, old.key)
	}
}

// Len is the number of keys kept.
func (s *Set) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.at)
}
