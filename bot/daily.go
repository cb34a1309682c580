package bot

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Daily is a person's daily drill: one question by DM at their own hour.
type Daily struct {
	ID   uint64       `json:"id"`
	User User         `json:"user"`
	Conv Conversation `json:"conv"`
	// Hour and Minute are local to TZ; Days are the weekdays it runs (all when empty).
	Hour   int            `json:"hour"`
	Minute int            `json:"minute"`
	Days   []time.Weekday `json:"days,omitempty"`
	TZ     string         `json:"tz"`
	Topic  string         `json:"topic,omitempty"`
	// SkipNext skips the next run (and is then cleared).
	SkipNext bool      `json:"skip_next,omitempty"`
	Created  time.Time `json:"created"`
}

// Schedules keeps daily drills and the runs made of them. The bbolt store implements it.
type Schedules interface {
	SaveDaily(ctx context.Context, d *Daily) error
	DeleteDaily(ctx context.Context, id uint64) error
	// Daily returns drill id, or ErrNotFound.
	Daily(ctx context.Context, id uint64) (*Daily, error)
	Dailies(ctx context.Context) ([]*Daily, error)
	// ClaimRun records run key of schedule id before it is posted. It reports false when
	// the run was claimed before: a restart never posts a run twice.
	ClaimRun(ctx context.Context, id uint64, key string) (bool, error)
	// ReleaseRun undoes a claim whose run was not posted because Quorum is stopping,
	// so the next start makes it up; the session stored for the run, if any, is deleted
	// in the same transaction, so a kill cannot leave one without the other.
	ReleaseRun(ctx context.Context, id uint64, key string) error
	// ClearSkipNext clears SkipNext of drill id as it is stored now, changing nothing
	// else; ErrNotFound when the drill is gone.
	ClearSkipNext(ctx context.Context, id uint64) error
	// LastRun is the key of the latest run claimed for schedule id ("" if none).
	LastRun(ctx context.Context, id uint64) (string, error)
}

// catchUpWindow is how late a run missed while Quorum was down may still be made.
const catchUpWindow = time.Hour

// runKeyLayout is a run's key: its instant in UTC, to the minute ("2026-11-26T14:30Z").
// A run is named by its instant, not its local wall time, because `daily on` keeps the
// drill's id when the timezone changes: 09:30 in New York must not take the key of 09:30
// in Tokyo, claimed that morning. The repeated hour when clocks fall back still runs
// once, as Next and Prev only ever give its first instant.
const runKeyLayout = "2006-01-02T15:04Z"

// legacyRunKeyLayout is the key older versions stored: the local wall time in the
// drill's timezone, without a zone ("2026-11-26T09:30").
const legacyRunKeyLayout = "2006-01-02T15:04"

// runKey names the run at instant at.
func (d *Daily) runKey(at time.Time) string { return at.UTC().Format(runKeyLayout) }

// runAt is the instant run key names. A key stored by an older version, a local wall
// time, is read in the drill's timezone, as it was written, so a run claimed before an
// upgrade is not made up again after it. It reports false for a key it cannot read.
func (d *Daily) runAt(key string) (time.Time, bool) {
	if at, err := time.Parse(runKeyLayout, key); err == nil {
		return at, true
	}
	wall, err := time.Parse(legacyRunKeyLayout, key)
	if err != nil {
		return time.Time{}, false
	}
	loc, err := time.LoadLocation(d.TZ)
	if err != nil {
		loc = time.UTC
	}
	return firstAt(wall.Year(), wall.Month(), wall.Day(), wall.Hour(), wall.Minute(), loc), true
}

func (d *Daily) runsOn(w time.Weekday) bool {
	if len(d.Days) == 0 {
		return true
	}
	for _, x := range d.Days {
		if x == w {
			return true
		}
	}
	return false
}

// Next returns the first run strictly after t. On the day clocks spring forward past
// the hour, the run comes at the same clock reading shifted by the gap (02:30 → 03:30);
// on the day they fall back, it runs once, at the first of the two.
func (d *Daily) Next(t time.Time) time.Time {
	loc, err := time.LoadLocation(d.TZ)
	if err != nil {
		loc = time.UTC
	}
	local := t.In(loc)
	for i := 0; i < 8; i++ {
		day := time.Date(local.Year(), local.Month(), local.Day()+i, 0, 0, 0, 0, loc)
		if !d.runsOn(day.Weekday()) {
			continue
		}
		at := firstAt(day.Year(), day.Month(), day.Day(), d.Hour, d.Minute, loc)
		if at.After(t) {
			return at
		}
	}
	return time.Time{}
}

// Prev returns the latest run at or before t (zero if none in the last eight days).
func (d *Daily) Prev(t time.Time) time.Time {
	loc, err := time.LoadLocation(d.TZ)
	if err != nil {
		loc = time.UTC
	}
	local := t.In(loc)
	for i := 0; i < 8; i++ {
		day := time.Date(local.Year(), local.Month(), local.Day()-i, 0, 0, 0, 0, loc)
		if !d.runsOn(day.Weekday()) {
			continue
		}
		if at := firstAt(day.Year(), day.Month(), day.Day(), d.Hour, d.Minute, loc); !at.After(t) {
			return at
		}
	}
	return time.Time{}
}

// firstAt is the first instant showing h:m on that local day. time.Date picks one of two
// instants for an ambiguous time and shifts a missing one forward; an hour earlier, if
// it shows the same local time, is the first.
func firstAt(y int, mo time.Month, day, h, m int, loc *time.Location) time.Time {
	at := time.Date(y, mo, day, h, m, 0, 0, loc)
	if earlier := at.Add(-time.Hour); earlier.Hour() == h && earlier.Minute() == m && earlier.Day() == day {
		return earlier
	}
	return at
}

// Describe says when the drill runs: "09:00 Europe/Berlin, Mon-Fri, consensus".
func (d *Daily) Describe() string {
	s := fmt.Sprintf("%02d:%02d %s, %s", d.Hour, d.Minute, d.TZ, describeDays(d.Days))
	if d.Topic != "" {
		s += ", " + d.Topic
	}
	return s
}

var dayNames = []string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}

func describeDays(days []time.Weekday) string {
	if len(days) == 0 || len(days) == 7 {
		return "every day"
	}
	if len(days) == 5 && !containsDay(days, time.Saturday) && !containsDay(days, time.Sunday) {
		return "Mon-Fri"
	}
	var names []string
	for _, d := range days {
		names = append(names, strings.Title(dayNames[d]))
	}
	return strings.Join(names, ", ")
}

func containsDay(days []time.Weekday, w time.Weekday) bool {
	for _, d := range days {
		if d == w {
			return true
		}
	}
	return false
}

// ParseDaily reads `daily on` arguments: a time (09:00, 9am, 18:30), then optionally a
// timezone (Europe/Berlin, UTC), days (mon-fri, weekdays, weekends, mon,wed,fri) and topic
// words. tz is used when none is given. The error is a sentence showing the right form.
// A topic word may also be one of tags, the bank's tags ("kafka").
func ParseDaily(args []string, tz string, topics, tags []string) (*Daily, error) {
	const form = "Say it like `daily on 09:00 Europe/Berlin mon-fri` (timezone, days and a topic are optional)"
	d := &Daily{TZ: tz}
	if d.TZ == "" {
		d.TZ = "UTC"
	}
	if len(args) == 0 {
		return nil, errors.New("What time? " + form + ".")
	}
	h, m, ok := parseClock(args[0])
	if !ok {
		return nil, fmt.Errorf("I can't read %q as a time. %s.", args[0], form)
	}
	d.Hour, d.Minute = h, m
	var zoneWord, daysWord string
	var topicWords []string
	for _, a := range args[1:] {
		switch {
		case isZoneWord(a):
			name, ok := resolveTZ(a)
			if !ok {
				return nil, fmt.Errorf("I don't know the timezone %q; use a name like Europe/Berlin, America/New_York or UTC.", a)
			}
			if zoneWord != "" && name != d.TZ {
				return nil, fmt.Errorf("`%s` and `%s` are two timezones; give one.", d.TZ, name)
			}
			d.TZ, zoneWord = name, a
		case isTopicName(a, topics, tags):
			// A topic or tag by its exact name wins over a day it might also spell.
			topicWords = append(topicWords, a)
		case parseDays(a) != nil:
			if daysWord != "" {
				return nil, fmt.Errorf("`%s` and `%s` both give the days; give them once, like `mon-fri` or `mon,wed,fri`.", daysWord, a)
			}
			d.Days, daysWord = parseDays(a), a
		default:
			topicWords = append(topicWords, a)
		}
	}
	topic, unknown, two := topicOf(topicWords, topics, tags)
	switch {
	case two != nil:
		return nil, fmt.Errorf("`%s` and `%s` are two topics; a daily question is on one topic (or any, when you name none).", two[0], two[1])
	case unknown != "":
		return nil, fmt.Errorf("I don't understand %q. %s; topics: %s, or a system such as kafka or raft.", unknown, form, strings.Join(topics, ", "))
	}
	d.Topic = topic
	return d, nil
}

// topicOf reads the topic words of `daily on` or `drill add` as `practice` reads its own:
// one topic or tag, in one word or several ("vector clocks"). A schedule asks about one
// topic (or any), so words naming two topics give them in two; a word that names none
// is given in unknown.
func topicOf(words, topics, tags []string) (topic, unknown string, two []string) {
	if len(words) == 0 {
		return "", "", nil
	}
	if t := matchTopic(strings.Join(words, "-"), topics, tags); t != "" {
		return t, "", nil
	}
	var found []string
	for _, w := range words {
		t := matchTopic(w, topics, tags)
		switch {
		case t == "":
			if unknown == "" {
				unknown = w
			}
		case !slices.Contains(found, t):
			found = append(found, t)
		}
	}
	switch {
	case len(found) >= 2:
		return "", "", found[:2]
	case unknown != "":
		return "", unknown, nil
	}
	return found[0], "", nil
}

// isTopicName reports whether word is a topic or a tag by its exact name (or plural).
func isTopicName(word string, topics, tags []string) bool {
	word = strings.ToLower(word)
	return slices.Contains(topics, word) || slices.Contains(topics, strings.TrimSuffix(word, "s")) || tagNamed(tags, word) != ""
}

// canonicalTZ capitalises each word of a timezone name: europe/berlin → Europe/Berlin.
// resolveTZ falls back on it for a name its list lacks.
func canonicalTZ(name string) string {
	parts := strings.Split(name, "/")
	for i, p := range parts {
		words := strings.Split(p, "_")
		for j, w := range words {
			if w != "" {
				words[j] = strings.ToUpper(w[:1]) + strings.ToLower(w[1:])
			}
		}
		parts[i] = strings.Join(words, "_")
	}
	return strings.Join(parts, "/")
}

// parseClock reads 09:00, 9:00, 9, 9am, 6pm, 18:30.
func parseClock(s string) (int, int, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	pm := strings.HasSuffix(s, "pm")
	am := strings.HasSuffix(s, "am")
	s = strings.TrimSuffix(strings.TrimSuffix(s, "pm"), "am")
	hs, ms, hasMin := strings.Cut(s, ":")
	h, err := strconv.Atoi(hs)
	if err != nil {
		return 0, 0, false
	}
	m := 0
	if hasMin {
		if m, err = strconv.Atoi(ms); err != nil || len(ms) != 2 {
			return 0, 0, false
		}
	}
	if pm || am {
		if h < 1 || h > 12 {
			return 0, 0, false
		}
		h %= 12
		if pm {
			h += 12
		}
	}
	if h < 0 || h > 23 || m < 0 || m > 59 {
		return 0, 0, false
	}
	return h, m, true
}

// dayWords are the names and abbreviations of days parseDays reads. Only these: a word
// that merely starts like a day ("mongodb", "sundry") is not one.
var dayWords = map[string]time.Weekday{
	"sun": time.Sunday, "sunday": time.Sunday,
	"mon": time.Monday, "monday": time.Monday,
	"tue": time.Tuesday, "tues": time.Tuesday, "tuesday": time.Tuesday,
	"wed": time.Wednesday, "weds": time.Wednesday, "wednesday": time.Wednesday,
	"thu": time.Thursday, "thur": time.Thursday, "thurs": time.Thursday, "thursday": time.Thursday,
	"fri": time.Friday, "friday": time.Friday,
	"sat": time.Saturday, "saturday": time.Saturday,
}

// parseDays reads mon-fri, weekdays, weekends, daily, everyday, mon,wed,fri; nil if not days.
func parseDays(s string) []time.Weekday {
	s = strings.ToLower(s)
	switch s {
	case "weekdays", "workdays":
		return []time.Weekday{1, 2, 3, 4, 5}
	case "weekends", "weekend":
		return []time.Weekday{0, 6}
	case "daily", "everyday", "every-day":
		return []time.Weekday{0, 1, 2, 3, 4, 5, 6}
	}
	day := func(n string) (time.Weekday, bool) {
		w, ok := dayWords[strings.TrimSuffix(n, "s")] // "mondays"
		if !ok {
			w, ok = dayWords[n] // "tues", "thurs"
		}
		return w, ok
	}
	var out []time.Weekday
	for _, part := range strings.Split(s, ",") {
		from, to, isRange := strings.Cut(part, "-")
		a, ok := day(from)
		if !ok {
			return nil
		}
		if !isRange {
			out = append(out, a)
			continue
		}
		b, ok := day(to)
		if !ok {
			return nil
		}
		for w := a; ; w = (w + 1) % 7 {
			out = append(out, w)
			if w == b {
				break
			}
		}
	}
	return out
}

// timerSet holds one pending timer per schedule id (daily drills, channel drills).
type timerSet struct {
	mu     sync.Mutex
	timers map[uint64]Timer
}

// set replaces id's timer with one that calls f at the clock's time at.
func (ts *timerSet) set(c Clock, id uint64, at time.Time, f func()) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	if ts.timers == nil {
		ts.timers = map[uint64]Timer{}
	}
	if t := ts.timers[id]; t != nil {
		t.Stop()
	}
	ts.timers[id] = c.AfterFunc(at.Sub(c.Now()), f)
}

// stop cancels id's timer.
func (ts *timerSet) stop(id uint64) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	if t := ts.timers[id]; t != nil {
		t.Stop()
		delete(ts.timers, id)
	}
}

// stopAll cancels every timer.
func (ts *timerSet) stopAll() {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	for _, t := range ts.timers {
		t.Stop()
	}
}

// enter counts work the bot starts on its own (a timer firing, a run made up at start),
// so Close waits for it; it reports false, counting nothing, once the bot is closed.
func (b *Bot) enter() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return false
	}
	b.inflight.Add(1)
	return true
}

func (b *Bot) schedules() (Schedules, bool) {
	s, ok := b.store.(Schedules)
	return s, ok
}

// startDailies loads the drills, makes up a run missed while down (once, if under an
// hour late; otherwise it is skipped and logged) and arms the next run of each.
func (b *Bot) startDailies(ctx context.Context) error {
	store, ok := b.schedules()
	if !ok {
		return nil
	}
	all, err := store.Dailies(ctx)
	if err != nil {
		return fmt.Errorf("load daily drills: %w", err)
	}
	now := b.clock.Now()
	for _, d := range all {
		if _, ok := b.platform(d.Conv.Platform); !ok {
			continue
		}
		if prev := d.Prev(now); !prev.IsZero() {
			last, err := store.LastRun(ctx, d.ID)
			if err != nil {
				return err
			}
			if lastAt, ok := d.runAt(last); (!ok || lastAt.Before(prev)) && !d.Created.After(prev) {
				skip := func() error {
					_, err := store.ClaimRun(ctx, d.ID, d.runKey(prev))
					return err
				}
				from := d.Created
				if ok && lastAt.After(from) {
					from = lastAt
				}
				older := missedRuns(d.Next, from, prev)
				if err := b.catchUp("daily", d.ID, prev, older, b.runDaily, skip); err != nil {
					return err
				}
			}
		}
		b.armDaily(d)
	}
	return nil
}

// missed is the runs of a schedule missed while Quorum was down, before its latest.
type missed struct {
	n           int
	first, last time.Time
}

// maxMissedScan bounds the walk over missed runs: enough for a year of hourly runs.
const maxMissedScan = 10000

// missedRuns counts the runs next gives strictly after from and before prev.
func missedRuns(next func(time.Time) time.Time, from, prev time.Time) missed {
	var m missed
	for at := next(from); !at.IsZero() && at.Before(prev) && m.n < maxMissedScan; at = next(at) {
		if m.n == 0 {
			m.first = at
		}
		m.n++
		m.last = at
	}
	return m
}

// catchUp makes up run at of schedule id, missed while Quorum was down: under
// catchUpWindow late it runs now, in the background (counted in inflight before the
// goroutine starts, so Idle sees it); later than that, skip records the run as taken.
// Only the latest missed run is made up: the older ones, and the latest when too late,
// are skipped and logged, in one line with their count and the first and last of them.
// Daily and channel drills share it.
func (b *Bot) catchUp(kind string, id uint64, at time.Time, older missed, run func(context.Context, uint64, time.Time), skip func() error) error {
	late := b.clock.Now().Sub(at)
	skipped := older
	if late < catchUpWindow {
		b.inflight.Add(1)
		go func() {
			defer b.inflight.Done()
			run(context.Background(), id, at)
		}()
	} else {
		if err := skip(); err != nil {
			return err
		}
		if skipped.n == 0 {
			skipped.first = at
		}
		skipped.n++
		skipped.last = at
	}
	if skipped.n > 0 {
		b.log.Info("skipped "+kind+" runs missed while down", "id", id, "runs", skipped.n,
			"first", skipped.first.UTC(), "last", skipped.last.UTC(), "made_up", late < catchUpWindow)
	}
	return nil
}

func (b *Bot) platform(name string) (Platform, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	p, ok := b.platforms[name]
	return p, ok
}

// armDaily sets the timer for d's next run.
func (b *Bot) armDaily(d *Daily) {
	next := d.Next(b.clock.Now())
	if next.IsZero() {
		return
	}
	id := d.ID
	b.sched.set(b.clock, id, next, func() { b.runDaily(context.Background(), id, next) })
}

func (b *Bot) disarmDaily(id uint64) { b.sched.stop(id) }

// runDaily makes the run of drill id at its scheduled time. The run is claimed in the
// transaction that stores its question's session (Session.Run), so it is posted at most
// once whatever happens next, and once its question is stored a kill cannot lose it
// (a restart sends it again where the platform allows, Redelivering).
func (b *Bot) runDaily(ctx context.Context, id uint64, at time.Time) {
	if !b.enter() {
		return
	}
	defer b.inflight.Done()
	store, _ := b.schedules()
	d, err := store.Daily(ctx, id)
	if errors.Is(err, ErrNotFound) {
		return // turned off meanwhile
	}
	if err != nil {
		b.log.Error("load daily drill", "schedule", id, "err", err)
		return
	}
	defer b.rearmDaily(d)
	// The run is claimed only once its turn at the platform has come: a process killed
	// during a big fan-out loses at most the run it was sending, and the runs still
	// waiting are made up at the next start (within the catch-up hour). Claiming them
	// all up front lost nearly all of them to one kill.
	if err := b.waitTurn(b.stopping, d.Conv.Platform); err != nil {
		b.meter.DrillRun(DrillDaily, DrillFailed) // stopping: unclaimed, so the next start makes it up
		return
	}
	run := &RunRef{Schedule: d.ID, Key: d.runKey(at)}
	// claim claims the run when no question is stored for it (a skipped run); it
	// reports whether this call claimed it, counting the run as failed or a duplicate
	// when not.
	claim := func() bool {
		claimed, err := store.ClaimRun(ctx, run.Schedule, run.Key)
		switch {
		case err != nil:
			b.log.Error("claim daily run", "schedule", d.ID, "err", err)
			b.meter.DrillRun(DrillDaily, DrillFailed)
		case !claimed:
			b.meter.DrillRun(DrillDaily, DrillDuplicate)
		}
		return err == nil && claimed
	}
	if d.SkipNext {
		if !claim() {
			return
		}
		// Only the flag, on the record as it is now: a `daily on` or `daily off` made
		// while this run waited for its turn stays as it was made.
		if err := store.ClearSkipNext(ctx, d.ID); err != nil && !errors.Is(err, ErrNotFound) {
			b.log.Error("clear daily skip", "schedule", d.ID, "err", err)
		}
		b.meter.DrillRun(DrillDaily, DrillSkipped)
		return
	}
	q, err := b.Pick(ctx, d.User, b.topicFilter(d.Topic))
	if err != nil || q == nil {
		b.log.Error("pick daily question", "schedule", d.ID, "err", err)
		b.meter.DrillRun(DrillDaily, DrillFailed)
		return
	}
	s, err := b.ask(ctx, d.User, d.Conv, q, askOpts{kind: KindPractice, intro: "Your daily question:", scheduled: true, run: run})
	switch {
	case err == nil:
		b.meter.DrillRun(DrillDaily, DrillPosted)
		return
	case errors.Is(err, ErrRunClaimed):
		b.meter.DrillRun(DrillDaily, DrillDuplicate)
		return
	case errors.Is(err, errOpen) || errors.Is(err, errBusy):
		if claim() {
			b.send(ctx, Message{Kind: MsgInfo, Conv: d.Conv, To: d.User, Text: "Your daily question is skipped today: you still have an open question here."})
			b.meter.DrillRun(DrillDaily, DrillSkipped)
		}
		return
	case !errors.Is(err, errNotSent):
		// Not stored, so not claimed: nothing to give back.
		b.log.Error("store daily question", "schedule", d.ID, "err", err)
		b.meter.DrillRun(DrillDaily, DrillFailed)
		return
	}
	// Stored, its run claimed, but the send failed: the platform may have posted it all
	// the same (a timeout after it took the post). Every try again waits its turn and
	// sends the same question under the same key marked Again, so a Redelivering
	// platform posts it once.
	key := sessionKey(s.User, s.Conv)
	for attempt := 1; attempt < 5; attempt++ {
		select {
		case <-time.After(time.Duration(attempt) * time.Second):
		case <-b.stopping.Done():
			b.dailyUnsent(d.ID, key, s, true)
			return
		}
		if err := b.waitTurn(b.stopping, d.Conv.Platform); err != nil {
			b.dailyUnsent(d.ID, key, s, true)
			return
		}
		if !b.isLive(key, s.ID) {
			return // closed meanwhile (forget, a new question): nothing to send
		}
		if err := b.postQuestion(ctx, s, q, true); err == nil {
			b.meter.DrillRun(DrillDaily, DrillPosted)
			return
		}
	}
	b.dailyUnsent(d.ID, key, s, false)
}

// dailyUnsent settles daily question s whose sends all failed. Stopping, on a platform
// that can tell a send again from a first one (s.ResendBy), s stays stored with its run
// claimed, and the next start sends it again, marked Again, under its key
// (redeliverable); on one that cannot, the run is given back with its question in one
// transaction, and the next start makes it up. Giving up while running, s is dropped
// and its run stays claimed, as it may have been posted: it is not made up, and the
// error is logged.
func (b *Bot) dailyUnsent(id uint64, key string, s *Session, stopping bool) {
	b.meter.DrillRun(DrillDaily, DrillFailed)
	switch {
	case stopping && !s.ResendBy.IsZero():
		b.log.Info("daily question not confirmed sent at stop; the next start sends it again", "schedule", id, "session", s.ID)
	case stopping:
		b.unlive(key, s.ID)
		store, _ := b.schedules()
		if err := store.ReleaseRun(context.Background(), s.Run.Schedule, s.Run.Key); err != nil {
			b.log.Error("release daily run", "schedule", id, "err", err)
		}
	default:
		b.log.Error("post daily question: gave up; the run is not made up, as a failed send may have been posted", "schedule", id, "run", s.Run.Key)
		b.drop(context.Background(), key, s.ID)
	}
}

// rearmDaily arms the next run of drill d after a run, from the drill as it is stored
// now: a `daily on` made during the run armed the new schedule itself, and re-arming
// the copy loaded before the run would bring the old hour back; after `daily off` there
// is nothing to arm.
func (b *Bot) rearmDaily(d *Daily) {
	b.armMu.Lock()
	defer b.armMu.Unlock()
	store, _ := b.schedules()
	cur, err := store.Daily(context.Background(), d.ID)
	switch {
	case errors.Is(err, ErrNotFound):
		return
	case err != nil:
		b.log.Error("load daily drill", "schedule", d.ID, "err", err)
		cur = d
	case !cur.Created.Equal(d.Created):
		return // turned on again meanwhile, which armed it
	}
	b.armDaily(cur)
}

// RateLimited is an optional ability of a platform: how many messages a second it takes.
type RateLimited interface {
	SendRate() float64
}

// paceShare is the share of a platform's declared rate that paced posts use, leaving
// room for timer jitter and for replies to people.
const paceShare = 0.97

// waitTurn paces posts to a platform that declares a send rate: one ticker per platform
// hands out turns, so a stalled process never catches up in a burst (a ticker drops the
// ticks nobody took, and at most one turn waits).
func (b *Bot) waitTurn(ctx context.Context, platform string) error {
	p, ok := b.platform(platform)
	if !ok {
		return fmt.Errorf("no platform %q", platform)
	}
	rl, ok := p.(RateLimited)
	if !ok || rl.SendRate() <= 0 {
		return nil
	}
	b.paceMu.Lock()
	if b.pace == nil {
		b.pace = map[string]chan struct{}{}
	}
	turns, ok := b.pace[platform]
	if !ok {
		turns = make(chan struct{}, 1) // one turn may wait for a taker; more would be a burst
		b.pace[platform] = turns
		interval := time.Duration(float64(time.Second) / (paceShare * rl.SendRate()))
		go func() {
			t := time.NewTicker(interval)
			defer t.Stop()
			for {
				select {
				case <-t.C:
					select {
					case turns <- struct{}{}:
					default: // a turn already waits: this one is not saved up
					}
				case <-b.stopping.Done():
					return
				}
			}
		}()
	}
	b.paceMu.Unlock()
	select {
	case <-turns:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// dailyCommand handles `daily on|off|skip|status`.
func (b *Bot) dailyCommand(ctx context.Context, ev Event, args []string) {
	store, ok := b.schedules()
	if !ok {
		b.reply(ctx, ev, MsgInfo, "", "Daily drills aren't available with this store.")
		return
	}
	mine, err := b.dailyOf(ctx, ev.User)
	if err != nil {
		b.log.Error("load daily drill", "user", ev.User.Key(), "err", err)
		b.reply(ctx, ev, MsgError, "", "Sorry, I couldn't load your daily drill just now. Please try again in a moment.")
		return
	}
	sub := "status"
	if len(args) > 0 {
		sub, args = args[0], args[1:]
	}
	switch sub {
	case "on":
		if !ev.Conv.DM {
			b.reply(ctx, ev, MsgInfo, "", "Turn on your daily drill in a direct message with me, so the questions come to you privately.")
			return
		}
		tz := ""
		if mine != nil {
			tz = mine.TZ
		}
		d, err := ParseDaily(args, tz, b.bank.Topics(), b.bank.Tags())
		if err != nil {
			b.reply(ctx, ev, MsgInfo, "", err.Error())
			return
		}
		d.User, d.Conv, d.Created = ev.User, ev.Conv, b.clock.Now()
		if mine != nil {
			d.ID = mine.ID
		}
		b.armMu.Lock()
		err = store.SaveDaily(ctx, d)
		if err == nil {
			b.armDaily(d)
		}
		b.armMu.Unlock()
		if err != nil {
			b.log.Error("save daily drill", "user", ev.User.Key(), "err", err)
			b.reply(ctx, ev, MsgError, "", "Sorry, I couldn't save your daily drill just now. Please try again in a moment.")
			return
		}
		next := d.Next(b.clock.Now())
		loc, _ := time.LoadLocation(d.TZ)
		text := fmt.Sprintf("Daily drill on: %s. The next question comes %s.", d.Describe(), next.In(loc).Format("Mon 2 Jan at 15:04 MST"))
		if tz == "" && !slices.ContainsFunc(args, isZoneWord) {
			text += " (That's UTC: add your timezone, like `daily on 09:00 Europe/Berlin`.)"
		}
		b.reply(ctx, ev, MsgInfo, "", text)
	case "off":
		if mine == nil {
			b.reply(ctx, ev, MsgInfo, "", "You have no daily drill. Turn one on with `daily on 09:00 Europe/Berlin`.")
			return
		}
		b.armMu.Lock()
		b.disarmDaily(mine.ID)
		err := store.DeleteDaily(ctx, mine.ID)
		b.armMu.Unlock()
		if err != nil {
			b.log.Error("delete daily drill", "user", ev.User.Key(), "err", err)
			b.reply(ctx, ev, MsgError, "", "Sorry, I couldn't turn it off just now. Please try again in a moment.")
			return
		}
		b.reply(ctx, ev, MsgInfo, "", "Daily drill off. Turn it back on any time with `daily on`.")
	case "skip":
		if mine == nil {
			b.reply(ctx, ev, MsgInfo, "", "You have no daily drill to skip.")
			return
		}
		mine.SkipNext = true
		if err := store.SaveDaily(ctx, mine); err != nil {
			b.log.Error("save daily drill", "user", ev.User.Key(), "err", err)
			b.reply(ctx, ev, MsgError, "", "Sorry, I couldn't save that just now. Please try again in a moment.")
			return
		}
		loc, _ := time.LoadLocation(mine.TZ)
		b.reply(ctx, ev, MsgInfo, "", fmt.Sprintf("The next daily question (%s) is skipped.", mine.Next(b.clock.Now()).In(loc).Format("Mon 2 Jan at 15:04")))
	case "status":
		if mine == nil {
			b.reply(ctx, ev, MsgInfo, "", "You have no daily drill. Turn one on with `daily on 09:00 Europe/Berlin mon-fri`.")
			return
		}
		loc, _ := time.LoadLocation(mine.TZ)
		text := fmt.Sprintf("Daily drill: %s. Next: %s.", mine.Describe(), mine.Next(b.clock.Now()).In(loc).Format("Mon 2 Jan at 15:04 MST"))
		if mine.SkipNext {
			text += " (It will be skipped.)"
		}
		b.reply(ctx, ev, MsgInfo, "", text)
	default:
		b.reply(ctx, ev, MsgInfo, "", "Use `daily on 09:00 Europe/Berlin mon-fri`, `daily off`, `daily skip` or `daily status`.")
	}
}

// DailyStatus describes the person's daily drill for a status view (the Slack App Home):
// the sentence, and whether one is on.
func (b *Bot) DailyStatus(ctx context.Context, u User) (string, bool, error) {
	d, err := b.dailyOf(ctx, u)
	if err != nil || d == nil {
		return "No daily question yet.", false, err
	}
	loc, _ := time.LoadLocation(d.TZ)
	text := fmt.Sprintf("Daily question: %s. Next: %s.", d.Describe(), d.Next(b.clock.Now()).In(loc).Format("Mon 2 Jan at 15:04 MST"))
	if d.SkipNext {
		text += " (It will be skipped.)"
	}
	return text, true, nil
}

// DailyFinder is an optional ability of a Schedules store: the person's daily drill
// without reading them all. It returns ErrNotFound when they have none.
type DailyFinder interface {
	DailyOf(ctx context.Context, userKey string) (*Daily, error)
}

// dailyOf returns the person's daily drill, or nil.
func (b *Bot) dailyOf(ctx context.Context, u User) (*Daily, error) {
	store, ok := b.schedules()
	if !ok {
		return nil, nil
	}
	if f, ok := store.(DailyFinder); ok {
		d, err := f.DailyOf(ctx, u.Key())
		if errors.Is(err, ErrNotFound) {
			return nil, nil
		}
		return d, err
	}
	all, err := store.Dailies(ctx)
	if err != nil {
		return nil, err
	}
	for _, d := range all {
		if d.User.Key() == u.Key() {
			return d, nil
		}
	}
	return nil, nil
}
