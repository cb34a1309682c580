package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/quorum-dev/quorum/bot/rubric"
	"github.com/quorum-dev/quorum/prompts"
)

func lookup(vars map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := vars[k]; return v, ok }
}

func TestConfigDefaultsAndEnv(t *testing.T) {
	data := []byte(`
store: { path: /var/lib/quorum/q.db }
practice:
  time_limit: 2m
llm:
  api_key: "${OPENAI_API_KEY}"
  model: ${MODEL:-gpt-4o-mini}
discord:
  enabled: true
  token: ${DISCORD_TOKEN}
packs: [team.yaml]
`)
	c, err := ParseConfig("/etc/quorum/quorum.yaml", data, lookup(map[string]string{"OPENAI_API_KEY": "sk-123", "DISCORD_TOKEN": "abc: #x"}))
	if err != nil {
		t.Fatal(err)
	}
	if c.LLM.APIKey != "sk-123" || c.LLM.Model != "gpt-4o-mini" || c.Discord.Token != "abc: #x" {
		t.Fatalf("env not expanded: key %q model %q token %q", c.LLM.APIKey, c.LLM.Model, c.Discord.Token)
	}
	if time.Duration(c.Practice.TimeLimit) != 2*time.Minute || time.Duration(c.Practice.Grace) != 10*time.Second || c.Practice.PassScore != 60 {
		t.Fatalf("got practice %+v, want 2m, default grace and pass score", c.Practice)
	}
	if c.Packs[0] != "/etc/quorum/team.yaml" {
		t.Fatalf("got pack path %q, want it relative to the config file", c.Packs[0])
	}
}

func TestConfigErrorsNameLine(t *testing.T) {
	tests := []struct {
		body, want string
	}{
		{"practice:\n  time_limit: soon\n", `quorum.yaml:2: "soon" is not a duration`},
		{"practice:\n  pass_score: 150\n", "quorum.yaml:2: practice.pass_score 150 must be between 1 and 100"},
		{"store:\n  path: q.db\n  colour: red\n", `quorum.yaml:3: unknown field "colour"`},
		{"grader:\n  mode: magic\n", `quorum.yaml:2: grader.mode "magic" must be auto, llm or rubric`},
		{"discord:\n  enabled: true\n  token: ${NOPE}\n", "quorum.yaml:3: discord.enabled is true but discord.token is empty"},
		{"practice: [1, 2]\n", "quorum.yaml:1: found a list, want a mapping of settings"},
		{"store: {path: q.db\n", "quorum.yaml:"},
		{"llm:\n  max_concurrency: many\n", `quorum.yaml:2: "many" is text, want a whole number`},
	}
	for _, tt := range tests {
		_, err := ParseConfig("quorum.yaml", []byte(tt.body), lookup(nil))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%q: got %v, want %q", tt.body, err, tt.want)
		}
	}
}

func TestExampleConfigIsValid(t *testing.T) {
	data, err := os.ReadFile("../../config.example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	c, err := ParseConfig("config.example.yaml", data, lookup(nil))
	if err != nil {
		t.Fatalf("config.example.yaml: %v", err)
	}
	d := DefaultConfig()
	if c.Store.Path != d.Store.Path || c.Practice != d.Practice || c.Grader != d.Grader {
		t.Fatalf("the example should show the defaults: got %+v %+v %+v", c.Store, c.Practice, c.Grader)
	}
}

func TestConfigEnvFillsNumbersAndBooleans(t *testing.T) {
	// Block style: in a {flow: mapping} the braces of ${VAR} end a plain value.
	data := []byte("practice:\n  pass_score: ${PS:-70}\n  time_limit: ${TL:-2m}\ndiscord:\n  enabled: ${DE:-false}\nllm:\n  max_retries: ${MR}\n")
	c, err := ParseConfig("quorum.yaml", data, lookup(map[string]string{"MR": "5"}))
	if err != nil {
		t.Fatal(err)
	}
	if c.Practice.PassScore != 70 || c.Discord.Enabled || time.Duration(c.Practice.TimeLimit) != 2*time.Minute || c.LLM.MaxRetries != 5 {
		t.Fatalf("got pass_score %d, discord.enabled %v, time_limit %s, max_retries %d; want 70, false, 2m, 5",
			c.Practice.PassScore, c.Discord.Enabled, time.Duration(c.Practice.TimeLimit), c.LLM.MaxRetries)
	}
	c, err = ParseConfig("quorum.yaml", data, lookup(map[string]string{"MR": "5", "DE": "true", "DISCORD_TOKEN": "x"}))
	if err == nil || !strings.Contains(err.Error(), "discord.enabled is true but discord.token is empty") {
		t.Fatalf("got %v, %v; want DE=true to turn Discord on", c, err)
	}
}

// Latin-1 text saved into a config or a pack is reported at its line, not the last one.
func TestNotUTF8IsReportedAtItsLine(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "quorum.yaml")
	if err := os.WriteFile(cfg, []byte("store:\n  path: caf\xe9.db\nlog:\n  level: info\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	want := cfg + ":2: this line is not UTF-8 text; save the file as UTF-8"
	if _, err := LoadConfig(cfg, lookup(nil)); err == nil || err.Error() != want {
		t.Errorf("config: got %v, want %q", err, want)
	}
	pack := filepath.Join(dir, "team.yaml")
	if err := os.WriteFile(pack, []byte("pack: team\ntitle: Team\nquestions:\n  - id: q1\n    prompt: Na\xefve?\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	want = pack + ":5: this line is not UTF-8 text; save the file as UTF-8"
	if _, err := prompts.ReadPack(pack); err == nil || err.Error() != want {
		t.Errorf("pack: got %v, want %q", err, want)
	}
}

// A config whose every line is commented out means the defaults, like an empty one:
// commands read quorum.yaml by default, so rejecting it would stop every command.
func TestCommentedOutConfigIsTheDefaults(t *testing.T) {
	for _, body := range []string{"", "\n\n", "# hi", "# quorum\n\n  # store:\n  #   path: q.db\n", "---\n# nothing yet\n"} {
		c, err := ParseConfig("quorum.yaml", []byte(body), lookup(nil))
		if err != nil {
			t.Errorf("%q: got %v, want the defaults", body, err)
			continue
		}
		if d := DefaultConfig(); c.Store != d.Store || c.Practice != d.Practice || c.UseLLM() {
			t.Errorf("%q: got %+v %+v (LLM %v), want the defaults", body, c.Store, c.Practice, c.UseLLM())
		}
	}
}

// Copying the example as the README says must not send answers to OpenAI without a key.
func TestExampleConfigGradesOfflineWithoutAKey(t *testing.T) {
	data, err := os.ReadFile("../../config.example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	c, err := ParseConfig("quorum.yaml", data, lookup(nil))
	if err != nil {
		t.Fatal(err)
	}
	g, err := newGrader(c, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := g.(*rubric.Grader); !ok || c.UseLLM() || newTranscriber(c, nil) != nil {
		t.Fatalf("no OPENAI_API_KEY: got grader %T (UseLLM %v), want the rubric and no transcriber", g, c.UseLLM())
	}
	c, err = ParseConfig("quorum.yaml", data, lookup(map[string]string{"OPENAI_API_KEY": "sk-1"}))
	if err != nil {
		t.Fatal(err)
	}
	if !c.UseLLM() || c.LLM.BaseURL != "https://api.openai.com/v1" {
		t.Fatalf("with OPENAI_API_KEY: got UseLLM %v at %q, want OpenAI", c.UseLLM(), c.LLM.BaseURL)
	}
}

// In auto mode a base_url without a key means a keyless local server, but OpenAI
// always needs a key.
func TestAutoModeKeylessServers(t *testing.T) {
	for url, want := range map[string]bool{
		"http://localhost:11434/v1":    true,
		"http://vllm.internal:8000/v1": true,
		"https://api.openai.com/v1":    false,
		"https://API.OpenAI.com:443/":  false,
		"http://api.openai.com/v1":     false,
		"${LLM_URL}":                   false, // unset: empty
	} {
		c, err := ParseConfig("quorum.yaml", []byte("llm:\n  base_url: "+url+"\n  api_key: ${OPENAI_API_KEY}\n"), lookup(nil))
		if err != nil {
			t.Fatalf("%s: %v", url, err)
		}
		if c.UseLLM() != want {
			t.Errorf("base_url %s, no key: got UseLLM %v, want %v", url, c.UseLLM(), want)
		}
	}
	_, err := ParseConfig("quorum.yaml", []byte("grader:\n  mode: llm\nllm:\n  base_url: https://api.openai.com/v1\n"), lookup(nil))
	if want := "quorum.yaml:2: grader.mode is llm but llm.api_key is empty, and OpenAI needs one (set OPENAI_API_KEY?)"; err == nil || err.Error() != want {
		t.Errorf("got %v, want %q", err, want)
	}
}

// Settings that used to pass `quorum config` and fail only at run time, without a line.
func TestConfigCatchesRunTimeFailuresAtLoad(t *testing.T) {
	tests := []struct{ body, want string }{
		{"metrics:\n  listen: 'localhost:99999'\n", `quorum.yaml:2: metrics.listen "localhost:99999" has no valid port; give a number up to 65535, e.g. 127.0.0.1:9090`},
		{"metrics:\n  listen: 'localhost:nine'\n", `quorum.yaml:2: metrics.listen "localhost:nine" has no valid port`},
		{"discord:\n  base_url: 'not a url'\n", `quorum.yaml:2: discord.base_url "not a url" is not a web address; write it like https://discord.com`},
		{"discord:\n  base_url: discord.com\n", `quorum.yaml:2: discord.base_url "discord.com" is not a web address`},
		{"slack:\n  api_url: 'ftp://slack.com/api/'\n", `quorum.yaml:2: slack.api_url "ftp://slack.com/api/" is not a web address; write it like https://slack.com/api/`},
		{"llm:\n  base_url: localhost:11434/v1\n", `quorum.yaml:2: llm.base_url "localhost:11434/v1" is not a web address; write it like http://localhost:11434/v1`},
		{"speech:\n  base_url: 'http://'\n", `quorum.yaml:2: speech.base_url "http://" is not a web address`},
		{"packs:\n  - ''\n", "quorum.yaml:2: packs has an empty entry; name a pack file, e.g. team.yaml"},
		{"packs: [team.yaml, ' ']\n", "quorum.yaml:1: packs has an empty entry"},
	}
	for _, tt := range tests {
		_, err := ParseConfig("quorum.yaml", []byte(tt.body), lookup(nil))
		if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
			t.Errorf("%q: got %v, want %q", tt.body, err, tt.want)
		}
	}
	for _, ok := range []string{"metrics:\n  listen: ':9090'\n", "metrics:\n  listen: '[::1]:0'\n", "discord:\n  base_url: http://127.0.0.1:8080/\n", "slack:\n  api_url: ''\n", "speech:\n  base_url: ''\n"} {
		if _, err := ParseConfig("quorum.yaml", []byte(ok), lookup(nil)); err != nil {
			t.Errorf("%q: got %v, want it accepted", ok, err)
		}
	}
}

// A pack file that is not there is reported at its line in packs: when the config
// loads, not as "read pack: open ..." when a command starts.
func TestLoadConfigChecksPackFiles(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "quorum.yaml")
	if err := os.WriteFile(filepath.Join(dir, "team.yaml"), []byte("pack: team\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(dir, "packs"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(cfg, []byte("packs:\n  - team.yaml\n  - mypack.yaml\n  - packs\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := LoadConfig(cfg, lookup(nil))
	want := cfg + `:3: packs: no file "mypack.yaml" (looked for ` + filepath.Join(dir, "mypack.yaml") + "; pack paths are relative to the config file)\n" +
		cfg + `:4: packs: "packs" is a folder; name a pack file in it`
	if err == nil || err.Error() != want {
		t.Fatalf("got %v, want %q", err, want)
	}
	if err := os.WriteFile(cfg, []byte("packs: [team.yaml]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if c, err := LoadConfig(cfg, lookup(nil)); err != nil || c.Packs[0] != filepath.Join(dir, "team.yaml") {
		t.Fatalf("got %v, %v; want the pack next to the config", c, err)
	}
}
