package main

import (
	"context"
	"flag"
	"fmt"
	"strings"

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
	if *noChart && flagSet(fs, "chart") {
		return usagef("give --chart FILE or --no-chart, not both")
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
	stats := b.StatsMessage
	if *noChart || *chartPath == "" {
		stats = b.StatsSummary // no chart drawn, and none named in the text
	}
	msg, err := stats(ctx, console.User(), console.Conversation())
	if err != nil {
		return err
	}
	var written []string
	for _, f := range msg.Files {
		path, err := console.WriteFile(*chartPath, f)
		if err != nil {
			return err
		}
		written = append(written, path)
		// The text names the chart by its default name: name the file written.
		msg.Text = strings.Replace(msg.Text, "Chart: "+f.Name+",", "Chart: "+path+",", 1)
	}
	fmt.Fprintf(e.stdout, "%s (%s)\n\n%s\n", msg.Title, a.cfg.Store.Path, msg.Text)
	for _, path := range written {
		fmt.Fprintf(e.stdout, "\nChart written to %s\n", path)
	}
	return nil
}

// flagSet reports whether the flag name was given on the command line.
func flagSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}
