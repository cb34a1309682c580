package console

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/text/width"
)

// ErrInterrupted is returned by an Editor when the person pressed Ctrl-C.
var ErrInterrupted = errors.New("interrupted")

// Editor reads a multi-line answer from a terminal in raw mode while showing a
// live countdown in its prompt. Enter on an empty line, or Ctrl-D, ends the answer;
// a bracketed paste is text, newlines included. Other escape sequences (arrow keys)
// are ignored.
type Editor struct {
	// Keys delivers what the person types; KeyReader makes it from a reader.
	Keys *KeyReader
	Out  io.Writer
	// Remaining tells how long is left; the prompt shows it.
	Remaining func() time.Duration
	// Grace is shown once the deadline passed but the grace period has not.
	Grace time.Duration
	// Width is the terminal width, for redrawing wrapped lines; 0 means 80.
	Width int
	// Tick is how often the countdown is redrawn; 0 means every 250ms.
	Tick time.Duration

	lines   []string
	cur     []rune
	lastLen int // columns drawn at the last redraw, prompt included

	esc      escState
	seq      []rune // a CSI sequence's parameters so far
	paste    bool   // inside a bracketed paste
	pastedCR bool   // the paste's last rune was CR (CR LF is one newline)
}

// escState is where the editor is in an escape sequence (arrow keys send ESC [ D).
type escState int

const (
	escNone  escState = iota
	escStart          // after ESC
	escCSI            // after ESC [
	escSS3            // after ESC O
)

// KeyReader reads runes from a reader in one goroutine for the life of a run, so
// one answer's editor never leaves a reader behind that steals the next answer's keys.
type KeyReader struct {
	runes chan rune
	errs  chan error
}

// NewKeyReader starts reading r.
func NewKeyReader(r io.Reader) *KeyReader {
	k := &KeyReader{runes: make(chan rune), errs: make(chan error, 1)}
	go func() {
		br := bufio.NewReader(r)
		for {
			c, _, err := br.ReadRune()
			if err != nil {
				k.errs <- err
				return
			}
			k.runes <- c
		}
	}()
	return k
}

// Result is what the person typed.
type Result struct {
	Text string
	// Expired is set when Stop ended the reading.
	Expired bool
}

// Bracketed paste: a terminal told to (pasteOn) wraps pasted text in pasteStart and
// pasteEnd, so a paste's newlines and blank lines are text and never submit.
const (
	pasteOn  = "\x1b[?2004h"
	pasteOff = "\x1b[?2004l"
)

// Read reads until the answer is finished, stop is closed (time's up), or an error.
// The text typed so far is returned in every case.
func (e *Editor) Read(stop <-chan struct{}) (Result, error) {
	if e.Width <= 0 {
		e.Width = 80
	}
	if e.Tick <= 0 {
		e.Tick = 250 * time.Millisecond
	}
	tick := time.NewTicker(e.Tick)
	defer tick.Stop()
	io.WriteString(e.Out, pasteOn)
	defer io.WriteString(e.Out, pasteOff)
	e.redraw()
	for {
		select {
		case <-stop:
			e.newline()
			return Result{Text: e.text(), Expired: true}, nil
		case err := <-e.Keys.errs:
			e.Keys.errs <- err // later reads see the end too
			e.newline()
			if errors.Is(err, io.EOF) {
				return Result{Text: e.text()}, nil
			}
			return Result{Text: e.text()}, err
		case <-tick.C:
			e.redraw()
		case c := <-e.Keys.runes:
			if done, err := e.key(c); done {
				e.newline()
				return Result{Text: e.text()}, err
			}
			e.redraw()
		}
	}
}

// key takes one rune typed or pasted; done reports that the answer is finished.
func (e *Editor) key(c rune) (done bool, err error) {
	switch e.esc {
	case escStart:
		switch c {
		case '[':
			e.esc, e.seq = escCSI, e.seq[:0]
			return false, nil
		case 'O':
			e.esc = escSS3
			return false, nil
		case 27:
			return false, nil
		}
		e.esc = escNone // ESC and a key (Alt-key): take the key
	case escSS3:
		e.esc = escNone // F1-F4, keypad arrows: ignored
		return false, nil
	case escCSI:
		switch {
		case c >= 0x20 && c <= 0x3f: // parameters and intermediates
			if len(e.seq) < 16 {
				e.seq = append(e.seq, c)
			}
			return false, nil
		case c >= 0x40 && c <= 0x7e: // the final byte: arrows, Home, Delete, paste marks
			e.esc = escNone
			if c == '~' {
				switch string(e.seq) {
				case "200":
					e.paste = true
				case "201":
					e.paste, e.pastedCR = false, false
				}
			}
			return false, nil
		}
		e.esc = escNone // not a sequence after all
	}
	if e.paste {
		e.pasted(c)
		return false, nil
	}
	switch c {
	case 27:
		e.esc = escStart
	case 3: // Ctrl-C
		return true, ErrInterrupted
	case 4: // Ctrl-D
		return true, nil
	case '\r', '\n':
		if len(e.cur) == 0 {
			return len(e.lines) > 0, nil // Enter on an empty line submits
		}
		e.endLine()
	case 127, 8: // backspace
		if len(e.cur) > 0 {
			e.cur = e.cur[:len(e.cur)-1]
		}
	case 21: // Ctrl-U: clear the line
		e.cur = e.cur[:0]
	case '\t':
		e.cur = append(e.cur, ' ')
	default:
		if c >= 32 && c != utf8.RuneError {
			e.cur = append(e.cur, c)
		}
	}
	return false, nil
}

// pasted takes one rune of a bracketed paste: newlines and blank lines are text.
func (e *Editor) pasted(c rune) {
	cr := e.pastedCR
	e.pastedCR = c == '\r'
	switch {
	case c == 27:
		e.esc = escStart // only the paste's end mark is expected
	case c == '\n' && cr: // CR LF is one newline
	case c == '\r' || c == '\n':
		e.endLine()
	case c == '\t':
		e.cur = append(e.cur, ' ')
	case c >= 32 && c != utf8.RuneError:
		e.cur = append(e.cur, c)
	}
}

// endLine moves the current line into the answer.
func (e *Editor) endLine() {
	e.lines = append(e.lines, string(e.cur))
	e.cur = e.cur[:0]
	e.newline()
}

func (e *Editor) text() string {
	all := append(append([]string(nil), e.lines...), string(e.cur))
	return strings.TrimSpace(strings.Join(all, "\n"))
}

// Prompt is the countdown prompt: "[2:41] › ", "[grace 0:07] › ", "[time's up] › ".
func Prompt(left, grace time.Duration) string {
	switch {
	case left > 0:
		return fmt.Sprintf("[%s] › ", clock(left))
	case left+grace > 0:
		return fmt.Sprintf("[grace %s] › ", clock(left+grace))
	}
	return "[time's up] › "
}

func clock(d time.Duration) string {
	s := int((d + time.Second - 1) / time.Second) // round up: 0:01 until it is really over
	return fmt.Sprintf("%d:%02d", s/60, s%60)
}

// redraw rewrites the current line with a fresh countdown, going up over wrapped rows.
func (e *Editor) redraw() {
	prompt := Prompt(e.Remaining(), e.Grace)
	line := prompt + string(e.cur)
	var b strings.Builder
	if rows := (e.lastLen - 1) / e.Width; e.lastLen > 0 && rows > 0 {
		fmt.Fprintf(&b, "\x1b[%dA", rows)
	}
	b.WriteString("\r\x1b[J")
	b.WriteString(line)
	io.WriteString(e.Out, b.String())
	e.lastLen = columns(line)
}

// columns is the width of s on a terminal: East Asian wide and fullwidth characters
// take two columns, so wrapped rows of CJK text are counted right.
func columns(s string) int {
	n := 0
	for _, r := range s {
		switch width.LookupRune(r).Kind() {
		case width.EastAsianWide, width.EastAsianFullwidth:
			n += 2
		default:
			n++
		}
	}
	return n
}

func (e *Editor) newline() {
	io.WriteString(e.Out, "\r\n")
	e.lastLen = 0
}
