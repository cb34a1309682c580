package bot

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// drillCommand handles `drill add|list|remove|pause|resume`. Listing is for everyone;
// changes need the platform's manager right in that server or workspace.
func (b *Bot) drillCommand(ctx context.Context, ev Event, args []string) {
	store, ok := b.drillStore()
	if !ok {
		b.reply(ctx, ev, MsgInfo, "", "Channel drills aren't available with this store.")
		return
	}
	if ev.Conv.DM {
		b.reply(ctx, ev, MsgInfo, "", "Drills post to a channel: run `drill add 0 9 * * mon-fri Europe/Berlin` in the channel where the questions should go. For a question of your own every day, use `daily on 09:00`.")
		return
	}
	sub := "list"
	if len(args) > 0 {
		sub, args = strings.ToLower(args[0]), args[1:]
	}
	if sub != "list" {
		ok, err := b.mayManage(ctx, ev)
		if err != nil {
			b.log.Error("check manager right", "user", ev.User.Key(), "err", err)
			b.reply(ctx, ev, MsgError, "", "Sorry, I couldn't check your permissions just now. Please try again in a moment.")
			return
		}
		if !ok {
			b.reply(ctx, ev, MsgInfo, "", b.managerRule(ev.Conv.Platform))
			return
		}
	}
	channel := Conversation{Platform: ev.Conv.Platform, ID: ev.Conv.ID, Guild: ev.Conv.Guild}
	switch sub {
	case "add", "new", "create":
		d, err := ParseDrill(args, b.bank.Topics(), b.bank.Tags(), b.clock.Now())
		if err != nil {
			b.reply(ctx, ev, MsgInfo, "", err.Error())
			return
		}
		f := b.topicFilter(d.Topic)
		f.Difficulty = d.Difficulty
		if len(b.bank.Select(f)) == 0 {
			b.reply(ctx, ev, MsgInfo, "", fmt.Sprintf("I have no %s questions for a drill. Try another topic or difficulty.", describeFilter(f)))
			return
		}
		d.Conv, d.By, d.Created = channel, ev.User, b.clock.Now()
		if err := store.SaveDrill(ctx, d); err != nil {
			b.log.Error("save drill", "user", ev.User.Key(), "err", err)
			b.reply(ctx, ev, MsgError, "", "Sorry, I couldn't save the drill just now. Please try again in a moment.")
			return
		}
		b.armDrill(d)
		b.reply(ctx, ev, MsgInfo, "", fmt.Sprintf("Drill %s added. The first question comes %s. `drill pause %d` or `drill remove %d` to change that.",
			d.Describe(), b.when(d), d.ID, d.ID))
	case "list", "ls", "status":
		all, err := store.Drills(ctx)
		if err != nil {
			b.log.Error("load drills", "err", err)
			b.reply(ctx, ev, MsgError, "", "Sorry, I couldn't load the drills just now. Please try again in a moment.")
			return
		}
		var lines []string
		for _, d := range all {
			if sameServer(d.Conv, channel) {
				line := "• " + d.Describe()
				if d.Conv.ID != channel.ID {
					line += " in another channel"
				} else if !d.Paused {
					line += ", next " + b.when(d)
				}
				lines = append(lines, line)
			}
		}
		if len(lines) == 0 {
			b.reply(ctx, ev, MsgInfo, "", "No drills here yet. Add one with `drill add 0 9 * * mon-fri Europe/Berlin [topic] [window=2h]`.")
			return
		}
		b.reply(ctx, ev, MsgInfo, "Drills", "Drills:\n"+strings.Join(lines, "\n"))
	case "remove", "rm", "delete", "pause", "resume":
		d, problem := b.drillByID(ctx, args, channel)
		if problem != "" {
			b.reply(ctx, ev, MsgInfo, "", problem)
			return
		}
		var text string
		var err error
		switch sub {
		case "pause":
			d.Paused = true
			err = store.SaveDrill(ctx, d)
			b.disarmDrill(d.ID)
			text = fmt.Sprintf("Drill #%d paused. `drill resume %d` starts it again.", d.ID, d.ID)
		case "resume":
			d.Paused = false
			err = store.SaveDrill(ctx, d)
			b.armDrill(d)
			text = fmt.Sprintf("Drill #%d resumed. The next question comes %s.", d.ID, b.when(d))
		default:
			b.disarmDrill(d.ID)
			err = store.DeleteDrill(ctx, d.ID)
			text = fmt.Sprintf("Drill #%d removed. Its past results stay in the leaderboard.", d.ID)
		}
		if err != nil {
			b.log.Error("change drill", "drill", d.ID, "err", err)
			b.reply(ctx, ev, MsgError, "", "Sorry, I couldn't change the drill just now. Please try again in a moment.")
			return
		}
		b.reply(ctx, ev, MsgInfo, "", text)
	default:
		b.reply(ctx, ev, MsgInfo, "", "Use `drill add <cron> [timezone] [topic] [difficulty] [window=1h]`, `drill list`, `drill pause <id>`, `drill resume <id>` or `drill remove <id>`.")
	}
}

// drillByID finds the drill an argument names, in the same server as channel.
func (b *Bot) drillByID(ctx context.Context, args []string, channel Conversation) (*Drill, string) {
	if len(args) == 0 {
		return nil, "Which drill? Give its number from `drill list`, like `drill pause 3`."
	}
	id, err := strconv.ParseUint(strings.TrimPrefix(args[0], "#"), 10, 64)
	if err != nil {
		return nil, fmt.Sprintf("%q isn't a drill number; `drill list` shows them.", truncate(args[0], 20))
	}
	store, _ := b.drillStore()
	d, err := store.Drill(ctx, id)
	if errors.Is(err, ErrNotFound) || (err == nil && !sameServer(d.Conv, channel)) {
		// Another server's drill is reported as missing: ids are not a way to probe.
		return nil, fmt.Sprintf("There is no drill #%d here; `drill list` shows this server's drills.", id)
	}
	if err != nil {
		b.log.Error("load drill", "drill", id, "err", err)
		return nil, "Sorry, I couldn't load that drill just now. Please try again in a moment."
	}
	return d, ""
}

// sameServer reports whether two channels are in one server (or are one channel, when
// the server is not known).
func sameServer(a, c Conversation) bool {
	if a.Platform != c.Platform {
		return false
	}
	if a.Guild != "" || c.Guild != "" {
		return a.Guild == c.Guild
	}
	return a.ID == c.ID
}

// mayManage reports whether the person may change the channel's drills.
func (b *Bot) mayManage(ctx context.Context, ev Event) (bool, error) {
	if ev.Manager {
		return true, nil
	}
	p, ok := b.platform(ev.Conv.Platform)
	if !ok {
		return false, nil
	}
	m, ok := p.(Moderation)
	if !ok {
		return false, nil
	}
	return m.CanManage(ctx, ev.User, ev.Conv)
}

func (b *Bot) managerRule(platform string) string {
	switch platform {
	case "discord":
		return "Drills are set up by people with the Manage Server permission. Anyone can answer them, and `drill list` shows them."
	case "slack":
		return "Drills are set up by workspace admins (or the user group your Quorum admin configured). Anyone can answer them, and `drill list` shows them."
	}
	return "Drills are set up by the people who manage this space. Anyone can answer them, and `drill list` shows them."
}

// when says when d runs next, in its timezone.
func (b *Bot) when(d *Drill) string {
	next := d.Next(b.clock.Now())
	if next.IsZero() {
		return "never (check the schedule)"
	}
	loc, err := time.LoadLocation(d.TZ)
	if err != nil {
		loc = time.UTC
	}
	return next.In(loc).Format("Mon 2 Jan at 15:04 MST")
}
