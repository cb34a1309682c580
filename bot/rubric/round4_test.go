package rubric

import (
	"testing"

	"github.com/quorum-dev/quorum/bot"
)

// Tests of the rules added after the blind sets (README, "How an answer is graded").

func flagged(evidence, text string) bool {
	return findFlag(newDoc(text), compileItem([]string{evidence})).ok
}

func TestFlagSuppositionsAndLeadIns(t *testing.T) {
	for _, c := range []struct {
		evidence, text string
		want           bool
	}{
		{"just retry", "If you just retry you could take the money twice.", false},
		{"just retry", "On a timeout you just retry, it is always safe.", true},
		{"serializable", "It's weaker than serializable, I believe.", false},
		{"serializable", "RAMP gives you serializable transactions without locking.", true},
		{"serializable", "What you don't get: serializability. Lost updates still happen.", false},
		{"serializable", "What you get: serializability for every transaction.", true},
	} {
		if got := flagged(c.evidence, c.text); got != c.want {
			t.Errorf("flag %q in %q: got %v, want %v", c.evidence, c.text, got, c.want)
		}
	}
}

func TestFlagsAreNotReadInCode(t *testing.T) {
	code := "def on_marker(self, ch):\n    self.pending.discard(ch)      # first marker's channel\n"
	if flagged("discard", code) {
		t.Errorf("a method name in code was read as a claim")
	}
	if flagged("smaller id", "got ELECTION from a smaller id -> answer OK") {
		t.Errorf("a pseudocode line was read as a claim")
	}
	// Prose that mentions a call is still prose.
	prose := "The database appends the commit record with a normal write() call and acknowledges right away, so the OS flushes it later and that is durable enough for everyone here."
	if !flagged("acknowledges right away", prose) {
		t.Errorf("a claim in prose that mentions write() was not read")
	}
}

func TestFormulaFlagsMatchOnlyAsWritten(t *testing.T) {
	if w := flagWords("Claims Chang-Roberts uses O(n) messages in the worst case.", nil); w != nil {
		t.Errorf("a flag about a formula has loose words %v; want none", w)
	}
	if w := flagWords("Claims Redlock is safe under any timing because it uses a majority of nodes.", nil); len(w) == 0 {
		t.Errorf("a flag with only the article 'a' lost its loose words")
	}
}

func TestPointThatSaysUnneededIsNotDismissed(t *testing.T) {
	q := &bot.Question{
		Pack: "t", ID: "fpaxos", Prompt: "What does Flexible Paxos change about quorums?",
		KeyPoints: []bot.KeyPoint{
			{ID: "q1q2", Weight: 3, Text: "Only phase-1 quorums must intersect phase-2 quorums; two phase-2 quorums need not intersect each other.", Evidence: []string{"accept quorum", "must intersect"}},
			{ID: "cost", Weight: 1, Text: "Leader election needs more live nodes.", Evidence: []string{"election is more expensive"}},
		},
	}
	j := New(Options{}).Judge(q, bot.Answer{Text: "Two accept quorums never need to share a node, because within a ballot only one value is proposed."})
	for _, f := range j.RedFlags {
		t.Errorf("flagged %s (%q) for saying what the point itself says", f.ID, f.Quote)
	}
	if !saysUnneeded("two phase-2 quorums need not intersect") || !saysUnneeded("phase-2 quorums needn't intersect") || saysUnneeded("a majority is needed") {
		t.Errorf("saysUnneeded misread its text")
	}
}

func TestNegatedConditionExplainsAPoint(t *testing.T) {
	d := newDoc("If the target is not caught up, it loses the vote.")
	at := d.at("caught")
	if len(at) != 1 || d.negated(at[0], 2) {
		t.Errorf("a negation inside a condition denied the point")
	}
	d = newDoc("The target is not caught up, so we wait.")
	if at := d.at("caught"); len(at) != 1 || !d.negated(at[0], 2) {
		t.Errorf("a plain negation no longer denies")
	}
}

func TestCompoundsAndSynonymGroups(t *testing.T) {
	for _, c := range []struct{ evidence, text string }{
		{"timeout", "Then we time out the transfer and carry on."},
		{"time out", "The timeout fires and the old leader resumes."},
		{"outcome is unknown", "The result is unknown until you reconnect."},
		{"primary", "The master takes every write first."},
		{"abandon the transfer", "The leader cancels the transfer after a while."},
	} {
		d := newDoc(c.text)
		if starts, _ := d.find(compilePhrase(c.evidence)); len(starts) == 0 {
			t.Errorf("%q does not match %q", c.evidence, c.text)
		}
	}
	// Words with a technical sense of their own stay apart.
	if starts, _ := newDoc("Each shard has its own leader.").find(compilePhrase("partition")); len(starts) != 0 {
		t.Errorf("shard matched partition")
	}
}

func TestPointSaidInItsOwnTextsWords(t *testing.T) {
	q := &bot.Question{
		Pack: "t", ID: "transfer", Prompt: "How would you move Raft leadership to another node before a restart?",
		KeyPoints: []bot.KeyPoint{
			{ID: "pause", Weight: 2, Text: "The current leader stops accepting new client requests while the transfer is in progress, so the log stops growing.", Evidence: []string{"pause writes"}},
			{ID: "timeout-now", Weight: 3, Text: "The leader tells the target to start an election immediately, so it bumps its term without waiting for its timer.", Evidence: []string{"timeoutnow"}},
		},
		ModelAnswer: "The leader stops accepting client requests so its log stops moving. Then it sends TimeoutNow and the target starts an election at once.",
	}
	// No evidence phrase, but the point's own words, in an explaining sentence.
	if got := covered(q, "During the handoff the leader refuses new client requests, so the log cannot keep growing under the target."); got != "pause" {
		t.Errorf("credited %q, want pause", got)
	}
	// The same words as a bare list explain nothing.
	if got := covered(q, "Leader, client requests, log, growing, transfer."); got != "" {
		t.Errorf("a list of the point's words credited %q", got)
	}
	// Negated words do not count.
	if got := covered(q, "The leader does not stop client requests, so the log keeps growing."); got == "pause" {
		t.Errorf("a denial of the point credited it")
	}
}

func TestTokenizeSlicesOrCopiesWords(t *testing.T) {
	var got []string
	for _, tk := range tokenize("Don't STOP; the Leader's term. Ünïcode’s word") {
		got = append(got, tk.lower)
	}
	want := []string{"dont", "stop", "the", "leaders", "term", "ünïcodes", "word"}
	if len(got) != len(want) {
		t.Fatalf("got %q, want %q", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("word %d: got %q, want %q", i, got[i], want[i])
		}
	}
}

func TestReflectiveVerbsAreNotActs(t *testing.T) {
	for _, c := range []struct {
		text string
		want bool
	}{
		{"I learned a lot from those experiences and build in time now.", false},
		{"I was careful with my estimates after that project.", false},
		{"I estimated three weeks and it took three months.", true},
		{"Then I informed my lead and the teams that depend on it.", true},
	} {
		if _, got := newDoc(c.text).firstPersonAct(0); got != c.want {
			t.Errorf("%q: first-person act %v, want %v", c.text, got, c.want)
		}
	}
}

func TestNamesAreNotLinkWords(t *testing.T) {
	// "SO_KEEPALIVE", "happened-before" and "at-least-once" are names: their "so", "before"
	// and "once" state no mechanism.
	for _, text := range []string{
		"It involves FIN, RST, TCP keepalive, SO_KEEPALIVE and application heartbeats.",
		"The algorithm uses markers, FIFO channels and the happened-before relation to produce a cut.",
		"Kafka gives at-least-once delivery with idempotent producers and transactions everywhere.",
	} {
		if st := newDoc(text).sentences()[0]; st.links != 0 {
			t.Errorf("%q: %d link words, want 0", text, st.links)
		}
	}
	if st := newDoc("The marker comes before the message, so the cut is consistent.").sentences()[0]; st.links != 2 {
		t.Errorf("plain link words: %d, want 2", st.links)
	}
}

func TestListsSaidToPlayARoleAreHollow(t *testing.T) {
	text := "This is the half-open connection problem. It involves FIN, RST, TCP keepalive and heartbeats. " +
		"The phi accrual detector and SWIM are also relevant to failure detection. Connection pools, read deadlines, " +
		"exponential backoff and circuit breakers all play a role, and tuning them properly is a best practice."
	d := newDoc(text)
	all := make([]bool, d.nsents)
	for i := range all {
		all[i] = true
	}
	if !hollow(d, all) {
		t.Errorf("a list said to be involved, relevant and to play a role was not hollow")
	}
}

func TestNumberWordsAndUnitLetters(t *testing.T) {
	for _, c := range []struct{ evidence, text string }{
		{"every five seconds", "Offsets are committed every 5 s during poll."},
		{"every 5 seconds", "It commits every five seconds by default."},
		{"three out of four", "You then need 3 out of 4 votes."},
		{"30 minutes", "The lease lasts 30 min unless renewed."},
	} {
		if starts, _ := newDoc(c.text).find(compilePhrase(c.evidence)); len(starts) == 0 {
			t.Errorf("%q does not match %q", c.evidence, c.text)
		}
	}
	// A letter that is not after a number stays a letter.
	if starts, _ := newDoc("Replica s and replica m disagree.").find(compilePhrase("second")); len(starts) != 0 {
		t.Errorf("a lone letter s matched second")
	}
}

func TestInstructionsToTheGraderAreNotGraded(t *testing.T) {
	for _, inj := range injections {
		text := "The leader replicates the entry.\n\n" + inj
		got, stripped := newDoc(text).withoutMeta()
		d := newDoc(got)
		if !stripped || len(d.toks) != 5 {
			var words []string
			for _, tk := range d.toks {
				words = append(words, tk.lower)
			}
			t.Errorf("%q: left %q", inj, words)
		}
	}
	// An answer's own words about systems, passing, candidates and marking stay.
	for _, text := range []string{
		"In practice a CP system rejects requests on the minority side, while an AP system keeps accepting them.",
		"The candidate increments its term and the followers ignore a stale leader.",
		"We pass an override flag, and mark the entry committed once a majority has it.",
		"The reviewer, our tech lead, left a comment asking for a load test.",
		"Reviewers, in my experience, approve small changes faster.",
		"Each process records its state and forwards the marker to its neighbours.",
		"Count all acks and, once the quorum is met, commit the entry.",
		"We treat the lease as expired after ten seconds without a heartbeat.",
		"Consider a cluster of five nodes where two are partitioned away.",
		"I sent a note to the reviewers explaining the rollback plan.",
	} {
		if got, stripped := newDoc(text).withoutMeta(); stripped || got != text {
			t.Errorf("%q was taken for an instruction to the grader: %q", text, got)
		}
	}
}
