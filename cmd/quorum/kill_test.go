package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/quorum-dev/quorum/adapters/discord/discordtest"
	"github.com/quorum-dev/quorum/bot"
	"github.com/quorum-dev/quorum/store"
)

// The SIGKILL failure test: the real quorum binary against the fake Discord, killed at
// random moments across hundreds of practice sessions and a fan-out of daily drills,
// restarted each time. It checks the promises of DESIGN.md and README: no acknowledged
// answer is lost, no drill run is posted twice or lost, and every session left open by a
// kill either takes its answer after the restart or is closed with a time's-up message.
//
// QUORUM_KILL_SEED replays a seed (the test logs the one it used); the timing of the
// process is real, so a replay repeats the choices, not every interleaving.

const (
	killPracticeUsers = 30
	killDailyUsers    = 24
	killDrillChannels = 6
	killGuild         = "800000"
	killMinSessions   = 200
	// killWait is how long a person waits for a reply while the bot is up.
	killWait = 20 * time.Second
)

const goodCrashAnswer = "Raft divides time into terms and each term has at most one leader. A follower whose " +
	"randomized election timeout fires becomes a candidate, increments the term and asks for votes. Each server " +
	"casts one vote per term and a candidate needs a majority, so two leaders can't win the same term."

const badCrashAnswer = "The node with the lowest id always becomes the leader because it starts first, and " +
	"the others simply follow it without any voting at all in the cluster."

// quorumProc is the quorum process under test, restarted after each kill.
type quorumProc struct {
	t   *testing.T
	bin string
	cfg string
	log *os.File
	dc  *discordtest.Server

	mu      sync.Mutex
	changed chan struct{} // closed when up or gen changes
	gen     int           // increases at each death
	up      bool
	cmd     *exec.Cmd
	exited  chan struct{} // closed when cmd has exited
	kills   []time.Time   // when each kill happened
}

func (p *quorumProc) notify() {
	close(p.changed)
	p.changed = make(chan struct{})
}

// start runs a new process and waits until it has identified on the gateway.
func (p *quorumProc) start() error {
	identifies, _, _ := p.dc.Handshakes()
	cmd := exec.Command(p.bin, "run", "--config", p.cfg)
	cmd.Stdout, cmd.Stderr = p.log, p.log
	if err := cmd.Start(); err != nil {
		return err
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	deadline := time.After(30 * time.Second)
	for {
		n, _, _ := p.dc.Handshakes()
		if n > identifies && p.dc.Connected() {
			break
		}
		select {
		case <-p.dc.Changed():
		case <-exited:
			return fmt.Errorf("quorum exited while starting (see %s)", p.log.Name())
		case <-deadline:
			cmd.Process.Kill()
			return fmt.Errorf("quorum did not connect within 30s (see %s)", p.log.Name())
		}
	}
	p.mu.Lock()
	p.cmd, p.exited, p.up = cmd, exited, true
	p.notify()
	p.mu.Unlock()
	return nil
}

// kill sends SIGKILL, waits for the process to die and for the requests it sent to be
// recorded, and marks a new generation.
func (p *quorumProc) kill() {
	p.mu.Lock()
	cmd, exited := p.cmd, p.exited
	p.up = false
	p.mu.Unlock()
	cmd.Process.Signal(syscall.SIGKILL)
	<-exited
	p.settle()
	p.mu.Lock()
	p.kills = append(p.kills, time.Now())
	p.gen++
	p.notify()
	p.mu.Unlock()
}

// settle waits until the fake has finished the requests of a dead process.
func (p *quorumProc) settle() {
	for p.dc.RESTBusy() > 0 {
		select {
		case <-p.dc.Changed():
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// stop ends the process with SIGTERM, as an operator would, and checks it exits cleanly.
func (p *quorumProc) stop() error {
	p.mu.Lock()
	cmd, exited := p.cmd, p.exited
	p.up = false
	p.mu.Unlock()
	cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-exited:
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		return fmt.Errorf("quorum did not stop within 30s of SIGTERM")
	}
	if cmd.ProcessState.ExitCode() != 0 {
		return fmt.Errorf("quorum exited %d after SIGTERM (see %s)", cmd.ProcessState.ExitCode(), p.log.Name())
	}
	return nil
}

// state returns the generation, whether the process is up, and a channel closed at the next change.
func (p *quorumProc) state() (int, bool, <-chan struct{}) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.gen, p.up, p.changed
}

// person is one user of the fake Discord, talking to the bot by DM.
type person struct {
	p    *quorumProc
	dc   *discordtest.Server
	id   string
	dm   string
	read int // posts in the DM already looked at
	rng  *rand.Rand

	verdicts []ackedVerdict
	timeUps  int
}

type ackedVerdict struct {
	question string
	score    int
}

func (u *person) say(text string) {
	u.dc.Say(discordtest.Invoker{UserID: u.id, Username: "user" + u.id, ChannelID: u.dm}, text)
}

// waitUp waits for the process to be up and returns its generation.
func (u *person) waitUp() (int, error) {
	deadline := time.After(60 * time.Second)
	for {
		gen, up, ch := u.p.state()
		if up {
			return gen, nil
		}
		select {
		case <-ch:
		case <-deadline:
			return 0, fmt.Errorf("%s: the bot stayed down for 60s", u.id)
		}
	}
}

// errDied says the process died while a person waited for a reply.
var errDied = fmt.Errorf("the process died")

// next returns the next post in the person's DM. It returns errDied when the process
// generation moves past gen first (after reading everything the dead process posted),
// and an error when nothing comes for killWait while the process stays up.
func (u *person) next(gen int) (discordtest.Post, error) {
	timeout := time.NewTimer(killWait)
	defer timeout.Stop()
	for {
		changed := u.dc.Changed()
		if ps := u.dc.PostsIn(u.dm, u.read); len(ps) > 0 {
			u.read++
			return ps[0], nil
		}
		g, _, pch := u.p.state()
		if g != gen {
			// The dead process's requests are settled before gen moves, so its posts are in.
			if ps := u.dc.PostsIn(u.dm, u.read); len(ps) > 0 {
				u.read++
				return ps[0], nil
			}
			return discordtest.Post{}, errDied
		}
		select {
		case <-changed:
		case <-pch:
		case <-timeout.C:
			return discordtest.Post{}, fmt.Errorf("%s: no reply for %s while the bot was up (generation %d)", u.id, killWait, gen)
		}
	}
}

// think waits d, or less if the process dies; it reports whether it died.
func (u *person) think(gen int, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	for {
		g, _, ch := u.p.state()
		if g != gen {
			return true
		}
		select {
		case <-t.C:
			g, _, _ := u.p.state()
			return g != gen
		case <-ch:
		}
	}
}

var verdictTitle = regexp.MustCompile(`^(PASS|FAIL) · (\d+)/100$`)

type postKind int

const (
	postOther postKind = iota
	postQuestion
	postDaily
	postVerdict
	postTimeUp
)

func classify(p discordtest.Post) postKind {
	if len(p.Embeds) == 0 {
		return postOther
	}
	e := p.Embeds[0]
	switch {
	case verdictTitle.MatchString(e.Title):
		return postVerdict
	case e.Title == "Time's up":
		return postTimeUp
	case strings.HasPrefix(e.Title, "Question: ") && strings.HasPrefix(e.Description, "Your daily question:"):
		return postDaily
	case strings.HasPrefix(e.Title, "Question: "):
		return postQuestion
	}
	return postOther
}

func (u *person) ack(p discordtest.Post) {
	m := verdictTitle.FindStringSubmatch(p.Embeds[0].Title)
	score, _ := strconv.Atoi(m[2])
	q := ""
	if f := p.Embeds[0].Footer; f != nil {
		q, _, _ = strings.Cut(f.Text, " · ")
	}
	u.verdicts = append(u.verdicts, ackedVerdict{question: q, score: score})
}

// killStats counts what the people saw.
type killStats struct {
	sessions      atomic.Int64 // questions put to practice users
	verdicts      atomic.Int64
	openAtKill    atomic.Int64 // a question shown, no answer sent, then a kill
	continued     atomic.Int64 // of those: answered after the restart and graded
	closedByTimer atomic.Int64 // of those: closed with a time's-up message
	answerAtKill  atomic.Int64 // an answer sent, no verdict yet, then a kill
	strayTimeUps  atomic.Int64 // time's-up for a session whose question never arrived
	dailyClosed   atomic.Int64 // daily questions closed by their time's-up
}

// practise runs practice sessions until done says stop; it returns the first broken promise.
func (u *person) practise(done func() bool, st *killStats) error {
	for !done() {
		gen, err := u.waitUp()
		if err != nil {
			return err
		}
		u.say("practice crash-drill")
		// Wait for the question (or learn there is an open one nobody saw).
		var question string
		var asked time.Time
		for question == "" {
			p, err := u.next(gen)
			if err == errDied {
				if gen, err = u.waitUp(); err != nil {
					return err
				}
				u.say("practice crash-drill")
				continue
			}
			if err != nil {
				return err
			}
			switch classify(p) {
			case postQuestion:
				question, asked = strings.TrimPrefix(p.Embeds[0].Title, "Question: "), time.Now()
			case postTimeUp:
				// A session stored by a process killed before it showed the question.
				u.timeUps++
				st.strayTimeUps.Add(1)
			case postOther:
				if strings.Contains(p.Content, "already have an open question") {
					// Same: stored, never shown, not yet timed out. Answer it.
					question, asked = "?", time.Now()
				}
			}
		}
		st.sessions.Add(1)

		// Think, then answer; a kill while thinking leaves the session open in the store.
		answer := goodCrashAnswer
		if u.rng.IntN(3) == 0 {
			answer = badCrashAnswer
		}
		strict := false
		if u.think(gen, time.Duration(100+u.rng.IntN(1200))*time.Millisecond) {
			st.openAtKill.Add(1)
			if u.rng.IntN(2) == 0 {
				if err := u.awaitTimeUp(asked, st); err != nil {
					return err
				}
				continue
			}
			strict = true // the session is open: the answer after restart must be graded
		}
		if err := u.answer(answer, strict, st); err != nil {
			return err
		}
		if u.think(gen, time.Duration(50+u.rng.IntN(400))*time.Millisecond) {
			continue
		}
	}
	return nil
}

// answer sends the answer and waits for the verdict. strict says the session is known to
// be open, so only a verdict will do; otherwise a kill may have recorded the attempt
// without the verdict, and the resent answer finds no session.
func (u *person) answer(text string, strict bool, st *killStats) error {
	gen, err := u.waitUp()
	if err != nil {
		return err
	}
	u.say(text)
	died := false
	for {
		p, err := u.next(gen)
		if err == errDied {
			if !strict && !died {
				st.answerAtKill.Add(1)
			}
			strict, died = false, true
			if gen, err = u.waitUp(); err != nil {
				return err
			}
			u.say(text)
			continue
		}
		if err != nil {
			return err
		}
		switch classify(p) {
		case postVerdict:
			u.ack(p)
			st.verdicts.Add(1)
			if strict {
				st.continued.Add(1)
			}
			return nil
		case postTimeUp:
			u.timeUps++ // the time ran out while down; the answer still gets a (late) verdict
		case postOther:
			if strings.Contains(p.Content, "still grading") {
				u.say(text) // it came while the time-up was being recorded
				continue
			}
			if strings.Contains(p.Content, "already have an open question") {
				// The reply to a practice command said again after a restart that had
				// already sent the unconfirmed question again: not about this answer.
				continue
			}
			if strict {
				return fmt.Errorf("%s: an answer to a session open at a kill got %q, want a verdict", u.id, p.Content)
			}
			if died {
				// The attempt was recorded before the kill, so the answer sent again finds
				// no session; its verdict still comes, sent from the outbox at the restart.
				continue
			}
			return nil
		}
	}
}

// awaitTimeUp waits, across restarts, for the time's-up of a session open at a kill.
func (u *person) awaitTimeUp(asked time.Time, st *killStats) error {
	for {
		gen, err := u.waitUp()
		if err != nil {
			return err
		}
		p, err := u.next(gen)
		if err == errDied {
			continue
		}
		if err != nil {
			// A kill after the deadline no longer excuses it: the expiry is stored with
			// its note in the outbox, and the restart sends what a kill cut off.
			return fmt.Errorf("%s: a session open at a kill was never closed with its time's-up: %v", u.id, err)
		}
		switch classify(p) {
		case postTimeUp:
			u.timeUps++
			st.closedByTimer.Add(1)
			return nil
		case postVerdict:
			return fmt.Errorf("%s: a verdict came for a session nobody answered", u.id)
		}
	}
}

// awaitDaily waits for the time's-up of the daily question, if one came: nobody answers it.
func (u *person) awaitDaily(st *killStats) error {
	var asked time.Time
	for _, p := range u.dc.PostsIn(u.dm, 0) {
		u.read++
		switch classify(p) {
		case postDaily:
			asked = p.At
		case postTimeUp:
			if asked.IsZero() {
				st.strayTimeUps.Add(1)
				continue
			}
			st.dailyClosed.Add(1)
			return nil
		}
	}
	if asked.IsZero() {
		return nil
	}
	var mine killStats
	if err := u.awaitTimeUp(asked, &mine); err != nil {
		return err
	}
	st.dailyClosed.Add(mine.closedByTimer.Load())
	return nil
}

func buildQuorum(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "quorum")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

func TestSIGKILLLosesNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("the SIGKILL test runs the real binary for about a minute; it runs without -short")
	}
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("QUORUM_KILL_SEED"); s != "" {
		seed, _ = strconv.ParseUint(s, 10, 64)
	}
	t.Logf("seed %d (QUORUM_KILL_SEED=%d replays the choices)", seed, seed)
	rng := rand.New(rand.NewPCG(seed, 11))

	bin := buildQuorum(t)
	dc := discordtest.New("kill-token")
	defer dc.Close()
	dir := t.TempDir()
	pack, _ := filepath.Abs("testdata/crash-pack.yaml")
	db := filepath.Join(dir, "q.db")
	cfg := filepath.Join(dir, "quorum.yaml")
	os.WriteFile(cfg, []byte(`store: { path: `+db+`, lock_timeout: 5s }
practice: { time_limit: 10s, grace: 1s }
packs: [`+pack+`]
discord: { enabled: true, token: kill-token, base_url: `+dc.URL+` }
log: { level: warn }
`), 0o600)
	logf, err := os.Create(filepath.Join(dir, "quorum.log"))
	if err != nil {
		t.Fatal(err)
	}
	defer logf.Close()
	proc := &quorumProc{t: t, bin: bin, cfg: cfg, log: logf, dc: dc, changed: make(chan struct{})}
	if err := proc.start(); err != nil {
		t.Fatal(err)
	}
	dumpLog := func() {
		data, _ := os.ReadFile(logf.Name())
		if len(data) > 4000 {
			data = data[len(data)-4000:]
		}
		t.Logf("quorum's log (end):\n%s", data)
	}

	// Daily drills first, for the first minute at least 8s away, so the wait for the
	// minute overlaps the practice sessions.
	now := time.Now().UTC()
	due := now.Truncate(time.Minute).Add(time.Minute)
	if due.Sub(now) < 8*time.Second {
		due = due.Add(time.Minute)
	}
	dailies := make([]*person, killDailyUsers)
	for i := range dailies {
		id := strconv.Itoa(500000 + i)
		dailies[i] = &person{p: proc, dc: dc, id: id, dm: dc.DM(id)}
		dailies[i].say("daily on " + due.Format("15:04") + " UTC crash-drill")
	}
	for _, u := range dailies {
		p, err := u.next(0)
		if err != nil || !strings.Contains(p.Content, "Daily drill on") {
			t.Fatalf("%s: got %q (%v), want the daily drill on", u.id, p.Content, err)
		}
	}
	// Channel drills for the same minute, one per channel, added by a member who may
	// manage the server.
	drillChannels := make([]string, killDrillChannels)
	for i := range drillChannels {
		drillChannels[i] = strconv.Itoa(700000 + i)
		dc.AddChannel(killGuild, drillChannels[i])
		admin := discordtest.Invoker{UserID: "600000", Username: "organiser", GuildID: killGuild, ChannelID: drillChannels[i], Permissions: 1 << 5}
		dc.Slash(admin, "drill", discordtest.Sub("add", discordtest.String("cron", fmt.Sprintf("%d %d * * *", due.Minute(), due.Hour())),
			discordtest.String("topic", "crash-drill")))
		deadline := time.Now().Add(killWait)
		for !strings.Contains(fmt.Sprint(dc.PostsIn(drillChannels[i], 0)), "added") {
			if time.Now().After(deadline) {
				t.Fatalf("channel %s: the drill was not added: %+v", drillChannels[i], dc.PostsIn(drillChannels[i], 0))
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	t.Logf("%d daily drills and %d channel drills due at %s (in %s)", killDailyUsers, killDrillChannels, due.Format("15:04:05"), time.Until(due).Round(time.Second))

	// Practice users, each with its own seeded choices.
	var st killStats
	var stopPractice atomic.Bool
	done := func() bool { return stopPractice.Load() }
	people := make([]*person, killPracticeUsers)
	errs := make(chan error, killPracticeUsers)
	for i := range people {
		id := strconv.Itoa(100000 + i)
		people[i] = &person{p: proc, dc: dc, id: id, dm: dc.DM(id), rng: rand.New(rand.NewPCG(seed, uint64(i)))}
		go func(u *person) { errs <- u.practise(done, &st) }(people[i])
	}

	// The killer: random kills, and one just after the daily minute begins, during the fan-out.
	var fanOutKill time.Duration
	killerDone := make(chan error, 1)
	var stopKilling atomic.Bool
	go func() {
		dueKilled := false
		for !stopKilling.Load() {
			wait := time.Duration(400+rng.IntN(2200)) * time.Millisecond
			if !dueKilled && time.Now().Add(wait).After(due) {
				fanOutKill = time.Duration(rng.IntN(30)) * time.Millisecond
				wait = time.Until(due.Add(fanOutKill))
				dueKilled = true
			}
			time.Sleep(wait) // the moment of a kill is the test's random input, not a wait on a condition
			if stopKilling.Load() {
				break
			}
			proc.kill()
			if err := proc.start(); err != nil {
				killerDone <- err
				return
			}
		}
		killerDone <- nil
	}()

	// Run until enough sessions have passed and the daily questions have timed out.
	end := due.Add(12 * time.Second)
	for st.verdicts.Load() < killMinSessions || time.Now().Before(end) {
		select {
		case err := <-errs:
			stopKilling.Store(true)
			dumpLog()
			t.Fatal(err)
		case err := <-killerDone:
			dumpLog()
			t.Fatalf("restart: %v", err)
		case <-time.After(100 * time.Millisecond):
		}
	}
	stopKilling.Store(true)
	if err := <-killerDone; err != nil {
		dumpLog()
		t.Fatalf("restart: %v", err)
	}
	stopPractice.Store(true)
	for range people {
		if err := <-errs; err != nil {
			dumpLog()
			t.Fatal(err)
		}
	}
	// The daily questions' time's-ups, which may have been delayed by the last restarts.
	for _, u := range dailies {
		if err := u.awaitDaily(&st); err != nil {
			dumpLog()
			t.Fatal(err)
		}
	}
	stopAt := time.Now()
	if err := proc.stop(); err != nil {
		dumpLog()
		t.Fatal(err)
	}

	// Check the store against what the people saw.
	s, err := store.Open(db, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	for _, u := range people {
		attempts, err := s.Attempts(ctx, "discord:"+u.id)
		if err != nil {
			t.Fatal(err)
		}
		have := map[ackedVerdict]int{}
		for _, a := range attempts {
			if a.Outcome == bot.OutcomeGraded || a.Outcome == bot.OutcomeLate {
				have[ackedVerdict{a.Question, a.Score}]++
			}
		}
		for _, v := range u.verdicts {
			if have[v] == 0 {
				t.Errorf("%s: the verdict %s %d/100 reached the person but its attempt is not in the store", u.id, v.question, v.score)
				continue
			}
			have[v]--
		}
	}

	// Daily runs: exactly one question per person. A run is claimed in the transaction
	// that stores its question, and a stored question whose send a kill cut off is sent
	// again at the restart with the same nonce, so no kill can lose a run or post it twice
	// (the fake Discord never refuses a post, and every restart comes within seconds).
	dailyPosted := 0
	for _, u := range dailies {
		n := 0
		for _, p := range dc.PostsIn(u.dm, 0) {
			if classify(p) == postDaily {
				n++
			}
		}
		switch {
		case n > 1:
			t.Errorf("%s: the daily question came %d times in one run", u.id, n)
		case n == 1:
			dailyPosted++
		default:
			t.Errorf("%s: the daily question of the %s run never came", u.id, due.Format("15:04"))
		}
	}

	// Channel drill runs: exactly one question in each channel, as for daily runs.
	drillPosted := 0
	for _, ch := range drillChannels {
		n := 0
		for _, p := range dc.PostsIn(ch, 0) {
			if len(p.Embeds) > 0 && strings.HasPrefix(p.Embeds[0].Title, "Drill question") {
				n++
			}
		}
		switch n {
		case 1:
			drillPosted++
		case 0:
			t.Errorf("channel %s: the drill question of the %s run never came", ch, due.Format("15:04"))
		default:
			t.Errorf("channel %s: the drill question came %d times in one run", ch, n)
		}
	}

	// No session may be left open past its time: each one got its time's-up or its answer.
	sessions, err := s.Sessions(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, sess := range sessions {
		if sess.State == bot.SessionOpen && sess.Closes().Before(stopAt.Add(-2*time.Second)) {
			t.Errorf("session %d of %s is still open %s after it closed", sess.ID, sess.User.ID, stopAt.Sub(sess.Closes()).Round(time.Second))
		}
	}

	proc.mu.Lock()
	kills := len(proc.kills)
	proc.mu.Unlock()
	t.Logf("%d kills (one %s into the daily fan-out); %d practice sessions, %d verdicts, all in the store",
		kills, fanOutKill, st.sessions.Load(), st.verdicts.Load())
	t.Logf("sessions open at a kill: %d (answered after restart and graded: %d; closed by time's-up: %d); answers in flight at a kill: %d, each answered with its verdict after the restart; stray time's-ups: %d",
		st.openAtKill.Load(), st.continued.Load(), st.closedByTimer.Load(), st.answerAtKill.Load(), st.strayTimeUps.Load())
	t.Logf("daily runs: %d of %d posted once (%d closed by their time's-up), 0 twice; channel drill runs: %d of %d posted once",
		dailyPosted, len(dailies), st.dailyClosed.Load(), drillPosted, len(drillChannels))
	logged, _ := os.ReadFile(logf.Name())
	t.Logf("sent again after a restart: %d questions, %d verdicts and %d time's-up notes, of which Discord had already posted %d (same nonce)",
		strings.Count(string(logged), "question sent again after a restart"), strings.Count(string(logged), "verdict sent again after a restart"),
		strings.Count(string(logged), "time's-up note sent again after a restart"), dc.Deduped())
	if t.Failed() {
		dumpLog()
	}
}
