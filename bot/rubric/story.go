package rubric

import (
	"regexp"
	"sort"
	"strings"
)

// Story points: some key points ask for a property of the telling rather than a
// mechanism, "quantifies the impact", "gives the outcome with numbers", "owns the
// mistake in the first person". Evidence phrases can only guess at the numbers and
// verbs a candidate will use, so such a point is also made by an explaining sentence
// that has the property itself: a quantity with its unit, or "I" doing something.

// pointNeed is what a key point's text asks the answer to show, beyond its evidence.
type pointNeed uint8

const (
	needNothing     pointNeed = iota
	needQuantity              // a number with its unit: "about 7% of checkouts", "for 12 minutes"
	needFirstPerson           // the speaker acting: "I ran", "I deleted", "I told"
)

var (
	quantityPoint    = regexp.MustCompile(`(?i)\bquantif|\bnumbers\b|\bwith a measure\b|\bmeasurable\b|\bmeasured result`)
	firstPersonPoint = regexp.MustCompile(`(?i)\bfirst person\b|\btheir own role\b|\btheir own part\b`)
)

func needOf(text string) pointNeed {
	switch {
	case quantityPoint.MatchString(text):
		return needQuantity
	case firstPersonPoint.MatchString(text):
		return needFirstPerson
	}
	return needNothing
}

// numberWords are quantities written out.
var numberWords = map[string]bool{
	"two": true, "three": true, "four": true, "five": true, "six": true, "seven": true, "eight": true,
	"nine": true, "ten": true, "twelve": true, "fifteen": true, "twenty": true, "thirty": true, "forty": true,
	"fifty": true, "sixty": true, "hundred": true, "hundreds": true, "thousand": true, "thousands": true,
	"million": true, "millions": true, "half": true, "third": true, "quarter": true, "dozen": true, "dozens": true,
}

// units say what a number counts.
var units = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`percent % second minute hour day week month year ms millisecond x times
		request user customer order error page alert ticket incident dollar k p99 p95 p50 qps rps row message
		event job node server machine instance pod connection query call transaction record gb tb mb`) {
		m[canonical(w)] = true
	}
	return m
}()

// sentRange returns the tokens of sentence s, d.toks[lo:hi].
func (d *doc) sentRange(s int) (lo, hi int) {
	lo = sort.Search(len(d.toks), func(i int) bool { return d.toks[i].sent >= s })
	hi = sort.Search(len(d.toks), func(i int) bool { return d.toks[i].sent > s })
	return lo, hi
}

// hasQuantity reports a number followed, within two words, by a unit, or a percentage
// or amount of money, in sentence s.
func (d *doc) hasQuantity(s int) bool {
	lo, hi := d.sentRange(s)
	for i := lo; i < hi; i++ {
		t := d.toks[i]
		if !numberWords[t.lower] && !hasDigit(t.lower) {
			continue
		}
		if t.end < len(d.text) && d.text[t.end] == '%' || t.start > 0 && d.text[t.start-1] == '$' {
			return true
		}
		if hasDigit(t.lower) && units[canonical(strings.TrimLeft(t.lower, "0123456789"))] {
			return true // "40ms", "3x", "10k"
		}
		for j := i + 1; j < len(d.toks) && j <= i+2 && d.toks[j].sent == s; j++ {
			if units[d.toks[j].stem] {
				return true
			}
		}
	}
	return false
}

func hasDigit(w string) bool {
	for i := 0; i < len(w); i++ {
		if isDigit(w[i]) {
			return true
		}
	}
	return false
}

// reflective verbs tell what the speaker thought, felt or was, not what they did: "I
// learned a lot from those experiences" describes no project.
var reflective = map[string]bool{
	"learned": true, "learnt": true, "thought": true, "felt": true, "believed": true, "realized": true,
	"realised": true, "knew": true, "liked": true, "loved": true, "enjoyed": true, "hoped": true,
	"wanted": true, "wished": true, "was": true, "were": true, "been": true, "had": true, "seemed": true,
	"guessed": true, "assumed": true, "expected": true, "imagined": true, "considered": true,
}

// firstPersonAct reports "I" followed within two words by a verb in the past tense in
// sentence s: the speaker did something.
func (d *doc) firstPersonAct(s int) (int, bool) {
	lo, hi := d.sentRange(s)
	for i := lo; i < hi; i++ {
		if d.toks[i].lower != "i" {
			continue
		}
		for j := i + 1; j < len(d.toks) && j <= i+2 && d.toks[j].sent == s; j++ {
			w := d.toks[j].lower
			if reflective[w] {
				break // "I learned a lot", "I was", "I had": not an act
			}
			if strings.HasSuffix(w, "ed") && len(w) > 3 || irregular[w] != "" && w != "is" && w != "are" && w != "am" && w != "being" {
				return i, true
			}
		}
	}
	return 0, false
}
