package slack

import (
	"fmt"
	"strings"

	slackgo "github.com/slack-go/slack"

	"github.com/quorum-dev/quorum/bot"
)

// Block Kit limits (Slack answers invalid_blocks beyond them).
const (
	maxHeader   = 150
	maxSection  = 3000
	maxBlocks   = 50
	maxFallback = 3900 // the notification text; the blocks carry the full message
)

// render turns a message into Block Kit blocks and the fallback text for notifications.
func render(m bot.Message) ([]slackgo.Block, string) {
	var blocks []slackgo.Block
	switch {
	case m.Kind == bot.MsgVerdict && m.Verdict != nil:
		blocks = verdictBlocks(m)
	case m.Kind == bot.MsgQuestion && m.Question != nil:
		blocks = questionBlocks(m)
	default:
		blocks = textBlocks(m)
	}
	if len(m.Actions) > 0 || (m.Kind == bot.MsgQuestion && !m.Conv.DM) {
		blocks = append(blocks, actionBlock(m))
	}
	if len(blocks) > maxBlocks {
		blocks = append(blocks[:maxBlocks-2], blocks[len(blocks)-1:]...) // keep the buttons
	}
	text := m.Text
	if m.Title != "" && !strings.HasPrefix(text, m.Title) && m.Kind != bot.MsgQuestion {
		text = m.Title + "\n" + text
	}
	return blocks, clipText(text, maxFallback)
}

func verdictBlocks(m bot.Message) []slackgo.Block {
	v := m.Verdict
	blocks := []slackgo.Block{header(m.Title)}
	if v.Note != "" {
		blocks = append(blocks, section(v.Note)...)
	}
	var fields []*slackgo.TextBlockObject
	for _, f := range m.Fields {
		fields = append(fields, mrkdwn(fmt.Sprintf("*%s*\n%s/100", escape(f.Label), escape(f.Value))))
	}
	if len(fields) > 0 {
		blocks = append(blocks, slackgo.NewSectionBlock(nil, fields, nil))
	}
	if v.Feedback.Summary != "" {
		blocks = append(blocks, section(v.Feedback.Summary)...)
	}
	var points []string
	if len(v.Covered) > 0 {
		var b strings.Builder
		b.WriteString("*Covered*")
		for _, p := range v.Covered {
			fmt.Fprintf(&b, "\n✓ %s", escape(p.Text))
		}
		points = append(points, b.String())
	}
	if len(v.Missed) > 0 {
		var b strings.Builder
		b.WriteString("*Missed*")
		for _, p := range v.Missed {
			fmt.Fprintf(&b, "\n✗ %s", escape(p.Text))
		}
		points = append(points, b.String())
	}
	for _, p := range points {
		blocks = append(blocks, sectionMrkdwn(p)...)
	}
	if len(v.RedFlags) > 0 {
		var b strings.Builder
		b.WriteString("*Red flags*")
		for _, p := range v.RedFlags {
			fmt.Fprintf(&b, "\n⚠ %s", escape(p.Text))
			if p.Quote != "" {
				fmt.Fprintf(&b, " (you said: _%s_)", escape(p.Quote))
			}
			if p.Correction != "" {
				fmt.Fprintf(&b, "\n    In fact: %s", escape(p.Correction))
			}
		}
		blocks = append(blocks, sectionMrkdwn(b.String())...)
	}
	if len(v.Feedback.CommonMistakes) > 0 {
		var b strings.Builder
		b.WriteString("*" + bot.CommonMistakesTitle + "*")
		for _, p := range v.Feedback.CommonMistakes {
			fmt.Fprintf(&b, "\n? %s", escape(p.Text))
			if p.Correction != "" {
				fmt.Fprintf(&b, "\n    In fact: %s", escape(p.Correction))
			}
		}
		blocks = append(blocks, sectionMrkdwn(b.String())...)
	}
	var dims []string
	for _, line := range [][2]string{
		{"Content", v.Feedback.Content}, {"Clarity", v.Feedback.Clarity},
		{"Confidence", v.Feedback.Confidence}, {"Delivery", v.Feedback.Delivery},
	} {
		if line[1] != "" {
			dims = append(dims, fmt.Sprintf("*%s:* %s", line[0], escape(line[1])))
		}
	}
	if len(dims) > 0 {
		blocks = append(blocks, sectionMrkdwn(strings.Join(dims, "\n"))...)
	}
	var next []string
	if v.Feedback.NextStep != "" {
		next = append(next, "*Next step:* "+escape(v.Feedback.NextStep))
	}
	if v.Feedback.FollowUp != "" {
		next = append(next, "*Follow-up to think about:* "+escape(v.Feedback.FollowUp))
	}
	if len(next) > 0 {
		blocks = append(blocks, sectionMrkdwn(strings.Join(next, "\n"))...)
	}
	blocks = append(blocks, slackgo.NewContextBlock("grader", mrkdwn("Graded by "+escape(v.Grader))))
	return blocks
}

func questionBlocks(m bot.Message) []slackgo.Block {
	q := m.Question
	blocks := []slackgo.Block{header(m.Title)}
	blocks = append(blocks, section(strings.TrimSpace(q.Prompt))...)
	limit := ""
	if !m.Deadline.IsZero() {
		limit = fmt.Sprintf(" · answer by <!date^%d^{time}|%s>", m.Deadline.Unix(), m.Deadline.UTC().Format("15:04 UTC"))
	}
	where := "Reply in this thread with text or an audio/video clip, or use *Answer privately*."
	if m.Conv.DM {
		where = "Reply here with text or an audio/video clip."
	}
	info := fmt.Sprintf("%s · %s · %s%s", escape(q.Topic), escape(q.Difficulty), escape(q.Kind), limit)
	if line := lastLine(m.Text); strings.HasPrefix(line, "Topic:") {
		info = escape(line) + limit // the core's own line says how long you have
	}
	blocks = append(blocks, slackgo.NewContextBlock("deadline", mrkdwn(info), mrkdwn(where)))
	return blocks
}

func textBlocks(m bot.Message) []slackgo.Block {
	var blocks []slackgo.Block
	if m.Title != "" {
		blocks = append(blocks, header(m.Title))
	}
	text := m.Text
	if m.Title != "" {
		text = strings.TrimPrefix(strings.TrimPrefix(text, m.Title), "\n")
	}
	if strings.TrimSpace(text) == "" {
		if len(blocks) == 0 {
			blocks = append(blocks, section(" ")...)
		}
		return blocks
	}
	switch m.Kind {
	case bot.MsgStats, bot.MsgReport:
		// Tables line up only in a code block.
		for _, part := range split(escape(text), maxSection-6) {
			blocks = append(blocks, slackgo.NewSectionBlock(mrkdwn("```"+part+"```"), nil, nil))
		}
	case bot.MsgHelp:
		blocks = append(blocks, sectionMrkdwn(escape(text))...) // keep the core's `code` words
	default:
		blocks = append(blocks, section(text)...)
	}
	return blocks
}

// actionBlock is the message's buttons, plus "Answer privately" on questions in channels.
func actionBlock(m bot.Message) slackgo.Block {
	var els []slackgo.BlockElement
	for _, b := range m.Actions {
		btn := slackgo.NewButtonBlockElement(actionPrefix+b.Action, b.Action, plain(clipText(b.Label, 75)))
		if b.Action == bot.ActionAnother {
			btn.Style = slackgo.StylePrimary
		}
		els = append(els, btn)
	}
	if m.Kind == bot.MsgQuestion && !m.Conv.DM {
		els = append(els, slackgo.NewButtonBlockElement(actionPrivate, "private", plain("Answer privately")))
	}
	return slackgo.NewActionBlock("actions", els...)
}

func header(title string) slackgo.Block {
	return slackgo.NewHeaderBlock(plain(clipText(title, maxHeader)))
}

// section is plain text as mrkdwn sections, split at Slack's length limit.
func section(text string) []slackgo.Block {
	return sectionMrkdwn(escape(text))
}

// sectionMrkdwn is mrkdwn text (already escaped) as sections, split at the length limit.
func sectionMrkdwn(text string) []slackgo.Block {
	var out []slackgo.Block
	for _, part := range split(text, maxSection) {
		out = append(out, slackgo.NewSectionBlock(mrkdwn(part), nil, nil))
	}
	return out
}

func mrkdwn(s string) *slackgo.TextBlockObject {
	return slackgo.NewTextBlockObject(slackgo.MarkdownType, s, false, false)
}

// escape makes text safe in mrkdwn: Slack reads &, < and > as markup.
func escape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

// split cuts text into parts of at most n characters, at line breaks or spaces where
// it can, and never inside an escape such as &amp;.
func split(text string, n int) []string {
	var parts []string
	for {
		text = strings.TrimLeft(text, "\n ")
		r := []rune(text)
		if len(r) <= n {
			break
		}
		head := string(r[:n])
		cut := strings.LastIndex(head, "\n")
		if cut <= 0 {
			cut = strings.LastIndex(head, " ")
		}
		if cut <= 0 {
			cut = len(head)
			if amp := strings.LastIndex(head, "&"); amp > 0 && amp > cut-6 && !strings.Contains(head[amp:], ";") {
				cut = amp
			}
		}
		parts = append(parts, head[:cut])
		text = text[cut:]
	}
	if text != "" {
		parts = append(parts, text)
	}
	return parts
}

// clipText shortens s to n characters, marking the cut.
func clipText(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

func lastLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		return strings.TrimSpace(s[i+1:])
	}
	return s
}
