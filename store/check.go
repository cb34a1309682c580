package store

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"os"
)

// ErrDamaged is returned by Open and Inspect when the file at the path is cut short or
// is not a bbolt file: bbolt would read past its end (a fatal fault, not an error).
var ErrDamaged = errors.New("damaged or incomplete")

// bbolt's file layout (go.etcd.io/bbolt internal/common, meta.go and page.go), in the
// machine's byte order. Every page starts with a 16-byte header (id, flags, count,
// overflow); a meta page's header is followed by the meta fields below.
const (
	pageHeaderSize   = 16
	metaSize         = 64 // magic … txid, then the checksum
	metaChecksumAt   = 56 // the checksum is FNV-64a of the meta bytes before it
	boltMagic        = 0xED0CDAED
	boltVersion      = 2
	freelistPageFlag = 0x10
	noFreelist       = ^uint64(0) // bbolt's PgidNoFreelist
)

// boltMeta is what checkFile reads of a meta page.
type boltMeta struct {
	pageSize uint64
	freelist uint64 // page id, or noFreelist
	pgid     uint64 // high-water mark: pages 0 … pgid-1 are in use
	txid     uint64
}

// readMeta decodes the meta page at off of f, or reports false when it is not a
// valid one (short, wrong magic or version, bad checksum), as bbolt's Meta.Validate.
func readMeta(f io.ReaderAt, off int64) (boltMeta, bool) {
	buf := make([]byte, pageHeaderSize+metaSize)
	if _, err := f.ReadAt(buf, off); err != nil {
		return boltMeta{}, false
	}
	b := buf[pageHeaderSize:]
	ne := binary.NativeEndian
	if ne.Uint32(b[0:]) != boltMagic || ne.Uint32(b[4:]) != boltVersion {
		return boltMeta{}, false
	}
	h := fnv.New64a()
	h.Write(b[:metaChecksumAt])
	if h.Sum64() != ne.Uint64(b[metaChecksumAt:]) {
		return boltMeta{}, false
	}
	return boltMeta{pageSize: uint64(ne.Uint32(b[8:])), freelist: ne.Uint64(b[32:]), pgid: ne.Uint64(b[40:]), txid: ne.Uint64(b[48:])}, true
}

// checkFile looks at the store file at path before bbolt maps it, so that a file cut
// short (an interrupted copy, a full disk) is an error instead of a fault when bbolt
// reads a page past its end. It picks the meta page bbolt would use (the valid one
// with the higher txid) and checks that the file holds every page up to its
// high-water mark and the whole free-page list. It reports empty for an existing
// 0-byte file; a missing file is neither empty nor an error (bbolt creates it).
//
// It runs without bbolt's file lock. Another process may be writing the file, but
// bbolt grows the file before a commit writes its meta page, and checkFile reads the
// metas before the size, so a live file never looks short.
func checkFile(path string) (empty bool, err error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("open store %s: %w", path, err)
	}
	defer f.Close()
	if fi, err := f.Stat(); err != nil {
		return false, fmt.Errorf("open store %s: %w", path, err)
	} else if fi.IsDir() {
		return false, fmt.Errorf("open store %s: it is a folder, not a file", path)
	} else if fi.Size() == 0 {
		return true, nil
	}

	m, ok := pickMeta(f)
	var freelist [pageHeaderSize]byte
	freelistRead := false
	if ok && m.freelist != noFreelist && m.freelist < m.pgid {
		_, err := f.ReadAt(freelist[:], int64(m.freelist*m.pageSize))
		freelistRead = err == nil
	}
	fi, err := f.Stat() // after the metas: see above
	if err != nil {
		return false, fmt.Errorf("open store %s: %w", path, err)
	}
	size := fi.Size()
	if !ok {
		return false, fmt.Errorf("%s is %w, or not a Quorum store (%d bytes, and neither of its two header pages is valid); restore another copy of it", path, ErrDamaged, size)
	}
	if m.freelist != noFreelist && m.freelist >= m.pgid {
		return false, fmt.Errorf("%s is %w (its header points past its last page); restore another copy of it", path, ErrDamaged)
	}
	// No store this code writes comes near 2^63 bytes: a larger need is a damaged header.
	const maxSize = uint64(1) << 62
	if m.pgid > maxSize/m.pageSize {
		return false, fmt.Errorf("%s is %w (its header claims %d pages); restore another copy of it", path, ErrDamaged, m.pgid)
	}
	need := m.pgid * m.pageSize
	if freelistRead {
		flags := binary.NativeEndian.Uint16(freelist[8:])
		count := uint64(binary.NativeEndian.Uint16(freelist[10:]))
		if flags&freelistPageFlag == 0 {
			return false, fmt.Errorf("%s is %w (its free-page list is not where its header says); restore another copy of it", path, ErrDamaged)
		}
		start := m.freelist*m.pageSize + pageHeaderSize
		if count == 0xFFFF { // the real count is the list's first element
			var c [8]byte
			if _, err := f.ReadAt(c[:], int64(start)); err != nil {
				count = 0 // past the end: the size check below reports it
			} else {
				count = binary.NativeEndian.Uint64(c[:]) + 1
			}
		}
		if count > maxSize/8 {
			return false, fmt.Errorf("%s is %w (its free-page list claims %d entries); restore another copy of it", path, ErrDamaged, count)
		}
		need = max(need, start+8*count)
	}
	if uint64(size) < need {
		return false, fmt.Errorf("%s is %w (%d bytes, the store needs at least %d); restore another copy of it", path, ErrDamaged, size, need)
	}
	return false, nil
}

// pickMeta returns the meta page bbolt would use. Like bbolt's Open it takes the page
// size from page 0's meta, or else from page 1's, looked for at the sizes bbolt tries
// (1 KB to 16 MB); then, like DB.meta, the valid meta of pages 0 and 1 with the higher
// txid. The result's pageSize is the one found first, which bbolt maps the file with.
func pickMeta(f io.ReaderAt) (boltMeta, bool) {
	m0, ok0 := readMeta(f, 0)
	pageSize := m0.pageSize
	for i := 0; !ok0 && i <= 14 && pageSize == 0; i++ {
		if m, ok := readMeta(f, 1024<<i); ok {
			pageSize = m.pageSize
		}
	}
	if pageSize < 1024 || pageSize&(pageSize-1) != 0 {
		return boltMeta{}, false
	}
	m1, ok1 := readMeta(f, int64(pageSize))
	m := m0
	switch {
	case ok0 && ok1 && m1.txid > m0.txid, !ok0 && ok1:
		m = m1
	case !ok0 && !ok1:
		return boltMeta{}, false
	}
	m.pageSize = pageSize
	return m, true
}
