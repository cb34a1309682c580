package slack

import (
	"context"
	"encoding/json"
	"io"
	"strconv"
	"strings"
	"sync"
	"time"

	slackgo "github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"

	"github.com/quorum-dev/quorum/bot"
)

// Ids of the adapter's own buttons and views. Buttons for the core's actions use
// actionPrefix + the bot.Action* id.
const (
	actionPrefix    = "quorum_"
	actionPrivate   = "quorum_answer_privately"
	actionHomePlay  = "quorum_home_practice"
	actionHomeHelp  = "quorum_home_help"
	actionHomeStats = "quorum_home_refresh"
	// The App Home's daily-question buttons.
	actionHomeDailyOn   = "quorum_home_daily_on"
	actionHomeDailySkip = "quorum_home_daily_skip"
	actionHomeDailyOff  = "quorum_home_daily_off"
	answerCallback      = "quorum_answer"
	answerBlock         = "answer"
	answerInput         = "text"
	maxModalAnswer      = 3000 // Slack's limit for a plain_text_input
)

// answerFinder is what *bot.Bot offers to tell a question's thread (a person's own, or
// a channel drill's) from any other.
type answerFinder interface {
	AnswersIn(u bot.User, conv bot.Conversation) bool
}

// statsMaker is what *bot.Bot offers for the App Home.
type statsMaker interface {
	StatsSummary(ctx context.Context, u bot.User, conv bot.Conversation) (bot.Message, error)
}

// dispatcher turns Socket Mode events into bot events for one Run.
type dispatcher struct {
	a   *Adapter
	sm  *socketmode.Client
	h   bot.Handler
	ctx context.Context
	wg  *sync.WaitGroup
}

// dispatch handles one Socket Mode event: it acks envelopes first, then works in a goroutine.
func (d *dispatcher) dispatch(evt socketmode.Event) {
	log := d.a.log
	switch evt.Type {
	case socketmode.EventTypeConnecting:
		log.Debug("connecting")
	case socketmode.EventTypeConnected:
		if c, ok := evt.Data.(*socketmode.ConnectedEvent); ok {
			log.Info("connected", "connection", c.ConnectionCount+1)
		}
		d.a.up.Store(true)
	case socketmode.EventTypeDisconnect:
		d.a.up.Store(false)
	case socketmode.EventTypeConnectionError:
		d.a.up.Store(false)
		if c, ok := evt.Data.(*slackgo.ConnectionErrorEvent); ok {
			log.Warn("connection failed; retrying", "attempt", c.Attempt, "backoff", c.Backoff, "err", slackError(c.ErrorObj))
		}
	case socketmode.EventTypeIncomingError, socketmode.EventTypeErrorBadMessage, socketmode.EventTypeErrorWriteFailed:
		log.Warn("socket mode problem", "type", string(evt.Type))
	case socketmode.EventTypeSlashCommand:
		d.ack(evt)
		if cmd, ok := evt.Data.(slackgo.SlashCommand); ok {
			d.spawn(func(ctx context.Context) { d.slash(ctx, cmd) })
		}
	case socketmode.EventTypeEventsAPI:
		d.ack(evt)
		if ev, ok := evt.Data.(slackevents.EventsAPIEvent); ok {
			if key := eventKey(ev); d.a.seen.Seen(key) {
				log.Debug("event delivered again; dropped", "event", key)
				return
			}
			d.spawn(func(ctx context.Context) { d.eventsAPI(ctx, ev) })
		}
	case socketmode.EventTypeInteractive:
		d.ack(evt)
		if cb, ok := evt.Data.(slackgo.InteractionCallback); ok {
			d.spawn(func(ctx context.Context) { d.interactive(ctx, cb) })
		}
	}
}

// eventKey names an Events API event to tell a redelivery from a new event: its
// event_id, else a message's channel and ts.
func eventKey(ev slackevents.EventsAPIEvent) string {
	if cb, ok := ev.Data.(*slackevents.EventsAPICallbackEvent); ok && cb.EventID != "" {
		return cb.EventID
	}
	if m, ok := ev.InnerEvent.Data.(*slackevents.MessageEvent); ok && m.TimeStamp != "" {
		return m.Channel + "/" + m.TimeStamp
	}
	return ""
}

// ack acknowledges an envelope with an empty payload: Slack wants it within 3 seconds,
// and grading takes longer, so replies go through the Web API instead.
func (d *dispatcher) ack(evt socketmode.Event) {
	if evt.Request == nil {
		return
	}
	if err := d.sm.AckCtx(d.ctx, evt.Request.EnvelopeID, nil); err != nil {
		d.a.log.Warn("ack", "envelope", evt.Request.EnvelopeID, "err", err)
	}
}

// spawn runs f in its own goroutine, so slow grading never blocks the socket.
func (d *dispatcher) spawn(f func(ctx context.Context)) {
	d.wg.Add(1)
	go func() {
		defer d.wg.Done()
		f(d.ctx)
	}()
}

func (d *dispatcher) user(id, name string) bot.User {
	return bot.User{Platform: Name, ID: id, Name: name}
}

// isDM reports whether a channel id is a direct message (Slack's D prefix).
func isDM(channel string) bool { return strings.HasPrefix(channel, "D") }

func (d *dispatcher) slash(ctx context.Context, cmd slackgo.SlashCommand) {
	text := strings.TrimSpace(cmd.Text)
	if text == "" {
		text = "help"
	}
	d.a.log.Debug("slash command", "user", cmd.UserID, "channel", cmd.ChannelID)
	d.a.remember(cmd.ChannelID, cmd.UserID, cmd.ResponseURL)
	d.h.Handle(ctx, bot.Event{
		Kind: bot.EventMessage,
		User: d.user(cmd.UserID, cmd.UserName),
		Conv: bot.Conversation{Platform: Name, ID: cmd.ChannelID, DM: isDM(cmd.ChannelID) || cmd.ChannelName == "directmessage", Guild: d.a.team()},
		Text: text,
	})
}

func (d *dispatcher) eventsAPI(ctx context.Context, ev slackevents.EventsAPIEvent) {
	switch inner := ev.InnerEvent.Data.(type) {
	case *slackevents.MessageEvent:
		d.message(ctx, inner)
	case *slackevents.AppHomeOpenedEvent:
		if inner.Tab == "home" {
			d.a.publishHome(ctx, d.h, inner.User, inner.Channel)
		}
	}
}

// message turns a person's message into an event: anything in the app's DM, and in
// channels only replies in the thread of their open question.
func (d *dispatcher) message(ctx context.Context, m *slackevents.MessageEvent) {
	msg := m.Message
	if msg == nil {
		msg = &slackgo.Msg{}
	}
	switch {
	case m.BotID != "" || msg.BotID != "", m.User == "":
		return // bots, including this one
	case m.SubType != "" && m.SubType != "file_share" && m.SubType != "thread_broadcast":
		return // edits, deletions, joins
	}
	d.a.mu.Lock()
	self := m.User == d.a.botUser
	d.a.mu.Unlock()
	if self {
		return
	}
	u := d.user(m.User, "")
	conv := bot.Conversation{Platform: Name, ID: m.Channel, DM: m.ChannelType == slackevents.ChannelTypeIM, Guild: d.a.team()}
	if !conv.DM {
		if m.ThreadTimeStamp == "" || !d.questionThread(u, m.Channel, m.ThreadTimeStamp) {
			return // channel chatter, not an answer
		}
		conv.Thread = m.ThreadTimeStamp
	}
	ev := bot.Event{Kind: bot.EventMessage, User: u, Conv: conv, Text: unescape(m.Text), Time: tsTime(m.TimeStamp)}
	if len(msg.Files) > 0 {
		f, ok := clip(msg.Files)
		if !ok && strings.TrimSpace(ev.Text) == "" {
			d.a.Send(ctx, bot.Message{Kind: bot.MsgError, Conv: conv, To: u,
				Text: "I can only take typed answers and audio or video clips. Record a clip or type your answer; any open question is still open."})
			return
		}
		if ok {
			ev.Audio = d.a.audio(f)
		}
	}
	d.a.log.Debug("message", "user", m.User, "channel", m.Channel, "thread", m.ThreadTimeStamp, "audio", ev.Audio != nil)
	d.h.Handle(ctx, ev)
}

// questionThread reports whether thread in channel holds u's open question.
func (d *dispatcher) questionThread(u bot.User, channel, thread string) bool {
	if f, ok := d.h.(answerFinder); ok {
		return f.AnswersIn(u, bot.Conversation{Platform: Name, ID: channel, Thread: thread, Guild: d.a.team()})
	}
	d.a.mu.Lock()
	defer d.a.mu.Unlock()
	return d.a.threads[channel+"/"+thread]
}

// clip returns the first audio or video file of a message.
func clip(files []slackgo.File) (slackgo.File, bool) {
	for _, f := range files {
		mt := strings.ToLower(f.Mimetype)
		if strings.HasPrefix(mt, "audio/") || strings.HasPrefix(mt, "video/") {
			return f, true
		}
	}
	return slackgo.File{}, false
}

// audio describes a Slack file as a recording that downloads with the bot token.
func (a *Adapter) audio(f slackgo.File) *bot.Audio {
	url := f.URLPrivateDownload
	if url == "" {
		url = f.URLPrivate
	}
	name := f.Name
	if name == "" {
		name = f.ID
	}
	return &bot.Audio{
		Name: name, ContentType: f.Mimetype, Size: int64(f.Size),
		Duration: time.Duration(f.DurationMs) * time.Millisecond,
		Open: func(ctx context.Context) (io.ReadCloser, error) {
			pr, pw := io.Pipe()
			go func() {
				err := a.api.GetFileContext(ctx, url, pw)
				if err != nil {
					a.log.Warn("download file", "file", f.ID, "err", slackError(err))
				}
				pw.CloseWithError(err)
			}()
			return pr, nil
		},
	}
}

// unescape undoes Slack's escaping of &, < and > in message text.
func unescape(s string) string {
	return strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&").Replace(s)
}

// tsTime reads a Slack timestamp ("1700000000.000100"); zero when it is not one.
func tsTime(ts string) time.Time {
	sec, frac, _ := strings.Cut(ts, ".")
	s, err := strconv.ParseInt(sec, 10, 64)
	if err != nil || s <= 0 {
		return time.Time{}
	}
	us, _ := strconv.ParseInt((frac + "000000")[:6], 10, 64)
	return time.Unix(s, us*1000)
}

// interactive handles button presses and the private-answer modal.
func (d *dispatcher) interactive(ctx context.Context, cb slackgo.InteractionCallback) {
	u := d.user(cb.User.ID, cb.User.Name)
	switch cb.Type {
	case slackgo.InteractionTypeBlockActions:
		for _, act := range cb.ActionCallback.BlockActions {
			d.press(ctx, cb, u, act.ActionID)
		}
	case slackgo.InteractionTypeViewSubmission:
		if cb.View.CallbackID != answerCallback {
			return
		}
		var conv bot.Conversation
		if err := json.Unmarshal([]byte(cb.View.PrivateMetadata), &conv); err != nil || conv.ID == "" {
			d.a.log.Warn("modal without a conversation", "view", cb.View.ID)
			return
		}
		conv.Platform = Name
		text := ""
		if cb.View.State != nil {
			text = cb.View.State.Values[answerBlock][answerInput].Value
		}
		d.a.log.Debug("modal answer", "user", u.ID, "channel", conv.ID)
		d.h.Handle(ctx, bot.Event{Kind: bot.EventMessage, User: u, Conv: conv, Text: text, Answer: true})
	}
}

// press handles one button.
func (d *dispatcher) press(ctx context.Context, cb slackgo.InteractionCallback, u bot.User, actionID string) {
	a := d.a
	switch actionID {
	case actionHomePlay, actionHomeHelp:
		conv, err := a.openDM(ctx, u.ID)
		if err != nil {
			a.log.Error("open dm", "user", u.ID, "err", err)
			return
		}
		text := "practice"
		if actionID == actionHomeHelp {
			text = "help"
		}
		d.h.Handle(ctx, bot.Event{Kind: bot.EventMessage, User: u, Conv: conv, Text: text})
		return
	case actionHomeStats:
		a.publishHome(ctx, d.h, u.ID, "")
		return
	case actionHomeDailyOn, actionHomeDailySkip, actionHomeDailyOff:
		conv, err := a.openDM(ctx, u.ID)
		if err != nil {
			a.log.Error("open dm", "user", u.ID, "err", err)
			return
		}
		d.h.Handle(ctx, bot.Event{Kind: bot.EventMessage, User: u, Conv: conv, Text: homeDailyWords[actionID]})
		a.publishHome(ctx, d.h, u.ID, conv.ID)
		return
	}
	channel := cb.Container.ChannelID
	if channel == "" {
		channel = cb.Channel.ID
	}
	if channel == "" {
		return
	}
	conv := bot.Conversation{Platform: Name, ID: channel, DM: isDM(channel), Guild: a.team()}
	if !conv.DM {
		conv.Thread = cb.Container.ThreadTs
		if conv.Thread == "" {
			conv.Thread = cb.Message.ThreadTimestamp
		}
	}
	if actionID == actionPrivate {
		if conv.Thread == "" {
			conv.Thread = cb.Container.MessageTs // the button is on the question, which heads the thread
		}
		a.openAnswerModal(ctx, cb.TriggerID, conv, cb.Message.Text)
		return
	}
	action, ok := strings.CutPrefix(actionID, actionPrefix)
	if !ok {
		return
	}
	d.h.Handle(ctx, bot.Event{Kind: bot.EventAction, User: u, Conv: conv, Action: action})
}

// openDM returns the app's DM with a person.
func (a *Adapter) openDM(ctx context.Context, user string) (bot.Conversation, error) {
	var ch *slackgo.Channel
	err := a.retry(ctx, "conversations.open", func(ctx context.Context) (err error) {
		ch, _, _, err = a.api.OpenConversationContext(ctx, &slackgo.OpenConversationParameters{Users: []string{user}})
		return err
	})
	if err != nil {
		return bot.Conversation{}, err
	}
	return bot.Conversation{Platform: Name, ID: ch.ID, DM: true}, nil
}

// openAnswerModal opens the modal whose submission is a private typed answer.
func (a *Adapter) openAnswerModal(ctx context.Context, trigger string, conv bot.Conversation, question string) {
	meta, _ := json.Marshal(bot.Conversation{ID: conv.ID, Thread: conv.Thread, DM: conv.DM})
	input := slackgo.NewPlainTextInputBlockElement(plain("Type your answer"), answerInput)
	input.Multiline = true
	input.MaxLength = maxModalAnswer
	var blocks []slackgo.Block
	if q := bot.FirstParagraph(question); q != "" {
		blocks = append(blocks, slackgo.NewContextBlock("question", slackgo.NewTextBlockObject(slackgo.PlainTextType, clipText(q, 2000), false, false)))
	}
	blocks = append(blocks, slackgo.NewInputBlock(answerBlock, plain("Your answer"),
		plain("Only Quorum sees this; the verdict goes where the question was asked."), input))
	view := slackgo.ModalViewRequest{
		Type: slackgo.VTModal, Title: plain("Answer privately"), Submit: plain("Submit"), Close: plain("Cancel"),
		CallbackID: answerCallback, PrivateMetadata: string(meta), Blocks: slackgo.Blocks{BlockSet: blocks},
	}
	err := a.retry(ctx, "views.open", func(ctx context.Context) error {
		_, err := a.api.OpenViewContext(ctx, trigger, view)
		return err
	})
	if err != nil {
		a.log.Error("open answer modal", "channel", conv.ID, "err", slackError(err))
	}
}

func plain(s string) *slackgo.TextBlockObject {
	return slackgo.NewTextBlockObject(slackgo.PlainTextType, s, false, false)
}
