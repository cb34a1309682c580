package bot

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// MaxProfileText caps a pasted resume or job description.
const MaxProfileText = 50000

// PersonalPackSize is how many questions tailoring chooses or writes.
const PersonalPackSize = 10

func (b *Bot) profiles() (Profiles, bool) {
	p, ok := b.store.(Profiles)
	return p, ok
}

// saveProfileText stores a pasted resume (field "resume") or job description ("jd").
func (b *Bot) saveProfileText(ctx context.Context, ev Event, field string) {
	profiles, ok := b.profiles()
	if !ok {
		b.reply(ctx, ev, MsgInfo, "", "Tailoring isn't available with this store.")
		return
	}
	name := map[string]string{"resume": "resume", "jd": "job description"}[field]
	text := strings.TrimSpace(afterCommand(ev.Text))
	switch {
	case text == "":
		b.reply(ctx, ev, MsgInfo, "", fmt.Sprintf("Paste your %s after the word, like `%s <text>`. I use it only to choose questions for you; `forget` deletes it.", name, field))
		return
	case len(text) > MaxProfileText:
		b.reply(ctx, ev, MsgInfo, "", fmt.Sprintf("That %s is %d characters; I keep up to %d. Please send a shorter version.", name, len(text), MaxProfileText))
		return
	case LooksBinary(text) || !utf8.ValidString(text):
		b.reply(ctx, ev, MsgInfo, "", fmt.Sprintf("That doesn't look like text. Paste your %s as plain text.", name))
		return
	}
	p, err := profiles.Profile(ctx, ev.User.Key())
	if errors.Is(err, ErrNotFound) {
		p, err = &Profile{}, nil
	}
	if err != nil {
		b.log.Error("load profile", "user", ev.User.Key(), "err", err)
		b.reply(ctx, ev, MsgError, "", "Sorry, I couldn't save that just now. Please try again in a moment.")
		return
	}
	if field == "resume" {
		p.Resume = text
	} else {
		p.JobDescription = text
	}
	p.UpdatedAt = b.clock.Now()
	if err := profiles.SaveProfile(ctx, ev.User.Key(), p); err != nil {
		b.log.Error("save profile", "user", ev.User.Key(), "err", err)
		b.reply(ctx, ev, MsgError, "", "Sorry, I couldn't save that just now. Please try again in a moment.")
		return
	}
	next := "Say `tailor` to get questions chosen for you."
	if p.Resume == "" || p.JobDescription == "" {
		other := map[string]string{"resume": "`jd <job description>`", "jd": "`resume <text>`"}[field]
		next = "Add " + other + " too, or say `tailor` now."
	}
	b.reply(ctx, ev, MsgInfo, "", fmt.Sprintf("Saved your %s (%d words). %s", name, len(strings.Fields(text)), next))
}

// afterCommand returns text after its first word (keeping the rest as typed).
func afterCommand(text string) string {
	text = strings.TrimSpace(text)
	if strings.HasPrefix(strings.ToLower(text), "quorum ") || strings.HasPrefix(strings.ToLower(text), "/quorum ") {
		_, text, _ = strings.Cut(text, " ")
		text = strings.TrimSpace(text)
	}
	_, rest, _ := strings.Cut(text, " ")
	if i := strings.IndexAny(text, "\n"); i >= 0 && (rest == "" || i < len(text)-len(rest)) {
		rest = text[i+1:]
	}
	return rest
}

// Tailor builds the person's personal pack from their profile: written by the
// QuestionWriter when one is configured (falling back to ranking the bank if it fails),
// else ranked from the bank. It returns the pack and the questions to show.
func (b *Bot) Tailor(ctx context.Context, u User) (*PersonalPack, []*Question, error) {
	profiles, ok := b.profiles()
	if !ok {
		return nil, nil, errors.New("tailoring needs a store that keeps profiles")
	}
	p, err := profiles.Profile(ctx, u.Key())
	if err != nil {
		return nil, nil, err
	}
	pack := &PersonalPack{CreatedAt: b.clock.Now()}
	var qs []*Question
	if b.writer != nil {
		written, dropped, err := b.writer.WriteQuestions(ctx, *p, PersonalPackSize)
		switch {
		case err != nil:
			b.log.Warn("writing tailored questions failed; ranking the bank instead", "user", u.Key(), "err", err)
			pack.WriterFailed = true
		case len(written) == 0:
			b.log.Warn("the LLM wrote no usable tailored question; ranking the bank instead", "user", u.Key(), "dropped", dropped)
			pack.WriterFailed = true
		default:
			pack.Source, pack.Questions, pack.Dropped, qs = "llm", written, dropped, written
		}
	}
	if pack.Source == "" {
		pack.Source = "bank"
		qs = RankForProfile(b.bank, *p, PersonalPackSize)
		for _, q := range qs {
			pack.Picks = append(pack.Picks, q.Ref())
		}
	}
	if err := profiles.SavePersonalPack(ctx, u.Key(), pack); err != nil {
		return nil, nil, fmt.Errorf("save personal pack: %w", err)
	}
	return pack, qs, nil
}

func (b *Bot) tailor(ctx context.Context, ev Event) {
	pack, qs, err := b.Tailor(ctx, ev.User)
	switch {
	case errors.Is(err, ErrNotFound):
		b.reply(ctx, ev, MsgInfo, "", "Tell me about yourself first: `resume <text>` and `jd <job description>`. Then say `tailor`.")
		return
	case err != nil:
		b.log.Error("tailor", "user", ev.User.Key(), "err", err)
		b.reply(ctx, ev, MsgError, "", "Sorry, I couldn't build your questions just now. Please try again in a moment.")
		return
	case len(qs) == 0:
		b.reply(ctx, ev, MsgInfo, "", "I couldn't find questions that fit what you sent. Add more detail (technologies, the role), or just say `practice`.")
		return
	}
	p, _ := b.mustProfile(ctx, ev.User)
	b.send(ctx, Message{Kind: MsgInfo, Conv: ev.Conv, To: ev.User, Title: "Your questions", Text: PersonalPackText(pack, qs, p)})
}

func (b *Bot) mustProfile(ctx context.Context, u User) (Profile, bool) {
	profiles, ok := b.profiles()
	if !ok {
		return Profile{}, false
	}
	p, err := profiles.Profile(ctx, u.Key())
	if err != nil {
		return Profile{}, false
	}
	return *p, true
}

// PersonalPackText lists a personal pack for the person.
func PersonalPackText(pack *PersonalPack, qs []*Question, p Profile) string {
	var sb strings.Builder
	from := "your resume and job description"
	switch {
	case strings.TrimSpace(p.JobDescription) == "":
		from = "your resume"
	case strings.TrimSpace(p.Resume) == "":
		from = "the job description"
	}
	if pack.Source == "llm" {
		fmt.Fprintf(&sb, "I wrote %s for you from %s", countNoun(len(qs), "question"), from)
		if pack.Dropped > 0 {
			fmt.Fprintf(&sb, " (%d more failed my checks and %s dropped)", pack.Dropped, map[bool]string{true: "was", false: "were"}[pack.Dropped == 1])
		}
		sb.WriteString(".")
	} else {
		if pack.WriterFailed {
			sb.WriteString("The LLM couldn't write questions for you this time (the log says why), so ")
		}
		fmt.Fprintf(&sb, "I picked %s from the bank that fit %s.", countNoun(len(qs), "question"), from)
	}
	sb.WriteString(" `practice` now asks these first.\n")
	for i, q := range qs {
		fmt.Fprintf(&sb, "\n%d. %s (%s, %s): %s", i+1, q.ID, q.Topic, q.Difficulty, FirstParagraph(q.Prompt))
		if pack.Source == "bank" {
			if why := TailorReason(q, p); why != "" {
				fmt.Fprintf(&sb, "\n   %s", why)
			}
		}
	}
	return sb.String()
}

// personalCandidates returns the person's tailored questions that match f.
func (b *Bot) personalCandidates(ctx context.Context, u User, f Filter) []*Question {
	profiles, ok := b.profiles()
	if !ok {
		return nil
	}
	pack, err := profiles.PersonalPack(ctx, u.Key())
	if err != nil {
		if !errors.Is(err, ErrNotFound) {
			b.log.Warn("load personal pack", "user", u.Key(), "err", err)
		}
		return nil
	}
	var out []*Question
	for _, q := range pack.Questions {
		if f.match(q) {
			out = append(out, q)
		}
	}
	for _, ref := range pack.Picks {
		if q, err := b.bank.Lookup(ref); err == nil && f.match(q) {
			out = append(out, q)
		}
	}
	return out
}

// forget deletes everything about the person after they confirm.
func (b *Bot) forget(ctx context.Context, ev Event, args []string) {
	profiles, ok := b.profiles()
	if !ok {
		b.reply(ctx, ev, MsgInfo, "", "This store cannot forget people.")
		return
	}
	if len(args) == 0 || args[0] != "confirm" {
		b.reply(ctx, ev, MsgInfo, "", "This deletes everything I keep about you: your history, open questions, resume, job description and tailored questions. It cannot be undone. Say `export` first for a copy, then `forget confirm` to go ahead.")
		return
	}
	if sched, ok := b.schedules(); ok {
		if all, err := sched.Dailies(ctx); err == nil {
			for _, d := range all {
				if d.User.Key() == ev.User.Key() {
					b.disarmDaily(d.ID)
				}
			}
		}
	}
	b.mu.Lock()
	for key, l := range b.sessions {
		if l.s.User.Key() == ev.User.Key() {
			if l.timer != nil {
				l.timer.Stop()
			}
			l.forgotten = true // what its time-up held is dropped (applyHeld)
			delete(b.sessions, key)
		}
	}
	b.mu.Unlock()
	// With the person out of open drill runs first, and drill answers held off until
	// the store has forgotten them too, nothing about them is recorded or posted later.
	b.drills.forgetting.Lock()
	b.forgetInDrills(ev.User.Key())
	n, err := profiles.Forget(ctx, ev.User.Key())
	b.drills.forgetting.Unlock()
	if err != nil {
		b.log.Error("forget", "user", ev.User.Key(), "err", err)
		b.reply(ctx, ev, MsgError, "", "Sorry, I couldn't delete your data just now. Please try again; nothing is half-deleted.")
		return
	}
	b.log.Info("forgot a person", "user", ev.User.Key(), "records", n)
	b.reply(ctx, ev, MsgInfo, "", fmt.Sprintf("Done: I deleted everything I kept about you (%d stored records).", n))
}
