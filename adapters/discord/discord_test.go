package discord_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/quorum-dev/quorum/adapters/discord"
	"github.com/quorum-dev/quorum/adapters/discord/discordtest"
	"github.com/quorum-dev/quorum/bot"
	"github.com/quorum-dev/quorum/bot/bottest"
	"github.com/quorum-dev/quorum/bot/rubric"
	"github.com/quorum-dev/quorum/store"
)

var t0 = time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)

const token = "test-bot-token"

const goodAnswer = `Raft divides time into terms, and each term has at most one leader. When a follower's randomized
election timeout fires it becomes a candidate, increments the term and requests votes. Every server
casts one vote per term, first come first served, and a candidate needs a majority of the cluster,
so two candidates can't both win the same term because two majorities always overlap.`

const (
	guild   = "100000000000000001"
	channel = "100000000000000002"
)

var (
	alice = discordtest.Invoker{UserID: "200000000000000001", Username: "alice", GuildID: guild, ChannelID: channel}
	bob   = discordtest.Invoker{UserID: "200000000000000002", Username: "bob", GuildID: guild, ChannelID: channel}
)

// dm is who in their DM channel with the bot.
func dm(srv *discordtest.Server, who discordtest.Invoker) discordtest.Invoker {
	who.GuildID, who.ChannelID = "", srv.DM(who.UserID)
	return who
}

// in is who in channel (a thread, say) of the test guild.
func in(who discordtest.Invoker, channel string) discordtest.Invoker {
	who.ChannelID = channel
	return who
}

// testWriter sends the adapter's log to the test's.
type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

// env is the real core on a real bbolt file and the real adapter, against the fake Discord.
type env struct {
	t     *testing.T
	srv   *discordtest.Server
	clock *bottest.Clock
	path  string
	bank  *bot.Bank
	cfg   discord.Config
	trans bot.Transcriber
	// grader replaces the rubric when set.
	grader bot.Grader

	store  *store.Store
	bot    *bot.Bot
	cancel context.CancelFunc
	done   chan error
}

func loadBank(t testing.TB) *bot.Bank { return bottest.Bank(t) }

// newEnv starts a fake Discord and, after configure, the bot and the adapter.
func newEnv(t *testing.T, configure func(*env)) *env {
	t.Helper()
	srv := discordtest.New(token)
	t.Cleanup(srv.Close)
	srv.AddChannel(guild, channel)
	e := &env{t: t, srv: srv, clock: bottest.NewClock(t0), path: filepath.Join(t.TempDir(), "quorum.db"), bank: loadBank(t),
		cfg: discord.Config{Token: token, BaseURL: srv.URL, Logger: slog.New(slog.NewTextHandler(testWriter{t}, nil))}}
	if configure != nil {
		configure(e)
	}
	e.start()
	return e
}

// start opens the store, a new Bot and a new adapter, as a process start would, and
// waits until the adapter has connected and registered its commands.
func (e *env) start() {
	e.t.Helper()
	st, err := store.Open(e.path, 0)
	if err != nil {
		e.t.Fatal(err)
	}
	e.store = st
	var grader bot.Grader = rubric.New(rubric.Options{})
	if e.grader != nil {
		grader = e.grader
	}
	e.bot = bot.New(bot.Config{Bank: e.bank, Grader: grader, Store: st, Clock: e.clock,
		Grace: 10 * time.Second, Rand: rand.New(rand.NewPCG(1, 2)), Transcriber: e.trans})
	ad, err := discord.New(e.cfg)
	if err != nil {
		e.t.Fatal(err)
	}
	e.bot.AddPlatform(ad)
	if err := e.bot.Start(context.Background()); err != nil {
		e.t.Fatal(err)
	}
	identified, resumed, _ := e.srv.Handshakes()
	ctx, cancel := context.WithCancel(context.Background())
	e.cancel, e.done = cancel, make(chan error, 1)
	go func() { e.done <- ad.Run(ctx, e.bot) }()
	e.t.Cleanup(e.stop)
	e.srv.WaitFor(e.t, "the adapter to connect and register commands", func() bool {
		i, r, _ := e.srv.Handshakes()
		return i+r > identified+resumed && e.srv.Connected() && len(e.srv.Commands(first(e.cfg.GuildIDs))) > 0
	})
}

// restartAndResend restarts after d, as after a kill, and waits until the one message
// whose send the kill cut short has been sent again, Discord answering with the message
// posted before (its nonce).
func (e *env) restartAndResend(d time.Duration) {
	e.t.Helper()
	e.stop()
	e.clock.Advance(d)
	e.start()
	e.srv.WaitFor(e.t, "the message sent again", func() bool { return e.srv.Deduped() == 1 })
	e.bot.Idle()
}

func first(xs []string) string {
	if len(xs) == 0 {
		return ""
	}
	return xs[0]
}

// stop ends Run, the bot and the store, as a process exit would.
func (e *env) stop() {
	if e.store == nil {
		return
	}
	e.cancel()
	select {
	case err := <-e.done:
		if err != nil {
			e.t.Errorf("Run: %v", err)
		}
	case <-time.After(10 * time.Second):
		e.t.Errorf("Run did not return within 10s of its context ending")
	}
	e.bot.Close()
	e.store.Close()
	e.store = nil
}

func (e *env) attempts(who discordtest.Invoker) []*bot.Attempt {
	e.t.Helper()
	as, err := e.store.Attempts(context.Background(), "discord:"+who.UserID)
	if err != nil {
		e.t.Fatal(err)
	}
	return as
}

// question waits for the person's question to be asked in a thread the core knows.
func (e *env) question(who discordtest.Invoker) discordtest.Post {
	e.t.Helper()
	q := e.srv.NextPost(e.t, "the question", titled("Question:"))
	if who.GuildID == "" {
		return q
	}
	u := bot.User{Platform: "discord", ID: who.UserID}
	e.srv.WaitFor(e.t, "the question's thread", func() bool {
		s, ok := e.bot.OpenSession(u, bot.Conversation{Platform: "discord", ID: who.ChannelID})
		return ok && s.Conv.Thread == q.ID
	})
	return q
}

func inChannel(id string) func(discordtest.Post) bool {
	return func(p discordtest.Post) bool { return p.ChannelID == id }
}

func titled(prefix string) func(discordtest.Post) bool {
	return func(p discordtest.Post) bool {
		return len(p.Embeds) > 0 && strings.HasPrefix(p.Embeds[0].Title, prefix)
	}
}

func both(a, b func(discordtest.Post) bool) func(discordtest.Post) bool {
	return func(p discordtest.Post) bool { return a(p) && b(p) }
}

func checkVerdict(t *testing.T, p discordtest.Post, want string) {
	t.Helper()
	if len(p.Embeds) != 1 {
		t.Fatalf("got %d embeds, want 1: %+v", len(p.Embeds), p)
	}
	e := p.Embeds[0]
	if !strings.HasPrefix(e.Title, want+" · ") || !strings.HasSuffix(e.Title, "/100") {
		t.Fatalf("got verdict title %q, want %q · N/100", e.Title, want)
	}
	if color := map[string]int{"PASS": 0x2ECC71, "FAIL": 0xE74C3C}[want]; e.Color != color {
		t.Fatalf("got colour %#x, want %#x", e.Color, color)
	}
	var names []string
	for _, f := range e.Fields {
		names = append(names, f.Name)
	}
	for _, n := range []string{"Content", "Clarity", "Confidence", "Delivery", "Next step"} {
		if !strings.Contains(strings.Join(names, "|"), n) {
			t.Fatalf("verdict fields %v lack %q", names, n)
		}
	}
	for _, id := range []string{"quorum:model", "quorum:followup", "quorum:another"} {
		if _, ok := p.Button(id); !ok {
			t.Fatalf("verdict buttons %+v lack %s", p.Buttons, id)
		}
	}
}

// field returns the embed's field named name, or nil.
func field(e discordtest.Embed, name string) *discordtest.Field {
	for i := range e.Fields {
		if e.Fields[i].Name == name {
			return &e.Fields[i]
		}
	}
	return nil
}

func TestRegistersCommandsAndIntents(t *testing.T) {
	e := newEnv(t, func(e *env) { e.cfg.GuildIDs = []string{guild} })
	cmds := e.srv.Commands(guild)
	for _, name := range []string{"practice", "interview", "daily", "drill", "stats", "leaderboard", "resume", "forget", "export", "help"} {
		if cmds[name] == nil {
			t.Fatalf("command /%s not registered in the guild; got %v", name, cmds)
		}
	}
	if len(e.srv.Commands("")) != 0 {
		t.Fatal("commands registered globally although guild_ids is set")
	}
	if got := cmds["drill"]["default_member_permissions"]; got != "32" {
		t.Fatalf("got /drill default_member_permissions %v, want \"32\" (Manage Server)", got)
	}
	// Topics autocomplete, since they also take the bank's tags.
	opts := fmt.Sprint(cmds["practice"]["options"])
	for _, want := range []string{"autocomplete:true", "easy", "medium", "hard"} {
		if !strings.Contains(opts, want) {
			t.Fatalf("/practice options %s lack %q", opts, want)
		}
	}
	for _, name := range []string{"interview", "daily", "drill"} {
		if o := fmt.Sprint(cmds[name]["options"]); !strings.Contains(o, "name:topic") || !strings.Contains(o, "autocomplete:true") || strings.Contains(o, "value:consensus") {
			t.Fatalf("/%s options %s, want the topic autocompleted", name, o)
		}
	}
	if got, want := e.srv.Intents(), 1<<0|1<<9|1<<12|1<<15; got != want {
		t.Fatalf("got intents %b, want %b", got, want)
	}
	e.srv.Autocomplete(alice, "practice", discordtest.Option{Name: "topic", Type: 3, Value: "repl", Focused: true})
	e.srv.WaitFor(t, "the autocomplete answer", func() bool { return len(e.srv.Callbacks()) == 1 })
	cb := e.srv.Callbacks()[0]
	if cb.Type != 8 || fmt.Sprint(cb.Data["choices"]) != "[map[name:replication value:replication]]" {
		t.Fatalf("got %+v, want the topic replication offered", cb)
	}
	// Topics first, then tags; what was typed at the start before what holds it.
	e.srv.Autocomplete(alice, "practice", discordtest.Option{Name: "topic", Type: 3, Value: "r", Focused: true})
	e.srv.WaitFor(t, "the second autocomplete answer", func() bool { return len(e.srv.Callbacks()) == 2 })
	if got, want := choiceValues(e.srv.Callbacks()[1].Data), "replication raft leader-election quorum"; got != want {
		t.Fatalf("offered %q, want %q", got, want)
	}
}

// choiceValues lists the values of an autocomplete answer's choices.
func choiceValues(data map[string]any) string {
	var out []string
	list, _ := data["choices"].([]any)
	for _, c := range list {
		m, _ := c.(map[string]any)
		out = append(out, fmt.Sprint(m["value"]))
	}
	return strings.Join(out, " ")
}

func TestDMPracticeByText(t *testing.T) {
	e := newEnv(t, nil)
	a := dm(e.srv, alice)
	e.srv.Say(a, "practice consensus")
	q := e.srv.NextPost(t, "the question", inChannel(a.ChannelID))
	if q.Via != "message" || len(q.Embeds) != 1 || q.Embeds[0].Title != "Question: raft-election" {
		t.Fatalf("got %+v, want the raft-election question as a message", q)
	}
	if due := fmt.Sprintf("<t:%d:R>", t0.Add(3*time.Minute).Unix()); !strings.Contains(q.Embeds[0].Description, due) {
		t.Fatalf("question lacks its deadline %s:\n%s", due, q.Embeds[0].Description)
	}
	if _, ok := q.Button("quorum:skip"); !ok {
		t.Fatalf("question buttons %+v lack Skip", q.Buttons)
	}
	if len(e.srv.Threads()) != 0 {
		t.Fatal("a thread was opened in a DM")
	}
	e.clock.Advance(time.Minute)
	e.srv.Say(a, goodAnswer)
	v := e.srv.NextPost(t, "the verdict", inChannel(a.ChannelID))
	checkVerdict(t, v, "PASS")
	as := e.attempts(a)
	if len(as) != 1 || as[0].Outcome != bot.OutcomeGraded || !as[0].Pass {
		t.Fatalf("got attempts %+v, want one graded pass", as)
	}
	// Unknown words get the core's friendly reply.
	e.srv.Say(a, "flashcards")
	if p := e.srv.NextPost(t, "the reply", inChannel(a.ChannelID)); !strings.Contains(p.Content, `I don't know "flashcards"`) {
		t.Fatalf("got %q", p.Content)
	}
}

func TestPracticeInChannelAnswerInThread(t *testing.T) {
	e := newEnv(t, nil)
	it := e.srv.Slash(alice, "practice", discordtest.String("topic", "consensus"), discordtest.String("difficulty", "medium"))
	q := e.question(alice)
	cbs := e.srv.Callbacks()
	if len(cbs) != 1 || cbs[0].Interaction != it.Token || cbs[0].Type != 5 || cbs[0].Flags != 0 || cbs[0].After > 3*time.Second {
		t.Fatalf("got callbacks %+v, want one public deferral within 3s", cbs)
	}
	if q.Via != "original" || q.Interaction != it.Token || q.ChannelID != channel || !strings.Contains(q.Content, "<@"+alice.UserID+">") {
		t.Fatalf("got %+v, want the question as the command's response, mentioning alice", q)
	}
	for _, id := range []string{"quorum:answer", "quorum:skip"} {
		if _, ok := q.Button(id); !ok {
			t.Fatalf("question buttons %+v lack %s", q.Buttons, id)
		}
	}
	ths := e.srv.Threads()
	if len(ths) != 1 || ths[0].ID != q.ID || ths[0].ParentID != channel {
		t.Fatalf("got threads %+v, want one started from the question %s", ths, q.ID)
	}
	thread := ths[0].ID

	// Talk in the channel itself is not an answer, nor is someone else in the thread.
	e.srv.Say(alice, "I think the answer is that Raft uses terms.")
	e.srv.Say(in(bob, thread), "good luck alice")
	e.srv.Say(in(alice, thread), goodAnswer)
	v := e.srv.NextPost(t, "the verdict", titled("PASS"))
	if v.Via != "message" || v.ChannelID != thread {
		t.Fatalf("got the verdict %s in %s, want a message in the thread %s", v.Via, v.ChannelID, thread)
	}
	checkVerdict(t, v, "PASS")
	// The rubric grader's PASS lists the question's misconceptions to check, with corrections.
	if f := field(v.Embeds[0], bot.CommonMistakesTitle); f == nil || !strings.Contains(f.Value, "? Claims") || !strings.Contains(f.Value, "In fact: ") {
		t.Errorf("the PASS lacks the common mistakes with their corrections: %+v", f)
	}
	if as := e.attempts(alice); len(as) != 1 || !as[0].Pass {
		t.Fatalf("got attempts %+v, want one pass", as)
	}
	// Bob has no question, so the core tells him how to get one.
	p := e.srv.NextPost(t, "bob's reply", inChannel(thread))
	if !strings.Contains(p.Content, "practice") {
		t.Fatalf("got %q, want the core's reply to bob", p.Content)
	}
	for _, p := range e.srv.Untaken() {
		t.Errorf("unexpected post %+v", p)
	}
}

// transcriber is a fake bot.Transcriber that checks what it was sent.
type transcriber struct {
	want []byte
	text string
	dur  time.Duration

	mu    sync.Mutex
	names []string
}

func (f *transcriber) Transcribe(_ context.Context, name string, audio []byte) (bot.Transcript, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.names = append(f.names, name)
	if !bytes.Equal(audio, f.want) {
		return bot.Transcript{}, fmt.Errorf("got %d bytes, want the %d of the fixture", len(audio), len(f.want))
	}
	var words []bot.TimedWord
	at := 200 * time.Millisecond
	for _, w := range strings.Fields(f.text) {
		words = append(words, bot.TimedWord{Word: w, Start: at, End: at + 300*time.Millisecond})
		at += 400 * time.Millisecond
	}
	return bot.Transcript{Text: f.text, Duration: f.dur, Words: words}, nil
}

func TestVoiceMessageAnswer(t *testing.T) {
	ogg, err := os.ReadFile("../../testdata/audio/answer.ogg")
	if err != nil {
		t.Fatal(err)
	}
	m4a, err := os.ReadFile("../../testdata/audio/answer.m4a")
	if err != nil {
		t.Fatal(err)
	}
	tr := &transcriber{want: ogg, text: goodAnswer, dur: 40 * time.Second}
	e := newEnv(t, func(e *env) { e.trans = tr })
	a := dm(e.srv, alice)
	e.srv.Say(a, "practice consensus")
	e.question(a)

	// A clip longer than the limit is refused before it is downloaded.
	e.srv.Say(a, "", e.srv.Attach("long.m4a", "audio/mp4", m4a, 10*time.Minute))
	p := e.srv.NextPost(t, "the refusal", inChannel(a.ChannelID))
	if !strings.Contains(p.Content, "10m0s long") || len(e.srv.Downloads()) != 0 {
		t.Fatalf("got %q after %d downloads, want a refusal before any download", p.Content, len(e.srv.Downloads()))
	}

	e.srv.Voice(a, e.srv.Attach("voice-message.ogg", "audio/ogg", ogg, 40*time.Second))
	checkVerdict(t, e.srv.NextPost(t, "the verdict", inChannel(a.ChannelID)), "PASS")
	if len(tr.names) != 1 || tr.names[0] != "voice-message.ogg" {
		t.Fatalf("transcriber got %v, want voice-message.ogg", tr.names)
	}
	for _, h := range e.srv.Downloads() {
		if h.Get("Authorization") != "" {
			t.Fatal("the bot token was sent with an attachment download")
		}
	}
	as := e.attempts(a)
	if len(as) != 1 || !as[0].Pass || !strings.Contains(as[0].Answer, "majority") {
		t.Fatalf("got attempts %+v, want one pass with the transcript", as)
	}
}

func TestButtonsAndModal(t *testing.T) {
	e := newEnv(t, nil)
	e.srv.Slash(alice, "practice", discordtest.String("topic", "consensus"))
	q := e.question(alice)
	thread := q.ID

	it := e.srv.Press(alice, q.ID, "quorum:answer")
	e.srv.WaitFor(t, "the answer form", func() bool { return len(e.srv.Callbacks()) == 2 })
	cb := e.srv.Callbacks()[1]
	if cb.Interaction != it.Token || cb.Type != 9 || cb.Data["custom_id"] != "quorum:answer-modal" {
		t.Fatalf("got %+v, want the answer form (a modal)", cb)
	}
	e.srv.Submit(alice, q.ID, "quorum:answer-modal", map[string]string{"answer": goodAnswer})
	v := e.srv.NextPost(t, "the verdict", titled("PASS"))
	if v.ChannelID != thread || v.Flags != 0 {
		t.Fatalf("got the verdict in %s (flags %d), want it public in the thread %s", v.ChannelID, v.Flags, thread)
	}
	checkVerdict(t, v, "PASS")

	e.srv.Press(in(alice, thread), v.ID, "quorum:model")
	m := e.srv.NextPost(t, "the model answer", titled("Model answer"))
	if m.ChannelID != thread {
		t.Fatalf("got the model answer in %s, want the thread", m.ChannelID)
	}
	e.srv.Press(in(alice, thread), v.ID, "quorum:another")
	q2 := e.srv.NextPost(t, "another question", titled("Question:"))
	if q2.ChannelID != thread || q2.Embeds[0].Title != "Question: quorum-overlap" {
		t.Fatalf("got %q in %s, want the other question in the thread", q2.Embeds[0].Title, q2.ChannelID)
	}
	e.srv.Press(in(alice, thread), q2.ID, "quorum:skip")
	if s := e.srv.NextPost(t, "the skip", inChannel(thread)); !strings.HasPrefix(s.Content, "Skipped.") {
		t.Fatalf("got %q, want Skipped", s.Content)
	}
	for _, c := range e.srv.Callbacks()[2:] {
		if c.Type != 6 && c.Type != 9 {
			t.Fatalf("got callback type %d for a component, want 6 (deferred update)", c.Type)
		}
	}
	if as := e.attempts(alice); len(as) != 2 || !as[0].Pass || as[1].Outcome != bot.OutcomeSkipped {
		t.Fatalf("got attempts %+v, want a pass and a skip", as)
	}
}

// wrongAnswer states the lowest-id misconception; the rubric quotes its sentence.
const wrongAnswer = "The node with the lowest id becomes the leader, because it starts first.\tThe others just follow it."

// TestPrivateAnswerNotQuotedInThread: a verdict in the thread names the misconception of
// an answer given by the form, and its correction, without quoting what was typed.
func TestPrivateAnswerNotQuotedInThread(t *testing.T) {
	e := newEnv(t, nil)
	e.srv.Slash(alice, "practice", discordtest.String("topic", "consensus"))
	q := e.question(alice)
	e.srv.Submit(alice, q.ID, "quorum:answer-modal", map[string]string{"answer": wrongAnswer})
	v := e.srv.NextPost(t, "the verdict", titled("FAIL"))
	flags := field(v.Embeds[0], "Red flags")
	if v.ChannelID != q.ID || flags == nil {
		t.Fatalf("got the verdict in %s with red flags %v, want it in the thread %s with red flags", v.ChannelID, flags, q.ID)
	}
	if !strings.Contains(flags.Value, "lowest id") || !strings.Contains(flags.Value, "In fact: ") {
		t.Errorf("got red flags %q, want the misconception and its correction", flags.Value)
	}
	if text := v.Text(); strings.Contains(text, "starts first") || strings.Contains(text, "you said") {
		t.Errorf("the public verdict quotes the answer typed in the form:\n%s", text)
	}
	if as := e.attempts(alice); len(as) != 1 || as[0].Verdict == nil || len(as[0].Verdict.RedFlags) == 0 || as[0].Verdict.RedFlags[0].Quote == "" {
		t.Errorf("got attempts %+v, want the stored verdict to keep its quote", as)
	}

	// Typed in the thread, the answer is public already: its verdict quotes it.
	e.srv.Slash(alice, "practice", discordtest.String("topic", "consensus"))
	q2 := e.question(alice)
	e.srv.Say(in(alice, q2.ID), wrongAnswer)
	v2 := e.srv.NextPost(t, "the second verdict", titled("FAIL"))
	if f := field(v2.Embeds[0], "Red flags"); f == nil || !strings.Contains(f.Value, "you said") {
		t.Errorf("got red flags %v, want a quote of the answer typed in the thread", f)
	}
}

// TestRedFlagQuoteShortened: a quote too long for the red flags field is shortened at a
// word, so every flag's correction still shows; quotes and tabs in it show as typed.
func TestRedFlagQuoteShortened(t *testing.T) {
	said := "He said \"the node with the lowest id wins\",\tthen " + strings.Repeat("it simply keeps on leading ", 60)
	grader := bot.GraderFunc(func(_ context.Context, q *bot.Question, _ bot.Answer) (*bot.Verdict, error) {
		return &bot.Verdict{QuestionID: q.Ref(), Score: 10, Grader: bot.GraderLLM, RedFlags: []bot.Point{
			{ID: "lowest-id", Text: "Claims the node with the lowest id becomes leader.", Quote: said,
				Correction: "Whoever first collects a majority of votes wins; ids play no part."},
			{ID: "two-leaders", Text: "Claims two leaders can share a term.", Quote: `"both" lead`,
				Correction: "A term has at most one leader."},
		}}, nil
	})
	e := newEnv(t, func(e *env) { e.grader = grader })
	a := dm(e.srv, alice)
	e.srv.Say(a, "practice consensus")
	e.srv.NextPost(t, "the question", inChannel(a.ChannelID))
	e.srv.Say(a, "The node with the lowest id wins.")
	v := e.srv.NextPost(t, "the verdict", titled("FAIL"))
	f := field(v.Embeds[0], "Red flags")
	if f == nil {
		t.Fatalf("the verdict has no red flags field:\n%s", v.Text())
	}
	if n := utf8.RuneCountInString(f.Value); n > 1024 {
		t.Errorf("got a red flags field of %d runes, want at most 1024", n)
	}
	for _, want := range []string{
		"In fact: Whoever first collects a majority of votes wins; ids play no part.",
		"In fact: A term has at most one leader.",
		"(you said: “He said \"the node with the lowest id wins\", then it simply",
		"(you said: “\"both\" lead”)",
	} {
		if !strings.Contains(f.Value, want) {
			t.Errorf("red flags lack %q:\n%s", want, f.Value)
		}
	}
	_, quote, _ := strings.Cut(f.Value, "(you said: “")
	quote, _, cut := strings.Cut(quote, "…”)")
	if words := strings.Join(strings.Fields(said), " "); !cut || !strings.HasPrefix(words, quote+" ") {
		t.Errorf("got quote %q, want the start of what was said cut at a word and marked with …", quote)
	}
}

// TestQuestionWithoutThreadSaysWhereToAnswer: when the thread cannot be started (no
// Create Public Threads permission), a note under the question says that the channel is
// not read and the Answer privately button is the way to answer, and the form works.
// The question alone told people to reply in a thread that did not exist.
func TestQuestionWithoutThreadSaysWhereToAnswer(t *testing.T) {
	e := newEnv(t, nil)
	e.srv.RefuseThreads(true)
	e.srv.Slash(alice, "practice", discordtest.String("topic", "consensus"))
	q := e.srv.NextPost(t, "the question", titled("Question:"))
	note := e.srv.NextPost(t, "the note", func(p discordtest.Post) bool { return p.ReplyTo == q.ID })
	if note.ChannelID != channel || !strings.Contains(note.Content, "Answer privately") || !strings.Contains(note.Content, "not read") {
		t.Fatalf("got %+v, want a note in the channel under the question about the Answer privately button", note)
	}
	if len(e.srv.Threads()) != 0 {
		t.Fatalf("got threads %+v, want none", e.srv.Threads())
	}
	e.srv.Press(alice, q.ID, "quorum:answer")
	e.srv.WaitFor(t, "the answer form", func() bool { return len(e.srv.Callbacks()) == 2 })
	e.srv.Submit(alice, q.ID, "quorum:answer-modal", map[string]string{"answer": goodAnswer})
	checkVerdict(t, e.srv.NextPost(t, "the verdict", titled("PASS")), "PASS")
}

// TestTwoLongRedFlagQuotes: two flags that both quote long answers share the field and
// both keep their corrections; the last one was left out ("… and 1 more") because room
// for that note was kept after it too.
func TestTwoLongRedFlagQuotes(t *testing.T) {
	said := strings.Repeat("🙂 terms are *optional* and a_b ", 60)
	grader := bot.GraderFunc(func(_ context.Context, q *bot.Question, _ bot.Answer) (*bot.Verdict, error) {
		return &bot.Verdict{QuestionID: q.Ref(), Score: 10, Grader: bot.GraderLLM, RedFlags: []bot.Point{
			{ID: "lowest-id", Text: "Claims the node with the lowest id becomes leader.", Quote: said,
				Correction: "Whoever first collects a majority of votes wins; ids play no part."},
			{ID: "no-terms", Text: "Claims terms are not needed.", Quote: said,
				Correction: "Terms order leaders; a stale leader is found by its older term."},
		}}, nil
	})
	e := newEnv(t, func(e *env) { e.grader = grader })
	a := dm(e.srv, alice)
	e.srv.Say(a, "practice consensus")
	e.srv.NextPost(t, "the question", inChannel(a.ChannelID))
	e.srv.Say(a, "Terms are optional.")
	f := field(e.srv.NextPost(t, "the verdict", titled("FAIL")).Embeds[0], "Red flags")
	if f == nil {
		t.Fatal("the verdict has no red flags field")
	}
	if n := utf8.RuneCountInString(f.Value); n > 1024 {
		t.Errorf("got a red flags field of %d runes, want at most 1024", n)
	}
	for _, want := range []string{"ids play no part.", "found by its older term.", `🙂 terms are \*optional\* and a\_b`} {
		if !strings.Contains(f.Value, want) || strings.Contains(f.Value, "more") {
			t.Errorf("red flags lack %q or leave a flag out:\n%s", want, f.Value)
		}
	}
}

func TestEphemeralFeedback(t *testing.T) {
	e := newEnv(t, func(e *env) { e.cfg.EphemeralFeedback = true })
	it := e.srv.Slash(alice, "practice", discordtest.String("topic", "consensus"))
	q := e.question(alice)
	if q.Flags&discordtest.FlagEphemeral != 0 {
		t.Fatal("the question itself is ephemeral")
	}
	e.srv.Say(in(alice, q.ID), goodAnswer)
	v := e.srv.NextPost(t, "the verdict", titled("PASS"))
	if v.Via != "followup" || v.Interaction != it.Token || v.Flags&discordtest.FlagEphemeral == 0 {
		t.Fatalf("got the verdict via %s flags %d, want an ephemeral follow-up of /practice", v.Via, v.Flags)
	}
	note := e.srv.NextPost(t, "the public note", inChannel(q.ID))
	if !strings.Contains(note.Content, "privately") || strings.Contains(note.Content, "PASS") {
		t.Fatalf("got note %q, want a note without the verdict", note.Content)
	}

	// The answer form's verdict comes back ephemeral as its response.
	e.srv.Slash(alice, "practice", discordtest.String("topic", "replication"))
	q2 := e.question(alice)
	sub := e.srv.Submit(alice, q2.ID, "quorum:answer-modal", map[string]string{"answer": "Quorums overlap."})
	v2 := e.srv.NextPost(t, "the second verdict", titled("FAIL"))
	if v2.Via != "original" || v2.Interaction != sub.Token || v2.Flags&discordtest.FlagEphemeral == 0 {
		t.Fatalf("got the verdict via %s flags %d, want the form's ephemeral response", v2.Via, v2.Flags)
	}
	checkVerdict(t, v2, "FAIL")
	if !strings.Contains(v2.Text(), "Missed: ✗") {
		t.Fatalf("the FAIL verdict does not list missed points:\n%s", v2.Text())
	}

	// /stats in a channel answers only the person.
	st := e.srv.Slash(alice, "stats")
	p := e.srv.NextPost(t, "the stats", titled("Your progress"))
	if p.Interaction != st.Token || p.Flags&discordtest.FlagEphemeral == 0 || !strings.Contains(p.Embeds[0].Description, "```") {
		t.Fatalf("got %+v, want ephemeral stats with the table in a code block", p)
	}
}

func TestDrillNeedsManageServer(t *testing.T) {
	e := newEnv(t, nil)
	e.srv.Slash(bob, "drill", discordtest.Sub("list"))
	p := e.srv.NextPost(t, "the refusal", nil)
	if p.Via != "callback" || p.Flags&discordtest.FlagEphemeral == 0 || !strings.Contains(p.Content, "Manage Server") {
		t.Fatalf("got %+v, want an ephemeral refusal", p)
	}
	admin := bob
	admin.Permissions = 1 << 5
	e.srv.Slash(admin, "drill", discordtest.Sub("add", discordtest.String("cron", "0 10 * * 1-5"), discordtest.String("topic", "consensus")))
	p = e.srv.NextPost(t, "the core's reply", nil)
	if p.Via != "original" || !strings.Contains(p.Content, "Drill #1 `0 10 * * 1-5` UTC, consensus, answers for 1 hour added") {
		t.Fatalf("got %+v, want the drill added", p)
	}

	// 10:00: the question goes to the channel with a thread; each member answers there.
	e.clock.Advance(time.Hour)
	q := e.srv.NextPost(t, "the drill question", titled("Drill question"))
	ths := e.srv.Threads()
	if q.ChannelID != channel || len(ths) != 1 || ths[0].ID != q.ID {
		t.Fatalf("got question in %s and threads %+v, want a thread from it", q.ChannelID, ths)
	}
	// Words typed in Quorum's thread are checked against the member's roles over REST.
	e.srv.Say(in(alice, q.ID), "drill pause 1")
	if p := e.srv.NextPost(t, "the refusal", inChannel(q.ID)); !strings.Contains(p.Content, "Manage Server permission") {
		t.Fatalf("got %q, want the rule", p.Content)
	}
	e.srv.Grant(guild, alice.UserID, 1<<5)
	e.srv.Say(in(alice, q.ID), "drill list")
	if p := e.srv.NextPost(t, "the list", inChannel(q.ID)); !strings.Contains(p.Content+fmt.Sprint(p.Embeds), "#1 `0 10 * * 1-5`") {
		t.Fatalf("got %+v, want the drill listed", p)
	}
	e.srv.Say(in(alice, q.ID), goodAnswer)
	if v := e.srv.NextPost(t, "alice's verdict", both(inChannel(q.ID), titled("PASS"))); len(v.Buttons) != 0 {
		t.Fatalf("drill verdict offers %+v; the model answer must wait for the summary", v.Buttons)
	}
	// Bob answers by the form, so the thread doesn't see what he wrote.
	if _, ok := q.Button("quorum:answer"); !ok {
		t.Fatalf("drill question buttons %+v lack Answer privately", q.Buttons)
	}
	e.srv.Submit(bob, q.ID, "quorum:answer-modal", map[string]string{"answer": "The node with the lowest id wins, because it starts first."})
	bv := e.srv.NextPost(t, "bob's verdict", titled("FAIL"))
	if text := bv.Text(); bv.ChannelID == q.ID && strings.Contains(text, "starts first") {
		t.Errorf("bob's verdict in the thread quotes what he typed in the form:\n%s", text)
	}
	e.clock.Advance(time.Hour)
	sum := e.srv.NextPost(t, "the summary", inChannel(channel))
	text := sum.Content + fmt.Sprint(sum.Embeds)
	for _, want := range []string{"Drill closed: 2 answered, 1 passed", "alice: PASS", "bob: FAIL", "Leaderboard for this channel"} {
		if !strings.Contains(text, want) {
			t.Errorf("summary lacks %q: %s", want, text)
		}
	}
}

func TestTimeLimit(t *testing.T) {
	e := newEnv(t, nil)
	e.srv.Slash(alice, "practice", discordtest.String("topic", "replication"))
	q := e.question(alice)
	if due := fmt.Sprintf("<t:%d:R>", t0.Add(2*time.Minute).Unix()); !strings.Contains(q.Embeds[0].Description, due) {
		t.Fatalf("question lacks its deadline %s", due)
	}
	e.clock.Advance(2*time.Minute + 9*time.Second)
	if ps := e.srv.Untaken(); len(ps) != 0 {
		t.Fatalf("got %+v inside the grace period", ps)
	}
	e.clock.Advance(time.Second)
	p := e.srv.NextPost(t, "time's up", titled("Time's up"))
	if p.ChannelID != q.ID || !strings.Contains(p.Content, "<@"+alice.UserID+">") {
		t.Fatalf("got time's up in %s (%q), want it in the thread for alice", p.ChannelID, p.Content)
	}
	if as := e.attempts(alice); len(as) != 1 || as[0].Outcome != bot.OutcomeTimeout {
		t.Fatalf("got attempts %+v, want one timeout", as)
	}
}

func TestRateLimitAndLostResponse(t *testing.T) {
	e := newEnv(t, nil)
	a := dm(e.srv, alice)
	path := "/api/v9/channels/" + a.ChannelID + "/messages"
	e.srv.RateLimitNext("POST", path, 50*time.Millisecond)
	e.srv.Say(a, "help")
	e.srv.NextPost(t, "the help", titled("Quorum"))
	if n := e.srv.Attempts("POST", path); n != 2 {
		t.Fatalf("got %d attempts, want 2 (a 429, then the retry)", n)
	}
	e.srv.LoseNextResponse("POST", path)
	e.srv.Say(a, "stats")
	e.srv.NextPost(t, "the stats", titled("Your progress"))
	e.srv.WaitFor(t, "the retry with the same nonce", func() bool { return e.srv.Deduped() == 1 })
	if n := e.srv.Attempts("POST", path); n != 4 {
		t.Fatalf("got %d attempts, want 4 (a lost response, then the retry)", n)
	}
	if ps := e.srv.Posts(); len(ps) != 2 {
		t.Fatalf("got %d posts, want 2: each message once", len(ps))
	}
}

func TestGatewayDropResumes(t *testing.T) {
	e := newEnv(t, nil)
	a := dm(e.srv, alice)
	e.srv.Drop()
	e.srv.Say(a, "practice consensus") // sent while the connection is down: replayed on RESUME
	e.srv.NextPost(t, "the question after the resume", titled("Question:"))
	// discordgo's first heartbeat on a connection goes from its own goroutine, so it may
	// reach the fake just after the question's POST.
	e.srv.WaitFor(t, "a heartbeat", func() bool { _, _, hb := e.srv.Handshakes(); return hb > 0 })
	if i, r, _ := e.srv.Handshakes(); i != 1 || r != 1 {
		t.Fatalf("got %d identifies and %d resumes, want 1 identify and 1 resume", i, r)
	}
	e.srv.Say(a, goodAnswer)
	checkVerdict(t, e.srv.NextPost(t, "the verdict", inChannel(a.ChannelID)), "PASS")
}

func TestRestartWithOpenSession(t *testing.T) {
	e := newEnv(t, nil)
	e.srv.Slash(alice, "practice", discordtest.String("topic", "consensus"))
	q := e.question(alice)
	e.stop()

	e.start() // a new process: new bot, new adapter, same bbolt file, same Discord
	e.srv.Say(in(alice, q.ID), goodAnswer)
	v := e.srv.NextPost(t, "the verdict", titled("PASS"))
	if v.ChannelID != q.ID {
		t.Fatalf("got the verdict in %s, want the question's thread %s", v.ChannelID, q.ID)
	}
	if as := e.attempts(alice); len(as) != 1 || !as[0].Pass {
		t.Fatalf("got attempts %+v, want one pass", as)
	}
}

// TestRestartSendsUnconfirmedQuestionOnce: a process killed after posting a question
// but before recording its message id leaves a session whose question may or may not
// have reached the person. The next start sends it again with the same nonce, so Discord
// answers with the message posted before instead of posting it twice; a question that was
// the response to a slash command has no nonce and is not sent again.
func TestRestartSendsUnconfirmedQuestionOnce(t *testing.T) {
	e := newEnv(t, nil)
	a := dm(e.srv, alice)
	e.srv.Say(a, "practice consensus")
	q := e.srv.NextPost(t, "the question", inChannel(a.ChannelID))
	u := bot.User{Platform: "discord", ID: alice.UserID}
	conv := bot.Conversation{Platform: "discord", ID: a.ChannelID, DM: true}
	var s bot.Session
	e.srv.WaitFor(t, "the question's message id in the session", func() bool {
		s, _ = e.bot.OpenSession(u, conv)
		return s.MessageID == q.ID
	})
	if want := t0.Add(2 * time.Minute); !s.ResendBy.Equal(want) {
		t.Fatalf("session may be sent again until %s, want %s", s.ResendBy, want)
	}
	s.MessageID = "" // as a kill between the post and recording it leaves the store
	if err := e.store.SaveSession(context.Background(), &s, nil); err != nil {
		t.Fatal(err)
	}
	e.restartAndResend(20 * time.Second)
	if n := len(e.srv.PostsIn(a.ChannelID, 0)); n != 1 {
		t.Fatalf("%d posts in alice's DM, want the question once", n)
	}
	if s, _ := e.bot.OpenSession(u, conv); s.MessageID != q.ID {
		t.Fatalf("session's message id %q, want the question's %s again", s.MessageID, q.ID)
	}
	e.srv.Say(a, goodAnswer)
	checkVerdict(t, e.srv.NextPost(t, "the verdict", titled("PASS")), "PASS")

	// The response to /practice in a channel has no nonce: never sent again.
	e.srv.Slash(bob, "practice", discordtest.String("topic", "consensus"))
	e.question(bob)
	ub := bot.User{Platform: "discord", ID: bob.UserID}
	s, _ = e.bot.OpenSession(ub, bot.Conversation{Platform: "discord", ID: channel})
	if !s.ResendBy.IsZero() {
		t.Fatalf("a slash command's question may be sent again until %s, want never", s.ResendBy)
	}
	s.MessageID = ""
	if err := e.store.SaveSession(context.Background(), &s, nil); err != nil {
		t.Fatal(err)
	}
	posts := len(e.srv.Posts())
	e.stop()
	e.start()
	e.bot.Idle()
	if got := e.srv.Posts()[posts:]; len(got) != 0 {
		t.Fatalf("got %d new posts after the restart, want none: %+v", len(got), got)
	}
}

// TestRestartSendsVerdictOnce: a verdict carries a nonce made from its attempt, so one
// left in the outbox by a kill after its post is sent again at the restart and Discord
// answers with the message posted before.
func TestRestartSendsVerdictOnce(t *testing.T) {
	e := newEnv(t, nil)
	a := dm(e.srv, alice)
	e.srv.Say(a, "practice consensus")
	e.srv.NextPost(t, "the question", inChannel(a.ChannelID))
	e.srv.Say(a, goodAnswer)
	e.killedBeforeTakenOut(t, a, e.srv.NextPost(t, "the verdict", titled("PASS")), bot.OutcomeGraded)
}

// killedBeforeTakenOut checks that posted, the message closing the last attempt of the
// person in DM a (of outcome), carries a nonce and is taken out of the outbox once
// sent. It then puts the attempt back in the outbox, as a kill after the post and before
// that leaves it, restarts, and checks that the message is sent again and Discord
// answers with the earlier post.
func (e *env) killedBeforeTakenOut(t *testing.T, a discordtest.Invoker, posted discordtest.Post, outcome string) {
	t.Helper()
	if posted.Nonce == "" {
		t.Fatalf("the message %s has no nonce", posted.ID)
	}
	e.srv.WaitFor(t, "the message taken out of the outbox", func() bool {
		ds, _ := e.store.Undelivered(context.Background())
		return len(ds) == 0
	})
	as := e.attempts(a)
	last := as[len(as)-1]
	if last.Outcome != outcome {
		t.Fatalf("last attempt %+v, want outcome %s", last, outcome)
	}
	last.Deliver = &bot.Delivery{User: bot.User{Platform: "discord", ID: a.UserID}, Conv: bot.Conversation{Platform: "discord", ID: a.ChannelID, DM: true},
		By: e.clock.Now().Add(2 * time.Minute)}
	if err := e.store.FinishSession(context.Background(), 0, last); err != nil {
		t.Fatal(err)
	}
	posts, deduped := len(e.srv.PostsIn(a.ChannelID, 0)), e.srv.Deduped()
	e.stop()
	e.start()
	e.srv.WaitFor(t, "the message sent again", func() bool { return e.srv.Deduped() == deduped+1 })
	e.bot.Idle()
	if n := len(e.srv.PostsIn(a.ChannelID, 0)); n != posts {
		t.Fatalf("%d posts in the DM after the restart, want %d", n, posts)
	}
	if ds, _ := e.store.Undelivered(context.Background()); len(ds) != 0 {
		t.Fatalf("outbox still holds %+v", ds)
	}
}

// TestRestartSendsTimeUpOnce: the note that closes an unanswered question carries a
// nonce made from its attempt too, so one left in the outbox by a kill after its post is
// sent again at the restart and Discord answers with the message posted before.
func TestRestartSendsTimeUpOnce(t *testing.T) {
	e := newEnv(t, nil)
	a := dm(e.srv, alice)
	e.srv.Say(a, "practice consensus")
	e.srv.NextPost(t, "the question", inChannel(a.ChannelID))
	e.clock.Advance(4 * time.Minute)
	e.killedBeforeTakenOut(t, a, e.srv.NextPost(t, "the time's-up note", titled("Time's up")), bot.OutcomeTimeout)
}

// TestDrillCutOffMidSendIsPostedOnce: a channel drill's question carries a nonce made
// from the drill and the run. A process killed after posting it, before recording it,
// leaves the run claimed with no message; the next start sends it again, Discord answers
// with the message posted before, and starting its thread again finds the thread there:
// one question, one thread, and answers in it are graded.
func TestDrillCutOffMidSendIsPostedOnce(t *testing.T) {
	e := newEnv(t, nil)
	admin := bob
	admin.Permissions = 1 << 5
	e.srv.Slash(admin, "drill", discordtest.Sub("add", discordtest.String("cron", "0 10 * * *"), discordtest.String("topic", "consensus")))
	e.srv.NextPost(t, "the drill added", nil)
	e.clock.Advance(time.Hour)
	q := e.srv.NextPost(t, "the drill question", titled("Drill question"))
	e.srv.WaitFor(t, "the run's thread recorded", func() bool {
		runs, _ := e.store.DrillRuns(context.Background(), nil)
		return len(runs) == 1 && runs[0].Conv.Thread == q.ID
	})
	runs, _ := e.store.DrillRuns(context.Background(), nil)
	r := runs[0]
	r.MessageID, r.Conv.Thread = "", "" // as the run was first claimed
	if err := e.store.SaveDrillRun(context.Background(), r); err != nil {
		t.Fatal(err)
	}
	e.restartAndResend(20 * time.Second)
	n := 0
	for _, p := range e.srv.PostsIn(channel, 0) {
		if titled("Drill question")(p) {
			n++
		}
	}
	if ths := e.srv.Threads(); n != 1 || len(ths) != 1 || ths[0].ID != q.ID {
		t.Fatalf("%d drill questions and threads %+v, want one of each", n, ths)
	}
	e.srv.Say(in(alice, q.ID), goodAnswer)
	e.srv.NextPost(t, "alice's verdict in the thread", both(inChannel(q.ID), titled("PASS")))
}

func TestBadToken(t *testing.T) {
	srv := discordtest.New(token)
	defer srv.Close()
	ad, err := discord.New(discord.Config{Token: "not-the-token", BaseURL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	start := time.Now()
	err = ad.Run(ctx, bot.New(bot.Config{Bank: loadBank(t)}))
	if err == nil || err.Error() != "discord: the bot token was rejected; check discord.token" || strings.Contains(err.Error(), "\n") {
		t.Fatalf("got %v, want the one-line token error", err)
	}
	if time.Since(start) > 2*time.Second || srv.Attempts("GET", "/api/v9/users/@me") != 1 {
		t.Fatalf("took %v and %d tries, want one quick try", time.Since(start), srv.Attempts("GET", "/api/v9/users/@me"))
	}
	if i, _, _ := srv.Handshakes(); i != 0 {
		t.Fatal("identified on the gateway with a rejected token")
	}
}

func TestWithoutMessageContentIntent(t *testing.T) {
	e := newEnv(t, func(e *env) { e.srv.DenyMessageContent = true })
	if got, want := e.srv.Intents(), 1<<0|1<<9|1<<12; got != want {
		t.Fatalf("got intents %b, want %b (without Message Content)", got, want)
	}
	e.srv.Slash(alice, "help")
	if p := e.srv.NextPost(t, "the help", titled("Quorum")); p.Flags&discordtest.FlagEphemeral == 0 {
		t.Fatal("help in a channel was not ephemeral")
	}
}

// TestBurstsReuseConnections: 40 people ask for help at once, three times over. The
// replies of later bursts go out on the connections the first one opened: the adapter keeps
// enough idle connections to Discord's API, where the standard transport keeps 2 and dials
// (in production, TLS-handshakes) some 36 new ones for every burst.
func TestBurstsReuseConnections(t *testing.T) {
	e := newEnv(t, nil)
	people := make([]discordtest.Invoker, 40)
	for i := range people {
		id := strconv.Itoa(300000000000000000 + i)
		people[i] = dm(e.srv, discordtest.Invoker{UserID: id, Username: "u" + id})
	}
	start := e.srv.Connections()
	for range 3 {
		before := len(e.srv.Posts())
		for _, p := range people {
			go e.srv.Say(p, "help")
		}
		e.srv.WaitFor(t, "40 replies", func() bool { return len(e.srv.Posts()) >= before+len(people) })
		e.srv.WaitFor(t, "the replies' connections to go idle", func() bool { return e.srv.ActiveConnections() == 0 })
		time.Sleep(50 * time.Millisecond) // the client pools a connection once it has read the reply
	}
	// At most one connection per reply in flight at once, then reuse: never more than 40.
	if opened := e.srv.Connections() - start; opened > int64(len(people)) {
		t.Errorf("3 bursts of 40 replies opened %d connections; want at most 40, the rest reused", opened)
	}
}

// TestRedeliveryWindowKinds: the messages a restart may send again under their key are
// the ones posted with a nonce: questions, verdicts, reports and time's-up notes.
func TestRedeliveryWindowKinds(t *testing.T) {
	ad, err := discord.New(discord.Config{Token: token, BaseURL: "http://127.0.0.1:1"})
	if err != nil {
		t.Fatal(err)
	}
	conv := bot.Conversation{Platform: "discord", ID: "1", DM: true}
	for kind, want := range map[bot.MessageKind]bool{bot.MsgQuestion: true, bot.MsgVerdict: true, bot.MsgReport: true, bot.MsgTimeUp: true, bot.MsgInfo: false, bot.MsgError: false} {
		if got := ad.RedeliveryWindow(context.Background(), bot.Message{Kind: kind, Conv: conv}) > 0; got != want {
			t.Errorf("kind %v: window %v, want %v", kind, got, want)
		}
	}
}

// TestRepeatedMessageHandledOnce: a MESSAGE_CREATE dispatched twice is one answer, read
// neither as a second answer nor, after the verdict, as a command.
func TestRepeatedMessageHandledOnce(t *testing.T) {
	e := newEnv(t, nil)
	a := dm(e.srv, alice)
	e.srv.Say(a, "practice consensus")
	e.srv.NextPost(t, "the question", inChannel(a.ChannelID))
	answer := e.srv.Say(a, goodAnswer)
	e.srv.Repeat(answer) // while the first is being graded
	checkVerdict(t, e.srv.NextPost(t, "the verdict", inChannel(a.ChannelID)), "PASS")
	e.srv.Repeat(answer) // after the verdict
	e.srv.Say(a, "help")
	if p := e.srv.NextPost(t, "the help", inChannel(a.ChannelID)); !strings.Contains(p.Text(), "practice") {
		t.Errorf("got %q after the copies, want the help", p.Text())
	}
	e.stop() // waits for every event being handled
	var texts []string
	for _, p := range e.srv.PostsIn(a.ChannelID, 0) {
		texts = append(texts, strings.TrimSpace(firstLineOf(p.Text())))
	}
	if len(texts) != 3 {
		t.Errorf("got %d messages %q, want 3: the question, one verdict, the help", len(texts), texts)
	}
}

func firstLineOf(s string) string {
	l, _, _ := strings.Cut(strings.TrimSpace(s), "\n")
	return l
}

// TestUnreachableServerNamed: when nothing answers at base_url, Run's error names that
// address and the failure, not discord.com, which discordgo's URLs carry but Quorum never
// dialled.
func TestUnreachableServerNamed(t *testing.T) {
	ad, err := discord.New(discord.Config{Token: token, BaseURL: "http://127.0.0.1:1"})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err = ad.Run(ctx, nil)
	if err == nil {
		t.Fatal("Run with nothing listening returned nil")
	}
	msg := err.Error()
	if !strings.Contains(msg, "http://127.0.0.1:1") || strings.Contains(msg, "discord.com") || !strings.Contains(msg, "refused") {
		t.Errorf("got %q, want it to name http://127.0.0.1:1 and the refusal, not discord.com", msg)
	}
}
