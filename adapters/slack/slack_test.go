package slack_test

import (
	"bytes"
	"context"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/quorum-dev/quorum/adapters/slack"
	"github.com/quorum-dev/quorum/adapters/slack/slacktest"
	"github.com/quorum-dev/quorum/bot"
	"github.com/quorum-dev/quorum/bot/bottest"
	"github.com/quorum-dev/quorum/bot/rubric"
	"github.com/quorum-dev/quorum/store"
)

const goodAnswer = `Raft divides time into terms, and each term has at most one leader. When a follower's randomized
election timeout fires it becomes a candidate, increments the term and requests votes. Every server
casts one vote per term, first come first served, and a candidate needs a majority of the cluster,
so two candidates can't both win the same term because two majorities always overlap.`

const wrongAnswer = `The node with the lowest id becomes the leader, because it starts first. The others just follow it.`

// harness is the real adapter and the real core (rubric grader, bbolt store) against the fake Slack.
type harness struct {
	t     *testing.T
	srv   *slacktest.Server
	bot   *bot.Bot
	clock *bottest.Clock
	logs  *bottest.Buffer
}

type options struct {
	ephemeral   bool
	transcriber bot.Transcriber
	// drillPrivate and managers configure channel drills.
	drillPrivate bool
	managers     string
}

func loadBank(t testing.TB) *bot.Bank { return bottest.Bank(t) }

func newHarness(t *testing.T, o options) *harness {
	t.Helper()
	h := &harness{t: t, srv: slacktest.New(t), clock: bottest.NewClock(time.Now()), logs: &bottest.Buffer{}}
	logger := slog.New(slog.NewTextHandler(h.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	st, err := store.Open(filepath.Join(t.TempDir(), "quorum.db"), time.Second)
	if err != nil {
		t.Fatal(err)
	}
	h.bot = bot.New(bot.Config{
		Bank: loadBank(t), Grader: rubric.New(rubric.Options{}), Store: st, Clock: h.clock, Logger: logger,
		Grace: 10 * time.Second, Rand: rand.New(rand.NewPCG(1, 2)), Transcriber: o.transcriber,
		DrillFeedbackPrivate: o.drillPrivate,
	})
	ad, err := slack.New(slack.Config{
		AppToken: slacktest.AppToken, BotToken: slacktest.BotToken, APIURL: h.srv.APIURL(),
		EphemeralFeedback: o.ephemeral, ManagerGroup: o.managers, Logger: logger,
	})
	if err != nil {
		t.Fatal(err)
	}
	h.bot.AddPlatform(ad)
	ctx, cancel := context.WithCancel(context.Background())
	if err := h.bot.Start(ctx); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- ad.Run(ctx, h.bot) }()
	t.Cleanup(func() {
		h.srv.CheckAcks(t, 3*time.Second)
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Run returned %v, want nil after ctx ends", err)
			}
		case <-time.After(5 * time.Second):
			t.Errorf("Run did not return within 5s of ctx ending")
		}
		h.bot.Close()
		st.Close()
		logs := h.logs.String()
		for _, secret := range []string{slacktest.BotToken, slacktest.AppToken, "randomized", "lowest id"} {
			if strings.Contains(logs, secret) {
				t.Errorf("logs contain %q:\n%s", secret, logs)
			}
		}
	})
	h.srv.WaitConnected(t, 1)
	return h
}

// asked waits until the core has recorded the thread of user's question in channel, as
// it does when the post returns; a person can only reply once they see the question.
func (h *harness) asked(user, channel, thread string) {
	h.t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		s, ok := h.bot.OpenSession(bot.User{Platform: slack.Name, ID: user}, bot.Conversation{Platform: slack.Name, ID: channel})
		if ok && s.Conv.Thread == thread {
			return
		}
		if time.Now().After(deadline) {
			h.t.Fatalf("the question in %s never got thread %s (session %v: %+v)", channel, thread, ok, s.Conv)
		}
		time.Sleep(time.Millisecond)
	}
}

// header returns the text of the first header block.
func header(c slacktest.Call) string {
	for _, b := range c.Blocks() {
		if b["type"] == "header" {
			if txt, ok := b["text"].(map[string]any); ok {
				s, _ := txt["text"].(string)
				return s
			}
		}
	}
	return ""
}

// buttons returns the action ids of the buttons on a message or view.
func buttons(c slacktest.Call) []string {
	var ids []string
	for _, b := range c.Blocks() {
		if b["type"] != "actions" {
			continue
		}
		for _, e := range b["elements"].([]any) {
			ids = append(ids, e.(map[string]any)["action_id"].(string))
		}
	}
	return ids
}

// allText is every text in a message's blocks, for looking things up.
func allText(c slacktest.Call) string {
	var sb strings.Builder
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			if s, ok := x["text"].(string); ok {
				sb.WriteString(s + "\n")
			}
			for _, y := range x {
				walk(y)
			}
		case []any:
			for _, y := range x {
				walk(y)
			}
		}
	}
	for _, b := range c.Blocks() {
		walk(b)
	}
	return sb.String()
}

func in(channel, thread string) func(slacktest.Call) bool {
	return func(c slacktest.Call) bool { return c.Param("channel") == channel && c.Param("thread_ts") == thread }
}

func wantButtons(t *testing.T, c slacktest.Call, want ...string) {
	t.Helper()
	if got := buttons(c); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("got buttons %v, want %v", got, want)
	}
}

func wantVerdict(t *testing.T, c slacktest.Call, word string) {
	t.Helper()
	if h := header(c); !strings.HasPrefix(h, word+" · ") || !strings.HasSuffix(h, "/100") {
		t.Fatalf("got verdict header %q, want %q · NN/100", h, word)
	}
	text := allText(c)
	for _, want := range []string{"*Content*", "*Clarity*", "*Confidence*", "*Delivery*"} {
		if !strings.Contains(text, want) {
			t.Errorf("verdict lacks the %s dimension:\n%s", want, text)
		}
	}
	wantButtons(t, c, "quorum_model", "quorum_followup", "quorum_another")
	if !strings.HasPrefix(c.Param("text"), word+" · ") {
		t.Errorf("got fallback text %q, want it to start with %q", firstLine(c.Param("text")), word)
	}
}

func firstLine(s string) string { l, _, _ := strings.Cut(s, "\n"); return l }

func TestChannelPracticeAnswerInThread(t *testing.T) {
	h := newHarness(t, options{})
	env := h.srv.WaitAck(t, h.srv.Slash("U1", "C1", "practice consensus"))
	if len(env.AckPayload) > 0 && string(env.AckPayload) != "null" {
		t.Errorf("got ack payload %s, want an empty ack", env.AckPayload)
	}

	q := h.srv.Wait(t, "chat.postMessage", in("C1", ""))
	if got := header(q); got != "Question: raft-election" {
		t.Errorf("got question header %q, want %q", got, "Question: raft-election")
	}
	if !strings.Contains(allText(q), "How does Raft elect a leader") || !strings.Contains(allText(q), "<!date^") {
		t.Errorf("question lacks the prompt or the deadline:\n%s", allText(q))
	}
	wantButtons(t, q, "quorum_skip", "quorum_answer_privately")
	h.asked("U1", "C1", q.TS)

	// Someone else in the thread, and the asker elsewhere in the channel, are not answers.
	h.srv.WaitAck(t, first(h.srv.Post(slacktest.Message{User: "U2", Channel: "C1", ThreadTS: q.TS, Text: "practice"})))
	h.srv.WaitAck(t, first(h.srv.Post(slacktest.Message{User: "U1", Channel: "C1", Text: "brb, coffee"})))
	h.srv.WaitAck(t, first(h.srv.Post(slacktest.Message{User: "U1", Channel: "C1", ThreadTS: "1.000001", Text: "another thread"})))

	h.srv.Post(slacktest.Message{User: "U1", Channel: "C1", ThreadTS: q.TS, Text: goodAnswer})
	v := h.srv.Wait(t, "chat.postMessage", in("C1", q.TS))
	wantVerdict(t, v, "PASS")
	if text := allText(v); !strings.Contains(text, "*Covered*") || !strings.Contains(text, "✓ Terms act as a logical clock") {
		t.Errorf("verdict lacks the covered points:\n%s", text)
	}
	// The rubric grader's PASS lists the question's misconceptions to check, with corrections.
	if text := allText(v); !strings.Contains(text, "*"+bot.CommonMistakesTitle+"*") || !strings.Contains(text, "? Claims") || !strings.Contains(text, "In fact:") {
		t.Errorf("the PASS lacks the common mistakes with their corrections:\n%s", text)
	}
	if n := len(h.srv.Calls("chat.postMessage")); n != 2 {
		t.Errorf("got %d messages posted, want 2 (the question and the verdict)", n)
	}

	// A wrong answer to the next question gets a FAIL with the missed points and the red flag.
	h.srv.Slash("U1", "C1", "practice consensus")
	q2 := h.srv.Wait(t, "chat.postMessage", in("C1", ""))
	h.asked("U1", "C1", q2.TS)
	h.srv.Post(slacktest.Message{User: "U1", Channel: "C1", ThreadTS: q2.TS, Text: wrongAnswer})
	v2 := h.srv.Wait(t, "chat.postMessage", in("C1", q2.TS))
	wantVerdict(t, v2, "FAIL")
	if text := allText(v2); !strings.Contains(text, "*Missed*") || !strings.Contains(text, "*Red flags*") || !strings.Contains(text, "In fact:") {
		t.Errorf("FAIL verdict lacks missed points or the red flag's correction:\n%s", text)
	}
	if text := allText(v2); strings.Contains(text, bot.CommonMistakesTitle) {
		t.Errorf("a FAIL lists common mistakes as well as the red flag it found:\n%s", text)
	}
}

func first(a, _ string) string { return a }

func TestDMPracticeAndWords(t *testing.T) {
	h := newHarness(t, options{})
	dm := slacktest.Message{User: "U1", Channel: "DU1", ChannelType: "im"}

	say := func(text string) slacktest.Call {
		t.Helper()
		m := dm
		m.Text = text
		h.srv.Post(m)
		return h.srv.Wait(t, "chat.postMessage", in("DU1", ""))
	}
	if c := say("help"); header(c) != "Quorum" || !strings.Contains(allText(c), "practice [topic]") {
		t.Errorf("help: got header %q and text %q", header(c), allText(c))
	}
	if c := say("dance"); !strings.Contains(c.Param("text"), `I don't know "dance"`) {
		t.Errorf("unknown word: got %q", c.Param("text"))
	}
	q := say("practice consensus")
	if header(q) != "Question: raft-election" {
		t.Fatalf("got %q, want the question", header(q))
	}
	wantButtons(t, q, "quorum_skip") // no "Answer privately" in a DM: it is private already
	v := say(goodAnswer)
	wantVerdict(t, v, "PASS")

	// The slash command's words are the same, in the DM and in a channel.
	h.srv.Slash("U1", "DU1", "stats")
	if c := h.srv.Wait(t, "chat.postMessage", in("DU1", "")); !strings.Contains(allText(c), "1 attempt, 1 passed") {
		t.Errorf("stats: got %q", allText(c))
	}
	h.srv.Slash("U1", "C1", "")
	if c := h.srv.Wait(t, "chat.postMessage", in("C1", "")); header(c) != "Quorum" {
		t.Errorf("/quorum alone: got header %q, want the help", header(c))
	}
	h.srv.Slash("U1", "C1", "frobnicate")
	if c := h.srv.Wait(t, "chat.postMessage", in("C1", "")); !strings.Contains(c.Param("text"), `I don't know "frobnicate"`) {
		t.Errorf("/quorum frobnicate: got %q", c.Param("text"))
	}
}

// transcriber is a fake bot.Transcriber that holds each call until released.
type transcriber struct {
	called  chan string
	release chan struct{}
	mu      sync.Mutex
	audio   []byte
}

func (tr *transcriber) Transcribe(ctx context.Context, name string, audio []byte) (bot.Transcript, error) {
	tr.mu.Lock()
	tr.audio = audio
	tr.mu.Unlock()
	tr.called <- name
	select {
	case <-tr.release:
	case <-ctx.Done():
		return bot.Transcript{}, ctx.Err()
	}
	return bot.Transcript{Text: goodAnswer, Duration: 45 * time.Second}, nil
}

func TestAudioClipAnswer(t *testing.T) {
	tr := &transcriber{called: make(chan string, 1), release: make(chan struct{})}
	h := newHarness(t, options{transcriber: tr})
	clip, err := os.ReadFile("../../testdata/audio/answer.m4a")
	if err != nil {
		t.Fatal(err)
	}
	h.srv.Post(slacktest.Message{User: "U1", Channel: "DU1", ChannelType: "im", Text: "practice consensus"})
	h.srv.Wait(t, "chat.postMessage", in("DU1", ""))

	// A clip longer than the time limit and grace is refused before it is downloaded.
	long := h.srv.AddFile(slacktest.File{ID: "FLONG", Name: "Audio Clip.mp4", Mimetype: "audio/mp4", Data: clip, DurationMS: 600_000})
	h.srv.Post(slacktest.Message{User: "U1", Channel: "DU1", ChannelType: "im", Files: []map[string]any{long}})
	if c := h.srv.Wait(t, "chat.postMessage", in("DU1", "")); !strings.Contains(c.Param("text"), "10m0s long") {
		t.Errorf("long clip: got %q", c.Param("text"))
	}
	if n := h.srv.Downloads(); n != 0 {
		t.Errorf("got %d downloads of a too-long clip, want 0", n)
	}

	// Slack's clips are audio/mp4; the transcriber gets them as .m4a, downloaded with the bot token.
	f := h.srv.AddFile(slacktest.File{ID: "F1", Name: "Audio Clip.mp4", Mimetype: "audio/mp4", Data: clip, DurationMS: 45_000})
	id, _ := h.srv.Post(slacktest.Message{User: "U1", Channel: "DU1", ChannelType: "im", Files: []map[string]any{f}})
	select {
	case name := <-tr.called:
		if name != "Audio Clip.m4a" {
			t.Errorf("transcriber got %q, want %q", name, "Audio Clip.m4a")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the clip never reached the transcriber")
	}
	// Transcription is still running, and the envelope is acked already.
	if env := h.srv.WaitAck(t, id); env.Latency() > 3*time.Second {
		t.Errorf("clip envelope acked after %s", env.Latency())
	}
	close(tr.release)
	wantVerdict(t, h.srv.Wait(t, "chat.postMessage", in("DU1", "")), "PASS")
	tr.mu.Lock()
	same := bytes.Equal(tr.audio, clip)
	tr.mu.Unlock()
	if !same {
		t.Errorf("transcriber got %d bytes, want the %d of answer.m4a", len(tr.audio), len(clip))
	}
	dl := h.srv.Calls("files-pri")
	if len(dl) != 1 || dl[0].Token != slacktest.BotToken || dl[0].Error != "" {
		t.Errorf("got downloads %+v, want one with the bot token", dl)
	}

	// A picture is not an answer.
	img := h.srv.AddFile(slacktest.File{ID: "F2", Name: "diagram.png", Mimetype: "image/png", Data: []byte("png")})
	h.srv.Post(slacktest.Message{User: "U1", Channel: "DU1", ChannelType: "im", Files: []map[string]any{img}})
	if c := h.srv.Wait(t, "chat.postMessage", in("DU1", "")); !strings.Contains(c.Param("text"), "audio or video clips") {
		t.Errorf("picture: got %q", c.Param("text"))
	}
}

func TestButtonsAndPrivateAnswer(t *testing.T) {
	h := newHarness(t, options{})
	h.srv.Slash("U1", "C1", "practice consensus")
	q := h.srv.Wait(t, "chat.postMessage", in("C1", ""))
	h.asked("U1", "C1", q.TS)

	h.srv.Press(slacktest.Click{User: "U1", Channel: "C1", MessageTS: q.TS, ActionID: "quorum_answer_privately", MessageText: q.Param("text")})
	open := h.srv.Wait(t, "views.open", nil)
	view := open.View()
	if view["callback_id"] != "quorum_answer" || view["type"] != "modal" {
		t.Fatalf("got view %v, want the answer modal", view)
	}
	if !strings.Contains(allText(open), "How does Raft elect a leader") {
		t.Errorf("modal does not show the question:\n%s", allText(open))
	}
	h.srv.Submit("U1", open, map[string]map[string]string{"answer": {"text": goodAnswer}})
	v := h.srv.Wait(t, "chat.postMessage", in("C1", q.TS))
	wantVerdict(t, v, "PASS")

	press := func(action string) slacktest.Call {
		t.Helper()
		h.srv.Press(slacktest.Click{User: "U1", Channel: "C1", MessageTS: v.TS, ThreadTS: q.TS, ActionID: action})
		return h.srv.Wait(t, "chat.postMessage", in("C1", q.TS))
	}
	if c := press("quorum_model"); header(c) != "Model answer: raft-election" {
		t.Errorf("Model answer button: got %q", header(c))
	}
	fq := press("quorum_followup")
	if !strings.Contains(strings.Join(buttons(fq), ","), "quorum_skip") {
		t.Errorf("Follow-up button: got %q with buttons %v, want a question", header(fq), buttons(fq))
	}
	h.srv.Press(slacktest.Click{User: "U1", Channel: "C1", MessageTS: fq.TS, ThreadTS: q.TS, ActionID: "quorum_skip"})
	if c := h.srv.Wait(t, "chat.postMessage", in("C1", q.TS)); !strings.HasPrefix(c.Param("text"), "Skipped") {
		t.Errorf("Skip button: got %q", c.Param("text"))
	}
	if c := press("quorum_another"); !strings.HasPrefix(header(c), "Question: ") {
		t.Errorf("Try another button: got %q, want a question", header(c))
	}
}

// TestPrivateAnswerNotQuotedInThread: the verdict in the thread on an answer typed in
// the modal names the misconception and its correction but quotes nothing, in the
// blocks and in the notification text.
func TestPrivateAnswerNotQuotedInThread(t *testing.T) {
	h := newHarness(t, options{})
	h.srv.Slash("U1", "C1", "practice consensus")
	q := h.srv.Wait(t, "chat.postMessage", in("C1", ""))
	h.asked("U1", "C1", q.TS)
	h.srv.Press(slacktest.Click{User: "U1", Channel: "C1", MessageTS: q.TS, ActionID: "quorum_answer_privately", MessageText: q.Param("text")})
	open := h.srv.Wait(t, "views.open", nil)
	h.srv.Submit("U1", open, map[string]map[string]string{"answer": {"text": wrongAnswer}})
	v := h.srv.Wait(t, "chat.postMessage", in("C1", q.TS))
	wantVerdict(t, v, "FAIL")
	blocks, text := allText(v), v.Param("text")
	for _, got := range []string{blocks, text} {
		if !strings.Contains(got, "Red flags") || !strings.Contains(got, "In fact: ") {
			t.Errorf("got verdict %q, want its red flag and correction", got)
		}
		if strings.Contains(got, "starts first") || strings.Contains(got, "you said") {
			t.Errorf("the verdict in the thread quotes the answer typed in the modal:\n%s", got)
		}
	}

	// Typed in the thread, the answer is public already: its verdict quotes it.
	h.srv.Slash("U1", "C1", "practice consensus")
	q2 := h.srv.Wait(t, "chat.postMessage", in("C1", ""))
	h.asked("U1", "C1", q2.TS)
	h.srv.Post(slacktest.Message{User: "U1", Channel: "C1", ThreadTS: q2.TS, Text: wrongAnswer})
	v2 := h.srv.Wait(t, "chat.postMessage", in("C1", q2.TS))
	if got := allText(v2); !strings.Contains(got, "you said") {
		t.Errorf("got verdict %q, want a quote of the answer typed in the thread", got)
	}
}

func TestNotInChannelSaysSoPrivately(t *testing.T) {
	h := newHarness(t, options{})
	h.srv.Outside("C9")
	h.srv.Slash("U1", "C9", "practice")
	c := h.srv.Wait(t, "response_url", nil)
	if c.JSON["response_type"] != "ephemeral" || !strings.Contains(c.Param("text"), "/invite @Quorum") {
		t.Errorf("got response %v, want an ephemeral note to invite the bot", c.JSON)
	}
	// The core's apology for the failed question finds no second response_url to use.
	h.srv.Slash("U1", "C1", "help")
	h.srv.Wait(t, "chat.postMessage", in("C1", ""))
	if n := len(h.srv.Calls("response_url")); n != 1 {
		t.Errorf("got %d notes on the response_url, want 1", n)
	}
}

// TestResponseURLNotLogged: a failed post to a slash command's response_url is logged
// without the URL, which lets anyone holding it post to the channel.
func TestResponseURLNotLogged(t *testing.T) {
	h := newHarness(t, options{})
	h.srv.Outside("C9")
	h.srv.BreakResponseURLs()
	h.srv.Slash("U1", "C9", "practice")
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(h.logs.String(), "response_url") {
		if time.Now().After(deadline) {
			t.Fatalf("no log of the failed post to the response_url:\n%s", h.logs.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
	if logs := h.logs.String(); strings.Contains(logs, "/commands/") {
		t.Errorf("the log holds the response_url:\n%s", logs)
	}
}

func TestEphemeralFeedback(t *testing.T) {
	h := newHarness(t, options{ephemeral: true})
	h.srv.Slash("U1", "C1", "practice consensus")
	q := h.srv.Wait(t, "chat.postMessage", in("C1", "")) // the question stays public
	h.asked("U1", "C1", q.TS)
	h.srv.Post(slacktest.Message{User: "U1", Channel: "C1", ThreadTS: q.TS, Text: goodAnswer})
	v := h.srv.Wait(t, "chat.postEphemeral", in("C1", q.TS))
	if v.Param("user") != "U1" {
		t.Errorf("got ephemeral verdict for %q, want U1", v.Param("user"))
	}
	wantVerdict(t, v, "PASS")
	if n := len(h.srv.Calls("chat.postMessage")); n != 1 {
		t.Errorf("got %d public messages, want 1 (the question)", n)
	}
}

func TestAppHome(t *testing.T) {
	h := newHarness(t, options{})
	h.srv.AppHomeOpened("U1")
	home := h.srv.Wait(t, "views.publish", nil)
	if home.Param("user_id") != "U1" || home.View()["type"] != "home" {
		t.Fatalf("got views.publish for %q of type %v, want U1's home", home.Param("user_id"), home.View()["type"])
	}
	if !strings.Contains(allText(home), "No attempts yet") {
		t.Errorf("home before any attempt:\n%s", allText(home))
	}
	wantButtons(t, home, "quorum_home_daily_on", "quorum_home_practice", "quorum_home_refresh", "quorum_home_help")

	// Practice now opens the DM and asks there.
	h.srv.Press(slacktest.Click{User: "U1", ActionID: "quorum_home_practice"})
	h.srv.Wait(t, "conversations.open", func(c slacktest.Call) bool { return c.Param("users") == "U1" })
	q := h.srv.Wait(t, "chat.postMessage", in("DU1", ""))
	if !strings.HasPrefix(header(q), "Question: ") {
		t.Fatalf("Practice now: got %q, want a question", header(q))
	}
	h.srv.Post(slacktest.Message{User: "U1", Channel: "DU1", ChannelType: "im", Text: wrongAnswer})
	wantVerdict(t, h.srv.Wait(t, "chat.postMessage", in("DU1", "")), "FAIL")

	h.srv.AppHomeOpened("U1")
	home = h.srv.Wait(t, "views.publish", nil)
	if text := allText(home); !strings.Contains(text, "1 attempt, 0 passed") || !strings.Contains(text, "Streak: 1 day in a row") {
		t.Errorf("home after one attempt lacks the stats and streak:\n%s", text)
	}
	if !strings.Contains(allText(home), "No daily question yet") {
		t.Errorf("home lacks the daily-question state:\n%s", allText(home))
	}

	// The daily button turns the drill on in the DM and shows it on the home.
	publishes := len(h.srv.Calls("views.publish"))
	h.srv.Press(slacktest.Click{User: "U1", ActionID: "quorum_home_daily_on"})
	if c := h.srv.Wait(t, "chat.postMessage", in("DU1", "")); !strings.Contains(allText(c), "Daily drill on: 09:00 UTC, Mon-Fri") {
		t.Fatalf("got %q", allText(c))
	}
	home = h.srv.Wait(t, "views.publish", func(c slacktest.Call) bool { return strings.Contains(allText(c), "Daily question: 09:00 UTC, Mon-Fri") })
	if n := len(h.srv.Calls("views.publish")); n <= publishes {
		t.Fatalf("the home was not published again (%d publishes)", n)
	}
	wantButtons(t, home, "quorum_home_daily_skip", "quorum_home_daily_off", "quorum_home_practice", "quorum_home_refresh", "quorum_home_help")
}

func TestRateLimitRetriedAfterRetryAfter(t *testing.T) {
	h := newHarness(t, options{})
	h.srv.RateLimit("chat.postMessage", 1, 1)
	h.srv.Post(slacktest.Message{User: "U1", Channel: "DU1", ChannelType: "im", Text: "help"})
	c := h.srv.Wait(t, "chat.postMessage", in("DU1", ""))
	calls := h.srv.Calls("chat.postMessage")
	if len(calls) != 2 || calls[0].Status != 429 {
		t.Fatalf("got %d calls (first status %d), want a 429 then the retry", len(calls), calls[0].Status)
	}
	if gap := c.At.Sub(calls[0].At); gap < time.Second {
		t.Errorf("retried after %s, want at least the Retry-After of 1s", gap)
	}
}

func TestSocketReconnects(t *testing.T) {
	h := newHarness(t, options{})
	h.srv.WaitPongs(t, 1) // the app answers websocket pings
	h.srv.Drop()
	// An envelope sent while the socket is down arrives once the app has reconnected.
	id, _ := h.srv.Post(slacktest.Message{User: "U1", Channel: "DU1", ChannelType: "im", Text: "help"})
	h.srv.WaitConnected(t, 2)
	h.srv.WaitAck(t, id)
	if c := h.srv.Wait(t, "chat.postMessage", in("DU1", "")); header(c) != "Quorum" {
		t.Errorf("after reconnecting: got %q, want the help", header(c))
	}
}

func TestBadTokens(t *testing.T) {
	srv := slacktest.New(t)
	for _, tc := range []struct {
		name, app, bot, want string
	}{
		{"bot token", slacktest.AppToken, "xoxb-wrong", "slack: the bot token was rejected (invalid_auth); check slack.bot_token"},
		{"app token", "xapp-wrong", slacktest.BotToken, "slack: the app-level token was rejected (invalid_auth); check slack.app_token"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ad, err := slack.New(slack.Config{AppToken: tc.app, BotToken: tc.bot, APIURL: srv.APIURL()})
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			start := time.Now()
			err = ad.Run(ctx, bot.New(bot.Config{}))
			switch {
			case err == nil:
				t.Fatal("Run returned nil, want an error")
			case time.Since(start) > 2*time.Second:
				t.Errorf("Run took %s to give up, want at once", time.Since(start))
			case !strings.HasPrefix(err.Error(), tc.want) || strings.Contains(err.Error(), "\n"):
				t.Errorf("got %q, want one line starting %q", err, tc.want)
			case strings.Contains(err.Error(), "wrong"):
				t.Errorf("error %q shows the token", err)
			}
		})
	}
	if n := srv.Connections(); n != 0 {
		t.Errorf("got %d sockets opened with a bad token, want 0", n)
	}

	for _, cfg := range []slack.Config{
		{BotToken: slacktest.BotToken},
		{AppToken: slacktest.BotToken, BotToken: slacktest.BotToken},
		{AppToken: slacktest.AppToken},
		{AppToken: slacktest.AppToken, BotToken: slacktest.AppToken},
	} {
		if _, err := slack.New(cfg); err == nil || !strings.Contains(err.Error(), "slack.") {
			t.Errorf("New with tokens %q/%q: got %v, want an error naming the setting", cfg.AppToken, cfg.BotToken, err)
		}
	}
}

// said waits for a reply whose text contains want, by any method that posts one.
func (h *harness) said(want string) slacktest.Call {
	h.t.Helper()
	return h.srv.Wait(h.t, "chat.postMessage", func(c slacktest.Call) bool {
		return strings.Contains(c.Param("text")+allText(c), want)
	})
}

func TestChannelDrill(t *testing.T) {
	h := newHarness(t, options{drillPrivate: true, managers: "S1"})
	h.srv.Admin("U1")
	h.srv.Group("S1", "U3")
	h.srv.Slash("U2", "C1", "drill add @hourly consensus")
	h.said("set up by workspace admins")
	h.srv.Slash("U1", "C1", "drill add @hourly consensus")
	h.said("Drill #1 `@hourly` UTC, consensus, answers for 1 hour added")
	h.srv.Slash("U3", "C1", "drill pause 1")
	h.said("Drill #1 paused")
	h.srv.Slash("U3", "C1", "drill resume 1")
	h.said("Drill #1 resumed")

	now := h.clock.Now()
	h.clock.Advance(now.Truncate(time.Hour).Add(time.Hour).Sub(now))
	q := h.srv.Wait(t, "chat.postMessage", func(c slacktest.Call) bool { return strings.Contains(header(c), "Drill question") })
	thread := bot.Conversation{Platform: slack.Name, ID: "C1", Thread: q.TS}
	deadline := time.Now().Add(5 * time.Second)
	for !h.bot.AnswersIn(bot.User{Platform: slack.Name, ID: "U2"}, thread) {
		if time.Now().After(deadline) {
			t.Fatal("the drill's thread never took answers")
		}
		time.Sleep(time.Millisecond)
	}
	// Channel chatter is ignored; answers in the thread are graded each on its own, privately.
	h.srv.Post(slacktest.Message{User: "U2", Channel: "C1", Text: "lunch?"})
	h.srv.Post(slacktest.Message{User: "U2", Channel: "C1", ThreadTS: q.TS, Text: goodAnswer})
	v := h.srv.Wait(t, "chat.postEphemeral", in("C1", q.TS))
	if v.Param("user") != "U2" {
		t.Fatalf("got the verdict for %q, want U2 privately", v.Param("user"))
	}
	if !strings.HasPrefix(header(v), "PASS · ") || len(buttons(v)) != 0 {
		t.Fatalf("got %q with buttons %v, want PASS and no model-answer button before the summary", header(v), buttons(v))
	}
	h.srv.Post(slacktest.Message{User: "U4", Channel: "C1", ThreadTS: q.TS, Text: "The node with the lowest id becomes leader."})
	v = h.srv.Wait(t, "chat.postEphemeral", func(c slacktest.Call) bool { return c.Param("user") == "U4" })
	if !strings.HasPrefix(header(v), "FAIL · ") {
		t.Fatalf("got %q, want FAIL", header(v))
	}

	// U5 answers by the form: nothing of the answer shows in the thread.
	h.srv.Press(slacktest.Click{User: "U5", Channel: "C1", MessageTS: q.TS, ActionID: "quorum_answer_privately", MessageText: q.Param("text")})
	open := h.srv.Wait(t, "views.open", nil)
	h.srv.Submit("U5", open, map[string]map[string]string{"answer": {"text": goodAnswer}})
	v = h.srv.Wait(t, "chat.postEphemeral", func(c slacktest.Call) bool { return c.Param("user") == "U5" })
	if !strings.HasPrefix(header(v), "PASS · ") {
		t.Fatalf("got %q, want U5's PASS", header(v))
	}

	h.clock.Advance(time.Hour)
	sum := h.said("Drill closed: 3 answered, 2 passed")
	if sum.Param("thread_ts") != "" || sum.Param("channel") != "C1" {
		t.Errorf("got the summary in %s/%s, want the channel itself", sum.Param("channel"), sum.Param("thread_ts"))
	}
	for _, c := range h.srv.Calls("chat.postMessage") {
		if c.Param("thread_ts") == q.TS && strings.Contains(allText(c), "PASS") {
			t.Errorf("a verdict went public in the thread: %s", allText(c))
		}
	}
}

// TestRedeliveryWindowKinds: the messages a restart may send again under their key are
// the ones that carry it in their metadata: questions, verdicts, reports and time's-up notes.
func TestRedeliveryWindowKinds(t *testing.T) {
	ad, err := slack.New(slack.Config{AppToken: slacktest.AppToken, BotToken: slacktest.BotToken, APIURL: "http://127.0.0.1:1/api/"})
	if err != nil {
		t.Fatal(err)
	}
	conv := bot.Conversation{Platform: "slack", ID: "D1", DM: true}
	for kind, want := range map[bot.MessageKind]bool{bot.MsgQuestion: true, bot.MsgVerdict: true, bot.MsgReport: true, bot.MsgTimeUp: true, bot.MsgInfo: false, bot.MsgError: false} {
		if got := ad.RedeliveryWindow(context.Background(), bot.Message{Kind: kind, Conv: conv}) > 0; got != want {
			t.Errorf("kind %v: window %v, want %v", kind, got, want)
		}
	}
}

// TestRedeliveredEventHandledOnce: Slack sends an event again, with the same event_id,
// when it saw no ack in time. The answer is graded once, and a copy is read neither as
// a second answer nor as a command.
func TestRedeliveredEventHandledOnce(t *testing.T) {
	h := newHarness(t, options{})
	dm := slacktest.Message{User: "U1", Channel: "DU1", ChannelType: "im"}
	say := func(text string) string {
		m := dm
		m.Text = text
		env, _ := h.srv.Post(m)
		return env
	}
	say("practice consensus")
	h.srv.Wait(t, "chat.postMessage", in("DU1", ""))
	answer := say(goodAnswer)
	h.srv.Resend(answer) // while the first is being graded
	wantVerdict(t, h.srv.Wait(t, "chat.postMessage", in("DU1", "")), "PASS")
	h.srv.Resend(answer) // after the verdict
	say("help")
	if c := h.srv.Wait(t, "chat.postMessage", in("DU1", "")); header(c) != "Quorum" {
		t.Errorf("got %q after the copies, want the help", c.Param("text"))
	}
	h.bot.Idle()
	var texts []string
	for _, c := range h.srv.Calls("chat.postMessage") {
		texts = append(texts, firstLine(c.Param("text")))
	}
	if len(texts) != 3 {
		t.Errorf("got %d messages %q, want 3: the question, one verdict, the help", len(texts), texts)
	}
	h.srv.WaitAck(t, answer)
}
