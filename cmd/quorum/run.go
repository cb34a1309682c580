package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"github.com/quorum-dev/quorum/adapters/prometheus"
	"github.com/quorum-dev/quorum/bot"
	"github.com/quorum-dev/quorum/prompts"
)

// runner is a chat platform the bot serves: it delivers messages, and Run feeds
// events to the bot until ctx ends.
type runner interface {
	bot.Platform
	Run(ctx context.Context, h bot.Handler) error
}

// shutdownGrace is how long answers being graded may take once a stop signal came.
const shutdownGrace = 20 * time.Second

func cmdRun(ctx context.Context, e env, args []string) error {
	fs, cfgFile := newFlags(e, "run")
	if err := parseFlags(fs, args, false); err != nil {
		return err
	}
	cfg, err := LoadConfig(*cfgFile, nil)
	if err != nil {
		return err
	}
	log := newLogger(e.stderr, cfg)
	var metrics *prometheus.Metrics
	if cfg.Metrics.Listen != "" {
		metrics = prometheus.New(version)
		cfg.observeLLM = metrics.LLMCall
	}
	platforms, err := newPlatforms(cfg, log, metrics)
	if err != nil {
		return err
	}
	if len(platforms) == 0 {
		return fmt.Errorf("nothing to run: enable discord or slack in the config (see config.example.yaml), or use `quorum practice` in the terminal")
	}
	bank, err := prompts.LoadBank(cfg.Packs...)
	if err != nil {
		return err
	}
	grader, err := newGrader(cfg, log)
	if err != nil {
		return err
	}
	writer, err := newWriter(cfg, log)
	if err != nil {
		return err
	}
	a := &app{cfg: cfg, bank: bank, grader: grader, transcriber: newTranscriber(cfg, log)}
	// The admin server comes up first, so probes see "not ready" (503) while starting.
	var ad *admin
	stopAdmin := func() {}
	if metrics != nil {
		ad = &admin{log: log.With("component", "admin"), metrics: metrics, platforms: platforms}
		addr, stop, err := ad.serve(cfg.Metrics.Listen)
		if err != nil {
			return err
		}
		stopAdmin = stop
		log.Info("metrics listening", "addr", addr)
	}
	if err := a.openStore(e.stderr); err != nil {
		stopAdmin()
		return err
	}
	defer a.close()
	defer stopAdmin() // before the store closes: a backup in flight finishes first
	bc := bot.Config{
		Bank: bank, Grader: grader, Store: a.store, Logger: log, Writer: writer, Transcriber: a.transcriber,
		TimeLimit: time.Duration(cfg.Practice.TimeLimit), Grace: time.Duration(cfg.Practice.Grace), PassScore: cfg.Practice.PassScore,
		DrillFeedbackPrivate: cfg.Drills.Feedback == "private",
		Limits:               bot.Limits{AnswersPerHour: cfg.Limits.AnswersPerHour, AudioPerHour: cfg.Limits.AudioPerHour, CommandsPerMinute: cfg.Limits.CommandsPerMinute},
	}
	if metrics != nil {
		bc.Metrics = metrics // only when set: a nil *Metrics in the interface would not be nil
	}
	b := bot.New(bc)
	for _, p := range platforms {
		b.AddPlatform(p)
	}
	if ad != nil {
		ad.store.Store(a.store)
	}
	if err := b.Start(ctx); err != nil {
		return err
	}
	if ad != nil {
		metrics.OpenSessions(b.OpenSessions)
		metrics.Ready(func() bool { ok, _ := ad.ready(); return ok })
		ad.started.Store(true)
	}
	log.Info("quorum running", "version", version, "platforms", len(platforms), "questions", len(bank.Questions()), "llm", cfg.UseLLM())

	// A second signal exits at once.
	go func() {
		<-ctx.Done()
		sig := make(chan os.Signal, 1)
		signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
		<-sig
		fmt.Fprintln(e.stderr, "quorum: second signal, exiting now")
		os.Exit(1)
	}()

	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	errs := make(chan error, len(platforms))
	var wg sync.WaitGroup
	for _, p := range platforms {
		wg.Add(1)
		go func(p runner) {
			defer wg.Done()
			if err := p.Run(runCtx, b); err != nil && !errors.Is(err, context.Canceled) {
				errs <- err
				cancel() // one platform failing stops the others: the operator sees one clear error
			}
		}(p)
	}
	wg.Wait()
	close(errs)
	if ad != nil {
		ad.started.Store(false) // stopping: not ready for new work
	}

	// Let answers being graded finish, then close the store (deferred).
	done := make(chan struct{})
	go func() { b.Close(); close(done) }()
	select {
	case <-done:
	case <-time.After(shutdownGrace):
		log.Warn("gave up waiting for answers being graded", "after", shutdownGrace)
	}
	if err := <-errs; err != nil {
		return err
	}
	log.Info("quorum stopped")
	return nil
}
