package main

import (
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/quorum-dev/quorum/bot"
)

var fileLine = regexp.MustCompile(`^fuzz\.yaml:\d+: `)

// FuzzParseConfig checks config parsing: every error line is `file:line: message` and
// never shows an expanded secret; a config that parses has every value in its range.
// `go test -fuzz=FuzzParseConfig -fuzztime=30s ./cmd/quorum` explores further.
func FuzzParseConfig(f *testing.F) {
	example, err := os.ReadFile("../../config.example.yaml")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(example)
	for _, s := range []string{
		"", "store: { path: q.db }\n", "practice: { time_limit: 2m, grace: 0s, pass_score: 100 }\n",
		"practice: { time_limit: 1s }\n", "practice: { pass_score: 150 }\n", "grader: { mode: llm }\n",
		"llm: { api_key: \"${SECRET}\", max_retries: 99 }\n", "discord: { enabled: true, token: ${SECRET} }\n",
		"discord: { enabled: true }\n", "slack: { enabled: true, app_token: x }\n", "log: { level: loud }\n",
		"packs: [a.yaml, /abs/b.yaml]\n", "unknown: 1\n", "store: [1, 2]\n", "practice: { time_limit: forever }\n",
		"a: &x { b: 1 }\nstore: *x\n", "store:\n\tpath: tab\n", "- just\n- a list\n", "{{{", "store: { path: ${UNSET:-dflt} }\n",
	} {
		f.Add([]byte(s))
	}
	const secret = "s3cr3t-t0ken-value"
	lookup := func(k string) (string, bool) {
		if k == "SECRET" {
			return secret, true
		}
		return "", false
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := ParseConfig("fuzz.yaml", data, lookup)
		if err != nil {
			for _, line := range strings.Split(err.Error(), "\n") {
				if !fileLine.MatchString(line) {
					t.Fatalf("error line %q is not file:line: message", line)
				}
			}
			if strings.Contains(err.Error(), secret) && !strings.Contains(string(data), secret) {
				t.Fatalf("an error shows the expanded secret: %v", err)
			}
			return
		}
		tl := time.Duration(c.Practice.TimeLimit)
		switch {
		case c.Store.Path == "":
			t.Fatal("empty store path")
		case tl < bot.MinTimeLimit || tl > bot.MaxTimeLimit:
			t.Fatalf("time limit %s", tl)
		case c.Practice.PassScore < 1 || c.Practice.PassScore > 100:
			t.Fatalf("pass score %d", c.Practice.PassScore)
		case c.Grader.Mode != "auto" && c.Grader.Mode != "llm" && c.Grader.Mode != "rubric":
			t.Fatalf("grader mode %q", c.Grader.Mode)
		case c.LLM.MaxConcurrency < 1:
			t.Fatalf("max concurrency %d", c.LLM.MaxConcurrency)
		case c.Discord.Enabled && c.Discord.Token == "":
			t.Fatal("discord enabled without a token")
		}
	})
}
