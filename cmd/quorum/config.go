package main

import (
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/quorum-dev/quorum/bot"
	"github.com/quorum-dev/quorum/internal/yamlx"
)

// Config is the whole configuration file (see config.example.yaml).
type Config struct {
	Store struct {
		Path        string         `yaml:"path"`
		LockTimeout yamlx.Duration `yaml:"lock_timeout"`
	} `yaml:"store"`
	Practice struct {
		TimeLimit yamlx.Duration `yaml:"time_limit"`
		Grace     yamlx.Duration `yaml:"grace"`
		PassScore int            `yaml:"pass_score"`
	} `yaml:"practice"`
	Packs  []string `yaml:"packs"`
	Grader struct {
		Mode string `yaml:"mode"`
	} `yaml:"grader"`
	LLM struct {
		BaseURL        string         `yaml:"base_url"`
		APIKey         string         `yaml:"api_key"`
		Model          string         `yaml:"model"`
		Timeout        yamlx.Duration `yaml:"timeout"`
		MaxConcurrency int            `yaml:"max_concurrency"`
		ResponseFormat string         `yaml:"response_format"`
		MaxRetries     int            `yaml:"max_retries"`
	} `yaml:"llm"`
	Speech struct {
		BaseURL string `yaml:"base_url"`
		APIKey  string `yaml:"api_key"`
		Model   string `yaml:"model"`
	} `yaml:"speech"`
	Discord struct {
		Enabled  bool     `yaml:"enabled"`
		Token    string   `yaml:"token"`
		BaseURL  string   `yaml:"base_url"`
		GuildIDs []string `yaml:"guild_ids"`
		// EphemeralFeedback sends verdicts in server channels privately.
		EphemeralFeedback bool `yaml:"ephemeral_feedback"`
	} `yaml:"discord"`
	Slack struct {
		Enabled  bool   `yaml:"enabled"`
		AppToken string `yaml:"app_token"`
		BotToken string `yaml:"bot_token"`
		APIURL   string `yaml:"api_url"`
		// EphemeralFeedback sends verdicts in channels privately.
		EphemeralFeedback bool `yaml:"ephemeral_feedback"`
		// DrillManagers is a user group id whose members may manage channel drills.
		DrillManagers string `yaml:"drill_managers"`
	} `yaml:"slack"`
	Drills struct {
		// Feedback is where verdicts on drill answers go: thread or private.
		Feedback string `yaml:"feedback"`
	} `yaml:"drills"`
	Metrics struct {
		Listen string `yaml:"listen"`
	} `yaml:"metrics"`
	Limits struct {
		AnswersPerHour    int `yaml:"answers_per_hour"`
		AudioPerHour      int `yaml:"audio_per_hour"`
		CommandsPerMinute int `yaml:"commands_per_minute"`
	} `yaml:"limits"`
	Log struct {
		Level  string `yaml:"level"`
		Format string `yaml:"format"`
	} `yaml:"log"`

	// File is where the config was read from ("" for defaults).
	File string `yaml:"-"`
	// llmBaseURLSet records that the file itself names an LLM server that may need no
	// key (Ollama, vLLM): any llm.base_url but OpenAI's, which always needs one.
	llmBaseURLSet bool
	// observeLLM, when set, hears of every LLM and transcription call (metrics).
	observeLLM func(kind, outcome string, d time.Duration)
}

// UseLLM reports whether answers are graded by the LLM: grader.mode llm, or auto with
// llm.api_key set or llm.base_url naming a server other than OpenAI's.
func (c *Config) UseLLM() bool {
	switch c.Grader.Mode {
	case "llm":
		return true
	case "auto":
		return c.LLM.APIKey != "" || c.llmBaseURLSet
	}
	return false
}

// DefaultConfigFile is read when --config is not given and the file exists.
const DefaultConfigFile = "quorum.yaml"

// DefaultConfig returns the settings used when a file leaves them out.
func DefaultConfig() *Config {
	c := &Config{}
	c.Store.Path = "quorum.db"
	c.Store.LockTimeout = yamlx.Duration(time.Second)
	c.Practice.TimeLimit = yamlx.Duration(bot.DefaultTimeLimit)
	c.Practice.Grace = yamlx.Duration(bot.DefaultGrace)
	c.Practice.PassScore = 60
	c.Grader.Mode = "auto"
	c.LLM.BaseURL = "https://api.openai.com/v1"
	c.LLM.Model = "gpt-4o-mini"
	c.LLM.Timeout = yamlx.Duration(30 * time.Second)
	c.LLM.MaxConcurrency = 4
	c.LLM.ResponseFormat = "json_schema"
	c.LLM.MaxRetries = 3
	c.Speech.Model = "whisper-1"
	c.Discord.BaseURL = "https://discord.com"
	c.Slack.APIURL = "https://slack.com/api/"
	c.Drills.Feedback = "thread"
	c.Log.Level = "info"
	c.Log.Format = "text"
	c.Limits.AnswersPerHour = 60
	c.Limits.AudioPerHour = 20
	c.Limits.CommandsPerMinute = 30
	return c
}

// LoadConfig reads the config file at path. An empty path reads quorum.yaml when it
// exists and otherwise returns the defaults. lookup resolves ${VAR}; nil means the environment.
func LoadConfig(path string, lookup func(string) (string, bool)) (*Config, error) {
	explicit := path != ""
	if !explicit {
		path = DefaultConfigFile
	}
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) && !explicit {
		return DefaultConfig(), nil
	}
	if err != nil {
		return nil, fmt.Errorf("read config: %w", err)
	}
	return parseConfig(path, data, lookup, true)
}

// ParseConfig parses config file data; errors name file and line. Unlike LoadConfig it
// does not look at the files the config names.
func ParseConfig(file string, data []byte, lookup func(string) (string, bool)) (*Config, error) {
	return parseConfig(file, data, lookup, false)
}

// parseConfig parses config file data; with onDisk it also checks that the pack files
// named are there, so `quorum config` reports them at their line.
func parseConfig(file string, data []byte, lookup func(string) (string, bool), onDisk bool) (*Config, error) {
	c := DefaultConfig()
	c.File = file
	root, err := yamlx.Parse(data)
	if yamlx.IsEmpty(err) {
		// Nothing but comments (a commented-out example) is the defaults, as no file is.
		return c, nil
	}
	if err != nil {
		return nil, yamlx.WithFile(err, file)
	}
	yamlx.ExpandEnv(root, lookup)
	var errs yamlx.Errors
	if err := yamlx.Decode(root, c); err != nil {
		errs = append(errs, err.(yamlx.Errors)...)
	} else {
		if err := c.validate(root); err != nil {
			errs = append(errs, err.(yamlx.Errors)...)
		}
		// Pack paths are relative to the config file.
		dir := filepath.Dir(file)
		for i, p := range c.Packs {
			if strings.TrimSpace(p) != "" && !filepath.IsAbs(p) {
				c.Packs[i] = filepath.Join(dir, p)
			}
		}
		if onDisk {
			errs = append(errs, c.checkPacks(root)...)
		}
	}
	if len(errs) > 0 {
		return nil, yamlx.WithFile(errs, file)
	}
	return c, nil
}

// checkPacks reports each pack file that is not there to be read, at its line in packs:
// (c.Packs already relative to the config file). The packs' contents are read later.
func (c *Config) checkPacks(root *yaml.Node) yamlx.Errors {
	var errs yamlx.Errors
	list := yamlx.Lookup(root, "packs")
	for i, p := range c.Packs {
		if strings.TrimSpace(p) == "" {
			continue // validate reported it
		}
		n, written := list, p
		if list != nil && i < len(list.Content) {
			n = list.Content[i]
			if n.Kind == yaml.ScalarNode {
				written = n.Value
			}
		}
		f, err := os.Open(p)
		if err != nil {
			switch {
			case errors.Is(err, fs.ErrNotExist):
				errs = append(errs, yamlx.Errorf(n, "packs: no file %q (looked for %s; pack paths are relative to the config file)", written, p))
			case errors.Is(err, fs.ErrPermission):
				errs = append(errs, yamlx.Errorf(n, "packs: %q cannot be read: permission denied", written))
			default:
				errs = append(errs, yamlx.Errorf(n, "packs: %q cannot be read (looked for %s)", written, p))
			}
			continue
		}
		fi, err := f.Stat()
		f.Close()
		if err == nil && fi.IsDir() {
			errs = append(errs, yamlx.Errorf(n, "packs: %q is a folder; name a pack file in it", written))
		}
	}
	return errs
}

// validate checks values; each error names the setting and its line.
func (c *Config) validate(root *yaml.Node) error {
	var errs yamlx.Errors
	at := func(path ...string) *yaml.Node {
		n := root
		for _, k := range path {
			next := yamlx.Lookup(n, k)
			if next == nil {
				return n
			}
			n = next
		}
		return n
	}
	add := func(n *yaml.Node, format string, args ...any) { errs = append(errs, yamlx.Errorf(n, format, args...)) }

	if c.Store.Path == "" {
		add(at("store", "path"), "store.path is empty; give the database file, e.g. quorum.db")
	}
	if tl := time.Duration(c.Practice.TimeLimit); tl < bot.MinTimeLimit || tl > bot.MaxTimeLimit {
		add(at("practice", "time_limit"), "practice.time_limit %s must be between %s and %s", tl, bot.MinTimeLimit, bot.MaxTimeLimit)
	}
	if g := time.Duration(c.Practice.Grace); g > 5*time.Minute {
		add(at("practice", "grace"), "practice.grace %s must be at most 5m", g)
	}
	if c.Practice.PassScore < 1 || c.Practice.PassScore > 100 {
		add(at("practice", "pass_score"), "practice.pass_score %d must be between 1 and 100", c.Practice.PassScore)
	}
	switch c.Grader.Mode {
	case "auto", "llm", "rubric":
	default:
		add(at("grader", "mode"), "grader.mode %q must be auto, llm or rubric", c.Grader.Mode)
	}
	switch c.LLM.ResponseFormat {
	case "json_schema", "json_object":
	default:
		add(at("llm", "response_format"), "llm.response_format %q must be json_schema or json_object", c.LLM.ResponseFormat)
	}
	if c.LLM.MaxRetries < 0 || c.LLM.MaxRetries > 10 {
		add(at("llm", "max_retries"), "llm.max_retries %d must be between 0 and 10", c.LLM.MaxRetries)
	}
	if c.LLM.MaxConcurrency < 1 {
		add(at("llm", "max_concurrency"), "llm.max_concurrency %d must be at least 1", c.LLM.MaxConcurrency)
	}
	c.llmBaseURLSet = llmBaseURLSet(root)
	if c.Grader.Mode == "llm" && c.LLM.APIKey == "" && !c.llmBaseURLSet {
		if isOpenAI(c.LLM.BaseURL) {
			add(at("grader", "mode"), "grader.mode is llm but llm.api_key is empty, and OpenAI needs one (set OPENAI_API_KEY?)")
		} else {
			add(at("grader", "mode"), "grader.mode is llm but neither llm.api_key nor llm.base_url is set")
		}
	}
	if c.Discord.Enabled && c.Discord.Token == "" {
		add(at("discord", "token"), "discord.enabled is true but discord.token is empty (set DISCORD_TOKEN?)")
	}
	if c.Slack.Enabled && (c.Slack.AppToken == "" || c.Slack.BotToken == "") {
		add(at("slack"), "slack.enabled is true but slack.app_token or slack.bot_token is empty (set SLACK_APP_TOKEN and SLACK_BOT_TOKEN?)")
	}
	switch c.Drills.Feedback {
	case "thread", "private":
	default:
		add(at("drills", "feedback"), "drills.feedback %q must be thread or private", c.Drills.Feedback)
	}
	if l := c.Metrics.Listen; l != "" {
		if _, port, err := net.SplitHostPort(l); err != nil {
			add(at("metrics", "listen"), "metrics.listen %q must be host:port, e.g. 127.0.0.1:9090", l)
		} else if _, err := net.LookupPort("tcp", port); err != nil {
			add(at("metrics", "listen"), "metrics.listen %q has no valid port; give a number up to 65535, e.g. 127.0.0.1:9090", l)
		}
	}
	for _, u := range []struct {
		path    []string
		value   string
		example string
	}{
		{[]string{"llm", "base_url"}, c.LLM.BaseURL, "http://localhost:11434/v1"},
		{[]string{"speech", "base_url"}, c.Speech.BaseURL, "http://localhost:8000/v1"},
		{[]string{"discord", "base_url"}, c.Discord.BaseURL, "https://discord.com"},
		{[]string{"slack", "api_url"}, c.Slack.APIURL, "https://slack.com/api/"},
	} {
		// Empty means the default (speech: the LLM's), as the clients read it.
		if u.value != "" && !webAddress(u.value) {
			add(at(u.path...), "%s %q is not a web address; write it like %s", strings.Join(u.path, "."), u.value, u.example)
		}
	}
	if list := yamlx.Lookup(root, "packs"); list != nil && list.Kind == yaml.SequenceNode {
		for i, p := range c.Packs {
			if strings.TrimSpace(p) == "" && i < len(list.Content) {
				add(list.Content[i], "packs has an empty entry; name a pack file, e.g. team.yaml")
			}
		}
	}
	for _, l := range []struct {
		name string
		n    int
	}{{"answers_per_hour", c.Limits.AnswersPerHour}, {"audio_per_hour", c.Limits.AudioPerHour}, {"commands_per_minute", c.Limits.CommandsPerMinute}} {
		if l.n < 0 {
			add(at("limits", l.name), "limits.%s %d must be 0 (no limit) or more", l.name, l.n)
		}
	}
	switch c.Log.Level {
	case "debug", "info", "warn", "error":
	default:
		add(at("log", "level"), "log.level %q must be debug, info, warn or error", c.Log.Level)
	}
	switch c.Log.Format {
	case "text", "json":
	default:
		add(at("log", "format"), "log.format %q must be text or json", c.Log.Format)
	}
	if len(errs) > 0 {
		return errs
	}
	return nil
}

// llmBaseURLSet reports whether the file itself sets llm.base_url to a server other than
// OpenAI's (the default does not count). Naming OpenAI without a key, as the example
// once did, would send every answer there to fail.
func llmBaseURLSet(root *yaml.Node) bool {
	n := yamlx.Lookup(yamlx.Lookup(root, "llm"), "base_url")
	return n != nil && n.Value != "" && !isOpenAI(n.Value)
}

// webAddress reports whether s is an absolute http or https URL with a host.
func webAddress(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// isOpenAI reports whether rawURL is on api.openai.com, whatever its scheme, port or path.
func isOpenAI(rawURL string) bool {
	u, err := url.Parse(strings.TrimSpace(rawURL))
	return err == nil && strings.EqualFold(u.Hostname(), "api.openai.com")
}
