package console

import (
	"os"
	"strconv"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// TestFlushInputDiscardsUnreadKeys: what the terminal holds unread when the editor ends
// (the rest of a long paste) is discarded, not left for the shell to run after exit.
func TestFlushInputDiscardsUnreadKeys(t *testing.T) {
	master, err := os.OpenFile("/dev/ptmx", os.O_RDWR, 0)
	if err != nil {
		t.Skipf("no pseudo-terminal: %v", err)
	}
	defer master.Close()
	if err := unix.IoctlSetPointerInt(int(master.Fd()), unix.TIOCSPTLCK, 0); err != nil {
		t.Skipf("unlock pty: %v", err)
	}
	n, err := unix.IoctlGetInt(int(master.Fd()), unix.TIOCGPTN)
	if err != nil {
		t.Skipf("pty number: %v", err)
	}
	tty, err := os.OpenFile("/dev/pts/"+strconv.Itoa(n), os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("open pty: %v", err)
	}
	defer tty.Close()
	master.Write([]byte("rm -rf important\n"))
	pending := func() int {
		n, _ := unix.IoctlGetInt(int(tty.Fd()), unix.TIOCINQ)
		return n
	}
	for deadline := time.Now().Add(2 * time.Second); pending() == 0; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the typed text never reached the terminal")
		}
	}
	flushInput(tty)
	if n := pending(); n != 0 {
		t.Fatalf("%d bytes still pending after flushInput, want 0", n)
	}
}
