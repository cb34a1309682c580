package rubric

import (
	"sort"
	"strings"
	"testing"

	"github.com/quorum-dev/quorum/bot"
)

// covered returns the ids of the key points the rubric credits in text, sorted.
func covered(q *bot.Question, text string) string {
	j := New(Options{}).Judge(q, bot.Answer{Text: text})
	var ids []string
	for id := range j.Covered {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return strings.Join(ids, " ")
}

func bucketQuestion() *bot.Question {
	return &bot.Question{
		Pack: "t", ID: "bucket",
		Prompt: "Implement a token bucket with NewBucket(rate, capacity) and Allow(now), with no background goroutine.",
		KeyPoints: []bot.KeyPoint{
			{ID: "lazy", Weight: 3, Text: "Refill lazily on each call from the elapsed time times the rate.", Evidence: []string{"lazy refill", "elapsed time"}},
			{ID: "clamp", Weight: 3, Text: "Tokens are clamped to the capacity, which is what bounds the burst.", Evidence: []string{"clamp", "capped at"}},
			{ID: "float", Weight: 2, Text: "Tokens are kept as a float so short intervals are not lost to truncation.", Evidence: []string{"float", "fractional"}},
			{ID: "lock", Weight: 2, Text: "The read, refill and decrement happen in one critical section under a mutex.", Evidence: []string{"mutex", "critical section"}},
		},
	}
}

func TestLinkBudget(t *testing.T) {
	q := bucketQuestion()
	// One long sentence that strings four points together with no mechanism word earns one.
	if got := covered(q, "The bucket uses lazy refill of the elapsed time, a float, a mutex and a clamp, giving exact limits for every caller at every moment of the day."); strings.Count(got, " ")+1 != 1 {
		t.Errorf("list sentence credited %q, want one point", got)
	}
	// The same points with a mechanism each are all made.
	got := covered(q, "On each call I take the mutex, because two callers refilling from one stale timestamp would double count. "+
		"Then I add the elapsed time times the rate, so no goroutine is needed. "+
		"I clamp the result to the capacity, otherwise an idle bucket would allow a huge burst. "+
		"Tokens stay a float, since integer truncation would starve a caller polling every millisecond.")
	if got != "clamp float lazy lock" {
		t.Errorf("explained sentences credited %q, want all four", got)
	}
}

func TestEnumeratedPointsEarnOne(t *testing.T) {
	q := bucketQuestion()
	d := newDoc("It works because of a mutex, a float, a clamp and lazy refill, so it is fast when it runs.")
	if d.enumerated(2, 4) { // "because of": not a list separator
		t.Errorf("words without a comma or and seen as a list")
	}
	if !d.enumerated(6, 7) { // after "mutex" up to "float": ", a "
		t.Errorf("items of a list not seen as a list")
	}
	if got := covered(q, "It works because of the mutex, floats, clamping and lazy refill, so it is fast when it runs."); strings.Contains(got, " ") {
		t.Errorf("a list of points credited %q, want one point", got)
	}
}

func TestAnchorsCreditOwnWords(t *testing.T) {
	q := &bot.Question{
		Pack: "t", ID: "q", Prompt: "How does a follower catch up?",
		KeyPoints: []bot.KeyPoint{
			{ID: "snapshot", Weight: 3, Text: "The leader ships a consistent snapshot tagged with its log position.", Evidence: []string{"base backup"}},
			{ID: "stream", Weight: 3, Text: "The follower then streams changes from that position until lag is small.", Evidence: []string{"streaming replication"}},
		},
	}
	// "consistent", "snapshot", "tagged", "ships" are particular to the first point's text.
	if got := covered(q, "First the leader ships a consistent snapshot, tagged so we know where it was taken, and the follower loads it."); got != "snapshot" {
		t.Errorf("got %q, want snapshot made in own words", got)
	}
	// Naming them without a link word explains nothing.
	if got := covered(q, "The leader ships a consistent snapshot tagged with the log position."); got != "" {
		t.Errorf("got %q from anchors in a sentence without a link word, want nothing", got)
	}
	// Two anchors are not enough.
	if got := covered(q, "First the leader sends a snapshot, and the follower loads it."); got != "" {
		t.Errorf("got %q from a single anchor word, want nothing", got)
	}
}

func TestStoryPoints(t *testing.T) {
	q := &bot.Question{
		Pack: "t", ID: "mistake", Prompt: "Tell me about a mistake you made in production.",
		KeyPoints: []bot.KeyPoint{
			{ID: "own", Weight: 3, Text: "Owns the mistake in the first person and explains what they did.", Evidence: []string{"my fault"}},
			{ID: "impact", Weight: 1, Text: "Quantifies the impact and the recovery.", Evidence: []string{"impact was"}},
			{ID: "fix", Weight: 3, Text: "Fixed the system so the mistake is hard to repeat.", Evidence: []string{"dry run"}},
		},
	}
	got := covered(q, "I deleted a production bucket prefix that still held thumbnails. About 7% of page views showed broken images for 40 minutes until we restored it.")
	if got != "impact own" {
		t.Errorf("got %q, want own and impact", got)
	}
	if got := covered(q, "We had an outage once and it was bad for a while. The team was sad about the impact on everyone."); got != "" {
		t.Errorf("got %q with no first-person act and no number, want nothing", got)
	}
	if needOf("Gives the outcome with a measure.") != needQuantity || needOf("Makes their own role clear.") != needFirstPerson ||
		needOf("Explains the mechanism.") != needNothing {
		t.Errorf("needOf misread a key point's text")
	}
}

func TestCommonWordNeedsAnchor(t *testing.T) {
	if !commonStems["replica"] {
		t.Skip("replica is no longer a common stem in the bank")
	}
	q := &bot.Question{
		Pack: "t", ID: "q", Prompt: "Why do reads see the latest write?",
		KeyPoints: []bot.KeyPoint{
			{ID: "overlap", Weight: 2, Text: "Any read set and any write set share at least one member, by the pigeonhole principle.", Evidence: []string{"replica", "pigeonhole"}},
		},
	}
	if got := covered(q, "Each read goes to a replica that the client picks at random."); got != "" {
		t.Errorf("a common word alone credited %q", got)
	}
	if got := covered(q, "Each read reaches a replica that shares the write with it, by pigeonhole counting of the members."); got != "overlap" {
		t.Errorf("got %q, want overlap", got)
	}
}

func TestRedFlagDeniedVerb(t *testing.T) {
	flag := compileItem([]string{"change the hash"})
	if m := findFlag(newDoc("Changing the hashing won't move its load anywhere."), flag); m.ok {
		t.Errorf("a denied claim was flagged: %q", m.quote)
	}
	if m := findFlag(newDoc("I would change the hash function to spread it."), flag); !m.ok {
		t.Errorf("the claim itself was not flagged")
	}
}

func TestPointMadeAcrossTwoSentences(t *testing.T) {
	q := &bot.Question{
		Pack: "t", ID: "2pc",
		Prompt: "How does two-phase commit work, and why is it called blocking?",
		KeyPoints: []bot.KeyPoint{
			{ID: "prepare", Weight: 3, Text: "In the first phase the coordinator asks every participant to prepare; a participant durably logs its writes, keeps its locks and votes.", Evidence: []string{"prepare"}},
			{ID: "blocking", Weight: 3, Text: "If the coordinator crashes after the votes, participants wait, holding locks, until it recovers.", Evidence: []string{"until it recovers"}},
		},
	}
	// Neither sentence alone uses three of the point's own words; together they do, and
	// the first has a link word.
	if got := covered(q, "First the coordinator asks each participant whether it can commit. Every participant writes its changes to disk and keeps its row locks."); got != "prepare" {
		t.Errorf("point split over two sentences: credited %q, want prepare", got)
	}
	// The same words in sentences that are not next to each other make no point.
	if got := covered(q, "First the coordinator asks each participant whether it can commit. Then it tells them the outcome. Every participant writes its changes to disk and keeps its row locks."); got != "" {
		t.Errorf("words from sentences apart: credited %q, want none", got)
	}
	// Two sentences without a link word between them make no point either.
	if got := covered(q, "First the coordinator asks each participant about the transaction. Every participant writes its changes to disk and keeps its row locks."); got != "" {
		t.Errorf("pair without a link word: credited %q, want none", got)
	}
}

func TestEverydayIdioms(t *testing.T) {
	q := &bot.Question{
		Pack: "t", ID: "merge",
		Prompt: "How do you merge two vector clocks, and what does asynchronous replication risk?",
		KeyPoints: []bot.KeyPoint{
			{ID: "max", Weight: 3, Text: "Merge takes the pointwise maximum of every entry.", Evidence: []string{"take the max", "maximum of each"}},
			{ID: "ack", Weight: 3, Text: "The leader acknowledges immediately, before followers have the write.", Evidence: []string{"acknowledges immediately"}},
		},
	}
	for _, tc := range []struct{ text, want string }{
		{"Per slot I take the larger of the two counters, so nothing is lost.", "max"},
		{"Per slot I take the maximum, so nothing is lost.", "max"},
		{"Per slot I take the larger counter, so nothing is lost.", ""},
		{"It acknowledges straight away, so a failover can lose data.", "ack"},
		{"It acknowledges right away, so a failover can lose data.", "ack"},
		{"It acknowledges and walks away, so a failover can lose data.", ""},
	} {
		if got := covered(q, tc.text); got != tc.want {
			t.Errorf("%q: credited %q, want %q", tc.text, got, tc.want)
		}
	}
}

// TestListShare: the share of an answer's words in runs of four or more short list items
// separated by commas (two at least), "and" and "or". Terms strung into lists are a large
// share of a keyword-stuffed answer; an explanation that names three things, or joins
// clauses with "and", has none.
func TestListShare(t *testing.T) {
	share := func(text string) float64 {
		d := newDoc(text)
		all := make([]bool, d.nsents)
		for i := range all {
			all[i] = true
		}
		return listShare(d, all)
	}
	for _, tc := range []struct {
		text     string
		min, max float64
	}{
		// Stuffed: names in lists, the lead-in's last words starting the first one.
		{"The participant uses a write-ahead log, a prepare record, fsync and locks. On restart there is recovery with in-doubt transactions, the coordinator, blocking and the commit record.", 0.5, 1},
		{"Rebalance with minimal moves: consistent hashing, virtual nodes, floor and ceil of P over N, surplus and deficit, greedy assignment, deterministic sorting, throttling, rack awareness.", 0.4, 1},
		// "A, B, and C": the comma before "and" does not end the list.
		{"Use Pre-Vote, CheckQuorum, leader leases, and randomized timeouts.", 0.5, 1},
		// Explanations: three items, clauses joined by "and", items that say how.
		{"The follower needs a snapshot, a log position and a slot. It loads the snapshot and then replays the log from that position, so it catches up without locking the leader.", 0, 0},
		{"I moved paging to error-rate and latency SLO alerts and turned the CPU and memory alerts into tickets.", 0, 0},
		{"First it writes the record, then it fsyncs, because a crash before that would lose the vote, and only then it answers YES.", 0, 0},
	} {
		if tc.min > 0 && tc.min < maxListShare {
			t.Fatalf("case %q: a stuffed answer's floor must be over maxListShare", tc.text)
		}
		if got := share(tc.text); got < tc.min || got > tc.max {
			t.Errorf("share %.2f, want %.2f-%.2f: %q", got, tc.min, tc.max, tc.text)
		}
	}
}
