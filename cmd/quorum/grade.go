package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/quorum-dev/quorum/bot"
	"github.com/quorum-dev/quorum/internal/yamlx"
	"go.yaml.in/yaml/v3"
)

func cmdGrade(ctx context.Context, e env, args []string) error {
	fs, cfgFile := newFlags(e, "grade")
	var packs stringList
	fs.Var(&packs, "pack", "an extra pack file (repeatable)")
	qid := fs.String("question", "", "the question the answer is for (id or pack/id)")
	answerFile := fs.String("answer-file", "", "read the answer from this file (default: standard input)")
	audio := fs.String("audio", "", "grade a spoken answer from this audio file")
	asJSON := fs.Bool("json", false, "print the verdict as one JSON object")
	eval := fs.String("eval", "", "grade a labelled set (a YAML file, or a folder of them) and report agreement")
	misses := fs.Bool("misses", false, "with --eval, list every answer graded against its label")
	if err := parseFlags(fs, args, false); err != nil {
		return err
	}
	if *misses && *eval == "" {
		return usagef("--misses lists the misses of --eval FILE|DIR; give --eval too")
	}
	if *eval != "" {
		return cmdEval(ctx, e, *cfgFile, packs, *eval, *asJSON, *misses)
	}
	if *qid == "" {
		return usagef("grade needs --question ID (`quorum packs list` shows the ids)")
	}
	if *answerFile != "" && *audio != "" {
		return usagef("give --answer-file or --audio, not both")
	}
	a, err := load(*cfgFile, packs)
	if err != nil {
		return err
	}
	q, err := a.bank.Lookup(*qid)
	if err != nil {
		return err
	}
	limit := q.TimeLimit
	if limit == 0 {
		limit = time.Duration(a.cfg.Practice.TimeLimit)
	}
	ans := bot.Answer{TimeLimit: limit}
	if *audio != "" {
		if a.transcriber == nil {
			return errNoSpeech
		}
		rec, err := audioFile(*audio)
		if err != nil {
			return err
		}
		var problem string
		ans, problem = bot.TranscribeAnswer(ctx, a.transcriber, rec, limit, time.Duration(a.cfg.Practice.Grace), newLogger(e.stderr, quiet(a.cfg)))
		if problem != "" {
			return errors.New(problem)
		}
	} else {
		text, err := readAnswer(e, *answerFile)
		if err != nil {
			return err
		}
		ans.Text = text
	}
	v, err := a.grader.Grade(ctx, q, ans)
	if err != nil {
		return fmt.Errorf("grade: %w", err)
	}
	return printVerdict(e.stdout, v, *asJSON)
}

// readAnswer reads an answer from a file, or from standard input to EOF.
func readAnswer(e env, file string) (string, error) {
	var r io.Reader = e.stdin
	if file != "" {
		f, err := os.Open(file)
		if err != nil {
			return "", fmt.Errorf("read answer: %w", err)
		}
		defer f.Close()
		r = f
	}
	data, err := io.ReadAll(io.LimitReader(r, bot.MaxAnswerBytes+1))
	if err != nil {
		return "", fmt.Errorf("read answer: %w", err)
	}
	if len(data) > bot.MaxAnswerBytes {
		return "", fmt.Errorf("the answer is longer than %d bytes; shorten it", bot.MaxAnswerBytes)
	}
	if bot.LooksBinary(string(data)) {
		from := "standard input"
		if file != "" {
			from = file
		}
		return "", fmt.Errorf("%s looks like binary data, not a typed answer; give a text file, or --audio FILE for a recording", from)
	}
	return string(data), nil
}

func printVerdict(w io.Writer, v *bot.Verdict, asJSON bool) error {
	if asJSON {
		return json.NewEncoder(w).Encode(v.JSON()) // one line, as practice --json prints it
	}
	_, err := fmt.Fprintln(w, bot.VerdictText(v))
	return err
}

// cmdEval grades a labelled set and prints agreement, false-pass and false-fail rates by kind.
func cmdEval(ctx context.Context, e env, cfgFile string, packs []string, path string, asJSON, misses bool) error {
	fi, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("read labelled set: %w", err)
	}
	files := []string{path}
	if fi.IsDir() {
		// A folder (and the folders in it) holds labelled sets, and may hold the packs
		// they answer: those are loaded as packs.
		files = nil
		err := filepath.WalkDir(path, func(f string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			switch strings.ToLower(filepath.Ext(f)) {
			case ".yaml", ".yml", ".json":
				if !d.IsDir() {
					files = append(files, f)
				}
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("read labelled sets: %w", err)
		}
		if len(files) == 0 {
			return fmt.Errorf("no .yaml, .yml or .json files in %s", path)
		}
	}
	contents := map[string][]byte{}
	var sets []string
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return fmt.Errorf("read labelled set: %w", err)
		}
		if isPack(data) {
			packs = append(packs, f)
			continue
		}
		contents[f] = data
		sets = append(sets, f)
	}
	if len(sets) == 0 {
		return fmt.Errorf("%s holds question packs but no labelled answers", path)
	}
	a, err := load(cfgFile, packs)
	if err != nil {
		return err
	}
	var set []bot.Labelled
	for _, f := range sets {
		items, warnings, err := bot.ParseLabelled(f, contents[f])
		if label, answer := bot.LooksLabelled(contents[f]); err != nil && fi.IsDir() && !(label && answer) {
			// Some other file in the folder (a config, notes, labels kept apart from
			// their answers): not a set.
			why := "neither a labelled set nor a question pack"
			if label {
				why = "it has labels but no answers to grade (each item needs an answer field)"
			}
			fmt.Fprintf(e.stderr, "skipped %s: %s\n", f, why)
			continue
		}
		if err != nil {
			return err
		}
		for _, w := range warnings {
			fmt.Fprintf(e.stderr, "warning: %s\n", w)
		}
		set = append(set, items...)
	}
	if len(set) == 0 {
		return fmt.Errorf("no labelled answers in %s", path)
	}
	var progress func(done, total int)
	if f, ok := e.stderr.(*os.File); ok && isTerminal(f) {
		progress = func(done, total int) {
			if done%10 == 0 || done == total {
				fmt.Fprintf(e.stderr, "\rgrading %d/%d", done, total)
			}
			if done == total {
				fmt.Fprintln(e.stderr)
			}
		}
	}
	rep, err := bot.Evaluate(ctx, a.grader, a.bank, set, progress)
	if err != nil {
		return err
	}
	if n := len(rep.Skipped); n > 0 {
		fmt.Fprintf(e.stderr, "skipped %d labelled answers whose question is in no pack loaded (add it with --pack):\n", n)
		for _, s := range rep.Skipped[:min(n, 10)] {
			fmt.Fprintf(e.stderr, "  %s\n", s)
		}
	}
	if asJSON {
		enc := json.NewEncoder(e.stdout) // one object on one line, as README says of --json
		out := struct {
			*bot.EvalReport
			Agreement     float64 `json:"agreement"`
			FalsePassRate float64 `json:"false_pass_rate"`
			FalseFailRate float64 `json:"false_fail_rate"`
		}{rep, rep.Total.Agreement(), rep.Total.FalsePassRate(), rep.Total.FalseFailRate()}
		return enc.Encode(out)
	}
	fmt.Fprint(e.stdout, rep.Text())
	if misses {
		fmt.Fprintf(e.stdout, "\n%d answers graded against their label:\n", len(rep.Misses))
		for _, m := range rep.Misses {
			fmt.Fprintf(e.stdout, "%s  %s  %s labelled %s, graded %s: %s\n", m.Source, m.Question, m.Kind, m.Label, m.Verdict, m.Summary)
		}
	}
	return nil
}

// isPack reports a YAML document that is a question pack (a mapping with pack and
// questions) rather than a labelled set (a list).
func isPack(data []byte) bool {
	root, err := yamlx.Parse(data)
	if err != nil || root.Kind != yaml.MappingNode {
		return false
	}
	keys := map[string]bool{}
	for i := 0; i+1 < len(root.Content); i += 2 {
		keys[root.Content[i].Value] = true
	}
	return keys["pack"] && keys["questions"]
}
