package main

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/quorum-dev/quorum/adapters/console"
)

func cmdInterview(ctx context.Context, e env, args []string) error {
	fs, cfgFile := newFlags(e, "interview")
	var packs stringList
	fs.Var(&packs, "pack", "an extra pack file (repeatable)")
	topic := fs.String("topic", "", "keep the technical questions on this topic")
	out := fs.String("out", "", "also write the report to this Markdown file")
	if err := parseFlags(fs, args, false); err != nil {
		return err
	}
	a, err := load(*cfgFile, packs)
	if err != nil {
		return err
	}
	defer a.close()
	if _, err := flagFilter(a.bank, *topic, "", ""); err != nil {
		return err
	}
	if err := a.openStore(e.stderr); err != nil {
		return err
	}
	con, b, err := a.terminalBot(ctx, e)
	if err != nil {
		return err
	}
	defer b.Close()
	interactive := console.IsTerminal(e.stdin)
	if !interactive {
		fmt.Fprintf(e.stderr, "Reading the answers from standard input, separated by lines of %q.\n", console.AnswerSeparator)
	}
	rep, err := con.Interview(ctx, b, *topic, console.Options{In: e.stdin, Out: e.stdout, Err: e.stderr, Interactive: interactive})
	if errors.Is(err, console.ErrNoVerdict) {
		return errSilent
	}
	if err != nil {
		return err
	}
	if *out != "" {
		if err := os.WriteFile(*out, []byte(rep.Markdown()+"\n"), 0o644); err != nil {
			return fmt.Errorf("write report: %w", err)
		}
		fmt.Fprintf(e.stderr, "\nThe report is in %s.\n", *out)
	}
	return nil
}
