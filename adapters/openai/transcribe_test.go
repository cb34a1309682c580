package openai_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/quorum-dev/quorum/adapters/openai"
	"github.com/quorum-dev/quorum/adapters/openai/openaitest"
	"github.com/quorum-dev/quorum/bot"
	"github.com/quorum-dev/quorum/bot/bottest"
	"github.com/quorum-dev/quorum/bot/rubric"
	"github.com/quorum-dev/quorum/store"
)

func fixture(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("../../testdata/audio", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// spokenWords is a transcript of about 12 seconds with one 3-second pause and fillers.
var spokenWords = func() []openaitest.Word {
	text := "um so raft elects a leader with terms uh each server votes once per term and a candidate needs a majority of votes"
	var ws []openaitest.Word
	at := 0.2
	for i, w := range strings.Fields(text) {
		if i == 9 {
			at += 3 // a long pause before "each"
		}
		ws = append(ws, openaitest.Word{Word: w, Start: at, End: at + 0.3})
		at += 0.4
	}
	return ws
}()

func newTranscriber(srv *openaitest.Server) *openai.Transcriber {
	return openai.NewTranscriber(openai.New(openai.Config{BaseURL: srv.BaseURL(), APIKey: "sk-speech", Model: "whisper-1",
		BackoffBase: time.Millisecond, BackoffMax: 2 * time.Millisecond}))
}

func TestTranscribeRequest(t *testing.T) {
	for _, tt := range []struct{ file, name string }{{"answer.ogg", "voice-message.ogg"}, {"answer.m4a", "clip.m4a"}, {"answer.wav", "answer.wav"}} {
		srv := openaitest.New()
		srv.Enqueue(openaitest.Transcription("Um, so Raft elects a leader with terms.", 12.4, spokenWords, 0.01))
		audio := fixture(t, tt.file)
		tr, err := newTranscriber(srv).Transcribe(context.Background(), tt.name, audio)
		srv.Close()
		if err != nil {
			t.Fatalf("%s: %v", tt.file, err)
		}
		if tr.Duration != 12400*time.Millisecond || len(tr.Words) != len(spokenWords) || tr.NoSpeech {
			t.Fatalf("%s: got %+v", tt.file, tr)
		}
		reqs := srv.Requests()
		if len(reqs) != 1 || reqs[0].Path != "/v1/audio/transcriptions" || reqs[0].Authorization != "Bearer sk-speech" {
			t.Fatalf("%s: got %+v", tt.file, reqs)
		}
		fields, name, file, err := reqs[0].Multipart()
		if err != nil {
			t.Fatal(err)
		}
		if name != tt.name || !bytes.Equal(file, audio) {
			t.Errorf("%s: sent file %q (%d bytes), want %q (%d bytes)", tt.file, name, len(file), tt.name, len(audio))
		}
		if fields["model"][0] != "whisper-1" || fields["response_format"][0] != "verbose_json" || !strings.Contains(fields["prompt"][0], "Umm") {
			t.Errorf("%s: got fields %v", tt.file, fields)
		}
		if g := strings.Join(fields["timestamp_granularities[]"], ","); !strings.Contains(g, "word") {
			t.Errorf("%s: timestamp granularities %q lack word", tt.file, g)
		}
	}
}

func TestTranscribeRetriesThenFails(t *testing.T) {
	srv := openaitest.New()
	defer srv.Close()
	srv.Enqueue(openaitest.Error(503, "busy"), openaitest.Transcription("Raft uses terms.", 2, nil, 0.01))
	tr, err := newTranscriber(srv).Transcribe(context.Background(), "a.ogg", fixture(t, "answer.ogg"))
	if err != nil || tr.Text != "Raft uses terms." {
		t.Fatalf("got %+v, %v; want success on the retry", tr, err)
	}
	_, fields1, _, _ := srv.Requests()[0].Multipart()
	_, fields2, file2, _ := srv.Requests()[1].Multipart()
	if fields1 != fields2 || len(file2) == 0 {
		t.Fatal("the retry did not resend the whole recording")
	}
	srv.Default = func(openaitest.Request) openaitest.Reply { return openaitest.Error(500, "down") }
	if _, err := newTranscriber(srv).Transcribe(context.Background(), "a.ogg", fixture(t, "answer.ogg")); err == nil {
		t.Fatal("want an error when the server stays down")
	}
}

// harness runs a Bot with the real transcriber against the fake server.
func harness(t *testing.T, tr bot.Transcriber) (*bot.Bot, *bottest.Platform, *bottest.Clock) {
	t.Helper()
	bank := bottest.Bank(t)
	st, err := store.Open(filepath.Join(t.TempDir(), "q.db"), 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	clock := bottest.NewClock(time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC))
	plat := bottest.NewPlatform("test")
	b := bot.New(bot.Config{Bank: bank, Grader: rubric.New(rubric.Options{}), Store: st, Clock: clock, Transcriber: tr, Grace: 10 * time.Second, Rand: rand.New(rand.NewPCG(1, 2))})
	b.AddPlatform(plat)
	if err := b.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.Close)
	return b, plat, clock
}

var (
	user = bot.User{Platform: "test", ID: "u1"}
	dm   = bot.Conversation{Platform: "test", ID: "dm", DM: true}
)

func voice(t *testing.T, file, contentType string, duration time.Duration) *bot.Audio {
	data := fixture(t, file)
	return &bot.Audio{Name: file, ContentType: contentType, Size: int64(len(data)), Duration: duration,
		Open: func(context.Context) (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil }}
}

func TestVoiceAnswerThroughTheCore(t *testing.T) {
	srv := openaitest.New()
	defer srv.Close()
	text := strings.Join(func() []string {
		var w []string
		for _, x := range spokenWords {
			w = append(w, x.Word)
		}
		return w
	}(), " ")
	srv.Enqueue(openaitest.Transcription(text, 12.4, spokenWords, 0.01))
	b, plat, _ := harness(t, newTranscriber(srv))
	b.Handle(context.Background(), bot.Event{User: user, Conv: dm, Text: "practice consensus"})
	plat.NextKind(t, bot.MsgQuestion)
	// Slack sends clips as audio/mp4 with any name: it must go out as .m4a.
	b.Handle(context.Background(), bot.Event{User: user, Conv: dm, Audio: voice(t, "answer.m4a", "audio/mp4", 12*time.Second)})
	v := plat.NextKind(t, bot.MsgVerdict)
	m := v.Verdict.Metrics
	if m.Seconds != 12.4 || m.LongPauses != 1 || m.LongestPause < 2.9 || m.LongestPause > 3.1 {
		t.Fatalf("got metrics %+v, want 12.4 s with one 3 s pause", m)
	}
	// 24 words over 12.4 s less the 2.7 s gap beyond the spoken words' edges: pace excludes the pause.
	if m.WordsPerMin < 120 || m.WordsPerMin > 170 || m.Fillers != 2 {
		t.Fatalf("got %.0f words a minute and %d fillers, want 120-170 excluding the pause, and 2 fillers", m.WordsPerMin, m.Fillers)
	}
	if d := v.Verdict.Feedback.Delivery; !strings.Contains(d, "'um' once") || !strings.Contains(d, "a minute; aim for under 3") {
		t.Fatalf("delivery feedback lacks the filler rate: %s", d)
	}
	_, name, _, _ := srv.Requests()[0].Multipart()
	if name != "answer.m4a" {
		t.Fatalf("sent %q", name)
	}
}

func TestVoiceRefusals(t *testing.T) {
	srv := openaitest.New()
	defer srv.Close()
	srv.Enqueue(openaitest.Transcription("Thank you for watching!", 3, nil, 0.2))
	b, plat, _ := harness(t, newTranscriber(srv))
	b.Handle(context.Background(), bot.Event{User: user, Conv: dm, Text: "practice consensus"})
	plat.NextKind(t, bot.MsgQuestion)
	tests := []struct {
		audio *bot.Audio
		want  string
	}{
		{voice(t, "silence.ogg", "audio/ogg", 3*time.Second), "couldn't hear an answer"},
		{voice(t, "answer.ogg", "audio/ogg", 5*time.Minute), "allows 3m10s"},
		{&bot.Audio{Name: "talk.aiff", ContentType: "audio/aiff", Open: nil}, `can't play "talk.aiff"`},
		{&bot.Audio{Name: "huge.ogg", ContentType: "audio/ogg", Size: 30 << 20}, "up to 25 MB"},
		{&bot.Audio{Name: "stream.ogg", ContentType: "audio/ogg", Open: func(context.Context) (io.ReadCloser, error) {
			return io.NopCloser(io.LimitReader(zeros{}, 26<<20)), nil
		}}, "over 25 MB"},
	}
	for _, tt := range tests {
		b.Handle(context.Background(), bot.Event{User: user, Conv: dm, Audio: tt.audio})
		m := plat.NextKind(t, bot.MsgError)
		if !strings.Contains(m.Text, tt.want) || !strings.Contains(m.Text, "still open") {
			t.Errorf("%s: got %q, want %q and that the question is still open", tt.audio.Name, m.Text, tt.want)
		}
	}
	if len(srv.Requests()) != 1 {
		t.Fatalf("%d transcriptions, want only the silence one: limits are checked before download", len(srv.Requests()))
	}
	if _, open := b.OpenSession(user, dm); !open {
		t.Fatal("a refused recording closed the question")
	}
}

func TestVoiceWithoutTranscriber(t *testing.T) {
	b, plat, _ := harness(t, nil)
	b.Handle(context.Background(), bot.Event{User: user, Conv: dm, Text: "practice consensus"})
	plat.NextKind(t, bot.MsgQuestion)
	b.Handle(context.Background(), bot.Event{User: user, Conv: dm, Audio: voice(t, "answer.ogg", "audio/ogg", 8*time.Second)})
	m := plat.NextKind(t, bot.MsgError)
	if !strings.Contains(m.Text, "set `speech`") || !strings.Contains(m.Text, "type your answer") {
		t.Fatalf("got %q", m.Text)
	}
	b.Handle(context.Background(), bot.Event{User: user, Conv: dm, Text: "Raft uses terms as a logical clock; each server votes once per term and a candidate needs a majority, with randomized timeouts."})
	plat.NextKind(t, bot.MsgVerdict)
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 0
	}
	return len(p), nil
}

func TestVoiceTranscriberDownIsAClearMessage(t *testing.T) {
	srv := openaitest.New()
	defer srv.Close()
	srv.Default = func(openaitest.Request) openaitest.Reply { return openaitest.Error(503, "overloaded") }
	b, plat, _ := harness(t, newTranscriber(srv))
	b.Handle(context.Background(), bot.Event{User: user, Conv: dm, Text: "practice consensus"})
	plat.NextKind(t, bot.MsgQuestion)
	b.Handle(context.Background(), bot.Event{User: user, Conv: dm, Audio: voice(t, "answer.ogg", "audio/ogg", 8*time.Second)})
	m := plat.NextKind(t, bot.MsgError)
	if !strings.Contains(m.Text, "couldn't transcribe") || !strings.Contains(m.Text, "still open") || strings.Contains(m.Text, "503") {
		t.Fatalf("got %q, want a friendly message without the server's error", m.Text)
	}
	if n := len(srv.Requests()); n < 2 {
		t.Fatalf("%d requests, want the call retried", n)
	}
	if _, open := b.OpenSession(user, dm); !open {
		t.Fatal("the question was closed")
	}
}

// TestTranscribeDeadline: a hung server is given up on once the transcription's deadline
// passes, retries included, instead of after every retry's own timeout.
func TestTranscribeDeadline(t *testing.T) {
	srv := openaitest.New()
	defer srv.Close()
	srv.Default = func(openaitest.Request) openaitest.Reply { return openaitest.Reply{Delay: 5 * time.Second, Body: "{}"} }
	tr := openai.NewTranscriber(openai.New(openai.Config{BaseURL: srv.BaseURL(), APIKey: "sk-speech", Model: "whisper-1",
		Timeout: 300 * time.Millisecond, MaxRetries: 3, BackoffBase: time.Millisecond, BackoffMax: 2 * time.Millisecond}))
	tr.Deadline = 400 * time.Millisecond
	start := time.Now()
	_, err := tr.Transcribe(context.Background(), "a.ogg", fixture(t, "answer.ogg"))
	if took := time.Since(start); err == nil || took > 800*time.Millisecond {
		t.Fatalf("got error %v after %v, want one within the 400ms deadline", err, took)
	}
	if n := len(srv.Requests()); n != 2 {
		t.Fatalf("got %d uploads, want 2 (a 300ms attempt, then one cut short by the deadline)", n)
	}
}

// TestTranscribeRefusals: what trying again cannot mend is not retried, and says which it is.
func TestTranscribeRefusals(t *testing.T) {
	for _, tt := range []struct {
		name  string
		reply openaitest.Reply
		want  error
		check string // in the ERROR logged for the operator, "" for none
	}{
		{"bad format", openaitest.Error(400, "Invalid file format. Supported formats: ['flac', 'm4a', 'mp3']"), bot.ErrRecordingRejected, ""},
		{"too large", openaitest.Error(413, "Maximum content size limit exceeded"), bot.ErrRecordingRejected, ""},
		{"bad key", openaitest.Error(401, "Incorrect API key provided: sk-abc***xyz"), bot.ErrTranscriptionRefused, "check speech.api_key"},
		{"unknown model", openaitest.Error(404, "The model whisper-9 does not exist"), bot.ErrTranscriptionRefused, "check speech.api_key"},
		{"proxy login page", openaitest.Reply{Header: map[string]string{"Content-Type": "text/html"}, Body: "<html>Sign in</html>"}, bot.ErrTranscriptionRefused, "check speech.base_url"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			srv := openaitest.New()
			defer srv.Close()
			srv.Default = func(openaitest.Request) openaitest.Reply { return tt.reply }
			var logs bottest.Buffer
			tr := openai.NewTranscriber(openai.New(openai.Config{BaseURL: srv.BaseURL(), APIKey: "sk-speech", Model: "whisper-1",
				BackoffBase: time.Millisecond, BackoffMax: 2 * time.Millisecond, Logger: slog.New(slog.NewTextHandler(&logs, nil))}))
			_, err := tr.Transcribe(context.Background(), "a.ogg", fixture(t, "answer.ogg"))
			if !errors.Is(err, tt.want) {
				t.Fatalf("got %v, want %v", err, tt.want)
			}
			if n := len(srv.Requests()); n != 1 {
				t.Errorf("got %d uploads, want 1", n)
			}
			logged := logs.String()
			if tt.check != "" && (strings.Count(logged, "level=ERROR") != 1 || !strings.Contains(logged, tt.check)) || tt.check == "" && logged != "" {
				t.Errorf("logged %q, want one ERROR saying %q, or nothing", logged, tt.check)
			}
			if strings.Contains(logged+err.Error(), "sk-abc") {
				t.Errorf("the server's message, which quotes the key, reached the log or the error: %q %v", logged, err)
			}
		})
	}
}

func TestVoiceRejectedRecordingIsNotTemporary(t *testing.T) {
	srv := openaitest.New()
	defer srv.Close()
	srv.Default = func(openaitest.Request) openaitest.Reply { return openaitest.Error(400, "Invalid file format.") }
	b, plat, _ := harness(t, newTranscriber(srv))
	b.Handle(context.Background(), bot.Event{User: user, Conv: dm, Text: "practice consensus"})
	plat.NextKind(t, bot.MsgQuestion)
	b.Handle(context.Background(), bot.Event{User: user, Conv: dm, Audio: voice(t, "answer.ogg", "audio/ogg", 8*time.Second)})
	m := plat.NextKind(t, bot.MsgError)
	if !strings.Contains(m.Text, "couldn't read that recording (its format or size)") || !strings.Contains(m.Text, "type your answer") || strings.Contains(m.Text, "in a moment") {
		t.Fatalf("got %q, want the recording named as unreadable and typing suggested, not a retry later", m.Text)
	}
	if n := len(srv.Requests()); n != 1 {
		t.Fatalf("got %d uploads, want 1", n)
	}
}
