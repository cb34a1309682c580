package store

import (
	"encoding/binary"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// migration moves a store from schema version To-1 to To. It runs in one Update
// transaction together with the version bump, so a crash leaves either the old
// layout with the old version or the new layout with the new one.
type migration struct {
	To   uint64
	Name string
	Run  func(tx *bolt.Tx) error
}

// migrations lists every schema change in order; the last one's To is SchemaVersion.
// A change to the layout adds an entry here and raises SchemaVersion.
var migrations = []migration{
	{To: 2, Name: "index daily drills by person", Run: migrateDailyIndex},
}

// latest is the version a list of migrations ends at.
func latest(ms []migration) uint64 {
	if len(ms) == 0 {
		return SchemaVersion
	}
	return ms[len(ms)-1].To
}

// migrate brings the store at db up to the last version of ms, one version per
// transaction. A new store is stamped with that version at once; a store newer than
// this code is refused, untouched.
func migrate(db *bolt.DB, path string, ms []migration) error {
	want := latest(ms)
	for i, m := range ms {
		if m.To != uint64(i)+2 {
			return fmt.Errorf("migration %q: goes to version %d, want %d", m.Name, m.To, i+2)
		}
	}
	for {
		var done bool
		err := db.Update(func(tx *bolt.Tx) error {
			meta := tx.Bucket(bucketMeta)
			v := meta.Get(keySchema)
			if v == nil {
				// A new file: it already has this code's layout.
				done = true
				return meta.Put(keySchema, be64(want))
			}
			got := binary.BigEndian.Uint64(v)
			switch {
			case got > want:
				return fmt.Errorf("store %s has schema version %d, newer than this Quorum understands (%d): run a newer Quorum, or restore a backup made by this version", path, got, want)
			case got == want:
				done = true
				return nil
			case got < 1:
				return fmt.Errorf("store %s has schema version %d, which no Quorum wrote", path, got)
			}
			m := ms[got-1]
			if err := m.Run(tx); err != nil {
				return fmt.Errorf("migrate store %s from version %d to %d (%s): %w", path, got, m.To, m.Name, err)
			}
			return meta.Put(keySchema, be64(m.To))
		})
		if err != nil || done {
			return err
		}
	}
}

// Version returns the store's schema version.
func (s *Store) Version() (uint64, error) {
	var v uint64
	err := s.view(func(tx *bolt.Tx) error {
		if b := tx.Bucket(bucketMeta).Get(keySchema); b != nil {
			v = binary.BigEndian.Uint64(b)
		}
		return nil
	})
	return v, err
}
