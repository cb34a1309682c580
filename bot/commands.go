package bot

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

var (
	errOpen = errors.New("a session is open")
	errBusy = errors.New("an answer is being graded")
	// errNotSent: the question was stored, then its send failed, so it was dropped.
	errNotSent = errors.New("question not sent")
)

// commands are the words the bot answers to. Adapters map slash commands onto them.
var commands = map[string]bool{
	"practice": true, "skip": true, "stop": true, "stats": true, "help": true, "model": true,
	"followup": true, "resume": true, "jd": true, "tailor": true, "forget": true, "interview": true,
	"daily": true, "drill": true, "leaderboard": true, "export": true,
}

// commandDuringSession reports whether a message sent while a question is open is a
// command rather than the answer: a command word alone, or a command whose every word
// is valid (`practice` with filter words, `daily on 09:00 Europe/Berlin`, `daily status`,
// `drill pause 3`, `leaderboard week`, `forget confirm`). Anything else is the answer, so
// "Stop-the-world pauses...", "top k" or "daily on-call rotations..." is never lost.
func (b *Bot) commandDuringSession(cmd string, args []string) bool {
	switch {
	case !isCommand(cmd):
		return false
	case len(args) == 0:
		return true
	}
	switch cmd {
	case "practice":
		_, err := b.ParseFilter(args)
		return len(args) <= 3 && err == nil
	case "forget":
		return len(args) == 1 && args[0] == "confirm"
	case "leaderboard":
		_, _, ok := parseLeaderboard(args)
		return ok
	case "daily":
		switch args[0] {
		case "off", "skip", "status":
			return len(args) == 1
		case "on":
			_, err := ParseDaily(args[1:], "", b.bank.Topics(), b.bank.Tags())
			return err == nil
		}
	case "drill":
		switch args[0] {
		case "list", "ls", "status":
			return len(args) == 1
		case "pause", "resume", "remove", "rm", "delete":
			if len(args) != 2 {
				return false
			}
			_, err := strconv.ParseUint(strings.TrimPrefix(args[1], "#"), 10, 64)
			return err == nil
		case "add", "new", "create":
			_, err := ParseDrill(args[1:], b.bank.Topics(), b.bank.Tags(), b.clock.Now())
			return err == nil
		}
	}
	return false
}

// aliases map other words people use to the command words.
var aliases = map[string]string{
	"question": "practice", "ask": "practice", "next": "practice", "another": "practice",
	"pass": "skip", "giveup": "skip", "quit": "stop", "cancel": "stop", "exit": "stop",
	"?": "help", "commands": "help", "stat": "stats", "history": "stats", "progress": "stats",
	"answer": "model", "solution": "model", "follow-up": "followup", "probe": "followup", "deeper": "followup",
	"cv": "resume", "job": "jd", "personalize": "tailor", "personalise": "tailor",
	"drills": "drill", "leaders": "leaderboard", "top": "leaderboard", "scores": "leaderboard",
}

// parseCommand splits text into a lowercase command word and its arguments.
// A leading "/" or "!" and a leading "quorum" are ignored.
func parseCommand(text string) (string, []string) {
	fields := strings.Fields(strings.ToLower(text))
	if len(fields) > 0 && (fields[0] == "quorum" || fields[0] == "/quorum") {
		fields = fields[1:]
	}
	if len(fields) == 0 {
		return "", nil
	}
	for len(fields) > 0 && strings.Trim(fields[0], "/!") == "" {
		fields = fields[1:] // a lone "!" or "/" before the word: "! practice"
	}
	if len(fields) == 0 {
		return "", nil
	}
	cmd := strings.TrimLeft(fields[0], "/!")
	if a, ok := aliases[cmd]; ok {
		cmd = a
	}
	return cmd, fields[1:]
}

func isCommand(cmd string) bool { return commands[cmd] }

func (b *Bot) command(ctx context.Context, ev Event, cmd string, args []string) {
	if text, limited := b.limited(ev, false, LimitCommand); limited {
		b.reply(ctx, ev, MsgInfo, "", text)
		return
	}
	switch cmd {
	case "practice":
		b.practice(ctx, ev, args)
	case "skip", "stop":
		b.skip(ctx, ev, cmd)
	case "stats":
		b.stats(ctx, ev)
	case "help":
		b.send(ctx, Message{Kind: MsgHelp, Conv: ev.Conv, To: ev.User, Title: "Quorum", Text: b.helpText()})
	case "model":
		b.model(ctx, ev)
	case "followup":
		b.followUp(ctx, ev)
	case "resume", "jd":
		b.saveProfileText(ctx, ev, cmd)
	case "tailor":
		b.tailor(ctx, ev)
	case "forget":
		b.forget(ctx, ev, args)
	case "interview":
		b.interviewCommand(ctx, ev, args)
	case "daily":
		b.dailyCommand(ctx, ev, args)
	case "drill":
		b.drillCommand(ctx, ev, args)
	case "leaderboard":
		b.leaderboardCommand(ctx, ev, args)
	case "export":
		b.export(ctx, ev)
	case "":
		b.reply(ctx, ev, MsgInfo, "", "I didn't get any text there. Say `practice` for a question, or `help`.")
	default:
		b.reply(ctx, ev, MsgInfo, "", fmt.Sprintf("I don't know %q. Say `practice` for a question, `stats` for your progress, or `help` for everything I can do.", truncate(cmd, 30)))
	}
}

// ParseFilter reads practice arguments: difficulty and kind words, and a topic.
// It returns a friendly error naming what it did not understand.
func (b *Bot) ParseFilter(args []string) (Filter, error) {
	var f Filter
	var rest []string
	for _, a := range args {
		a = strings.ToLower(strings.TrimSpace(a))
		switch {
		case a == "":
		case contains(Difficulties, a):
			if f.Difficulty != "" && f.Difficulty != a {
				return f, fmt.Errorf("`%s` and `%s` are two difficulties; pick one, like `practice %s`", f.Difficulty, a, a)
			}
			f.Difficulty = a
		case contains(Kinds, a) || contains(Kinds, strings.TrimSuffix(a, "s")):
			k := strings.TrimSuffix(a, "s")
			if f.Kind != "" && f.Kind != k {
				return f, fmt.Errorf("`%s` and `%s` are two kinds of question; pick one, like `practice %s`", f.Kind, k, k)
			}
			f.Kind = k
		default:
			rest = append(rest, a)
		}
	}
	if len(rest) > 0 {
		// A topic, or a system or idea: "practice kafka", "practice vector clocks".
		name := matchTopic(strings.Join(rest, "-"), b.bank.Topics(), b.bank.Tags())
		if name == "" {
			return f, fmt.Errorf("I don't know the topic %q. Topics: %s. You can also name a system or idea, such as kafka, raft, etcd or crdt", truncate(strings.Join(rest, " "), 40), strings.Join(b.bank.Topics(), ", "))
		}
		on := b.topicFilter(name)
		f.Topic, f.Tag = on.Topic, on.Tag
	}
	if len(b.bank.Select(f)) == 0 {
		if topic := f.Topic + f.Tag; topic != "" {
			return f, fmt.Errorf("I have no %s questions. Try `practice %s`, or just `practice`", describeFilter(f), topic)
		}
		return f, fmt.Errorf("I have no %s questions. Try another difficulty or kind, or just `practice`", describeFilter(f))
	}
	return f, nil
}

func describeFilter(f Filter) string {
	var parts []string
	for _, s := range []string{f.Difficulty, f.Kind, f.Topic, f.Tag} {
		if s != "" {
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, " ")
}

func (b *Bot) practice(ctx context.Context, ev Event, args []string) {
	f, err := b.ParseFilter(args)
	if err != nil {
		b.reply(ctx, ev, MsgInfo, "", err.Error()+".")
		return
	}
	q, err := b.Pick(ctx, ev.User, f)
	if err != nil {
		b.log.Error("pick question", "user", ev.User.Key(), "err", err)
		b.reply(ctx, ev, MsgError, "", "Sorry, something went wrong on my side while choosing a question. Please try again in a moment.")
		return
	}
	b.askReplying(ctx, ev, q, false)
}

// askReplying asks q and tells the person when it cannot.
func (b *Bot) askReplying(ctx context.Context, ev Event, q *Question, replace bool) {
	_, err := b.Ask(ctx, ev.User, ev.Conv, q, replace)
	switch {
	case err == nil:
	case errors.Is(err, errOpen):
		b.reply(ctx, ev, MsgInfo, "", "You already have an open question here. Answer it, or say `skip` to drop it and get another.")
	case errors.Is(err, errBusy) && b.timingUp(ev.User, ev.Conv):
		b.reply(ctx, ev, MsgInfo, "", "Your question's time just ran out and I'm recording that; say `practice` again in a moment.")
	case errors.Is(err, errBusy):
		b.reply(ctx, ev, MsgInfo, "", "I'm still grading your answer; one moment.")
	default:
		b.log.Error("ask", "user", ev.User.Key(), "question", q.Ref(), "err", err)
		b.reply(ctx, ev, MsgError, "", "Sorry, I couldn't start that question (a problem on my side). Please try again in a moment.")
	}
}

// timingUp reports whether the person's question here is busy only with its time-up's
// bookkeeping, not with an answer being graded.
func (b *Bot) timingUp(u User, conv Conversation) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	l := b.sessions[sessionKey(u, conv)]
	return l != nil && l.busy && l.timingUp
}

func (b *Bot) skip(ctx context.Context, ev Event, word string) {
	key := sessionKey(ev.User, ev.Conv)
	b.mu.Lock()
	l := b.sessions[key]
	if l != nil && l.busy && l.timingUp {
		// Its time-up is being recorded: the skip applies to what that leaves, right
		// after (applyHeld), in order with any answer sent before it.
		l.held = append(l.held, heldEvent{ev: ev, word: word})
		b.mu.Unlock()
		return
	}
	if l == nil || l.busy {
		b.mu.Unlock()
		if l != nil {
			b.reply(ctx, ev, MsgInfo, "", "I'm already grading your answer; one moment.")
			return
		}
		b.reply(ctx, ev, MsgInfo, "", "There's no open question to "+word+". Say `practice` to get one.")
		return
	}
	if l.timer != nil {
		l.timer.Stop()
	}
	delete(b.sessions, key)
	s := *l.s
	b.mu.Unlock()
	b.closeSkipped(ctx, ev, word, s)
}

// closeSkipped closes session s, just taken out of memory, on the person's skip or stop
// (word), and tells them.
func (b *Bot) closeSkipped(ctx context.Context, ev Event, word string, s Session) {
	var a *Attempt
	if s.State == SessionOpen {
		a = b.attempt(&s, OutcomeSkipped, "", nil, ev.Time)
	}
	if err := b.store.FinishSession(ctx, s.ID, a); forgotten(err) {
		return // forgotten meanwhile: nothing to skip, nor an interview to go on with
	} else if err != nil {
		b.log.Error("skip session", "session", s.ID, "err", err)
	} else {
		b.recorded(a)
	}
	if s.Interview != 0 && a != nil {
		if word == "stop" {
			if iv := b.recordInInterview(ctx, s, a); iv != nil {
				b.finishInterview(ctx, iv, InterviewStopped)
			}
			return
		}
		b.send(ctx, Message{Kind: MsgInfo, Conv: ev.Conv, To: ev.User, Text: "Skipped; it counts as not passed."})
		b.interviewAnswered(ctx, s, a)
		return
	}
	text := "Skipped. It isn't counted in your pass rate."
	if word == "stop" {
		text = "Stopped. It isn't counted in your pass rate."
	}
	if s.State == SessionExpired {
		text = "Closed. The timed-out attempt stays in your history."
	}
	text += " Say `model` to see a model answer, or `practice` for another question."
	b.send(ctx, Message{Kind: MsgInfo, Conv: ev.Conv, To: ev.User, Text: text,
		Actions: []Button{{ActionModel, "Model answer"}, {ActionAnother, "Try another"}}})
}

func (b *Bot) model(ctx context.Context, ev Event) {
	last, ok := b.lastAttempt(ctx, ev, "then I'll show you the model answer", func(a *Attempt) bool {
		_, err := b.bank.Lookup(a.Question)
		return err == nil
	})
	if !ok {
		return
	}
	if last == nil {
		b.reply(ctx, ev, MsgInfo, "", "You haven't answered a question yet. Say `practice` to get one.")
		return
	}
	if b.drillOpen(last) {
		b.reply(ctx, ev, MsgInfo, "", "Your last answer was to a drill that is still open: "+modelAfterDrill+".")
		return
	}
	q, _ := b.bank.Lookup(last.Question)
	b.send(ctx, modelMessage(ev, q))
}

// lastAttempt returns the person's latest attempt that want accepts (nil if none). It
// replies and returns false when a question is open or the history cannot be read.
func (b *Bot) lastAttempt(ctx context.Context, ev Event, then string, want func(*Attempt) bool) (*Attempt, bool) {
	if s, ok := b.OpenSession(ev.User, ev.Conv); ok && s.State == SessionOpen {
		b.reply(ctx, ev, MsgInfo, "", "Answer the open question first (or say `skip`); "+then+".")
		return nil, false
	}
	attempts, err := b.store.Attempts(ctx, ev.User.Key())
	if err != nil {
		b.log.Error("load attempts", "user", ev.User.Key(), "err", err)
		b.reply(ctx, ev, MsgError, "", "Sorry, I couldn't load your history just now. Please try again in a moment.")
		return nil, false
	}
	for i := len(attempts) - 1; i >= 0; i-- {
		if want(attempts[i]) {
			return attempts[i], true
		}
	}
	return nil, true
}

func (b *Bot) stats(ctx context.Context, ev Event) {
	msg, err := b.StatsMessage(ctx, ev.User, ev.Conv)
	if err != nil {
		b.log.Error("stats", "user", ev.User.Key(), "err", err)
		b.reply(ctx, ev, MsgError, "", "Sorry, I couldn't load your history just now. Please try again in a moment.")
		return
	}
	b.send(ctx, msg)
}

func (b *Bot) helpText() string {
	return strings.Join([]string{
		"I ask distributed-systems interview questions and grade your answers: PASS or FAIL, a score, and feedback on content, clarity, confidence and delivery.",
		"",
		"`practice [topic] [easy|medium|hard]`: a question (answer within the time limit); a topic can also be a system or idea: `practice kafka`",
		"`interview [topic]`: a 15-minute mock interview with a report at the end",
		"`daily on 09:00 Europe/Berlin mon-fri [topic]`, `daily off|skip|status`: a question by DM every day",
		"`drill add 0 9 * * mon-fri Europe/Berlin [topic] [window=1h]`, `drill list|pause|resume|remove <id>`: a question for the whole channel on a schedule (server managers)",
		"`leaderboard [server] [week|month|all]`: who passed the most drill questions here",
		"`skip` or `stop`: drop the open question",
		"`model`: the model answer to your last question",
		"`followup`: the question an interviewer would ask next about your last answer, graded too",
		"`stats`: your pass rates, dimension averages, trend, streak and a chart of your scores",
		"`resume <text>` and `jd <job description>`, then `tailor`: questions chosen for you",
		"`export`: everything I keep about you, as a JSON file (in a direct message)",
		"`forget`: delete everything I keep about you",
		"`help`: this message",
		"",
		"Topics: " + strings.Join(b.bank.Topics(), ", "),
		"Systems and ideas work as topics too: " + strings.Join(b.bank.TopTags(10), ", ") + "…",
	}, "\n")
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}
