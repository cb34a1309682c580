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
		msg, err := s.StatsMessage(ctx, u, conv)
		if err != nil {
			a.log.Error("home stats", "user", user, "err", err)
			blocks = append(blocks, section("I couldn't load your progress just now. Press Refresh in a moment.")...)
		} else {
			blocks = append(blocks, slackgo.NewSectionBlock(mrkdwn("*"+escape(msg.Title)+"*"), nil, nil))
			blocks = append(blocks, textBlocks(bot.Message{Kind: bot.MsgStats, Text: msg.Text})...)
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

const homeHelp = "In a channel: /quorum practice [topic] [easy|medium|hard] posts a question; answer in its thread " +
	"(text, or an audio or video clip), or press Answer privately.\n" +
	"Here in the Messages tab the same words work as plain text: practice, skip, model, followup, stats, help."
