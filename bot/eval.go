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

// ParseLabelled reads a labelled set: a YAML list of Labelled entries.
func ParseLabelled(file string, data []byte) ([]Labelled, error) {
	root, err := yamlx.Parse(data)
	if err != nil {
		return nil, yamlx.WithFile(err, file)
	}
	if root.Kind != yaml.SequenceNode {
		return nil, yamlx.WithFile(yamlx.Errors{yamlx.Errorf(root, "want a list of labelled answers")}, file)
	}
	var out []Labelled
	var errs yamlx.Errors
	for _, n := range root.Content {
		var l Labelled
		if err := yamlx.Decode(n, &l); err != nil {
			errs = append(errs, err.(yamlx.Errors)...)
			continue
		}
		l.Source = fmt.Sprintf("%s:%d", file, n.Line)
		switch {
		case l.Label != "pass" && l.Label != "fail":
			errs = append(errs, yamlx.Errorf(n, "label %q must be pass or fail", l.Label))
		case l.Question == "":
			errs = append(errs, yamlx.Errorf(n, "missing question"))
		case l.Kind == "":
			errs = append(errs, yamlx.Errorf(n, "missing kind"))
		}
		out = append(out, l)
	}
	if len(errs) > 0 {
		return nil, yamlx.WithFile(errs, file)
	}
	return out, nil
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
