package openai

import (
	"bytes"
	"context"
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

// Transcriber transcribes spoken answers with an OpenAI-compatible /audio/transcriptions
// endpoint (OpenAI Whisper, Groq, a local Whisper server), asking for word timestamps.
type Transcriber struct {
	client *Client
}

var _ bot.Transcriber = (*Transcriber)(nil)

// NewTranscriber returns a Transcriber using client (whose Model is the speech model).
func NewTranscriber(client *Client) *Transcriber { return &Transcriber{client: client} }

// Transcribe implements bot.Transcriber. name's extension tells the server the format.
func (t *Transcriber) Transcribe(ctx context.Context, name string, audio []byte) (bot.Transcript, error) {
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
		return bot.Transcript{}, err
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
