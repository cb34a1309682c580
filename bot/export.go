package bot

import (
	"context"
	"encoding/json"
	"fmt"
	"time"
)

// ExportFormat names the layout of PersonalData, so a reader can tell versions apart.
const ExportFormat = "quorum-export/1"

// PersonalData is everything the store keeps about one person: what `export` sends
// and, record for record, what `forget` deletes.
type PersonalData struct {
	Format   string    `json:"format"`
	Exported time.Time `json:"exported"`
	// User is the person's key ("discord:1234").
	User string `json:"user"`
	// Person is the record of when Quorum first asked them a question.
	Person *PersonRecord `json:"person,omitempty"`
	// Profile is the resume and job description they gave.
	Profile      *Profile      `json:"profile,omitempty"`
	PersonalPack *PersonalPack `json:"personal_pack,omitempty"`
	// Attempts are every question asked and what came of it, answers included, oldest first.
	Attempts []*Attempt `json:"attempts"`
	// Sessions are questions still open (or just timed out).
	Sessions []*Session `json:"sessions"`
	// Dailies are their daily drills; DailyRuns the runs made of them.
	Dailies    []*Daily     `json:"dailies"`
	DailyRuns  []DailyRun   `json:"daily_runs"`
	Interviews []*Interview `json:"interviews"`
	// DrillsSetUp are the channel drills they scheduled (forget clears their name there).
	DrillsSetUp []*Drill `json:"drills_set_up"`
	// DrillAnswers are their lines in channel drill runs: only theirs, never other members'.
	DrillAnswers []DrillRunAnswer `json:"drill_answers"`
	// Undelivered are verdicts of theirs recorded but not yet sent (Outbox), if any.
	Undelivered []*Delivery `json:"undelivered"`
}

// DrillRunAnswer is one person's line in a channel drill run.
type DrillRunAnswer struct {
	Drill    uint64       `json:"drill"`
	Run      string       `json:"run"`
	Conv     Conversation `json:"conv"`
	Question string       `json:"question"`
	Answer   DrillAnswer  `json:"answer"`
}

// PersonRecord is what the store knows of a person beyond their attempts.
type PersonRecord struct {
	User      User      `json:"user"`
	FirstSeen time.Time `json:"first_seen"`
}

// DailyRun is one claimed run of a daily drill.
type DailyRun struct {
	Daily uint64 `json:"daily"`
	// Run is the run's local time in the drill's timezone; Claimed when it was recorded.
	Run     string `json:"run"`
	Claimed string `json:"claimed"`
}

// Records counts the stored records in d.
func (d *PersonalData) Records() int {
	n := len(d.Attempts) + len(d.Sessions) + len(d.Dailies) + len(d.DailyRuns) + len(d.Interviews) + len(d.DrillsSetUp) + len(d.DrillAnswers)
	if d.Person != nil {
		n++
	}
	if d.Profile != nil || d.PersonalPack != nil {
		n++
	}
	return n
}

// Exporter is a store that gathers one person's data. The bbolt store implements it.
type Exporter interface {
	// Export returns every record about the person with key userKey, from one
	// consistent view of the store; a person it has never seen gives empty lists.
	// The caller owns the result.
	Export(ctx context.Context, userKey string) (*PersonalData, error)
}

// MaxExportAttachment is the largest export sent as a chat attachment: under Discord's
// 10 MB upload limit for bots. A larger one is written by `quorum export` instead.
const MaxExportAttachment = 8 << 20

// ExportFileName is the name of u's export file on day at.
func ExportFileName(at time.Time) string {
	return "quorum-export-" + at.Format("2006-01-02") + ".json"
}

// Export gathers the person's data as indented JSON.
func (b *Bot) Export(ctx context.Context, u User) (*PersonalData, []byte, error) {
	ex, ok := b.store.(Exporter)
	if !ok {
		return nil, nil, fmt.Errorf("export: %w", ErrNotSupported)
	}
	d, err := ex.Export(ctx, u.Key())
	if err != nil {
		return nil, nil, fmt.Errorf("export %s: %w", u.Key(), err)
	}
	d.Exported = b.clock.Now().UTC()
	data, err := json.MarshalIndent(d, "", "  ")
	if err != nil {
		return nil, nil, fmt.Errorf("encode export: %w", err)
	}
	return d, append(data, '\n'), nil
}

// export sends the person their data as a JSON file, only in a direct conversation:
// personal data never goes to a channel.
func (b *Bot) export(ctx context.Context, ev Event) {
	if !ev.Conv.DM {
		b.reply(ctx, ev, MsgInfo, "", "I only send your data in a direct message, never in a channel. Message me directly and say `export`.")
		return
	}
	d, data, err := b.Export(ctx, ev.User)
	if err != nil {
		b.log.Error("export", "user", ev.User.Key(), "err", err)
		b.reply(ctx, ev, MsgError, "", "Sorry, I couldn't gather your data just now. Please try again in a moment.")
		return
	}
	name := ExportFileName(b.clock.Now().UTC())
	if len(data) > MaxExportAttachment {
		b.log.Warn("export too large to attach", "user", ev.User.Key(), "bytes", len(data))
		b.reply(ctx, ev, MsgInfo, "", fmt.Sprintf("Your data is %.1f MB (%d stored records), more than I can attach in a chat. "+
			"Ask whoever runs Quorum to run `quorum export --user %s`, which writes it all to a file.", float64(len(data))/(1<<20), d.Records(), ev.User.Key()))
		return
	}
	text := fmt.Sprintf("Everything I keep about you is in %s (JSON, %d stored records): %s, %s, %s, %s, %s in channel drills and %s. `forget` deletes all of it.",
		name, d.Records(), countNoun(len(d.Attempts), "attempt"), countNoun(len(d.Sessions), "open question"),
		countNoun(len(d.Dailies), "daily drill"), countNoun(len(d.Interviews), "mock interview"),
		countNoun(len(d.DrillAnswers), "answer"), profileWords(d))
	b.send(ctx, Message{Kind: MsgInfo, Conv: ev.Conv, To: ev.User, Title: "Your data", Text: text,
		Files: []File{{Name: name, ContentType: "application/json", Data: data}}})
}

func profileWords(d *PersonalData) string {
	switch {
	case d.Profile == nil && d.PersonalPack == nil:
		return "no resume or job description"
	case d.PersonalPack != nil:
		return "your resume, job description and tailored questions"
	}
	return "your resume and job description"
}
