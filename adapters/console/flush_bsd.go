//go:build darwin || dragonfly || freebsd || netbsd || openbsd

package console

import (
	"os"

	"golang.org/x/sys/unix"
)

// flushInput discards what the terminal f holds that nobody read (the rest of a long
// paste, keys pressed while grading), so the shell does not run it after Quorum exits.
func flushInput(f *os.File) { _ = unix.IoctlSetPointerInt(int(f.Fd()), unix.TIOCFLUSH, fread) }

// fread is FREAD of <sys/fcntl.h>: TIOCFLUSH flushes the input queue.
const fread = 1
