// Package openaitest is a fake OpenAI-compatible server on loopback for tests: it
// speaks the chat-completions and transcription endpoints, records every request,
// and answers from a queue of scripted replies.
package openaitest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"
)

// Reply is one scripted response.
type Reply struct {
	Status int
	Header map[string]string
	Body   string
	// Delay holds the response back, to test timeouts and concurrency.
	Delay time.Duration
}

// Request is what the server received.
type Request struct {
	Method, Path  string
	Authorization string
	ContentType   string
	Body          []byte
}

// JSON decodes the request body into v.
func (r Request) JSON(v any) error { return json.Unmarshal(r.Body, v) }

// Server is the fake. Replies are taken from the queue in order; when it is empty,
// Default answers.
type Server struct {
	*httptest.Server

	mu       sync.Mutex
	queue    []Reply
	reqs     []Request
	inflight int
	peak     int
	// Default answers when the queue is empty; nil means a 500.
	Default func(Request) Reply
}

// New starts a server; close it with Close.
func New() *Server {
	s := &Server{}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

// BaseURL is what go-openai's ClientConfig.BaseURL should be.
func (s *Server) BaseURL() string { return s.URL + "/v1" }

// Enqueue adds replies to the queue.
func (s *Server) Enqueue(replies ...Reply) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.queue = append(s.queue, replies...)
}

// Requests returns the requests received so far.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.reqs...)
}

// Peak is the most requests that were in flight at once.
func (s *Server) Peak() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.peak
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	req := Request{Method: r.Method, Path: r.URL.Path, Authorization: r.Header.Get("Authorization"), ContentType: r.Header.Get("Content-Type"), Body: body}
	s.mu.Lock()
	s.reqs = append(s.reqs, req)
	s.inflight++
	s.peak = max(s.peak, s.inflight)
	var reply Reply
	switch {
	case len(s.queue) > 0:
		reply, s.queue = s.queue[0], s.queue[1:]
	case s.Default != nil:
		def := s.Default
		s.mu.Unlock()
		reply = def(req)
		s.mu.Lock()
	default:
		reply = Error(http.StatusInternalServerError, "no reply scripted")
	}
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		s.inflight--
		s.mu.Unlock()
	}()
	if reply.Delay > 0 {
		select {
		case <-time.After(reply.Delay):
		case <-r.Context().Done():
			return
		}
	}
	for k, v := range reply.Header {
		w.Header().Set(k, v)
	}
	if w.Header().Get("Content-Type") == "" {
		w.Header().Set("Content-Type", "application/json")
	}
	if reply.Status == 0 {
		reply.Status = http.StatusOK
	}
	w.WriteHeader(reply.Status)
	io.WriteString(w, reply.Body)
}

// Chat is a successful chat completion whose message content is content.
func Chat(content string, promptTokens, completionTokens int) Reply {
	body, _ := json.Marshal(map[string]any{
		"id": "chatcmpl-test", "object": "chat.completion", "model": "test-model",
		"choices": []map[string]any{{"index": 0, "finish_reason": "stop",
			"message": map[string]any{"role": "assistant", "content": content}}},
		"usage": map[string]int{"prompt_tokens": promptTokens, "completion_tokens": completionTokens, "total_tokens": promptTokens + completionTokens},
	})
	return Reply{Body: string(body)}
}

// Error is an OpenAI-style error response.
func Error(status int, message string) Reply {
	return Reply{Status: status, Body: fmt.Sprintf(`{"error":{"message":%q,"type":"test_error"}}`, message)}
}

// RateLimited is a 429 with a Retry-After header.
func RateLimited(retryAfter string) Reply {
	r := Error(http.StatusTooManyRequests, "rate limited")
	r.Header = map[string]string{"Retry-After": retryAfter}
	return r
}

// ChatRequest is the part of a chat-completions request tests look at.
type ChatRequest struct {
	Model          string `json:"model"`
	ResponseFormat struct {
		Type       string `json:"type"`
		JSONSchema struct {
			Name   string          `json:"name"`
			Strict bool            `json:"strict"`
			Schema json.RawMessage `json:"schema"`
		} `json:"json_schema"`
	} `json:"response_format"`
	Messages []struct {
		Role    string `json:"role"`
		Content string `json:"content"`
	} `json:"messages"`
}

// Text joins the request's message contents.
func (c ChatRequest) Text() string {
	var parts []string
	for _, m := range c.Messages {
		parts = append(parts, m.Content)
	}
	return strings.Join(parts, "\n")
}

// Multipart parses a multipart/form-data request: its fields, and the uploaded file's
// name and bytes.
func (r Request) Multipart() (fields map[string][]string, fileName string, file []byte, err error) {
	_, params, err := mime.ParseMediaType(r.ContentType)
	if err != nil {
		return nil, "", nil, err
	}
	mr := multipart.NewReader(bytes.NewReader(r.Body), params["boundary"])
	fields = map[string][]string{}
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			return fields, fileName, file, nil
		}
		if err != nil {
			return nil, "", nil, err
		}
		data, _ := io.ReadAll(p)
		if p.FileName() != "" {
			fileName, file = p.FileName(), data
			continue
		}
		fields[p.FormName()] = append(fields[p.FormName()], string(data))
	}
}

// Word is a timed word of a verbose_json transcription.
type Word struct {
	Word       string
	Start, End float64
}

// Transcription is a verbose_json transcription reply. noSpeech is every segment's
// no_speech_prob.
func Transcription(text string, duration float64, words []Word, noSpeech float64) Reply {
	ws := make([]map[string]any, len(words))
	for i, w := range words {
		ws[i] = map[string]any{"word": w.Word, "start": w.Start, "end": w.End}
	}
	body, _ := json.Marshal(map[string]any{
		"task": "transcribe", "language": "english", "duration": duration, "text": text, "words": ws,
		"segments": []map[string]any{{"id": 0, "start": 0, "end": duration, "text": text, "no_speech_prob": noSpeech}},
	})
	return Reply{Body: string(body)}
}
