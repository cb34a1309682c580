// Package console is the terminal platform: it asks one question, reads the
// answer from the keyboard (with a live countdown) or from standard input, and prints the verdict.
package console

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/user"
	"strings"
	"time"

	"golang.org/x/term"

	"github.com/quorum-dev/quorum/bot"
)

// Name is the platform name of the terminal.
const Name = "console"

// Adapter is the terminal as a bot.Platform. Messages the bot sends are queued
// for the driver (Practice) to print in order.
type Adapter struct {
	msgs chan bot.Message
}

var _ bot.Platform = (*Adapter)(nil)

// New returns an Adapter.
func New() *Adapter { return &Adapter{msgs: make(chan bot.Message, 64)} }

// Name implements bot.Platform.
func (a *Adapter) Name() string { return Name }

// Send implements bot.Platform.
func (a *Adapter) Send(ctx context.Context, msg bot.Message) (bot.Sent, error) {
	select {
	case a.msgs <- msg:
		return bot.Sent{}, nil
	case <-ctx.Done():
		return bot.Sent{}, ctx.Err()
	}
}

// User is the person at the terminal.
func User() bot.User {
	name := os.Getenv("USER")
	if u, err := user.Current(); err == nil && u.Username != "" {
		name = u.Username
	}
	if name == "" {
		name = "me"
	}
	return bot.User{Platform: Name, ID: name, Name: name}
}

// Conversation is the terminal's one conversation.
func Conversation() bot.Conversation {
	return bot.Conversation{Platform: Name, ID: "terminal", DM: true}
}

// Options control one practice run.
type Options struct {
	In  io.Reader
	Out io.Writer // the question and the verdict (the verdict only, as JSON, with JSON set)
	Err io.Writer // progress and, with JSON set, the question
	// JSON prints the verdict as one JSON object on Out.
	JSON bool
	// Interactive reads the answer from a terminal with a countdown; otherwise
	// the answer is all of In up to EOF.
	Interactive bool
	// Clock is the bot's clock, for the countdown; nil means the system clock.
	Clock bot.Clock
	// Audio, when set, is the answer: a recording instead of typed text.
	Audio *bot.Audio
}

// ErrNoVerdict means the run ended without a verdict (stopped, or the input was refused).
var ErrNoVerdict = errors.New("no verdict")

// IsTerminal reports whether f is a terminal.
func IsTerminal(f *os.File) bool { return term.IsTerminal(int(f.Fd())) }

// Practice asks q through b and prints what follows until a verdict. It returns the verdict.
func (a *Adapter) Practice(ctx context.Context, b *bot.Bot, q *bot.Question, opts Options) (*bot.Verdict, error) {
	if opts.Clock == nil {
		opts.Clock = bot.SystemClock{}
	}
	u, conv := User(), Conversation()
	if s, ok := b.OpenSession(u, conv); ok && s.State == bot.SessionOpen {
		fmt.Fprintf(opts.Err, "(An unanswered question from an earlier run, %s, is closed as skipped.)\n", s.Question)
	}
	if _, err := b.Ask(ctx, u, conv, q, true); err != nil {
		return nil, err
	}
	var session *bot.Session
	answered := false
	// answer reads the answer and hands it to the bot; false means there is none to wait for.
	answer := func() (bool, error) {
		if opts.Audio != nil {
			fmt.Fprintf(opts.Err, "Transcribing %s...\n", opts.Audio.Name)
			answered = true
			b.Handle(ctx, bot.Event{User: u, Conv: conv, Audio: opts.Audio})
			return true, nil
		}
		text, state, err := a.readAnswer(ctx, session, opts)
		switch {
		case err != nil:
			return false, err
		case state == interrupted:
			b.Handle(ctx, bot.Event{User: u, Conv: conv, Text: "stop"})
			a.drain()
			fmt.Fprintln(opts.Err, "Stopped. Nothing was graded.")
			return false, ErrNoVerdict
		case state == expiredEmpty:
			return true, nil // the bot's time's-up message follows
		}
		answered = true
		b.Handle(ctx, bot.Event{User: u, Conv: conv, Text: text, Answer: true})
		return true, nil
	}
	for {
		msg, err := a.next(ctx)
		if err != nil {
			return nil, err
		}
		switch msg.Kind {
		case bot.MsgQuestion:
			a.printQuestion(msg, opts)
			s, _ := b.OpenSession(u, conv)
			session = &s
			if _, err := answer(); err != nil {
				return nil, err
			}
		case bot.MsgVerdict:
			if opts.JSON {
				enc := json.NewEncoder(opts.Out)
				enc.SetIndent("", "  ")
				if err := enc.Encode(msg.Verdict.JSON()); err != nil {
					return nil, fmt.Errorf("write verdict: %w", err)
				}
			} else {
				fmt.Fprintf(opts.Out, "\n%s\n", msg.Text)
			}
			return msg.Verdict, nil
		case bot.MsgTimeUp:
			fmt.Fprintf(opts.Err, "\n%s\n", firstParagraph(msg.Text))
			if !answered && opts.Interactive {
				return nil, ErrNoVerdict
			}
			// Otherwise the answer is on its way and will be graded as late.
		case bot.MsgError:
			fmt.Fprintf(opts.Err, "%s\n", msg.Text)
			if !opts.Interactive || session == nil || opts.Audio != nil {
				return nil, ErrNoVerdict
			}
			answered = false
			if _, err := answer(); err != nil {
				return nil, err
			}
		default:
			fmt.Fprintf(opts.Err, "%s\n", msg.Text)
		}
	}
}

type readState int

const (
	gotAnswer readState = iota
	interrupted
	expiredEmpty
)

// readAnswer reads the answer: all of In when not interactive, else lines with a countdown.
// When time runs out in the terminal, what was typed so far is sent as a late answer.
func (a *Adapter) readAnswer(ctx context.Context, s *bot.Session, opts Options) (string, readState, error) {
	if !opts.Interactive {
		data, err := io.ReadAll(io.LimitReader(opts.In, bot.MaxAnswerBytes+1))
		if err != nil {
			return "", gotAnswer, fmt.Errorf("read answer: %w", err)
		}
		return string(data), gotAnswer, nil
	}
	f, isFile := opts.In.(*os.File)
	var restore func()
	width := 80
	if isFile && IsTerminal(f) {
		old, err := term.MakeRaw(int(f.Fd()))
		if err != nil {
			return "", gotAnswer, fmt.Errorf("set terminal to raw mode: %w", err)
		}
		restore = func() { term.Restore(int(f.Fd()), old) }
		if w, _, err := term.GetSize(int(f.Fd())); err == nil && w > 0 {
			width = w
		}
	}
	fmt.Fprintln(opts.Err, "Type your answer. Finish with an empty line or Ctrl-D; Ctrl-C stops.")
	stop := make(chan struct{})
	timer := opts.Clock.AfterFunc(s.Closes().Sub(opts.Clock.Now()), func() { close(stop) })
	defer timer.Stop()
	ed := &Editor{In: opts.In, Out: opts.Err, Width: width, Grace: s.Grace,
		Remaining: func() time.Duration { return s.Deadline.Sub(opts.Clock.Now()) }}
	res, err := ed.Read(stop)
	if restore != nil {
		restore()
	}
	switch {
	case errors.Is(err, ErrInterrupted):
		return "", interrupted, nil
	case err != nil:
		return "", gotAnswer, fmt.Errorf("read answer: %w", err)
	case res.Expired && res.Text == "":
		return "", expiredEmpty, nil
	case res.Expired:
		fmt.Fprintln(opts.Err, "Time's up: grading what you typed (it counts as late).")
	}
	return res.Text, gotAnswer, ctx.Err()
}

func (a *Adapter) next(ctx context.Context) (bot.Message, error) {
	select {
	case m := <-a.msgs:
		return m, nil
	case <-ctx.Done():
		return bot.Message{}, ctx.Err()
	}
}

func (a *Adapter) drain() {
	for {
		select {
		case <-a.msgs:
		default:
			return
		}
	}
}

func (a *Adapter) printQuestion(msg bot.Message, opts Options) {
	w := opts.Out
	if opts.JSON {
		w = opts.Err
	}
	fmt.Fprintf(w, "%s\n\n%s\n", msg.Title, msg.Text)
	if opts.Interactive {
		fmt.Fprintf(w, "Answer by %s.\n", msg.Deadline.Local().Format("15:04:05"))
	}
	fmt.Fprintln(w)
}

func firstParagraph(s string) string {
	if i := strings.Index(s, "\n\n"); i >= 0 {
		return s[:i]
	}
	return s
}
