// Package bot is Quorum's core: the domain types (events, messages, questions,
// verdicts, sessions) and the Bot that routes events, times answers and grades them.
package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// Defaults for Config fields left zero.
const (
	DefaultTimeLimit  = 3 * time.Minute
	DefaultGrace      = 10 * time.Second
	DefaultLateWindow = 15 * time.Minute
	// MaxAnswerChars caps a typed answer, in characters: far more than anyone says in a time limit.
	MaxAnswerChars = 20000
	// MaxAnswerBytes is the most an answer of MaxAnswerChars characters takes in UTF-8;
	// readers of answers read up to it.
	MaxAnswerBytes = 4 * MaxAnswerChars
)

// Config is what a Bot needs. Bank, Grader and Store are required.
type Config struct {
	Bank   *Bank
	Grader Grader
	Store  Store
	Clock  Clock
	Logger *slog.Logger
	// TimeLimit applies to questions that set none; Grace is added to every limit.
	TimeLimit, Grace time.Duration
	// LateWindow is how long after time's up a late answer still gets feedback.
	LateWindow time.Duration
	// Rand picks questions; nil seeds one from the clock.
	Rand *rand.Rand
	// Writer writes tailored questions; nil ranks the bank instead.
	Writer QuestionWriter
	// Transcriber turns spoken answers into text; nil asks people to type.
	Transcriber Transcriber
	// DrillFeedbackPrivate sends verdicts on channel drill answers only to the person
	// (ephemeral or by DM) instead of in the drill's thread.
	DrillFeedbackPrivate bool
	// Metrics counts attempts, grading and drill runs; nil counts nothing.
	Metrics Meter
	// Limits caps each person's answers and commands; the zero value caps nothing.
	Limits Limits
	// PassScore is the pass line drawn on stats charts; zero means DefaultPassScore.
	PassScore int
}

// Bot routes events from platforms to sessions and commands. It is safe for concurrent use.
type Bot struct {
	bank   *Bank
	grader Grader
	store  Store
	writer QuestionWriter
	// transcriber is nil when speech is not configured.
	transcriber Transcriber
	clock       Clock
	log         *slog.Logger
	limit       time.Duration
	grace       time.Duration
	late        time.Duration
	meter       Meter
	limits      *limiter
	passScore   int

	rngMu sync.Mutex
	rng   *rand.Rand

	sched timerSet // daily drills
	// armMu orders arming a daily drill after a run against `daily on` and `daily off`.
	armMu  sync.Mutex
	drills drillState
	// drillPrivate: verdicts on drill answers go privately.
	drillPrivate bool
	// stopping ends when Close is called: paced work waiting for its turn gives up.
	stopping context.Context
	stop     context.CancelFunc
	paceMu   sync.Mutex
	pace     map[string]chan struct{} // per platform: the turns of paced posts

	mu        sync.Mutex
	platforms map[string]Platform
	sessions  map[string]*live // by sessionKey
	closed    bool
	inflight  sync.WaitGroup
}

// heldEvent is a message that came during a time-up's bookkeeping: an answer, or a
// skip or stop (word).
type heldEvent struct {
	ev   Event
	word string // "skip" or "stop"; empty for an answer
}

// live is a session held in memory with its timer.
type live struct {
	s     *Session
	timer Timer
	busy  bool // an answer is being graded, or the time-up recorded
	// timingUp: busy with the time-up's bookkeeping only. An answer, skip or stop
	// arriving then is held in held and applied in order right after, the session
	// kept busy until then, not turned away (the terminal sends what was typed as its
	// timer and the core's fire together).
	timingUp bool
	held     []heldEvent
	// forgotten: taken out of memory by `forget confirm`; what was held is dropped.
	forgotten bool
	// loaded: read from the store at Start, its question sent by an earlier process
	// (see ContinueInterview).
	loaded bool
}

// New returns a Bot. Call AddPlatform for each platform, then Start.
func New(cfg Config) *Bot {
	b := &Bot{
		bank:         cfg.Bank,
		grader:       cfg.Grader,
		store:        cfg.Store,
		writer:       cfg.Writer,
		transcriber:  cfg.Transcriber,
		clock:        cfg.Clock,
		log:          cfg.Logger,
		limit:        cfg.TimeLimit,
		grace:        cfg.Grace,
		late:         cfg.LateWindow,
		meter:        cfg.Metrics,
		limits:       newLimiter(cfg.Limits),
		rng:          cfg.Rand,
		drillPrivate: cfg.DrillFeedbackPrivate,
		passScore:    cfg.PassScore,
		platforms:    map[string]Platform{},
		sessions:     map[string]*live{},
	}
	if b.clock == nil {
		b.clock = SystemClock{}
	}
	if b.meter == nil {
		b.meter = noMeter{}
	}
	b.stopping, b.stop = context.WithCancel(context.Background())
	if b.log == nil {
		b.log = slog.New(slog.DiscardHandler)
	}
	b.log = b.log.With("component", "bot")
	if b.limit <= 0 {
		b.limit = DefaultTimeLimit
	}
	if b.grace < 0 {
		b.grace = 0
	}
	if b.late <= 0 {
		b.late = DefaultLateWindow
	}
	if b.passScore <= 0 {
		b.passScore = DefaultPassScore
	}
	if b.rng == nil {
		seed := uint64(b.clock.Now().UnixNano())
		b.rng = rand.New(rand.NewPCG(seed, seed>>7|1))
	}
	return b
}

// Bank returns the question bank.
func (b *Bot) Bank() *Bank { return b.bank }

// AddPlatform registers p; messages to conversations on p.Name() go through it.
func (b *Bot) AddPlatform(p Platform) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.platforms[p.Name()] = p
}

// Start loads stored sessions of the registered platforms and re-arms their timers.
// A session whose time ran out while the bot was down gets its time's-up now.
func (b *Bot) Start(ctx context.Context) error {
	stored, err := b.store.Sessions(ctx)
	if err != nil {
		return fmt.Errorf("load sessions: %w", err)
	}
	now := b.clock.Now()
	var resend []*Session
	b.mu.Lock()
	for _, s := range stored {
		if _, ok := b.platforms[s.Conv.Platform]; !ok {
			continue // another process's platform; leave it for that process
		}
		if s.State == SessionExpired && now.After(s.Closes().Add(b.late)) {
			if err := b.store.FinishSession(ctx, s.ID, nil); err != nil {
				b.log.Warn("drop stale session", "session", s.ID, "err", err)
			}
			continue
		}
		l := &live{s: s, loaded: true}
		b.sessions[sessionKey(s.User, s.Conv)] = l
		switch s.State {
		case SessionOpen:
			b.arm(l)
		case SessionExpired:
			b.armLate(l)
		}
		if redeliverable(s, now) {
			resend = append(resend, s)
		}
	}
	b.log.Info("started", "sessions", len(b.sessions))
	b.mu.Unlock()
	for _, s := range resend {
		b.inflight.Add(1)
		go func() {
			defer b.inflight.Done()
			b.redeliver(context.Background(), s)
		}()
	}
	b.redeliverOutbox(ctx)
	b.resumeInterviews(ctx)
	if err := b.startDailies(ctx); err != nil {
		return err
	}
	return b.startDrills(ctx)
}

// Close stops the timers and waits for answers being graded. It does not close the store.
func (b *Bot) Close() {
	b.stop()
	b.mu.Lock()
	b.closed = true
	for _, l := range b.sessions {
		if l.timer != nil {
			l.timer.Stop()
		}
	}
	b.mu.Unlock()
	b.sched.stopAll()
	b.drills.timers.stopAll()
	b.drills.mu.Lock()
	for _, o := range b.drills.runs {
		if o.timer != nil {
			o.timer.Stop()
		}
	}
	b.drills.mu.Unlock()
	b.inflight.Wait()
}

// Idle waits until no event, timer or made-up daily run is being handled. Tests use it
// to see the effects of work the bot starts on its own.
func (b *Bot) Idle() { b.inflight.Wait() }

// OpenSession returns a copy of the person's session in conv, if any.
func (b *Bot) OpenSession(u User, conv Conversation) (Session, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	l, ok := b.sessions[sessionKey(u, conv)]
	if !ok {
		return Session{}, false
	}
	return *l.s, true
}

// sessionKey is one person in one channel (a thread belongs to its channel).
func sessionKey(u User, c Conversation) string {
	return u.Key() + "|" + c.Platform + ":" + c.ID
}

// arm starts the session's time-up timer. b.mu must be held.
func (b *Bot) arm(l *live) {
	d := l.s.Closes().Sub(b.clock.Now())
	if d < 0 {
		d = 0
	}
	id := l.s.ID
	key := sessionKey(l.s.User, l.s.Conv)
	l.timer = b.clock.AfterFunc(d, func() { b.timeUp(key, id) })
}

// armLate starts the timer that forgets an expired session when its late window ends,
// so a message after that is a message again, not a late answer. b.mu must be held.
func (b *Bot) armLate(l *live) {
	d := l.s.Closes().Add(b.late).Sub(b.clock.Now())
	if d < 0 {
		d = 0
	}
	id := l.s.ID
	key := sessionKey(l.s.User, l.s.Conv)
	l.timer = b.clock.AfterFunc(d, func() { b.lateOver(context.Background(), key, id) })
}

// lateOver forgets expired session id once its late window has ended; its timed-out
// attempt stays as it was.
func (b *Bot) lateOver(ctx context.Context, key string, id uint64) {
	b.mu.Lock()
	l := b.sessions[key]
	if b.closed || l == nil || l.s.ID != id || l.s.State != SessionExpired || l.busy {
		b.mu.Unlock()
		return
	}
	if l.timer != nil {
		l.timer.Stop()
	}
	delete(b.sessions, key)
	b.inflight.Add(1)
	defer b.inflight.Done()
	b.mu.Unlock()
	if err := b.store.FinishSession(ctx, id, nil); err != nil {
		b.log.Error("drop expired session", "session", id, "err", err)
	}
}

// pastLate reports whether l is an expired session whose late window had ended at t.
// b.mu must be held.
func (b *Bot) pastLate(l *live, t time.Time) bool {
	return l.s.State == SessionExpired && t.After(l.s.Closes().Add(b.late))
}

// Handle processes one event and sends the replies. It returns when the replies are sent,
// except for an answer, skip or stop that arrives while its question's time-up is being
// recorded: that one is applied by the time-up, right after, in order (an answer graded
// as late).
func (b *Bot) Handle(ctx context.Context, ev Event) {
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		return
	}
	b.inflight.Add(1)
	b.mu.Unlock()
	defer b.inflight.Done()

	if ev.Time.IsZero() {
		ev.Time = b.clock.Now()
	}
	switch ev.Kind {
	case EventAction:
		b.handleAction(ctx, ev)
	default:
		b.handleMessage(ctx, ev)
	}
}

func (b *Bot) handleMessage(ctx context.Context, ev Event) {
	text := ev.Text
	cmd, args := parseCommand(text)
	key := sessionKey(ev.User, ev.Conv)

	b.mu.Lock()
	l := b.sessions[key]
	elsewhere := false // the person's open question is in a thread, and this is not it
	if l != nil && l.s.Conv.Thread != "" && ev.Conv.Thread != l.s.Conv.Thread && !ev.Answer {
		l, elsewhere = nil, l.s.State == SessionOpen
	}
	var stale uint64
	if l != nil && !l.busy && b.pastLate(l, ev.Time) {
		// Its late window has ended (its timer has not fired yet): the message is not
		// a late answer.
		stale, l = l.s.ID, nil
	}
	b.mu.Unlock()
	if stale != 0 {
		b.lateOver(ctx, key, stale)
	}

	form := ev.Answer // typed in a form ("Answer privately"), not a message in the channel
	if ev.Audio != nil {
		ev.Answer = true
	}
	if o := b.drillRunIn(ev.Conv); o != nil {
		switch {
		case ev.Conv.Thread != "":
			b.drillMessage(ctx, ev, o, cmd, args)
			return
		case form && o.r.Conv.Thread == "" && (l == nil || l.s.Conv.Thread != ""):
			// A drill posted without a thread (the platform could not open one) is
			// answered with the form in its channel. Plain messages there are not
			// answers: the channel's chatter would be graded. The person's own question
			// in a thread of this channel does not take it: a form opened on that
			// question comes from its thread (ev.Conv.Thread), this one did not.
			b.drillAnswer(ctx, ev, o)
			return
		}
	}
	if l != nil {
		if !ev.Answer && b.commandDuringSession(cmd, args) {
			b.command(ctx, ev, cmd, args)
		} else {
			b.answer(ctx, ev, l)
		}
		return
	}
	if ev.Answer {
		b.reply(ctx, ev, MsgInfo, "", "There's no open question to answer here. Say `practice` to get one, then answer by text or voice.")
		return
	}
	if elsewhere && !b.commandDuringSession(cmd, args) {
		// Most likely the answer, sent to the channel instead of the question's thread.
		b.reply(ctx, ev, MsgInfo, "", "Your question is open in its thread: send your answer there (or use the Answer privately button), so it is graded. Nothing was graded here.")
		return
	}
	b.command(ctx, ev, cmd, args)
}

func (b *Bot) handleAction(ctx context.Context, ev Event) {
	switch ev.Action {
	case ActionModel:
		b.command(ctx, ev, "model", nil)
	case ActionFollowUp:
		b.command(ctx, ev, "followup", nil)
	case ActionAnother:
		b.command(ctx, ev, "practice", nil)
	case ActionSkip:
		b.command(ctx, ev, "skip", nil)
	default:
		b.log.Warn("unknown action", "action", ev.Action)
		b.reply(ctx, ev, MsgError, "", "That button no longer works. Say `help` to see what I can do.")
	}
}

// send delivers msg through its conversation's platform, logging failures.
func (b *Bot) send(ctx context.Context, msg Message) (Sent, error) {
	b.mu.Lock()
	p := b.platforms[msg.Conv.Platform]
	b.mu.Unlock()
	if p == nil {
		err := fmt.Errorf("no platform %q", msg.Conv.Platform)
		b.log.Error("send", "err", err)
		return Sent{}, err
	}
	sent, err := p.Send(ctx, msg)
	if err != nil {
		b.meter.SendFailed(msg.Conv.Platform)
		b.log.Error("send", "platform", msg.Conv.Platform, "conv", msg.Conv.ID, "kind", msg.Kind, "err", err)
	}
	return sent, err
}

// reply sends a plain message to the event's conversation.
func (b *Bot) reply(ctx context.Context, ev Event, kind MessageKind, title, text string) {
	b.send(ctx, Message{Kind: kind, Conv: ev.Conv, To: ev.User, Title: title, Text: text})
}

// Pick chooses a question matching f for the person, by spaced repetition over their
// attempts (History.Pick): failed questions when their review is due, then their tailored
// questions not yet answered, then new ones from their weaker topics, never the last one again.
func (b *Bot) Pick(ctx context.Context, u User, f Filter) (*Question, error) {
	attempts, err := b.attemptSummaries(ctx, u.Key())
	if err != nil {
		return nil, fmt.Errorf("load attempts: %w", err)
	}
	h := NewHistory(attempts)
	tailored := b.personalCandidates(ctx, u, f)
	now := b.clock.Now()
	b.rngMu.Lock()
	defer b.rngMu.Unlock()
	return h.Pick(tailored, b.bank.Select(f), now, b.rng), nil
}

// Ask puts question q to the person in conv: the session is stored before the question is sent.
// An open session of theirs in conv is closed as skipped first when replace is set; if
// that session is busy (an answer being graded, its time's-up being recorded), Ask waits
// for it rather than failing.
func (b *Bot) Ask(ctx context.Context, u User, conv Conversation, q *Question, replace bool) (*Session, error) {
	return b.ask(ctx, u, conv, q, askOpts{replace: replace, kind: KindPractice})
}

// askOpts say how a question is put.
type askOpts struct {
	replace   bool   // close an open session first
	kind      string // KindPractice, KindFollowUp, KindInterview
	interview uint64 // the interview the question belongs to
	limit     time.Duration
	intro     string // said before the question, in the same message
	// scheduled marks a question Quorum sends on its own (Session.Paced); its caller
	// has taken the platform's turn (RateLimited) already.
	scheduled bool
	run       *RunRef // the daily run the question is asked for (Session.Run)
}

func (b *Bot) ask(ctx context.Context, u User, conv Conversation, q *Question, o askOpts) (*Session, error) {
	key := sessionKey(u, conv)
	replace := o.replace
	now := b.clock.Now()
	limit := q.TimeLimit
	if limit <= 0 {
		limit = b.limit
	}
	if o.limit > 0 {
		limit = o.limit
	}
	s := &Session{
		User: u, Conv: conv, Question: q.Ref(), Kind: o.kind, State: SessionOpen,
		Asked: now, Deadline: now.Add(limit), Grace: b.grace, Interview: o.interview, Paced: o.scheduled,
		Intro: o.intro, Run: o.run,
	}
	if inBank, err := b.bank.Lookup(q.Ref()); err != nil || inBank != q {
		s.Inline = q
	}
	s.ResendBy = b.resendBy(ctx, questionMessage(s, q), now)

	b.mu.Lock()
	old := b.sessions[key]
	for old != nil && old.busy && replace {
		// Replacing: wait out the answer or time-up in flight (a terminal run that starts
		// as an earlier run's question runs out), then close what it left.
		b.mu.Unlock()
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(5 * time.Millisecond):
		}
		b.mu.Lock()
		old = b.sessions[key]
	}
	if old != nil && old.busy {
		b.mu.Unlock()
		return nil, errBusy
	}
	if old != nil && old.s.State == SessionOpen && !replace {
		b.mu.Unlock()
		return nil, errOpen
	}
	if old != nil {
		if old.timer != nil {
			old.timer.Stop()
		}
		delete(b.sessions, key)
	}
	b.mu.Unlock()

	if old != nil {
		var a *Attempt
		switch {
		case old.s.State == SessionOpen && !now.Before(old.s.Closes()):
			// Its time ran out before its timer could say so (a terminal run starting
			// after an earlier one left it open): a time-out, not a skip.
			a = b.attempt(old.s, OutcomeTimeout, "", nil, now)
		case old.s.State == SessionOpen:
			a = b.attempt(old.s, OutcomeSkipped, "", nil, now)
		}
		switch err := b.store.FinishSession(ctx, old.s.ID, a); {
		case forgotten(err): // forgotten meanwhile: nothing left to close
		case err != nil:
			return nil, fmt.Errorf("close previous session: %w", err)
		default:
			b.recorded(a)
			if a != nil && old.s.Interview != 0 && old.s.Interview != o.interview {
				// The question of an interview (left by a terminal run that was killed):
				// the interview ends here, stopped, with its partial report, rather than
				// stay running to be resumed past a question its person never saw.
				if iv := b.recordInInterview(ctx, *old.s, a); iv != nil {
					b.finishInterview(ctx, iv, InterviewStopped)
				}
			}
		}
	}
	if err := b.store.SaveSession(ctx, s, nil); err != nil {
		return nil, fmt.Errorf("save session: %w", err)
	}
	l := &live{s: s}
	b.mu.Lock()
	b.sessions[key] = l
	b.arm(l)
	b.mu.Unlock()

	if err := b.postQuestion(ctx, s, q, false); err != nil {
		if o.run != nil {
			// A run's question stays stored with its run claimed: the send may have been
			// posted all the same (a timeout after the platform took it), so its caller
			// sends it again under the same key, marked Again, never as a new question.
			return s, fmt.Errorf("%w: %w", errNotSent, err)
		}
		b.drop(ctx, key, s.ID)
		return nil, fmt.Errorf("%w: %w", errNotSent, err)
	}
	return s, nil
}

// unlive takes session id out of memory, stopping its timer, and reports whether it was
// still there; the store is left to the caller.
func (b *Bot) unlive(key string, id uint64) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	l := b.sessions[key]
	if l == nil || l.s.ID != id {
		return false
	}
	if l.timer != nil {
		l.timer.Stop()
	}
	delete(b.sessions, key)
	return true
}

// isLive reports whether session id is still the person's in memory: not answered,
// replaced or forgotten.
func (b *Bot) isLive(key string, id uint64) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	l := b.sessions[key]
	return l != nil && l.s.ID == id
}

// retryDelays are the waits, on the bot's clock, before each try again of a keyed
// message whose send failed while Quorum runs (a verdict, a time's-up note, a drill's
// summary). They end within two minutes, Discord's window for telling a send again
// from a first one (Redelivering).
var retryDelays = []time.Duration{2 * time.Second, 5 * time.Second, 15 * time.Second, 30 * time.Second, time.Minute}

// retry calls try after retryDelays[n], and again after each later delay while try
// reports false; gaveUp is called when the delays are spent. Nothing is tried once the
// bot is closed: what was not sent is left for the next start. Waits are timers, not
// sleeps, so a failed send holds up neither its caller nor Close.
func (b *Bot) retry(n int, try func(ctx context.Context) bool, gaveUp func()) {
	if n >= len(retryDelays) {
		gaveUp()
		return
	}
	b.clock.AfterFunc(retryDelays[n], func() {
		if !b.enter() {
			return
		}
		defer b.inflight.Done()
		if !try(context.Background()) {
			b.retry(n+1, try, gaveUp)
		}
	})
}

// postQuestion sends session s's question and records where it went; again marks a
// send after a restart (Message.Again). s is the live session: its fields are changed
// under b.mu.
func (b *Bot) postQuestion(ctx context.Context, s *Session, q *Question, again bool) error {
	b.mu.Lock()
	msg := questionMessage(s, q)
	b.mu.Unlock()
	msg.Again = again
	if s.Intro != "" {
		msg.Text = s.Intro + "\n\n" + msg.Text
	}
	sent, err := b.send(ctx, msg)
	if err != nil {
		return err
	}
	if sent.ID != "" || sent.Thread != "" {
		b.mu.Lock()
		s.MessageID = sent.ID
		if sent.Thread != "" {
			s.Conv.Thread = sent.Thread
		}
		cp := *s
		b.mu.Unlock()
		// ErrNotFound: answered before the send returned; nothing to add the thread to.
		if err := b.store.SaveSession(ctx, &cp, nil); err != nil && !errors.Is(err, ErrNotFound) {
			b.log.Error("save session thread", "session", s.ID, "err", err)
		}
	}
	return nil
}

// Redelivering is an optional ability of a platform: a question message sent in ctx
// and sent again with the same Message.Key (and Message.Again) within the window
// RedeliveryWindow returns is posted once, whether or not the first send got through
// (Discord's message nonce; Slack looks for the first post by its metadata); 0 means
// this message cannot be. A question whose send was never confirmed because Quorum was
// killed is sent again at the next start within that window (Session.ResendBy,
// DrillRun.ResendBy); otherwise it is not, as it might be posted twice.
type Redelivering interface {
	RedeliveryWindow(ctx context.Context, msg Message) time.Duration
}

// resendBy is until when the question message msg, about to be sent in ctx on its
// platform, could be sent again and still be posted once (zero if it could not).
func (b *Bot) resendBy(ctx context.Context, msg Message, now time.Time) time.Time {
	p, _ := b.platform(msg.Conv.Platform)
	if r, ok := p.(Redelivering); ok {
		if w := r.RedeliveryWindow(ctx, msg); w > 0 {
			return now.Add(w)
		}
	}
	return time.Time{}
}

// redeliverable reports whether open session s was stored but its question's send never
// confirmed, and may still be sent again without being posted twice.
func redeliverable(s *Session, now time.Time) bool {
	return s.State == SessionOpen && s.MessageID == "" && now.Before(s.ResendBy)
}

// redeliver sends again the question of a session whose send a kill interrupted.
func (b *Bot) redeliver(ctx context.Context, s *Session) {
	q, err := b.question(s)
	if err != nil {
		b.log.Error("redeliver question: unknown question", "session", s.ID, "question", s.Question)
		b.meter.Resent(ResentQuestion, ResentFailed)
		return
	}
	if s.Paced {
		if err := b.waitTurn(b.stopping, s.Conv.Platform); err != nil {
			return // stopping
		}
	}
	if err := b.postQuestion(ctx, s, q, true); err != nil {
		b.log.Error("redeliver question", "session", s.ID, "err", err)
		b.meter.Resent(ResentQuestion, ResentFailed)
		return
	}
	b.meter.Resent(ResentQuestion, ResentSent)
	// A warning: it is seen only after a crash, which an operator wants to know about.
	b.log.Warn("question sent again after a restart: its first send was cut off", "session", s.ID)
}

// drop forgets a session that never reached the person.
func (b *Bot) drop(ctx context.Context, key string, id uint64) {
	b.mu.Lock()
	if l := b.sessions[key]; l != nil && l.s.ID == id {
		if l.timer != nil {
			l.timer.Stop()
		}
		delete(b.sessions, key)
	}
	b.mu.Unlock()
	if err := b.store.FinishSession(ctx, id, nil); err != nil {
		b.log.Error("drop session", "session", id, "err", err)
	}
}

// timeUp fires when a session's time and grace have run out with no answer.
func (b *Bot) timeUp(key string, id uint64) {
	ctx := context.Background()
	b.mu.Lock()
	l := b.sessions[key]
	if b.closed || l == nil || l.s.ID != id || l.s.State != SessionOpen || l.busy {
		b.mu.Unlock()
		return
	}
	b.inflight.Add(1)
	defer b.inflight.Done()
	l.busy = true // an answer arriving now waits for the time-up to be recorded
	s := *l.s
	l.timingUp = s.Interview == 0
	b.mu.Unlock()

	if s.Interview != 0 {
		b.interviewTimeUp(ctx, l, s)
		return
	}
	s.State = SessionExpired
	a := b.attempt(&s, OutcomeTimeout, "", nil, b.clock.Now())
	q, _ := b.question(&s)
	msg := timeUpMessage(s, q)
	a.Deliver = b.delivery(ctx, msg)
	err := b.store.SaveSession(ctx, &s, a)
	b.mu.Lock()
	if err == nil {
		l.s.State, l.s.AttemptID = s.State, s.AttemptID
	}
	held := len(l.held) > 0
	if !held {
		l.busy, l.timingUp = false, false
		if err == nil && !b.closed {
			b.armLate(l)
		}
	}
	b.mu.Unlock()
	if held {
		// What came during the bookkeeping is applied after the note, in order, with the
		// session kept busy (what else comes meanwhile is held too): nothing else can
		// take it first, so the first answer wins.
		defer b.applyHeld(ctx, l)
	}
	if forgotten(err) {
		b.log.Info("time-up not recorded: its person was forgotten meanwhile", "session", id)
		return
	}
	if err != nil {
		b.log.Error("expire session", "session", id, "err", err)
		return
	}
	b.recorded(a)
	if s.Paced {
		if err := b.waitTurn(b.stopping, s.Conv.Platform); err != nil {
			return // stopping: the note stays in the outbox for the next start
		}
	}
	b.deliver(ctx, a, msg)
}

// timeUpMessage is the note that closes session s, whose question q (nil when it is
// gone) got no answer in time.
func timeUpMessage(s Session, q *Question) Message {
	text := "⏰ Time's up: no answer came in time, so this counts as a timed-out attempt."
	if q != nil {
		text += fmt.Sprintf("\n\nThe question was: %s", FirstParagraph(q.Prompt))
	}
	text += "\n\nYou can still send your answer for feedback (it stays a FAIL), say `model` for the model answer, or `practice` for another question."
	return Message{Kind: MsgTimeUp, Conv: s.Conv, To: s.User, Title: "Time's up", Text: text, Session: s.ID,
		Actions: []Button{{ActionModel, "Model answer"}, {ActionAnother, "Try another"}}}
}

// answer grades ev as the answer to session l.
func (b *Bot) answer(ctx context.Context, ev Event, l *live) {
	arrived := time.Now() // the wall clock, for Meter.Answered
	var text, problem string
	if ev.Audio == nil {
		text, problem = cleanAnswer(ev.Text)
	}
	if problem != "" {
		b.reply(ctx, ev, MsgError, "", problem)
		return
	}
	b.mu.Lock()
	if b.sessions[sessionKey(ev.User, ev.Conv)] != l {
		b.mu.Unlock()
		b.reply(ctx, ev, MsgInfo, "", "That question was just closed. Say `practice` for another.")
		return
	}
	if l.busy && l.timingUp {
		l.held = append(l.held, heldEvent{ev: ev}) // graded by timeUp once the time-out is recorded
		b.mu.Unlock()
		return
	}
	if l.busy {
		b.mu.Unlock()
		b.reply(ctx, ev, MsgInfo, "", "I'm still grading your answer; one moment.")
		return
	}
	l.busy = true
	if l.timer != nil {
		l.timer.Stop()
	}
	b.mu.Unlock()
	b.grade(ctx, ev, l, text, arrived, func() {
		b.mu.Lock()
		b.settle(l)
		b.mu.Unlock()
	})
}

// settle makes busy session l free again, its timer armed for what it now is. b.mu
// must be held.
func (b *Bot) settle(l *live) {
	l.busy, l.timingUp = false, false
	switch {
	case b.closed:
	case l.s.State == SessionOpen:
		b.arm(l)
	case l.s.State == SessionExpired:
		b.armLate(l)
	}
}

// applyHeld applies, in order, what came during the time-up of session l (busy all
// along), then makes it free. A person forgotten meanwhile gets nothing: what they sent
// is dropped.
func (b *Bot) applyHeld(ctx context.Context, l *live) {
	b.mu.Lock()
	l.timingUp = false // from here on, l is busy as with any answer being graded
	b.mu.Unlock()
	for {
		b.mu.Lock()
		if l.forgotten {
			n := len(l.held)
			l.held = nil
			b.mu.Unlock()
			if n > 0 {
				b.log.Info("held answer or skip dropped: its person was forgotten meanwhile", "session", l.s.ID, "held", n)
			}
			return
		}
		ours := b.sessions[sessionKey(l.s.User, l.s.Conv)] == l
		if len(l.held) == 0 {
			if ours {
				b.settle(l)
			}
			b.mu.Unlock()
			return
		}
		h := l.held[0]
		l.held = l.held[1:]
		b.mu.Unlock()
		switch {
		case !ours && h.word != "":
			// Closed by what came before: the first answer won.
			b.reply(ctx, h.ev, MsgInfo, "", "There's no open question to "+h.word+". Say `practice` to get one.")
		case !ours:
			b.reply(ctx, h.ev, MsgInfo, "", "That question was just closed. Say `practice` for another.")
		case h.word != "":
			b.mu.Lock()
			if l.timer != nil {
				l.timer.Stop()
			}
			delete(b.sessions, sessionKey(l.s.User, l.s.Conv))
			s := *l.s
			b.mu.Unlock()
			b.closeSkipped(ctx, h.ev, h.word, s)
		default:
			text, _ := cleanAnswer(h.ev.Text) // checked when it was held
			if h.ev.Audio != nil {
				text = ""
			}
			b.grade(ctx, h.ev, l, text, time.Now(), func() {}) // l stays busy until the end
		}
	}
}

// grade grades ev as the answer to session l, which the caller has made busy; release
// makes it free again when the session stays open (a failure, a limit).
func (b *Bot) grade(ctx context.Context, ev Event, l *live, text string, arrived time.Time, release func()) {
	var problem string
	b.mu.Lock()
	s := *l.s
	b.mu.Unlock()

	// Checked once the answer is known to be graded now, so "still grading" costs nothing.
	kinds := []string{LimitAnswer}
	if ev.Audio != nil {
		kinds = append(kinds, LimitAudio)
	}
	if text, limited := b.limited(ev, true, kinds...); limited {
		release()
		b.reply(ctx, ev, MsgInfo, "", text)
		return
	}

	q, err := b.question(&s)
	if err != nil {
		// The pack was removed from the config since the question was asked.
		b.log.Error("session question missing", "session", s.ID, "question", s.Question)
		b.drop(ctx, sessionKey(s.User, s.Conv), s.ID)
		b.reply(ctx, ev, MsgError, "", "Sorry, I can't find that question any more, so I can't grade this answer. Say `practice` for a new one.")
		return
	}
	limit := s.Deadline.Sub(s.Asked)
	ans := Answer{Text: text, TimeLimit: limit}
	if ev.Audio != nil {
		ans, problem = b.transcribe(ctx, ev.Audio, limit, s.Grace)
		if problem != "" {
			release()
			b.reply(ctx, ev, MsgError, "", problem)
			return
		}
		text = ans.Text
	}
	start := time.Now() // the wall clock: a fake clock does not move while grading
	v, err := b.grader.Grade(ctx, q, ans)
	b.meter.Graded(graderName(b.grader, v), time.Since(start), err)
	if err != nil {
		b.log.Error("grade", "session", s.ID, "question", q.Ref(), "err", err)
		release()
		b.reply(ctx, ev, MsgError, "", "Sorry, I couldn't grade that just now. Your question is still open: send the answer again, or say `skip`.")
		return
	}
	v.PrivateAnswer = ev.Answer && ev.Audio == nil
	outcome := OutcomeGraded
	if s.Interview == 0 && (s.State == SessionExpired || ev.Time.After(s.Closes())) {
		outcome = OutcomeLate
		markLate(v, ev.Time.Sub(s.Deadline), b.passScore)
	}
	a := b.attempt(&s, outcome, text, v, ev.Time)
	a.ID = s.AttemptID // a late answer replaces its timed-out attempt
	msg := verdictMessage(s, q, v)
	if s.Interview == 0 {
		a.Deliver = b.delivery(ctx, msg)
	}
	if err := b.store.FinishSession(ctx, s.ID, a); forgotten(err) {
		b.log.Info("answer not recorded: its person was forgotten while it was graded", "session", s.ID)
		return
	} else if err != nil {
		b.log.Error("record attempt", "session", s.ID, "err", err)
		release()
		b.reply(ctx, ev, MsgError, "", "Sorry, I couldn't save your answer just now. The question is still open: please send it again in a moment.")
		return
	}
	b.recorded(a)
	b.mu.Lock()
	if b.sessions[sessionKey(s.User, s.Conv)] == l {
		delete(b.sessions, sessionKey(s.User, s.Conv))
	}
	b.mu.Unlock()
	if s.Interview != 0 {
		b.interviewAnswered(ctx, s, a)
		return
	}
	if b.deliver(ctx, a, msg) {
		b.meter.Answered(v.Grader, time.Since(arrived))
	}
}

// delivery is where verdict message msg is about to go, for the store's outbox
// (Attempt.Deliver): nil when the store keeps none or the platform could not send it
// again without posting it twice.
func (b *Bot) delivery(ctx context.Context, msg Message) *Delivery {
	if _, ok := b.store.(Outbox); !ok {
		return nil
	}
	by := b.resendBy(ctx, msg, b.clock.Now())
	if by.IsZero() {
		return nil
	}
	return &Delivery{Session: msg.Session, User: msg.To, Conv: msg.Conv, By: by}
}

// deliver sends the verdict message msg of attempt a, just recorded, or its time's-up
// note, and takes it out of the outbox once sent. A message in the outbox whose send
// failed is tried again a few times while Quorum runs (retryDelays), under its key and
// marked Again, as the failed send may have been posted; it stays in the outbox until
// sent, for the next start. It reports whether the platform took the message at once.
func (b *Bot) deliver(ctx context.Context, a *Attempt, msg Message) bool {
	msg.Key = attemptKey(a)
	if _, err := b.send(ctx, msg); err != nil {
		if a.Deliver != nil {
			id, key := a.ID, msg.Key
			b.retry(0, func(ctx context.Context) bool { return b.resendOutbox(ctx, id, key) }, func() {
				b.log.Warn("a verdict or time's-up note could not be sent; kept for the next start", "attempt", id)
			})
		}
		return false
	}
	if a.Deliver != nil {
		b.delivered(ctx, a.ID, msg.Key)
	}
	return true
}

// resendOutbox tries again to send the message under key that closes attempt id, while
// it is in the outbox; it reports true when there is nothing more to try: sent, taken
// out meanwhile (sent at last, forgotten), replaced by another message (a late answer's
// verdict in place of a time's-up note), or past the platform's window.
func (b *Bot) resendOutbox(ctx context.Context, id uint64, key string) bool {
	ds, err := b.store.(Outbox).Undelivered(ctx)
	if err != nil {
		b.log.Error("send again: load the outbox", "attempt", id, "err", err)
		return false
	}
	i := slices.IndexFunc(ds, func(d *Delivery) bool { return d.Attempt == id })
	if i < 0 {
		return true
	}
	if !b.clock.Now().Before(ds[i].By) {
		return true // left in the outbox: the next start drops it with a warning
	}
	return b.redeliverAttempt(ctx, ds[i], key)
}

// redeliverOutbox sends the verdicts and time's-up notes recorded but not known to be
// sent when Quorum stopped (Outbox), where the platform can still tell a second send
// from a first; older ones are dropped with a warning.
func (b *Bot) redeliverOutbox(ctx context.Context) {
	o, ok := b.store.(Outbox)
	if !ok {
		return
	}
	ds, err := o.Undelivered(ctx)
	if err != nil {
		b.log.Error("load the outbox", "err", err)
		return
	}
	now := b.clock.Now()
	for _, d := range ds {
		if _, ok := b.platform(d.Conv.Platform); !ok {
			continue // another process's platform
		}
		if !now.Before(d.By) {
			b.log.Warn("a verdict or time's-up note recorded before a stop may not have been sent; too late to send it again safely", "attempt", d.Attempt)
			b.meter.Resent(b.outboxKind(ctx, d), ResentDropped)
			b.delivered(ctx, d.Attempt, d.Key)
			continue
		}
		b.inflight.Add(1)
		go func() {
			defer b.inflight.Done()
			if !b.redeliverAttempt(context.Background(), d, "") {
				b.retry(0, func(ctx context.Context) bool { return b.resendOutbox(ctx, d.Attempt, "") }, func() {})
			}
		}()
	}
}

// outboxAttempt loads the attempt of delivery d (nil when it is gone) and tells whether
// its message is a time's-up note rather than a verdict.
func (b *Bot) outboxAttempt(ctx context.Context, d *Delivery) (a *Attempt, timedOut bool, err error) {
	attempts, err := b.store.Attempts(ctx, d.User.Key())
	if err != nil {
		return nil, false, err
	}
	i := slices.IndexFunc(attempts, func(a *Attempt) bool { return a.ID == d.Attempt })
	if i < 0 {
		return nil, false, nil
	}
	a = attempts[i]
	return a, a.Outcome == OutcomeTimeout && a.Verdict == nil, nil
}

// outboxKind is the metric kind of delivery d's message: what a dropped entry counts as.
func (b *Bot) outboxKind(ctx context.Context, d *Delivery) string {
	if _, timedOut, _ := b.outboxAttempt(ctx, d); timedOut {
		return ResentTimeUp
	}
	return ResentVerdict
}

// redeliverAttempt sends again the message that closes the attempt of delivery d: its
// verdict, or its time's-up note; key, when not empty, is the message a try again while
// running is for, and another one (a late answer's verdict replacing the note) is left
// to its own send. It reports whether there is nothing more to try: sent, or nothing to
// send; false keeps it in the outbox.
func (b *Bot) redeliverAttempt(ctx context.Context, d *Delivery, key string) bool {
	a, timedOut, err := b.outboxAttempt(ctx, d)
	if err != nil {
		b.log.Error("send again: load attempts", "attempt", d.Attempt, "err", err)
		return false // kept for the next start
	}
	if a == nil || a.Verdict == nil && !timedOut {
		b.delivered(ctx, d.Attempt, d.Key) // forgotten meanwhile: nothing to send
		return true
	}
	if key != "" && attemptKey(a) != key {
		return true
	}
	kind := ResentVerdict
	if timedOut {
		kind = ResentTimeUp
	}
	s := Session{ID: d.Session, User: d.User, Conv: d.Conv}
	q, err := b.bank.Lookup(a.Question)
	var msg Message
	switch {
	case timedOut:
		msg = timeUpMessage(s, q) // without its question when that is gone
	case err != nil:
		b.log.Warn("redeliver verdict: its question is no longer in the bank", "attempt", a.ID)
		b.meter.Resent(kind, ResentDropped)
		b.delivered(ctx, a.ID, d.Key)
		return true
	default:
		msg = verdictMessage(s, q, a.Verdict)
		if a.Kind == KindDrill {
			msg = b.drillVerdict(msg)
		}
	}
	msg.Key, msg.Again = attemptKey(a), true
	if _, err := b.send(ctx, msg); err != nil {
		b.meter.Resent(kind, ResentFailed)
		return false // kept for the next start, within its window
	}
	b.meter.Resent(kind, ResentSent)
	switch {
	case key != "":
		b.log.Info("sent again after a failed send", "attempt", a.ID, "kind", kind)
	case timedOut:
		b.log.Warn("time's-up note sent again after a restart: its first send was cut off", "attempt", a.ID)
	default:
		b.log.Warn("verdict sent again after a restart: its first send was cut off", "attempt", a.ID)
	}
	b.delivered(ctx, a.ID, msg.Key)
	return true
}

// attemptKey is the key of the message that closes attempt a (Attempt.MessageKey).
func attemptKey(a *Attempt) string { return a.MessageKey() }

// MessageKey is the key of the message that closes attempt a: its verdict, or its
// time's-up note. A late answer replaces a timed-out attempt and gets a key of its own.
func (a *Attempt) MessageKey() string {
	if a.Outcome == OutcomeTimeout && a.Verdict == nil {
		return messageKey("t", a.ID, a.Answered)
	}
	return messageKey("v", a.ID, a.Answered)
}

// delivered takes attempt id's message under key out of the store's outbox, unless the
// entry holds another message by now: a time's-up note sent (or sent again) just as a
// late answer replaced it must not take out the verdict, which would never be sent.
func (b *Bot) delivered(ctx context.Context, id uint64, key string) {
	if err := b.store.(Outbox).DeliveredKey(ctx, id, key); err != nil {
		b.log.Error("mark verdict delivered", "attempt", id, "err", err)
	}
}

// question returns the question a session asks: its own copy, or the bank's.
func (b *Bot) question(s *Session) (*Question, error) {
	if s.Inline != nil {
		return s.Inline, nil
	}
	return b.bank.Lookup(s.Question)
}

// markLate turns a verdict into a late one: feedback stays, the verdict is a FAIL, and
// like every FAIL its score stays below passScore (stats and charts average it); the
// note keeps what it would have been on time.
func markLate(v *Verdict, over time.Duration, passScore int) {
	v.Late = true
	would := v.Title()
	v.Pass = false
	v.Score = min(v.Score, passScore-1)
	v.Note = fmt.Sprintf("This answer came %s after the time limit, so it counts as a FAIL. On time it would have been %s.", roundDur(over), would)
}

func (b *Bot) attempt(s *Session, outcome, answer string, v *Verdict, at time.Time) *Attempt {
	a := &Attempt{
		User: s.User.Key(), Conv: s.Conv.Key(), Question: s.Question, Kind: s.Kind, Interview: s.Interview,
		Outcome: outcome, Answer: answer, Verdict: v, Asked: s.Asked, Answered: at,
	}
	if q, err := b.question(s); err == nil {
		a.Topic, a.Difficulty = q.Topic, q.Difficulty
	}
	if v != nil {
		a.Pass, a.Score = v.Pass, v.Score
	}
	return a
}

// cleanAnswer makes typed text safe to grade, or says what is wrong with it.
func cleanAnswer(s string) (string, string) {
	if n := utf8.RuneCountInString(s); n > MaxAnswerChars {
		return "", TooLong(n) + " Please shorten it and send it again: your question is still open."
	}
	if LooksBinary(s) {
		return "", "That looks like binary data rather than a typed answer. Send your answer as text (or as a voice message): your question is still open."
	}
	return strings.TrimSpace(strings.ToValidUTF8(s, "")), ""
}

// TooLong says that an answer of n characters is over MaxAnswerChars.
func TooLong(n int) string {
	return fmt.Sprintf("That answer is %s characters long; I take up to %s (about 3,000 words, far more than fits in the time limit).", thousands(n), thousands(MaxAnswerChars))
}

// thousands writes n with comma separators: 20,000.
func thousands(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// LooksBinary reports NUL bytes, or text that is mostly invalid UTF-8 or control characters.
func LooksBinary(s string) bool {
	if strings.IndexByte(s, 0) >= 0 {
		return true
	}
	bad, n := 0, 0
	for _, r := range s {
		n++
		if r == '\uFFFD' || (r < 0x20 && r != '\n' && r != '\r' && r != '\t') || (r >= 0x7f && r < 0xa0) {
			bad++
		}
	}
	return n > 0 && bad*10 > n
}

func roundDur(d time.Duration) string { return d.Round(time.Second).String() }

// paragraphBreak is a blank line.
var paragraphBreak = regexp.MustCompile(`\n[ \t]*\n`)

// FirstParagraph returns the first paragraph of s on one line. Packs wrap long prompts
// over several lines, so a note that quotes "the question" by its first line stopped
// mid-sentence ("...that have diverged? Why did").
func FirstParagraph(s string) string {
	s = paragraphBreak.Split(strings.TrimSpace(s), 2)[0]
	return strings.Join(strings.Fields(s), " ")
}
