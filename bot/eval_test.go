package bot_test

import (
	"strings"
	"testing"

	"github.com/quorum-dev/quorum/bot"
)

// TestParseLabelledReadsOtherWriters: the independent set the grader is measured on is
// written by others; a set that names its fields or labels differently, wraps its list
// in a mapping, is JSON, or carries fields of its own still grades, with a warning
// for each field left unused.
func TestParseLabelledReadsOtherWriters(t *testing.T) {
	for _, c := range []struct{ name, data string }{
		{"our own", "- question: p/q\n  kind: strong\n  label: pass\n  answer: Raft elects.\n  note: fine\n"},
		{"other names", "- question_id: p/q\n  category: strong\n  expected: PASS\n  text: Raft elects.\n  notes: fine\n  id: 17\n  source: me\n"},
		{"wrapped", "answers:\n  - question: p/q\n    kind: strong\n    verdict: Passed\n    response: Raft elects.\n"},
		{"only list", "meta: {by: someone}\nstuff:\n  - question: p/q\n    kind: strong\n    label: true\n    answer: Raft elects.\n"},
		{"json", `[{"question": "p/q", "kind": "strong", "label": "pass", "answer": "Raft elects.", "score": 9}]`},
		{"label by value", "- question: p/q\n  kind: strong\n  expected_verdict: PASS\n  answer: Raft elects.\n"},
	} {
		items, warnings, err := bot.ParseLabelled("set.yaml", []byte(c.data))
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if len(items) != 1 || items[0].Question != "p/q" || items[0].Label != "pass" || items[0].Answer != "Raft elects." || items[0].Kind != "strong" {
			t.Errorf("%s: got %+v", c.name, items)
		}
		unused := 0
		for _, k := range []string{"id", "source", "score", "expected_verdict"} {
			if strings.Contains(c.data, k+":") || strings.Contains(c.data, `"`+k+`"`) {
				unused++
			}
		}
		if len(warnings) != unused {
			t.Errorf("%s: warnings %q, want %d", c.name, warnings, unused)
		}
	}

	items, _, err := bot.ParseLabelled("set.yaml", []byte("- question: p/q\n  label: FAIL\n  answer: no\n"))
	if err != nil || items[0].Kind != "unspecified" || items[0].Label != "fail" {
		t.Errorf("no kind: got %+v, %v; want it graded as unspecified", items, err)
	}
	for _, c := range []struct{ data, want string }{
		{"- question: p/q\n  label: maybe\n  answer: x\n", `set.yaml:2: label "maybe" must be pass or fail`},
		{"- question: p/q\n  answer: x\n", "set.yaml:1: missing label"},
		{"- question: p/q\n  mine: pass\n  theirs: fail\n  answer: x\n", "set.yaml:1: missing label"},
		{"- label: pass\n  answer: x\n", "set.yaml:1: missing question"},
		{"- question: p/q\n  label: pass\n  candidate_reply: x\n", "set.yaml:1: missing answer"},
		{"- question: p/q\n  label: pass\n  verdict: fail\n", "label and verdict both give the label"},
		{"just: text\n", "set.yaml:1: want a list of labelled answers"},
	} {
		if _, _, err := bot.ParseLabelled("set.yaml", []byte(c.data)); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: got %v, want %q", c.data, err, c.want)
		}
	}
}

// FuzzParseLabelled: any bytes give labelled answers with a question and a label of
// pass or fail, or an error that names the file, never a panic.
func FuzzParseLabelled(f *testing.F) {
	for _, seed := range []string{
		"- question: p/q\n  kind: strong\n  label: pass\n  answer: Raft elects.\n",
		"answers:\n  - question_id: p/q\n    expected: FAIL\n    text: x\n",
		`[{"question": "p/q", "label": "pass", "answer": "a", "x": [1]}]`,
		"- question: [a]\n  label: {b: c}\n",
		"- - - -\n",
		"",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		items, _, err := bot.ParseLabelled("set.yaml", data)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "set.yaml") {
				t.Fatalf("error %q does not name the file", err)
			}
			return
		}
		for _, it := range items {
			if it.Question == "" || it.Label != "pass" && it.Label != "fail" || it.Kind == "" {
				t.Fatalf("parsed %+v", it)
			}
		}
	})
}
