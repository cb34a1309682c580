package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/quorum-dev/quorum/adapters/console"
	"github.com/quorum-dev/quorum/bot"
)

func cmdExport(ctx context.Context, e env, args []string) error {
	fs, cfgFile := newFlags(e, "export")
	user := fs.String("user", "", "whose data, as platform:id (default: you at this terminal, "+console.User().Key()+")")
	out := fs.String("out", "", "where to write the JSON, a file or a folder, - for standard output (default: quorum-export-DATE.json here)")
	if err := parseFlags(fs, args, false); err != nil {
		return err
	}
	u := console.User()
	if *user != "" {
		platform, id, ok := strings.Cut(*user, ":")
		if !ok || platform == "" || id == "" {
			return usagef("--user %q must be platform:id, such as discord:123456789 or slack:U024BE7LH", *user)
		}
		u = bot.User{Platform: platform, ID: id}
	}
	a, err := load(*cfgFile, nil)
	if err != nil {
		return err
	}
	defer a.close()
	if err := a.openStore(e.stderr); err != nil {
		return err
	}
	b := bot.New(bot.Config{Bank: a.bank, Grader: a.grader, Store: a.store})
	d, data, err := b.Export(ctx, u)
	if err != nil {
		return err
	}
	if *out == "-" {
		_, err := e.stdout.Write(data)
		return err
	}
	path, err := console.WriteFile(*out, bot.File{Name: bot.ExportFileName(time.Now().UTC()), ContentType: "application/json", Data: data})
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "Wrote %d stored records about %s to %s\n", d.Records(), u.Key(), path)
	return nil
}
