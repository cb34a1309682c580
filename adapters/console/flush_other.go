//go:build !linux && !darwin && !dragonfly && !freebsd && !netbsd && !openbsd

package console

import "os"

// flushInput does nothing where the terminal offers no flush.
func flushInput(*os.File) {}
