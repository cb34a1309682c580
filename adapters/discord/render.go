package discord

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"

	"github.com/quorum-dev/quorum/bot"
)

// Embed colours.
const (
	colorPass     = 0x2ECC71
	colorFail     = 0xE74C3C
	colorQuestion = 0x5865F2
	colorInfo     = 0x99AAB5
)

// Custom ids of Quorum's components.
const (
	idPrefix     = "quorum:"
	idAnswer     = idPrefix + "answer"       // the "Answer privately" button
	idAnswerForm = idPrefix + "answer-modal" // its modal
	idAnswerText = "answer"                  // the modal's text input
)

// Discord's limits on message parts.
const (
	maxContent     = 2000
	maxTitle       = 256
	maxDescription = 4096
	maxFieldValue  = 1024
	maxEmbedTotal  = 6000
)

// rendered is a bot.Message in Discord's terms.
type rendered struct {
	content    string
	embeds     []*discordgo.MessageEmbed
	components []discordgo.MessageComponent
	mentions   *discordgo.MessageAllowedMentions
	attach     []bot.File
	// nonce, when set, is the message's nonce (see post); otherwise post draws one.
	nonce string
}

// withoutFiles is r with no attachments, and no embed image pointing at one.
func (r rendered) withoutFiles() rendered {
	r.attach = nil
	embeds := make([]*discordgo.MessageEmbed, len(r.embeds))
	for i, e := range r.embeds {
		c := *e
		if c.Image != nil && strings.HasPrefix(c.Image.URL, "attachment://") {
			c.Image = nil
		}
		embeds[i] = &c
	}
	r.embeds = embeds
	return r
}

// files returns the attachments as discordgo sends them; each call gives fresh readers,
// so a retried request uploads them again.
func (r rendered) files() []*discordgo.File {
	var out []*discordgo.File
	for _, f := range r.attach {
		out = append(out, &discordgo.File{Name: f.Name, ContentType: f.ContentType, Reader: bytes.NewReader(f.Data)})
	}
	return out
}

// render turns msg into Discord's form. In a server channel personal messages mention
// their person, and questions get an "Answer privately" button.
func render(msg bot.Message) rendered {
	var r rendered
	guild := !msg.Conv.DM
	if guild && msg.To.ID != "" && (msg.Kind == bot.MsgQuestion || msg.Kind == bot.MsgVerdict || msg.Kind == bot.MsgTimeUp) {
		r.content = "<@" + msg.To.ID + ">"
		r.mentions = &discordgo.MessageAllowedMentions{Users: []string{msg.To.ID}}
	} else {
		r.mentions = &discordgo.MessageAllowedMentions{} // never ping anyone by accident
	}
	switch {
	case msg.Kind == bot.MsgVerdict && msg.Verdict != nil:
		r.embeds = []*discordgo.MessageEmbed{verdictEmbed(msg)}
	case msg.Kind == bot.MsgQuestion:
		r.embeds = []*discordgo.MessageEmbed{questionEmbed(msg, guild)}
	case msg.Title != "" || msg.Kind == bot.MsgStats || msg.Kind == bot.MsgHelp:
		text := msg.Text
		if msg.Kind == bot.MsgStats {
			text = statsText(text)
		}
		e := &discordgo.MessageEmbed{Title: clip(msg.Title, maxTitle), Description: clip(text, maxDescription), Color: colorInfo}
		for _, f := range msg.Files {
			if strings.HasPrefix(f.ContentType, "image/") {
				// Shown inside the embed rather than as a loose file below it.
				e.Image = &discordgo.MessageEmbedImage{URL: "attachment://" + f.Name}
				break
			}
		}
		r.embeds = []*discordgo.MessageEmbed{e}
	default:
		r.content = strings.TrimSpace(r.content + "\n" + clip(msg.Text, maxContent-30))
	}
	buttons := append([]bot.Button(nil), msg.Actions...)
	// A channel drill's question (no session, no person) takes answers by form too, so a
	// member can answer without showing the thread what they wrote.
	if msg.Kind == bot.MsgQuestion && guild && (msg.Session != 0 || msg.To.ID == "") {
		buttons = append([]bot.Button{{Action: "answer", Label: "Answer privately"}}, buttons...)
	}
	r.components = buttonRows(buttons)
	r.attach = msg.Files
	if msg.Key != "" {
		// The same nonce for every send of a question: one sent again after a restart
		// (bot.Redelivering) is posted once.
		r.nonce = nonce(msg.Key)
	}
	return r
}

// maxNonce is the longest nonce Discord takes.
const maxNonce = 25

// nonce is a message key as a Discord nonce: itself, or a hash of it if too long.
func nonce(key string) string {
	if len(key) <= maxNonce {
		return key
	}
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:maxNonce/2])
}

// statsText puts the table part of a stats message in a code block so its columns line up.
func statsText(text string) string {
	head, table, ok := strings.Cut(text, "\n\n")
	if !ok {
		return text
	}
	body, last, _ := strings.Cut(table, "\n\n")
	out := head + "\n```\n" + strings.TrimRight(body, "\n") + "\n```"
	if last != "" {
		out += "\n" + last
	}
	return out
}

func questionEmbed(msg bot.Message, guild bool) *discordgo.MessageEmbed {
	desc := msg.Text
	if !msg.Deadline.IsZero() {
		desc += fmt.Sprintf("\n\n⏱ Answer due <t:%d:R>", msg.Deadline.Unix())
	}
	where := "Reply with your answer, typed or as a voice message."
	if guild {
		where = "Reply in this message's thread, typed or as a voice message, or press Answer privately."
	}
	return &discordgo.MessageEmbed{Title: clip(msg.Title, maxTitle), Description: clip(desc, maxDescription), Color: colorQuestion,
		Footer: &discordgo.MessageEmbedFooter{Text: where}}
}

// verdictEmbed is the verdict: title "PASS · 78/100" (green) or "FAIL · 42/100" (red),
// the four dimensions, the points covered and missed, red flags with corrections, the
// next step and a follow-up question.
func verdictEmbed(msg bot.Message) *discordgo.MessageEmbed {
	v := msg.Verdict
	title := msg.Title
	if title == "" {
		title = v.Title()
	}
	e := &discordgo.MessageEmbed{Title: clip(title, maxTitle), Color: colorFail}
	if v.Pass {
		e.Color = colorPass
	}
	var desc []string
	if v.Note != "" {
		desc = append(desc, "**"+v.Note+"**")
	}
	if v.Feedback.Summary != "" {
		desc = append(desc, v.Feedback.Summary)
	}
	e.Description = clip(strings.Join(desc, "\n\n"), maxDescription)
	for _, f := range msg.Fields {
		e.Fields = append(e.Fields, &discordgo.MessageEmbedField{Name: f.Label, Value: f.Value, Inline: true})
	}
	add := func(name string, lines []string) {
		if len(lines) > 0 {
			e.Fields = append(e.Fields, &discordgo.MessageEmbedField{Name: name, Value: clipLines(lines, maxFieldValue)})
		}
	}
	points := func(mark string, ps []bot.Point) []string {
		var out []string
		for _, p := range ps {
			out = append(out, mark+" "+p.Text)
		}
		return out
	}
	add("Covered", points("✓", v.Covered))
	add("Missed", points("✗", v.Missed))
	var flags []string
	for _, p := range v.RedFlags {
		// Each flag's share of the field, so every correction shows.
		flags = append(flags, flagLine(p, maxFieldValue/len(v.RedFlags)-1))
	}
	add("Red flags", flags)
	var mistakes []string
	for _, p := range v.Feedback.CommonMistakes {
		line := "? " + p.Text
		if p.Correction != "" {
			line += "\n  In fact: " + p.Correction
		}
		mistakes = append(mistakes, line)
	}
	add(bot.CommonMistakesTitle, mistakes)
	add("Strengths", prefixed("+ ", v.Feedback.Strengths))
	add("To improve", prefixed("- ", v.Feedback.Improvements))
	var how []string
	for _, l := range [][2]string{{"Content", v.Feedback.Content}, {"Clarity", v.Feedback.Clarity},
		{"Confidence", v.Feedback.Confidence}, {"Delivery", v.Feedback.Delivery}} {
		if l[1] != "" {
			how = append(how, "**"+l[0]+"**: "+l[1])
		}
	}
	add("Feedback", how)
	if v.Feedback.NextStep != "" {
		add("Next step", []string{v.Feedback.NextStep})
	}
	if v.Feedback.FollowUp != "" {
		add("Follow-up to think about", []string{v.Feedback.FollowUp})
	}
	footer := "graded by " + v.Grader
	if v.QuestionID != "" {
		footer = v.QuestionID + " · " + footer
	}
	e.Footer = &discordgo.MessageEmbedFooter{Text: footer}
	fitEmbed(e)
	return e
}

// minQuote is the shortest quote worth showing, in runes.
const minQuote = 12

// flagLine is a red flag, what the person said (in typographic quotes, on one line) and
// its correction, in at most limit runes where it can be: the quote is shortened to
// make room, never the correction.
func flagLine(p bot.Point, limit int) string {
	head, tail := "⚠ "+p.Text, ""
	if p.Correction != "" {
		tail = "\n  In fact: " + p.Correction
	}
	if q := strings.Join(strings.Fields(p.Quote), " "); q != "" {
		const open, end = " (you said: “", "”)"
		room := limit - utf8.RuneCountInString(head+tail+open+end)
		if room >= minQuote {
			head += open + quoteIn(q, room) + end
		}
	}
	return head + tail
}

// markdown escapes the characters Discord reads as formatting, so what the person typed
// shows as typed ("*maybe*" stays with its stars).
var markdown = strings.NewReplacer(`\`, `\\`, "*", `\*`, "_", `\_`, "~", `\~`, "`", "\\`", "|", `\|`)

// quoteIn is q, shortened at a word and escaped, in at most room runes: escapes take
// room too, so the cut moves back by as many as the shortened text needs.
func quoteIn(q string, room int) string {
	for n := room; n > 0; {
		out := markdown.Replace(bot.Shorten(q, n))
		over := utf8.RuneCountInString(out) - room
		if over <= 0 {
			return out
		}
		n -= over
	}
	return ""
}

func prefixed(p string, xs []string) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = p + x
	}
	return out
}

// fitEmbed drops text from the end until the embed is within Discord's total limit.
func fitEmbed(e *discordgo.MessageEmbed) {
	size := func() int {
		n := utf8.RuneCountInString(e.Title) + utf8.RuneCountInString(e.Description)
		for _, f := range e.Fields {
			n += utf8.RuneCountInString(f.Name) + utf8.RuneCountInString(f.Value)
		}
		if e.Footer != nil {
			n += utf8.RuneCountInString(e.Footer.Text)
		}
		return n
	}
	for over := size() - maxEmbedTotal; over > 0; over = size() - maxEmbedTotal {
		if len(e.Fields) > 4 {
			e.Fields = e.Fields[:len(e.Fields)-1]
			continue
		}
		e.Description = clip(e.Description, max(0, utf8.RuneCountInString(e.Description)-over-1))
	}
}

// buttonRows lays buttons out five to a row.
func buttonRows(bs []bot.Button) []discordgo.MessageComponent {
	var rows []discordgo.MessageComponent
	var row discordgo.ActionsRow
	for _, b := range bs {
		row.Components = append(row.Components, discordgo.Button{CustomID: idPrefix + b.Action, Label: b.Label, Style: buttonStyle(b.Action)})
		if len(row.Components) == 5 {
			rows = append(rows, row)
			row = discordgo.ActionsRow{}
		}
	}
	if len(row.Components) > 0 {
		rows = append(rows, row)
	}
	return rows
}

func buttonStyle(action string) discordgo.ButtonStyle {
	switch action {
	case bot.ActionAnother:
		return discordgo.SuccessButton
	case bot.ActionSkip:
		return discordgo.DangerButton
	case bot.ActionFollowUp, "answer":
		return discordgo.PrimaryButton
	}
	return discordgo.SecondaryButton
}

// answerModal is the form that "Answer privately" opens.
func answerModal() *discordgo.InteractionResponse {
	return &discordgo.InteractionResponse{Type: discordgo.InteractionResponseModal, Data: &discordgo.InteractionResponseData{
		CustomID: idAnswerForm, Title: "Your answer",
		Components: []discordgo.MessageComponent{discordgo.ActionsRow{Components: []discordgo.MessageComponent{
			discordgo.TextInput{CustomID: idAnswerText, Label: "Your answer", Style: discordgo.TextInputParagraph,
				Placeholder: "Explain it as you would to an interviewer.", Required: true, MinLength: 1, MaxLength: 4000},
		}}},
	}}
}

// clip shortens s to at most n runes, marking the cut with "…".
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	if n <= 1 {
		return ""
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

// clipLines joins lines, leaving out whole lines that do not fit in n runes and saying
// how many were left out. A line before the last keeps room for that note; the last
// needs none, so lines sized to share n exactly (the red flags) all fit.
func clipLines(lines []string, n int) string {
	var b strings.Builder
	used := 0 // runes in b
	for i, l := range lines {
		need := utf8.RuneCountInString(l)
		if i < len(lines)-1 {
			need += 1 + utf8.RuneCountInString(moreLines(len(lines)-i-1))
		}
		if used+need > n {
			if b.Len() == 0 {
				return clip(l, n)
			}
			b.WriteString(moreLines(len(lines) - i))
			return b.String()
		}
		b.WriteString(l)
		used += utf8.RuneCountInString(l)
		if i < len(lines)-1 {
			b.WriteString("\n")
			used++
		}
	}
	return b.String()
}

// moreLines notes k lines left out.
func moreLines(k int) string { return fmt.Sprintf("… and %d more", k) }
