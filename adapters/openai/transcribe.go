package openai

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	openai "github.com/sashabaranov/go-openai"

	"github.com/quorum-dev/quorum/bot"
)

// DisfluencyPrompt keeps "um" and "uh" in the transcript: Whisper drops fillers unless
// its prompt shows them.
const DisfluencyPrompt = "Umm, let me think, like, hmm... Okay, so, uh, here's what I'm, you know, thinking."

// noSpeech is the no_speech_prob above which a segment counts as silence.
const noSpeech = 0.6

// DefaultTranscribeDeadline bounds one transcription, retries included: a person waiting
// for a verdict should not wait longer on a hung server.
const DefaultTranscribeDeadline = 2 * time.Minute

// Transcriber transcribes spoken answers with an OpenAI-compatible /audio/transcriptions
// endpoint (OpenAI Whisper, Groq, a local Whisper server), asking for word timestamps.
type Transcriber struct {
	client *Client
	// Deadline bounds one transcription, retries included; zero means
	// DefaultTranscribeDeadline.
	Deadline time.Duration
}

var _ bot.Transcriber = (*Transcriber)(nil)

// NewTranscriber returns a Transcriber using client (whose Model is the speech model).
func NewTranscriber(client *Client) *Transcriber { return &Transcriber{client: client} }

// Transcribe implements bot.Transcriber. name's extension tells the server the format.
// A recording the server refuses (400, 413, 415) is bot.ErrRecordingRejected; a request it
// refuses otherwise, or a reply that is not JSON, is bot.ErrTranscriptionRefused.
func (t *Transcriber) Transcribe(ctx context.Context, name string, audio []byte) (bot.Transcript, error) {
	deadline := t.Deadline
	if deadline <= 0 {
		deadline = DefaultTranscribeDeadline
	}
	ctx, cancel := context.WithTimeout(ctx, deadline)
	defer cancel()
	var resp openai.AudioResponse
	err := t.client.call(ctx, CallTranscribe, func(ctx context.Context) error {
		var err error
		resp, err = t.client.api.CreateTranscription(ctx, openai.AudioRequest{
			Model:    t.client.cfg.Model,
			FilePath: name,
			Reader:   bytes.NewReader(audio), // a fresh reader for every attempt
			Prompt:   DisfluencyPrompt,
			Format:   openai.AudioResponseFormatVerboseJSON,
			TimestampGranularities: []openai.TranscriptionTimestampGranularity{
				openai.TranscriptionTimestampGranularityWord, openai.TranscriptionTimestampGranularitySegment,
			},
		})
		return err
	})
	if err != nil {
		return bot.Transcript{}, t.refusal(err)
	}
	tr := bot.Transcript{Text: strings.TrimSpace(resp.Text), Duration: seconds(resp.Duration)}
	for _, w := range resp.Words {
		tr.Words = append(tr.Words, bot.TimedWord{Word: w.Word, Start: seconds(w.Start), End: seconds(w.End)})
	}
	if len(resp.Segments) > 0 {
		silent := true
		for _, s := range resp.Segments {
			silent = silent && s.NoSpeechProb > noSpeech
		}
		tr.NoSpeech = silent
	}
	return tr, nil
}

func seconds(f float64) time.Duration { return time.Duration(f * float64(time.Second)) }

// refusal tells apart the failures that trying again cannot mend, and logs for the operator
// those that a setting causes. The server's message is left out of those: it may quote
// part of the key.
func (t *Transcriber) refusal(err error) error {
	switch status, code := rejection(err); {
	case status == http.StatusBadRequest || status == http.StatusRequestEntityTooLarge || status == http.StatusUnsupportedMediaType:
		return fmt.Errorf("%w: %w", bot.ErrRecordingRejected, err)
	case rejected(err):
		t.client.log.Error("the transcription server rejected the request; check speech.api_key and speech.model (llm's key where speech's are empty)",
			"status", status, "code", code)
		return fmt.Errorf("%w: status %d", bot.ErrTranscriptionRefused, status)
	case errors.Is(err, ErrBadResponse):
		t.client.log.Error("the transcription server answered with something other than JSON; check speech.base_url")
		return fmt.Errorf("%w: %w", bot.ErrTranscriptionRefused, err)
	}
	return err
}
