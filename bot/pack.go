package bot

import (
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode"

	"go.yaml.in/yaml/v3"

	"github.com/quorum-dev/quorum/internal/yamlx"
)

// The YAML shapes of a pack file. Unknown fields are errors.
type rawPack struct {
	Pack       string      `yaml:"pack"`
	Title      string      `yaml:"title"`
	PassWeight *float64    `yaml:"pass_weight"`
	Questions  []yaml.Node `yaml:"questions"`
}

type rawQuestion struct {
	ID          string          `yaml:"id"`
	Topic       string          `yaml:"topic"`
	Difficulty  string          `yaml:"difficulty"`
	Kind        string          `yaml:"kind"`
	Tags        []string        `yaml:"tags"`
	Prompt      string          `yaml:"prompt"`
	TimeLimit   *yamlx.Duration `yaml:"time_limit"`
	KeyPoints   []rawKeyPoint   `yaml:"key_points"`
	RedFlags    []rawRedFlag    `yaml:"red_flags"`
	PassWeight  *float64        `yaml:"pass_weight"`
	ModelAnswer string          `yaml:"model_answer"`
	FollowUps   []string        `yaml:"follow_ups"`
	References  []string        `yaml:"references"`
}

type rawKeyPoint struct {
	ID       string   `yaml:"id"`
	Text     string   `yaml:"text"`
	Weight   *int     `yaml:"weight"`
	Evidence []string `yaml:"evidence"`
}

type rawRedFlag struct {
	ID         string   `yaml:"id"`
	Text       string   `yaml:"text"`
	Correction string   `yaml:"correction"`
	Evidence   []string `yaml:"evidence"`
}

var kebab = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// itemID is what a key point's or red flag's id may be: a word of letters, digits and
// - _ . (DESIGN asks kebab-case of pack and question ids only).
var itemID = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]*$`)

// topicName is a topic as the bank writes it: "System Design" and "system_design" are
// system-design.
func topicName(s string) string {
	return strings.Join(strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return r == ' ' || r == '_' || r == '-' }), "-")
}

// Limits a pack's values must keep.
const (
	MinTimeLimit = 10 * time.Second
	MaxTimeLimit = 30 * time.Minute
	maxKeyPoints = 10
)

// ParsePack reads a pack file. file names the source in errors, which are
// yamlx.Errors listing every problem found with its line.
func ParsePack(file string, data []byte) (*Pack, error) {
	p, err := parsePack(data)
	if err != nil {
		return nil, yamlx.WithFile(err, file)
	}
	p.Source = file
	for _, q := range p.Questions {
		q.Source = file + ":" + q.Source
	}
	return p, nil
}

func parsePack(data []byte) (*Pack, error) {
	root, err := yamlx.Parse(data)
	if err != nil {
		return nil, err
	}
	var raw rawPack
	var errs yamlx.Errors
	if err := yamlx.Decode(root, &raw); err != nil {
		errs = append(errs, err.(yamlx.Errors)...)
	}
	add := func(n *yaml.Node, format string, args ...any) {
		errs = append(errs, yamlx.Errorf(n, format, args...))
	}
	p := &Pack{ID: raw.Pack, Title: strings.TrimSpace(raw.Title)}
	switch {
	case raw.Pack == "":
		add(root, "missing `pack:` (the pack's id, e.g. pack: my-team)")
	case !kebab.MatchString(raw.Pack):
		add(yamlx.Lookup(root, "pack"), "pack id %q must be kebab-case (lowercase words joined by -)", raw.Pack)
	}
	if p.Title == "" {
		p.Title = p.ID
	}
	passWeight := DefaultPassWeight
	if raw.PassWeight != nil {
		passWeight = *raw.PassWeight
		if !(passWeight > 0 && passWeight <= 1) { // so NaN fails too
			add(yamlx.Lookup(root, "pass_weight"), "pass_weight %v must be above 0 and at most 1", passWeight)
		}
	}
	if len(raw.Questions) == 0 {
		add(root, "the pack has no questions (want a `questions:` list)")
	}
	ids := map[string]int{}
	for i := range raw.Questions {
		node := &raw.Questions[i]
		var rq rawQuestion
		if err := yamlx.Decode(node, &rq); err != nil {
			errs = append(errs, err.(yamlx.Errors)...)
		}
		if prev, dup := ids[rq.ID]; dup && rq.ID != "" {
			add(yamlx.Lookup(node, "id"), "duplicate question id %q (first at line %d)", rq.ID, prev)
		} else {
			ids[rq.ID] = node.Line
		}
		q, qerrs := buildQuestion(node, &rq, passWeight)
		errs = append(errs, qerrs...)
		if q == nil {
			continue
		}
		q.Pack = p.ID
		p.Questions = append(p.Questions, q)
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return p, nil
}

func buildQuestion(node *yaml.Node, rq *rawQuestion, packPass float64) (*Question, yamlx.Errors) {
	var errs yamlx.Errors
	at := func(key string) *yaml.Node {
		if n := yamlx.Lookup(node, key); n != nil {
			return n
		}
		return node
	}
	add := func(n *yaml.Node, format string, args ...any) {
		errs = append(errs, yamlx.Errorf(n, format, args...))
	}
	q := &Question{
		ID:          rq.ID,
		Topic:       topicName(rq.Topic),
		Difficulty:  strings.TrimSpace(rq.Difficulty),
		Kind:        strings.TrimSpace(rq.Kind),
		Prompt:      strings.TrimSpace(rq.Prompt),
		ModelAnswer: strings.TrimSpace(rq.ModelAnswer),
		FollowUps:   rq.FollowUps,
		References:  rq.References,
		PassWeight:  packPass,
		Source:      fmt.Sprint(node.Line),
	}
	name := rq.ID
	if name == "" {
		name = "question at line " + q.Source
	}
	switch {
	case rq.ID == "":
		add(node, "question has no id")
	case !kebab.MatchString(rq.ID):
		add(at("id"), "question id %q must be kebab-case (lowercase words joined by -)", rq.ID)
	}
	if q.Topic == "" {
		add(node, "%s: missing topic", name)
	} else if !kebab.MatchString(q.Topic) {
		add(at("topic"), "%s: topic %q must be kebab-case", name, q.Topic)
	}
	if !contains(Difficulties, q.Difficulty) {
		add(at("difficulty"), "%s: difficulty %q must be one of easy, medium, hard", name, q.Difficulty)
	}
	if !contains(Kinds, q.Kind) {
		add(at("kind"), "%s: kind %q must be one of %s", name, q.Kind, strings.Join(Kinds, ", "))
	}
	for _, t := range rq.Tags {
		t = strings.ToLower(strings.TrimSpace(t))
		if t == "" {
			add(at("tags"), "%s: empty tag", name)
			continue
		}
		q.Tags = append(q.Tags, t)
	}
	if q.Prompt == "" {
		add(node, "%s: missing prompt", name)
	}
	if q.ModelAnswer == "" {
		add(node, "%s: missing model_answer", name)
	}
	if rq.TimeLimit != nil {
		q.TimeLimit = time.Duration(*rq.TimeLimit)
		if q.TimeLimit < MinTimeLimit || q.TimeLimit > MaxTimeLimit {
			add(at("time_limit"), "%s: time_limit %s must be between %s and %s", name, q.TimeLimit, MinTimeLimit, MaxTimeLimit)
		}
	}
	if rq.PassWeight != nil {
		q.PassWeight = *rq.PassWeight
		if !(q.PassWeight > 0 && q.PassWeight <= 1) { // so NaN fails too
			add(at("pass_weight"), "%s: pass_weight %v must be above 0 and at most 1", name, q.PassWeight)
		}
	}
	kpNode := yamlx.Lookup(node, "key_points")
	switch {
	case len(rq.KeyPoints) == 0:
		add(node, "%s: missing key_points (what a passing answer says)", name)
	case len(rq.KeyPoints) > maxKeyPoints:
		add(kpNode, "%s: %d key points; at most %d", name, len(rq.KeyPoints), maxKeyPoints)
	}
	seen := map[string]bool{}
	for i, rk := range rq.KeyPoints {
		n := kpNode.Content[i]
		w := 1
		if rk.Weight != nil {
			w = *rk.Weight
		}
		// A weight that is no integer ("2") already has its type error.
		if wn := yamlx.Lookup(n, "weight"); (w < 1 || w > 3) && (wn == nil || wn.Tag == "!!int") {
			add(at2(n, "weight"), "%s: key point %q: weight %d must be 1, 2 or 3", name, rk.ID, w)
		}
		errs = append(errs, checkItem(n, name, "key point", rk.ID, rk.Text, rk.Evidence, seen)...)
		q.KeyPoints = append(q.KeyPoints, KeyPoint{ID: rk.ID, Text: strings.TrimSpace(rk.Text), Weight: w, Evidence: cleanPhrases(rk.Evidence)})
	}
	rfNode := yamlx.Lookup(node, "red_flags")
	for i, rr := range rq.RedFlags {
		n := rfNode.Content[i]
		errs = append(errs, checkItem(n, name, "red flag", rr.ID, rr.Text, rr.Evidence, seen)...)
		q.RedFlags = append(q.RedFlags, RedFlag{ID: rr.ID, Text: strings.TrimSpace(rr.Text), Correction: strings.TrimSpace(rr.Correction), Evidence: cleanPhrases(rr.Evidence)})
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return q, nil
}

func checkItem(n *yaml.Node, qname, what, id, text string, evidence []string, seen map[string]bool) yamlx.Errors {
	var errs yamlx.Errors
	add := func(n *yaml.Node, format string, args ...any) {
		errs = append(errs, yamlx.Errorf(n, format, args...))
	}
	switch {
	case id == "":
		add(n, "%s: %s has no id", qname, what)
	case !itemID.MatchString(id):
		add(at2(n, "id"), "%s: %s id %q must be one word of letters, digits, -, _ or .", qname, what, id)
	case seen[id]:
		add(at2(n, "id"), "%s: duplicate %s id %q", qname, what, id)
	}
	seen[id] = true
	if strings.TrimSpace(text) == "" {
		add(n, "%s: %s %q has no text", qname, what, id)
	}
	if len(evidence) == 0 {
		add(n, "%s: %s %q has no evidence phrases", qname, what, id)
	}
	wordless := 0
	for _, e := range evidence {
		switch {
		case strings.TrimSpace(e) == "":
			add(at2(n, "evidence"), "%s: %s %q has an empty evidence phrase", qname, what, id)
		case !hasWord(e):
			wordless++
		}
	}
	// Matching is on words, so a phrase of punctuation alone (">=", "-") never matches:
	// a list of nothing else is as empty as no list. One among real phrases is a
	// warning of packs lint (WordlessEvidence), so packs written elsewhere still load.
	if len(evidence) > 0 && wordless == len(evidence) {
		add(at2(n, "evidence"), "%s: %s %q has no evidence phrases with words (%s): matching is on words", qname, what, id, strings.Join(evidence, ", "))
	}
	return errs
}

// MaxPhraseWords is the most words an evidence phrase should have: a phrase matches where
// its words stand in order (or, in other words, within eight words of each other), so a
// long one rarely does. packs lint warns about longer ones; they are not errors, so a
// pack written elsewhere still loads.
const MaxPhraseWords = 6

// LongEvidence returns q's evidence phrases (of key points and red flags) longer than
// MaxPhraseWords words.
func LongEvidence(q *Question) []string {
	var long []string
	for _, k := range q.KeyPoints {
		for _, e := range k.Evidence {
			if len(strings.Fields(e)) > MaxPhraseWords {
				long = append(long, e)
			}
		}
	}
	for _, f := range q.RedFlags {
		for _, e := range f.Evidence {
			if len(strings.Fields(e)) > MaxPhraseWords {
				long = append(long, e)
			}
		}
	}
	return long
}

func at2(n *yaml.Node, key string) *yaml.Node {
	if v := yamlx.Lookup(n, key); v != nil {
		return v
	}
	return n
}

// hasWord reports whether s has a letter or a digit: a word an answer can match.
func hasWord(s string) bool {
	return strings.ContainsFunc(s, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) })
}

// WordlessEvidence returns q's evidence phrases with no letter or digit (">="), which
// match nothing: matching is on words.
func WordlessEvidence(q *Question) []string {
	var out []string
	for _, k := range q.KeyPoints {
		for _, e := range k.Evidence {
			if !hasWord(e) {
				out = append(out, e)
			}
		}
	}
	for _, r := range q.RedFlags {
		for _, e := range r.Evidence {
			if !hasWord(e) {
				out = append(out, e)
			}
		}
	}
	return out
}

func cleanPhrases(in []string) []string {
	out := make([]string, 0, len(in))
	for _, s := range in {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
