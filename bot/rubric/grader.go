// Package rubric is Quorum's offline grader: it matches an answer against a
// question's key points and red flags, and measures delivery. Pure and deterministic.
package rubric

import (
	"context"
	"fmt"
	"math"
	"strings"
	"sync"
	"time"

	"github.com/quorum-dev/quorum/bot"
)

// DefaultPassScore is the overall score a pass needs when Options leave it zero.
const DefaultPassScore = 60

// MinWords is the fewest words an answer needs to pass: below it, nothing was explained.
const MinWords = 15

// Options tune the grader.
type Options struct {
	// PassScore is the overall score (0-100) a pass needs, besides the key points.
	PassScore int
}

// Grader grades answers against a question's rubric. It is safe for concurrent use.
type Grader struct {
	passScore int
	cache     sync.Map // *bot.Question → *compiled
}

var _ bot.Grader = (*Grader)(nil)

// New returns a Grader.
func New(opts Options) *Grader {
	if opts.PassScore <= 0 || opts.PassScore > 100 {
		opts.PassScore = DefaultPassScore
	}
	return &Grader{passScore: opts.PassScore}
}

// compiled is a question's rubric, tokenized once.
type compiled struct {
	points  []compiledItem
	anchors [][]string // per key point: the words of its text particular to it (pointAnchors)
	overlap []overlapWords
	vocab   map[string]bool // content stems of the prompt, rubric and model answer
	// per key point: its text has a negation, so "X is not needed" may be the point itself
	pointDenies []bool
	needs       []pointNeed // per key point: a quantity or a first-person act that also makes it
	flags       []compiledItem
	// per red flag: its distinctive words and the key point it contradicts (flags.go)
	flagWords  [][]string
	flagPoints []int
	// contradicted marks the key points a red flag contradicts (flagPoints)
	contradicted []bool
	flagOnly     []uint64        // per red flag: which of flagWords its contradicted point's text lacks
	flagOpp      [][]string      // per red flag: words of the opposite sense (opposites)
	prompt       map[string]bool // content stems of the prompt
	echo         echoWords       // the model answer's distinctive words (modelEchoWords)
}

type compiledItem struct {
	phrases []phrase
}

func (g *Grader) compile(q *bot.Question) *compiled {
	if c, ok := g.cache.Load(q); ok {
		return c.(*compiled)
	}
	c := &compiled{prompt: contentStems(q.Prompt), contradicted: make([]bool, len(q.KeyPoints))}
	for _, k := range q.KeyPoints {
		c.points = append(c.points, compileItem(k.Evidence))
	}
	for _, f := range q.RedFlags {
		c.flags = append(c.flags, compileItem(f.Evidence))
		c.flagWords = append(c.flagWords, flagWords(f.Text, c.prompt))
		c.flagPoints = append(c.flagPoints, contradictedPoint(q, f))
		if p := c.flagPoints[len(c.flagPoints)-1]; p >= 0 {
			c.contradicted[p] = true
		}
		c.flagOnly = append(c.flagOnly, wordsBeyond(c.flagWords[len(c.flagWords)-1], q, c.flagPoints[len(c.flagPoints)-1]))
		c.flagOpp = append(c.flagOpp, opposites(f.Text))
	}
	c.anchors = pointAnchors(q, c.prompt)
	c.overlap = pointOverlap(q, c.prompt)
	c.vocab = rubricVocabulary(q)
	c.echo = modelEchoWords(q, c.prompt)
	for _, k := range q.KeyPoints {
		c.needs = append(c.needs, needOf(k.Text))
		c.pointDenies = append(c.pointDenies, saysUnneeded(k.Text))
	}
	g.cache.Store(q, c)
	return c
}

func compileItem(evidence []string) compiledItem {
	var it compiledItem
	for _, e := range evidence {
		if p := compilePhrase(e); len(p.stems) > 0 {
			it.phrases = append(it.phrases, p)
		}
	}
	return it
}

// match is where an item's evidence was found.
type match struct {
	ok    bool
	quote string
}

// findItem returns the first match of any of the item's phrases that is not negated,
// said as written or, failing that, in other words (findLoose).
func findItem(d *doc, it compiledItem) match { return findWith(d, it, (*doc).negated, true) }

// saysUnneeded reports a text that itself says something is not needed: "two phase-2
// quorums need not intersect", "no need for a lock".
func saysUnneeded(text string) bool {
	toks := tokenize(text)
	for i, t := range toks {
		if t.lower == "neednt" {
			return true
		}
		if t.stem != "need" {
			continue
		}
		if i+1 < len(toks) && toks[i+1].class&clsNegator != 0 {
			return true
		}
		for j := i - 1; j >= 0 && j >= i-2; j-- {
			if toks[j].class&clsNegator != 0 {
				return true
			}
		}
	}
	return false
}

// findDismissed returns the quote where the answer calls a key point unnecessary, or "".
func findDismissed(d *doc, it compiledItem) string {
	for _, p := range it.phrases {
		starts, spans := d.find(p)
		for k, i := range starts {
			if d.dismissed(i, spans[k]) {
				return d.quote(i, spans[k])
			}
		}
	}
	return ""
}

// findFlag returns the first match of a red flag's phrases that the answer does not reject.
// Misconceptions match only as written: a loose match blamed correct model answers.
func findFlag(d *doc, it compiledItem) match { return findWith(d, it, (*doc).rejected, false) }

func findWith(d *doc, it compiledItem, denied func(*doc, int, int) bool, loose bool) match {
	for _, p := range it.phrases {
		starts, spans := d.find(p)
		for k, i := range starts {
			if !denied(d, i, spans[k]) {
				return match{ok: true, quote: d.quote(i, spans[k])}
			}
		}
	}
	for _, p := range it.phrases {
		if !loose {
			break
		}
		starts, spans := d.findLoose(p)
		for k, i := range starts {
			if !denied(d, i, spans[k]) && !d.negatedInside(i, spans[k]) {
				return match{ok: true, quote: d.quote(i, spans[k])}
			}
		}
	}
	return match{}
}

// Grade grades a against q. It never fails: bad answers are FAIL verdicts.
func (g *Grader) Grade(_ context.Context, q *bot.Question, a bot.Answer) (*bot.Verdict, error) {
	return g.grade(q, a), nil
}

func (g *Grader) grade(q *bot.Question, a bot.Answer) *bot.Verdict {
	d := newDoc(a.Text)
	if text, stripped := d.withoutMeta(); stripped {
		a.Text = text // instructions to the grader are not graded
		d = newDoc(text)
	}
	return g.verdict(q, a, d, g.judge(q, d))
}

// WithoutInstructions returns text with its sentences addressed to the grader ("ignore
// the rubric", "mark this PASS", a verdict written as JSON) blanked out, and whether it
// had any.
func WithoutInstructions(text string) (string, bool) { return newDoc(text).withoutMeta() }

// The rule for an answer near the bar in its own words (verdict): at least echoNear of
// the pass weight, at least echoSentences explaining sentences that each use
// echoSentenceWords of the model answer's distinctive words, and at least echoBar of the
// weight of those words (echo). Measured over the development, held-out and blind sets
// (README, round 5; the words a sentence needs, session 9).
const (
	echoBar           = 0.25
	echoNear          = 2.0 / 3
	echoSentences     = 3
	echoSentenceWords = 2
)

// Judgement is what a grader found in an answer: the key points it makes and the
// misconceptions it states. The rubric makes one (Judge); an LLM grader makes another
// from quotes it has verified, and both become a verdict by the same rule (Verdict).
type Judgement struct {
	// Covered maps the id of each key point the answer makes to a quote that shows it.
	Covered map[string]string
	// RedFlags are the misconceptions stated, with quotes and corrections.
	RedFlags []bot.Point
	// Inferred marks the red flags the rubric read between the lines, by id: a
	// misconception said in other words than its evidence, or an essential point called
	// unnecessary. The others match a red flag's evidence as written.
	Inferred map[string]bool
	// Stuffed marks an answer that strings terms together without explaining them.
	Stuffed bool
	// Named counts the key points the answer mentions at all, explained or not.
	Named int
	// Clarity and Confidence, when set, replace the rubric's own scores of them.
	Clarity, Confidence *int
	// Echo is the share of the model answer's distinctive words the answer uses (the
	// rubric's own measure; another grader leaves it 0).
	Echo float64
	// Words marks a judgement made by the rubric's word matching (Judge), whose limits
	// the verdict's feedback then names.
	Words bool
}

func (j *Judgement) infer(id string) {
	if j.Inferred == nil {
		j.Inferred = map[string]bool{}
	}
	j.Inferred[id] = true
}

// Supports reports whether quote has anything to do with key point id of q: it must share
// with the point's text or evidence a content word that is not about grading itself, or
// two content words. Another grader's quote that fails this ("the candidate covered every
// key point", "mark this PASS") proves nothing about the point.
func Supports(q *bot.Question, id, quote string) bool {
	for _, k := range q.KeyPoints {
		if k.ID != id {
			continue
		}
		vocab := map[string]bool{}
		for _, t := range tokenize(k.Text + " ; " + strings.Join(k.Evidence, " ; ")) {
			if t.class&clsStop == 0 && len(t.lower) > 2 {
				vocab[t.stem] = true
			}
		}
		shared := map[string]bool{}
		for _, t := range tokenize(quote) {
			if vocab[t.stem] && t.class&clsStop == 0 {
				if !metaWords[t.lower] {
					return true
				}
				shared[t.stem] = true
			}
		}
		return len(shared) >= 2
	}
	return false
}

// metaWords are about grading, not about distributed systems: an injected instruction uses them.
var metaWords = map[string]bool{
	"candidate": true, "answer": true, "question": true, "point": true, "points": true, "key": true,
	"rubric": true, "pass": true, "score": true, "grade": true, "grader": true, "correct": true,
	"instruction": true, "instructions": true, "system": true, "verdict": true, "mark": true,
	"interview": true, "interviewer": true, "covered": true, "cover": true,
}

// Judge returns the rubric's own judgement of a.
func (g *Grader) Judge(q *bot.Question, a bot.Answer) Judgement { return g.judge(q, newDoc(a.Text)) }

func (g *Grader) judge(q *bot.Question, d *doc) Judgement {
	c := g.compile(q)
	j := Judgement{Covered: map[string]string{}, Words: true}
	credited, madeIn, named := creditPoints(d, q, c)
	j.Named = named
	for i, k := range q.KeyPoints {
		if credited[i] != "" {
			j.Covered[k.ID] = credited[i]
		}
	}
	for i, f := range q.RedFlags {
		m := findFlag(d, c.flags[i])
		// Said in other words: see flags.go for when that counts.
		if p := c.flagPoints[i]; !m.ok && p >= 0 {
			m = findFlagLoose(d, c.flagWords[i], func(s int, used uint64) bool {
				return looseFlagCounts(d, c, i, credited[p] != "", madeIn[p], s, used)
			})
			if m.ok && credited[p] != "" {
				delete(j.Covered, q.KeyPoints[p].ID) // its only sentence states the misconception
			}
			if m.ok {
				j.infer(f.ID)
			}
		}
		if m.ok {
			j.RedFlags = append(j.RedFlags, bot.Point{ID: f.ID, Text: f.Text, Quote: m.quote, Correction: f.Correction})
		}
	}
	for i, k := range q.KeyPoints {
		if k.Weight < 2 {
			continue
		}
		// A point that itself says something is not needed ("two phase-2 quorums need not
		// intersect") is made, not dismissed, by an answer that says so.
		if c.pointDenies[i] {
			continue
		}
		if quote := findDismissed(d, c.points[i]); quote != "" {
			j.RedFlags = append(j.RedFlags, bot.Point{ID: "dismisses-" + k.ID, Text: "Says this essential point is not needed.", Quote: quote, Correction: k.Text})
			j.infer("dismisses-" + k.ID)
		}
	}
	topical := d.topicalSentences(c.vocab)
	j.Stuffed = len(d.toks) > 0 && (evidenceDensity(d, c, topical) > maxDensity || hollow(d, topical) || listShare(d, topical) >= maxListShare)
	j.Echo = echo(d, c.echo)
	return j
}

// Verdict applies Quorum's verdict rule (see the README) to a judgement of a. The
// judgement may come from another grader; Verdict never takes a verdict from it.
func (g *Grader) Verdict(q *bot.Question, a bot.Answer, j Judgement) *bot.Verdict {
	return g.verdict(q, a, newDoc(a.Text), j)
}

func (g *Grader) verdict(q *bot.Question, a bot.Answer, d *doc, j Judgement) *bot.Verdict {
	c := g.compile(q)
	an := analyze(d, a)
	v := &bot.Verdict{QuestionID: q.Ref(), Grader: bot.GraderRubric, Metrics: an.Metrics, RedFlags: j.RedFlags}

	total := q.TotalWeight()
	coveredW := 0
	for _, k := range q.KeyPoints {
		p := bot.Point{ID: k.ID, Text: k.Text, Quote: j.Covered[k.ID]}
		if _, ok := j.Covered[k.ID]; ok {
			coveredW += k.Weight
			v.Covered = append(v.Covered, p)
		} else {
			v.Missed = append(v.Missed, p)
		}
	}
	coverage := 0.0
	if total > 0 {
		coverage = float64(coveredW) / float64(total)
	}

	restated := d.nsents > 0 && isRestatement(d, c.prompt)
	stuffed := !restated && an.Words > 0 && j.Stuffed
	// Near the bar, in its own words: an answer a little short of the pass weight that
	// says much of what the model answer says passes; the key points it did not make
	// explicitly are still listed as missed.
	echoed := coverage+1e-9 < q.PassWeight && coverage+1e-9 >= echoNear*q.PassWeight && j.Echo >= echoBar &&
		len(v.RedFlags) == 0 && !stuffed && !restated && an.Words >= MinWords
	content := int(math.Round(100*coverage)) - 25*len(v.RedFlags)
	if echoed {
		content = max(content, int(math.Round(100*q.PassWeight)))
	}
	switch {
	case restated:
		content = min(content, 10)
	case stuffed:
		content = min(content, 30)
	}
	clarity, confidence, delivery := g.dimensionScores(an, a.TimeLimit)
	if j.Clarity != nil {
		clarity = clamp(*j.Clarity)
	}
	if j.Confidence != nil {
		confidence = clamp(*j.Confidence)
	}
	v.Scores = bot.Scores{Content: clamp(content), Clarity: clarity, Confidence: confidence, Delivery: delivery}
	if an.Words == 0 {
		v.Scores = bot.Scores{}
	}
	v.Score = int(math.Round(0.7*float64(v.Scores.Content) + 0.1*float64(clarity+confidence+delivery)))
	if an.Words == 0 {
		v.Score = 0
	}

	// The verdict rule: every condition must hold.
	var reasons []string
	switch {
	case an.Words == 0:
		reasons = append(reasons, "There was no answer to grade.")
	case restated:
		reasons = append(reasons, "The answer mostly repeats the question instead of answering it.")
	case stuffed:
		reasons = append(reasons, "It strings the right terms together without explaining how they work or why.")
	case an.Words < MinWords:
		reasons = append(reasons, fmt.Sprintf("At %d words the answer is too short to explain anything; a pass needs at least %d.", an.Words, MinWords))
	}
	if an.Words > 0 && !stuffed && !echoed && coverage+1e-9 < q.PassWeight {
		reasons = append(reasons, fmt.Sprintf("It covers %d%% of the key-point weight; a pass needs %d%%.", pct(coverage), pct(q.PassWeight)))
	}
	if len(v.RedFlags) > 0 {
		reasons = append(reasons, fmt.Sprintf("It states %s.", bot.Count(len(v.RedFlags), "misconception", "misconceptions")))
	}
	if len(reasons) == 0 && v.Score < g.passScore {
		reasons = append(reasons, fmt.Sprintf("The overall score %d is under the pass mark of %d.", v.Score, g.passScore))
	}
	v.Pass = len(reasons) == 0
	if !v.Pass && v.Score >= g.passScore {
		// A FAIL never shows a passing number: the score stops just under the mark.
		v.Score = g.passScore - 1
	}

	g.feedback(v, q, d, an, coverage, reasons, restated, a.TimeLimit)
	if j.Words {
		wordLimits(v, q, coverage, len(reasons) == 1 && len(v.RedFlags) == 0 && !stuffed && !restated && an.Words >= MinWords)
	}
	if unexplained := j.Named - len(v.Covered); unexplained > 0 && !restated {
		v.Feedback.Content += fmt.Sprintf(" You named %s without explaining %s: say how it works and why.",
			bot.Count(unexplained, "more key point", "more key points"), map[bool]string{true: "it", false: "them"}[unexplained == 1])
	}
	return v
}

// maxCommonMistakes is how many of a question's red flags a PASS lists.
const maxCommonMistakes = 2

// wordLimits names, in a verdict made by word matching, the two ways that can mislead.
// A PASS lists the question's misconceptions with their corrections: most false passes
// on fresh rubrics are a misconception said in words no rule anticipates, which the
// person can see and the grader cannot. A FAIL only for coverage, near the bar (within
// echoNear of it, as the near-the-bar rule reads it), says that a point made in other
// words may be listed as missed: on fresh rubrics, about half the false fails are that,
// and such a FAIL is wrong more often than right.
func wordLimits(v *bot.Verdict, q *bot.Question, coverage float64, onlyCoverage bool) {
	if v.Pass {
		for _, f := range q.RedFlags {
			if len(v.Feedback.CommonMistakes) == maxCommonMistakes {
				break
			}
			v.Feedback.CommonMistakes = append(v.Feedback.CommonMistakes, bot.Point{ID: f.ID, Text: f.Text, Correction: f.Correction})
		}
		return
	}
	if onlyCoverage && coverage+1e-9 < q.PassWeight && coverage+1e-9 >= echoNear*q.PassWeight {
		v.Feedback.Content += " That is close to the bar, and this grader finds points by their words: if you made a missed point in other words, name it plainly next time."
	}
}

func (g *Grader) feedback(v *bot.Verdict, q *bot.Question, d *doc, an Analysis, coverage float64, reasons []string, restated bool, limit time.Duration) {
	fb := &v.Feedback
	n := len(q.KeyPoints)
	switch {
	case an.Words == 0 && strings.TrimSpace(d.text) != "":
		fb.Summary = "Your answer had no words I could grade (only symbols or emoji), so it counts as a FAIL."
	case an.Words == 0:
		fb.Summary = "I didn't get an answer, so there is nothing to grade: this counts as a FAIL."
	case v.Pass && len(v.Missed) == 0:
		fb.Summary = "A strong answer: you covered every key point."
	case v.Pass && coverage+1e-9 < q.PassWeight:
		fb.Summary = fmt.Sprintf("A passing answer in your own words: you made %d of %d key points explicitly, and the rest says much of what a strong answer says.", len(v.Covered), n)
	case v.Pass:
		fb.Summary = fmt.Sprintf("A passing answer: you covered the essentials (%d of %d key points).", len(v.Covered), n)
	default:
		fb.Summary = strings.Join(reasons, " ")
	}

	switch {
	case an.Words == 0:
		fb.Content = fmt.Sprintf("No words, so none of the %d key points were covered.", n)
	case restated:
		fb.Content = "Restating the question earns nothing: explain how it works and why."
	default:
		fb.Content = fmt.Sprintf("You covered %d of %d key points, %d%% of the weight (a pass needs %d%%).", len(v.Covered), n, pct(coverage), pct(q.PassWeight))
		if v.Pass && coverage+1e-9 < q.PassWeight {
			fb.Content += " It passes because it says much of what a strong answer says in other words; make the missed points explicitly to be sure."
		}
		if len(v.RedFlags) > 0 {
			fb.Content += fmt.Sprintf(" %s cost %d points.", capitalize(bot.Count(len(v.RedFlags), "red flag", "red flags")), 25*len(v.RedFlags))
		}
	}

	avg := 0.0
	if an.Sentences > 0 {
		avg = float64(an.Words) / float64(an.Sentences)
	}
	switch {
	case an.Words == 0:
		fb.Clarity = "No answer, so no structure to judge."
	case an.Words < 20:
		fb.Clarity = fmt.Sprintf("At %d words there is too little to follow; explain the mechanism step by step.", an.Words)
	case avg > 35:
		fb.Clarity = fmt.Sprintf("Your sentences average %.0f words; split them so each carries one idea.", avg)
	case avg < 5:
		fb.Clarity = fmt.Sprintf("Your sentences average %.0f words, more a list of terms than an explanation; connect them with because and so.", avg)
	case an.Signals == 0:
		fb.Clarity = "You used no structure words (first, then, because, the trade-off is); add them so the listener can follow the steps."
	default:
		fb.Clarity = fmt.Sprintf("You used %s (first, because, the trade-off...) across %s of %.0f words on average.", bot.Count(an.Signals, "structure signal", "structure signals"), bot.Count(an.Sentences, "sentence", "sentences"), avg)
	}

	switch {
	case an.Words == 0:
		fb.Confidence = "No answer, so no confidence to judge."
	case an.Hedges == 0:
		fb.Confidence = "You stated your points plainly, with no hedging."
	default:
		fb.Confidence = fmt.Sprintf("You hedged %s (%s), %.1f per 100 words; state what you know plainly and keep \"I'm not sure\" for what you don't.", times(an.Hedges), top(an.HedgeCounts, 2), an.per100(an.Hedges))
	}

	lo, hi := lengthRange(limit, an.Spoken)
	switch {
	case an.Words == 0:
		fb.Delivery = "There were no words to judge."
	case an.Fillers > 0 && an.perMinute(an.Fillers) > 3:
		fb.Delivery = fmt.Sprintf("You said %s, %.0f a minute; aim for under 3.", top(an.FillerCounts, 2), an.perMinute(an.Fillers))
	case an.Spoken && an.WordsPerMin > 0 && (an.WordsPerMin < 120 || an.WordsPerMin > 170):
		fb.Delivery = fmt.Sprintf("You spoke at %.0f words a minute; aim for 120-170.", an.WordsPerMin)
	case an.Words < lo:
		fb.Delivery = fmt.Sprintf("Your answer is %d words; for this question aim for %d to %d.", an.Words, lo, hi)
	case an.Words > hi:
		fb.Delivery = fmt.Sprintf("Your answer is %d words, more than fits in the time (about %d); lead with the mechanism and cut the rest.", an.Words, hi)
	case an.Spoken && an.LongPauses > 2:
		fb.Delivery = fmt.Sprintf("You paused for over 2 seconds %s (the longest %.1f s); plan the next point while you finish the current one.", times(an.LongPauses), an.LongestPause)
	case an.Spoken:
		fb.Delivery = fmt.Sprintf("You spoke %d words at %.0f words a minute, with %s and %s over 2 seconds.", an.Words, an.WordsPerMin, bot.Count(an.Fillers, "filler", "fillers"), bot.Count(an.LongPauses, "pause", "pauses"))
	default:
		fb.Delivery = fmt.Sprintf("At %d words the length fits the time, with %s.", an.Words, bot.Count(an.Fillers, "filler", "fillers"))
	}

	fb.NextStep = nextStep(v, q, an)
	if len(q.FollowUps) > 0 {
		fb.FollowUp = q.FollowUps[0]
	}
}

// nextStep is the one thing to do next: fix a misconception, else make the weightiest missed point.
func nextStep(v *bot.Verdict, q *bot.Question, an Analysis) string {
	if len(v.RedFlags) > 0 && v.RedFlags[0].Correction != "" {
		return "Correct the misconception first: " + v.RedFlags[0].Correction
	}
	if len(v.Missed) > 0 {
		best := v.Missed[0]
		bw := 0
		for _, m := range v.Missed {
			for _, k := range q.KeyPoints {
				if k.ID == m.ID && k.Weight > bw {
					best, bw = m, k.Weight
				}
			}
		}
		return "Next time, make this point explicitly: " + best.Text
	}
	if an.Hedges > 2 {
		return "Say the same answer again without the hedges: you know this."
	}
	if q.Difficulty != bot.Hard {
		return fmt.Sprintf("You have this one: try a harder %s question.", q.Topic)
	}
	return "Practise the follow-up below, which is what an interviewer would ask next."
}

// isRestatement reports an answer whose content words are almost all the prompt's own.
func isRestatement(d *doc, prompt map[string]bool) bool {
	total, novel := 0, 0
	seen := map[string]bool{}
	for _, t := range d.toks {
		if t.class&clsStop != 0 || seen[t.stem] {
			continue
		}
		seen[t.stem] = true
		total++
		if !prompt[t.stem] {
			novel++
			if novel >= 6 {
				return false // enough of its own to be more than the question again
			}
		}
	}
	if total == 0 {
		return false
	}
	return float64(novel) < 0.35*float64(total)
}

func contentStems(text string) map[string]bool {
	out := map[string]bool{}
	for _, t := range tokenize(text) {
		if t.class&clsStop == 0 {
			out[t.stem] = true
		}
	}
	return out
}

var stopwords = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`a an the and or but if then so of to in on at by for with from as is are was were be been
		being it its this that these those there here what which who whom whose how why when where do does did done can could
		would should will shall may might must i you he she we they me him her us them my your our their his
		not no yes about into over under than too very just also more most some any each all both such own same
		other again further once only up down out off own s t have has had having am`) {
		m[w] = true
	}
	return m
}()

func pct(f float64) int { return int(math.Round(100 * f)) }

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
