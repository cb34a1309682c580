// Package console is the terminal platform: it asks one question, reads the
// answer from the keyboard (with a live countdown) or from standard input, and prints the verdict.
package console

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/user"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/term"

	"github.com/quorum-dev/quorum/bot"
)

// Name is the platform name of the terminal.
const Name = "console"

// Adapter is the terminal as a bot.Platform. Messages the bot sends are queued
// for the driver (Practice) to print in order.
type Adapter struct {
	msgs chan bot.Message
	keys *KeyReader // started on the first interactive answer
	// afterHandle, when set (by tests), sees each event the driver has handed to the bot.
	afterHandle func(bot.Event)
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
	// FileDir is where attachments (a stats chart, an export) are saved; empty means
	// the current folder.
	FileDir string

	// inInterview: when time runs out the bot moves on, so nothing typed is sent late.
	inInterview bool
}

// ErrNoVerdict means the run ended without a verdict (stopped, or the input was refused).
var ErrNoVerdict = errors.New("no verdict")

// IsTerminal reports whether f is a terminal.
func IsTerminal(f *os.File) bool { return term.IsTerminal(int(f.Fd())) }

// Practice asks q through b and prints what follows until a verdict. It returns the verdict.
func (a *Adapter) Practice(ctx context.Context, b *bot.Bot, q *bot.Question, opts Options) (*bot.Verdict, error) {
	d := a.driver(b, opts)
	if s, ok := b.OpenSession(d.u, d.conv); ok && s.State == bot.SessionOpen {
		d.earlier = s.ID
		if s.Interview != 0 {
			fmt.Fprintln(opts.Err, "(The mock interview an earlier run left open is stopped here, its open question counted as skipped; its partial report follows.)")
		} else if d.opts.Clock.Now().Before(s.Closes()) {
			fmt.Fprintf(opts.Err, "(An unanswered question from an earlier run, %s, is closed as skipped.)\n", s.Question)
		} else {
			fmt.Fprintln(opts.Err, earlierTimedOut(s.Question))
		}
	}
	if _, err := b.Ask(ctx, d.u, d.conv, q, true); err != nil {
		return nil, err
	}
	msg, err := d.run(ctx, bot.MsgVerdict)
	if err != nil {
		return nil, err
	}
	if opts.JSON {
		// One line: easy to pipe, and the verdict is never scrolled away.
		if err := json.NewEncoder(opts.Out).Encode(msg.Verdict.JSON()); err != nil {
			return nil, fmt.Errorf("write verdict: %w", err)
		}
	} else {
		fmt.Fprintf(opts.Out, "\n%s\n", msg.Text)
	}
	return msg.Verdict, nil
}

// AnswerSeparator separates answers on standard input in a non-interactive interview.
const AnswerSeparator = "---"

// Interview runs a mock interview through b and prints the report at the end.
// Without a terminal, the answers come from In, separated by lines of "---".
func (a *Adapter) Interview(ctx context.Context, b *bot.Bot, topic string, opts Options) (*bot.Report, error) {
	opts.inInterview = true
	d := a.driver(b, opts)
	d.interview = true
	// An interview an earlier run left running (it was killed) goes on where it was,
	// as in chat: its open question is shown again.
	iv, err := b.ContinueInterview(ctx, d.u, d.conv)
	if err != nil {
		return nil, err
	}
	if iv != nil && !d.opts.Clock.Now().Before(iv.Deadline) {
		// Its 15 minutes ran out while nothing ran: the core ends it now. Its report
		// comes first, then the interview that was asked for.
		fmt.Fprintf(opts.Err, "Your interview from %s ran out of time while Quorum was not running; its report comes first, then a new interview.\n", iv.Started.Local().Format("Jan 2 15:04"))
		if err := d.earlierReport(ctx, iv.ID); err != nil {
			return nil, err
		}
		iv = nil
	}
	if iv != nil {
		d.want = iv.ID
		fmt.Fprintf(opts.Err, "Continuing your interview from %s: %s.\n", iv.Started.Local().Format("Jan 2 15:04"), interviewProgress(iv))
	} else {
		if s, ok := b.OpenSession(d.u, d.conv); ok && s.State == bot.SessionOpen {
			d.earlier = s.ID
			b.Handle(ctx, bot.Event{User: d.u, Conv: d.conv, Text: "stop"})
			a.drain()
			fmt.Fprintf(opts.Err, "(An unanswered question from an earlier run, %s, was closed.)\n", s.Question)
		}
		started, err := b.StartInterview(ctx, d.u, d.conv, topic)
		if err != nil {
			return nil, err
		}
		d.want = started.ID
	}
	return d.report(ctx)
}

// earlierReport waits (a few seconds at most) for the report on interview id, which the
// core is ending because its time ran out while nothing ran, and prints it. What the
// core says of that interview meanwhile (its open question again, its time-up) is not
// shown: nobody is answering it.
func (d *driver) earlierReport(ctx context.Context, id uint64) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	for {
		msg, err := d.a.next(ctx)
		if err != nil {
			return fmt.Errorf("the earlier interview did not end (%w); run quorum interview again", err)
		}
		if msg.Kind == bot.MsgReport {
			fmt.Fprintf(d.opts.Out, "\nThe report of your earlier interview, which ran out of time while Quorum was not running:\n%s\n", msg.Text)
			if msg.Report == nil || msg.Report.Interview == id {
				return nil
			}
		}
	}
}

// report runs the interview d.want to its report, prints it and returns it. A report on
// another interview (one an earlier run left, which the core ended when it started) is
// printed as that, and the wait goes on.
func (d *driver) report(ctx context.Context) (*bot.Report, error) {
	for {
		msg, err := d.run(ctx, bot.MsgReport)
		if err != nil {
			return nil, err
		}
		if msg.Report != nil && msg.Report.Interview != d.want {
			fmt.Fprintf(d.opts.Out, "\nThe report of an earlier interview, which ended while Quorum was not running:\n%s\n", msg.Text)
			continue
		}
		fmt.Fprintf(d.opts.Out, "\n%s\n", msg.Text)
		return msg.Report, nil
	}
}

// interviewProgress says where interview iv is: "question 2 of 4", or the follow-up.
func interviewProgress(iv *bot.Interview) string {
	if iv.Current < len(iv.Plan) {
		return fmt.Sprintf("question %d of %d", iv.Current+1, len(iv.Plan))
	}
	return "the follow-up question"
}

// driver runs the exchange with the bot: it prints what the bot says and answers
// questions from the keyboard, a recording or standard input.
type driver struct {
	a         *Adapter
	b         *bot.Bot
	opts      Options
	u         bot.User
	conv      bot.Conversation
	session   *bot.Session
	answered  bool
	interview bool
	piped     *bufio.Reader // standard input split into answers, for interviews
	earlier   uint64        // the session an earlier run left open, already told about
	want      uint64        // the interview whose report ends the run
	// stopped: Ctrl-C cancelled the run's context during an interview and stop was sent;
	// the partial report is still read and printed.
	stopped bool
}

// earlierTimedOut tells about the question (id, when known) an earlier run left open
// whose time ran out.
func earlierTimedOut(id string) string {
	if id != "" {
		return fmt.Sprintf("(The question an earlier run left open, %s, ran out of time; it counts as timed out.)", id)
	}
	return "(The question an earlier run left open ran out of time; it counts as timed out.)"
}

func (a *Adapter) driver(b *bot.Bot, opts Options) *driver {
	if opts.Clock == nil {
		opts.Clock = bot.SystemClock{}
	}
	return &driver{a: a, b: b, opts: opts, u: User(), conv: Conversation()}
}

// run handles messages until one of kind until arrives, and returns it.
func (d *driver) run(ctx context.Context, until bot.MessageKind) (bot.Message, error) {
	opts := d.opts
	for {
		if d.stopped {
			ctx = context.WithoutCancel(ctx)
		}
		msg, err := d.a.next(ctx)
		if err != nil {
			return bot.Message{}, err
		}
		if msg.Kind == until {
			return msg, nil
		}
		switch msg.Kind {
		case bot.MsgQuestion:
			d.a.printQuestion(msg, opts)
			s, _ := d.b.OpenSession(d.u, d.conv)
			d.session = &s
			if err := d.answer(ctx); err != nil {
				return bot.Message{}, err
			}
		case bot.MsgTimeUp:
			if d.session == nil || msg.Session != d.session.ID {
				// A question an earlier run left open ran out as this one started.
				if msg.Session != d.earlier {
					fmt.Fprintln(opts.Err, earlierTimedOut(""))
				}
				continue
			}
			if d.answered {
				// The answer is on its way and will be graded as late; the note's "no
				// answer came in time" would contradict what the terminal just said.
				continue
			}
			fmt.Fprintf(opts.Err, "\n%s\n", firstParagraph(msg.Text))
			if opts.Interactive {
				return bot.Message{}, ErrNoVerdict
			}
		case bot.MsgError:
			if d.interview && !opts.Interactive && d.answered {
				// The answer was refused (binary data): a pipe cannot send it again.
				fmt.Fprintf(opts.Err, "%s In a pipe it cannot be sent again, so that question counts as skipped.\n", firstSentence(msg.Text))
				d.answered = false
				d.handle(ctx, bot.Event{User: d.u, Conv: d.conv, Text: "skip"})
				continue
			}
			fmt.Fprintf(opts.Err, "%s\n", msg.Text)
			if !opts.Interactive || d.session == nil || opts.Audio != nil {
				return bot.Message{}, ErrNoVerdict
			}
			d.answered = false
			if err := d.answer(ctx); err != nil {
				return bot.Message{}, err
			}
		default:
			fmt.Fprintf(opts.Err, "%s\n", msg.Text)
			saveFiles(msg, opts)
		}
	}
}

// answer reads the answer to the open question and hands it to the bot.
func (d *driver) answer(ctx context.Context) error {
	opts := d.opts
	if opts.Audio != nil {
		fmt.Fprintf(opts.Err, "Transcribing %s...\n", opts.Audio.Name)
		d.answered = true
		d.handle(ctx, bot.Event{User: d.u, Conv: d.conv, Audio: opts.Audio})
		return nil
	}
	var (
		text  string
		state readState
		err   error
	)
	if d.interview && !opts.Interactive {
		text, state, err = d.nextPiped(ctx)
	} else {
		text, state, err = d.a.readAnswer(ctx, d.session, opts)
	}
	switch {
	case state == interrupted:
		return d.command(ctx, "stop")
	case err != nil:
		return err
	case state == expiredEmpty:
		return nil // the bot's time's-up message follows
	case state == refused:
		// Standard input cannot send it again: the question counts as skipped.
		fmt.Fprintf(opts.Err, "%s In a pipe it cannot be sent again, so that question counts as skipped.\n", text)
		d.handle(ctx, bot.Event{User: d.u, Conv: d.conv, Text: "skip"})
		return nil
	}
	if w := CommandWord(text); w != "" {
		return d.command(ctx, w)
	}
	if state == expiredText {
		fmt.Fprintln(opts.Err, "Time's up: grading what you typed (it counts as late).")
	}
	d.answered = true
	d.handle(ctx, bot.Event{User: d.u, Conv: d.conv, Text: text, Answer: true})
	return nil
}

// CommandWord returns "skip" or "stop" when an answer is exactly that word (any case,
// spaces around it): in the terminal those pass on the question or end, as in chat.
func CommandWord(text string) string {
	switch w := strings.ToLower(strings.TrimSpace(text)); w {
	case "skip", "stop":
		return w
	}
	return ""
}

// command passes on the question (skip) or ends (stop). In practice the run ends
// without a verdict; in an interview the next question or the partial report follows.
func (d *driver) command(ctx context.Context, word string) error {
	// Ctrl-C on piped input cancels ctx: the stop must still be recorded.
	d.handle(context.WithoutCancel(ctx), bot.Event{User: d.u, Conv: d.conv, Text: word})
	if d.interview {
		d.stopped = ctx.Err() != nil
		return nil
	}
	d.a.drain()
	if word == "skip" {
		fmt.Fprintln(d.opts.Err, "Skipped. Nothing was graded, and it isn't counted in your pass rate.")
	} else {
		fmt.Fprintln(d.opts.Err, "Stopped. Nothing was graded.")
	}
	return ErrNoVerdict
}

// handle hands ev to the bot.
func (d *driver) handle(ctx context.Context, ev bot.Event) {
	d.b.Handle(ctx, ev)
	if d.a.afterHandle != nil {
		d.a.afterHandle(ev)
	}
}

// maxRead caps what is read as one answer from standard input: enough to count the
// characters of any answer someone meant to send, and no more.
const maxRead = 1 << 20

// nextPiped returns the next answer from standard input, up to a "---" line or EOF.
// An answer over the limit comes back refused, with the sentence that says why.
func (d *driver) nextPiped(ctx context.Context) (string, readState, error) {
	if d.piped == nil {
		d.piped = bufio.NewReader(d.opts.In)
	}
	type result struct {
		text  string
		chars int
		err   error
	}
	done := make(chan result, 1)
	go func() {
		var b strings.Builder
		chars := 0
		for {
			line, err := d.piped.ReadString('\n')
			if strings.TrimSpace(line) == AnswerSeparator {
				break
			}
			chars += utf8.RuneCountInString(line)
			if b.Len() < maxRead {
				b.WriteString(line)
			}
			if err != nil {
				if !errors.Is(err, io.EOF) {
					done <- result{err: fmt.Errorf("read answer: %w", err)}
					return
				}
				break
			}
		}
		done <- result{text: strings.TrimRight(b.String(), "\n"), chars: chars}
	}()
	select {
	case <-ctx.Done():
		return "", interrupted, nil
	case r := <-done:
		if r.err != nil {
			return "", gotAnswer, r.err
		}
		n := utf8.RuneCountInString(strings.TrimSpace(r.text))
		if len(r.text) >= maxRead {
			n = r.chars // only the start was kept; the count is of all of it
		}
		if n > bot.MaxAnswerChars {
			return bot.TooLong(n), refused, nil
		}
		return r.text, gotAnswer, nil
	}
}

type readState int

const (
	gotAnswer readState = iota
	interrupted
	expiredEmpty
	expiredText // time ran out with text typed: it goes as a late answer
	refused     // the answer cannot be taken; the text says why
)

// readAnswer reads the answer: all of In when not interactive, else lines with a countdown.
// When time runs out in the terminal, what was typed so far is sent as a late answer.
// Ctrl-C (in the editor, or cancelling ctx while reading standard input) is interrupted.
func (a *Adapter) readAnswer(ctx context.Context, s *bot.Session, opts Options) (string, readState, error) {
	if !opts.Interactive {
		return readAll(ctx, opts.In)
	}
	f, isFile := opts.In.(*os.File)
	var restore func()
	width := 80
	if isFile && IsTerminal(f) {
		old, err := term.MakeRaw(int(f.Fd()))
		if err != nil {
			return "", gotAnswer, fmt.Errorf("set terminal to raw mode: %w", err)
		}
		restore = func() {
			flushInput(f) // what was typed or pasted after the answer must not reach the shell
			term.Restore(int(f.Fd()), old)
		}
		if w, _, err := term.GetSize(int(f.Fd())); err == nil && w > 0 {
			width = w
		}
	}
	fmt.Fprintln(opts.Err, SubmitHint)
	stop := make(chan struct{})
	timer := opts.Clock.AfterFunc(s.Closes().Sub(opts.Clock.Now()), func() { close(stop) })
	defer timer.Stop()
	if a.keys == nil {
		a.keys = NewKeyReader(opts.In)
	}
	ed := &Editor{Keys: a.keys, Out: opts.Err, Width: width, Grace: s.Grace,
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
	case res.Expired && (res.Text == "" || opts.inInterview):
		return "", expiredEmpty, nil
	case res.Expired:
		return res.Text, expiredText, ctx.Err()
	}
	return res.Text, gotAnswer, ctx.Err()
}

// SubmitHint is the line above the editor: how to finish, and that a paste never does.
const SubmitHint = "Type your answer; pasting is safe. Press Enter on an empty line (or Ctrl-D) to submit; Ctrl-C stops."

// readAll reads all of r, up to maxRead, as the answer; cancelling ctx (Ctrl-C) stops
// the wait at once, though r is still open.
func readAll(ctx context.Context, r io.Reader) (string, readState, error) {
	type result struct {
		data []byte
		err  error
	}
	done := make(chan result, 1)
	go func() {
		data, err := io.ReadAll(io.LimitReader(r, maxRead+1))
		done <- result{data, err}
	}()
	select {
	case <-ctx.Done():
		return "", interrupted, nil
	case res := <-done:
		if res.err != nil {
			return "", gotAnswer, fmt.Errorf("read answer: %w", res.err)
		}
		if len(res.data) > maxRead {
			return "", gotAnswer, fmt.Errorf("the answer is over %d MiB; I take up to %d characters", maxRead>>20, bot.MaxAnswerChars)
		}
		return string(res.data), gotAnswer, nil
	}
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

// firstSentence is s up to its first full stop.
func firstSentence(s string) string {
	if i := strings.Index(s, ". "); i >= 0 {
		return s[:i+1]
	}
	return s
}

func firstParagraph(s string) string {
	if i := strings.Index(s, "\n\n"); i >= 0 {
		return s[:i]
	}
	return s
}
