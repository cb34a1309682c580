package bot

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/quorum-dev/quorum/internal/yamlx"
)

// Labelled is an answer to a question with the verdict a fair interviewer gave it.
type Labelled struct {
	Question string `yaml:"question"`
	Kind     string `yaml:"kind"`
	Label    string `yaml:"label"` // pass | fail
	Answer   string `yaml:"answer"`
	Note     string `yaml:"note"`
	// Source is file:line.
	Source string `yaml:"-"`
}

// labelledFields maps the names a labelled answer's fields go by to Labelled's: ours,
// and the ones other writers of such sets use.
var labelledFields = map[string]string{
	"question": "question", "question_id": "question",
	"kind": "kind", "category": "kind",
	"label": "label", "expected": "label", "verdict": "label",
	"answer": "answer", "text": "answer", "response": "answer", "candidate_answer": "answer", "transcript": "answer",
	"note": "note", "notes": "note", "rationale": "note",
}

// labelWords are the words a label may be written as, any case.
var labelWords = map[string]string{
	"pass": "pass", "passed": "pass", "true": "pass", "yes": "pass",
	"fail": "fail", "failed": "fail", "false": "fail", "no": "fail",
}

// listKeys are the keys under which a mapping may hold a labelled set's list.
var listKeys = []string{"answers", "items", "examples", "set", "labelled", "data"}

// ParseLabelled reads a labelled set: a YAML (or JSON) list of labelled answers, each a
// mapping of question, kind, label (pass or fail), answer and note, or a mapping that
// holds such a list (under answers, items... or as its only list). Other names for the
// fields (question_id, category, expected or verdict, text or response, notes) and
// labels (PASS, passed, true...) are read too; fields it does not use come back as
// warnings, so a set written for another tool still grades. Errors name file and line.
func ParseLabelled(file string, data []byte) ([]Labelled, []string, error) {
	root, err := yamlx.Parse(data)
	if err != nil {
		return nil, nil, yamlx.WithFile(err, file)
	}
	list := labelledList(root)
	if list == nil {
		return nil, nil, yamlx.WithFile(yamlx.Errors{yamlx.Errorf(root, "want a list of labelled answers")}, file)
	}
	var out []Labelled
	var errs yamlx.Errors
	var warnings []string
	unused := map[string]bool{}
	for _, n := range list.Content {
		if n.Kind != yaml.MappingNode {
			errs = append(errs, yamlx.Errorf(n, "want a labelled answer (a mapping with question, label and answer)"))
			continue
		}
		l := Labelled{Source: fmt.Sprintf("%s:%d", file, n.Line)}
		seen := map[string]string{}
		var others []*yaml.Node // keys of fields labelledFields does not name
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			field, ok := labelledFields[strings.ToLower(k.Value)]
			if !ok {
				others = append(others, k)
				continue
			}
			if other, dup := seen[field]; dup {
				errs = append(errs, yamlx.Errorf(k, "%s and %s both give the %s", other, k.Value, field))
				continue
			}
			seen[field] = k.Value
			if v.Kind != yaml.ScalarNode {
				errs = append(errs, yamlx.Errorf(v, "%s must be text", k.Value))
				continue
			}
			switch field {
			case "question":
				l.Question = strings.TrimSpace(v.Value)
			case "kind":
				l.Kind = strings.TrimSpace(v.Value)
			case "label":
				l.Label = labelWords[strings.ToLower(strings.TrimSpace(v.Value))]
				if l.Label == "" {
					errs = append(errs, yamlx.Errorf(v, "label %q must be pass or fail", v.Value))
				}
			case "answer":
				l.Answer = v.Value
			case "note":
				l.Note = v.Value
			}
		}
		if seen["label"] == "" {
			// A set that calls its label something else ("expected_verdict: FAIL"): the one
			// field whose value is pass or fail is it.
			if k, label := labelLike(n); label != "" {
				l.Label, seen["label"] = label, k
				if !unused[k] {
					unused[k] = true
					warnings = append(warnings, fmt.Sprintf("%s:%d: field %q read as the label", file, n.Line, k))
				}
			}
		}
		for _, k := range others {
			if k.Value != seen["label"] && !unused[k.Value] {
				unused[k.Value] = true
				warnings = append(warnings, fmt.Sprintf("%s:%d: field %q is not used", file, k.Line, k.Value))
			}
		}
		switch {
		case seen["label"] == "":
			errs = append(errs, yamlx.Errorf(n, "missing label (pass or fail)"))
		case l.Question == "":
			errs = append(errs, yamlx.Errorf(n, "missing question"))
		case seen["answer"] == "":
			// Graded as empty, every such answer would fail and the figures mislead.
			errs = append(errs, yamlx.Errorf(n, "missing answer (the candidate's words; an empty answer is answer: \"\")"))
		}
		if l.Kind == "" {
			l.Kind = "unspecified"
		}
		out = append(out, l)
	}
	if len(errs) > 0 {
		return nil, warnings, yamlx.WithFile(errs, file)
	}
	return out, warnings, nil
}

// LooksLabelled reports what of a labelled set a document has, broken or not: label is
// true when its list holds a mapping with a label field, answer when one has an answer
// field. A folder given to grade --eval may hold other YAML (a config, notes, a second
// reader's labels for answers kept elsewhere), which is skipped rather than failing the
// run; a set needs both.
func LooksLabelled(data []byte) (label, answer bool) {
	root, err := yamlx.Parse(data)
	if err != nil {
		return false, false
	}
	list := labelledList(root)
	if list == nil {
		return false, false
	}
	for _, n := range list.Content {
		for i := 0; n.Kind == yaml.MappingNode && i+1 < len(n.Content); i += 2 {
			switch labelledFields[strings.ToLower(n.Content[i].Value)] {
			case "label":
				label = true
			case "answer":
				answer = true
			}
		}
	}
	return label, answer
}

// labelLike returns the key and label of the one field of mapping n, not a field
// labelledFields names, whose value is pass, passed, fail or failed (any case); "" when
// there is none or more than one.
func labelLike(n *yaml.Node) (string, string) {
	key, label := "", ""
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if _, known := labelledFields[strings.ToLower(k.Value)]; known || v.Kind != yaml.ScalarNode {
			continue
		}
		switch w := strings.ToLower(strings.TrimSpace(v.Value)); w {
		case "pass", "passed", "fail", "failed":
			if key != "" {
				return "", ""
			}
			key, label = k.Value, labelWords[w]
		}
	}
	return key, label
}

// labelledList returns the list of labelled answers in root: root itself, or the list
// a mapping holds under one of listKeys or as its only list; nil if there is none.
func labelledList(root *yaml.Node) *yaml.Node {
	switch root.Kind {
	case yaml.SequenceNode:
		return root
	case yaml.MappingNode:
		var lists []*yaml.Node
		for i := 0; i+1 < len(root.Content); i += 2 {
			v := root.Content[i+1]
			if v.Kind != yaml.SequenceNode {
				continue
			}
			for _, k := range listKeys {
				if strings.EqualFold(root.Content[i].Value, k) {
					return v
				}
			}
			lists = append(lists, v)
		}
		if len(lists) == 1 {
			return lists[0]
		}
	}
	return nil
}

// EvalRow counts one slice of a labelled set (one kind, or all).
type EvalRow struct {
	Kind       string `json:"kind"`
	N          int    `json:"n"`
	LabelPass  int    `json:"label_pass"`
	LabelFail  int    `json:"label_fail"`
	Agree      int    `json:"agree"`
	FalsePass  int    `json:"false_pass"` // labelled fail, graded pass
	FalseFail  int    `json:"false_fail"` // labelled pass, graded fail
	GradedPass int    `json:"graded_pass"`
}

// Agreement is the share of answers graded as labelled.
func (r EvalRow) Agreement() float64 { return ratio(r.Agree, r.N) }

// FalsePassRate is the share of fail-labelled answers graded PASS.
func (r EvalRow) FalsePassRate() float64 { return ratio(r.FalsePass, r.LabelFail) }

// FalseFailRate is the share of pass-labelled answers graded FAIL.
func (r EvalRow) FalseFailRate() float64 { return ratio(r.FalseFail, r.LabelPass) }

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// EvalReport is the result of grading a labelled set.
type EvalReport struct {
	Grader   string        `json:"grader"`
	Total    EvalRow       `json:"total"`
	ByKind   []EvalRow     `json:"by_kind"`
	Misses   []EvalMiss    `json:"misses"`
	Skipped  []string      `json:"skipped,omitempty"` // entries whose question is not in the bank
	Duration time.Duration `json:"duration_ns"`
	rows     map[string]*EvalRow
}

// EvalMiss is an answer the grader judged differently from its label.
type EvalMiss struct {
	Source   string `json:"source"`
	Question string `json:"question"`
	Kind     string `json:"kind"`
	Label    string `json:"label"`
	Verdict  string `json:"verdict"`
	Summary  string `json:"summary"`
}

// Evaluate grades every labelled answer with g and compares. progress, if not nil, is
// called after each answer with the count done and the total.
func Evaluate(ctx context.Context, g Grader, bank *Bank, set []Labelled, progress func(done, total int)) (*EvalReport, error) {
	start := time.Now()
	rep := &EvalReport{Total: EvalRow{Kind: "all"}, rows: map[string]*EvalRow{}}
	for i, l := range set {
		q, err := bank.Lookup(l.Question)
		if err != nil {
			rep.Skipped = append(rep.Skipped, l.Source+": "+l.Question)
			continue
		}
		limit := q.TimeLimit
		if limit == 0 {
			limit = DefaultTimeLimit
		}
		v, err := g.Grade(ctx, q, Answer{Text: l.Answer, TimeLimit: limit})
		if err != nil {
			return nil, fmt.Errorf("grade %s: %w", l.Source, err)
		}
		rep.Grader = v.Grader
		row := rep.rows[l.Kind]
		if row == nil {
			row = &EvalRow{Kind: l.Kind}
			rep.rows[l.Kind] = row
		}
		for _, r := range []*EvalRow{&rep.Total, row} {
			r.N++
			if l.Label == "pass" {
				r.LabelPass++
			} else {
				r.LabelFail++
			}
			if v.Pass {
				r.GradedPass++
			}
			switch {
			case v.Pass == (l.Label == "pass"):
				r.Agree++
			case v.Pass:
				r.FalsePass++
			default:
				r.FalseFail++
			}
		}
		if v.Pass != (l.Label == "pass") {
			rep.Misses = append(rep.Misses, EvalMiss{Source: l.Source, Question: q.Ref(), Kind: l.Kind, Label: l.Label, Verdict: v.Title(), Summary: v.Feedback.Summary})
		}
		if progress != nil {
			progress(i+1, len(set))
		}
	}
	for _, r := range rep.rows {
		rep.ByKind = append(rep.ByKind, *r)
	}
	sort.Slice(rep.ByKind, func(i, j int) bool { return rep.ByKind[i].Kind < rep.ByKind[j].Kind })
	rep.Duration = time.Since(start)
	return rep, nil
}

// Kind returns the row of one kind (zero when absent).
func (r *EvalReport) Kind(kind string) EvalRow {
	for _, row := range r.ByKind {
		if row.Kind == kind {
			return row
		}
	}
	return EvalRow{Kind: kind}
}

// Text renders the report as a table.
func (r *EvalReport) Text() string {
	var b strings.Builder
	t := r.Total
	fmt.Fprintf(&b, "%d answers graded by %s in %s\n", t.N, r.Grader, r.Duration.Round(time.Millisecond))
	fmt.Fprintf(&b, "agreement %.1f%%   false-pass rate %.1f%% (%d of %d fails)   false-fail rate %.1f%% (%d of %d passes)\n\n",
		100*t.Agreement(), 100*t.FalsePassRate(), t.FalsePass, t.LabelFail, 100*t.FalseFailRate(), t.FalseFail, t.LabelPass)
	fmt.Fprintf(&b, "%-16s %5s %6s %6s %9s %11s %11s\n", "kind", "n", "label", "graded", "agree", "false pass", "false fail")
	fmt.Fprintf(&b, "%-16s %5s %6s %6s %9s %11s %11s\n", "", "", "P / F", "P / F", "", "", "")
	for _, row := range append(append([]EvalRow(nil), r.ByKind...), t) {
		fmt.Fprintf(&b, "%-16s %5d %2d/%-3d %2d/%-3d %8.1f%% %10s %10s\n", row.Kind, row.N, row.LabelPass, row.LabelFail,
			row.GradedPass, row.N-row.GradedPass, 100*row.Agreement(), rate(row.FalsePass, row.LabelFail), rate(row.FalseFail, row.LabelPass))
	}
	if len(r.Skipped) > 0 {
		fmt.Fprintf(&b, "\nskipped %d answers to questions not in the bank, e.g. %s\n", len(r.Skipped), r.Skipped[0])
	}
	return b.String()
}

func rate(a, b int) string {
	if b == 0 {
		return "-"
	}
	return fmt.Sprintf("%d (%.0f%%)", a, 100*float64(a)/float64(b))
}
