// Package bottest has test doubles for driving a bot.Bot: a fake clock whose
// timers fire when the test advances it, and an in-memory platform that records messages.
package bottest

import (
	"bytes"
	"context"
	_ "embed"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/quorum-dev/quorum/bot"
)

// Clock is a bot.Clock that only moves when Advance is called.
type Clock struct {
	mu     sync.Mutex
	now    time.Time
	seq    int
	timers []*timer
}

var _ bot.Clock = (*Clock)(nil)

type timer struct {
	c       *Clock
	at      time.Time
	seq     int
	f       func()
	stopped bool
	fired   bool
}

// NewClock returns a clock set to now.
func NewClock(now time.Time) *Clock { return &Clock{now: now} }

// Now returns the fake time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// AfterFunc schedules f to run when the clock passes now+d.
func (c *Clock) AfterFunc(d time.Duration, f func()) bot.Timer {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.seq++
	t := &timer{c: c, at: c.now.Add(d), seq: c.seq, f: f}
	c.timers = append(c.timers, t)
	return t
}

// Stop implements bot.Timer.
func (t *timer) Stop() bool {
	t.c.mu.Lock()
	defer t.c.mu.Unlock()
	if t.stopped || t.fired {
		return false
	}
	t.stopped = true
	return true
}

// Advance moves the clock by d, running due timers in time order, each in the
// caller's goroutine so that the test sees their effects when Advance returns.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	end := c.now.Add(d)
	c.mu.Unlock()
	for {
		c.mu.Lock()
		var due []*timer
		for _, t := range c.timers {
			if !t.stopped && !t.fired && !t.at.After(end) {
				due = append(due, t)
			}
		}
		if len(due) == 0 {
			c.now = end
			c.mu.Unlock()
			return
		}
		sort.Slice(due, func(i, j int) bool {
			return due[i].at.Before(due[j].at) || due[i].at.Equal(due[j].at) && due[i].seq < due[j].seq
		})
		t := due[0]
		t.fired = true
		if t.at.After(c.now) {
			c.now = t.at
		}
		c.mu.Unlock()
		t.f()
	}
}

// Pending counts timers that have neither fired nor been stopped.
func (c *Clock) Pending() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, t := range c.timers {
		if !t.stopped && !t.fired {
			n++
		}
	}
	return n
}

// Platform is an in-memory bot.Platform that records what was sent.
type Platform struct {
	name string
	// Threads makes every question outside a DM open a thread, as Discord and Slack do.
	Threads bool

	// Managers are the user ids CanManage allows (Moderation); nil allows nobody.
	Managers map[string]bool

	// Redelivery is what RedeliveryWindow reports (bot.Redelivering); 0, the default,
	// never lets the bot send a question again.
	Redelivery time.Duration
	// Posted remembers where each keyed message (Message.Key) went, as the platform
	// itself does: with Redelivery set, a message sent with a key it holds is not
	// posted again, and Send returns where it went (Discord's nonce). Give the Platform
	// of each start the same map to play one platform across restarts.
	Posted map[string]bot.Sent

	mu      sync.Mutex
	resent  []bot.Message
	msgs    []bot.Message
	ch      chan bot.Message
	n       int
	failErr error
}

var (
	_ bot.Platform     = (*Platform)(nil)
	_ bot.Moderation   = (*Platform)(nil)
	_ bot.Redelivering = (*Platform)(nil)
)

// CanManage implements bot.Moderation from Managers.
func (p *Platform) CanManage(_ context.Context, u bot.User, _ bot.Conversation) (bool, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.Managers[u.ID], nil
}

// RedeliveryWindow implements bot.Redelivering from Redelivery.
func (p *Platform) RedeliveryWindow(context.Context, bot.Message) time.Duration { return p.Redelivery }

// NewPlatform returns a platform called name.
func NewPlatform(name string) *Platform {
	return &Platform{name: name, ch: make(chan bot.Message, 1024), Posted: map[string]bot.Sent{}}
}

// Name implements bot.Platform.
func (p *Platform) Name() string { return p.name }

// FailNext makes the next Send return err.
func (p *Platform) FailNext(err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.failErr = err
}

// Send records msg.
func (p *Platform) Send(_ context.Context, msg bot.Message) (bot.Sent, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if err := p.failErr; err != nil {
		p.failErr = nil
		return bot.Sent{}, err
	}
	if msg.Again {
		p.resent = append(p.resent, msg)
	}
	if sent, ok := p.Posted[msg.Key]; ok && p.Redelivery > 0 && msg.Key != "" {
		return sent, nil
	}
	p.n++
	sent := bot.Sent{ID: fmt.Sprintf("m%d", p.n)}
	if p.Threads && msg.Kind == bot.MsgQuestion && !msg.Conv.DM && msg.Conv.Thread == "" {
		sent.Thread = "t" + sent.ID
	}
	if msg.Key != "" && p.Posted != nil {
		p.Posted[msg.Key] = sent
	}
	p.msgs = append(p.msgs, msg)
	select {
	case p.ch <- msg:
	default: // nobody is reading; Messages still has it
	}
	return sent, nil
}

// Resent returns the messages sent again after a restart (Message.Again), posted or not.
func (p *Platform) Resent() []bot.Message {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]bot.Message(nil), p.resent...)
}

// Messages returns everything sent so far.
func (p *Platform) Messages() []bot.Message {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]bot.Message(nil), p.msgs...)
}

// Next returns the next message sent, failing the test if none comes within a second.
func (p *Platform) Next(t testing.TB) bot.Message {
	t.Helper()
	select {
	case m := <-p.ch:
		return m
	case <-time.After(time.Second):
		t.Fatalf("no message sent within 1s")
		return bot.Message{}
	}
}

// NextKind returns the next message, failing the test unless it has kind k.
func (p *Platform) NextKind(t testing.TB, k bot.MessageKind) bot.Message {
	t.Helper()
	m := p.Next(t)
	if m.Kind != k {
		t.Fatalf("got message kind %d (%q), want kind %d", m.Kind, m.Text, k)
	}
	return m
}

// None fails the test if a message is waiting.
func (p *Platform) None(t testing.TB) {
	t.Helper()
	select {
	case m := <-p.ch:
		t.Fatalf("got unexpected message %d: %q", m.Kind, m.Text)
	default:
	}
}

// Drain discards waiting messages.
func (p *Platform) Drain() {
	for {
		select {
		case <-p.ch:
		default:
			return
		}
	}
}

//go:embed testpack.yaml
var testPack []byte

// Bank returns a small bank of two questions for tests: test/raft-election (consensus,
// four key points, red flag lowest-id) and test/quorum-overlap (replication, 2m limit).
func Bank(t testing.TB) *bot.Bank {
	t.Helper()
	p, err := bot.ParsePack("bottest/testpack.yaml", testPack)
	if err != nil {
		t.Fatal(err)
	}
	b, err := bot.NewBank(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Question returns test/raft-election from Bank.
func Question(t testing.TB) *bot.Question {
	t.Helper()
	q, err := Bank(t).Lookup("test/raft-election")
	if err != nil {
		t.Fatal(err)
	}
	return q
}

// Buffer is a bytes.Buffer safe to read while another goroutine (a logger, a running
// command) writes to it.
type Buffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

// Write appends p.
func (s *Buffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

// String returns what was written so far.
func (s *Buffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// Recorder is a bot.Handler that keeps the events it is handed, for tests that drive an
// adapter without the core.
type Recorder struct {
	mu     sync.Mutex
	events []bot.Event
}

// Handle keeps ev.
func (r *Recorder) Handle(_ context.Context, ev bot.Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, ev)
}

// Take returns the events kept since the last Take.
func (r *Recorder) Take() []bot.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.events
	r.events = nil
	return out
}

// Labelled reads the labelled answers of every file that matches one of patterns (a
// file, or a glob such as testdata/graded/*.yaml). It fails the test when a pattern
// matches nothing or a file does not parse.
func Labelled(t testing.TB, patterns ...string) []bot.Labelled {
	t.Helper()
	var set []bot.Labelled
	for _, pattern := range patterns {
		files, _ := filepath.Glob(pattern)
		if len(files) == 0 {
			t.Fatalf("no labelled set in %s", pattern)
		}
		for _, f := range files {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			items, _, err := bot.ParseLabelled(f, data)
			if err != nil {
				t.Fatal(err)
			}
			set = append(set, items...)
		}
	}
	return set
}
