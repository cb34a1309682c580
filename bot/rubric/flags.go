package rubric

import (
	"math"
	"math/bits"
	"slices"

	"github.com/quorum-dev/quorum/bot"
)

// Red flags said in other words. A misconception's evidence phrases hold the wordings
// its author thought of; a candidate who states it in their own words uses the flag's
// distinctive words instead. Matching those loosely flagged correct answers, which
// discuss the same things to get them right, so a loose match counts only when the
// key point the flag contradicts is not made elsewhere: an answer that explains the
// point has shown it does not hold the misconception. The sentence that states the
// misconception often earns that point too, since it talks about the same thing ("load
// is spread evenly, so no partition can ever become a hot spot"): when no other
// sentence makes the point, a stronger loose match in that sentence (flagWordsOverPoint
// of the flag's words that the point's text does not use) states the misconception,
// and the point is not credited. A sentence using a word opposite to one of the flag's
// ("on the same machine" against "different machines") never states it in other words.

// flagMetaWords describe the candidate rather than the misconception ("Claims...").
var flagMetaWords = map[string]bool{
	"claim": true, "say": true, "treat": true, "propos": true, "assum": true, "believ": true,
	"think": true, "suggest": true, "stat": true, "equat": true, "answer": true, "candidat": true,
}

const (
	flagWordsOverPoint = 3   // a loose match in the sentence that made the contradicted point needs this many words
	flagWordsMin       = 2   // a loose flag match needs at least this many distinctive words...
	flagWordsShare     = 0.5 // ...and at least this share of them, in one clause
	flagWindow         = 10  // within this many words
)

// flagWords returns the content stems of a red flag's text that neither the prompt nor
// meta words ("claims", "says") account for.
func flagWords(text string, prompt map[string]bool) []string {
	// A misconception about a number or a formula ("uses O(n) messages", "2f+1 is
	// enough") is lost in other words: its distinctive part is the symbols, which are
	// too short to match loosely. Only its evidence, as written, matches it. (A name
	// with a digit, "L0", is a word.)
	for _, t := range tokenize(text) {
		if isDigit(t.lower[0]) || len(t.lower) == 1 && t.class&clsStop == 0 {
			return nil
		}
	}
	var out []string
	seen := map[string]bool{}
	for _, t := range tokenize(text) {
		if t.class&(clsStop|clsGeneric) != 0 || len(t.lower) < 3 || seen[t.stem] || prompt[t.stem] || flagMetaWords[t.stem] {
			continue
		}
		seen[t.stem] = true
		out = append(out, t.stem)
	}
	return out
}

// looseFlagCounts reports whether a loose match of red flag i in sentence s, of the words
// used (by index), states the misconception; pointMade tells whether the key point it
// contradicts is credited, and madeIn lists the sentences that make that point.
func looseFlagCounts(d *doc, c *compiled, i int, pointMade bool, madeIn []int, s int, used uint64) bool {
	switch {
	case d.usesAny(s, c.flagOpp[i]):
		return false
	case !pointMade:
		return true
	}
	return bits.OnesCount64(used&c.flagOnly[i]) >= flagWordsOverPoint && !slices.ContainsFunc(madeIn, func(o int) bool { return o != s })
}

// wordsBeyond returns, as a bit set over words, those that key point p's text does not use.
func wordsBeyond(words []string, q *bot.Question, p int) uint64 {
	if p < 0 {
		return 0
	}
	pt := contentStems(q.KeyPoints[p].Text)
	var out uint64
	for w, st := range words {
		if !pt[st] {
			out |= 1 << (w % 64)
		}
	}
	return out
}

// antonymWords are pairs of words of opposite sense. A sentence that uses the opposite
// of a red flag's word says the reverse of the misconception ("only on the same
// machine" against "compares values taken on different machines"), so it cannot state
// it in other words.
var antonymWords = [][2]string{
	{"same", "different"}, {"before", "after"}, {"synchronous", "asynchronous"}, {"majority", "minority"},
	{"increase", "decrease"}, {"higher", "lower"}, {"more", "fewer"}, {"more", "less"}, {"strong", "weak"},
	{"local", "global"}, {"safe", "unsafe"}, {"possible", "impossible"}, {"always", "sometimes"},
}

// opposites returns the stems of the words opposite in sense to a word of text that
// text does not itself use.
func opposites(text string) []string {
	has := map[string]bool{}
	for _, t := range tokenize(text) {
		has[t.stem] = true
	}
	var out []string
	for _, p := range antonymWords {
		a, b := canonical(p[0]), canonical(p[1])
		switch {
		case has[a] && !has[b]:
			out = append(out, b)
		case has[b] && !has[a]:
			out = append(out, a)
		}
	}
	return out
}

// usesAny reports whether sentence s uses any of stems.
func (d *doc) usesAny(s int, stems []string) bool {
	return slices.ContainsFunc(stems, func(st string) bool { return d.inSentence(s, st) })
}

// contradictedPoint returns the key point a red flag contradicts: the one whose text
// shares the most content words with the flag's text and correction, or -1 when none
// shares any.
func contradictedPoint(q *bot.Question, f bot.RedFlag) int {
	fw := contentStems(f.Text + " ; " + f.Correction)
	best, bestN := -1, 0
	for i, k := range q.KeyPoints {
		n := 0
		for st := range contentStems(k.Text) {
			if fw[st] && len(st) > 2 {
				n++
			}
		}
		if n > bestN {
			best, bestN = i, n
		}
	}
	return best
}

// findFlagLoose returns where the answer uses enough of a red flag's distinctive words in
// one clause, close together, without rejecting or negating them, in a sentence that
// in accepts.
func findFlagLoose(d *doc, words []string, in func(sent int, used uint64) bool) match {
	need := max(flagWordsMin, int(math.Ceil(flagWordsShare*float64(len(words)))))
	if len(words) < need {
		return match{}
	}
	// For each position of any distinctive word, count the distinct words within the window.
	for s := 0; s < len(words); s++ {
		for _, at := range d.at(words[s]) {
			sent := d.toks[at].sent
			lo, hi, n, used := at, at, 1, uint64(1)<<(s%64)
			for w := 0; w < len(words); w++ {
				if w == s {
					continue
				}
				for _, j := range d.at(words[w]) {
					if j > at && j-at < flagWindow && d.toks[j].sent == sent {
						n++
						used |= 1 << (w % 64)
						hi = max(hi, j)
						break
					}
				}
			}
			if n >= need && in(sent, used) && !d.rejected(lo, hi-lo+1) && !d.deniedBefore(hi) {
				return match{ok: true, quote: d.quote(lo, hi-lo+1)}
			}
		}
	}
	return match{}
}

// deniedBefore reports a rejecting or negating word anywhere in token i's sentence up to
// i: a loose match has no fixed start, so the whole clause that leads to it is read.
func (d *doc) deniedBefore(i int) bool {
	sent := d.toks[i].sent
	for j := i; j >= 0 && d.toks[j].sent == sent; j-- {
		if w := d.toks[j].lower; rejecters[w] || negators[w] {
			return true
		}
	}
	return false
}
