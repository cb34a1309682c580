package rubric

// Common words: a single word of evidence that many questions' rubrics use ("replica",
// "leader", "timeout", "still") says little about which point an answer makes; the
// candidate may be talking about anything. Such a word credits a key point only where
// its sentence also uses one of the point's anchors (see pointAnchors), the words that
// are particular to that point.
//
// How common a word is comes from the bank itself, not from a hand list: commonStems
// (common_stems.go) lists the stems that the key points (texts and evidence) of at least
// commonDF questions use. TestCommonStemsUpToDate regenerates it with -update.

// commonDF is how many questions' rubrics must use a stem for it to count as common:
// about one question in twenty-five of the bank.
const commonDF = 12

// common reports a phrase of one common word.
func common(p phrase) bool { return len(p.stems) == 1 && commonStems[p.stems[0]] }

// corroborated reports that sentence s also uses one of anchors other than st.
func (d *doc) corroborated(s int, st string, anchors []string) bool {
	for _, a := range anchors {
		if a != st && d.inSentence(s, a) {
			return true
		}
	}
	return false
}

// inSentence reports whether sentence s uses stem st.
func (d *doc) inSentence(s int, st string) bool {
	for _, at := range d.at(st) {
		if d.toks[at].sent == s {
			return true
		}
	}
	return false
}

// rubricStems returns the stems of texts (a question's key point texts and evidence):
// the test that keeps commonStems up to date counts them across the bank.
func rubricStems(keyPoints []string) map[string]bool {
	out := map[string]bool{}
	for _, text := range keyPoints {
		for _, t := range tokenize(text) {
			out[t.stem] = true
		}
	}
	return out
}
