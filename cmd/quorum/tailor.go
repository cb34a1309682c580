package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"github.com/quorum-dev/quorum/adapters/console"
	"github.com/quorum-dev/quorum/adapters/openai"
	"github.com/quorum-dev/quorum/bot"
	"github.com/quorum-dev/quorum/internal/doctext"
)

// maxProfileFile caps a resume or job-description file.
const maxProfileFile = 5 << 20

func cmdTailor(ctx context.Context, e env, args []string) error {
	fs, cfgFile := newFlags(e, "tailor")
	resume := fs.String("resume", "", "your resume (.txt, .md or .pdf)")
	jd := fs.String("jd", "", "the job description (.txt, .md or .pdf)")
	asJSON := fs.Bool("json", false, "print the chosen questions as JSON")
	if err := parseFlags(fs, args, false); err != nil {
		return err
	}
	if *resume == "" && *jd == "" {
		return usagef("tailor needs --resume FILE, --jd FILE or both")
	}
	a, err := load(*cfgFile, nil)
	if err != nil {
		return err
	}
	defer a.close()
	p := &bot.Profile{UpdatedAt: time.Now()}
	for _, f := range []struct {
		path string
		dst  *string
	}{{*resume, &p.Resume}, {*jd, &p.JobDescription}} {
		if f.path == "" {
			continue
		}
		text, err := doctext.Read(f.path, maxProfileFile)
		if err != nil {
			return err
		}
		*f.dst = text
	}
	if err := a.openStore(e.stderr); err != nil {
		return err
	}
	u := console.User()
	if old, err := a.store.Profile(ctx, u.Key()); err == nil {
		// A new resume keeps the saved job description, and the other way round.
		if p.Resume == "" {
			p.Resume = old.Resume
		}
		if p.JobDescription == "" {
			p.JobDescription = old.JobDescription
		}
	}
	if err := a.store.SaveProfile(ctx, u.Key(), p); err != nil {
		return err
	}
	log := newLogger(e.stderr, quiet(a.cfg))
	writer, err := newWriter(a.cfg, log)
	if err != nil {
		return err
	}
	if writer != nil {
		fmt.Fprintln(e.stderr, "Writing questions for you with the LLM (this can take a minute)...")
	}
	b := bot.New(bot.Config{Bank: a.bank, Grader: a.grader, Store: a.store, Writer: writer, Logger: log})
	pack, qs, err := b.Tailor(ctx, u)
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(struct {
			Source    string          `json:"source"`
			Dropped   int             `json:"dropped"`
			Questions []*bot.Question `json:"questions"`
		}{pack.Source, pack.Dropped, qs})
	}
	if len(qs) == 0 {
		fmt.Fprintln(e.stdout, "No bank question fits what those files say; add detail (technologies, the role) or just run `quorum practice`.")
		return nil
	}
	fmt.Fprintln(e.stdout, bot.PersonalPackText(pack, qs, *p))
	fmt.Fprintln(e.stdout, "\nRun `quorum practice` to answer them. `quorum forget` deletes your resume, job description and history.")
	return nil
}

// newWriter returns the LLM question writer when the config uses an LLM, else nil.
func newWriter(cfg *Config, log *slog.Logger) (bot.QuestionWriter, error) {
	if !cfg.UseLLM() {
		return nil, nil
	}
	return openai.NewWriter(newLLMClient(cfg, log))
}

func cmdForget(ctx context.Context, e env, args []string) error {
	fs, cfgFile := newFlags(e, "forget")
	yes := fs.Bool("yes", false, "do not ask for confirmation")
	if err := parseFlags(fs, args, false); err != nil {
		return err
	}
	a, err := load(*cfgFile, nil)
	if err != nil {
		return err
	}
	defer a.close()
	if !*yes {
		fmt.Fprintf(e.stderr, "This deletes your history, resume, job description and tailored questions from %s. Type yes to go ahead: ", a.cfg.Store.Path)
		var answer string
		fmt.Fscanln(e.stdin, &answer)
		if answer != "yes" {
			fmt.Fprintln(e.stderr, "Nothing was deleted.")
			return errSilent
		}
	}
	if err := a.openStore(e.stderr); err != nil {
		return err
	}
	n, err := a.store.Forget(ctx, console.User().Key())
	if err != nil {
		return err
	}
	noun := "records"
	if n == 1 {
		noun = "record"
	}
	fmt.Fprintf(e.stdout, "Deleted %d %s about %s.\n", n, noun, console.User().ID)
	return nil
}
