package bot_test

import (
	"context"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/quorum-dev/quorum/bot"
	"github.com/quorum-dev/quorum/bot/bottest"
	"github.com/quorum-dev/quorum/bot/rubric"
	"github.com/quorum-dev/quorum/store"

	"go.yaml.in/yaml/v3"
)

// Fuzz targets for what people and pack authors type. The seeds run in every plain
// `go test`; `go test -fuzz=FuzzHandle -fuzztime=30s ./bot` explores further.

var commandSeeds = []string{
	"practice", "practice consensus", "practice hard replication", "PRACTICE Consensus easy", "/practice",
	"quorum practice", "!skip", "skip", "stop", "stats", "help", "?", "model", "followup", "interview",
	"interview consensus", "resume I built Kafka pipelines at scale", "jd Senior distributed systems engineer",
	"tailor", "forget", "forget confirm", "daily on 09:00 Europe/Berlin mon-fri", "daily on 25:00",
	"daily off", "daily skip", "daily status", "daily", "", "   ", "\x00\x01", "Stop-the-world pauses hurt",
	goodAnswer, wrongAnswer, "practice " + strings.Repeat("x", 100), strings.Repeat("word ", 5000),
	"ünïcödé ✓ 日本語", "daily on 9pm utc weekends consensus", "next", "answer",
}

// FuzzParseCommand checks that a command word is always lowercase, trimmed, and one of
// the words of the text, and that the arguments are the rest of the words in order.
func FuzzParseCommand(f *testing.F) {
	for _, s := range commandSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		cmd, args := bot.ParseCommand(text)
		if cmd == "" && len(args) > 0 {
			t.Fatalf("got no command but args %q", args)
		}
		if cmd != strings.ToLower(cmd) && utf8.ValidString(cmd) {
			t.Fatalf("got command %q, want it lowercase", cmd)
		}
		if strings.ContainsAny(cmd, " \t\n") {
			t.Fatalf("got command %q with spaces", cmd)
		}
		words := strings.Fields(strings.ToLower(text))
		if len(args) > len(words) {
			t.Fatalf("got %d args from %d words", len(args), len(words))
		}
		for i, a := range args {
			if a != words[len(words)-len(args)+i] {
				t.Fatalf("got args %q, want the last words of %q", args, words)
			}
		}
	})
}

// handleEnv is one Bot on a real bbolt file shared by all inputs of a fuzz target; each
// input is typed by a person of its own, so inputs do not depend on each other.
type handleEnv struct {
	bot  *bot.Bot
	plat *bottest.Platform
	next atomic.Int64
}

func newHandleEnv(f *testing.F) *handleEnv {
	st, err := store.Open(filepath.Join(f.TempDir(), "fuzz.db"), 0)
	if err != nil {
		f.Fatal(err)
	}
	e := &handleEnv{plat: bottest.NewPlatform("test")}
	e.bot = bot.New(bot.Config{
		Bank: loadBank(f), Grader: rubric.New(rubric.Options{}), Store: st, Clock: bottest.NewClock(t0),
		Rand: rand.New(rand.NewPCG(1, 2)),
	})
	e.bot.AddPlatform(e.plat)
	if err := e.bot.Start(context.Background()); err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { e.bot.Close(); st.Close() })
	return e
}

// say sends text from u in conv and returns the replies to conv.
func (e *handleEnv) say(u bot.User, conv bot.Conversation, text string) []bot.Message {
	before := len(e.plat.Messages())
	e.bot.Handle(context.Background(), bot.Event{Kind: bot.EventMessage, User: u, Conv: conv, Text: text})
	e.bot.Idle()
	var out []bot.Message
	for _, m := range e.plat.Messages()[before:] {
		if m.Conv.ID == conv.ID {
			out = append(out, m)
		}
	}
	return out
}

// FuzzHandle types two messages into a DM, the way a person would (the second one is an
// answer when the first opened a question): the bot never panics, always replies, and
// never shows internal error text.
func FuzzHandle(f *testing.F) {
	for i, s := range commandSeeds {
		f.Add(s, commandSeeds[(i+7)%len(commandSeeds)])
	}
	f.Add("practice", goodAnswer)
	f.Add("practice", "")
	f.Add("practice", "\x00binary\x00")
	f.Add("forget", "forget confirm")
	e := newHandleEnv(f)
	f.Fuzz(func(t *testing.T, first, second string) {
		n := e.next.Add(1)
		u := bot.User{Platform: "test", ID: "p" + strconv.FormatInt(n, 10), Name: "fuzz"}
		conv := bot.Conversation{Platform: "test", ID: "dm-" + u.ID, DM: true}
		for _, text := range []string{first, second} {
			replies := e.say(u, conv, text)
			if len(replies) == 0 {
				t.Fatalf("no reply to %q", text)
			}
			for _, m := range replies {
				all := m.Title + "\n" + m.Text
				for _, leak := range []string{"bbolt", "bolt.", "%!", "<nil>", "runtime error", "goroutine "} {
					if strings.Contains(all, leak) {
						t.Fatalf("reply to %q shows %q:\n%s", text, leak, all)
					}
				}
			}
		}
	})
}

// FuzzParseDaily checks `daily on` arguments: a parsed drill has a valid time, a loadable
// timezone, a topic of the bank and days without repeats, and its next run is in the future
// and at the drill's local time; an error is a sentence for the person.
func FuzzParseDaily(f *testing.F) {
	for _, s := range []string{"09:00", "9am Europe/Berlin mon-fri", "18:30 utc weekends consensus", "12pm america/new_york",
		"25:00", "9:5", "13pm", "0am", "07:00 Mars/Olympus", "07:00 sat-mon", "07:00 mon,wed,fri repl", "23:59 daily",
		"00:00 Europe/London sun", "07:00 ../../etc/passwd", "7 Local", "07:00 UTC UTC UTC"} {
		f.Add(s, "")
		f.Add(s, "Asia/Tokyo")
	}
	bank := loadBank(f)
	topics, tags := bank.Topics(), bank.Tags()
	f.Fuzz(func(t *testing.T, args, tz string) {
		d, err := bot.ParseDaily(strings.Fields(args), tz, topics, tags)
		if err != nil {
			msg := err.Error()
			if msg == "" || !strings.HasSuffix(msg, ".") {
				t.Fatalf("error %q is not a sentence", msg)
			}
			return
		}
		if d.Hour < 0 || d.Hour > 23 || d.Minute < 0 || d.Minute > 59 {
			t.Fatalf("got %02d:%02d", d.Hour, d.Minute)
		}
		loc, lerr := time.LoadLocation(d.TZ)
		if lerr != nil {
			// Only a caller's saved tz is taken unchecked; one typed in must load.
			if d.TZ != tz {
				t.Fatalf("timezone %q does not load: %v", d.TZ, lerr)
			}
			return
		}
		if d.Topic != "" && !containsString(topics, d.Topic) && !containsString(tags, d.Topic) {
			t.Fatalf("topic %q is neither a topic nor a tag of the bank", d.Topic)
		}
		now := time.Date(2026, 3, 29, 0, 30, 0, 0, time.UTC) // a night clocks change in Europe
		next := d.Next(now)
		if next.IsZero() {
			t.Fatalf("no next run for %+v", d)
		}
		if !next.After(now) {
			t.Fatalf("next run %s is not after %s", next, now)
		}
		local := next.In(loc)
		want := time.Date(local.Year(), local.Month(), local.Day(), d.Hour, d.Minute, 0, 0, loc)
		exists := want.Hour() == d.Hour && want.Minute() == d.Minute
		if exists && (local.Hour() != d.Hour || local.Minute() != d.Minute) {
			t.Fatalf("next run %s is not at %02d:%02d %s", local, d.Hour, d.Minute, d.TZ)
		}
		if prev := d.Prev(next); !prev.Equal(next) {
			t.Fatalf("Prev(Next) = %s, want %s", prev, next)
		}
		if d.Describe() == "" {
			t.Fatal("empty description")
		}
	})
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// FuzzParsePack checks pack parsing: every error names the file, and a line when the
// document has one; a parsed pack, written back as YAML, parses to the same questions.
func FuzzParsePack(f *testing.F) {
	for _, p := range []string{"bottest/testpack.yaml", "../prompts/packs/consensus.yaml"} {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
		f.Add(data[:len(data)/2])
	}
	f.Add([]byte("pack: x\nquestions: []\n"))
	f.Add([]byte("pack: x\nquestions:\n  - id: a\n    key_points: &k [{id: a, text: t, evidence: [e]}]\n  - id: b\n    key_points: *k\n"))
	f.Add([]byte("pack: Bad Id\nunknown: 1\n"))
	f.Add([]byte("\t- tab"))
	f.Add([]byte(""))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := bot.ParsePack("fuzz.yaml", data)
		if err != nil {
			for _, line := range strings.Split(err.Error(), "\n") {
				if !strings.HasPrefix(line, "fuzz.yaml:") {
					t.Fatalf("error line %q does not name the file", line)
				}
				if strings.Contains(line, "bot.") || strings.Contains(line, "struct {") {
					t.Fatalf("error line %q shows a Go type", line)
				}
			}
			return
		}
		out, err := yaml.Marshal(packYAML(p))
		if err != nil {
			t.Fatal(err)
		}
		again, err := bot.ParsePack("again.yaml", out)
		if err != nil {
			t.Fatalf("a parsed pack does not parse again: %v\n%s", err, out)
		}
		if len(again.Questions) != len(p.Questions) || again.ID != p.ID || again.Title != p.Title {
			t.Fatalf("round trip changed the pack: %q %q %d, want %q %q %d", again.ID, again.Title, len(again.Questions), p.ID, p.Title, len(p.Questions))
		}
		for i, q := range p.Questions {
			a, b := *q, *again.Questions[i]
			a.Source, b.Source = "", ""
			x, _ := yaml.Marshal(a)
			y, _ := yaml.Marshal(b)
			if string(x) != string(y) {
				t.Fatalf("round trip changed question %s:\n%s\nwant\n%s", q.ID, y, x)
			}
		}
	})
}

// packYAML is a parsed pack in the file format.
func packYAML(p *bot.Pack) map[string]any {
	var qs []map[string]any
	for _, q := range p.Questions {
		m := map[string]any{"id": q.ID, "topic": q.Topic, "difficulty": q.Difficulty, "kind": q.Kind, "prompt": q.Prompt,
			"model_answer": q.ModelAnswer, "pass_weight": q.PassWeight}
		if q.TimeLimit != 0 {
			m["time_limit"] = q.TimeLimit.String()
		}
		if len(q.Tags) > 0 {
			m["tags"] = q.Tags
		}
		if len(q.FollowUps) > 0 {
			m["follow_ups"] = q.FollowUps
		}
		if len(q.References) > 0 {
			m["references"] = q.References
		}
		var kps []map[string]any
		for _, k := range q.KeyPoints {
			kps = append(kps, map[string]any{"id": k.ID, "text": k.Text, "weight": k.Weight, "evidence": k.Evidence})
		}
		m["key_points"] = kps
		var rfs []map[string]any
		for _, r := range q.RedFlags {
			rf := map[string]any{"id": r.ID, "text": r.Text, "evidence": r.Evidence}
			if r.Correction != "" {
				rf["correction"] = r.Correction
			}
			rfs = append(rfs, rf)
		}
		if len(rfs) > 0 {
			m["red_flags"] = rfs
		}
		qs = append(qs, m)
	}
	return map[string]any{"pack": p.ID, "title": p.Title, "questions": qs}
}
