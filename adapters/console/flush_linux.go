package console

import (
	"os"

	"golang.org/x/sys/unix"
)

// flushInput discards what the terminal f holds that nobody read (the rest of a long
// paste, keys pressed while grading), so the shell does not run it after Quorum exits.
func flushInput(f *os.File) { _ = unix.IoctlSetInt(int(f.Fd()), unix.TCFLSH, unix.TCIFLUSH) }
