package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/quorum-dev/quorum/adapters/openai/openaitest"
	"github.com/quorum-dev/quorum/bot"
	"github.com/quorum-dev/quorum/prompts"
	"github.com/quorum-dev/quorum/store"
)

const answer = `Raft divides time into terms and each term has at most one leader. A follower whose randomized
election timeout fires becomes a candidate, increments the term and asks for votes. Each server casts one
vote per term and a candidate needs a majority, so two leaders can't win the same term.`

// cli runs quorum with args in dir, stdin from the given text, and returns status, stdout, stderr.
func cli(t *testing.T, dir, stdin string, args ...string) (int, string, string) {
	t.Helper()
	in := filepath.Join(t.TempDir(), "stdin")
	if err := os.WriteFile(in, []byte(stdin), 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(in)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	wd, _ := os.Getwd()
	if dir != "" {
		t.Chdir(dir)
	}
	defer os.Chdir(wd)
	var out, errb bytes.Buffer
	code := run(context.Background(), args, f, &out, &errb)
	return code, out.String(), errb.String()
}

// testConfig writes a config whose store lives in a temp dir and which adds the test pack.
func testConfig(t *testing.T) (string, string) {
	t.Helper()
	dir := t.TempDir()
	pack, _ := filepath.Abs("testdata/cli-pack.yaml")
	db := filepath.Join(dir, "q.db")
	cfg := filepath.Join(dir, "quorum.yaml")
	body := "store: { path: " + db + " }\npacks: [" + pack + "]\n"
	if err := os.WriteFile(cfg, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return cfg, db
}

func TestPracticeJSON(t *testing.T) {
	cfg, _ := testConfig(t)
	code, out, errs := cli(t, "", answer, "practice", "--config", cfg, "--question", "cli-test/raft-election", "--json")
	if code != 0 {
		t.Fatalf("exit %d, stderr %s", code, errs)
	}
	var v map[string]any
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		t.Fatalf("stdout is not one JSON object: %v\n%s", err, out)
	}
	for _, k := range []string{"question_id", "verdict", "score", "scores", "covered", "missed", "red_flags", "feedback", "grader"} {
		if _, ok := v[k]; !ok {
			t.Errorf("JSON lacks %q", k)
		}
	}
	if v["verdict"] != "pass" || v["grader"] != "rubric" || v["question_id"] != "cli-test/raft-election" {
		t.Fatalf("got verdict=%v grader=%v id=%v", v["verdict"], v["grader"], v["question_id"])
	}
	if !strings.Contains(errs, "How does Raft elect a leader") {
		t.Fatalf("the question should go to stderr with --json; stderr:\n%s", errs)
	}
}

func TestPracticeTextAndStats(t *testing.T) {
	cfg, _ := testConfig(t)
	code, out, errs := cli(t, "", answer, "practice", "--config", cfg, "--topic", "consensus", "--pack", "testdata/cli-pack.yaml")
	if code != 1 || !strings.Contains(errs, `pack "cli-test" is already loaded`) {
		// The same pack twice is refused with a clear message.
		t.Fatalf("exit %d, stderr %q", code, errs)
	}
	code, out, errs = cli(t, "", "The node with the lowest id becomes leader.", "practice", "--config", cfg, "--question", "cli-test/raft-election")
	if code != 0 {
		t.Fatalf("exit %d, stderr %s", code, errs)
	}
	if !strings.Contains(out, "How does Raft elect a leader") || !strings.Contains(out, "\nFAIL · ") {
		t.Fatalf("want the question and a FAIL line; got:\n%s", out)
	}
	code, out, _ = cli(t, "", "", "stats", "--config", cfg)
	if code != 0 || !strings.Contains(out, "1 attempt, 0 passed") || !strings.Contains(out, "consensus") {
		t.Fatalf("exit %d, stats:\n%s", code, out)
	}
}

func TestPracticeInEmptyFolderWithoutConfig(t *testing.T) {
	dir := t.TempDir()
	code, out, errs := cli(t, dir, "Raft elects a leader by majority vote within a term; terms act as a logical clock.", "practice", "--json")
	if code != 0 || !strings.Contains(out, `"verdict"`) {
		t.Fatalf("exit %d\nstdout %s\nstderr %s", code, out, errs)
	}
	if _, err := os.Stat(filepath.Join(dir, "quorum.db")); err != nil {
		t.Fatalf("history not saved in the default store: %v", err)
	}
}

func TestUsageErrors(t *testing.T) {
	cfg, _ := testConfig(t)
	tests := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"dance"}, 2, `unknown command "dance"`},
		{[]string{"practice", "--config", cfg, "--topic", "astrology"}, 2, `unknown topic "astrology"`},
		{[]string{"practice", "--config", cfg, "--difficulty", "brutal"}, 2, `unknown difficulty "brutal"`},
		{[]string{"practice", "--config", cfg, "--time-limit", "2s"}, 2, "--time-limit 2s must be between"},
		{[]string{"practice", "--config", cfg, "--question", "nope"}, 1, `no question "nope"`},
		{[]string{"grade", "--config", cfg}, 2, "grade needs --question"},
		{[]string{"grade", "--config", cfg, "--question", "cli-test/raft-election", "--answer-file", "/nonexistent/a.txt"}, 1, "read answer"},
		{[]string{"practice", "--config", "/nonexistent/quorum.yaml"}, 1, "read config"},
		{[]string{"packs"}, 2, "list or lint"},
		{[]string{"run", "--config", cfg}, 1, "nothing to run"},
		// Flag mistakes the flag package reports are command-line mistakes too: they exited 1.
		{[]string{"practice", "--bogus"}, 2, "flag provided but not defined: -bogus"},
		{[]string{"practice", "--time-limit", "abc"}, 2, `invalid value "abc" for flag -time-limit`},
		{[]string{"grade", "--json", "--question"}, 2, "flag needs an argument: -question"},
		{[]string{"stats", "--bogus"}, 2, "flag provided but not defined: -bogus"},
		{[]string{"packs", "list", "--bogus"}, 2, "flag provided but not defined: -bogus"},
		{[]string{"grade", "--config", cfg, "--misses"}, 2, "give --eval too"},
	}
	for _, tt := range tests {
		code, _, errs := cli(t, "", "", tt.args...)
		if code != tt.code || !strings.Contains(errs, tt.want) {
			t.Errorf("%v: got exit %d, stderr %q; want exit %d containing %q", tt.args, code, errs, tt.code, tt.want)
		}
		if strings.Count(strings.TrimSpace(errs), "\n") > 0 && tt.code == 1 {
			t.Errorf("%v: want a one-line message, got %q", tt.args, errs)
		}
	}
}

// TestGradeRefusesBinary: bytes that are not text get the chat's refusal, not a verdict
// whose clarity and delivery scores praise them.
func TestGradeRefusesBinary(t *testing.T) {
	cfg, _ := testConfig(t)
	junk := filepath.Join(t.TempDir(), "answer.bin")
	if err := os.WriteFile(junk, []byte("\x7fELF\x02\x01\x01\x00\x00\x00 some text\x00\x00"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errs := cli(t, "", "", "grade", "--config", cfg, "--question", "cli-test/raft-election", "--answer-file", junk)
	if code != 1 || out != "" || !strings.Contains(errs, "answer.bin looks like binary data, not a typed answer") {
		t.Fatalf("exit %d, stdout %q, stderr %q; want exit 1 and the refusal", code, out, errs)
	}
}

func TestGrade(t *testing.T) {
	cfg, _ := testConfig(t)
	code, out, errs := cli(t, "", answer, "grade", "--config", cfg, "--question", "raft-election", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var v struct {
		Verdict string
		Score   int
		Covered []string
	}
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		t.Fatal(err)
	}
	if v.Verdict != "pass" || len(v.Covered) < 3 {
		t.Fatalf("got %+v", v)
	}
	code, out, _ = cli(t, "", "", "grade", "--config", cfg, "--question", "cli-test/raft-election")
	if code != 0 || !strings.HasPrefix(out, "FAIL · 0/100") {
		t.Fatalf("empty answer: exit %d, output %q; want FAIL · 0/100 and exit 0", code, out)
	}
}

func TestPacksLint(t *testing.T) {
	code, out, _ := cli(t, "", "", "packs", "lint", "testdata/bad-pack.yaml", "testdata/cli-pack.yaml")
	if code != 1 {
		t.Fatalf("exit %d, want 1", code)
	}
	for _, want := range []string{
		`testdata/bad-pack.yaml:1: pack id "Bad Pack" must be kebab-case`,
		`testdata/bad-pack.yaml:5: one: difficulty "impossible" must be one of easy, medium, hard`,
		`testdata/bad-pack.yaml:7: unknown field "colour"`,
		`testdata/bad-pack.yaml:15: duplicate question id "one"`,
		`testdata/cli-pack.yaml: ok, 2 questions`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("lint output lacks %q:\n%s", want, out)
		}
	}
}

// lintChanged runs packs lint on the CLI test pack with each replacement (old, new)
// made, expects it to pass with one warning, want, and returns the file.
func lintChanged(t *testing.T, want string, replacements ...[2]string) string {
	t.Helper()
	data, err := os.ReadFile("testdata/cli-pack.yaml")
	if err != nil {
		t.Fatal(err)
	}
	changed := string(data)
	for _, r := range replacements {
		before := changed
		if changed = strings.Replace(changed, r[0], r[1], 1); changed == before {
			t.Fatalf("the test pack changed: %q was not found", r[0])
		}
	}
	file := filepath.Join(t.TempDir(), "pack.yaml")
	if err := os.WriteFile(file, []byte(changed), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, _ := cli(t, "", "", "packs", "lint", file)
	if code != 0 {
		t.Fatalf("exit %d, want 0 (a warning is not an error):\n%s", code, out)
	}
	for _, w := range []string{want, "ok, 2 questions, 1 warnings"} {
		if !strings.Contains(out, w) {
			t.Errorf("lint output lacks %q:\n%s", w, out)
		}
	}
	return file
}

// lintWithEvidence is lintChanged with the terms point's evidence replaced by evidence.
func lintWithEvidence(t *testing.T, evidence, want string) string {
	t.Helper()
	return lintChanged(t, want, [2]string{"evidence: [term number, each term, logical clock, higher term, epoch]", "evidence: " + evidence})
}

// TestPacksLintThinEvidence: a key point with fewer than three evidence phrases gets a
// warning naming it, and the file still passes.
func TestPacksLintThinEvidence(t *testing.T) {
	lintWithEvidence(t, "[term, epoch]", "warning: raft-election: key point terms has fewer than 3 evidence phrases")
}

// TestPacksLintLongEvidence: a long evidence phrase rarely matches, which lint says; it
// is a warning, not an error, so a pack written elsewhere (the independent set's) loads.
func TestPacksLintLongEvidence(t *testing.T) {
	file := lintWithEvidence(t, "[term number, each term, logical clock, higher term, epoch, a term has at most one leader in it]",
		`warning: raft-election: evidence "a term has at most one leader in it" has more than 6 words`)
	code, out, errs := cli(t, "", "", "grade", "--pack", file, "--question", "cli-test/raft-election", "--answer-file", "/dev/null")
	if code != 0 || !strings.Contains(out, "FAIL") {
		t.Errorf("grading with the pack: exit %d, %q %q", code, out, errs)
	}
}

// TestPacksLintFlagOnItsCorrection: a red flag whose evidence matches the flag's own
// correction would mark down a candidate who says the correction; lint says so, and the
// unchanged pack, whose correction does not, gets no warning.
func TestPacksLintFlagOnItsCorrection(t *testing.T) {
	lintChanged(t, "warning: raft-election: red flag lowest-id matches the correction of red flag lowest-id",
		[2]string{"correction: Whoever first collects a majority of votes wins; ids play no part.",
			"correction: The lowest id wins only in the bully algorithm; in Raft whoever first collects a majority of votes wins."})
	code, out, _ := cli(t, "", "", "packs", "lint", "testdata/cli-pack.yaml")
	if code != 0 || strings.Contains(out, "warning") {
		t.Errorf("the unchanged pack: exit %d, %s", code, out)
	}
}

func TestPacksList(t *testing.T) {
	code, out, errs := cli(t, "", "", "packs", "list", "--counts")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, want := range []string{"topic", "easy", "medium", "hard", "total", "consensus", "by kind:", "tags used most (each works as a topic: practice kafka): kafka 2"} {
		if !strings.Contains(out, want) {
			t.Errorf("list lacks %q:\n%s", want, out)
		}
	}
}

func TestStoreInUse(t *testing.T) {
	cfg, db := testConfig(t)
	st, err := store.Open(db, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	os.WriteFile(cfg, []byte("store: { path: "+db+", lock_timeout: 100ms }\n"), 0o600)
	code, _, errs := cli(t, "", answer, "practice", "--config", cfg)
	if code == 0 || !strings.Contains(errs, "in use by another Quorum process") {
		t.Fatalf("exit %d, stderr %q", code, errs)
	}
}

// A store file cut short (an interrupted restore) is one line naming it, not a crash.
func TestDamagedStoreIsOneLine(t *testing.T) {
	cfg, db := storeWithAttempts(t, t.TempDir(), 40)
	cutShort(t, db, 20000)
	code, out, errs := cli(t, "", "", "stats", "--config", cfg)
	want := "quorum: " + db + " is damaged or incomplete (20000 bytes, the store needs at least "
	if code != 1 || !strings.HasPrefix(errs, want) || !strings.HasSuffix(errs, "; restore another copy of it\n") || strings.Count(errs, "\n") != 1 {
		t.Fatalf("exit %d, stdout %q, stderr %q; want one line starting %q", code, out, errs, want)
	}
}

// An empty store file (a restore that copied nothing) still opens, as a new store,
// but says so once.
func TestEmptyStoreWarns(t *testing.T) {
	cfg, db := testConfig(t)
	if err := os.WriteFile(db, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errs := cli(t, "", "", "stats", "--config", cfg)
	if want := emptyStoreWarning(db) + "\n"; code != 0 || errs != want || !strings.Contains(out, "No attempts yet") {
		t.Fatalf("exit %d, stdout %q, stderr %q; want status 0, no attempts and stderr %q", code, out, errs, want)
	}
	if code, _, errs := cli(t, "", "", "stats", "--config", cfg); code != 0 || errs != "" {
		t.Fatalf("second start: exit %d, stderr %q; want no warning", code, errs)
	}
}

func TestGradeWithLLMAndFallback(t *testing.T) {
	srv := openaitest.New()
	defer srv.Close()
	reply := `{"key_points":[{"id":"terms","covered":true,"quote":"Raft divides time into terms"},
		{"id":"majority","covered":true,"quote":"a candidate needs a majority"},
		{"id":"one-vote","covered":true,"quote":"Each server casts one\nvote per term"},
		{"id":"timeouts","covered":false,"quote":""}],
		"red_flags":[],"clarity":75,"confidence":85,"strengths":["Precise."],"improvements":[],"follow_up":"And split votes?"}`
	srv.Enqueue(openaitest.Chat(reply, 300, 80))
	cfg, _ := testConfig(t)
	body, _ := os.ReadFile(cfg)
	os.WriteFile(cfg, append(body, []byte("llm: { base_url: "+srv.BaseURL()+", api_key: sk-x, max_retries: 0 }\n")...), 0o600)

	code, out, errs := cli(t, "", answer, "grade", "--config", cfg, "--question", "cli-test/raft-election", "--json")
	var v struct {
		Verdict, Grader, Note string
		Usage                 struct {
			PromptTokens int `json:"prompt_tokens"`
		}
	}
	if code != 0 || json.Unmarshal([]byte(out), &v) != nil {
		t.Fatalf("exit %d: %s %s", code, out, errs)
	}
	if v.Grader != "llm" || v.Verdict != "pass" || v.Usage.PromptTokens != 300 {
		t.Fatalf("got %+v, want an llm pass with usage", v)
	}
	srv.Enqueue(openaitest.Error(500, "down"))
	code, out, _ = cli(t, "", answer, "grade", "--config", cfg, "--question", "cli-test/raft-election", "--json")
	json.Unmarshal([]byte(out), &v)
	if code != 0 || v.Grader != "rubric" || !strings.Contains(v.Note, "could not be reached") {
		t.Fatalf("exit %d, got %+v, want the rubric with an honest note", code, v)
	}
}

func TestTailorAndForget(t *testing.T) {
	cfg, _ := testConfig(t)
	dir := t.TempDir()
	jd := filepath.Join(dir, "job.md")
	os.WriteFile(jd, []byte("# Staff engineer\nOwn our Kafka and Cassandra clusters: exactly-once pipelines, repairs, multi-region replication."), 0o600)
	code, out, errs := cli(t, "", "", "tailor", "--config", cfg, "--jd", jd)
	if code != 0 || !strings.Contains(out, "I picked 10 questions") || !strings.Contains(strings.ToLower(out), "kafka") {
		t.Fatalf("exit %d\n%s\n%s", code, out, errs)
	}
	bad := filepath.Join(dir, "cv.docx")
	os.WriteFile(bad, []byte("PK..."), 0o600)
	code, _, errs = cli(t, "", "", "tailor", "--config", cfg, "--resume", bad)
	if code != 1 || !strings.Contains(errs, "unsupported file type") {
		t.Fatalf("exit %d, stderr %q", code, errs)
	}
	code, _, errs = cli(t, "", "no\n", "forget", "--config", cfg)
	if code != 1 || !strings.Contains(errs, "Nothing was deleted") {
		t.Fatalf("exit %d, stderr %q", code, errs)
	}
	code, out, _ = cli(t, "", "yes\n", "forget", "--config", cfg)
	if code != 0 || !strings.Contains(out, "Deleted 1 record about") {
		t.Fatalf("exit %d, stdout %q", code, out)
	}
}

func TestAudioAnswers(t *testing.T) {
	ogg, _ := filepath.Abs("../../testdata/audio/answer.ogg")
	silence, _ := filepath.Abs("../../testdata/audio/silence.ogg")
	cfg, _ := testConfig(t)
	code, _, errs := cli(t, "", "", "grade", "--config", cfg, "--question", "cli-test/raft-election", "--audio", ogg)
	if code != 1 || !strings.Contains(errs, "set speech (or llm) in quorum.yaml") || strings.Contains(errs, "still open") {
		t.Fatalf("without speech settings: exit %d, stderr %q", code, errs)
	}

	srv := openaitest.New()
	defer srv.Close()
	words := []openaitest.Word{}
	text := "Raft divides time into terms and each term has at most one leader. Each server casts one vote per term, a candidate needs a majority, and randomized election timeouts keep split votes rare."
	for i, w := range strings.Fields(text) {
		words = append(words, openaitest.Word{Word: w, Start: float64(i) * 0.4, End: float64(i)*0.4 + 0.3})
	}
	srv.Enqueue(openaitest.Transcription(text, 14, words, 0.01), openaitest.Transcription("you", 3, nil, 0.9))
	body, _ := os.ReadFile(cfg)
	os.WriteFile(cfg, append(body, []byte("speech: { base_url: "+srv.BaseURL()+", api_key: sk-s, model: whisper-1 }\n")...), 0o600)
	code, out, errs := cli(t, "", "", "grade", "--config", cfg, "--question", "cli-test/raft-election", "--audio", ogg, "--json")
	var v struct {
		Verdict string
		Metrics struct {
			Seconds float64 `json:"seconds"`
			WPM     float64 `json:"words_per_minute"`
		}
	}
	if code != 0 || json.Unmarshal([]byte(out), &v) != nil || v.Verdict != "pass" || v.Metrics.Seconds != 14 || v.Metrics.WPM < 100 {
		t.Fatalf("exit %d, verdict %+v\n%s\n%s", code, v, out, errs)
	}
	code, out, errs = cli(t, "", "", "practice", "--config", cfg, "--question", "cli-test/raft-election", "--audio", silence)
	if code != 1 || !strings.Contains(errs, "couldn't hear an answer") {
		t.Fatalf("silence: exit %d\n%s\n%s", code, out, errs)
	}
}

func TestInterviewFromStdin(t *testing.T) {
	cfg, _ := testConfig(t)
	report := filepath.Join(t.TempDir(), "report.md")
	answers := strings.Join([]string{answer, "I am not sure.", "", "Raft uses terms and a majority."}, "\n---\n")
	code, out, errs := cli(t, "", answers, "interview", "--config", cfg, "--out", report)
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out, errs)
	}
	if !strings.Contains(out, "# Interview: ") || !strings.Contains(out, "| # | Question |") {
		t.Fatalf("no report on stdout:\n%s", out)
	}
	data, err := os.ReadFile(report)
	if err != nil || !strings.HasPrefix(string(data), "# Interview: FAIL") {
		t.Fatalf("report file: %v\n%s", err, data)
	}
	if strings.Count(out, "Question: ") < 4 {
		t.Fatalf("want four questions asked:\n%s", out)
	}
}

// TestGradeEval: a folder of labelled answers is graded, with the packs found beside it or
// in packs/ loaded for its questions; --json gives the rates; a folder with no answers, or
// a broken set, is a one-line error naming the file.
func TestGradeEval(t *testing.T) {
	dir := t.TempDir()
	pack, err := os.ReadFile("testdata/cli-pack.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(dir, "packs"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "packs", "cli.yaml"), pack, 0o600); err != nil {
		t.Fatal(err)
	}
	set := `- question: cli-test/raft-election
  kind: strong
  label: pass
  answer: |
    Raft splits time into terms, a logical clock with at most one leader each. A follower whose randomized
    election timeout fires becomes a candidate, increments the term and asks for votes. Every server votes
    at most once per term, and the candidate needs a majority, so two leaders cannot win one term because
    any two majorities overlap.
- question: cli-test/raft-election
  kind: too-short
  label: fail
  answer: Terms and votes.
- question: cli-test/raft-election
  kind: misconception
  label: fail
  answer: |
    The node with the lowest id becomes the leader, because everyone agrees on the ordering of ids and
    so no election is really needed; the others just follow it and send heartbeats to it forever.
`
	if err := os.WriteFile(filepath.Join(dir, "set.yaml"), []byte(set), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errs := cli(t, "", "", "grade", "--eval", dir)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, want := range []string{"3 answers graded by rubric", "agreement 100.0%", "false-pass rate 0.0% (0 of 2 fails)", "misconception", "too-short"} {
		if !strings.Contains(out, want) {
			t.Errorf("eval output lacks %q:\n%s", want, out)
		}
	}
	code, out, errs = cli(t, "", "", "grade", "--eval", dir, "--json")
	var rep struct {
		Agreement     float64 `json:"agreement"`
		FalsePassRate float64 `json:"false_pass_rate"`
	}
	if code != 0 || json.Unmarshal([]byte(out), &rep) != nil || rep.Agreement != 1 || rep.FalsePassRate != 0 {
		t.Errorf("--json: exit %d, %+v from %q (%s)", code, rep, out, errs)
	}
	if n := strings.Count(strings.TrimSpace(out), "\n"); n != 0 {
		t.Errorf("--json: %d line breaks, want one object on one line", n)
	}
	code, _, errs = cli(t, "", "", "grade", "--eval", filepath.Join(dir, "packs"))
	if code == 0 || !strings.Contains(errs, "holds question packs but no labelled answers") {
		t.Errorf("a folder of packs: exit %d, %q", code, errs)
	}
	if err := os.WriteFile(filepath.Join(dir, "broken.yaml"), []byte("- question: cli-test/raft-election\n  label: maybe\n  answer: x\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, _, errs = cli(t, "", "", "grade", "--eval", dir)
	if code == 0 || !strings.Contains(errs, "broken.yaml:") {
		t.Errorf("a broken set: exit %d, %q; want an error naming broken.yaml and its line", code, errs)
	}
}

// TestGradeEvalFolderOfOtherShapes: a labelled set from elsewhere may sit in subfolders,
// be JSON, carry fields of its own and share the folder with other YAML files; it still
// grades, saying what it skipped and which fields it did not use.
func TestGradeEvalFolderOfOtherShapes(t *testing.T) {
	dir := t.TempDir()
	pack, err := os.ReadFile("testdata/cli-pack.yaml")
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]string{
		"questions/cli.yaml": string(pack),
		"sets/a/set.json": `[{"id": 1, "question": "cli-test/raft-election", "category": "too-short", "expected": "FAIL", "text": "Terms and votes."},
 {"id": 2, "question": "cli-test/raft-election", "category": "strong", "expected": "PASS", "text": "Raft splits time into terms, a logical clock with at most one leader each. A follower whose randomized election timeout fires becomes a candidate, increments the term and asks for votes. Every server votes at most once per term, and the candidate needs a majority, so two leaders cannot win one term because any two majorities overlap."}]`,
		"config.yaml": "log: { level: info }\n",
		// A second reader's labels for the same answers: labels, but no answers to grade.
		"sets/a/relabel.yaml": "- set: set.json\n  index: 0\n  question: cli-test/raft-election\n  label: fail\n  why: names terms only\n",
	}
	for name, data := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	code, out, errs := cli(t, "", "", "grade", "--eval", dir)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, want := range []string{"2 answers graded by rubric", "agreement 100.0%", "strong", "too-short"} {
		if !strings.Contains(out, want) {
			t.Errorf("eval output lacks %q:\n%s", want, out)
		}
	}
	for _, want := range []string{
		"skipped " + filepath.Join(dir, "config.yaml") + ": neither a labelled set nor a question pack",
		"skipped " + filepath.Join(dir, "sets/a/relabel.yaml") + ": it has labels but no answers to grade",
		`set.json:1: field "id" is not used`,
	} {
		if !strings.Contains(errs, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errs)
		}
	}
}

// TestPracticeTopicTag: --topic also takes a tag of the bank, such as a system's name.
func TestPracticeTopicTag(t *testing.T) {
	cfg, _ := testConfig(t)
	bank, err := prompts.LoadBank()
	if err != nil {
		t.Fatal(err)
	}
	tagged := map[string]bool{}
	for _, q := range bank.Select(bot.Filter{Tag: "zookeeper"}) {
		tagged[q.Ref()] = true
	}
	if len(tagged) < 2 {
		t.Fatalf("the bank has %d questions tagged zookeeper; the test needs some", len(tagged))
	}
	for i := 0; i < 3; i++ {
		code, out, errs := cli(t, "", answer, "practice", "--config", cfg, "--topic", "ZooKeeper", "--json")
		if code != 0 {
			t.Fatalf("exit %d, stderr %s", code, errs)
		}
		var v struct {
			ID string `json:"question_id"`
		}
		if err := json.Unmarshal([]byte(out), &v); err != nil || !tagged[v.ID] {
			t.Fatalf("asked %q (%v), want one of the questions tagged zookeeper", v.ID, err)
		}
	}
}

// TestTranscriberRetries: llm.max_retries applies to transcription as to grading.
func TestTranscriberRetries(t *testing.T) {
	for _, tt := range []struct{ retries, uploads int }{{0, 1}, {1, 2}} {
		srv := openaitest.New()
		srv.Default = func(openaitest.Request) openaitest.Reply { return openaitest.Error(503, "busy") }
		cfg, err := ParseConfig("quorum.yaml", []byte(fmt.Sprintf("llm: { max_retries: %d }\nspeech: { base_url: %q, api_key: k }\n", tt.retries, srv.BaseURL())), lookup(nil))
		if err != nil {
			t.Fatal(err)
		}
		_, err = newTranscriber(cfg, nil).Transcribe(context.Background(), "a.ogg", []byte("OggS"))
		n := len(srv.Requests())
		srv.Close()
		if err == nil || n != tt.uploads {
			t.Errorf("max_retries %d: got %d uploads (error %v), want %d and an error", tt.retries, n, err, tt.uploads)
		}
	}
}
