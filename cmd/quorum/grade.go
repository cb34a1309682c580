package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/quorum-dev/quorum/bot"
)

func cmdGrade(ctx context.Context, e env, args []string) error {
	fs, cfgFile := newFlags(e, "grade")
	var packs stringList
	fs.Var(&packs, "pack", "an extra pack file (repeatable)")
	qid := fs.String("question", "", "the question the answer is for (id or pack/id)")
	answerFile := fs.String("answer-file", "", "read the answer from this file (default: standard input)")
	audio := fs.String("audio", "", "grade a spoken answer from this audio file")
	asJSON := fs.Bool("json", false, "print the verdict as one JSON object")
	if err := parseFlags(fs, args, false); err != nil {
		return err
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
	if *audio != "" {
		return fmt.Errorf("cannot grade %s: spoken answers need a transcription server (speech settings), which this build does not have yet; type the answer instead", *audio)
	}
	text, err := readAnswer(e, *answerFile)
	if err != nil {
		return err
	}
	limit := q.TimeLimit
	if limit == 0 {
		limit = time.Duration(a.cfg.Practice.TimeLimit)
	}
	v, err := a.grader.Grade(ctx, q, bot.Answer{Text: text, TimeLimit: limit})
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
	return string(data), nil
}

func printVerdict(w io.Writer, v *bot.Verdict, asJSON bool) error {
	if asJSON {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(v.JSON())
	}
	_, err := fmt.Fprintln(w, bot.VerdictText(v))
	return err
}
