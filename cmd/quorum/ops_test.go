package main

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/quorum-dev/quorum/adapters/discord/discordtest"
	"github.com/quorum-dev/quorum/adapters/openai/openaitest"
	"github.com/quorum-dev/quorum/adapters/prometheus"
	"github.com/quorum-dev/quorum/adapters/slack/slacktest"
	"github.com/quorum-dev/quorum/bot"
	"github.com/quorum-dev/quorum/bot/bottest"
	"github.com/quorum-dev/quorum/store"
)

// freeAddr returns a loopback address nobody listens on right now.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func httpGet(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// metricValue returns the value of the series whose line starts with prefix (name and labels).
func metricValue(t *testing.T, metrics, prefix string) float64 {
	t.Helper()
	for _, line := range strings.Split(metrics, "\n") {
		if strings.HasPrefix(line, prefix+" ") {
			v, err := strconv.ParseFloat(strings.TrimSpace(strings.TrimPrefix(line, prefix)), 64)
			if err != nil {
				t.Fatalf("%s: %v", line, err)
			}
			return v
		}
	}
	return 0
}

// runningBot is `quorum run` in this process against the fake Discord.
type runningBot struct {
	dc     *discordtest.Server
	cfg    string
	db     string
	admin  string
	stderr *bottest.Buffer
	cancel context.CancelFunc
	done   chan int
}

const testDiscordToken = "discord-secret-token-0123456789"

func startBot(t *testing.T, extra string) *runningBot {
	t.Helper()
	t.Setenv("QUORUM_TEST_DISCORD_TOKEN", testDiscordToken)
	r := &runningBot{dc: discordtest.New(testDiscordToken), stderr: &bottest.Buffer{}, done: make(chan int, 1), admin: freeAddr(t)}
	t.Cleanup(r.dc.Close)
	dir := t.TempDir()
	r.cfg, r.db = filepath.Join(dir, "quorum.yaml"), filepath.Join(dir, "q.db")
	os.WriteFile(r.cfg, []byte(`store: { path: `+r.db+` }
discord: { enabled: true, token: "${QUORUM_TEST_DISCORD_TOKEN}", base_url: `+r.dc.URL+`, guild_ids: ["g1"] }
metrics: { listen: "`+r.admin+`" }
log: { level: debug }
`+extra), 0o600)
	ctx, cancel := context.WithCancel(context.Background())
	r.cancel = cancel
	go func() { r.done <- run(ctx, []string{"run", "--config", r.cfg}, os.Stdin, io.Discard, r.stderr) }()
	t.Cleanup(func() { cancel(); <-r.done })
	return r
}

// stop cancels the run, as a signal would, and returns its exit status.
func (r *runningBot) stop(t *testing.T) int {
	t.Helper()
	r.cancel()
	select {
	case code := <-r.done:
		r.done <- code // for the cleanup
		return code
	case <-time.After(30 * time.Second):
		t.Fatal("quorum run did not stop")
		return -1
	}
}

func (r *runningBot) waitReady(t *testing.T) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		code, body := httpGet(t, "http://"+r.admin+"/readyz")
		if code == http.StatusOK {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("/readyz: %d %q; logs:\n%s", code, body, r.stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestRunMetricsBackupAndSecrets runs the bot with metrics on, drives a practice
// question through the fake Discord, and checks that the counters moved, that an
// online backup holds the attempt, and that the token shows up neither in logs nor
// in `quorum config`.
func TestRunMetricsBackupAndSecrets(t *testing.T) {
	r := startBot(t, "")
	r.waitReady(t)
	if code, body := httpGet(t, "http://"+r.admin+"/healthz"); code != 200 || body != "ok\n" {
		t.Fatalf("/healthz: %d %q", code, body)
	}

	alice := discordtest.Invoker{UserID: "u1", Username: "alice", ChannelID: r.dc.DM("u1")}
	path := "/api/v9/channels/" + alice.ChannelID + "/messages"
	r.dc.RateLimitNext("POST", path, 20*time.Millisecond)
	r.dc.Say(alice, "practice consensus")
	r.dc.NextPost(t, "a question", func(p discordtest.Post) bool { return strings.Contains(p.Text(), "you have") })
	r.dc.Say(alice, "Raft elects a leader per term with a majority of votes; each server votes once per term, so two leaders cannot win the same term.")
	r.dc.NextPost(t, "the verdict", func(p discordtest.Post) bool {
		return strings.Contains(p.Text(), "PASS") || strings.Contains(p.Text(), "FAIL")
	})

	// The wait for the verdict is observed once discordgo has the fake's reply to the post,
	// a moment after the fake shows the post.
	_, metrics := httpGet(t, "http://"+r.admin+"/metrics")
	for deadline := time.Now().Add(5 * time.Second); metricValue(t, metrics, `quorum_answer_seconds_count{grader="rubric"}`) == 0 && time.Now().Before(deadline); {
		time.Sleep(20 * time.Millisecond)
		_, metrics = httpGet(t, "http://"+r.admin+"/metrics")
	}
	graded := metricValue(t, metrics, `quorum_attempts_total{grader="rubric",verdict="pass"}`) + metricValue(t, metrics, `quorum_attempts_total{grader="rubric",verdict="fail"}`)
	checks := []struct {
		name      string
		got, want float64
	}{
		{"attempts graded", graded, 1},
		{"grading observed", metricValue(t, metrics, `quorum_grading_seconds_count{grader="rubric",result="ok"}`), 1},
		{"wait for the verdict observed", metricValue(t, metrics, `quorum_answer_seconds_count{grader="rubric"}`), 1},
		{"open sessions", metricValue(t, metrics, `quorum_open_sessions`), 0},
		{"ready", metricValue(t, metrics, `quorum_ready`), 1},
		{"discord 429s", metricValue(t, metrics, `quorum_platform_requests_total{platform="discord",result="rate_limited"}`), 1},
		{"build info", metricValue(t, metrics, `quorum_build_info{version="dev"}`), 1},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s: got %v, want %v", c.name, c.got, c.want)
		}
	}
	if ok := metricValue(t, metrics, `quorum_platform_requests_total{platform="discord",result="ok"}`); ok < 3 {
		t.Errorf("got %v successful Discord requests counted, want the posts and registrations", ok)
	}

	// An open question shows in the gauge.
	r.dc.Say(alice, "practice")
	r.dc.NextPost(t, "a second question", func(p discordtest.Post) bool { return strings.Contains(p.Text(), "you have") })
	if _, metrics := httpGet(t, "http://"+r.admin+"/metrics"); metricValue(t, metrics, "quorum_open_sessions") != 1 {
		t.Errorf("open sessions: want 1 with a question waiting")
	}

	// The running bot holds the file lock; the backup asks it over metrics.listen.
	dest := filepath.Join(t.TempDir(), "backup.db")
	code, out, errs := cli(t, "", "", "backup", "--config", r.cfg, dest)
	if code != 0 || !strings.Contains(out, "online, from the running bot") {
		t.Fatalf("backup: exit %d, %q %q", code, out, errs)
	}
	if fi, err := os.Stat(dest); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("backup file: %v, %v; want mode 0600", fi, err)
	}
	copy, err := store.Open(dest, 0)
	if err != nil {
		t.Fatal(err)
	}
	as, err := copy.Attempts(context.Background(), "discord:u1")
	sessions, _ := copy.Sessions(context.Background())
	copy.Close()
	if err != nil || len(as) != 1 || len(sessions) != 1 {
		t.Fatalf("backup holds %d attempts and %d sessions (%v), want alice's attempt and her open question", len(as), len(sessions), err)
	}

	code, out, _ = cli(t, "", "", "config", "--config", r.cfg)
	if code != 0 || strings.Contains(out, testDiscordToken) || !strings.Contains(out, "token: '****'") ||
		!strings.Contains(out, "discord.token: set, from the environment (QUORUM_TEST_DISCORD_TOKEN)") {
		t.Fatalf("quorum config: exit %d\n%s", code, out)
	}

	if code := r.stop(t); code != 0 {
		t.Fatalf("exit %d: %s", code, r.stderr.String())
	}
	logs := r.stderr.String()
	if strings.Contains(logs, testDiscordToken) {
		t.Fatalf("the token is in the logs:\n%s", logs)
	}
	if !strings.Contains(logs, "level=DEBUG") {
		t.Fatalf("no debug logs captured, so the check above proves little:\n%s", logs)
	}
	// The store was closed: another process can open it.
	st, err := store.Open(r.db, 100*time.Millisecond)
	if err != nil {
		t.Fatalf("store not closed cleanly: %v", err)
	}
	st.Close()
}

// TestShutdownFinishesGradingInFlight stops the bot while the LLM is still grading an
// answer: the verdict is still sent and recorded, and the store closes.
func TestShutdownFinishesGradingInFlight(t *testing.T) {
	llm := openaitest.New()
	defer llm.Close()
	slow := openaitest.Chat("not the JSON asked for: the rubric grades it, openly", 1, 1)
	slow.Delay = 1500 * time.Millisecond
	llm.Enqueue(slow)
	r := startBot(t, "grader: { mode: llm }\nllm: { base_url: "+llm.BaseURL()+", api_key: sk-test-key-0123456789, max_retries: 0 }\n")
	r.waitReady(t)
	alice := discordtest.Invoker{UserID: "u1", Username: "alice", ChannelID: r.dc.DM("u1")}
	r.dc.Say(alice, "practice consensus")
	r.dc.NextPost(t, "a question", func(p discordtest.Post) bool { return strings.Contains(p.Text(), "you have") })
	r.dc.Say(alice, "Terms, majorities and one vote per term keep two leaders apart.")
	r.dc.WaitFor(t, "the answer at the LLM", func() bool { return len(llm.Requests()) == 1 })
	stopped := make(chan int, 1)
	go func() { stopped <- r.stop(t) }()
	r.dc.NextPost(t, "the verdict after the stop signal", func(p discordtest.Post) bool {
		return strings.Contains(p.Text(), "PASS") || strings.Contains(p.Text(), "FAIL")
	})
	if code := <-stopped; code != 0 {
		t.Fatalf("exit %d: %s", code, r.stderr.String())
	}
	st, err := store.Open(r.db, 100*time.Millisecond)
	if err != nil {
		t.Fatalf("store not closed: %v", err)
	}
	defer st.Close()
	as, _ := st.Attempts(context.Background(), "discord:u1")
	if len(as) != 1 || as[0].Outcome != bot.OutcomeGraded {
		t.Fatalf("got %+v, want the answer recorded", as)
	}
	if strings.Contains(r.stderr.String(), "sk-test-key-0123456789") {
		t.Fatal("the API key is in the logs")
	}
}

func discardLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }

type fakeRunner struct {
	runner
	name string
	up   bool
}

func (f fakeRunner) Name() string    { return f.name }
func (f fakeRunner) Connected() bool { return f.up }

func TestReadiness(t *testing.T) {
	ad := &admin{log: discardLogger(), metrics: prometheus.New("test")}
	srv := httptest.NewServer(ad.handler())
	defer srv.Close()
	want := func(code int, reason string) {
		t.Helper()
		got, body := httpGet(t, srv.URL+"/readyz")
		if got != code || !strings.Contains(body, reason) {
			t.Fatalf("/readyz: got %d %q, want %d %q", got, body, code, reason)
		}
	}
	want(503, "store not open")
	st, err := store.Open(filepath.Join(t.TempDir(), "q.db"), 0)
	if err != nil {
		t.Fatal(err)
	}
	ad.store.Store(st)
	want(503, "bot not started")
	ad.started.Store(true)
	ad.platforms = []runner{fakeRunner{name: "discord", up: true}, fakeRunner{name: "slack"}}
	want(503, "slack not connected")
	ad.platforms[1] = fakeRunner{name: "slack", up: true}
	want(200, "ready")
	st.Close()
	want(503, "store not readable")
	if code, _ := httpGet(t, srv.URL+"/healthz"); code != 200 {
		t.Fatalf("/healthz: %d", code)
	}
}

func TestBackupOnlyToThisHost(t *testing.T) {
	ad := &admin{log: discardLogger(), metrics: prometheus.New("test")}
	req := httptest.NewRequest("POST", "/backup", nil)
	req.RemoteAddr = "203.0.113.7:40000"
	w := httptest.NewRecorder()
	ad.handler().ServeHTTP(w, req)
	if w.Code != http.StatusForbidden || w.Body.Len() > 100 {
		t.Fatalf("got %d %q, want 403 and no data", w.Code, w.Body.String())
	}
	for listen, want := range map[string]string{":9090": "127.0.0.1:9090", "0.0.0.0:9090": "127.0.0.1:9090", "[::]:9090": "[::1]:9090", "10.0.0.5:9090": "10.0.0.5:9090"} {
		if got, err := dialAddr(listen); err != nil || got != want {
			t.Errorf("dialAddr(%q) = %q, %v; want %q", listen, got, err, want)
		}
	}
}

func TestOfflineBackupAndRefusals(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "q.db")
	st, err := store.Open(db, 0)
	if err != nil {
		t.Fatal(err)
	}
	u := bot.User{Platform: "test", ID: "alice"}
	if err := st.SaveSession(context.Background(), &bot.Session{User: u, State: bot.SessionOpen}, &bot.Attempt{User: u.Key(), Outcome: bot.OutcomeSkipped}); err != nil {
		t.Fatal(err)
	}
	st.Close()
	cfg := filepath.Join(dir, "quorum.yaml")
	os.WriteFile(cfg, []byte("store: { path: "+db+" }\n"), 0o600)

	dest := filepath.Join(dir, "copy.db")
	code, out, errs := cli(t, "", "", "backup", "--config", cfg, dest)
	if code != 0 || !regexp.MustCompile(`\(offline\): \d+ bytes, schema version 2, 1 person, 1 attempt, 1 open session`).MatchString(out) {
		t.Fatalf("exit %d: %q %q", code, out, errs)
	}
	if code, _, errs := cli(t, "", "", "backup", "--config", cfg, db); code != 2 || !strings.Contains(errs, "is the store itself") {
		t.Fatalf("backup onto the store: exit %d %q", code, errs)
	}
	// In use, with metrics off: a clear way out.
	st, _ = store.Open(db, 0)
	defer st.Close()
	code, _, errs = cli(t, "", "", "backup", "--config", cfg, filepath.Join(dir, "other.db"))
	if code != 1 || !strings.Contains(errs, "metrics.listen is off") {
		t.Fatalf("exit %d: %q", code, errs)
	}
	if _, err := os.Stat(filepath.Join(dir, "other.db")); err == nil {
		t.Fatal("a failed backup left a file")
	}
	if leftovers, _ := filepath.Glob(filepath.Join(dir, ".*.tmp")); len(leftovers) > 0 {
		t.Fatalf("temporary files left: %v", leftovers)
	}
}

// TestRunSlackReadyAndCounted: Slack's Socket Mode connection makes the bot ready, and
// its Web API calls are counted.
func TestRunSlackReadyAndCounted(t *testing.T) {
	sl := slacktest.New(t)
	defer sl.Close()
	dir := t.TempDir()
	cfg := filepath.Join(dir, "quorum.yaml")
	admin := freeAddr(t)
	writeFile(t, cfg, `store: { path: `+filepath.Join(dir, "q.db")+` }
slack: { enabled: true, app_token: `+slacktest.AppToken+`, bot_token: `+slacktest.BotToken+`, api_url: `+sl.APIURL()+` }
metrics: { listen: "`+admin+`" }
`)
	ctx, cancel := context.WithCancel(context.Background())
	errs := &bottest.Buffer{}
	done := make(chan int, 1)
	go func() { done <- run(ctx, []string{"run", "--config", cfg}, os.Stdin, io.Discard, errs) }()
	r := &runningBot{admin: admin, stderr: errs}
	r.waitReady(t)
	sl.WaitAck(t, sl.Slash("U1", "D1", "help"))
	sl.Wait(t, "chat.postMessage", nil)
	_, metrics := httpGet(t, "http://"+admin+"/metrics")
	if n := metricValue(t, metrics, `quorum_platform_requests_total{platform="slack",result="ok"}`); n < 2 {
		t.Errorf("got %v Slack API calls counted, want auth.test, apps.connections.open and the post", n)
	}
	cancel()
	if code := <-done; code != 0 {
		t.Fatalf("exit %d: %s", code, errs.String())
	}
}
