package openai

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"text/template"

	openai "github.com/sashabaranov/go-openai"

	"github.com/quorum-dev/quorum/bot"
	"github.com/quorum-dev/quorum/prompts"
)

// TailorTemplate is the prompt template the writer uses (prompts/llm/tailor.v1.tmpl).
const TailorTemplate = "tailor.v1"

// Writer writes tailored questions with an LLM. Every question it returns passed the
// same checks as a pack file; the rest are dropped and counted.
type Writer struct {
	client *Client
	tmpl   *template.Template
}

var _ bot.QuestionWriter = (*Writer)(nil)

// NewWriter returns a Writer that uses client.
func NewWriter(client *Client) (*Writer, error) {
	t, err := prompts.LLMTemplate(TailorTemplate)
	if err != nil {
		return nil, err
	}
	return &Writer{client: client, tmpl: t}, nil
}

// WriteQuestions implements bot.QuestionWriter.
func (w *Writer) WriteQuestions(ctx context.Context, p bot.Profile, n int) ([]*bot.Question, int, error) {
	var nonce [6]byte
	if _, err := rand.Read(nonce[:]); err != nil {
		return nil, 0, fmt.Errorf("make nonce: %w", err)
	}
	defuse := strings.NewReplacer("<<<", "‹‹‹")
	data := struct {
		Profile          bot.Profile
		N                int
		Nonce, Seniority string
	}{bot.Profile{Resume: defuse.Replace(p.Resume), JobDescription: defuse.Replace(p.JobDescription)}, n, hex.EncodeToString(nonce[:]), bot.Seniority(p.JobDescription)}
	var sys, user bytes.Buffer
	if err := w.tmpl.ExecuteTemplate(&sys, "system", data); err != nil {
		return nil, 0, fmt.Errorf("render prompt: %w", err)
	}
	if err := w.tmpl.ExecuteTemplate(&user, "user", data); err != nil {
		return nil, 0, fmt.Errorf("render prompt: %w", err)
	}
	resp, err := w.client.chat(ctx, CallWrite, openai.ChatCompletionRequest{
		Model:          w.client.cfg.Model,
		Temperature:    0.7,
		ResponseFormat: &openai.ChatCompletionResponseFormat{Type: openai.ChatCompletionResponseFormatTypeJSONObject},
		Messages: []openai.ChatCompletionMessage{
			{Role: openai.ChatMessageRoleSystem, Content: sys.String()},
			{Role: openai.ChatMessageRoleUser, Content: user.String()},
		},
	})
	if err != nil {
		return nil, 0, err
	}
	if len(resp.Choices) == 0 {
		return nil, 0, fmt.Errorf("%w: no choices", ErrBadResponse)
	}
	var out struct {
		Questions []json.RawMessage `json:"questions"`
	}
	if err := json.Unmarshal([]byte(stripFences(resp.Choices[0].Message.Content)), &out); err != nil {
		return nil, 0, fmt.Errorf("%w: %v", ErrBadResponse, err)
	}
	return validQuestions(out.Questions, n)
}

// validQuestions keeps the questions that pass the pack checks, each parsed on its own
// so one bad question does not sink the others.
func validQuestions(raw []json.RawMessage, n int) ([]*bot.Question, int, error) {
	var qs []*bot.Question
	dropped := 0
	ids := map[string]bool{}
	for _, r := range raw {
		if len(qs) == n {
			break // more than asked for: the rest are not checked, nor counted as dropped
		}
		doc, _ := json.Marshal(map[string]any{"pack": "personal", "title": "Written for you", "questions": []json.RawMessage{r}})
		p, err := bot.ParsePack("llm", doc) // JSON is YAML: the same linter as pack files
		if err != nil || len(p.Questions) != 1 || ids[p.Questions[0].ID] {
			dropped++
			continue
		}
		q := p.Questions[0]
		q.Source = "written for you"
		ids[q.ID] = true
		qs = append(qs, q)
	}
	if len(qs) == 0 {
		return nil, dropped, fmt.Errorf("%w: none of the %d questions passed the checks", ErrBadResponse, len(raw))
	}
	return qs, dropped, nil
}
