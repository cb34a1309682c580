package rubric

import (
	"iter"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"unicode"
	"unicode/utf8"
)

// token is one word of a text.
type token struct {
	lower string // lowercase, apostrophes removed
	stem  string
	class wordClass // what the word is to the rubric, looked up once
	start int       // byte offsets in the original text
	end   int
	sent  int // sentence index
	// joined marks the second word of a compound written apart ("time out"): it shares
	// the first word's stem, and a phrase steps over it.
	joined bool
}

// tokenize splits text into words and sentences. Words are runs of letters and
// digits; apostrophes inside a word are dropped ("don't" → "dont"); anything else
// (spaces, punctuation, hyphens) separates words. Sentences end at . ! ? ; and ": ",
// at a blank line and before a list item; a dot between digits ("0.5") and a
// wrapped line do not end one.
func tokenize(text string) []token {
	toks := make([]token, 0, len(text)/5+1)
	// Lowercasing once and slicing words out of it saves an allocation per word;
	// it only works when lowercasing kept every byte offset.
	lowerText := strings.ToLower(text)
	sameOffsets := len(lowerText) == len(text)
	sent := 0
	var buf []byte
	start := -1
	apostrophe := false
	flush := func(end int) {
		if start < 0 {
			return
		}
		var lower string
		if sameOffsets && !apostrophe {
			lower = lowerText[start:end]
		} else {
			lower = string(buf)
		}
		w := lookupWord(lower)
		toks = append(toks, token{lower: lower, stem: w.stem, class: w.class, start: start, end: end, sent: sent})
		buf = buf[:0]
		start = -1
		apostrophe = false
	}
	for i := 0; i < len(text); {
		c := text[i]
		r, size := rune(c), 1
		if c >= utf8.RuneSelf {
			r, size = utf8.DecodeRuneInString(text[i:])
		}
		switch {
		case c < utf8.RuneSelf && (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'),
			c >= utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			if start < 0 {
				start = i
			}
			// The word is sliced out of lowerText unless it needs its own copy.
			if !sameOffsets || apostrophe {
				buf = utf8.AppendRune(buf, unicode.ToLower(r))
			}
		case (r == '\'' || r == '’') && start >= 0 && i+size < len(text) && isWordByte(text[i+size]):
			if sameOffsets && !apostrophe {
				buf = append(buf[:0], lowerText[start:i]...)
			}
			apostrophe = true // inside a word: dropped
		default:
			flush(i)
			if isSentenceEnd(text, i, r) && len(toks) > 0 && toks[len(toks)-1].sent == sent {
				sent++
			}
		}
		i += size
	}
	flush(len(text))
	idioms(toks)
	return toks
}

// idioms gives a few everyday phrasings the stem of the word they stand for, in answers
// and evidence alike: "the larger of the two" is a maximum, "straight away" is immediately.
func idioms(toks []token) {
	for i := 0; i+1 < len(toks); i++ {
		if toks[i+1].class&clsCompoundEnd != 0 && toks[i].sent == toks[i+1].sent && !toks[i].joined {
			if w, ok := compounds[toks[i].lower+toks[i+1].lower]; ok {
				toks[i].stem, toks[i+1].stem, toks[i+1].joined = w, w, true
				continue
			}
		}
		next := toks[i+1].lower
		switch toks[i].lower {
		case "larger", "bigger", "greater", "higher":
			if next == "of" && i+2 < len(toks) && ofWhich[toks[i+2].lower] {
				toks[i].stem = "max"
			}
		case "smaller", "lower", "lesser":
			if next == "of" && i+2 < len(toks) && ofWhich[toks[i+2].lower] {
				toks[i].stem = "min"
			}
		case "straight", "right":
			if next == "away" {
				toks[i+1].stem = "immediat"
			}
		}
		// "5 s", "30 min", "2 h": a unit letter after a number is the unit.
		if isDigit(toks[i].lower[len(toks[i].lower)-1]) && toks[i].sent == toks[i+1].sent {
			if unit, ok := unitLetters[next]; ok {
				toks[i+1].stem = unit
			}
		}
	}
}

// unitLetters are units written as letters after a number.
var unitLetters = func() map[string]string {
	m := map[string]string{}
	for letters, unit := range map[string]string{"s": "second", "m": "minute", "min": "minute", "h": "hour", "hr": "hour", "d": "day"} {
		m[letters] = stem(unit)
	}
	return m
}()

// compounds are words people write whole or in two: "time out" = "timeout". Each is
// listed with where it splits; compoundEnds are the second halves, which the tokenizer
// checks first.
var compounds, compoundEnds = func() (map[string]string, []string) {
	m := map[string]string{}
	var ends []string
	for _, w := range strings.Fields(`time/out fail/over roll/back check/point time/stamp heart/beat round/trip
		back/off look/up shut/down start/up fall/back hand/off hand/over take/over write/back read/back
		key/space work/load bottle/neck off/set down/time up/time up/grade down/grade trade/off`) {
		first, second, _ := strings.Cut(w, "/")
		m[first+second] = canonical(first + second)
		ends = append(ends, second)
	}
	return m, ends
}()

// ofWhich may follow "the larger of" when it picks between values.
var ofWhich = map[string]bool{"the": true, "two": true, "both": true, "them": true, "these": true, "those": true}

func isWordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c >= 0x80
}

func isSentenceEnd(text string, i int, r rune) bool {
	switch r {
	case '!', '?', ';':
		return true
	case '\n':
		// A wrapped line goes on; a blank line or a list item starts anew.
		rest := strings.TrimLeft(text[i+1:], " \t")
		return rest == "" || rest[0] == '\n' || rest[0] == '\r' || isListMarker(rest)
	case ':':
		// "A: B" lists of terms are still one thought; treat as a break only before a space.
		return i+1 < len(text) && spaceAt(text, i+1)
	case '.':
		// 0.5 and e.g. are not sentence ends.
		if i > 0 && i+1 < len(text) && isDigit(text[i-1]) && isDigit(text[i+1]) {
			return false
		}
		return i+1 >= len(text) || spaceAt(text, i+1) || text[i+1] == '"' || text[i+1] == ')'
	}
	return false
}

// spaceAt reports white space at byte i of text: a space or a line break, or one of the
// other spaces editors and phones put between sentences (no-break, thin, ideographic;
// a zero-width space too, which separates words here).
func spaceAt(text string, i int) bool {
	if c := text[i]; c < utf8.RuneSelf {
		return c == ' ' || c == '\n' || c == '\t' || c == '\r'
	}
	r, _ := utf8.DecodeRuneInString(text[i:])
	return unicode.IsSpace(r) || r == '\u200b'
}

// wordClass marks the word lists a word belongs to, so each word is looked up once.
type wordClass uint16

const (
	clsStop wordClass = 1 << iota
	clsGeneric
	clsMechanism
	clsListStart   // starts a filler, hedge or signal phrase
	clsNegator     // not, no, never, without... (negators)
	clsCompoundEnd // ends one of the compounds ("out" of "time out")
	clsLink        // states a consequence (linkWords)
	clsGrading     // about grading an answer (gradingWords)
	clsGraderName  // who grades an answer (graderNames)
	clsOrderVerb   // orders the grader to count items as made (orderVerbs)
)

// classes is filled from the word lists when the package loads; it is read-only after.
var classes = func() map[string]wordClass {
	m := map[string]wordClass{}
	for w := range stopwords {
		m[w] |= clsStop
	}
	for w := range genericVerbs {
		m[w] |= clsGeneric
	}
	for w := range mechanismWords {
		m[w] |= clsMechanism
	}
	for w := range negators {
		m[w] |= clsNegator
	}
	for w := range linkWords {
		m[w] |= clsLink
	}
	for _, w := range compoundEnds {
		m[w] |= clsCompoundEnd
	}
	for w := range gradingWords {
		m[w] |= clsGrading
	}
	for w := range graderNames {
		m[w] |= clsGraderName
	}
	for w := range orderVerbs {
		m[w] |= clsOrderVerb
	}
	for _, list := range [][]string{fillerList, hedgeList, signalList} {
		for _, phrase := range list {
			m[strings.Fields(phrase)[0]] |= clsListStart
		}
	}
	return m
}()

// isListMarker reports a line that starts a list item: "- ", "* ", "• ", "1. ", "2) ".
func isListMarker(line string) bool {
	if strings.HasPrefix(line, "- ") || strings.HasPrefix(line, "* ") || strings.HasPrefix(line, "•") {
		return true
	}
	i := 0
	for i < len(line) && isDigit(line[i]) {
		i++
	}
	return i > 0 && i < len(line) && (line[i] == '.' || line[i] == ')')
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// stem reduces an English word to a rough base form so that plurals, tenses and
// adverbs match their root. The rules, in order:
//  1. -ies → -y, -ied → -y, -sses → -ss, else a final -s is dropped (not after s, u or i)
//  2. -ing or -ed is dropped when at least three letters remain, then a doubled final
//     consonant other than l, s or z is undone when three letters stay ("committed" →
//     "commit", "added" → "add")
//  3. -ly is dropped when at least four letters remain
//  4. -ency → -ent ("consistency" → "consistent"); -ability/-ibility → -able/-ible
//     ("linearizability" → "linearizable")
//  5. a final -e is dropped from words longer than three letters ("lease" → "leas")
//
// Words of three letters or fewer are left alone.
func stem(w string) string {
	if len(w) <= 3 || !isASCII(w) {
		return w
	}
	switch {
	case strings.HasSuffix(w, "ies") && len(w) > 4:
		w = w[:len(w)-3] + "y"
	case strings.HasSuffix(w, "ied") && len(w) > 4:
		w = w[:len(w)-3] + "y"
	case strings.HasSuffix(w, "sses"):
		w = w[:len(w)-2]
	case strings.HasSuffix(w, "s") && !strings.HasSuffix(w, "ss") && !strings.HasSuffix(w, "us") && !strings.HasSuffix(w, "is"):
		w = w[:len(w)-1]
	}
	switch {
	case strings.HasSuffix(w, "ing") && len(w)-3 >= 3:
		w = undouble(w[:len(w)-3])
	case strings.HasSuffix(w, "ed") && len(w)-2 >= 3:
		w = undouble(w[:len(w)-2])
	}
	if strings.HasSuffix(w, "ly") && len(w)-2 >= 4 {
		w = w[:len(w)-2]
	}
	if strings.HasSuffix(w, "ency") && len(w) > 6 {
		w = w[:len(w)-4] + "ent"
	}
	if strings.HasSuffix(w, "ability") || strings.HasSuffix(w, "ibility") {
		w = w[:len(w)-5] + "le" // "durability" → "durable", "visibility" → "visible"
	}
	if strings.HasSuffix(w, "e") && len(w) > 3 {
		w = w[:len(w)-1]
	}
	return w
}

// irregular maps irregular word forms, and a few abbreviations, to the stem of their base word.
var irregular = map[string]string{
	"going": "go", "gone": "go", "went": "go", "doing": "do", "done": "do", "did": "do", "does": "do",
	"being": "be", "been": "be", "was": "be", "were": "be", "is": "be", "are": "be", "am": "be",
	"wrote": "writ", "written": "writ", "sent": "send", "kept": "keep", "lost": "los", "held": "hold",
	"chose": "choos", "chosen": "choos", "ran": "run", "threw": "throw", "thrown": "throw", "saw": "see",
	"seen": "see", "broke": "break", "broken": "break", "told": "tell", "gave": "giv", "given": "giv",
	"took": "tak", "taken": "tak", "made": "mak", "found": "find", "got": "get", "gotten": "get",
	"began": "begin", "begun": "begin", "led": "lead", "fell": "fall", "fallen": "fall", "grew": "grow",
	"grown": "grow", "knew": "know", "known": "know", "meant": "mean", "paid": "pay", "said": "say",
	"shown": "show", "stood": "stand", "understood": "understand", "won": "win", "hid": "hid", "hidden": "hid",
	"indices": "index", "indexes": "index", "backward": "back", "backwards": "back",
	"one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6", "seven": "7", "eight": "8",
	"nine": "9", "ten": "10", "eleven": "11", "twelve": "12", "fifteen": "15", "twenty": "20", "thirty": "30",
	"fifty": "50", "hundred": "100", "thousand": "1000",
	"ms": "millisecond", "msec": "millisecond", "secs": "second", "sec": "second", "msg": "messag",
	"msgs": "messag", "txn": "transaction", "txns": "transaction", "db": "databas", "dbs": "databas",
}

// synonyms map the stems of words that mean the same here to one stem: these, then the
// groups of synonymWords.
var synonyms = withGroups(map[string]string{
	"sufficient": "enough", "suffic": "enough", "ensur": "guarante", "requir": "need", "necessary": "need",
	"collision": "collid", "crash": "fail", "die": "fail", "dy": "fail", "dead": "fail",
	"get": "giv", "provid": "giv", "yield": "giv", // "you get linearizability" = "gives linearizability"
	// The members of a replicated group go by many names.
	"nod": "replica", "server": "replica", "machin": "replica",
	"maximum": "max", "minimum": "min",
})

// synonymWords are groups of everyday words that an explanation uses interchangeably: the
// first word of each group stands for the rest. They are written as words and stemmed
// when the package loads (into synonyms), so a reader can check them. A group joins words
// only where any of them would do in an answer about distributed systems; words with a
// technical sense of their own (partition/shard, log/journal, ballot/vote) stay apart.
var synonymWords = [][]string{
	{"leader", "primary", "master"},
	{"follower", "secondary", "slave", "standby"},
	{"stale", "outdated"},
	{"delete", "remove", "erase"},
	{"reject", "refuse", "deny", "decline"},
	{"renew", "refresh", "extend"},
	{"increment", "bump"},
	{"concurrent", "simultaneous", "parallel"},
	{"drop", "discard"},
	{"replay", "reapply"},
	{"overwrite", "clobber"},
	{"outcome", "result"},
	{"unknown", "indeterminate", "uncertain", "ambiguous"},
	{"pause", "halt", "freeze", "suspend"},
	{"abort", "abandon", "cancel"},
	{"send", "transmit", "ship"},
	{"detect", "notice", "spot", "discover"},
	{"choose", "pick", "select"},
	{"check", "verify", "validate", "confirm"},
	{"restart", "reboot"},
	{"fix", "solve"},
	{"problem", "issue"},
	{"cost", "overhead", "penalty"},
	{"downside", "drawback", "disadvantage"},
	{"benefit", "advantage", "upside"},
	{"whole", "entire"},
	{"everyone", "everybody"},
	{"immediately", "instantly"},
	{"counter", "tally"},
	{"min", "smallest", "lowest"},
	{"previous", "prior"},
	{"expire", "lapse"},
	{"higher", "bigger", "larger", "greater"},
	{"lower", "smaller", "lesser"},
}

// withGroups adds the groups of synonymWords to m, mapping each word's stem to the stem
// its group stands for (through m, so a group may join an older mapping).
func withGroups(m map[string]string) map[string]string {
	base := func(w string) string {
		st, ok := irregular[w]
		if !ok {
			st = stem(w)
		}
		return st
	}
	for _, group := range synonymWords {
		to := base(group[0])
		if syn, ok := m[to]; ok {
			to = syn
		}
		for _, w := range group[1:] {
			m[base(w)] = to
		}
	}
	return m
}

// wordInfo is what tokenize needs to know about a word: its canonical stem and class.
type wordInfo struct {
	stem  string
	class wordClass
}

// words caches wordInfo by lowercase word. Stemming and three map lookups per word were
// a third of the grading time; answers reuse a vocabulary of a few thousand words. The
// cache stops growing at maxCachedWords, so junk input cannot make it grow without bound.
var (
	words       sync.Map // string → wordInfo
	cachedWords atomic.Int64
)

const maxCachedWords = 1 << 16

func lookupWord(lower string) wordInfo {
	if w, ok := words.Load(lower); ok {
		return w.(wordInfo)
	}
	w := wordInfo{stem: canonical(lower), class: classes[lower]}
	if cachedWords.Load() < maxCachedWords && len(lower) <= 32 {
		// A copy, so the cache does not keep the whole answer alive through a substring.
		if _, loaded := words.LoadOrStore(strings.Clone(lower), w); !loaded {
			cachedWords.Add(1)
		}
	}
	return w
}

// canonical is the stem a word is matched by: its irregular base, else its stem, mapped through synonyms.
func canonical(w string) string {
	st, ok := irregular[w]
	if !ok {
		st = stem(w)
	}
	if syn, ok := synonyms[st]; ok {
		return syn
	}
	return st
}

func undouble(w string) string {
	n := len(w)
	if n >= 4 && w[n-1] == w[n-2] && !strings.ContainsRune("aeioulsz", rune(w[n-1])) {
		return w[:n-1]
	}
	return w
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// phrase is an evidence phrase, tokenized and stemmed.
type phrase struct {
	text  string
	stems []string
	// content are the stems that a loose match must find (small words left out).
	content []string
}

func compilePhrase(s string) phrase {
	toks := tokenize(s)
	p := phrase{text: s, stems: make([]string, 0, len(toks))}
	for _, t := range toks {
		if !t.joined {
			p.stems = append(p.stems, t.stem)
		}
	}
	for _, st := range p.stems {
		if !looseSkip[st] {
			p.content = append(p.content, st)
		}
	}
	return p
}

// doc is an analysed text: its tokens and an index from stem to positions.
type doc struct {
	text   string
	toks   []token
	nsents int
	// The index: ids numbers each distinct stem; the positions of stem id are
	// pos[start[id]:start[id+1]], in order. One map and three flat arrays, rather than a
	// slice grown per stem, halve the cost of reading an answer.
	ids   map[string]int32
	start []int32
	pos   []int
	// codeLines are the byte ranges of lines of code, found when first asked (inCode).
	codeLines [][2]int
	// stats are the sentences' stats, found when first asked (sentences).
	stats []sentStats
}

func newDoc(text string) *doc {
	d := &doc{text: text, toks: tokenize(text)}
	d.ids = make(map[string]int32, len(d.toks)/2+1)
	tokID := make([]int32, len(d.toks))
	counts := make([]int32, 0, len(d.toks)/2+1)
	for i, t := range d.toks {
		id, ok := d.ids[t.stem]
		if !ok {
			id = int32(len(counts))
			d.ids[t.stem] = id
			counts = append(counts, 0)
		}
		tokID[i] = id
		counts[id]++
	}
	d.start = make([]int32, len(counts)+1)
	for id, n := range counts {
		d.start[id+1] = d.start[id] + n
		counts[id] = d.start[id] // from here on, where the next position of id goes
	}
	d.pos = make([]int, len(d.toks))
	for i, id := range tokID {
		d.pos[counts[id]] = i
		counts[id]++
	}
	if len(d.toks) > 0 {
		d.nsents = d.toks[len(d.toks)-1].sent + 1
	}
	return d
}

// inCode reports a token on a line of code: identifiers such as pending.discard(ch) or
// "smaller id -> answer OK" in pseudocode are not claims, so no misconception is read there.
func (d *doc) inCode(i int) bool {
	if d.codeLines == nil {
		d.codeLines = codeLines(d.text)
	}
	start := d.toks[i].start
	k := sort.Search(len(d.codeLines), func(k int) bool { return d.codeLines[k][1] > start })
	return k < len(d.codeLines) && d.codeLines[k][0] <= start
}

// codeLines returns the byte ranges of the lines of text that are code: inside a ```
// fence, or with the marks of code (a call "f(", an assignment, an arrow, braces, a
// keyword line ending in a colon).
func codeLines(text string) [][2]int {
	out := [][2]int{}
	fenced := false
	for at, end := range lines(text) {
		line := strings.TrimSpace(text[at:end])
		fence := strings.HasPrefix(line, "```")
		if fence {
			fenced = !fenced
		}
		if fence || fenced || looksLikeCode(line) {
			out = append(out, [2]int{at, end})
		}
	}
	return out
}

// lines yields the byte range [start, end) of each line of text, without its newline.
func lines(text string) iter.Seq2[int, int] {
	return func(yield func(int, int) bool) {
		for at := 0; at < len(text); {
			end := strings.IndexByte(text[at:], '\n')
			if end < 0 {
				end = len(text)
			} else {
				end += at
			}
			if !yield(at, end) {
				return
			}
			at = end + 1
		}
	}
}

func looksLikeCode(line string) bool {
	for _, comment := range []string{" #", " //"} {
		if i := strings.Index(line, comment); i > 0 {
			line = strings.TrimSpace(line[:i])
		}
	}
	// Prose mentions code too ("a plain write() call"): only short lines, or lines that
	// open like a statement, count.
	if len(line) <= 100 {
		for _, mark := range []string{"->", "=>", ":=", "==", "!=", "+=", "-=", " = ", "{", "}"} {
			if strings.Contains(line, mark) {
				return true
			}
		}
	}
	for _, kw := range []string{"def ", "func ", "class ", "return ", "elif ", "else:", "for ", "while ", "if "} {
		if strings.HasPrefix(line, kw) && (strings.HasSuffix(line, ":") || strings.HasSuffix(line, "{")) {
			return true
		}
	}
	// a statement that is a call: name(...) or obj.method(...) at the start of the line
	if i := strings.IndexByte(line, '('); i > 0 && !strings.ContainsAny(line[:i], " \t") && strings.HasSuffix(strings.TrimRight(line, " ;"), ")") {
		return true
	}
	return false
}

// at returns the positions of stem st in the text, in order.
func (d *doc) at(st string) []int {
	id, ok := d.ids[st]
	if !ok {
		return nil
	}
	return d.pos[d.start[id]:d.start[id+1]]
}

// gapWords may stand between the words of a phrase: "majority of the votes" matches "majority vote".
var gapWords = map[string]bool{
	"a": true, "an": true, "the": true, "of": true, "to": true, "its": true, "their": true, "his": true, "her": true,
	"our": true, "your": true, "this": true, "that": true, "for": true, "in": true, "on": true, "per": true,
}

// maxGap is how many gap words may stand between two words of a phrase.
const maxGap = 2

// find returns the token positions where p starts and how many tokens each match spans.
func (d *doc) find(p phrase) (starts, spans []int) {
	if len(p.stems) == 0 {
		return nil, nil
	}
	for _, i := range d.at(p.stems[0]) {
		if d.toks[i].joined {
			continue // the second half of a compound the first half already stands for
		}
		j, ok := i+1, true
		for _, want := range p.stems[1:] {
			for j < len(d.toks) && d.toks[j].joined {
				j++
			}
			gap := 0
			for j < len(d.toks) && d.toks[j].stem != want && gapWords[d.toks[j].lower] && gap < maxGap && d.toks[j].sent == d.toks[i].sent {
				j++
				gap++
			}
			if j >= len(d.toks) || d.toks[j].stem != want || d.toks[j].sent != d.toks[i].sent {
				ok = false
				break
			}
			j++
		}
		if ok {
			starts = append(starts, i)
			spans = append(spans, j-i)
		}
	}
	return starts, spans
}

// looseSkip are stems a loose match does not look for.
var looseSkip = map[string]bool{
	"a": true, "an": true, "the": true, "of": true, "to": true, "its": true, "their": true, "this": true,
	"that": true, "for": true, "in": true, "on": true, "per": true, "by": true, "with": true, "and": true,
	"or": true, "be": true, "it": true, "as": true, "at": true,
}

// looseWindow is how many words a loose match may span, at most.
const looseWindow = 8

// findLoose finds a phrase of two or more content words said in other words: all its
// content words within looseWindow words of one sentence, in any order ("votes from a
// majority" for "majority vote"). It returns the start and span of each match.
func (d *doc) findLoose(p phrase) (starts, spans []int) {
	if len(p.content) < 2 {
		return nil, nil
	}
	for _, i := range d.at(p.content[0]) {
		sent := d.toks[i].sent
		lo, hi := i, i
		ok := true
		for _, want := range p.content[1:] {
			best := -1
			// Positions are in order: look only at those within the window, so an answer
			// repeating the phrase's words costs linear time, not their product.
			ps := d.at(want)
			for _, j := range ps[sort.SearchInts(ps, i-looseWindow):] {
				if j-i > looseWindow {
					break
				}
				if d.toks[j].sent != sent {
					continue
				}
				if best == -1 || abs(j-i) < abs(best-i) {
					best = j
				}
			}
			if best == -1 {
				ok = false
				break
			}
			lo, hi = min(lo, best), max(hi, best)
		}
		if ok && hi-lo < looseWindow {
			starts = append(starts, lo)
			spans = append(spans, hi-lo+1)
		}
	}
	return starts, spans
}

// negatedInside reports a negator between the first and last word of a match.
func (d *doc) negatedInside(i, n int) bool {
	for j := i + 1; j < i+n-1; j++ {
		if d.toks[j].class&clsNegator != 0 {
			return true
		}
	}
	return false
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// negators turn the words that follow them (or, with "not needed", precede them) around.
var negators = map[string]bool{
	"not": true, "no": true, "never": true, "without": true, "neither": true, "nor": true, "cannot": true,
	"dont": true, "doesnt": true, "didnt": true, "isnt": true, "arent": true, "wasnt": true, "werent": true,
	"cant": true, "wont": true, "wouldnt": true, "shouldnt": true, "couldnt": true, "hasnt": true,
	"havent": true, "neednt": true, "mustnt": true, "aint": true, "nothing": true, "none": true,
	"nobody": true, "noone": true,
}

// notNegating are words after a negator that keep the meaning positive ("not only X but also Y").
var notNegating = map[string]bool{"only": true, "just": true, "merely": true, "simply": true}

// negatedAfter are words which, after a negator that follows a phrase, deny the phrase ("a majority is not needed").
var negatedAfter = map[string]bool{
	"need": true, "needed": true, "required": true, "require": true, "necessary": true, "matter": true,
	"matters": true, "used": true, "use": true, "true": true, "correct": true, "involved": true, "important": true,
	"relevant": true, "guaranteed": true, "possible": true, "happen": true, "happens": true, "exist": true, "exists": true,
}

// negated reports whether the match of n tokens at i is denied by a negation in its sentence:
// a negator within the three words before it, or "is not needed" within three words after it.
func (d *doc) negated(i, n int) bool {
	sent := d.toks[i].sent
	for j := i - 1; j >= 0 && j >= i-3 && d.toks[j].sent == sent; j-- {
		w := d.toks[j].lower
		if d.toks[j].class&clsNegator != 0 {
			if j+1 < len(d.toks) && notNegating[d.toks[j+1].lower] {
				return false
			}
			// "if the target is not caught up, it loses the vote": a negated condition
			// explains why the point matters; it does not deny it.
			return !d.conditionBefore(j)
		}
		if w == "but" || w == "and" || w == "or" || w == "instead" {
			break // a new clause starts after these words
		}
	}
	end := i + n
	for j := end; j < len(d.toks) && j < end+3 && d.toks[j].sent == sent; j++ {
		if d.toks[j].class&clsNegator != 0 {
			if j+1 < len(d.toks) && d.toks[j+1].sent == sent && negatedAfter[d.toks[j+1].lower] {
				return true
			}
			if j+1 >= len(d.toks) || d.toks[j+1].sent != sent {
				return true // "... a majority? No."
			}
		}
	}
	return false
}

// conditionBefore reports "if" or "unless" within four words before token j, in its clause.
func (d *doc) conditionBefore(j int) bool {
	sent := d.toks[j].sent
	for k := j - 1; k >= 0 && k >= j-4 && d.toks[k].sent == sent; k-- {
		if w := d.toks[k].lower; w == "if" || w == "unless" {
			return true
		}
	}
	return false
}

// rejecters, shortly before a misconception, show that the speaker names it to reject it
// ("unlike hash mod N", "a common mistake is to assume...").
var rejecters = map[string]bool{
	"unlike": true, "instead": true, "rather": true, "opposed": true, "avoid": true, "avoids": true,
	"myth": true, "misconception": true, "mistake": true, "mistaken": true, "wrong": true, "wrongly": true,
	"naive": true, "naively": true, "contrary": true, "incorrect": true, "incorrectly": true, "false": true,
	"fallacy": true, "misleading": true, "beware": true, "pitfall": true, "weaker": true,
}

// hypothetical words open a condition: a misconception right after one is a supposition
// the speaker goes on to judge ("if you just retry, you could charge twice"), not a claim.
var hypothetical = map[string]bool{"if": true, "unless": true, "whether": true, "suppose": true, "supposing": true}

// rejectedAfter, just after a misconception, say it is wrong ("... is a myth").
var rejectedAfter = map[string]bool{
	"wrong": true, "myth": true, "false": true, "incorrect": true, "misconception": true, "unsafe": true,
	"broken": true, "mistake": true, "fallacy": true, "misleading": true,
}

// rejected reports a misconception that the answer states only to reject it: negated,
// or with a rejecting word within six words before it or three after it in its sentence.
func (d *doc) rejected(i, n int) bool {
	if d.negated(i, n) || d.inCode(i) {
		return true
	}
	sent := d.toks[i].sent
	for j := i - 1; j >= 0 && j >= i-6 && d.toks[j].sent == sent; j-- {
		if w := d.toks[j].lower; rejecters[w] || negators[w] || hypothetical[w] && j >= i-3 {
			return true
		}
	}
	if d.deniedLead(i) {
		return true
	}
	if d.criticised(i + n) {
		return true
	}
	for j := i + n; j < len(d.toks) && j < i+n+3 && d.toks[j].sent == sent; j++ {
		if rejectedAfter[d.toks[j].lower] {
			return true
		}
		// "... which is why 2f + 1 is enough there": the claim is scoped to another case
		// the sentence named, not stated of this one.
		if d.toks[j].lower == "there" && (j+1 >= len(d.toks) || d.toks[j+1].sent != sent) {
			return true
		}
		// "changing the hash won't help", "a bigger timeout does not fix it": the claim
		// is the subject of a denied verb.
		// ("serializable without locks" still claims serializable.)
		if d.toks[j].class&clsNegator != 0 && d.toks[j].lower != "without" && j+1 < len(d.toks) && d.toks[j+1].sent == sent && j <= i+n+1 {
			return true
		}
	}
	return false
}

// deniedLead reports a match among the first words after a short lead-in that ends in a
// colon and denies what follows: "What you don't get: serializability."
func (d *doc) deniedLead(i int) bool {
	sent := d.toks[i].sent
	if sent == 0 || i >= 3 && d.toks[i-3].sent == sent {
		return false
	}
	j := i - 1
	for j >= 0 && d.toks[j].sent == sent {
		j--
	}
	if j < 0 || !strings.Contains(d.text[d.toks[j].end:d.toks[j+1].start], ":") {
		return false
	}
	for k := j; k >= 0 && k > j-6 && d.toks[k].sent == sent-1; k-- {
		if w := d.toks[k].lower; rejecters[w] || d.toks[k].class&clsNegator != 0 {
			return true
		}
	}
	return false
}

// dismissed reports a key point's evidence said only to call it unnecessary: "you don't
// need fencing tokens", "no need for a quorum", "a majority isn't required". An answer
// that dismisses an essential point states a misconception.
func (d *doc) dismissed(i, n int) bool {
	sent := d.toks[i].sent
	for j := i - 1; j >= 1 && j >= i-4 && d.toks[j].sent == sent; j-- {
		if d.toks[j].stem != "need" {
			continue
		}
		// "don't need X", "doesn't really need X", "no need for X", "never needs X"
		for k := j - 1; k >= 0 && k >= j-2 && d.toks[k].sent == sent; k-- {
			if d.toks[k].class&clsNegator != 0 {
				return true
			}
		}
	}
	// "X is unnecessary", "X isn't needed", "X are not required"
	j := i + n
	if j < len(d.toks) && d.toks[j].stem == "be" && d.toks[j].sent == sent {
		j++
	}
	if j >= len(d.toks) || d.toks[j].sent != sent {
		return false
	}
	switch w := d.toks[j].lower; {
	case w == "unnecessary" || w == "unneeded" || w == "pointless":
		return true
	case negators[w] || w == "isnt" || w == "arent":
		return j+1 < len(d.toks) && d.toks[j+1].stem == "need"
	}
	return false
}

// quote returns the sentence around token i, trimmed to at most about 160 bytes.
func (d *doc) quote(i, n int) string {
	start, end := d.toks[i].start, d.toks[i+n-1].end
	sent := d.toks[i].sent
	for j := i - 1; j >= 0 && d.toks[j].sent == sent && start-d.toks[j].start < 80; j-- {
		start = d.toks[j].start
	}
	for j := i + n; j < len(d.toks) && d.toks[j].sent == sent && d.toks[j].end-end < 80; j++ {
		end = d.toks[j].end
	}
	return strings.TrimSpace(d.text[start:end])
}

// critiques, just after a misconception, say what it costs: the speaker names it to
// criticise it ("immediate retries overload the server", "restoring over production
// discards every write since the backup"). Stems.
var critiques = stemSet("lose", "starve", "skip", "discard", "corrupt", "stall", "waste", "hurt",
	"harm", "overload", "saturate", "postpone", "hide", "amplify", "worse", "slower", "unsafe",
	"dangerous", "harmful", "risk", "risky", "break")

// onlyCritiques, after "only", say that the misconception does less than it promises:
// "a bigger buffer only delays the crash", "an unbounded queue only moves the problem".
// After "just" fewer do, since "X just works" claims X: justCritiques ("raising the
// triggers just moves the cliff").
var (
	onlyCritiques = stemSet("delay", "postpone", "defer", "move", "shift", "hide", "mask", "make",
		"add", "slow", "help", "work", "cover", "treat", "push")
	justCritiques = stemSet("delay", "postpone", "defer", "move", "shift", "hide", "mask", "push")
)

// moreOf and burdens make a cost of two words: "immediate retries add load", "more
// load", "extra latency"; so does "throws away".
var (
	moreOf  = stemSet("add", "more", "extra", "increase")
	burdens = stemSet("load", "latency", "pressure", "contention", "traffic")
	throw   = stemSet("throw")
	away    = stemSet("away")
)

// stemSet returns the stems the answer's words get (with synonym groups applied, so
// "discards" is "drop").
func stemSet(words ...string) map[string]bool {
	m := make(map[string]bool, len(words))
	for _, w := range words {
		for _, t := range tokenize(w) {
			m[t.stem] = true
		}
	}
	return m
}

// criticised reports a word within three after a misconception's match (which ends
// before token end) that says what the claim costs or that it only postpones the
// problem, or that it adds load; a negated one does not count ("retrying at once won't
// overload anything").
func (d *doc) criticised(end int) bool {
	if end >= len(d.toks) {
		return false
	}
	sent := d.toks[end-1].sent
	for j := end; j < len(d.toks) && j < end+3 && d.toks[j].sent == sent; j++ {
		if j > end && d.toks[j-1].class&clsNegator != 0 {
			continue
		}
		st := d.toks[j].stem
		if critiques[st] {
			return true
		}
		next := ""
		if j+1 < len(d.toks) && d.toks[j+1].sent == sent {
			next = d.toks[j+1].stem
		}
		switch w := d.toks[j].lower; {
		case w == "only" && onlyCritiques[next], w == "just" && justCritiques[next], moreOf[st] && burdens[next], throw[st] && away[next]:
			return true
		}
	}
	return false
}
