package rubric

import (
	"math"

	"github.com/quorum-dev/quorum/bot"
)

// Red flags said in other words. A misconception's evidence phrases hold the wordings
// its author thought of; a candidate who states it in their own words uses the flag's
// distinctive words instead. Matching those loosely flagged correct answers, which
// discuss the same things to get them right, so a loose match counts only when the
// key point the flag contradicts is not credited: an answer that explains the point
// has shown it does not hold the misconception.

// flagMetaWords describe the candidate rather than the misconception ("Claims...").
var flagMetaWords = map[string]bool{
	"claim": true, "say": true, "treat": true, "propos": true, "assum": true, "believ": true,
	"think": true, "suggest": true, "stat": true, "equat": true, "answer": true, "candidat": true,
}

const (
	flagWordsMin   = 2   // a loose flag match needs at least this many distinctive words...
	flagWordsShare = 0.5 // ...and at least this share of them, in one clause
	flagWindow     = 10  // within this many words
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
// one clause, close together, without rejecting or negating them.
func findFlagLoose(d *doc, words []string) match {
	need := max(flagWordsMin, int(math.Ceil(flagWordsShare*float64(len(words)))))
	if len(words) < need {
		return match{}
	}
	// For each position of any distinctive word, count the distinct words within the window.
	for s := 0; s < len(words); s++ {
		for _, at := range d.at(words[s]) {
			sent := d.toks[at].sent
			lo, hi, n := at, at, 1
			for w := 0; w < len(words); w++ {
				if w == s {
					continue
				}
				for _, j := range d.at(words[w]) {
					if j > at && j-at < flagWindow && d.toks[j].sent == sent {
						n++
						hi = max(hi, j)
						break
					}
				}
			}
			if n >= need && !d.rejected(lo, hi-lo+1) && !d.deniedBefore(hi) {
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
