package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/quorum-dev/quorum/bot"
	"github.com/quorum-dev/quorum/store"
)

// cmdBackup writes a consistent copy of the store to FILE. When no process holds the
// store it copies it directly; when `quorum run` holds it (bbolt's file lock keeps
// everyone else out) it asks that process over metrics.listen (POST /backup), which
// streams a read transaction's snapshot. Either way the copy is written to a temporary
// file beside FILE, checked, and renamed into place, so FILE is never half written.
// FILE may be a folder: the copy goes in it under a dated name (datedName).
func cmdBackup(ctx context.Context, e env, args []string) error {
	fs, cfgFile := newFlags(e, "backup")
	if err := parseFlags(fs, args, true); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usagef("backup needs one FILE (or FOLDER) to write the copy to, e.g. quorum backup quorum-%s.db", time.Now().Format("2006-01-02"))
	}
	dest := fs.Arg(0)
	cfg, err := LoadConfig(*cfgFile, nil)
	if err != nil {
		return err
	}
	if fi, err := os.Stat(dest); err == nil && fi.IsDir() {
		dest = filepath.Join(dest, datedName(cfg.Store.Path, time.Now()))
	}
	if same, _ := sameFile(dest, cfg.Store.Path); same {
		return usagef("%s is the store itself; give another file for the copy", dest)
	}
	how := "offline"
	copyTo := func(w io.Writer) (int64, error) {
		st, err := store.Open(cfg.Store.Path, time.Duration(cfg.Store.LockTimeout))
		if errors.Is(err, store.ErrInUse) {
			how = "online, from the running bot"
			return backupFromRunning(ctx, cfg, w)
		}
		if err != nil {
			return 0, err
		}
		defer st.Close()
		if st.WasEmpty() {
			fmt.Fprintln(e.stderr, emptyStoreWarning(cfg.Store.Path))
		}
		return st.Backup(ctx, w)
	}
	if _, err := os.Stat(cfg.Store.Path); errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("no store at %s to back up (store.path in the config)", cfg.Store.Path)
	}
	n, sum, err := writeChecked(dest, copyTo)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "Backed up %s to %s (%s): %d bytes, schema version %d, %s, %s, %s.\n",
		cfg.Store.Path, dest, how, n, sum.Version, bot.Count(sum.People, "person", "people"), bot.Count(sum.Attempts, "attempt", "attempts"), bot.Count(sum.Sessions, "open session", "open sessions"))
	return nil
}

// datedName names a backup of the store at storePath made at now, for `quorum backup
// FOLDER`: quorum.db becomes quorum-2026-11-24-153000.db. Names sort by time, and
// backups made the same day do not replace one another.
func datedName(storePath string, now time.Time) string {
	base := filepath.Base(storePath)
	ext := filepath.Ext(base)
	if ext == "" {
		ext = ".db"
	}
	return strings.TrimSuffix(base, filepath.Ext(base)) + "-" + now.Format("2006-01-02-150405") + ext
}

// backupFromRunning asks the process that holds the store for a copy.
func backupFromRunning(ctx context.Context, cfg *Config, w io.Writer) (int64, error) {
	if cfg.Metrics.Listen == "" {
		return 0, fmt.Errorf("%s is in use by a running Quorum, and metrics.listen is off, so it cannot be asked for a copy: set metrics.listen (e.g. 127.0.0.1:9090) and restart it, or stop it and back up again", cfg.Store.Path)
	}
	addr, err := dialAddr(cfg.Metrics.Listen)
	if err != nil {
		return 0, fmt.Errorf("metrics.listen %q: %w", cfg.Metrics.Listen, err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://"+addr+"/backup", nil)
	if err != nil {
		return 0, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, fmt.Errorf("%s is in use by a running Quorum, which did not answer on %s: %w", cfg.Store.Path, addr, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 200))
		return 0, fmt.Errorf("the running Quorum refused the backup: %s %s", resp.Status, msg)
	}
	return io.Copy(w, resp.Body)
}

// writeChecked writes what copyTo produces to a 0600 temporary file beside dest, syncs
// it, checks that it opens as a store, and renames it to dest.
func writeChecked(dest string, copyTo func(io.Writer) (int64, error)) (int64, store.Summary, error) {
	var sum store.Summary
	tmp, err := os.CreateTemp(filepath.Dir(dest), "."+filepath.Base(dest)+".*.tmp")
	if err != nil {
		return 0, sum, fmt.Errorf("create backup file: %w", err)
	}
	defer os.Remove(tmp.Name()) // after a successful rename there is nothing left to remove
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return 0, sum, fmt.Errorf("create backup file: %w", err)
	}
	n, err := copyTo(tmp)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if errors.Is(err, store.ErrDamaged) {
		return n, sum, err // the store's fault, not the copy's: its message names the file
	}
	if err != nil {
		return n, sum, fmt.Errorf("write backup: %w", err)
	}
	sum, err = store.Inspect(tmp.Name(), time.Second)
	if err != nil {
		return n, sum, fmt.Errorf("the copy does not open as a store, so it was not kept: %w", err)
	}
	if err := os.Rename(tmp.Name(), dest); err != nil {
		return n, sum, fmt.Errorf("write backup: %w", err)
	}
	return n, sum, nil
}

// sameFile reports whether a and b name one existing file.
func sameFile(a, b string) (bool, error) {
	fa, err := os.Stat(a)
	if err != nil {
		return false, err
	}
	fb, err := os.Stat(b)
	if err != nil {
		return false, err
	}
	return os.SameFile(fa, fb), nil
}
