package main

import (
	"context"
	"fmt"

	"github.com/quorum-dev/quorum/adapters/console"
	"github.com/quorum-dev/quorum/bot"
)

func cmdStats(ctx context.Context, e env, args []string) error {
	fs, cfgFile := newFlags(e, "stats")
	chartPath := fs.String("chart", bot.ChartName, "where to write the PNG chart of your scores (a file or a folder)")
	noChart := fs.Bool("no-chart", false, "do not write the chart")
	if err := parseFlags(fs, args, false); err != nil {
		return err
	}
	a, err := load(*cfgFile, nil)
	if err != nil {
		return err
	}
	defer a.close()
	if err := a.openStore(e.stderr); err != nil {
		return err
	}
	b := bot.New(bot.Config{Bank: a.bank, Grader: a.grader, Store: a.store, PassScore: a.cfg.Practice.PassScore})
	msg, err := b.StatsMessage(ctx, console.User(), console.Conversation())
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%s (%s)\n\n%s\n", msg.Title, a.cfg.Store.Path, msg.Text)
	if *noChart || *chartPath == "" {
		return nil
	}
	for _, f := range msg.Files {
		path, err := console.WriteFile(*chartPath, f)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "\nChart written to %s\n", path)
	}
	return nil
}
