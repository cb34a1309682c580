package openai

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	openai "github.com/sashabaranov/go-openai"

	"github.com/quorum-dev/quorum/adapters/openai/openaitest"
	"github.com/quorum-dev/quorum/bot"
	"github.com/quorum-dev/quorum/bot/bottest"
	"github.com/quorum-dev/quorum/bot/rubric"
	"github.com/quorum-dev/quorum/prompts"
)

// The LLM grader on the labelled sets (issue #4 in grader.mode: llm). A model's replies
// to the exact prompts Quorum sends are recorded in testdata/llm/grade.v1.jsonl, keyed by
// the prompt (its nonce taken out); the fake OpenAI server answers from them, and the
// real Grader (go-openai, the quote checks, the rubric's verdict rule) grades every
// labelled answer. The test holds the figures to floors, as the rubric's eval test does.
//
// When the prompt or a set changes, replies are missing and the test says so. Record
// them with a real model:
//
//	QUORUM_LLM_RECORD=https://api.openai.com/v1 QUORUM_LLM_RECORD_MODEL=gpt-4o-mini \
//	QUORUM_LLM_RECORD_KEY=sk-... go test -run TestLLMGraderOnLabelledSets ./adapters/openai/
//
// or write the prompts out (QUORUM_LLM_EXPORT=prompts.jsonl) for another way of answering them.

const replayFile = "../../testdata/llm/grade.v1.jsonl"

// replaySets are the labelled sets the recorded replies cover, with the packs they need.
var replaySets = []struct {
	name, path string
	packs      []string
}{
	{"development", "../../testdata/graded/*.yaml", nil},
	{"held-out", "../../testdata/heldout/*.yaml", nil},
	{"blind Q-T", "", []string{"q", "r", "s", "t"}},
	{"blind U-X", "", []string{"u", "v", "w", "x"}},
	{"blind Y-AB", "", []string{"y", "z", "aa", "ab"}},
}

// recorded is one reply in the replay file.
type recorded struct {
	Key      string          `json:"key"`
	Question string          `json:"question,omitempty"` // for a reader; not matched
	Response json.RawMessage `json:"response"`
}

var (
	nonceRE    = regexp.MustCompile(`<<<ANSWER ([0-9a-f]+)>>>`)
	questionRE = regexp.MustCompile(`Question \([^)]*\):\n(.{0,80})`)
)

// promptQuestion is the start of the question a grading prompt asks about, for a reader
// of the replay file.
func promptQuestion(user string) string {
	if m := questionRE.FindStringSubmatch(user); m != nil {
		return m[1]
	}
	return ""
}

// replayKey identifies a prompt whatever its nonce.
func replayKey(system, user string) string {
	if m := nonceRE.FindStringSubmatch(user); m != nil {
		system = strings.ReplaceAll(system, m[1], "NONCE")
		user = strings.ReplaceAll(user, m[1], "NONCE")
	}
	sum := sha256.Sum256([]byte(system + "\x00" + user))
	return hex.EncodeToString(sum[:16])
}

func readReplies(t *testing.T, path string) map[string]json.RawMessage {
	t.Helper()
	out := map[string]json.RawMessage{}
	f, err := os.Open(path)
	if os.IsNotExist(err) {
		return out
	}
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for n := 1; sc.Scan(); n++ {
		if len(bytes.TrimSpace(sc.Bytes())) == 0 {
			continue
		}
		var r recorded
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("%s:%d: %v", path, n, err)
		}
		out[r.Key] = r.Response
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// replayer answers chat requests from recorded replies, and notes the prompts it has no
// reply for (recording them from a real model, or writing them out, when asked).
type replayer struct {
	t       *testing.T
	replies map[string]json.RawMessage
	record  func(body []byte) (json.RawMessage, error)
	out     io.Writer // new replies, or exported prompts

	mu      sync.Mutex
	missing int
	used    map[string]bool
}

func (r *replayer) serve(req openaitest.Request) openaitest.Reply {
	var chat openai.ChatCompletionRequest
	if err := req.JSON(&chat); err != nil || len(chat.Messages) != 2 {
		return openaitest.Error(http.StatusBadRequest, "not a grading request")
	}
	system, user := chat.Messages[0].Content, chat.Messages[1].Content
	key := replayKey(system, user)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.used[key] = true
	if resp, ok := r.replies[key]; ok {
		return openaitest.Chat(string(resp), len(system+user)/4, len(resp)/4)
	}
	r.missing++
	switch {
	case r.record != nil:
		resp, err := r.record(req.Body)
		if err != nil {
			r.t.Errorf("record: %v", err)
			return openaitest.Error(http.StatusBadGateway, "record failed")
		}
		r.replies[key] = resp
		writeLine(r.t, r.out, recorded{Key: key, Question: promptQuestion(user), Response: resp})
		return openaitest.Chat(string(resp), 0, 0)
	case r.out != nil:
		writeLine(r.t, r.out, map[string]string{"key": key, "system": system, "user": user})
	}
	return openaitest.Error(http.StatusBadRequest, "no recorded reply")
}

func writeLine(t *testing.T, w io.Writer, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(append(b, '\n')); err != nil {
		t.Fatal(err)
	}
}

// recordFrom sends a grading request to a real OpenAI-compatible server and returns the
// JSON its model replied with.
func recordFrom(base, key, model string) func([]byte) (json.RawMessage, error) {
	return func(body []byte) (json.RawMessage, error) {
		var req map[string]any
		if err := json.Unmarshal(body, &req); err != nil {
			return nil, err
		}
		req["model"] = model
		body, _ = json.Marshal(req)
		hreq, err := http.NewRequest(http.MethodPost, strings.TrimSuffix(base, "/")+"/chat/completions", bytes.NewReader(body))
		if err != nil {
			return nil, err
		}
		hreq.Header.Set("Content-Type", "application/json")
		hreq.Header.Set("Authorization", "Bearer "+key)
		resp, err := http.DefaultClient.Do(hreq)
		if err != nil {
			return nil, err
		}
		defer resp.Body.Close()
		var out openai.ChatCompletionResponse
		if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || len(out.Choices) == 0 {
			return nil, fmt.Errorf("status %d: %v", resp.StatusCode, err)
		}
		content := stripFences(out.Choices[0].Message.Content)
		if !json.Valid([]byte(content)) {
			return nil, fmt.Errorf("the model replied with something other than JSON")
		}
		return json.RawMessage(content), nil
	}
}

// countingGrader counts the verdicts that came from the LLM and those that fell back.
type countingGrader struct {
	bot.Grader
	llm, fallback int
}

func (c *countingGrader) Grade(ctx context.Context, q *bot.Question, a bot.Answer) (*bot.Verdict, error) {
	v, err := c.Grader.Grade(ctx, q, a)
	if err == nil && v.Grader == bot.GraderLLM {
		c.llm++
	} else {
		c.fallback++
	}
	return v, err
}

func TestLLMGraderOnLabelledSets(t *testing.T) {
	if testing.Short() {
		t.Skip("grades about 950 answers")
	}
	rep := &replayer{t: t, replies: readReplies(t, replayFile), used: map[string]bool{}}
	if base := os.Getenv("QUORUM_LLM_RECORD"); base != "" {
		f, err := os.OpenFile(replayFile, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		rep.record, rep.out = recordFrom(base, os.Getenv("QUORUM_LLM_RECORD_KEY"), os.Getenv("QUORUM_LLM_RECORD_MODEL")), f
	} else if path := os.Getenv("QUORUM_LLM_EXPORT"); path != "" {
		f, err := os.Create(path)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		rep.out = f
	}
	srv := openaitest.New()
	defer srv.Close()
	srv.Default = rep.serve

	var blindPacks []string
	for _, s := range replaySets {
		for _, p := range s.packs {
			blindPacks = append(blindPacks, "../../testdata/blind/packs/blind-"+p+".yaml")
		}
	}
	bank, err := prompts.LoadBank(blindPacks...)
	if err != nil {
		t.Fatal(err)
	}
	client := New(Config{BaseURL: srv.BaseURL(), APIKey: "sk-test", Model: "recorded", Timeout: time.Minute,
		MaxRetries: -1, BreakerFailures: 1 << 30, Logger: slog.New(slog.DiscardHandler)})
	g, err := NewGrader(client, rubric.New(rubric.Options{}))
	if err != nil {
		t.Fatal(err)
	}

	reports := map[string]*bot.EvalReport{}
	for _, s := range replaySets {
		var patterns []string
		if s.path != "" {
			patterns = append(patterns, s.path)
		}
		for _, p := range s.packs {
			patterns = append(patterns, "../../testdata/blind/set-"+p+".yaml")
		}
		set := bottest.Labelled(t, patterns...)
		cg := &countingGrader{Grader: g}
		r, err := bot.Evaluate(context.Background(), cg, bank, set, nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(r.Skipped) > 0 {
			t.Fatalf("%s: %d answers to questions in no pack: %v", s.name, len(r.Skipped), r.Skipped[:1])
		}
		reports[s.name] = r
		t.Logf("%s (%d by the LLM, %d fell back to the rubric):\n%s", s.name, cg.llm, cg.fallback, r.Text())
		if cg.fallback > 0 && rep.missing == 0 {
			t.Errorf("%s: %d answers fell back to the rubric: a recorded reply is not the JSON the grader asks for", s.name, cg.fallback)
		}
	}
	if rep.missing > 0 && rep.record == nil {
		t.Fatalf("%d prompts have no recorded reply in %s (the prompt or a set changed): record them, see the comment at the top of this test", rep.missing, replayFile)
	}
	if unused := len(rep.replies) - len(rep.used); unused > 0 {
		t.Logf("%d recorded replies answer no prompt any more", unused)
	}

	// Floors: the figures measured with the recorded replies (development 98.3%, false
	// pass 1.4%, false fail 2.1%; held-out 99.0%, 0.6%, 1.5%; blind Q-T 95.6%, 2.0%, 6.9%;
	// blind U-X 98.3%, 0.7%, 2.8%; blind Y-AB 95.3%, 0.7%, 9.0%; no keyword-stuffed or
	// injection answer passes), so a
	// change to the quote checks or the verdict rule that loses agreement fails here.
	type floor struct{ agreement, falsePass, falseFail, stuffedFP, injectionFP float64 }
	floors := map[string]floor{
		"development": {0.983, 0.014, 0.022, 0, 0},
		"held-out":    {0.989, 0.007, 0.016, 0, 0},
		"blind Q-T":   {0.955, 0.02, 0.07, 0, 0},
		"blind U-X":   {0.983, 0.007, 0.028, 0, 0},
		"blind Y-AB":  {0.952, 0.007, 0.09, 0, 0},
	}
	names := make([]string, 0, len(floors))
	for n := range floors {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		f, r := floors[n], reports[n]
		if got := r.Total.Agreement(); got < f.agreement {
			t.Errorf("%s: agreement %.1f%%, want at least %.1f%%", n, 100*got, 100*f.agreement)
		}
		if got := r.Total.FalsePassRate(); got > f.falsePass {
			t.Errorf("%s: false-pass rate %.1f%%, want at most %.1f%%", n, 100*got, 100*f.falsePass)
		}
		if got := r.Total.FalseFailRate(); got > f.falseFail {
			t.Errorf("%s: false-fail rate %.1f%%, want at most %.1f%%", n, 100*got, 100*f.falseFail)
		}
		if got := r.Kind("keyword-stuffed").FalsePassRate(); got > f.stuffedFP {
			t.Errorf("%s: keyword-stuffed false-pass rate %.1f%%, want at most %.1f%%", n, 100*got, 100*f.stuffedFP)
		}
		if got := r.Kind("injection").FalsePassRate(); got > f.injectionFP {
			t.Errorf("%s: prompt-injection false-pass rate %.1f%%, want 0", n, 100*got)
		}
	}
}
