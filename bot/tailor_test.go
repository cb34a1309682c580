package bot_test

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/quorum-dev/quorum/bot"
	"github.com/quorum-dev/quorum/prompts"
)

const tailorStaffJD = `Staff Software Engineer, Streaming Data Platform

We are looking for a Staff Engineer to own the architecture of our event streaming platform.
You will build consensus across teams and mentor senior engineers.

What you'll do:
- Own our Apache Kafka clusters and the exactly-once pipelines built on them.
- Design replication and partitioning for our Cassandra clusters across multiple regions.
- Drive reliability: SLOs, incident response, capacity planning.

Requirements:
- 10+ years of experience building distributed systems in Go or Java.
- Deep knowledge of Kafka internals: ISR, consumer groups, idempotent producers.
- Experience operating Cassandra at scale: compaction, tombstones, consistency levels.`

const tailorStaffResume = `Jane Doe, Senior Software Engineer

- Acme (2018-now): built a Kafka pipeline processing 2M events/s and made its consumers
  idempotent. Ran a 60-node Cassandra cluster; tuned read repair and quorum reads.
- Beta (2014-2018): PostgreSQL, Redis, Kubernetes operators.`

const tailorJuniorResume = `Sam Lee, Junior Web Developer
Bootcamp graduate. Frontend work in React and TypeScript.
- Built a React app that calls a REST API backed by a PostgreSQL database.
- Added Redis caching for the product catalog and a rate limiter for the login API.`

func tailorBank(t *testing.T) *bot.Bank {
	t.Helper()
	b, err := prompts.LoadBank()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func tailorRefs(qs []*bot.Question) []string {
	out := make([]string, len(qs))
	for i, q := range qs {
		out[i] = q.Ref()
	}
	return out
}

func tailorHasTag(q *bot.Question, tags ...string) bool {
	for _, t := range q.Tags {
		if slices.Contains(tags, t) {
			return true
		}
	}
	return false
}

func TestExtractTerms(t *testing.T) {
	cases := []struct {
		text string
		want []string
	}{
		{"Kafka, Cassandra and etcd", []string{"cassandra", "etcd", "kafka"}},
		{"We run k8s and ZK; data lives in Postgres.", []string{"kubernetes", "postgresql", "zookeeper"}},
		{"postgresql POSTGRES PostgreSQL", []string{"postgresql"}},
		{"DynamoDB tables", []string{"dynamodb"}},
		{"exactly once delivery with 2PC", []string{"2pc", "exactly-once"}},
		{"two-phase commit and CRDTs", []string{"2pc", "crdt"}},
		{"exactly-once semantics", []string{"exactly-once"}},
		{"Kafka Streams apps", []string{"kafka", "kafka-streams"}},
		{"vector clocks, Lamport clock, hybrid logical clocks", []string{"hlc", "lamport-clocks", "vector-clocks"}},
		{"sharded MySQL with consistent hashing", []string{"consistent-hashing", "mysql", "sharding"}},
		{"strong consistency via Raft consensus", []string{"consensus", "linearizability", "raft"}},
		// Word boundaries: no partial words.
		{"kafkaesque etcdctl rafting", nil},
		// "consensus" among people is not the protocol.
		{"You will build consensus across teams.", nil},
		// Go the language, not the verb.
		{"Services in Go, Java and Python", []string{"go"}},
		{"Go to market. We go fast and let it go.", nil},
		{"golang", []string{"go"}},
		{"", nil},
	}
	for _, c := range cases {
		got := bot.ExtractTerms(c.text)
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("ExtractTerms(%q) = %q, want %q", c.text, got, c.want)
		}
	}
	got := bot.ExtractTerms("Kafka kafka KAFKA etcd Cassandra kafka")
	if !slices.IsSorted(got) || len(got) != 3 {
		t.Errorf("terms not sorted and deduplicated: %q", got)
	}
	for _, term := range got {
		if term != strings.ToLower(term) {
			t.Errorf("term %q is not lowercase", term)
		}
	}
}

// The vocabulary covers what the bank's questions are tagged with.
func TestExtractTermsCoversBankTags(t *testing.T) {
	b := tailorBank(t)
	terms := map[string]bool{}
	tags, matched := 0, 0
	for _, q := range b.Questions() {
		for _, tag := range q.Tags {
			tags++
			found := bot.ExtractTerms(strings.ReplaceAll(tag, "-", " "))
			if len(found) > 0 {
				matched++
			}
			for _, term := range found {
				terms[term] = true
			}
		}
	}
	if len(terms) < 80 {
		t.Errorf("bank tags map to %d distinct terms, want at least 80", len(terms))
	}
	if matched*100 < tags*80 {
		t.Errorf("only %d of %d tag uses are recognised", matched, tags)
	}
	for _, must := range []string{"kafka", "cassandra", "etcd", "zookeeper", "raft", "paxos", "postgresql", "dynamo", "dynamodb", "spanner", "crdt", "2pc", "exactly-once", "sharding", "consistent-hashing", "linearizability", "vector-clocks", "leases", "fencing", "quorum"} {
		if !terms[must] {
			t.Errorf("no bank tag yields the term %q", must)
		}
	}
}

func TestSeniority(t *testing.T) {
	cases := []struct{ text, want string }{
		{"Staff Software Engineer, Storage", "staff"},
		{"Principal Engineer - Distributed Systems", "staff"},
		{"We are hiring a Distinguished Engineer.", "staff"},
		{"Senior Staff Engineer", "staff"},
		{"Solutions Architect (Data Platform)", "staff"},
		{"Senior Backend Engineer. You will mentor junior engineers.", "senior"},
		{"Sr. Software Engineer", "senior"},
		{"Tech Lead, Payments", "senior"},
		{"Lead Software Engineer", "senior"},
		{"Junior Developer. You'll learn from senior engineers and lead small features.", "junior"},
		{"New Grad Software Engineer 2026", "junior"},
		{"Entry-level backend engineer", "junior"},
		{"Software Engineering Intern (Summer)", "junior"},
		{"Mid-level Software Engineer", "mid"},
		{"Software Engineer II, Infrastructure", "mid"},
		{"Backend engineer. Requirements: 3+ years of experience with Go.", "mid"},
		{"Backend engineer. Requirements: 6+ years of professional experience.", "senior"},
		{"Backend engineer with 12 years of industry experience wanted.", "staff"},
		{"You will lead the design of our storage layer and report to senior leadership.", ""},
		{"Backend engineer working on Kafka.", ""},
		{"", ""},
	}
	for _, c := range cases {
		if got := bot.Seniority(c.text); got != c.want {
			t.Errorf("Seniority(%q) = %q, want %q", c.text, got, c.want)
		}
	}
}

func TestRankForProfileStaffKafkaCassandra(t *testing.T) {
	b := tailorBank(t)
	p := bot.Profile{Resume: tailorStaffResume, JobDescription: tailorStaffJD}
	qs := bot.RankForProfile(b, p, 10)
	if len(qs) != 10 {
		t.Fatalf("got %d questions, want 10: %v", len(qs), tailorRefs(qs))
	}
	kafka, cassandra, hard := 0, 0, 0
	for _, q := range qs {
		if tailorHasTag(q, "kafka") || q.Topic == "messaging" {
			kafka++
		}
		if tailorHasTag(q, "cassandra") || q.Topic == "replication" || q.Topic == "partitioning" {
			cassandra++
		}
		if q.Difficulty == bot.Hard {
			hard++
		}
		if q.Kind == "behavioral" {
			t.Errorf("behavioral question %s chosen while technical ones fit", q.Ref())
		}
	}
	if kafka < 3 {
		t.Errorf("only %d Kafka/messaging questions: %v", kafka, tailorRefs(qs))
	}
	if cassandra < 2 {
		t.Errorf("only %d Cassandra/replication/partitioning questions: %v", cassandra, tailorRefs(qs))
	}
	if hard < 7 {
		t.Errorf("only %d of 10 questions are hard for a staff role: %v", hard, tailorRefs(qs))
	}
	// The best fit is about Kafka, and a Kafka question comes before any question that
	// matches the profile by nothing but its difficulty.
	if !tailorHasTag(qs[0], "kafka") {
		t.Errorf("first question %s is not about Kafka", qs[0].Ref())
	}
	why := bot.TailorReason(qs[0], p)
	if !strings.HasPrefix(why, "Your job description mentions ") || !strings.Contains(why, "Kafka") || !strings.HasSuffix(why, ".") {
		t.Errorf("TailorReason = %q", why)
	}
	if strings.Count(why, ". ") > 0 {
		t.Errorf("TailorReason is more than one sentence: %q", why)
	}
}

func TestRankForProfileJunior(t *testing.T) {
	b := tailorBank(t)
	p := bot.Profile{Resume: tailorJuniorResume}
	qs := bot.RankForProfile(b, p, 8)
	if len(qs) != 8 {
		t.Fatalf("got %d questions, want 8", len(qs))
	}
	easy := 0
	for _, q := range qs {
		switch q.Difficulty {
		case bot.Easy:
			easy++
		case bot.Hard:
			t.Errorf("hard question %s for a junior profile", q.Ref())
		}
	}
	if easy < 6 {
		t.Errorf("only %d of 8 questions are easy for a junior profile: %v", easy, tailorRefs(qs))
	}
	if !tailorHasTag(qs[0], "redis", "caching", "postgresql", "rate-limiting") {
		t.Errorf("first question %s (tags %v) does not match the resume", qs[0].Ref(), qs[0].Tags)
	}
	if why := bot.TailorReason(qs[0], p); !strings.HasPrefix(why, "Your resume mentions ") {
		t.Errorf("TailorReason = %q, want it to point at the resume", why)
	}
}

func TestRankForProfileEmpty(t *testing.T) {
	b := tailorBank(t)
	for _, p := range []bot.Profile{{}, {Resume: "  \n\t", JobDescription: " "}} {
		if qs := bot.RankForProfile(b, p, 10); qs != nil {
			t.Errorf("RankForProfile(%q) = %v, want nil", p, tailorRefs(qs))
		}
		if why := bot.TailorReason(b.Questions()[0], p); why != "" {
			t.Errorf("TailorReason for an empty profile = %q", why)
		}
	}
	p := bot.Profile{JobDescription: tailorStaffJD}
	if qs := bot.RankForProfile(b, p, 0); qs != nil {
		t.Errorf("n=0 gave %v", tailorRefs(qs))
	}
	if qs := bot.RankForProfile(nil, p, 5); qs != nil {
		t.Errorf("nil bank gave %v", tailorRefs(qs))
	}
}

func TestRankForProfileDeterministic(t *testing.T) {
	p := bot.Profile{Resume: tailorStaffResume, JobDescription: tailorStaffJD}
	first := tailorRefs(bot.RankForProfile(tailorBank(t), p, 30))
	for i := 0; i < 5; i++ {
		if got := tailorRefs(bot.RankForProfile(tailorBank(t), p, 30)); !reflect.DeepEqual(got, first) {
			t.Fatalf("run %d differs:\n%v\n%v", i, got, first)
		}
	}
	// A profile that names nothing the bank knows still gets questions, the same ones each time.
	vague := bot.Profile{JobDescription: "Senior engineer for our team."}
	a, b := bot.RankForProfile(tailorBank(t), vague, 5), bot.RankForProfile(tailorBank(t), vague, 5)
	if len(a) != 5 || !reflect.DeepEqual(tailorRefs(a), tailorRefs(b)) {
		t.Fatalf("vague profile: %v vs %v", tailorRefs(a), tailorRefs(b))
	}
	for _, q := range a {
		if q.Difficulty != bot.Hard {
			t.Errorf("senior profile with no terms got %s question %s", q.Difficulty, q.Ref())
		}
	}
	if why := bot.TailorReason(a[0], vague); !strings.Contains(why, "senior") {
		t.Errorf("TailorReason = %q, want it to name the level", why)
	}
}

func TestRankForProfileTopicCap(t *testing.T) {
	b := tailorBank(t)
	// Only Kafka: far more than three messaging questions fit.
	p := bot.Profile{JobDescription: "Kafka, Kafka, Kafka. Kafka consumer groups, Kafka transactions, exactly-once delivery."}
	qs := bot.RankForProfile(b, p, 20)
	perTopic := map[string]int{}
	for _, q := range qs {
		perTopic[q.Topic]++
	}
	if perTopic["messaging"] != 3 {
		t.Errorf("messaging questions = %d, want exactly the cap of 3: %v", perTopic["messaging"], tailorRefs(qs))
	}
	for topic, n := range perTopic {
		if n > 3 {
			t.Errorf("%d questions of topic %s", n, topic)
		}
	}
	// Asking for everything: each topic at most 3, behavioral only after every other question.
	all := bot.RankForProfile(b, bot.Profile{Resume: tailorStaffResume, JobDescription: tailorStaffJD}, 1000)
	perTopic = map[string]int{}
	seenBehavioral := false
	for _, q := range all {
		perTopic[q.Topic]++
		if perTopic[q.Topic] > 3 {
			t.Errorf("topic %s has more than 3 questions", q.Topic)
		}
		if q.Kind == "behavioral" {
			seenBehavioral = true
		} else if seenBehavioral {
			t.Errorf("technical question %s after a behavioral one", q.Ref())
		}
	}
	if want := 3 * len(b.Topics()); len(all) != want {
		t.Errorf("got %d questions for n=1000, want %d (3 per topic)", len(all), want)
	}
}

func TestTailorReasonRelatedAndNone(t *testing.T) {
	b := tailorBank(t)
	p := bot.Profile{JobDescription: "You will run Amazon SQS."}
	var q *bot.Question
	for _, c := range b.Select(bot.Filter{Topic: "messaging"}) {
		if !tailorHasTag(c, "sqs") && !strings.Contains(strings.ToLower(c.Prompt), "sqs") && !strings.Contains(strings.ToLower(c.Prompt), "queue") {
			q = c
			break
		}
	}
	if q == nil {
		t.Skip("no messaging question without SQS")
	}
	if got, want := bot.TailorReason(q, p), "It covers messaging, which goes with SQS in your job description."; got != want {
		t.Errorf("TailorReason(%s) = %q, want %q", q.Ref(), got, want)
	}
	none := bot.Profile{Resume: "I like cooking."}
	if got := bot.TailorReason(q, none); !strings.HasPrefix(got, "It is a") || !strings.HasSuffix(got, ".") {
		t.Errorf("TailorReason with no terms = %q", got)
	}
}
