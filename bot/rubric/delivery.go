package rubric

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/quorum-dev/quorum/bot"
)

// Word lists of the delivery analysis. Each entry is matched as whole words, in order.
var (
	// Fillers are sounds and phrases that carry no meaning. "like" counts only between
	// commas or after a comma at a sentence start ("it's, like, a quorum").
	fillerList = []string{"um", "umm", "uh", "uhh", "uhm", "erm", "er", "hmm", "you know", "i mean", "sort of", "kind of", "basically"}
	// Hedges weaken a claim the speaker could simply make.
	hedgeList = []string{"i think", "i guess", "i believe", "i suppose", "maybe", "perhaps", "probably", "possibly",
		"not sure", "not entirely sure", "might be", "could be", "if i remember", "if i recall", "i am not sure", "im not sure"}
	// Signals show the answer's structure: order, cause, contrast, trade-off, example.
	signalList = []string{"first", "firstly", "second", "secondly", "third", "then", "next", "finally", "because",
		"therefore", "thus", "hence", "so that", "which means", "as a result", "trade off", "tradeoff", "however",
		"whereas", "on the other hand", "for example", "for instance", "in contrast", "otherwise", "instead",
		"the reason", "thats why", "in short", "overall", "the downside", "the cost", "at the cost of"}
)

// wordList is a list of phrases indexed by their first word.
type wordList map[string][][]string

func compileList(list []string) wordList {
	l := wordList{}
	for _, s := range list {
		words := strings.Fields(s)
		l[words[0]] = append(l[words[0]], words)
	}
	// Longest phrase first, so "i am not sure" wins over a shorter entry at the same place.
	for _, entries := range l {
		sort.Slice(entries, func(i, j int) bool { return len(entries[i]) > len(entries[j]) })
	}
	return l
}

var (
	fillers = compileList(fillerList)
	hedges  = compileList(hedgeList)
	signals = compileList(signalList)
)

// count returns how often the phrases of l occur in d's words (longest match first at each place).
func (l wordList) count(d *doc) (int, map[string]int) {
	total := 0
	var counts map[string]int
	for i := 0; i < len(d.toks); i++ {
		if d.toks[i].class&clsListStart == 0 {
			continue
		}
		for _, words := range l[d.toks[i].lower] {
			if i+len(words) > len(d.toks) {
				continue
			}
			ok := true
			for j := 1; j < len(words); j++ {
				if d.toks[i+j].lower != words[j] {
					ok = false
					break
				}
			}
			if ok {
				if counts == nil {
					counts = map[string]int{}
				}
				total++
				counts[strings.Join(words, " ")]++
				i += len(words) - 1
				break
			}
		}
	}
	return total, counts
}

// likeFillers counts "like" used as a filler: set off by commas.
func likeFillers(d *doc) int {
	n := 0
	for i, t := range d.toks {
		if t.lower != "like" {
			continue
		}
		after := strings.TrimLeft(d.text[t.end:], " ")
		before := strings.TrimRight(d.text[:t.start], " ")
		commaAfter := strings.HasPrefix(after, ",")
		commaBefore := strings.HasSuffix(before, ",")
		sentStart := i == 0 || d.toks[i-1].sent != t.sent
		if commaAfter && (commaBefore || sentStart) {
			n++
		}
	}
	return n
}

// Analysis is what the delivery analysis measured.
type Analysis struct {
	bot.Metrics
	FillerCounts map[string]int
	HedgeCounts  map[string]int
	// Minutes is the answer's length in time: spoken, or estimated from words for text.
	Minutes float64
	Spoken  bool
}

// typingPace estimates how long a typed answer would take to say, in words per minute.
const typingPace = 140

// longPause is a gap between spoken words that counts as a pause.
const longPause = 2 * time.Second

func analyze(d *doc, a bot.Answer) Analysis {
	an := Analysis{Metrics: bot.Metrics{Words: len(d.toks), Sentences: d.nsents}}
	an.Fillers, an.FillerCounts = fillers.count(d)
	if n := likeFillers(d); n > 0 {
		if an.FillerCounts == nil {
			an.FillerCounts = map[string]int{}
		}
		an.Fillers += n
		an.FillerCounts["like"] += n
	}
	an.Hedges, an.HedgeCounts = hedges.count(d)
	an.Signals, _ = signals.count(d)
	an.Minutes = float64(an.Words) / typingPace
	if a.Duration > 0 {
		an.Spoken = true
		an.Seconds = a.Duration.Seconds()
		speaking := a.Duration
		for i := 1; i < len(a.Words); i++ {
			gap := a.Words[i].Start - a.Words[i-1].End
			if gap > longPause {
				an.LongPauses++
				speaking -= gap
				an.LongestPause = max(an.LongestPause, gap.Seconds())
			}
		}
		an.Minutes = a.Duration.Minutes()
		if speaking > 0 && an.Words > 0 {
			an.WordsPerMin = float64(an.Words) / speaking.Minutes()
		}
	}
	return an
}

// perMinute is the rate of n over the answer's length, for fillers.
func (an Analysis) perMinute(n int) float64 {
	if an.Minutes <= 0 {
		return 0
	}
	return float64(n) / max(an.Minutes, 0.25)
}

// per100 is n per 100 words.
func (an Analysis) per100(n int) float64 {
	if an.Words == 0 {
		return 0
	}
	return float64(n) * 100 / float64(an.Words)
}

// Scores of the three delivery dimensions. Formulas (documented in the README):
//
//	clarity    = 70 + 10 per structure signal (at most +30), −25 when sentences average over
//	             35 words (run-ons), −20 when they average under 5 words (a list of terms);
//	             at most 40 for answers under 20 words
//	confidence = 100 − 20 × hedges per 100 words; at most 50 for answers under 20 words
//	delivery   = length: 100 inside the target range, scaled down below it (words ÷ minimum)
//	             and above it; then −8 per filler a minute above 3, and for speech −1 per
//	             word a minute outside 120–170 and −5 per pause over 2 s beyond the second
func (g *Grader) dimensionScores(an Analysis, limit time.Duration) (clarity, confidence, delivery int) {
	w := an.Words
	c := 70 + min(an.Signals*10, 30)
	if an.Sentences > 0 {
		avg := float64(w) / float64(an.Sentences)
		switch {
		case avg > 35:
			c -= 25
		case avg < 5 && w >= 20:
			c -= 20
		}
	}
	if w < 20 {
		c = min(c, 40)
	}
	conf := int(100 - 20*an.per100(an.Hedges) + 0.5)
	if w < 20 {
		conf = min(conf, 50)
	}

	lo, hi := lengthRange(limit, an.Spoken)
	d := 100.0
	switch {
	case w < lo:
		d = 100 * float64(w) / float64(lo)
	case w > hi:
		d = max(40, 100-100*float64(w-hi)/float64(hi))
	}
	if fpm := an.perMinute(an.Fillers); fpm > 3 {
		d -= 8 * (fpm - 3)
	}
	if an.Spoken && an.WordsPerMin > 0 {
		switch {
		case an.WordsPerMin < 120:
			d -= 120 - an.WordsPerMin
		case an.WordsPerMin > 170:
			d -= an.WordsPerMin - 170
		}
		if an.LongPauses > 2 {
			d -= 5 * float64(an.LongPauses-2)
		}
	}
	return clamp(c), clamp(conf), clamp(int(d + 0.5))
}

// lengthRange is the target answer length in words for a time limit: at least 60
// words (enough to explain a mechanism), at most what fits at 150 words a minute
// (typed) or 170 (spoken).
func lengthRange(limit time.Duration, spoken bool) (int, int) {
	if limit <= 0 {
		limit = bot.DefaultTimeLimit
	}
	pace := 150.0
	if spoken {
		pace = 170
	}
	return 60, max(120, int(pace*limit.Minutes()))
}

func clamp(n int) int { return max(0, min(100, n)) }

// top names the most frequent entries of counts: "'um' 4 times, 'you know' twice".
func top(counts map[string]int, n int) string {
	type kv struct {
		k string
		v int
	}
	var kvs []kv
	for k, v := range counts {
		if v > 0 {
			kvs = append(kvs, kv{k, v})
		}
	}
	sort.Slice(kvs, func(i, j int) bool { return kvs[i].v > kvs[j].v || kvs[i].v == kvs[j].v && kvs[i].k < kvs[j].k })
	var parts []string
	for i, e := range kvs {
		if i == n {
			break
		}
		parts = append(parts, fmt.Sprintf("'%s' %s", e.k, times(e.v)))
	}
	return strings.Join(parts, ", ")
}

func times(n int) string {
	switch n {
	case 1:
		return "once"
	case 2:
		return "twice"
	}
	return fmt.Sprintf("%d times", n)
}
