package discord

import (
	"context"
	"strings"
	"sync"

	"github.com/bwmarrin/discordgo"

	"github.com/quorum-dev/quorum/bot"
)

// reply is the interaction an event came from, carried in the handler's context so that
// Send answers through it.
type reply struct {
	i    *discordgo.Interaction
	conv bot.Conversation
	// deferred is set when the interaction was answered "thinking…" (type 5): the first
	// message sent replaces that response.
	deferred bool
	// ephemeral is set when only the person sees the replies.
	ephemeral bool

	mu     sync.Mutex
	edited bool
}

// claim reports whether this is the first message, which must edit the deferred response.
func (r *reply) claim() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	first := !r.edited
	r.edited = true
	return first
}

type replyKey struct{}

// replyFrom returns the interaction behind ctx when msg goes to the same conversation.
func replyFrom(ctx context.Context, msg bot.Message) *reply {
	r, _ := ctx.Value(replyKey{}).(*reply)
	if r == nil || r.conv.ID != msg.Conv.ID || r.conv.DM != msg.Conv.DM {
		return nil
	}
	return r
}

func interactionUser(i *discordgo.Interaction) *discordgo.User {
	if i.Member != nil && i.Member.User != nil {
		return i.Member.User
	}
	return i.User
}

// respond sends an interaction's first response; Discord allows 3 seconds for it.
func (a *Adapter) respond(ctx context.Context, i *discordgo.Interaction, resp *discordgo.InteractionResponse) bool {
	if err := a.s.InteractionRespond(i, resp, discordgo.WithContext(ctx)); err != nil {
		a.log.Error("answer interaction", "interaction", i.ID, "type", i.Type, "err", scrub(err))
		return false
	}
	return true
}

func deferred(ephemeral bool) *discordgo.InteractionResponse {
	resp := &discordgo.InteractionResponse{Type: discordgo.InteractionResponseDeferredChannelMessageWithSource}
	if ephemeral {
		resp.Data = &discordgo.InteractionResponseData{Flags: discordgo.MessageFlagsEphemeral}
	}
	return resp
}

// onInteraction acknowledges an interaction at once, then hands its event to h.
func (a *Adapter) onInteraction(h bot.Handler, i *discordgo.Interaction) {
	if i == nil { // as in onMessage: a payload discordgo could not decode
		return
	}
	u := interactionUser(i)
	if u == nil || u.ID == "" || u.Bot {
		return
	}
	ctx := context.Background()
	guild := i.GuildID != ""
	switch i.Type {
	case discordgo.InteractionApplicationCommandAutocomplete:
		data, ok := i.Data.(discordgo.ApplicationCommandInteractionData)
		if !ok {
			return
		}
		a.mu.Lock()
		topics, tags := a.topics, a.tags
		a.mu.Unlock()
		a.respond(ctx, i, &discordgo.InteractionResponse{Type: discordgo.InteractionApplicationCommandAutocompleteResult,
			Data: &discordgo.InteractionResponseData{Choices: topicChoices(topics, tags, focused(data.Options))}})

	case discordgo.InteractionApplicationCommand:
		// The comma-ok forms: discordgo's accessors panic on an interaction without data.
		data, ok := i.Data.(discordgo.ApplicationCommandInteractionData)
		if !ok {
			return
		}
		if usesDrill(data) && (!guild || !mayManage(i.Member)) {
			a.respond(ctx, i, &discordgo.InteractionResponse{Type: discordgo.InteractionResponseChannelMessageWithSource,
				Data: &discordgo.InteractionResponseData{Content: "Drills are set up by people with the Manage Server permission.",
					Flags: discordgo.MessageFlagsEphemeral}})
			return
		}
		private := guild && privateCommands[data.Name]
		if !a.respond(ctx, i, deferred(private)) {
			return
		}
		a.log.Debug("slash command", "interaction", i.ID, "command", data.Name, "channel", i.ChannelID, "user", u.ID)
		a.spawn(func(ctx context.Context) {
			conv, _ := a.conversation(ctx, i.GuildID, i.ChannelID)
			r := &reply{i: i, conv: conv, deferred: true, ephemeral: private}
			h.Handle(context.WithValue(ctx, replyKey{}, r), bot.Event{Kind: bot.EventMessage, User: user(u), Conv: conv, Text: commandText(data),
				Manager: guild && mayManage(i.Member)})
			if r.claim() { // the core said nothing: do not leave "thinking…" behind
				done := "Done."
				if _, err := a.s.InteractionResponseEdit(i, &discordgo.WebhookEdit{Content: &done}, discordgo.WithContext(ctx)); err != nil {
					a.log.Warn("close interaction", "interaction", i.ID, "err", scrub(err))
				}
			}
		})

	case discordgo.InteractionMessageComponent:
		data, ok := i.Data.(discordgo.MessageComponentInteractionData)
		if !ok {
			return
		}
		id := data.CustomID
		if !strings.HasPrefix(id, idPrefix) {
			return
		}
		if id == idAnswer {
			a.respond(ctx, i, answerModal())
			return
		}
		if !a.respond(ctx, i, &discordgo.InteractionResponse{Type: discordgo.InteractionResponseDeferredMessageUpdate}) {
			return
		}
		a.log.Debug("button", "interaction", i.ID, "action", id, "channel", i.ChannelID, "user", u.ID)
		a.spawn(func(ctx context.Context) {
			conv := a.componentConversation(ctx, i)
			r := &reply{i: i, conv: conv}
			h.Handle(context.WithValue(ctx, replyKey{}, r), bot.Event{Kind: bot.EventAction, User: user(u), Conv: conv,
				Action: strings.TrimPrefix(id, idPrefix)})
		})

	case discordgo.InteractionModalSubmit:
		data, ok := i.Data.(discordgo.ModalSubmitInteractionData)
		if !ok || data.CustomID != idAnswerForm {
			return
		}
		text := modalText(data)
		private := a.cfg.EphemeralFeedback && guild
		resp := &discordgo.InteractionResponse{Type: discordgo.InteractionResponseDeferredMessageUpdate}
		if private {
			resp = deferred(true)
		}
		if !a.respond(ctx, i, resp) {
			return
		}
		a.log.Debug("answer form", "interaction", i.ID, "channel", i.ChannelID, "user", u.ID)
		a.spawn(func(ctx context.Context) {
			conv := a.componentConversation(ctx, i)
			r := &reply{i: i, conv: conv, deferred: private, ephemeral: private}
			h.Handle(context.WithValue(ctx, replyKey{}, r), bot.Event{Kind: bot.EventMessage, User: user(u), Conv: conv, Text: text, Answer: true})
		})
	}
}

// componentConversation is where a button or form belongs: a button on a question whose
// thread Quorum opened belongs to that thread (a thread started from a message has the
// message's id).
func (a *Adapter) componentConversation(ctx context.Context, i *discordgo.Interaction) bot.Conversation {
	conv, _ := a.conversation(ctx, i.GuildID, i.ChannelID)
	if conv.DM || conv.Thread != "" || i.Message == nil {
		return conv
	}
	if th, ok := a.conversation(ctx, i.GuildID, i.Message.ID); ok && th.Thread != "" && th.ID == conv.ID {
		return th
	}
	return conv
}

// modalText is what was typed into the answer form.
func modalText(d discordgo.ModalSubmitInteractionData) string {
	for _, row := range d.Components {
		r, ok := row.(*discordgo.ActionsRow)
		if !ok {
			continue
		}
		for _, c := range r.Components {
			if t, ok := c.(*discordgo.TextInput); ok && t.CustomID == idAnswerText {
				return t.Value
			}
		}
	}
	return ""
}
