package slack

import (
	"context"

	slackgo "github.com/slack-go/slack"

	"github.com/quorum-dev/quorum/bot"
)

// publishHome shows a person's App Home: their stats (when the handler can make them),
// buttons to practise in the DM, and how to use /quorum.
func (a *Adapter) publishHome(ctx context.Context, h bot.Handler, user, dm string) {
	u := bot.User{Platform: Name, ID: user}
	conv := bot.Conversation{Platform: Name, ID: dm, DM: true}
	if dm == "" {
		conv.ID = "D" + user // only for the stats' wording; nothing is sent there
	}
	blocks := []slackgo.Block{header("Quorum: distributed-systems interview practice")}
	if s, ok := h.(statsMaker); ok {
		msg, err := s.StatsSummary(ctx, u, conv)
		if err != nil {
			a.log.Error("home stats", "user", user, "err", err)
			blocks = append(blocks, section("I couldn't load your progress just now. Press Refresh in a moment.")...)
		} else {
			blocks = append(blocks, slackgo.NewSectionBlock(mrkdwn("*"+escape(msg.Title)+"*"), nil, nil))
			blocks = append(blocks, textBlocks(bot.Message{Kind: bot.MsgStats, Text: msg.Text})...)
		}
	}
	if ds, ok := h.(dailyStatuser); ok {
		text, on, err := ds.DailyStatus(ctx, u)
		if err != nil {
			a.log.Error("home daily status", "user", user, "err", err)
			text = "I couldn't load your daily question just now."
		}
		blocks = append(blocks, slackgo.NewSectionBlock(mrkdwn(escape(text)), nil, nil))
		if on {
			blocks = append(blocks, slackgo.NewActionBlock("home-daily",
				slackgo.NewButtonBlockElement(actionHomeDailySkip, "skip", plain("Skip the next one")),
				slackgo.NewButtonBlockElement(actionHomeDailyOff, "off", plain("Turn it off")).WithStyle(slackgo.StyleDanger),
			))
		} else {
			blocks = append(blocks, slackgo.NewActionBlock("home-daily",
				slackgo.NewButtonBlockElement(actionHomeDailyOn, "on", plain("A question every weekday at 09:00")),
			))
		}
	}
	blocks = append(blocks,
		slackgo.NewActionBlock("home",
			slackgo.NewButtonBlockElement(actionHomePlay, "practice", plain("Practice now")).WithStyle(slackgo.StylePrimary),
			slackgo.NewButtonBlockElement(actionHomeStats, "refresh", plain("Refresh")),
			slackgo.NewButtonBlockElement(actionHomeHelp, "help", plain("Help")),
		),
		slackgo.NewDividerBlock(),
		slackgo.NewSectionBlock(mrkdwn(escape(homeHelp)), nil, nil),
	)
	view := slackgo.HomeTabViewRequest{Type: slackgo.VTHomeTab, Blocks: slackgo.Blocks{BlockSet: blocks}}
	err := a.retry(ctx, "views.publish", func(ctx context.Context) error {
		_, err := a.api.PublishViewContext(ctx, slackgo.PublishViewContextRequest{UserID: user, View: view})
		return err
	})
	if err != nil {
		a.log.Error("publish home", "user", user, "err", slackError(err))
	}
}

// dailyStatuser is the core's view of a person's daily question (*bot.Bot has it).
type dailyStatuser interface {
	DailyStatus(ctx context.Context, u bot.User) (string, bool, error)
}

// homeDailyWords are what the App Home's daily buttons say to the core, in the person's DM.
var homeDailyWords = map[string]string{
	actionHomeDailyOn:   "daily on 09:00 mon-fri",
	actionHomeDailySkip: "daily skip",
	actionHomeDailyOff:  "daily off",
}

const homeHelp = "In a channel: /quorum practice [topic] [easy|medium|hard] posts a question; answer in its thread " +
	"(text, or an audio or video clip), or press Answer privately.\n" +
	"Here in the Messages tab the same words work as plain text: practice, interview, skip, model, followup, stats, " +
	"daily on 09:00 Europe/Berlin mon-fri, daily off, export (your data as a JSON file), help."
