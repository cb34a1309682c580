package discord

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/quorum-dev/quorum/bot"
)

// Send implements bot.Platform. A question in a server channel gets its own thread
// (bot.Sent.Thread). Replies to a slash command replace its "thinking…" response; with
// EphemeralFeedback, verdicts on questions asked by slash command go only to their person.
// Only post carries a message's nonce: RedeliveryWindow mirrors the routes below, so a
// new route that is not post must be excluded there too.
func (a *Adapter) Send(ctx context.Context, msg bot.Message) (bot.Sent, error) {
	r := render(msg)
	ir := replyFrom(ctx, msg)

	if ir != nil && ir.deferred && ir.claim() {
		m, err := a.s.InteractionResponseEdit(ir.i, &discordgo.WebhookEdit{Content: &r.content, Embeds: &r.embeds,
			Components: &r.components, AllowedMentions: r.mentions, Files: r.files()}, discordgo.WithContext(ctx))
		if err != nil {
			return bot.Sent{}, fmt.Errorf("edit interaction response: %w", scrub(err))
		}
		sent := bot.Sent{ID: m.ID, Thread: msg.Conv.Thread}
		if needsThread(msg) && !ir.ephemeral {
			sent.Thread = a.startThread(ctx, msg, m.ID)
			a.remember(sent.Thread, ir.i)
		}
		return sent, nil
	}
	if ir != nil && ir.ephemeral {
		return a.followUp(ctx, ir.i, r, true)
	}
	if msg.Kind == bot.MsgVerdict && a.cfg.EphemeralFeedback && !msg.Conv.DM {
		if ir != nil {
			return a.followUp(ctx, ir.i, r, true)
		}
		if i := a.origin(msg.Conv.Thread); i != nil {
			sent, err := a.followUp(ctx, i, r, true)
			if err == nil {
				note := fmt.Sprintf("%s's answer is graded; the feedback went to them privately.", msg.To.Name)
				if _, err := a.post(ctx, msg.Conv.Thread, rendered{content: note, mentions: &discordgo.MessageAllowedMentions{}}); err != nil {
					a.log.Warn("post graded note", "thread", msg.Conv.Thread, "err", err)
				}
				return sent, nil
			}
			a.log.Warn("ephemeral verdict; posting it in the thread", "thread", msg.Conv.Thread, "err", err)
		}
	}
	if msg.Private && !msg.Conv.DM && msg.To.ID != "" {
		return a.sendPrivately(ctx, msg, r)
	}

	channel := msg.Conv.ID
	if msg.Conv.Thread != "" {
		channel = msg.Conv.Thread
	}
	m, err := a.post(ctx, channel, r)
	if err != nil && len(r.attach) > 0 && missingPermissions(err) {
		// Without Attach Files the text still goes: it is complete on its own.
		a.log.Warn("no Attach Files permission here; sending without the files", "channel", channel, "files", len(r.attach))
		m, err = a.post(ctx, channel, r.withoutFiles())
	}
	if err != nil {
		return bot.Sent{}, err
	}
	sent := bot.Sent{ID: m.ID, Thread: msg.Conv.Thread}
	if needsThread(msg) {
		sent.Thread = a.startThread(ctx, msg, m.ID)
	}
	return sent, nil
}

// missingPermissions reports whether Discord refused a request for lack of a permission.
func missingPermissions(err error) bool {
	var re *discordgo.RESTError
	return errors.As(err, &re) && re.Message != nil && re.Message.Code == discordgo.ErrCodeMissingPermissions
}

// needsThread reports whether msg is a question in a server channel outside a thread.
func needsThread(msg bot.Message) bool {
	return msg.Kind == bot.MsgQuestion && !msg.Conv.DM && msg.Conv.Thread == ""
}

// messageSend is discordgo's MessageSend with the nonce fields it lacks.
type messageSend struct {
	*discordgo.MessageSend
	Nonce        string `json:"nonce,omitempty"`
	EnforceNonce bool   `json:"enforce_nonce,omitempty"`
}

// post creates a message in a channel. It carries a nonce with enforce_nonce, so a
// retry after a lost response (discordgo retries 502s and 429s) cannot post it twice;
// a question has a nonce made from its key (render), so neither can a send again after
// a restart (RedeliveryWindow).
func (a *Adapter) post(ctx context.Context, channel string, r rendered) (*posted, error) {
	nonce := r.nonce
	if nonce == "" {
		b := make([]byte, 12)
		rand.Read(b)
		nonce = hex.EncodeToString(b)
	}
	body := messageSend{MessageSend: &discordgo.MessageSend{Content: r.content, Embeds: r.embeds, Components: r.components,
		AllowedMentions: r.mentions}, Nonce: nonce, EnforceNonce: true}
	endpoint := discordgo.EndpointChannelMessages(channel)
	var resp []byte
	var err error
	if files := r.files(); len(files) > 0 {
		// Attachments go as multipart/form-data: the message in payload_json, each file in files[n].
		contentType, data, encErr := discordgo.MultipartBodyWithJSON(body, files)
		if encErr != nil {
			return nil, fmt.Errorf("post message in %s: encode files: %w", channel, encErr)
		}
		resp, err = a.s.RequestRaw("POST", endpoint, contentType, data, endpoint, 0, discordgo.WithContext(ctx))
	} else {
		resp, err = a.s.RequestWithBucketID("POST", endpoint, body, endpoint, discordgo.WithContext(ctx))
	}
	if err != nil {
		return nil, fmt.Errorf("post message in %s: %w", channel, err)
	}
	// Only the new message's id is used. Decoding the whole message as discordgo does
	// (components, embeds) was a tenth of the CPU of a burst of replies.
	var m posted
	if err := json.Unmarshal(resp, &m); err != nil {
		return nil, fmt.Errorf("post message in %s: read answer: %w", channel, err)
	}
	return &m, nil
}

// RedeliveryWindow implements bot.Redelivering: a question, verdict, report or time's-up
// note posted as a channel message carries a nonce made from its key (render), which
// Discord checks against the author's messages of "the past few minutes"; two is well
// inside that. A question that answers a
// slash command (the command's response, an ephemeral follow-up) or goes privately has no
// nonce, so it cannot be sent again safely.
func (a *Adapter) RedeliveryWindow(ctx context.Context, msg bot.Message) time.Duration {
	switch {
	case msg.Kind != bot.MsgQuestion && msg.Kind != bot.MsgVerdict && msg.Kind != bot.MsgReport && msg.Kind != bot.MsgTimeUp:
		return 0
	case msg.Kind == bot.MsgVerdict && a.cfg.EphemeralFeedback && !msg.Conv.DM:
		return 0 // an ephemeral follow-up
	}
	if ir := replyFrom(ctx, msg); ir != nil && (ir.deferred || ir.ephemeral) {
		return 0
	}
	if msg.Private && !msg.Conv.DM {
		return 0
	}
	return 2 * time.Minute
}

// posted is what post reads of the message Discord created.
type posted struct {
	ID string `json:"id"`
}

// followUp sends a follow-up message to an interaction.
func (a *Adapter) followUp(ctx context.Context, i *discordgo.Interaction, r rendered, ephemeral bool) (bot.Sent, error) {
	p := &discordgo.WebhookParams{Content: r.content, Embeds: r.embeds, Components: r.components, AllowedMentions: r.mentions, Files: r.files()}
	if ephemeral {
		p.Flags = discordgo.MessageFlagsEphemeral
	}
	m, err := a.s.FollowupMessageCreate(i, true, p, discordgo.WithContext(ctx))
	if err != nil {
		return bot.Sent{}, fmt.Errorf("follow up interaction: %w", scrub(err))
	}
	return bot.Sent{ID: m.ID}, nil
}

// noThreadNote goes under a question whose thread could not be started.
const noThreadNote = "I couldn't open a thread for this question here (Quorum needs the Create Public Threads permission in this channel), " +
	"so replies in the channel are not read: answer with the **Answer privately** button on the question."

// startThread opens the question's thread from its message. When that fails the question
// stays in the channel and can still be answered with the "Answer privately" form.
func (a *Adapter) startThread(ctx context.Context, msg bot.Message, messageID string) string {
	name := "Question"
	if msg.Question != nil {
		name = msg.Question.ID
	}
	if msg.To.Name != "" {
		name = msg.To.Name + " · " + name
	}
	th, err := a.s.MessageThreadStartComplex(msg.Conv.ID, messageID, &discordgo.ThreadStart{
		Name: clip(name, 100), AutoArchiveDuration: 1440, Type: discordgo.ChannelTypeGuildPublicThread,
	}, discordgo.WithContext(ctx))
	var re *discordgo.RESTError
	switch {
	case errors.As(err, &re) && re.Message != nil && re.Message.Code == discordgo.ErrCodeThreadAlreadyCreatedForThisMessage:
		// The question came back as a message posted before (its nonce: sent again
		// after a restart), whose thread was started then: a thread started from a
		// message has the message's id.
		th = &discordgo.Channel{ID: messageID}
	case err != nil:
		a.log.Error("start thread", "channel", msg.Conv.ID, "message", messageID, "err", err)
		// The question tells people to reply in its thread, and Quorum does not read the
		// channel: say where answers go instead, under the question.
		if _, err := a.s.ChannelMessageSendComplex(msg.Conv.ID, &discordgo.MessageSend{
			Content:   noThreadNote,
			Reference: &discordgo.MessageReference{MessageID: messageID, ChannelID: msg.Conv.ID},
		}, discordgo.WithContext(ctx)); err != nil {
			a.log.Error("say the thread is missing", "channel", msg.Conv.ID, "err", scrub(err))
		}
		return ""
	}
	a.mu.Lock()
	a.threads[th.ID] = msg.Conv.ID
	a.mu.Unlock()
	return th.ID
}

// remember keeps the slash command that asked a thread's question, for ephemeral verdicts.
func (a *Adapter) remember(thread string, i *discordgo.Interaction) {
	if thread == "" || !a.cfg.EphemeralFeedback {
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	now := time.Now()
	for k, o := range a.origins {
		if now.Sub(o.at) > tokenLife {
			delete(a.origins, k)
		}
	}
	a.origins[thread] = &origin{i: i, at: now}
}

// origin returns the slash command that asked the thread's question while its token works.
func (a *Adapter) origin(thread string) *discordgo.Interaction {
	a.mu.Lock()
	defer a.mu.Unlock()
	o := a.origins[thread]
	if o == nil || time.Since(o.at) > tokenLife {
		return nil
	}
	return o.i
}

// DM returns the direct conversation with a person, opening it if needed (for messages
// Quorum starts itself, such as daily questions).
func (a *Adapter) DM(ctx context.Context, userID string) (bot.Conversation, error) {
	c, err := a.s.UserChannelCreate(userID, discordgo.WithContext(ctx))
	if err != nil {
		return bot.Conversation{}, fmt.Errorf("open DM: %w", err)
	}
	return bot.Conversation{Platform: "discord", ID: c.ID, DM: true}, nil
}

// sendPrivately delivers a message meant only for its person (feedback on a channel drill
// answer) by DM: Discord has ephemeral messages only as replies to interactions. The
// thread gets a note that the answer was graded.
func (a *Adapter) sendPrivately(ctx context.Context, msg bot.Message, r rendered) (bot.Sent, error) {
	dm, err := a.DM(ctx, msg.To.ID)
	if err != nil {
		return bot.Sent{}, err
	}
	m, err := a.post(ctx, dm.ID, r)
	if err != nil {
		return bot.Sent{}, err
	}
	where := msg.Conv.ID
	if msg.Conv.Thread != "" {
		where = msg.Conv.Thread
	}
	note := "An answer was graded; the feedback went to its author by direct message."
	if msg.To.Name != "" {
		note = msg.To.Name + "'s answer is graded; the feedback went to them by direct message."
	}
	if _, err := a.post(ctx, where, rendered{content: note, mentions: &discordgo.MessageAllowedMentions{}}); err != nil {
		a.log.Warn("post graded note", "channel", where, "err", scrub(err))
	}
	return bot.Sent{ID: m.ID}, nil
}
