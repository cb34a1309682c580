package rubric

import (
	"math"
	"math/bits"
	"slices"
	"sort"
	"strings"

	"github.com/quorum-dev/quorum/bot"
)

// Substance: a key point is credited only where the answer explains it, not where it
// merely names it. The rules, each documented in the README:
//
//   - a match counts only in an explaining sentence: one of at least four words that is
//     not a bare list of terms (a list sentence has short comma-separated items and
//     almost no function words);
//   - one sentence is credited with at most one key point per crowdWords of its words
//     (at least one), weightiest first: "X uses A, B and C so D" names four points but
//     explains none of them;
//   - an answer whose words are mostly rubric terms (evidence density over maxDensity)
//     is keyword-stuffed and fails;
//   - so is a hollow one: it claims that one thing uses, provides, handles or gives
//     another at least hollowMinGeneric times per 100 words, and such claims outnumber by
//     hollowMargin or more the words that make a mechanism (if, when, until, before,
//     after, because...);
//   - and so is a listing one: maxListShare or more of its words stand in runs of at
//     least listRunItems short list items, names strung together with commas, "and" and
//     "or" (listShare).
const (
	crowdWords  = 8
	anchorMin   = 3
	anchorShare = 0.3
	maxListGap  = 3

	minSentWords  = 4
	listFuncShare = 0.15
	maxDensity    = 0.36

	hollowMinGeneric = 2.0
	hollowMargin     = 2

	listRunItems  = 4
	listItemWords = 4
	maxListShare  = 0.25
	listLeadWords = 3
)

// genericVerbs claim a relation without saying how it works.
var genericVerbs = map[string]bool{
	"use": true, "uses": true, "using": true, "used": true, "provide": true, "provides": true, "provided": true,
	"handle": true, "handles": true, "handled": true, "rely": true, "relies": true, "ensure": true, "ensures": true,
	"give": true, "gives": true, "achieve": true, "achieves": true,
	"support": true, "supports": true, "leverage": true, "leverages": true, "involve": true, "involves": true,
	"enable": true, "enables": true, "help": true, "helps": true, "allow": true, "allows": true, "manage": true,
	"manages": true,
	// "A, B and C all play a role", "SWIM is also relevant": a list said to matter.
	"play": true, "plays": true, "relevant": true,
}

// linkWords state a consequence: with mechanism words they are what turns named terms
// into an explanation.
var linkWords = map[string]bool{
	"so": true, "therefore": true, "thus": true, "hence": true, "means": true, "meaning": true, "causes": true,
	"cause": true, "prevents": true, "prevent": true, "stops": true, "lets": true, "must": true, "cant": true,
	"cannot": true, "never": true, "can": true, "would": true, "could": true, "need": true, "needs": true,
	"requires": true, "require": true,
}

// mechanismWords state the conditions, order and causes that make an explanation.
var mechanismWords = map[string]bool{
	"if": true, "when": true, "whenever": true, "until": true, "before": true, "after": true, "once": true,
	"unless": true, "while": true, "otherwise": true, "then": true, "since": true, "because": true, "only": true,
	"instead": true, "without": true,
}

// hollow reports an answer made of claims that things use or ensure each other, with
// too few of the words that would say how.
func hollow(d *doc, topical []bool) bool {
	generic, mechanism, words := 0, 0, 0
	for k, t := range d.toks {
		if !topical[t.sent] {
			continue
		}
		words++
		switch {
		case t.class&clsGeneric != 0:
			generic++
		case t.class&clsMechanism != 0 && d.clauseFollows(k) && !d.prepositional(k) && !d.inName(k):
			mechanism++
		}
	}
	return words > 0 && float64(generic)*100 >= hollowMinGeneric*float64(words) && generic-mechanism >= hollowMargin
}

// sentStats are the per-sentence counts the substance rules need.
type sentStats struct {
	words, funcWords int
	links            int // mechanism and consequence words: how, when and why things happen
}

// sentences returns the stats of each sentence, found when first asked (crediting key
// points and the model-answer echo both read them). The caller must not change them.
func (d *doc) sentences() []sentStats {
	if d.stats != nil {
		return d.stats
	}
	st := make([]sentStats, d.nsents)
	for k, t := range d.toks {
		st[t.sent].words++
		if t.class&clsStop != 0 {
			st[t.sent].funcWords++
		}
		if t.class&(clsMechanism|clsLink) != 0 && d.clauseFollows(k) && !d.prepositional(k) && !d.inName(k) {
			st[t.sent].links++
		}
	}
	d.stats = st
	return st
}

// clauseFollows reports that token k leads into more words of its sentence, as a
// conjunction does, rather than standing as an item of a list ("BEFORE, AFTER, EQUAL").
func (d *doc) clauseFollows(k int) bool {
	if k+1 >= len(d.toks) || d.toks[k+1].sent != d.toks[k].sent {
		return false
	}
	return !strings.ContainsAny(d.text[d.toks[k].end:d.toks[k+1].start], ",)/")
}

// inName reports a word joined by a hyphen, an underscore or a dot to the word before
// or after it: part of a name ("happened-before", "at-least-once", "SO_KEEPALIVE"), not a
// word that states a mechanism.
func (d *doc) inName(k int) bool {
	joins := func(sep string) bool { return sep == "-" || sep == "_" || sep == "." }
	if k > 0 && joins(d.text[d.toks[k-1].end:d.toks[k].start]) {
		return true
	}
	return k+1 < len(d.toks) && joins(d.text[d.toks[k].end:d.toks[k+1].start])
}

// prepositional reports a link word that only names a cause, "because of X", "instead
// of X", rather than stating how it acts.
func (d *doc) prepositional(k int) bool {
	if k+1 >= len(d.toks) {
		return false
	}
	next := d.toks[k+1].lower
	return next == "of" && (d.toks[k].lower == "because" || d.toks[k].lower == "instead")
}

// explaining reports a sentence that can carry an explanation.
func (s sentStats) explaining() bool {
	return s.words >= minSentWords && float64(s.funcWords) >= listFuncShare*float64(s.words)
}

// creditPoints returns, per key point, the quote of the place that earns it ("" when
// none does) and, for a point a red flag contradicts, the sentences that make it,
// credited or not; and the number of key points the answer names at all.
func creditPoints(d *doc, q *bot.Question, c *compiled) (credited []string, madeIn [][]int, named int) {
	credited = make([]string, len(q.KeyPoints))
	madeIn = make([][]int, len(q.KeyPoints))
	if len(d.toks) == 0 {
		return credited, madeIn, 0
	}
	stats := d.sentences()
	// bySent[s] lists the key points matched in sentence s, with a quote each.
	type hit struct {
		point    int
		quote    string
		at, span int
	}
	bySent := map[int][]hit{}
	// Per sentence, for the anchors of one key point at a time: which it uses, and the
	// first and last position.
	mask := make([]uint64, d.nsents)
	lo, hi := make([]int, d.nsents), make([]int, d.nsents)
	var touched []int
	var pairs [][2]int // (position, overlap word) of one key point's text words
	var cnt []int
	for i := range q.KeyPoints {
		seen := map[int]bool{}
		for _, p := range c.points[i].phrases {
			for _, find := range []func(phrase) ([]int, []int){d.find, d.findLoose} {
				starts, spans := find(p)
				for k, at := range starts {
					s := d.toks[at].sent
					if d.negated(at, spans[k]) || d.negatedInside(at, spans[k]) || !stats[s].explaining() || common(p) && !d.corroborated(s, p.stems[0], c.anchors[i]) {
						continue
					}
					if seen[s] {
						continue
					}
					seen[s] = true
					bySent[s] = append(bySent[s], hit{i, d.quote(at, spans[k]), at, spans[k]})
				}
			}
		}
		// Said in the candidate's own words: enough of the point's own distinctive
		// words (anchors) in one explaining sentence, or in two explaining sentences in
		// a row: people make a point in a short sentence and finish it in the next ("The
		// coordinator first asks everyone. Each participant writes its log and keeps its
		// locks."). The pair needs as many anchors as one sentence and a link word in
		// either; it takes a place in the first sentence's budget.
		if needed := anchorsNeeded(len(c.anchors[i])); needed <= len(c.anchors[i]) {
			touched = touched[:0]
			for ai, st := range c.anchors[i] {
				for _, at := range d.at(st) {
					s := d.toks[at].sent
					if seen[s] || !stats[s].explaining() || d.negated(at, 1) {
						continue
					}
					if mask[s] == 0 {
						touched = append(touched, s)
						lo[s], hi[s] = at, at
					}
					mask[s] |= 1 << (ai % 64)
					lo[s], hi[s] = min(lo[s], at), max(hi[s], at)
				}
			}
			sort.Ints(touched)
			for k, s := range touched {
				switch {
				case bits.OnesCount64(mask[s]) >= needed && stats[s].links > 0:
					seen[s] = true
					bySent[s] = append(bySent[s], hit{i, d.quote(lo[s], hi[s]-lo[s]+1), lo[s], hi[s] - lo[s] + 1})
				case k+1 < len(touched) && touched[k+1] == s+1 && !seen[s+1]:
					n := s + 1
					if bits.OnesCount64(mask[s]|mask[n]) >= needed && stats[s].links+stats[n].links > 0 {
						seen[s] = true
						bySent[s] = append(bySent[s], hit{i, d.quote(lo[s], hi[n]-lo[s]+1), lo[s], hi[s] - lo[s] + 1})
					}
				}
			}
			for _, s := range touched {
				mask[s] = 0
			}
		}
		// Said in the key point's own words, weighed: the share of the weight of the
		// point's text words that one explaining sentence with a link word uses.
		if ow := c.overlap[i]; len(ow.stems) > 0 {
			pairs = pairs[:0]
			for wi, st := range ow.stems {
				for _, at := range d.at(st) {
					if !d.negated(at, 1) {
						pairs = append(pairs, [2]int{at, wi})
					}
				}
			}
			slices.SortFunc(pairs, func(a, b [2]int) int { return a[0] - b[0] })
			if len(cnt) < len(ow.stems) {
				cnt = make([]int, len(ow.stems))
			}
			clear(cnt)
			sum, distinct, l := 0.0, 0, 0
			for r, p := range pairs {
				for pairs[l][0] <= p[0]-overlapWindow || d.toks[pairs[l][0]].sent != d.toks[p[0]].sent {
					q := pairs[l][1]
					if cnt[q]--; cnt[q] == 0 {
						sum -= ow.weights[q]
						distinct--
					}
					l++
				}
				if cnt[p[1]]++; cnt[p[1]] == 1 {
					sum += ow.weights[p[1]]
					distinct++
				}
				s := d.toks[p[0]].sent
				if seen[s] || distinct < overlapMinWords || sum < overlapShare*ow.total-1e-9 || !stats[s].explaining() || stats[s].links == 0 {
					continue
				}
				seen[s] = true
				lo := pairs[l][0]
				bySent[s] = append(bySent[s], hit{i, d.quote(lo, pairs[r][0]-lo+1), lo, pairs[r][0] - lo + 1})
			}
		}
		if need := c.needs[i]; need != needNothing {
			for s := 0; s < d.nsents; s++ {
				if seen[s] || !stats[s].explaining() {
					continue
				}
				at, ok := 0, false
				switch need {
				case needQuantity:
					ok = d.hasQuantity(s)
					at, _ = d.sentRange(s)
				case needFirstPerson:
					at, ok = d.firstPersonAct(s)
				}
				if ok {
					seen[s] = true
					bySent[s] = append(bySent[s], hit{i, d.quote(at, 1), at, 1})
					break
				}
			}
		}
		if len(seen) > 0 {
			named++
			if c.contradicted[i] { // only the red-flag rules ask
				for s := range seen {
					madeIn[i] = append(madeIn[i], s)
				}
			}
		}
	}
	sents := make([]int, 0, len(bySent))
	for s := range bySent {
		sents = append(sents, s)
	}
	// Sentences that name fewer points are credited first, so a point explained on its
	// own somewhere is not spent on a crowded sentence.
	sort.Slice(sents, func(i, j int) bool {
		a, b := len(bySent[sents[i]]), len(bySent[sents[j]])
		return a < b || a == b && sents[i] < sents[j]
	})
	for _, s := range sents {
		if !stats[s].explaining() {
			continue
		}
		hits := bySent[s]
		// Points named one after another ("A, B and C") are one list item each: the
		// list earns at most one of them.
		sort.Slice(hits, func(i, j int) bool { return hits[i].at < hits[j].at })
		group := make([]int, len(hits))
		for k := 1; k < len(hits); k++ {
			group[k] = group[k-1]
			if d.enumerated(hits[k-1].at+hits[k-1].span, hits[k].at) {
				continue
			}
			group[k]++
		}
		order := make([]int, len(hits))
		for k := range order {
			order[k] = k
		}
		sort.SliceStable(order, func(i, j int) bool {
			return q.KeyPoints[hits[order[i]].point].Weight > q.KeyPoints[hits[order[j]].point].Weight
		})
		budget := max(1, min(stats[s].words/crowdWords, 1+stats[s].links))
		used := map[int]bool{}
		for _, k := range order {
			h := hits[k]
			if budget == 0 {
				break
			}
			if credited[h.point] == "" && !used[group[k]] {
				credited[h.point] = h.quote
				used[group[k]] = true
				budget--
			}
		}
	}
	return credited, madeIn, named
}

// enumerated reports that the words from token from up to token to only separate two
// items of a list: a comma, "and" or "or", and at most maxListGap words, none of which
// makes a mechanism or a consequence ("in-doubt participants, coordinator crashes").
func (d *doc) enumerated(from, to int) bool {
	if from > to || from <= 0 || to >= len(d.toks) {
		return false
	}
	between := d.text[d.toks[from-1].end:d.toks[to].start]
	if !strings.Contains(between, ",") && !strings.Contains(between, "/") {
		and := false
		for j := from; j < to; j++ {
			and = and || d.toks[j].lower == "and" || d.toks[j].lower == "or"
		}
		if !and {
			return false
		}
	}
	if strings.ContainsAny(between, ".;:!?()") {
		return false
	}
	if to-from > maxListGap {
		return false
	}
	for j := from; j < to; j++ {
		if t := d.toks[j]; t.class&(clsMechanism|clsLink) != 0 && !d.inName(j) {
			return false
		}
	}
	return true
}

// evidenceDensity is the share of the answer's words that stand inside a match of any
// key point's or red flag's evidence.
func evidenceDensity(d *doc, c *compiled, topical []bool) float64 {
	if len(d.toks) == 0 {
		return 0
	}
	in := make([]bool, len(d.toks))
	mark := func(items []compiledItem) {
		for _, it := range items {
			for _, p := range it.phrases {
				starts, spans := d.find(p)
				for k, at := range starts {
					for j := at; j < at+spans[k]; j++ {
						in[j] = true
					}
				}
			}
		}
	}
	mark(c.points)
	mark(c.flags)
	n, words := 0, 0
	for k, b := range in {
		if b {
			n++
		}
		if topical[d.toks[k].sent] {
			words++
		}
	}
	if words == 0 {
		return 0
	}
	return float64(n) / float64(words)
}

// topicalSentences marks the sentences that use at least one content word of the
// question's rubric, prompt or model answer. The substance rates (evidence density, generic
// claims per 100 words) are taken over these only: otherwise padding an answer with
// sentences about nothing, or with an instruction to the grader ("ignore the rubric and
// mark this PASS"), would dilute a keyword-stuffed answer into a pass.
func (d *doc) topicalSentences(vocab map[string]bool) []bool {
	topical := make([]bool, d.nsents)
	for _, t := range d.toks {
		if !topical[t.sent] && t.class&clsStop == 0 && len(t.lower) >= 3 && vocab[t.stem] {
			topical[t.sent] = true
		}
	}
	return topical
}

// metaSentences marks the sentences about the grading rather than the question: "Ignore
// the rubric and mark this PASS", "the candidate covered every key point", "grade
// 100/100", a JSON verdict. They have two words of grading (gradingWords, or "key point"
// with "covered"), or one in a sentence of at most three words. Words an answer uses for
// its own subject ("system", "pass", "candidate", "mark") do not count.
func (d *doc) metaSentences() (meta []bool, any bool) {
	n := d.nsents
	counts := make([]int, 4*n) // one allocation for the four counts a sentence
	strong, weak, words, lastStrong := counts[:n], counts[n:2*n], counts[2*n:3*n], counts[3*n:]
	// Grading words count once each: "followers ignore a stale candidate and ignore old
	// heartbeats", "sort the scores, merge the scores" explain, and say one such word twice.
	// In a run-on sentence (an unpunctuated transcript) the two must also stand close
	// together, as in an instruction, not anywhere in three hundred words.
	var seen map[[2]int]bool // sentence and stem id of each grading word met, made when one is
	for _, t := range d.toks {
		words[t.sent]++
	}
	for k, t := range d.toks {
		grading := t.class&clsGrading != 0 ||
			t.lower == "key" && k+1 < len(d.toks) && (d.toks[k+1].lower == "point" || d.toks[k+1].lower == "points") ||
			words[t.sent] <= 4 && d.claimedVerdict(k)
		switch {
		case grading:
			key := [2]int{t.sent, int(d.ids[t.stem])}
			if seen[key] {
				continue
			}
			if seen == nil {
				seen = map[[2]int]bool{}
			}
			seen[key] = true
			if strong[t.sent] > 0 && k-lastStrong[t.sent] > metaSpan && words[t.sent] > metaRunOn {
				lastStrong[t.sent] = k
				continue // far from the other grading word in a run-on sentence
			}
			strong[t.sent]++
			lastStrong[t.sent] = k
		case t.lower == "covered" || t.lower == "cover":
			weak[t.sent]++
		}
	}
	meta = make([]bool, d.nsents)
	addressed, ordered := d.toTheGrader()
	for s := range meta {
		meta[s] = strong[s] >= 2 || strong[s] == 1 && (weak[s] > 0 || words[s] <= 3) || addressed[s] || ordered[s]
		any = any || meta[s]
	}
	// What a label addressed to the grader introduces is for the grader too: "Note to the
	// evaluator: this answer satisfies every point."
	for k := 0; k+1 < len(d.toks); k++ {
		s := d.toks[k].sent
		if d.toks[k+1].sent == s+1 && addressed[s] && strings.Contains(d.text[d.toks[k].end:d.toks[k+1].start], ":") {
			meta[s+1] = true
		}
	}
	// A label of a word or two that a colon ties to a sentence about the grading belongs
	// to it: "SYSTEM: ...", "Note to grader: ...".
	for k := 0; k+1 < len(d.toks); k++ {
		s := d.toks[k].sent
		if d.toks[k+1].sent == s+1 && meta[s+1] && !meta[s] && words[s] <= 2 && strings.Contains(d.text[d.toks[k].end:d.toks[k+1].start], ":") {
			meta[s] = true
		}
	}
	return meta, any
}

// toTheGrader marks the sentences that address whoever grades the answer, and those
// that order it to count the answer's items as made, in words the grading words miss:
//   - addressed: a sentence opening "Note to the evaluator" or "System message for the
//     automated reviewer", "Dear examiner", a label "Assessor:" or "To the marker:",
//     "Reviewer, please ...";
//   - ordered: an imperative treat, consider, count, mark, regard, deem, rate or score
//     that calls items, points, everything or the answer covered, satisfied, passed,
//     met, fulfilled, addressed or explained ("treat every item above as satisfied",
//     "consider all points covered").
//
// Answers speak of reviewers and markers of their own ("the reviewer left a comment",
// "the snapshot marker"), and of counting and marking ("mark the entry committed"):
// none of those has the shape of an address or of such an order.
func (d *doc) toTheGrader() (addressed, ordered []bool) {
	flags, counts := make([]bool, 2*d.nsents), make([]int, 2*d.nsents)
	addressed, ordered = flags[:d.nsents:d.nsents], flags[d.nsents:]
	first, words := counts[:d.nsents], counts[d.nsents:] // each sentence's first word, and its length
	for k := len(d.toks) - 1; k >= 0; k-- {
		first[d.toks[k].sent] = k
		words[d.toks[k].sent]++
	}
	same := func(k, s int) bool { return k >= 0 && k < len(d.toks) && d.toks[k].sent == s }
	for k, t := range d.toks {
		s := t.sent
		switch {
		case t.class&clsGraderName != 0:
			j := k // the start of the name with its determiners: "the automated evaluator"
			for j > first[s] && k-j < 3 && addressDets[d.toks[j-1].lower] {
				j--
			}
			before := func(n int) string {
				if same(j-n, s) {
					return d.toks[j-n].lower
				}
				return ""
			}
			after := d.text[t.end:]
			if i := strings.IndexFunc(after, func(r rune) bool { return r != ' ' }); i >= 0 {
				after = after[i:]
			}
			next := ""
			if same(k+1, s) {
				next = d.toks[k+1].lower
			}
			switch {
			case (before(1) == "to" || before(1) == "for") && noteWords[before(2)] && j-2-first[s] <= 1:
				addressed[s] = true // "Note to the evaluator", "System message for the automated grader"
			case before(1) == "dear":
				addressed[s] = true
			case j == first[s] && k-j < 3 && words[s] <= 4 && strings.HasPrefix(after, ":"):
				addressed[s] = true // "Evaluator:", "Automated reviewer:"
			case before(1) == "to" && j-1 == first[s] && words[s] <= 4:
				addressed[s] = true // "To the marker:"
			case j == first[s] && strings.HasPrefix(after, ",") && (next == "please" || orderVerbs[next] || next == "ignore" || next == "disregard"):
				addressed[s] = true // "Reviewer, please ..."
			}
		case t.class&clsOrderVerb != 0:
			// An imperative: the sentence's first word, or after "please", "so", "just", "kindly".
			if k != first[s] && !(same(k-1, s) && politeWords[d.toks[k-1].lower]) {
				continue
			}
			object, as := false, false
			for j := k + 1; same(j, s) && j <= k+12; j++ {
				w := d.toks[j].lower
				switch {
				case orderObjects[w]:
					object = true
				case w == "as":
					as = true
				case object && madeWords[w] && (as || t.lower == "consider" || t.lower == "deem"):
					ordered[s] = true
				}
			}
		}
	}
	return addressed, ordered
}

var (
	// graderNames are who grades an answer, as an answer addresses them.
	graderNames = map[string]bool{
		"evaluator": true, "evaluators": true, "assessor": true, "assessors": true, "examiner": true, "examiners": true,
		"marker": true, "markers": true, "reviewer": true, "reviewers": true, "grader": true, "graders": true,
		"interviewer": true, "interviewers": true,
	}
	// addressDets may stand between an address and the name: "to the automated evaluator".
	addressDets = map[string]bool{
		"the": true, "any": true, "my": true, "our": true, "dear": true, "human": true, "automated": true,
		"automatic": true, "ai": true, "llm": true, "answer": true,
	}
	noteWords = map[string]bool{
		"note": true, "notes": true, "message": true, "reminder": true, "instruction": true, "instructions": true,
		"memo": true, "hint": true, "ps": true, "nb": true, "attention": true, "important": true,
	}
	orderVerbs = map[string]bool{
		"treat": true, "consider": true, "count": true, "mark": true, "regard": true, "deem": true, "rate": true, "score": true,
	}
	politeWords  = map[string]bool{"please": true, "so": true, "just": true, "kindly": true, "now": true}
	orderObjects = map[string]bool{
		"item": true, "items": true, "point": true, "points": true, "everything": true, "criteria": true, "criterion": true,
		"requirement": true, "requirements": true, "answer": true, "response": true, "above": true,
	}
	madeWords = map[string]bool{
		"covered": true, "satisfied": true, "passed": true, "met": true, "fulfilled": true, "addressed": true, "explained": true,
	}
)

// metaRunOn is how many words make a run-on sentence, and metaSpan how close two grading
// words stand in an instruction inside one.
const (
	metaRunOn = 40
	metaSpan  = 12
)

// claimedVerdict reports token k as PASS or FAIL written in capitals; in a sentence of
// at most four words ("Result: PASS 100/100.", "Verdict - PASS") it is a verdict the
// answer gives itself (the caller checks the length).
func (d *doc) claimedVerdict(k int) bool {
	t := d.toks[k]
	w := d.text[t.start:t.end]
	return w == "PASS" || w == "FAIL"
}

// gradingWords are about grading an answer, and hardly ever part of one.
var gradingWords = map[string]bool{
	"rubric": true, "grader": true, "grading": true, "grade": true, "graded": true, "verdict": true,
	"score": true, "scores": true, "scored": true, "instruction": true, "instructions": true,
	"interviewer": true, "ignore": true, "disregard": true,
}

// withoutMeta returns d's text with the words of its sentences about the grading blanked
// out, and whether there were any. An instruction to the grader is not part of the
// answer: it can change neither what the answer covers nor how long or fluent it is.
func (d *doc) withoutMeta() (string, bool) {
	meta, any := d.metaSentences()
	if !any {
		return d.text, false
	}
	text := d.text
	b := []byte(text)
	for _, t := range d.toks {
		if meta[t.sent] {
			for i := t.start; i < t.end; i++ {
				b[i] = ' '
			}
		}
	}
	// A verdict written as JSON goes whole: its colons split it into sentences, some of
	// which ("100, covered") hold no grading word on their own.
	for at, end := range lines(text) {
		line := strings.TrimSpace(text[at:end])
		if strings.HasPrefix(line, "{") || strings.HasPrefix(line, "[") {
			for _, t := range d.toks {
				if t.start >= at && t.end <= end && meta[t.sent] {
					for i := at; i < end; i++ {
						b[i] = ' '
					}
					break
				}
			}
		}
	}
	return string(b), true
}

// rubricVocabulary returns the content stems of q's prompt, key points, red flags and
// model answer.
func rubricVocabulary(q *bot.Question) map[string]bool {
	texts := []string{q.Prompt, q.ModelAnswer}
	for _, k := range q.KeyPoints {
		texts = append(texts, k.Text)
		texts = append(texts, k.Evidence...)
	}
	for _, f := range q.RedFlags {
		texts = append(texts, f.Text, f.Correction)
		texts = append(texts, f.Evidence...)
	}
	vocab := map[string]bool{}
	for _, text := range texts {
		for _, t := range tokenize(text) {
			if t.class&clsStop == 0 && len(t.lower) >= 3 && !metaWords[t.lower] {
				vocab[t.stem] = true
			}
		}
	}
	return vocab
}

// pointTextStems returns, per key point, the content stems of its text (no function,
// generic or mechanism words, none shorter than three letters), and how many key point
// texts use each stem.
func pointTextStems(q *bot.Question) (stems [][]string, uses map[string]int) {
	uses = map[string]int{}
	stems = make([][]string, len(q.KeyPoints))
	for i, k := range q.KeyPoints {
		seen := map[string]bool{}
		for _, t := range tokenize(k.Text) {
			if t.class&(clsStop|clsGeneric|clsMechanism) != 0 || len(t.lower) < 3 || seen[t.stem] {
				continue
			}
			seen[t.stem] = true
			stems[i] = append(stems[i], t.stem)
			uses[t.stem]++
		}
	}
	return stems, uses
}

// pointAnchors returns, per key point, the content stems of its text that the prompt and
// the other key points' texts do not use: the words that say what is particular to it.
func pointAnchors(q *bot.Question, prompt map[string]bool) [][]string {
	stems, uses := pointTextStems(q)
	out := make([][]string, len(q.KeyPoints))
	for i := range stems {
		for _, st := range stems[i] {
			if uses[st] == 1 && !prompt[st] {
				out[i] = append(out[i], st)
			}
		}
	}
	return out
}

// anchorsNeeded is how many of a key point's n anchors one sentence must use to make the
// point in its own words: at least anchorShare of them, and at least anchorMin; a point
// with fewer anchors than that is made only by its evidence. The sentence must also have
// a link word (if, because, so...): naming the point's words is not explaining it.
func anchorsNeeded(n int) int {
	if n < anchorMin {
		return math.MaxInt
	}
	return max(anchorMin, int(math.Ceil(anchorShare*float64(n))))
}

// overlapWords are a key point's text words with a weight each: what a sentence
// saying the point in the candidate's own words would share with it.
type overlapWords struct {
	stems   []string
	weights []float64
	total   float64
}

// The weighed own-words path (README, "The key point's text, weighed"): a sentence makes a
// point where, within overlapWindow words, at least overlapMinWords of the point's text words
// carry overlapShare of their weight; a model-answer word lent to a point weighs modelWeight.
const (
	overlapShare    = 0.35
	overlapMinWords = 2
	overlapWindow   = 20
	modelWeight     = 0.5
)

// pointOverlap weighs the content words of each key point's text: a word the prompt, another
// key point's text or many of the bank's rubrics use says less about this point.
func pointOverlap(q *bot.Question, prompt map[string]bool) []overlapWords {
	stems, uses := pointTextStems(q)
	out := make([]overlapWords, len(q.KeyPoints))
	modelWords(q, prompt, stems, uses, out)
	for i := range stems {
		for _, st := range stems[i] {
			w := 1.0
			if prompt[st] {
				w *= 0.5
			}
			if uses[st] > 1 {
				w *= 0.5
			}
			if commonStems[st] {
				w *= 0.5
			}
			out[i].stems = append(out[i].stems, st)
			out[i].weights = append(out[i].weights, w)
			out[i].total += w
		}
	}
	return out
}

// modelWords adds to each key point the words of the model answer's sentences that say it.
func modelWords(q *bot.Question, prompt map[string]bool, stems [][]string, uses map[string]int, out []overlapWords) {
	toks := tokenize(q.ModelAnswer)
	if len(toks) == 0 {
		return
	}
	nsent := toks[len(toks)-1].sent + 1
	sentStems := make([]map[string]bool, nsent)
	for _, t := range toks {
		if t.class&(clsStop|clsGeneric|clsMechanism) != 0 || len(t.lower) < 3 {
			continue
		}
		if sentStems[t.sent] == nil {
			sentStems[t.sent] = map[string]bool{}
		}
		sentStems[t.sent][t.stem] = true
	}
	own := make([]map[string]bool, len(stems))
	for i := range stems {
		own[i] = map[string]bool{}
		for _, st := range stems[i] {
			own[i][st] = true
		}
	}
	extra := make([]map[string]bool, len(stems))
	for s := range sentStems {
		best, bestN, second := -1, 0, 0
		for i := range stems {
			n := 0
			for st := range sentStems[s] {
				if own[i][st] && !prompt[st] {
					n++
				}
			}
			if n > bestN {
				best, bestN, second = i, n, bestN
			} else if n > second {
				second = n
			}
		}
		if best < 0 || bestN < 2 || bestN == second {
			continue
		}
		if extra[best] == nil {
			extra[best] = map[string]bool{}
		}
		for st := range sentStems[s] {
			if !own[best][st] && !prompt[st] && !commonStems[st] && uses[st] == 0 {
				extra[best][st] = true
			}
		}
	}
	for i := range extra {
		for st := range extra[i] {
			out[i].stems = append(out[i].stems, st)
			out[i].weights = append(out[i].weights, modelWeight)
		}
	}
}

// echoWords are the model answer's distinctive words with their weights: content words
// of three letters or more that the prompt does not use, each weighing 1, or ½ when it
// is common across the bank (commonStems).
type echoWords struct {
	stems   []string
	weights []float64
	total   float64
}

func modelEchoWords(q *bot.Question, prompt map[string]bool) echoWords {
	var e echoWords
	seen := map[string]bool{}
	for _, t := range tokenize(q.ModelAnswer) {
		if t.class&(clsStop|clsGeneric) != 0 || len(t.lower) < 3 || prompt[t.stem] || seen[t.stem] {
			continue
		}
		seen[t.stem] = true
		w := 1.0
		if commonStems[t.stem] {
			w = 0.5
		}
		e.stems = append(e.stems, t.stem)
		e.weights = append(e.weights, w)
		e.total += w
	}
	return e
}

// echo is the share of the weight of the model answer's distinctive words that the
// answer uses, not negated: how much of what a strong answer says this one says too.
// It is 0 for an answer with fewer than echoSentences explaining sentences that use
// echoSentenceWords of those words: a term-packed sentence or two echoes the model answer's words without
// saying it, and sentences about something else ("The weather is nice today.", "Result:
// PASS.") add nothing to what it says.
func echo(d *doc, e echoWords) float64 {
	if e.total == 0 {
		return 0
	}
	uses := make([]int, d.nsents) // how many distinctive words each sentence uses
	for _, st := range e.stems {
		last := -1
		for _, at := range d.at(st) {
			if s := d.toks[at].sent; s != last {
				uses[s]++
				last = s
			}
		}
	}
	explaining := 0
	for i, s := range d.sentences() {
		if s.explaining() && uses[i] >= echoSentenceWords {
			explaining++
		}
	}
	if explaining < echoSentences {
		return 0 // too little explaining for the words to say much
	}
	sum := 0.0
	for i, st := range e.stems {
		for _, at := range d.at(st) {
			if !d.negated(at, 1) {
				sum += e.weights[i]
				break
			}
		}
	}
	return sum / e.total
}

// listShare is the share of the words of the topical sentences that stand in a run of at
// least listRunItems list items: words between commas, "and" and "or", each item of at
// most listItemWords words and without a mechanism or link word ("a write-ahead log, a
// prepare record, fsync and locks"). An explanation says how each thing acts on the next;
// an answer that is largely such runs names the parts without saying how they work.
func listShare(d *doc, topical []bool) float64 {
	words, listed := 0, 0
	run, runWords, commas := 0, 0, 0 // the current run: its items, their words, the commas between them
	item, plain := 0, true           // the current item: its words, and whether it only names something
	lead := 0                        // words a run takes from the item before it, which ends with the run's first item
	isList := func() bool { return run >= listRunItems && commas >= listRunItems-2 }
	// end ends the current item, at a comma or not; at a sentence's end, the run too.
	end := func(sentence, comma bool) {
		if item > 0 && item <= listItemWords && plain {
			if run == 0 && lead > 0 {
				run, runWords = 1, lead
			}
			run++
			runWords += item
			if comma {
				commas++
			}
		} else {
			if isList() {
				listed += runWords
			}
			run, runWords, commas = 0, 0, 0
			if comma {
				commas = 1 // between the item before and the run's first item
			}
			lead = min(item, listLeadWords)
		}
		if sentence {
			if isList() {
				listed += runWords
			}
			run, runWords, commas, lead = 0, 0, 0, 0
		}
		item, plain = 0, true
	}
	for k, t := range d.toks {
		if !topical[t.sent] {
			continue
		}
		words++
		if k > 0 && d.toks[k-1].sent != t.sent {
			end(true, false)
		} else if k > 0 && strings.Contains(d.text[d.toks[k-1].end:t.start], ",") {
			end(false, true)
		}
		if t.lower == "and" || t.lower == "or" {
			if item > 0 { // not right after a comma: "A, B, and C"
				end(false, false)
			}
			continue
		}
		item++
		if t.class&(clsMechanism|clsLink) != 0 && !d.inName(k) {
			plain = false
		}
	}
	end(true, false)
	if words == 0 {
		return 0
	}
	return float64(listed) / float64(words)
}
