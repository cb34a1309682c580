package main

import (
	"context"
	"fmt"

	"github.com/quorum-dev/quorum/adapters/console"
	"github.com/quorum-dev/quorum/bot"
)

func cmdStats(ctx context.Context, e env, args []string) error {
	fs, cfgFile := newFlags(e, "stats")
	if err := parseFlags(fs, args, false); err != nil {
		return err
	}
	a, err := load(*cfgFile, nil)
	if err != nil {
		return err
	}
	defer a.close()
	if err := a.openStore(); err != nil {
		return err
	}
	b := bot.New(bot.Config{Bank: a.bank, Grader: a.grader, Store: a.store})
	msg, err := b.StatsMessage(ctx, console.User(), console.Conversation())
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%s (%s)\n\n%s\n", msg.Title, a.cfg.Store.Path, msg.Text)
	return nil
}
