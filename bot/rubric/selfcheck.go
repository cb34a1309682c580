package rubric

import (
	"github.com/quorum-dev/quorum/bot"
)

// SelfFlag is a red flag that a question's rubric finds in one of its own correct
// statements: a key point's text or a red flag's correction, said after the model
// answer. A candidate who says that would be marked down for a misconception.
type SelfFlag struct {
	Flag  string // the red flag's id
	Said  string // "key point ID" or "the correction of red flag ID"
	Quote string // where the flag matched
}

// SelfFlags returns the red flags q's rubric finds in its own key point texts and
// corrections, each said after the model answer, that the model answer alone does not
// raise. `packs lint` reports them: the usual cause is an evidence phrase that a correct
// answer also says, often while rejecting the misconception.
func (g *Grader) SelfFlags(q *bot.Question) []SelfFlag {
	base := map[string]bool{}
	for _, f := range g.Judge(q, bot.Answer{Text: q.ModelAnswer}).RedFlags {
		base[f.ID] = true
	}
	var out []SelfFlag
	check := func(said, text string) {
		if text == "" {
			return
		}
		for _, f := range g.Judge(q, bot.Answer{Text: q.ModelAnswer + "\n\n" + text}).RedFlags {
			if !base[f.ID] {
				out = append(out, SelfFlag{Flag: f.ID, Said: said, Quote: f.Quote})
			}
		}
	}
	for _, k := range q.KeyPoints {
		check("key point "+k.ID, k.Text)
	}
	for _, f := range q.RedFlags {
		check("the correction of red flag "+f.ID, f.Correction)
	}
	return out
}
