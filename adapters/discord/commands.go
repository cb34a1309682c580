package discord

import (
	"fmt"
	"slices"
	"strings"

	"github.com/bwmarrin/discordgo"

	"github.com/quorum-dev/quorum/bot"
)

// maxChoices is Discord's limit on an option's fixed choices; more topics use autocomplete.
const maxChoices = 25

// defaultTopics are the embedded bank's topics, for a handler that does not expose its bank.
var defaultTopics = []string{"behavioral", "byzantine", "coding", "consensus", "consistency", "coordination",
	"fault-tolerance", "messaging", "papers", "partitioning", "replication", "storage", "system-design", "time", "transactions"}

// banker is what *bot.Bot offers beyond bot.Handler: the topics for the /practice choices.
type banker interface{ Bank() *bot.Bank }

// topicsOf returns the topics the handler's bank has.
func topicsOf(h bot.Handler) []string {
	if b, ok := h.(banker); ok && b.Bank() != nil {
		if ts := b.Bank().Topics(); len(ts) > 0 {
			return ts
		}
	}
	return defaultTopics
}

// tagsOf returns the tags of the handler's bank, those most questions carry first: every
// topic option takes them too ("kafka").
func tagsOf(h bot.Handler) []string {
	if b, ok := h.(banker); ok && b.Bank() != nil {
		return b.Bank().Tags()
	}
	return nil
}

// privateCommands answer only the person who ran them when run in a server channel.
var privateCommands = map[string]bool{"stats": true, "resume": true, "forget": true, "help": true, "export": true}

// manageServer is the permission /drill needs.
const manageServer = int64(discordgo.PermissionManageGuild)

// slashCommands are the commands of DESIGN.md's chat surface. A topic is autocompleted
// from the topics and then the bank's tags (tags); with no tags and at most Discord's 25
// topics, it is a fixed choice of topics.
func slashCommands(topics, tags []string) []*discordgo.ApplicationCommand {
	str := discordgo.ApplicationCommandOptionString
	topic := func(desc string) *discordgo.ApplicationCommandOption {
		o := &discordgo.ApplicationCommandOption{Type: str, Name: "topic", Description: desc}
		if len(topics) > maxChoices || len(tags) > 0 {
			o.Autocomplete = true
			return o
		}
		for _, t := range topics {
			o.Choices = append(o.Choices, &discordgo.ApplicationCommandOptionChoice{Name: t, Value: t})
		}
		return o
	}
	difficulty := &discordgo.ApplicationCommandOption{Type: str, Name: "difficulty", Description: "How hard"}
	for _, d := range bot.Difficulties {
		difficulty.Choices = append(difficulty.Choices, &discordgo.ApplicationCommandOptionChoice{Name: d, Value: d})
	}
	opt := func(name, desc string, required bool) *discordgo.ApplicationCommandOption {
		return &discordgo.ApplicationCommandOption{Type: str, Name: name, Description: desc, Required: required}
	}
	sub := func(name, desc string, opts ...*discordgo.ApplicationCommandOption) *discordgo.ApplicationCommandOption {
		return &discordgo.ApplicationCommandOption{Type: discordgo.ApplicationCommandOptionSubCommand, Name: name, Description: desc, Options: opts}
	}
	perm := manageServer
	guildOnly := []discordgo.InteractionContextType{discordgo.InteractionContextGuild}
	return []*discordgo.ApplicationCommand{
		{Name: "practice", Description: "One interview question, graded when you answer",
			Options: []*discordgo.ApplicationCommandOption{topic("Topic, or a system such as kafka"), difficulty}},
		{Name: "interview", Description: "A mock interview of several questions",
			Options: []*discordgo.ApplicationCommandOption{topic("Topic, or a system such as raft")}},
		{Name: "daily", Description: "A question for you every day by DM", Options: []*discordgo.ApplicationCommandOption{
			sub("on", "Turn daily questions on", opt("time", "When, as HH:MM", true), opt("timezone", "An IANA zone such as Europe/Berlin", false),
				opt("days", "Which days, such as mon-fri", false), topic("Topic of the questions, or a system such as etcd")),
			sub("off", "Turn daily questions off"), sub("skip", "Skip the next daily question"), sub("status", "Show your daily schedule"),
		}},
		{Name: "drill", Description: "Scheduled question drills for this channel",
			DefaultMemberPermissions: &perm, Contexts: &guildOnly, Options: []*discordgo.ApplicationCommandOption{
				sub("add", "Schedule a drill", opt("cron", "A cron schedule such as 0 9 * * 1-5", true),
					opt("timezone", "An IANA zone such as Europe/Berlin", false), topic("Topic of the drill, or a system such as kafka"), difficulty,
					opt("window", "How long answers are taken, such as 2h (default 1h)", false)),
				sub("list", "List this server's drills"), sub("remove", "Remove a drill", opt("id", "The drill's id", true)),
				sub("pause", "Pause a drill", opt("id", "The drill's id", true)), sub("resume", "Resume a drill", opt("id", "The drill's id", true)),
			}},
		{Name: "stats", Description: "Your pass rates, dimension averages, trend and streak, with a chart"},
		{Name: "leaderboard", Description: "Who passed the most drill questions",
			Options: []*discordgo.ApplicationCommandOption{
				{Type: str, Name: "period", Description: "How far back", Choices: []*discordgo.ApplicationCommandOptionChoice{
					{Name: "week", Value: "week"}, {Name: "month", Value: "month"}, {Name: "all time", Value: "all"}}},
				{Type: discordgo.ApplicationCommandOptionBoolean, Name: "server", Description: "Every channel of this server, not just this one"},
			}},
		{Name: "resume", Description: "Give Quorum your resume so it can tailor questions",
			Options: []*discordgo.ApplicationCommandOption{opt("text", "Your resume as text", false)}},
		{Name: "forget", Description: "Delete everything Quorum keeps about you", Options: []*discordgo.ApplicationCommandOption{
			{Type: discordgo.ApplicationCommandOptionBoolean, Name: "confirm", Description: "Yes, delete it all"}}},
		{Name: "export", Description: "Everything Quorum keeps about you, as a JSON file (in a DM)"},
		{Name: "help", Description: "What Quorum can do"},
	}
}

// commandText turns a slash command into the words the core reads:
// /practice topic:consensus difficulty:hard → "practice consensus hard".
func commandText(d discordgo.ApplicationCommandInteractionData) string {
	words := []string{d.Name}
	var walk func([]*discordgo.ApplicationCommandInteractionDataOption)
	walk = func(opts []*discordgo.ApplicationCommandInteractionDataOption) {
		for _, o := range opts {
			// No discordgo accessors here: they panic on a value of another type.
			switch {
			case o == nil:
			case o.Type == discordgo.ApplicationCommandOptionSubCommand, o.Type == discordgo.ApplicationCommandOptionSubCommandGroup:
				words = append(words, o.Name)
				walk(o.Options)
			case o.Type == discordgo.ApplicationCommandOptionBoolean:
				if on, _ := o.Value.(bool); on {
					words = append(words, o.Name)
				}
			case o.Value != nil:
				if v := strings.TrimSpace(fmt.Sprint(o.Value)); v != "" {
					words = append(words, v)
				}
			}
		}
	}
	walk(d.Options)
	return strings.Join(words, " ")
}

// usesDrill reports whether the command is /drill, which needs Manage Server.
func usesDrill(d discordgo.ApplicationCommandInteractionData) bool { return d.Name == "drill" }

// mayManage reports whether a member's permissions include Manage Server (or Administrator).
func mayManage(m *discordgo.Member) bool {
	return m != nil && (m.Permissions&manageServer != 0 || m.Permissions&discordgo.PermissionAdministrator != 0)
}

// topicChoices answers an autocomplete request for a topic: the topics, then the tags,
// that start with (then contain) what was typed, at most 25.
func topicChoices(topics, tags []string, typed string) []*discordgo.ApplicationCommandOptionChoice {
	typed = strings.ToLower(strings.TrimSpace(typed))
	var first, rest []string
	seen := map[string]bool{}
	for _, t := range slices.Concat(topics, tags) {
		if seen[t] {
			continue // a tag named like a topic
		}
		seen[t] = true
		switch {
		case strings.HasPrefix(t, typed):
			first = append(first, t)
		case strings.Contains(t, typed):
			rest = append(rest, t)
		}
	}
	out := []*discordgo.ApplicationCommandOptionChoice{}
	for _, t := range slices.Concat(first, rest) {
		if len(out) == maxChoices {
			break
		}
		out = append(out, &discordgo.ApplicationCommandOptionChoice{Name: t, Value: t})
	}
	return out
}

// focused returns the value typed into the focused option, if any.
func focused(opts []*discordgo.ApplicationCommandInteractionDataOption) string {
	for _, o := range opts {
		if o == nil {
			continue
		}
		if o.Focused {
			if o.Value == nil {
				return ""
			}
			return fmt.Sprint(o.Value)
		}
		if v := focused(o.Options); v != "" {
			return v
		}
	}
	return ""
}
