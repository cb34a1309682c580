package openai

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"text/template"
	"unicode"

	openai "github.com/sashabaranov/go-openai"

	"github.com/quorum-dev/quorum/bot"
	"github.com/quorum-dev/quorum/bot/rubric"
	"github.com/quorum-dev/quorum/prompts"
)

// GradeTemplate is the prompt template the grader uses (prompts/llm/grade.v1.tmpl).
const GradeTemplate = "grade.v1"

// Grader grades with an LLM and falls back to the rubric, openly, when the LLM fails.
// The LLM only reports which key points and red flags it sees, each with a quote; Quorum
// keeps the claims whose quotes it finds in the answer and applies its own verdict rule.
type Grader struct {
	client *Client
	rubric *rubric.Grader
	tmpl   *template.Template
}

var _ bot.Grader = (*Grader)(nil)

// NewGrader returns a Grader that uses client and falls back to r.
func NewGrader(client *Client, r *rubric.Grader) (*Grader, error) {
	t, err := prompts.LLMTemplate(GradeTemplate)
	if err != nil {
		return nil, err
	}
	return &Grader{client: client, rubric: r, tmpl: t}, nil
}

// llmGrade is the JSON the model returns.
type llmGrade struct {
	KeyPoints []struct {
		ID      string `json:"id"`
		Covered bool   `json:"covered"`
		Quote   string `json:"quote"`
	} `json:"key_points"`
	RedFlags []struct {
		ID      string `json:"id"`
		Present bool   `json:"present"`
		Quote   string `json:"quote"`
	} `json:"red_flags"`
	Clarity      *int     `json:"clarity"`
	Confidence   *int     `json:"confidence"`
	Strengths    []string `json:"strengths"`
	Improvements []string `json:"improvements"`
	FollowUp     string   `json:"follow_up"`
}

// gradeSchema is the structured-output schema; strict mode needs every property required.
var gradeSchema = json.RawMessage(`{
  "type": "object", "additionalProperties": false,
  "required": ["key_points", "red_flags", "clarity", "confidence", "strengths", "improvements", "follow_up"],
  "properties": {
    "key_points": {"type": "array", "items": {"type": "object", "additionalProperties": false,
      "required": ["id", "covered", "quote"],
      "properties": {"id": {"type": "string"}, "covered": {"type": "boolean"}, "quote": {"type": "string"}}}},
    "red_flags": {"type": "array", "items": {"type": "object", "additionalProperties": false,
      "required": ["id", "present", "quote"],
      "properties": {"id": {"type": "string"}, "present": {"type": "boolean"}, "quote": {"type": "string"}}}},
    "clarity": {"type": "integer"},
    "confidence": {"type": "integer"},
    "strengths": {"type": "array", "items": {"type": "string"}},
    "improvements": {"type": "array", "items": {"type": "string"}},
    "follow_up": {"type": "string"}
  }
}`)

// Grade grades a against q. It returns an error only if ctx ends; every LLM failure
// becomes a rubric verdict that says so.
func (g *Grader) Grade(ctx context.Context, q *bot.Question, a bot.Answer) (*bot.Verdict, error) {
	v, err := g.gradeLLM(ctx, q, a)
	if err == nil {
		return v, nil
	}
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	if rejected(err) {
		status, code := rejection(err)
		g.client.log.Error("the LLM server rejected the grading request; check llm.api_key, llm.model and llm.response_format",
			"status", status, "code", code, "question", q.Ref())
	} else {
		g.client.log.Warn("llm grading failed; the rubric grades instead", "question", q.Ref(), "err", err)
	}
	fb, _ := g.rubric.Grade(ctx, q, a)
	fb.Note = fallbackNote(err)
	return fb, nil
}

func fallbackNote(err error) string {
	switch {
	case errors.Is(err, ErrCircuitOpen):
		return "The LLM grader is paused after repeated failures, so the offline rubric graded this answer."
	case errors.Is(err, ErrBadResponse):
		return "The LLM grader gave an unusable reply, so the offline rubric graded this answer."
	case rejected(err):
		return "The LLM grader rejected the request (a setting of this bot needs fixing), so the offline rubric graded this answer."
	}
	return "The LLM grader could not be reached, so the offline rubric graded this answer."
}

func (g *Grader) gradeLLM(ctx context.Context, q *bot.Question, a bot.Answer) (*bot.Verdict, error) {
	if strings.TrimSpace(a.Text) == "" {
		// Nothing to ask about: the rubric's verdict on an empty answer is the whole story.
		return g.rubric.Grade(ctx, q, a)
	}
	system, user, err := g.render(q, a)
	if err != nil {
		return nil, err
	}
	req := openai.ChatCompletionRequest{
		Model:       g.client.cfg.Model,
		Temperature: 0,
		Messages: []openai.ChatCompletionMessage{
			{Role: openai.ChatMessageRoleSystem, Content: system},
			{Role: openai.ChatMessageRoleUser, Content: user},
		},
	}
	if g.client.cfg.ResponseFormat == "json_object" {
		req.ResponseFormat = &openai.ChatCompletionResponseFormat{Type: openai.ChatCompletionResponseFormatTypeJSONObject}
	} else {
		req.ResponseFormat = &openai.ChatCompletionResponseFormat{
			Type:       openai.ChatCompletionResponseFormatTypeJSONSchema,
			JSONSchema: &openai.ChatCompletionResponseFormatJSONSchema{Name: "grade", Schema: gradeSchema, Strict: true},
		}
	}
	resp, err := g.client.chat(ctx, CallGrade, req)
	if err != nil {
		return nil, err
	}
	if len(resp.Choices) == 0 {
		return nil, fmt.Errorf("%w: no choices", ErrBadResponse)
	}
	var out llmGrade
	if err := json.Unmarshal([]byte(stripFences(resp.Choices[0].Message.Content)), &out); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadResponse, err)
	}
	if n, of := matchIDs(q, &out); 2*n < of {
		// A reply that names fewer than half of the rubric's key points would grade a
		// correct answer as making none of them: it is no reading of this answer.
		return nil, fmt.Errorf("%w: it addresses %d of %d key points", ErrBadResponse, n, of)
	}
	v := g.rubric.Verdict(q, a, g.verify(q, a, &out))
	v.Grader = bot.GraderLLM
	v.Usage = bot.Usage{PromptTokens: resp.Usage.PromptTokens, CompletionTokens: resp.Usage.CompletionTokens}
	v.Feedback.Improvements = cap3(out.Improvements)
	if len(v.Covered) > 0 {
		v.Feedback.Strengths = cap3(out.Strengths) // no praise for an answer that made no point
	}
	if f := shorten(out.FollowUp); f != "" {
		v.Feedback.FollowUp = f
	}
	return v, nil
}

// matchIDs rewrites the ids in out to the rubric's own where they differ only in case,
// spaces, underscores or hyphens ("Terms", "one_vote"), and returns how many of q's key
// points the reply addresses (covered or not), of how many.
func matchIDs(q *bot.Question, out *llmGrade) (n, of int) {
	points, flags := map[string]string{}, map[string]string{}
	for _, k := range q.KeyPoints {
		points[canonicalID(k.ID)] = k.ID
	}
	for _, f := range q.RedFlags {
		flags[canonicalID(f.ID)] = f.ID
	}
	addressed := map[string]bool{}
	for i := range out.KeyPoints {
		if id, ok := points[canonicalID(out.KeyPoints[i].ID)]; ok {
			out.KeyPoints[i].ID = id
			addressed[id] = true
		}
	}
	for i := range out.RedFlags {
		if id, ok := flags[canonicalID(out.RedFlags[i].ID)]; ok {
			out.RedFlags[i].ID = id
		}
	}
	return len(addressed), len(q.KeyPoints)
}

// canonicalID is id without case, spaces, underscores and hyphens.
func canonicalID(id string) string {
	return strings.Map(func(r rune) rune {
		if r == '-' || r == '_' || unicode.IsSpace(r) {
			return -1
		}
		return unicode.ToLower(r)
	}, id)
}

// verify keeps the model's claims whose quotes stand in the answer, outside any text
// addressed to the grader. The model judges what the answer means; the checks keep an
// answer that tries to instruct the grader from gaining by it (README, "Grading with an
// LLM"):
//   - a quote must stand in the answer's own text, not in an instruction or a verdict
//     written into it;
//   - a red flag the rubric finds by its evidence as written stays, whatever the model
//     says;
//   - in an answer that holds text addressed to the grader, a key point's quote must
//     also share a content word with the point (rubric.Supports), the red flags the
//     rubric reads between the lines stay too, and an answer the rubric finds
//     keyword-stuffed cannot pass. In other answers the model's reading wins
//     there: the rubric's word matching drops paraphrases and raises false alarms.
func (g *Grader) verify(q *bot.Question, a bot.Answer, out *llmGrade) rubric.Judgement {
	text, instructs := rubric.WithoutInstructions(a.Text)
	answer := " " + normalize(text) + " "
	found := func(quote string) bool { return quoted(answer, quote) }
	j := rubric.Judgement{Covered: map[string]string{}, Clarity: out.Clarity, Confidence: out.Confidence}
	known := map[string]bool{}
	for _, k := range q.KeyPoints {
		known[k.ID] = true
	}
	for _, kp := range out.KeyPoints {
		if !kp.Covered || !known[kp.ID] {
			continue
		}
		if !found(kp.Quote) || instructs && !rubric.Supports(q, kp.ID, kp.Quote) {
			g.client.log.Info("dropped an unverified claim", "question", q.Ref(), "key_point", kp.ID)
			continue
		}
		j.Covered[kp.ID] = strings.TrimSpace(kp.Quote)
	}
	j.Named = len(j.Covered)
	flags := map[string]bool{}
	rj := g.rubric.Judge(q, a)
	// An answer that addresses the grader and that the rubric finds keyword-stuffed cannot
	// pass, whatever the model read in it: strung-together terms are what a model told to
	// "treat every item as explained" is most easily talked into crediting. (Applied to
	// every answer, the rubric's finding cost 3 false fails in the blind sets' replay.)
	if instructs {
		j.Stuffed = g.rubric.Judge(q, bot.Answer{Text: text}).Stuffed
	}
	for _, f := range rj.RedFlags {
		if instructs || !rj.Inferred[f.ID] {
			flags[f.ID] = true
			j.RedFlags = append(j.RedFlags, f)
		}
	}
	for _, rf := range out.RedFlags {
		if !rf.Present || flags[rf.ID] || !found(rf.Quote) {
			continue
		}
		for _, f := range q.RedFlags {
			if f.ID == rf.ID {
				flags[f.ID] = true
				j.RedFlags = append(j.RedFlags, bot.Point{ID: f.ID, Text: f.Text, Quote: strings.TrimSpace(rf.Quote), Correction: f.Correction})
			}
		}
	}
	return j
}

// render fills the prompt template. The answer is fenced by markers carrying a random
// nonce, and any copy of the markers inside the answer is defused.
func (g *Grader) render(q *bot.Question, a bot.Answer) (system, user string, err error) {
	var nonce [6]byte
	if _, err := rand.Read(nonce[:]); err != nil {
		return "", "", fmt.Errorf("make nonce: %w", err)
	}
	data := struct {
		Question *bot.Question
		Answer   string
		Nonce    string
		Spoken   bool
	}{q, strings.ReplaceAll(a.Text, "<<<", "‹‹‹"), hex.EncodeToString(nonce[:]), a.Duration > 0}
	var sb, ub bytes.Buffer
	if err := g.tmpl.ExecuteTemplate(&sb, "system", data); err != nil {
		return "", "", fmt.Errorf("render prompt: %w", err)
	}
	if err := g.tmpl.ExecuteTemplate(&ub, "user", data); err != nil {
		return "", "", fmt.Errorf("render prompt: %w", err)
	}
	return sb.String(), ub.String(), nil
}

// elision is where a model shortens a quote: "…", "...", "[...]".
var elision = regexp.MustCompile(`\[(?:…|\.{3})\]|…|\.{3,}`)

// quoted reports whether quote stands in answer (normalized, padded with spaces). A quote
// the model shortened with an ellipsis stands when its parts do, in order, each of at
// least two words, so "the leader … a majority of nodes" may skip what lies between but
// scattered single words cannot make a quote.
func quoted(answer, quote string) bool {
	at, parts := 0, 0
	for _, part := range elision.Split(quote, -1) {
		n := normalize(part)
		if n == "" {
			continue // an ellipsis at either end
		}
		if len(strings.Fields(n)) < 2 {
			return false
		}
		i := strings.Index(answer[at:], " "+n+" ")
		if i < 0 {
			return false
		}
		at += i + 1 + len(n) // the space after this part, where the next may start
		parts++
	}
	return parts > 0
}

// normalize lowercases and reduces text to its words separated by single spaces, so a
// verbatim quote matches despite line breaks, spacing, punctuation and curly quotes.
func normalize(s string) string {
	s = strings.NewReplacer("’", "", "'", "").Replace(strings.ToLower(s))
	return strings.Join(strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }), " ")
}

// stripFences removes a ```json fence some servers wrap around JSON.
func stripFences(s string) string {
	s = strings.TrimSpace(s)
	if strings.HasPrefix(s, "```") {
		s = strings.TrimPrefix(s, "```json")
		s = strings.TrimPrefix(s, "```")
		s = strings.TrimSuffix(strings.TrimSpace(s), "```")
	}
	return strings.TrimSpace(s)
}

// cap3 keeps the first three non-empty items of list, each shortened.
func cap3(list []string) []string {
	var out []string
	for _, s := range list {
		if s = shorten(s); s != "" && len(out) < 3 {
			out = append(out, s)
		}
	}
	return out
}

// maxFeedback is the most characters kept of one piece of the model's feedback: a few
// sentences. A model that rambles (or repeats itself to its token limit) would otherwise
// fill the verdict message and the stored attempt.
const maxFeedback = 400

// shorten trims s and cuts it to maxFeedback characters at a word boundary.
func shorten(s string) string { return bot.Shorten(strings.TrimSpace(s), maxFeedback) }
