package bot

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/robfig/cron/v3"
)

// Drill is a channel drill: a question posted to a channel on a cron schedule; every
// member may answer in its thread until the window closes, then a summary is posted.
type Drill struct {
	ID   uint64       `json:"id"`
	Conv Conversation `json:"conv"` // the channel (no thread)
	// Spec is the cron schedule (five fields or a descriptor such as @daily), read in TZ.
	Spec       string        `json:"spec"`
	TZ         string        `json:"tz"`
	Topic      string        `json:"topic,omitempty"`
	Difficulty string        `json:"difficulty,omitempty"`
	Window     time.Duration `json:"window"`
	Paused     bool          `json:"paused,omitempty"`
	// By is who set the drill up (cleared when they ask to be forgotten).
	By      User      `json:"by"`
	Created time.Time `json:"created"`
}

// DrillRun is one posting of a drill: recorded (claimed) before it is posted, so a
// restart never posts it twice; it keeps who answered, for the summary and leaderboards.
type DrillRun struct {
	Drill uint64 `json:"drill"`
	// Key is the run's local wall time in the drill's timezone ("2026-03-29T09:00").
	Key  string       `json:"key"`
	Conv Conversation `json:"conv"` // the channel; Thread is set once posted
	// MessageID is the question's message; empty means the post never went out.
	MessageID string    `json:"message_id,omitempty"`
	Question  string    `json:"question"`
	Posted    time.Time `json:"posted"`
	Closes    time.Time `json:"closes"`
	// Closed is set when the window has closed (the summary is posted after it).
	Closed bool `json:"closed,omitempty"`
	// SummaryDue is set with Closed and cleared once the summary is sent: a summary
	// whose sends failed, or were cut off by a stop, is sent at the next start.
	SummaryDue bool          `json:"summary_due,omitempty"`
	Answers    []DrillAnswer `json:"answers,omitempty"`
	// ResendBy is until when the question may be sent again and still be posted once
	// (Redelivering): a restart before then sends a run claimed but never confirmed
	// posted again. Zero: never; such a run is closed without a summary.
	ResendBy time.Time `json:"resend_by,omitzero"`
}

// DrillAnswer is one member's graded answer to a run.
type DrillAnswer struct {
	User    User      `json:"user"`
	Attempt uint64    `json:"attempt"`
	Pass    bool      `json:"pass"`
	Score   int       `json:"score"`
	At      time.Time `json:"at"`
}

// Drills keeps channel drills and their runs. The bbolt store implements it.
type Drills interface {
	SaveDrill(ctx context.Context, d *Drill) error
	DeleteDrill(ctx context.Context, id uint64) error
	// Drill returns drill id, or ErrNotFound.
	Drill(ctx context.Context, id uint64) (*Drill, error)
	Drills(ctx context.Context) ([]*Drill, error)
	// ClaimDrillRun records r before it is posted; false means it was claimed before.
	ClaimDrillRun(ctx context.Context, r *DrillRun) (bool, error)
	// SaveDrillRun updates a claimed run (its thread, its closing); answers are kept.
	SaveDrillRun(ctx context.Context, r *DrillRun) error
	// DeleteDrillRun gives back a claim whose run was not posted.
	DeleteDrillRun(ctx context.Context, drill uint64, key string) error
	// DrillRuns returns the runs match accepts (all when nil); the caller owns them.
	DrillRuns(ctx context.Context, match func(*DrillRun) bool) ([]*DrillRun, error)
	// LastDrillRun is the key of the drill's latest claimed run ("" if none).
	LastDrillRun(ctx context.Context, drill uint64) (string, error)
	// AnswerDrillRun writes a member's attempt a and their line ans in the run in one
	// transaction. It reports false, writing nothing, when that member answered before,
	// and ErrNotFound when the run does not exist.
	AnswerDrillRun(ctx context.Context, drill uint64, key string, a *Attempt, ans DrillAnswer) (bool, error)
}

// Moderation is an optional ability of a platform: whether a person may change what a
// channel shares (its drills). Discord: the Manage Server permission; Slack: workspace
// admins and owners, or a configured user group.
type Moderation interface {
	CanManage(ctx context.Context, u User, conv Conversation) (bool, error)
}

// Drill limits and defaults.
const (
	DefaultDrillWindow = time.Hour
	MaxDrillWindow     = 24 * time.Hour
	// minDrillGap keeps a schedule from flooding a channel.
	minDrillGap = time.Hour
	// KindDrill marks attempts made in channel drills.
	KindDrill = "drill"
	// closedRunMemory is how long a closed run's thread still answers "closed".
	closedRunMemory = 24 * time.Hour
)

var cronParser = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// schedule parses the drill's spec; ParseDrill has checked it.
func (d *Drill) schedule() (cron.Schedule, *time.Location, error) {
	loc, err := time.LoadLocation(d.TZ)
	if err != nil {
		return nil, nil, fmt.Errorf("drill %d timezone %q: %w", d.ID, d.TZ, err)
	}
	s, err := parseCron(d.Spec)
	if err != nil {
		return nil, nil, fmt.Errorf("drill %d spec %q: %w", d.ID, d.Spec, err)
	}
	return s, loc, nil
}

// wallClock is t's local reading as a UTC time: cron arithmetic on it never meets a
// daylight-saving jump.
func wallClock(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), time.UTC)
}

// Next returns the first run strictly after t (zero if none, or the spec is broken).
// The schedule is read on the local wall clock: a run in the hour skipped when clocks
// spring forward comes at the same reading shifted by the gap (02:30 → 03:30); a run in
// the hour repeated when they fall back comes once, the first time.
func (d *Drill) Next(t time.Time) time.Time {
	tt, err := d.timetable()
	if err != nil {
		return time.Time{}
	}
	return tt.next(t)
}

// Prev returns the latest run at or before t, looking back up to eight days.
func (d *Drill) Prev(t time.Time) time.Time {
	tt, err := d.timetable()
	if err != nil {
		return time.Time{}
	}
	var prev time.Time
	for at := tt.next(t.Add(-8 * 24 * time.Hour)); !at.IsZero() && !at.After(t); at = tt.next(at) {
		prev = at
	}
	return prev
}

// timetable is a drill's schedule parsed and its zone loaded, once for a walk over
// many runs: Prev of an hourly drill takes ~190 steps, and parsing and loading the zone
// at every step cost 3.7 ms a drill at start-up.
type timetable struct {
	s   cron.Schedule
	loc *time.Location
}

func (d *Drill) timetable() (timetable, error) {
	s, loc, err := d.schedule()
	return timetable{s, loc}, err
}

// next is Drill.Next on the parsed schedule.
func (tt timetable) next(t time.Time) time.Time {
	wall := wallClock(t.In(tt.loc))
	for i := 0; i < 4; i++ {
		w := tt.s.Next(wall)
		if w.IsZero() {
			return w
		}
		at := firstAt(w.Year(), w.Month(), w.Day(), w.Hour(), w.Minute(), tt.loc)
		if at.After(t) {
			return at
		}
		wall = w
	}
	return time.Time{}
}

// runKey names a run by its local wall time, like a daily drill's.
func (d *Drill) runKey(at time.Time) string {
	loc, err := time.LoadLocation(d.TZ)
	if err != nil {
		loc = time.UTC
	}
	return at.In(loc).Format("2006-01-02T15:04")
}

// Describe says what the drill does: "#3 `0 9 * * 1-5` Europe/Berlin, consensus, answers for 1h".
func (d *Drill) Describe() string {
	s := fmt.Sprintf("#%d `%s` %s", d.ID, d.Spec, d.TZ)
	if d.Topic != "" {
		s += ", " + d.Topic
	}
	if d.Difficulty != "" {
		s += ", " + d.Difficulty
	}
	s += ", answers for " + spanText(d.Window)
	if d.Paused {
		s += " (paused)"
	}
	return s
}

var cronField = regexp.MustCompile(`^[0-9a-z*?,/-]+$`)

// drillForm is shown with every mistake in `drill add`.
const drillForm = "Say it like `drill add 0 9 * * mon-fri Europe/Berlin consensus medium window=2h` " +
	"(a cron schedule: minute hour day-of-month month day-of-week, or @daily/@weekly; then optionally a timezone, a topic, a difficulty and the answer window)"

// ParseDrill reads `drill add` arguments: a cron spec (five fields, a descriptor like
// @daily, or either after CRON_TZ=Zone), then a timezone, topic, difficulty and window
// (window=2h or just 2h) in any order; the topic may also be one of tags, the bank's tags.
// The error is a sentence showing the right form.
func ParseDrill(args []string, topics, tags []string, now time.Time) (*Drill, error) {
	d := &Drill{TZ: "UTC", Window: DefaultDrillWindow}
	rest := make([]string, 0, len(args))
	for _, a := range args {
		if a = strings.Trim(a, "\"'`“”"); a != "" {
			rest = append(rest, a)
		}
	}
	zoneGiven := false
	if len(rest) > 0 {
		if k, v, ok := strings.Cut(rest[0], "="); ok && (strings.EqualFold(k, "cron_tz") || strings.EqualFold(k, "tz")) {
			tz, err := parseTZ(v)
			if err != nil {
				return nil, err
			}
			d.TZ, rest, zoneGiven = tz, rest[1:], true
		}
	}
	switch {
	case len(rest) == 0:
		return nil, errors.New("When should it run? " + drillForm + ".")
	case strings.HasPrefix(rest[0], "@"):
		if strings.EqualFold(rest[0], "@every") {
			return nil, errors.New("`@every` schedules drift with restarts; use a cron schedule. " + drillForm + ".")
		}
		d.Spec, rest = strings.ToLower(rest[0]), rest[1:]
	default:
		n := 0
		for n < len(rest) && n < 5 && cronField.MatchString(strings.ToLower(rest[n])) {
			if strings.Contains(rest[n], "/") && !strings.ContainsAny(rest[n], "*0123456789") {
				break // a timezone (Europe/Berlin), not a step (*/15)
			}
			n++
		}
		if n < 5 {
			return nil, fmt.Errorf("I need five cron fields and found %d in %q. %s.", n, truncate(strings.Join(rest, " "), 60), drillForm)
		}
		d.Spec, rest = strings.ToLower(strings.Join(rest[:5], " ")), rest[5:]
	}
	if _, err := parseCron(d.Spec); err != nil {
		return nil, fmt.Errorf("I can't read the schedule `%s`: %s. %s.", d.Spec, cronProblem(d.Spec), drillForm)
	}
	var windowWord string
	var topicWords []string
	for _, a := range rest {
		low := strings.ToLower(a)
		win := strings.TrimPrefix(low, "window=")
		switch {
		case isZoneWord(a):
			tz, err := parseTZ(a)
			if err != nil {
				return nil, err
			}
			if zoneGiven && tz != d.TZ {
				return nil, fmt.Errorf("`%s` and `%s` are two timezones; give one.", d.TZ, tz)
			}
			d.TZ, zoneGiven = tz, true
		case contains(Difficulties, low):
			if d.Difficulty != "" && d.Difficulty != low {
				return nil, fmt.Errorf("`%s` and `%s` are two difficulties; give one.", d.Difficulty, low)
			}
			d.Difficulty = low
		case win != low || isDuration(win):
			w, err := time.ParseDuration(win)
			if err != nil || w < 5*time.Minute || w > MaxDrillWindow {
				return nil, fmt.Errorf("The answer window %q should be between 5m and 24h, like `window=2h`.", a)
			}
			if windowWord != "" && w != d.Window {
				return nil, fmt.Errorf("`%s` and `%s` are two answer windows; give one.", windowWord, a)
			}
			d.Window, windowWord = w, a
		default:
			topicWords = append(topicWords, low)
		}
	}
	topic, unknown, two := topicOf(topicWords, topics, tags)
	switch {
	case two != nil:
		return nil, fmt.Errorf("`%s` and `%s` are two topics; a drill asks about one topic (or any, when you name none).", two[0], two[1])
	case unknown != "":
		return nil, fmt.Errorf("I don't understand %q. %s. Topics: %s, or a system such as kafka or raft.", truncate(unknown, 30), drillForm, strings.Join(topics, ", "))
	}
	d.Topic = topic
	// Runs must leave room for their window and not flood the channel.
	tt, err := d.timetable()
	if err != nil {
		return nil, fmt.Errorf("I can't read the schedule `%s`. %s.", d.Spec, drillForm)
	}
	gap := time.Duration(0)
	prev := tt.next(now)
	if prev.IsZero() {
		return nil, fmt.Errorf("The schedule `%s` never runs. %s.", d.Spec, drillForm)
	}
	for i := 0; i < 50; i++ {
		next := tt.next(prev)
		if next.IsZero() {
			break
		}
		if g := next.Sub(prev); gap == 0 || g < gap {
			gap = g
		}
		prev = next
	}
	if gap > 0 && gap < minDrillGap {
		return nil, fmt.Errorf("`%s` runs every %s; a drill runs at most once an hour.", d.Spec, spanText(gap))
	}
	if gap > 0 && d.Window > gap {
		return nil, fmt.Errorf("The answer window (%s) is longer than the time between runs (%s); make it shorter, like `window=%s`.",
			spanText(d.Window), spanText(gap), strings.ReplaceAll((gap/2).String(), "m0s", "m"))
	}
	return d, nil
}

func isDuration(s string) bool {
	_, err := time.ParseDuration(s)
	return err == nil && strings.ContainsAny(s, "hms") && !strings.Contains(s, ":")
}

func parseTZ(s string) (string, error) {
	name, ok := resolveTZ(s)
	if !ok {
		return "", fmt.Errorf("I don't know the timezone %q; use a name like Europe/Berlin, America/New_York or UTC.", truncate(s, 40))
	}
	return name, nil
}

// parseCron parses a drill's cron spec. In the day-of-week field 7 is Sunday, as in
// standard cron (the parser only takes 0-6): "7" and a range ending in 7 ("5-7") are
// read with 0 for it.
func parseCron(spec string) (cron.Schedule, error) {
	fields := strings.Fields(spec)
	if len(fields) == 5 {
		fields[4] = sundayAsZero(fields[4])
		spec = strings.Join(fields, " ")
	}
	return cronParser.Parse(spec)
}

// sundayAsZero rewrites 7 in a day-of-week field as 0: "7" → "0", "5-7" → "5-6,0",
// "1-7/2" → "1-6/2,0". Anything else is left to the parser.
func sundayAsZero(field string) string {
	parts := strings.Split(field, ",")
	for i, p := range parts {
		rng, step, stepped := strings.Cut(p, "/")
		from, to, isRange := strings.Cut(rng, "-")
		switch {
		case p == "7" || p == "7-7":
			parts[i] = "0"
		case !isRange || to != "7":
		case !stepped:
			parts[i] = from + "-6,0"
		default:
			a, errA := strconv.Atoi(from)
			n, errN := strconv.Atoi(step)
			if errA != nil || errN != nil || n <= 0 || a > 6 {
				continue
			}
			parts[i] = from + "-6/" + step
			if (7-a)%n == 0 {
				parts[i] += ",0"
			}
		}
	}
	return strings.Join(parts, ",")
}

// cronFields names the five fields of a cron spec and what each takes.
var cronFields = []struct{ name, takes string }{
	{"minute", "0-59"},
	{"hour", "0-23"},
	{"day-of-month", "1-31"},
	{"month", "1-12 or jan-dec"},
	{"day-of-week", "0-7 or sun-sat (0 and 7 are Sunday)"},
}

// cronUnsupported are the extensions some crons have and these schedules do not: L
// (last), W (nearest weekday), # (nth weekday).
var cronUnsupported = regexp.MustCompile(`^(l|lw|[0-9]*[lw]|[0-9]+#[0-9]+)$`)

// cronProblem says in a sentence what is wrong with a spec the parser refused, naming
// the field: the parser's own errors ("failed to parse int from l: strconv.Atoi...") are
// Go, not something to show a person.
func cronProblem(spec string) string {
	if strings.HasPrefix(spec, "@") {
		return fmt.Sprintf("`%s` isn't a schedule name I know; use @daily, @weekly, @monthly, @yearly or a five-field schedule", truncate(spec, 20))
	}
	fields := strings.Fields(spec)
	for i, f := range fields {
		if i >= len(cronFields) {
			break
		}
		probe := []string{"*", "*", "*", "*", "*"}
		probe[i] = f
		_, err := parseCron(strings.Join(probe, " "))
		if err == nil {
			continue
		}
		field, low := cronFields[i], strings.ToLower(f)
		msg := err.Error()
		switch {
		case (i == 2 || i == 4) && cronUnsupported.MatchString(low):
			return fmt.Sprintf("the %s field `%s` uses L, W or #, which these schedules don't support; it takes %s", field.name, truncate(f, 20), field.takes)
		case strings.Contains(msg, "above maximum") || strings.Contains(msg, "below minimum"):
			return fmt.Sprintf("the %s field `%s` is out of range; it takes %s", field.name, truncate(f, 20), field.takes)
		case strings.Contains(msg, "beyond end of range"):
			return fmt.Sprintf("the %s field `%s` has a range that runs backwards; it takes %s", field.name, truncate(f, 20), field.takes)
		default:
			return fmt.Sprintf("the %s field `%s` isn't a number, range (1-5), list (1,3) or step (*/2) I can read; it takes %s", field.name, truncate(f, 20), field.takes)
		}
	}
	return "it isn't a schedule I can read"
}

// drillState is the bot's view of drills: the timer of each drill's next run, and the
// runs whose threads take answers (or recently did).
type drillState struct {
	timers timerSet
	mu     sync.Mutex
	runs   map[string]*openRun // by the thread's Conversation.Key()

	// forgetting orders forget against what open runs record and post about a member:
	// a drill answer has no session record of its own for the store to refuse once its
	// member is forgotten. Recording an answer and posting a summary hold it for reading;
	// forget holds it while it takes the member out of memory and the store. Taken
	// before mu, never while waiting for a run's grading.
	forgetting sync.RWMutex
	forgets    map[string]int // by user key: times forgotten; guarded by forgetting
}

// forgetCount returns how many times the member with key who was forgotten: an answer
// whose count changed while it was graded is not recorded.
func (b *Bot) forgetCount(who string) int {
	b.drills.forgetting.RLock()
	defer b.drills.forgetting.RUnlock()
	return b.drills.forgets[who]
}

// forgetInDrills takes the member with key who out of open runs in memory, so a
// summary posted later neither names nor counts them. b.drills.forgetting must be held
// for writing.
func (b *Bot) forgetInDrills(who string) {
	if b.drills.forgets == nil {
		b.drills.forgets = map[string]int{}
	}
	b.drills.forgets[who]++
	b.drills.mu.Lock()
	defer b.drills.mu.Unlock()
	for _, o := range b.drills.runs {
		o.r.Answers = slices.DeleteFunc(o.r.Answers, func(a DrillAnswer) bool { return a.User.Key() == who })
	}
}

// openRun is a posted run in memory.
type openRun struct {
	r         *DrillRun
	timer     Timer
	answering map[string]bool // members whose answer is being graded
	// grading counts answers taken before the window closed and not yet recorded; the
	// summary waits for them.
	grading sync.WaitGroup
}

func (b *Bot) drillStore() (Drills, bool) {
	s, ok := b.store.(Drills)
	return s, ok
}

// startDrills re-opens posted runs (closing those whose window passed while down), makes
// up a run missed by under an hour, and arms every drill's next run.
func (b *Bot) startDrills(ctx context.Context) error {
	store, ok := b.drillStore()
	if !ok {
		return nil
	}
	now := b.clock.Now()
	runs, err := store.DrillRuns(ctx, func(r *DrillRun) bool { return !r.Closed || now.Sub(r.Closes) < closedRunMemory })
	if err != nil {
		return fmt.Errorf("load drill runs: %w", err)
	}
	for _, r := range runs {
		if _, ok := b.platform(r.Conv.Platform); !ok {
			continue
		}
		if r.MessageID == "" && r.Conv.Thread == "" {
			switch {
			case r.Closed:
			case now.Before(r.ResendBy):
				// Claimed by a process that stopped before its post was confirmed, on a
				// platform that can send it again without posting it twice.
				b.inflight.Add(1)
				go func() {
					defer b.inflight.Done()
					b.redeliverDrillRun(context.Background(), r)
				}()
			default:
				// Claimed by a process that stopped before posting: at most once, so it
				// is not posted now; it is closed without a summary.
				r.Closed = true
				if err := store.SaveDrillRun(ctx, r); err != nil {
					return err
				}
				b.log.Warn("drill run was claimed but not posted before a stop; not re-posted", "drill", r.Drill, "run", r.Key)
				b.meter.Resent(ResentDrill, ResentDropped)
			}
			continue
		}
		b.openDrillRun(r)
		if r.Closed && r.SummaryDue {
			// Its summary failed or was cut off: sent now under its key, marked Again.
			b.inflight.Add(1)
			go func() {
				defer b.inflight.Done()
				if !b.postSummary(context.Background(), r.Drill, r.Key, true) {
					b.retrySummary(r.Drill, r.Key)
				}
			}()
		}
	}
	drills, err := store.Drills(ctx)
	if err != nil {
		return fmt.Errorf("load drills: %w", err)
	}
	for _, d := range drills {
		if _, ok := b.platform(d.Conv.Platform); !ok || d.Paused {
			continue
		}
		if prev := d.Prev(now); !prev.IsZero() && !d.Created.After(prev) {
			last, err := store.LastDrillRun(ctx, d.ID)
			if err != nil {
				return err
			}
			if last < d.runKey(prev) {
				skip := func() error {
					_, err := store.ClaimDrillRun(ctx, &DrillRun{Drill: d.ID, Key: d.runKey(prev), Conv: d.Conv, Closed: true, Closes: prev})
					return err
				}
				var older missed
				if tt, err := d.timetable(); err == nil {
					from := d.Created
					if lastAt, err := time.ParseInLocation("2006-01-02T15:04", last, tt.loc); err == nil && lastAt.After(from) {
						from = lastAt
					}
					older = missedRuns(tt.next, from, prev)
				}
				if err := b.catchUp("drill", d.ID, prev, older, b.runDrill, skip); err != nil {
					return err
				}
			}
		}
		b.armDrill(d)
	}
	return nil
}

// armDrill sets the timer for d's next run.
func (b *Bot) armDrill(d *Drill) {
	next := d.Next(b.clock.Now())
	if next.IsZero() || d.Paused {
		return
	}
	id := d.ID
	b.drills.timers.set(b.clock, id, next, func() { b.runDrill(context.Background(), id, next) })
}

func (b *Bot) disarmDrill(id uint64) { b.drills.timers.stop(id) }

// runDrill makes the run of drill id at its scheduled time: claimed first, then posted.
func (b *Bot) runDrill(ctx context.Context, id uint64, at time.Time) {
	if !b.enter() {
		return
	}
	defer b.inflight.Done()
	store, _ := b.drillStore()
	d, err := store.Drill(ctx, id)
	if errors.Is(err, ErrNotFound) {
		return // removed meanwhile
	}
	if err != nil {
		b.log.Error("load drill", "drill", id, "err", err)
		return
	}
	defer b.armDrill(d)
	if d.Paused {
		return
	}
	q, err := b.pickForDrill(ctx, d)
	if err != nil || q == nil {
		b.log.Error("pick drill question", "drill", d.ID, "err", err)
		return
	}
	now := b.clock.Now()
	r := &DrillRun{Drill: d.ID, Key: d.runKey(at), Conv: d.Conv, Question: q.Ref(), Posted: now, Closes: now.Add(d.Window)}
	msg := drillQuestionMessage(d, r, q, b.drillLimit(q))
	r.ResendBy = b.resendBy(ctx, msg, now)
	claimed, err := store.ClaimDrillRun(ctx, r)
	if err != nil || !claimed {
		if err != nil {
			b.log.Error("claim drill run", "drill", d.ID, "err", err)
			b.meter.DrillRun(DrillChannel, DrillFailed)
		} else {
			b.meter.DrillRun(DrillChannel, DrillDuplicate)
		}
		return
	}
	for attempt := 0; attempt < 5; attempt++ {
		if err := b.waitTurn(b.stopping, d.Conv.Platform); err != nil {
			break
		}
		// A failed send may have been posted all the same (a timeout after the
		// platform took it): a try again says so, and the platform looks for it first.
		msg.Again = attempt > 0
		if b.postDrillRun(ctx, r, msg) == nil {
			b.meter.DrillRun(DrillChannel, DrillPosted)
			return
		}
		select {
		case <-time.After(time.Duration(attempt+1) * time.Second):
		case <-b.stopping.Done():
			attempt = 5
		}
	}
	b.meter.DrillRun(DrillChannel, DrillFailed)
	b.log.Error("post drill question: gave up", "drill", d.ID, "run", r.Key)
	if err := store.DeleteDrillRun(context.Background(), d.ID, r.Key); err != nil {
		b.log.Error("release drill run", "drill", d.ID, "err", err)
	}
}

// drillLimit is the time a drill question suggests for an answer.
func (b *Bot) drillLimit(q *Question) time.Duration {
	if q.TimeLimit > 0 {
		return q.TimeLimit
	}
	return b.limit
}

// postDrillRun posts claimed run r's question msg, records where it went and opens the
// run for answers.
func (b *Bot) postDrillRun(ctx context.Context, r *DrillRun, msg Message) error {
	store, _ := b.drillStore()
	sent, err := b.send(ctx, msg)
	if err != nil {
		return err
	}
	r.MessageID, r.Conv.Thread = sent.ID, sent.Thread
	if r.MessageID == "" {
		r.MessageID = "-" // posted; the platform gave no id
	}
	if r.Conv.Thread == "" {
		// No thread: answers come with the form (Event.Answer) in the channel itself,
		// so the run is keyed there.
		b.log.Warn("drill posted without a thread", "drill", r.Drill)
	}
	if err := store.SaveDrillRun(ctx, r); err != nil {
		b.log.Error("save drill run", "drill", r.Drill, "err", err)
	}
	b.openDrillRun(r)
	return nil
}

// redeliverDrillRun sends again the question of run r, claimed by a process killed
// before its post was confirmed; a run that cannot be sent is closed without a summary.
func (b *Bot) redeliverDrillRun(ctx context.Context, r *DrillRun) {
	store, _ := b.drillStore()
	d, err := store.Drill(ctx, r.Drill)
	var q *Question
	if err == nil {
		q, err = b.bank.Lookup(r.Question)
	}
	if err == nil {
		msg := drillQuestionMessage(d, r, q, b.drillLimit(q))
		msg.Again = true
		if b.waitTurn(b.stopping, r.Conv.Platform) != nil {
			return // stopping: the next start tries again, within the window
		}
		if err = b.postDrillRun(ctx, r, msg); err == nil {
			b.meter.Resent(ResentDrill, ResentSent)
			b.log.Warn("drill question sent again after a restart: its first send was cut off", "drill", r.Drill, "run", r.Key)
			return
		}
	}
	b.log.Error("drill run claimed before a stop could not be sent again; closing it", "drill", r.Drill, "run", r.Key, "err", err)
	b.meter.Resent(ResentDrill, ResentFailed)
	r.Closed = true
	if err := store.SaveDrillRun(ctx, r); err != nil {
		b.log.Error("close drill run", "drill", r.Drill, "err", err)
	}
}

// pickForDrill chooses a question the channel has not had from this drill, never the last.
func (b *Bot) pickForDrill(ctx context.Context, d *Drill) (*Question, error) {
	store, _ := b.drillStore()
	past, err := store.DrillRuns(ctx, func(r *DrillRun) bool { return r.Conv.Platform == d.Conv.Platform && r.Conv.ID == d.Conv.ID })
	if err != nil {
		return nil, err
	}
	seen := map[string]int{}
	last, lastAt := "", time.Time{}
	for _, r := range past {
		seen[r.Question]++
		if r.Posted.After(lastAt) {
			last, lastAt = r.Question, r.Posted
		}
	}
	b.rngMu.Lock()
	defer b.rngMu.Unlock()
	f := b.topicFilter(d.Topic)
	f.Difficulty = d.Difficulty
	return b.bank.Pick(f, seen, last, b.rng), nil
}

// drillQuestionMessage is a run's post; limit is the question's time limit, which a
// drill does not enforce (the window does) but which says how long an answer should be.
func drillQuestionMessage(d *Drill, r *DrillRun, q *Question, limit time.Duration) Message {
	loc, err := time.LoadLocation(d.TZ)
	if err != nil {
		loc = time.UTC
	}
	var t strings.Builder
	fmt.Fprintf(&t, "Drill question (drill #%d). Everyone can answer: reply in this question's thread by %s (%s). Each answer is graded on its own; the summary comes when it closes.\n\n",
		d.ID, r.Closes.In(loc).Format("15:04 MST"), spanText(d.Window))
	fmt.Fprintf(&t, "%s\n\n", strings.TrimSpace(q.Prompt))
	fmt.Fprintf(&t, "Topic: %s · %s · %s · aim to answer in %s", q.Topic, q.Difficulty, q.Kind, humanDuration(limit))
	return Message{Kind: MsgQuestion, Conv: d.Conv, Title: fmt.Sprintf("Drill question: %s", q.ID), Text: t.String(), Question: q, Deadline: r.Closes,
		Key: "d" + strconv.FormatUint(d.ID, 36) + "-" + r.Key}
}

// openDrillRun makes a posted run take answers in its thread and arms its closing.
func (b *Bot) openDrillRun(r *DrillRun) {
	thread := r.Conv
	b.drills.mu.Lock()
	defer b.drills.mu.Unlock()
	if b.drills.runs == nil {
		b.drills.runs = map[string]*openRun{}
	}
	o := &openRun{r: r, answering: map[string]bool{}}
	if old := b.drills.runs[thread.Key()]; old != nil && old.timer != nil {
		old.timer.Stop()
	}
	b.drills.runs[thread.Key()] = o
	if r.Closed {
		return
	}
	d := r.Closes.Sub(b.clock.Now())
	if d < 0 {
		d = 0
	}
	key := thread.Key()
	o.timer = b.clock.AfterFunc(d, func() { b.closeDrillRun(key) })
}

// drillRunIn returns the run whose thread conv is, if any.
func (b *Bot) drillRunIn(conv Conversation) *openRun {
	if conv.DM {
		return nil
	}
	b.drills.mu.Lock()
	defer b.drills.mu.Unlock()
	return b.drills.runs[conv.Key()]
}

// AnswersIn reports whether a message from u in conv would be taken as an answer: an open
// question of theirs there, or a drill thread. Adapters that see every channel message
// (Slack) use it to ignore chatter.
func (b *Bot) AnswersIn(u User, conv Conversation) bool {
	if conv.Thread != "" && b.drillRunIn(conv) != nil {
		return true
	}
	s, ok := b.OpenSession(u, conv)
	return ok && (s.Conv.Thread == conv.Thread || s.Conv.Thread == "")
}

// modelAfterDrill says why a drill question's model answer is not shown yet.
const modelAfterDrill = "the model answer comes with the summary when the drill closes"

// drillOpen reports whether attempt a answers a drill run whose window is still open:
// its model answer (and a follow-up graded against its key points) waits for the
// summary, wherever it is asked for.
func (b *Bot) drillOpen(a *Attempt) bool {
	if a == nil || a.Kind != KindDrill {
		return false
	}
	b.drills.mu.Lock()
	defer b.drills.mu.Unlock()
	o := b.drills.runs[a.Conv]
	return o != nil && !o.r.Closed && o.r.Question == a.Question
}

// drillMessage handles a message in a drill's thread: a command word, or an answer.
func (b *Bot) drillMessage(ctx context.Context, ev Event, o *openRun, cmd string, args []string) {
	if !ev.Answer && ev.Audio == nil && b.commandDuringSession(cmd, args) {
		switch cmd {
		case "model", "followup":
			b.reply(ctx, ev, MsgInfo, "", "In a drill thread "+modelAfterDrill+". Just reply here with your answer.")
			return
		case "skip", "stop":
			b.reply(ctx, ev, MsgInfo, "", "A drill question stays open for everyone until the drill closes, so there is nothing to "+cmd+": answer here if you like, or let it pass.")
			return
		case "practice", "interview":
			b.reply(ctx, ev, MsgInfo, "", "This thread belongs to the drill, so replies here are drill answers. Ask for a question of your own in the channel or in a direct message.")
			return
		}
		b.command(ctx, ev, cmd, args)
		return
	}
	b.drillAnswer(ctx, ev, o)
}

// drillAnswer grades one member's answer to a run.
func (b *Bot) drillAnswer(ctx context.Context, ev Event, o *openRun) {
	arrived := time.Now() // the wall clock, for Meter.Answered
	var text, problem string
	if ev.Audio == nil {
		text, problem = cleanAnswer(ev.Text)
	}
	if problem != "" {
		b.reply(ctx, ev, MsgError, "", problem)
		return
	}
	who := ev.User.Key()
	gen := b.forgetCount(who)
	b.drills.mu.Lock()
	r := *o.r
	r.Answers = append([]DrillAnswer(nil), o.r.Answers...)
	busy := o.answering[who]
	var prior *DrillAnswer
	for i := range r.Answers {
		if r.Answers[i].User.Key() == who {
			prior = &r.Answers[i]
		}
	}
	closed := r.Closed || !ev.Time.Before(r.Closes)
	if !busy && prior == nil && !closed {
		o.answering[who] = true
		o.grading.Add(1)
	}
	b.drills.mu.Unlock()
	switch {
	case busy:
		b.reply(ctx, ev, MsgInfo, "", "I'm still grading your answer; one moment.")
		return
	case prior != nil:
		b.reply(ctx, ev, MsgInfo, "", fmt.Sprintf("You already answered this drill (%s, %d). One answer each; the summary comes when it closes.", passWord(prior.Pass), prior.Score))
		return
	case closed:
		b.reply(ctx, ev, MsgInfo, "", "This drill has closed, so answers are no longer taken; the summary is in the channel. Say `practice` for a question of your own.")
		return
	}
	defer func() {
		b.drills.mu.Lock()
		delete(o.answering, who)
		b.drills.mu.Unlock()
		o.grading.Done()
	}()
	kinds := []string{LimitAnswer}
	if ev.Audio != nil {
		kinds = append(kinds, LimitAudio)
	}
	if text, limited := b.limited(ev, false, kinds...); limited {
		b.reply(ctx, ev, MsgInfo, "", text+" The drill takes answers until it closes.")
		return
	}
	q, err := b.bank.Lookup(r.Question)
	if err != nil {
		b.log.Error("drill question missing", "drill", r.Drill, "question", r.Question)
		b.reply(ctx, ev, MsgError, "", "Sorry, I can't find this drill's question any more, so I can't grade answers to it.")
		return
	}
	limit := q.TimeLimit
	if limit <= 0 {
		limit = b.limit
	}
	ans := Answer{Text: text, TimeLimit: limit}
	if ev.Audio != nil {
		ans, problem = b.transcribe(ctx, ev.Audio, limit, b.grace)
		if problem != "" {
			b.reply(ctx, ev, MsgError, "", problem)
			return
		}
		text = ans.Text
	}
	started := time.Now()
	v, err := b.grader.Grade(ctx, q, ans)
	b.meter.Graded(graderName(b.grader, v), time.Since(started), err)
	if err != nil {
		b.log.Error("grade drill answer", "drill", r.Drill, "question", q.Ref(), "err", err)
		b.reply(ctx, ev, MsgError, "", "Sorry, I couldn't grade that just now. Please send your answer again in a moment.")
		return
	}
	v.PrivateAnswer = ev.Answer && ev.Audio == nil
	msg := b.drillVerdict(verdictMessage(Session{User: ev.User, Conv: ev.Conv}, q, v))
	a := &Attempt{
		User: who, Conv: ev.Conv.Key(), Question: q.Ref(), Topic: q.Topic, Difficulty: q.Difficulty, Kind: KindDrill,
		Outcome: OutcomeGraded, Answer: text, Verdict: v, Pass: v.Pass, Score: v.Score, Asked: r.Posted, Answered: ev.Time,
		Deliver: b.delivery(ctx, msg),
	}
	line := DrillAnswer{User: ev.User, Pass: v.Pass, Score: v.Score, At: ev.Time}
	store, _ := b.drillStore()
	b.drills.forgetting.RLock()
	if b.drills.forgets[who] != gen {
		b.drills.forgetting.RUnlock()
		b.log.Info("drill answer not recorded: its member was forgotten while it was graded", "drill", r.Drill)
		return
	}
	recorded, err := store.AnswerDrillRun(ctx, r.Drill, r.Key, a, line)
	if err == nil && recorded {
		line.Attempt = a.ID
		b.drills.mu.Lock()
		o.r.Answers = append(o.r.Answers, line)
		b.drills.mu.Unlock()
	}
	b.drills.forgetting.RUnlock()
	if err != nil {
		b.log.Error("record drill answer", "drill", r.Drill, "err", err)
		b.reply(ctx, ev, MsgError, "", "Sorry, I couldn't save your answer just now. Please send it again in a moment.")
		return
	}
	if !recorded {
		b.reply(ctx, ev, MsgInfo, "", "You already answered this drill. One answer each; the summary comes when it closes.")
		return
	}
	b.recorded(a)
	if b.deliver(ctx, a, msg) {
		b.meter.Answered(v.Grader, time.Since(arrived))
	}
}

// drillVerdict is verdict message msg as a drill answer's: without buttons (the model
// answer waits for the summary, so nobody sees it early), private when configured.
func (b *Bot) drillVerdict(msg Message) Message {
	msg.Actions, msg.Private = nil, b.drillPrivate
	return msg
}

// spanText says a drill's spans: "1 hour", "3 hours", "90 minutes".
func spanText(d time.Duration) string {
	switch {
	case d == time.Hour:
		return "1 hour"
	case d%time.Hour == 0:
		return fmt.Sprintf("%d hours", d/time.Hour)
	}
	return humanDuration(d)
}

func passWord(pass bool) string {
	if pass {
		return "PASS"
	}
	return "FAIL"
}

// closeDrillRun closes a run's window and posts its summary. The run is marked closed
// (and its summary due) first, so a restart never closes it again; a summary whose send
// fails is tried again under its key, marked Again, so it is posted once.
func (b *Bot) closeDrillRun(threadKey string) {
	if !b.enter() {
		return
	}
	defer b.inflight.Done()
	ctx := context.Background()
	b.drills.mu.Lock()
	o := b.drills.runs[threadKey]
	if o == nil || o.r.Closed {
		b.drills.mu.Unlock()
		return
	}
	o.r.Closed = true
	b.drills.mu.Unlock()
	o.grading.Wait() // answers that came in time are in the summary
	b.drills.mu.Lock()
	r := *o.r
	r.Answers = append([]DrillAnswer(nil), o.r.Answers...)
	b.drills.mu.Unlock()
	r.SummaryDue = true
	store, _ := b.drillStore()
	if err := store.SaveDrillRun(ctx, &r); err != nil {
		b.log.Error("close drill run", "drill", r.Drill, "err", err)
	}
	if !b.postSummary(ctx, r.Drill, r.Key, false) {
		b.retrySummary(r.Drill, r.Key)
	}
}

// retrySummary tries again to post the summary of run key of drill id (retryDelays);
// one that still fails stays due, for the next start.
func (b *Bot) retrySummary(id uint64, key string) {
	b.retry(0, func(ctx context.Context) bool { return b.postSummary(ctx, id, key, true) }, func() {
		b.log.Warn("drill summary could not be posted; kept for the next start", "drill", id, "run", key)
	})
}

// postSummary posts the summary of run key of drill id, as stored, if it is due, and
// marks it sent; again marks a send after one that failed or was cut off. It reports
// whether there is nothing more to do.
func (b *Bot) postSummary(ctx context.Context, id uint64, key string, again bool) bool {
	store, _ := b.drillStore()
	// Held until the summary is sent: a member forgotten before is not in it, and one
	// who says forget meanwhile gets their Done after it.
	b.drills.forgetting.RLock()
	defer b.drills.forgetting.RUnlock()
	runs, err := store.DrillRuns(ctx, func(r *DrillRun) bool { return r.Drill == id && r.Key == key })
	if err != nil {
		b.log.Error("load drill run for its summary", "drill", id, "run", key, "err", err)
		return false
	}
	if len(runs) == 0 || !runs[0].SummaryDue {
		return true
	}
	r := runs[0]
	msg := b.drillSummary(ctx, r)
	msg.Key, msg.Again = "sum"+strconv.FormatUint(id, 36)+"-"+key, again
	if _, err := b.send(ctx, msg); err != nil {
		return false
	}
	r.SummaryDue = false
	if err := store.SaveDrillRun(ctx, r); err != nil {
		b.log.Error("mark drill summary sent", "drill", id, "run", key, "err", err)
	}
	return true
}

// drillSummary is posted to the channel when a run closes: who answered and passed, the
// model answer, and the channel's leaderboard for the month.
func (b *Bot) drillSummary(ctx context.Context, r *DrillRun) Message {
	var t strings.Builder
	q, _ := b.bank.Lookup(r.Question)
	passed := 0
	for _, a := range r.Answers {
		if a.Pass {
			passed++
		}
	}
	title := fmt.Sprintf("Drill closed: %d answered, %d passed", len(r.Answers), passed)
	fmt.Fprintf(&t, "%s.\n", title)
	if q != nil {
		fmt.Fprintf(&t, "Question: %s\n", FirstParagraph(q.Prompt))
	}
	if len(r.Answers) == 0 {
		t.WriteString("\nNobody answered this time.\n")
	} else {
		t.WriteString("\n")
		answers := append([]DrillAnswer(nil), r.Answers...)
		sortAnswers(answers)
		for _, a := range answers {
			fmt.Fprintf(&t, "• %s: %s · %d\n", displayName(a.User), passWord(a.Pass), a.Score)
		}
	}
	if q != nil && strings.TrimSpace(q.ModelAnswer) != "" {
		fmt.Fprintf(&t, "\nModel answer:\n%s\n", strings.TrimSpace(q.ModelAnswer))
	}
	if board, err := b.Leaderboard(ctx, Scope{Conv: Conversation{Platform: r.Conv.Platform, ID: r.Conv.ID, Guild: r.Conv.Guild}}, PeriodMonth); err == nil && len(board.Rows) > 0 {
		fmt.Fprintf(&t, "\n%s", board.Text(5))
	} else if err != nil {
		b.log.Error("leaderboard", "drill", r.Drill, "err", err)
	}
	return Message{Kind: MsgInfo, Conv: Conversation{Platform: r.Conv.Platform, ID: r.Conv.ID, Guild: r.Conv.Guild}, Title: title, Text: strings.TrimSpace(t.String())}
}

func displayName(u User) string {
	if u.Name != "" {
		return u.Name
	}
	return u.ID
}
