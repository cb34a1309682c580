package rubric

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/quorum-dev/quorum/bot"
	"github.com/quorum-dev/quorum/prompts"
)

func quorumLockQuestion() *bot.Question {
	return &bot.Question{
		Pack: "t", ID: "lock",
		Prompt: "Is a lock taken on a majority of independent Redis nodes safe to protect a shared resource?",
		KeyPoints: []bot.KeyPoint{
			{ID: "pauses", Weight: 3, Text: "A process pause or clock jump can outlast the lease, so two clients can both believe they hold it.", Evidence: []string{"process pause", "gc pause"}},
			{ID: "fencing", Weight: 3, Text: "The resource must check a monotonically increasing fencing token and reject stale ones.", Evidence: []string{"fencing token"}},
			{ID: "ttl", Weight: 2, Text: "Each lock has an expiry so a crashed holder does not block others forever.", Evidence: []string{"expiry", "ttl"}},
		},
		RedFlags: []bot.RedFlag{
			{ID: "quorum-timing-safe", Text: "Claims the quorum makes it safe whatever the pauses and timing.", Correction: "A quorum cannot stop a paused client from acting after its lease ran out; only fencing at the resource can.", Evidence: []string{"safe regardless of timing"}},
		},
	}
}

func TestContradictedPoint(t *testing.T) {
	q := quorumLockQuestion()
	if got := contradictedPoint(q, q.RedFlags[0]); got < 0 || q.KeyPoints[got].ID != "pauses" {
		t.Errorf("got point %d, want the pauses point", got)
	}
	none := bot.RedFlag{Text: "Talks about bananas.", Correction: "Apples."}
	if got := contradictedPoint(q, none); got != -1 {
		t.Errorf("got point %d for a flag sharing no words, want -1", got)
	}
}

func TestRedFlagInOwnWords(t *testing.T) {
	q := quorumLockQuestion()
	g := New(Options{})
	flagged := func(text string) bool {
		return len(g.Judge(q, bot.Answer{Text: text}).RedFlags) > 0
	}
	// The misconception in other words than its evidence: flagged.
	if !flagged("Each lock has a TTL so a dead client frees it. Because a quorum must agree, it stays safe whatever the timing and pauses.") {
		t.Errorf("misconception in own words was not flagged")
	}
	// Rejected in its own sentence: not flagged.
	if flagged("It is wrong to think the quorum keeps it safe whatever the timing and pauses.") {
		t.Errorf("a rejected misconception was flagged")
	}
	// The same words in an answer that explains the point the flag contradicts: not
	// flagged, since the answer has shown it knows better.
	if flagged("A quorum is not the issue for safety: a GC pause can outlast the lease, so two clients both believe they hold the lock, whatever the timing of the pauses. The resource must check a fencing token.") {
		t.Errorf("an answer that makes the contradicted point was flagged")
	}
}

func hashRangeQuestion() *bot.Question {
	return &bot.Question{
		Pack: "t", ID: "hash-range",
		Prompt: "Compare partitioning by key range with partitioning by a hash of the key.",
		KeyPoints: []bot.KeyPoint{
			{ID: "range-scans", Weight: 3, Text: "Range partitioning keeps keys sorted, so range scans touch few partitions.", Evidence: []string{"range scan", "sorted"}},
			{ID: "hash-even", Weight: 2, Text: "Hashing spreads keys uniformly, balancing load for point lookups.", Evidence: []string{"spread evenly", "uniform distribution"}},
			{ID: "hash-no-order", Weight: 3, Text: "Hashing destroys key order, so a range query must go to every partition.", Evidence: []string{"order is lost", "every partition"}},
		},
		RedFlags: []bot.RedFlag{
			{ID: "no-hot-spots", Text: "Claims hashing eliminates skewed hot keys entirely.", Correction: "A single hot key still lands on one partition; hashing spreads keys, not the load of one key.", Evidence: []string{"never any hot spot"}},
		},
	}
}

// TestRedFlagInThePointsSentence: the sentence that states a misconception in other
// words may also be what earns the point it contradicts. When no other sentence makes
// that point, the sentence states the misconception: the flag is raised and the point
// is not credited. A sentence that makes the point elsewhere, rejects the claim, or
// says the opposite is not flagged.
func TestRedFlagInThePointsSentence(t *testing.T) {
	q := hashRangeQuestion()
	g := New(Options{})
	const rest = " Range partitioning keeps keys sorted, so a range scan reads one or two partitions. The order is lost with hashing, so a range query goes to every partition."
	wrong := "Hashing spreads keys evenly across the nodes, so skewed and hot keys are eliminated entirely." + rest
	j := g.Judge(q, bot.Answer{Text: wrong})
	if len(j.RedFlags) != 1 || j.RedFlags[0].ID != "no-hot-spots" {
		t.Fatalf("flags %v, want no-hot-spots", j.RedFlags)
	}
	if quote, ok := j.Covered["hash-even"]; ok {
		t.Errorf("hash-even credited by %q, the sentence that states the misconception", quote)
	}
	if v, _ := g.Grade(context.Background(), q, bot.Answer{Text: wrong}); v.Pass {
		t.Errorf("the misconception passes: %s", v.Title())
	}

	right := "Hashing spreads keys evenly across the nodes, but skewed or hot keys are not eliminated: one hot key still lands on one partition." + rest
	if j := g.Judge(q, bot.Answer{Text: right}); len(j.RedFlags) > 0 || j.Covered["hash-even"] == "" {
		t.Errorf("the correct answer: flags %v, hash-even %q; want no flag and the point credited", j.RedFlags, j.Covered["hash-even"])
	}
	// Fewer than flagWordsOverPoint of the flag's words: the point's sentence keeps its point.
	if j := g.Judge(q, bot.Answer{Text: "Hashing spreads keys evenly, so hot keys are rare." + rest}); len(j.RedFlags) > 0 || j.Covered["hash-even"] == "" {
		t.Errorf("a weak echo of the flag: flags %v, hash-even %q", j.RedFlags, j.Covered["hash-even"])
	}
}

func TestRedFlagOppositeWords(t *testing.T) {
	if got := opposites("Suggests comparing monotonic clock values taken on different machines."); !slices.Contains(got, canonical("same")) {
		t.Fatalf("opposites %v, want same", got)
	}
	if got := opposites("Says before and after are the same."); len(got) != 1 || got[0] != canonical("different") {
		t.Fatalf("opposites %v: a pair the text uses both halves of has no opposite; want only different", got)
	}
	words := []string{"compar", "valu", "tak", "different", "replica"}
	d := newDoc("You can only compare values taken on the same machine.")
	c := &compiled{flagOpp: [][]string{opposites("Suggests comparing monotonic clock values taken on different machines.")}, flagOnly: []uint64{1 << 3}}
	if m := findFlagLoose(d, words, func(s int, used uint64) bool { return looseFlagCounts(d, c, 0, false, nil, s, used) }); m.ok {
		t.Errorf("a sentence saying the opposite was flagged: %q", m.quote)
	}
	d = newDoc("You can compare values taken on two machines directly.")
	if m := findFlagLoose(d, words, func(s int, used uint64) bool { return looseFlagCounts(d, c, 0, false, nil, s, used) }); !m.ok {
		t.Errorf("the claim itself in other words was not flagged")
	}
}

func TestRedFlagScopedElsewhere(t *testing.T) {
	flag := compileItem([]string{"2f+1 is enough"})
	if m := findFlag(newDoc("With crash faults the lying half of the argument disappears, which is why 2f + 1 is enough there."), flag); m.ok {
		t.Errorf("a claim scoped to another case was flagged: %q", m.quote)
	}
	if m := findFlag(newDoc("Byzantine replicas only need a majority, so 2f + 1 is enough."), flag); !m.ok {
		t.Errorf("the claim itself was not flagged")
	}
	if m := findFlag(newDoc("I think 2f + 1 is enough there too, for Byzantine faults."), flag); !m.ok {
		t.Errorf("a claim that goes on after \"there\" was not flagged")
	}
}

// BenchmarkGrade300WordsOffTopic grades the 300-word benchmark answer against each
// question of the bank in turn: almost nothing is credited there, so every red flag
// is also looked for in other words, the slowest path of the red-flag rules.
func BenchmarkGrade300WordsOffTopic(b *testing.B) {
	bank, err := prompts.LoadBank()
	if err != nil {
		b.Fatal(err)
	}
	qs := bank.Questions()
	g := New(Options{})
	a := bot.Answer{Text: answer300, TimeLimit: 3 * time.Minute}
	for _, q := range qs {
		g.Grade(context.Background(), q, a) // compile every rubric before timing
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		g.Grade(context.Background(), qs[i%len(qs)], a)
		i++
	}
}

// TestMisconceptionCriticised: a misconception followed by what it costs ("immediate
// retries overload the server") is named to be criticised, not claimed; the same words
// followed by a benefit, or by a cost that is denied, still claim it.
func TestMisconceptionCriticised(t *testing.T) {
	q := &bot.Question{
		Pack: "t", ID: "retry",
		Prompt: "A client calls a service that is overloaded. How should it retry?",
		KeyPoints: []bot.KeyPoint{
			{ID: "backoff", Weight: 3, Text: "Wait exponentially longer between attempts, capped.", Evidence: []string{"exponential backoff"}},
			{ID: "jitter", Weight: 2, Text: "Randomize each wait so clients do not retry in waves.", Evidence: []string{"jitter"}},
		},
		RedFlags: []bot.RedFlag{
			{ID: "immediate", Text: "Retries immediately in a tight loop.", Evidence: []string{"retry immediately"}},
			{ID: "buffer", Text: "Adds a bigger queue in front of the service to absorb it.", Evidence: []string{"bigger queue"}},
		},
	}
	g := New(Options{})
	for _, c := range []struct {
		answer string
		want   []string
	}{
		{"If you retry immediately, every client hammers it again. Clients that retry immediately overload the service at the worst moment.", nil},
		{"A bigger queue only delays the crash; the service is still over capacity.", nil},
		{"Retrying immediately risks a retry storm.", nil},
		{"Clients that retry immediately add load at the worst moment.", nil},
		{"A bigger queue just moves the cliff further out.", nil},
		{"A bigger queue throws away the newest messages first.", nil},
		{"I'd retry immediately and throw if it still fails.", []string{"immediate"}},
		{"A bigger queue just works, it absorbs the burst.", []string{"buffer"}},
		{"I would retry immediately, because the sooner it retries the sooner it succeeds.", []string{"immediate"}},
		{"Just retry immediately; it won't overload anything.", []string{"immediate"}},
		{"Put a bigger queue in front so nothing is lost.", []string{"buffer"}},
		{"A bigger queue only in the busiest region is enough.", []string{"buffer"}},
	} {
		var got []string
		for _, f := range g.Judge(q, bot.Answer{Text: c.answer}).RedFlags {
			got = append(got, f.ID)
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("%q: red flags %v, want %v", c.answer, got, c.want)
		}
	}
}

// TestBankFlagsSpareItsOwnStatements: the bank's red flags do not fire on the bank's own
// correct statements (each key point's text and each flag's correction, said after the
// model answer), which is what a candidate who knows the subject says. Three are left,
// where the correction names the wrong move and then its consequence in words no rule
// reads as criticism ("tombstoning the element itself turns the set into a 2P-set"):
// `packs lint` reports them.
func TestBankFlagsSpareItsOwnStatements(t *testing.T) {
	bank, err := prompts.LoadBank()
	if err != nil {
		t.Fatal(err)
	}
	g := New(Options{})
	var found []string
	for _, q := range bank.Select(bot.Filter{}) {
		for _, sf := range g.SelfFlags(q) {
			found = append(found, q.Ref()+": "+sf.Flag+" on "+sf.Said+": "+sf.Quote)
		}
	}
	if len(found) > 3 {
		t.Errorf("%d red flags fire on their rubric's own statements (at most 3):\n%s", len(found), strings.Join(found, "\n"))
	}
}
