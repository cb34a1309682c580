package console

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"
)

// ErrInterrupted is returned by an Editor when the person pressed Ctrl-C.
var ErrInterrupted = errors.New("interrupted")

// Editor reads a multi-line answer from a terminal in raw mode while showing a
// live countdown in its prompt. An empty line or Ctrl-D ends the answer.
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
	lastLen int // runes drawn at the last redraw, prompt included
}

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
			switch c {
			case 3: // Ctrl-C
				e.newline()
				return Result{Text: e.text()}, ErrInterrupted
			case 4: // Ctrl-D
				e.newline()
				return Result{Text: e.text()}, nil
			case '\r', '\n':
				if len(e.cur) == 0 {
					if len(e.lines) > 0 {
						e.newline()
						return Result{Text: e.text()}, nil
					}
					continue
				}
				e.lines = append(e.lines, string(e.cur))
				e.cur = e.cur[:0]
				e.newline()
			case 127, 8: // backspace
				if len(e.cur) > 0 {
					e.cur = e.cur[:len(e.cur)-1]
				}
			case 21: // Ctrl-U: clear the line
				e.cur = e.cur[:0]
			case 27: // escape sequences (arrows) are not supported; ignore the introducer
			default:
				if c >= 32 && c != utf8.RuneError {
					e.cur = append(e.cur, c)
				}
			}
			e.redraw()
		}
	}
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
	e.lastLen = utf8.RuneCountInString(line)
}

func (e *Editor) newline() {
	io.WriteString(e.Out, "\r\n")
	e.lastLen = 0
}
