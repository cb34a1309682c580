package bot

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path"
	"regexp"
	"strings"
	"time"
	"unicode"
)

// MaxAudioBytes is the largest recording accepted: the limit of OpenAI's transcription API.
const MaxAudioBytes = 25 << 20

// Audio is a spoken answer as a platform delivers it: a voice message or an audio or
// video clip. Size and Duration are what the platform says before download (zero when
// it says nothing); they are checked again while the file is read.
type Audio struct {
	// Name is the file name; its extension tells the transcriber the format.
	Name        string
	ContentType string
	Size        int64
	Duration    time.Duration
	// Open downloads the recording. The caller closes it.
	Open func(ctx context.Context) (io.ReadCloser, error)
}

// Transcript is what a transcriber heard.
type Transcript struct {
	Text     string
	Duration time.Duration
	Words    []TimedWord
	// NoSpeech is set when the transcriber itself judged the clip to hold no speech.
	NoSpeech bool
}

// Transcriber turns a recording into text with word timings.
//
// Transcribe returns an error when it could not transcribe; an empty transcript is not an
// error. An error that wraps ErrRecordingRejected or ErrTranscriptionRefused says that
// sending the recording again would not help.
type Transcriber interface {
	Transcribe(ctx context.Context, name string, audio []byte) (Transcript, error)
}

// Errors a Transcriber wraps for failures that are not passing.
var (
	// ErrRecordingRejected: the server could not read this recording (its format or size).
	ErrRecordingRejected = errors.New("the transcription server could not read the recording")
	// ErrTranscriptionRefused: the server refused the request for a reason of its own
	// settings (a bad key, an unknown model), or answered something unusable.
	ErrTranscriptionRefused = errors.New("the transcription server refused the request")
)

// audioTypes maps content types to the extension a transcriber needs. Slack clips are
// audio/mp4 and must be sent as .m4a.
var audioTypes = map[string]string{
	"audio/ogg": ".ogg", "audio/opus": ".ogg", "application/ogg": ".ogg", "audio/mp4": ".m4a", "audio/x-m4a": ".m4a",
	"audio/m4a": ".m4a", "video/mp4": ".mp4", "audio/webm": ".webm", "video/webm": ".webm", "audio/mpeg": ".mp3",
	"audio/mp3": ".mp3", "audio/wav": ".wav", "audio/x-wav": ".wav", "audio/wave": ".wav", "video/quicktime": ".mov",
}

// audioExts are the extensions the transcription API takes.
var audioExts = map[string]bool{".ogg": true, ".oga": true, ".opus": true, ".m4a": true, ".mp4": true, ".webm": true,
	".mp3": true, ".mpeg": true, ".mpga": true, ".wav": true, ".flac": true}

// AudioName returns the file name to send for a recording: its own name when its
// extension is one the transcriber takes, else one with the extension of its content type.
// ok is false for formats Quorum cannot send.
func AudioName(name, contentType string) (string, bool) {
	ext := strings.ToLower(path.Ext(name))
	ct, _, _ := strings.Cut(strings.ToLower(contentType), ";")
	if want, known := audioTypes[strings.TrimSpace(ct)]; known && want != ".mov" {
		if ext != want && !(want == ".ogg" && (ext == ".oga" || ext == ".opus")) {
			base := strings.TrimSuffix(path.Base(name), path.Ext(name))
			if base == "" || base == "." {
				base = "answer"
			}
			return base + want, true
		}
		return path.Base(name), true
	}
	if audioExts[ext] {
		return path.Base(name), true
	}
	return "", false
}

var errTooLarge = errors.New("recording too large")

// readAudio downloads a recording, refusing more than MaxAudioBytes while it streams.
func readAudio(ctx context.Context, a *Audio) ([]byte, error) {
	rc, err := a.Open(ctx)
	if err != nil {
		return nil, fmt.Errorf("download recording: %w", err)
	}
	defer rc.Close()
	var buf bytes.Buffer
	n, err := io.Copy(&buf, io.LimitReader(rc, MaxAudioBytes+1))
	if err != nil {
		return nil, fmt.Errorf("download recording: %w", err)
	}
	if n > MaxAudioBytes {
		return nil, errTooLarge
	}
	return buf.Bytes(), nil
}

// hallucinations are what Whisper is known to "hear" in silence or noise, normalized
// (lowercase, words only): the sign-offs and subtitle credits of the videos it was trained
// on, in the languages where they are best known, and a few short words. Only the
// well-known ones: a longer list would start to swallow short real answers.
var hallucinations = map[string]bool{
	"you": true, "thank you": true, "thanks": true, "thank you very much": true, "bye": true, "bye bye": true,
	"okay": true, "ok": true, "so": true, "music": true, "silence": true,
	"thank you for watching": true, "thanks for watching": true, "thank you so much for watching": true,
	"please subscribe": true, "like and subscribe": true,
	"subtitles by the amara org community": true, "transcribed by https otter ai": true,
	"ご視聴ありがとうございました": true, "ありがとうございました": true, // Japanese
	"시청해 주셔서 감사합니다": true, "시청해주셔서 감사합니다": true, // Korean
	"谢谢观看": true, "感谢观看": true, "謝謝觀看": true, // Chinese
	"vielen dank fürs zuschauen": true, "untertitel der amara org community": true, // German
	"gracias por ver": true, "gracias por ver el video": true, "subtítulos realizados por la comunidad de amara org": true, // Spanish
	"merci d avoir regardé": true, // French
}

// sentenceBreak splits a transcript where a sentence ends; the dot of "amara.org" does not.
var sentenceBreak = regexp.MustCompile(`[.!?…]+(?:\s+|$)|[。！？]+|\n+`)

// Heard reports whether a transcript holds an answer: not silence, and not only phrases
// transcribers produce from silence. Each sentence is compared in lowercase, without
// punctuation and with a phrase said over and over counted once, so "Thank you. Thank
// you." and "Thanks for watching! Please subscribe." are not answers.
func Heard(t Transcript) bool {
	if t.NoSpeech {
		return false
	}
	for _, s := range sentenceBreak.Split(t.Text, -1) {
		words := strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
		if len(words) > 0 && !hallucinations[strings.Join(once(words), " ")] {
			return true
		}
	}
	return false
}

// once returns the phrase that words repeat, or words: "you you you" is "you".
func once(words []string) []string {
	for n := 1; n <= len(words)/2; n++ {
		if len(words)%n != 0 {
			continue
		}
		same := true
		for i := n; i < len(words) && same; i++ {
			same = words[i] == words[i%n]
		}
		if same {
			return words[:n]
		}
	}
	return words
}

// transcribe turns an audio answer into an Answer, or says (to the person) why not.
func (b *Bot) transcribe(ctx context.Context, a *Audio, limit, grace time.Duration) (Answer, string) {
	return TranscribeAnswer(ctx, b.transcriber, a, limit, grace, b.log)
}

// TranscribeAnswer checks a recording against the limits, transcribes it with t and
// guards against silence. It returns the answer, or a sentence for the person saying why
// there is none (t may be nil: speech is not configured). Failures are logged on log.
func TranscribeAnswer(ctx context.Context, t Transcriber, a *Audio, limit, grace time.Duration, log *slog.Logger) (Answer, string) {
	if t == nil {
		return Answer{}, "I can't listen to voice answers here yet: the bot's owner needs to set `speech` (or `llm`) in the config to a transcription server. Please type your answer; your question is still open."
	}
	name, ok := AudioName(a.Name, a.ContentType)
	if !ok {
		return Answer{}, fmt.Sprintf("I can't play %q. Send a voice message or an OGG, M4A, MP4, WebM, MP3 or WAV recording, or type your answer; your question is still open.", path.Base(a.Name))
	}
	max := limit + grace
	switch {
	case a.Size > MaxAudioBytes:
		return Answer{}, fmt.Sprintf("That recording is %d MB; I take up to 25 MB. Send a shorter one or type your answer; your question is still open.", a.Size>>20)
	case a.Duration > max:
		return Answer{}, fmt.Sprintf("That recording is %s long; this question allows %s. Record a shorter answer or type it; your question is still open.", roundDur(a.Duration), roundDur(max))
	}
	data, err := readAudio(ctx, a)
	if errors.Is(err, errTooLarge) {
		return Answer{}, "That recording is over 25 MB. Send a shorter one or type your answer; your question is still open."
	}
	if err != nil {
		log.Error("download recording", "err", err)
		return Answer{}, "Sorry, I couldn't download that recording. Please send it again or type your answer; your question is still open."
	}
	tr, err := t.Transcribe(ctx, name, data)
	switch {
	case errors.Is(err, ErrRecordingRejected):
		log.Warn("transcribe", "err", err)
		return Answer{}, "The transcription server couldn't read that recording (its format or size). Please type your answer, or send a voice message or a short OGG, M4A, MP3 or WAV recording; your question is still open."
	case errors.Is(err, ErrTranscriptionRefused):
		log.Error("transcribe", "err", err)
		return Answer{}, "Sorry, I can't transcribe voice answers at the moment: the transcription service turned the request down, and the bot's owner needs to fix a setting. Please type your answer; your question is still open."
	case err != nil:
		log.Error("transcribe", "err", err)
		return Answer{}, "Sorry, I couldn't transcribe that recording just now. Please try again in a moment or type your answer; your question is still open."
	}
	if tr.Duration > max {
		return Answer{}, fmt.Sprintf("That recording is %s long; this question allows %s. Record a shorter answer or type it; your question is still open.", roundDur(tr.Duration), roundDur(max))
	}
	if !Heard(tr) {
		return Answer{}, "I couldn't hear an answer in that recording (it sounds silent). Check your microphone and try again, or type your answer; your question is still open."
	}
	return Answer{Text: tr.Text, Duration: tr.Duration, Words: tr.Words, TimeLimit: limit}, ""
}
