package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/quorum-dev/quorum/adapters/console"
	"github.com/quorum-dev/quorum/adapters/openai"
	"github.com/quorum-dev/quorum/bot"
	"github.com/quorum-dev/quorum/bot/rubric"
	"github.com/quorum-dev/quorum/prompts"
	"github.com/quorum-dev/quorum/store"
)

// app is what the terminal commands share: config, bank, grader, and the store once opened.
type app struct {
	cfg         *Config
	bank        *bot.Bank
	grader      bot.Grader
	transcriber bot.Transcriber // nil when speech is not configured
	store       *store.Store
}

// load reads the config and the packs (embedded, from config, and from --pack).
func load(cfgFile string, packs []string) (*app, error) {
	cfg, err := LoadConfig(cfgFile, nil)
	if err != nil {
		return nil, err
	}
	bank, err := prompts.LoadBank(append(slices.Clone(cfg.Packs), packs...)...)
	if err != nil {
		return nil, err
	}
	log := newLogger(os.Stderr, quiet(cfg))
	g, err := newGrader(cfg, log)
	if err != nil {
		return nil, err
	}
	return &app{cfg: cfg, bank: bank, grader: g, transcriber: newTranscriber(cfg, log)}, nil
}

// newTranscriber returns the transcriber of the speech settings (the LLM's where they are
// empty), or nil when neither names a server.
func newTranscriber(cfg *Config, log *slog.Logger) bot.Transcriber {
	base, key := cfg.Speech.BaseURL, cfg.Speech.APIKey
	if base == "" && key == "" {
		if cfg.LLM.APIKey == "" && !cfg.llmBaseURLSet {
			return nil
		}
		base, key = cfg.LLM.BaseURL, cfg.LLM.APIKey
	}
	if base == "" {
		base = DefaultConfig().LLM.BaseURL
	}
	retries := cfg.LLM.MaxRetries
	if retries == 0 {
		retries = -1 // openai.Config reads zero as "the default"
	}
	client := openai.New(openai.Config{BaseURL: base, APIKey: key, Model: cfg.Speech.Model,
		Timeout: 2 * time.Duration(cfg.LLM.Timeout), MaxConcurrency: cfg.LLM.MaxConcurrency, MaxRetries: retries,
		Logger: log, Observe: cfg.observeLLM})
	return openai.NewTranscriber(client)
}

// audioFile is a recording on disk as a bot.Audio.
func audioFile(path string) (*bot.Audio, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("read recording: %w", err)
	}
	return &bot.Audio{Name: filepath.Base(path), Size: fi.Size(), Open: func(context.Context) (io.ReadCloser, error) {
		return os.Open(path)
	}}, nil
}

// newGrader returns the grader the config asks for: the LLM (with the rubric behind
// it) or the rubric alone.
func newGrader(cfg *Config, log *slog.Logger) (bot.Grader, error) {
	r := rubric.New(rubric.Options{PassScore: cfg.Practice.PassScore})
	if !cfg.UseLLM() {
		return r, nil
	}
	return openai.NewGrader(newLLMClient(cfg, log), r)
}

func newLLMClient(cfg *Config, log *slog.Logger) *openai.Client {
	retries := cfg.LLM.MaxRetries
	if retries == 0 {
		retries = -1 // openai.Config reads zero as "the default"
	}
	return openai.New(openai.Config{
		BaseURL: cfg.LLM.BaseURL, APIKey: cfg.LLM.APIKey, Model: cfg.LLM.Model,
		Timeout: time.Duration(cfg.LLM.Timeout), MaxConcurrency: cfg.LLM.MaxConcurrency,
		ResponseFormat: cfg.LLM.ResponseFormat, MaxRetries: retries, Logger: log, Observe: cfg.observeLLM,
	})
}

// quiet is the config with info logs turned down, for commands that own the terminal.
func quiet(cfg *Config) *Config {
	c := *cfg
	if c.Log.Level == "info" {
		c.Log.Level = "error"
	}
	return &c
}

// openStore opens the configured store, and warns on stderr when its file was there but
// empty: a restore that failed half-way leaves one, and the store would look unused.
func (a *app) openStore(stderr io.Writer) error {
	st, err := store.Open(a.cfg.Store.Path, time.Duration(a.cfg.Store.LockTimeout))
	if err != nil {
		return storeOpenError(a.cfg.Store.Path, err)
	}
	if st.WasEmpty() {
		fmt.Fprintln(stderr, emptyStoreWarning(a.cfg.Store.Path))
	}
	a.store = st
	return nil
}

// emptyStoreWarning is the line a command prints when store.Store.WasEmpty.
func emptyStoreWarning(path string) string {
	return fmt.Sprintf("quorum: warning: %s was empty; starting a new store (if a backup was being restored into it, that copy failed)", path)
}

// storeOpenError is the sentence for a store at path that would not open.
func storeOpenError(path string, err error) error {
	switch {
	case errors.Is(err, store.ErrInUse):
		return fmt.Errorf("%s is in use by another Quorum process (a running bot?); stop it, or use another store.path in the config", path)
	case errors.Is(err, fs.ErrPermission):
		return fmt.Errorf("Quorum may not read or write its store %s (permission denied): give yourself access to the file and its folder, or set store.path in the config to a place you can write", path)
	}
	return err
}

// terminalBot starts a Bot on the terminal platform, for the commands that converse.
func (a *app) terminalBot(ctx context.Context, e env) (*console.Adapter, *bot.Bot, error) {
	con := console.New()
	b := bot.New(bot.Config{
		Bank: a.bank, Grader: a.grader, Store: a.store, Logger: newLogger(e.stderr, quiet(a.cfg)), Transcriber: a.transcriber,
		TimeLimit: time.Duration(a.cfg.Practice.TimeLimit), Grace: time.Duration(a.cfg.Practice.Grace),
	})
	b.AddPlatform(con)
	if err := b.Start(ctx); err != nil {
		return nil, nil, err
	}
	return con, b, nil
}

func (a *app) close() {
	if a.store != nil {
		a.store.Close()
	}
}

func cmdPractice(ctx context.Context, e env, args []string) error {
	fs, cfgFile := newFlags(e, "practice")
	var packs stringList
	fs.Var(&packs, "pack", "an extra pack file (repeatable)")
	topic := fs.String("topic", "", "only questions on this topic")
	difficulty := fs.String("difficulty", "", "easy, medium or hard")
	kind := fs.String("kind", "", "concept, design, coding, paper or behavioral")
	qid := fs.String("question", "", "ask this question (id or pack/id)")
	limit := fs.Duration("time-limit", 0, "time to answer (default: the question's, else the config's 3m)")
	audio := fs.String("audio", "", "answer with this recording (ogg, m4a, mp4, webm, mp3, wav) instead of typing")
	asJSON := fs.Bool("json", false, "print the verdict as one JSON object")
	if err := parseFlags(fs, args, false); err != nil {
		return err
	}
	if *limit != 0 && (*limit < bot.MinTimeLimit || *limit > bot.MaxTimeLimit) {
		return usagef("--time-limit %s must be between %s and %s", *limit, bot.MinTimeLimit, bot.MaxTimeLimit)
	}
	a, err := load(*cfgFile, packs)
	if err != nil {
		return err
	}
	defer a.close()
	filter, err := flagFilter(a.bank, *topic, *difficulty, *kind)
	if err != nil {
		return err
	}
	if err := a.openStore(e.stderr); err != nil {
		return err
	}

	var rec *bot.Audio
	if *audio != "" {
		if a.transcriber == nil {
			return errNoSpeech // before a question is asked and stored
		}
		if rec, err = audioFile(*audio); err != nil {
			return err
		}
	}
	con, b, err := a.terminalBot(ctx, e)
	if err != nil {
		return err
	}
	defer b.Close()

	var q *bot.Question
	if *qid != "" {
		if q, err = a.bank.Lookup(*qid); err != nil {
			return err
		}
	} else {
		q, err = b.Pick(ctx, console.User(), filter)
		if err != nil {
			return err
		}
	}
	if *limit != 0 {
		cp := *q
		cp.TimeLimit = *limit
		q = &cp
	}
	_, err = con.Practice(ctx, b, q, console.Options{
		In: e.stdin, Out: e.stdout, Err: e.stderr, JSON: *asJSON, Audio: rec,
		Interactive: rec == nil && console.IsTerminal(e.stdin),
	})
	if errors.Is(err, console.ErrNoVerdict) {
		return errSilent
	}
	if err != nil {
		return err
	}
	if !*asJSON {
		fmt.Fprintf(e.stderr, "\nSaved to %s. `quorum stats` shows your progress; `quorum practice` asks another.\n", a.cfg.Store.Path)
	}
	return nil
}

// errNoSpeech: --audio without speech settings, said for the terminal (the core's
// message speaks of the bot's owner and an open question).
var errNoSpeech = errors.New("--audio needs a speech-to-text server: set speech (or llm) in quorum.yaml (see \"Spoken answers\" in the README), or type your answer")

// flagFilter checks --topic, --difficulty and --kind against the bank.
func flagFilter(bank *bot.Bank, topic, difficulty, kind string) (bot.Filter, error) {
	f := bot.Filter{Topic: strings.ToLower(topic), Difficulty: strings.ToLower(difficulty), Kind: strings.ToLower(kind)}
	if f.Topic != "" && !slices.Contains(bank.Topics(), f.Topic) {
		if f.Tag = bank.Tag(f.Topic); f.Tag == "" {
			return f, usagef("unknown topic %q; topics: %s; or a tag such as kafka, raft, etcd (see `quorum packs list`)", topic, strings.Join(bank.Topics(), ", "))
		}
		f.Topic = ""
	}
	if f.Difficulty != "" && !slices.Contains(bot.Difficulties, f.Difficulty) {
		return f, usagef("unknown difficulty %q; use easy, medium or hard", difficulty)
	}
	if f.Kind != "" && !slices.Contains(bot.Kinds, f.Kind) {
		return f, usagef("unknown kind %q; use %s", kind, strings.Join(bot.Kinds, ", "))
	}
	if len(bank.Select(f)) == 0 {
		return f, usagef("no questions match %s", describe(f))
	}
	return f, nil
}

func describe(f bot.Filter) string {
	var parts []string
	for _, kv := range [][2]string{{"topic", f.Topic}, {"tag", f.Tag}, {"difficulty", f.Difficulty}, {"kind", f.Kind}} {
		if kv[1] != "" {
			parts = append(parts, kv[0]+"="+kv[1])
		}
	}
	return strings.Join(parts, ", ")
}
