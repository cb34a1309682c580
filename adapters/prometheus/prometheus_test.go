package prometheus

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/quorum-dev/quorum/bot"
)

func scrape(t *testing.T, m *Metrics) string {
	t.Helper()
	srv := httptest.NewServer(m.Handler())
	defer srv.Close()
	resp, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return string(body)
}

func TestTransportSortsResponses(t *testing.T) {
	status := []int{200, 429, 404, 503, 201}
	i := 0
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/slow" {
			<-r.Context().Done()
			return
		}
		w.WriteHeader(status[i])
		i++
	}))
	m := New("test")
	client := &http.Client{Transport: m.Transport("discord", nil)}
	for range status {
		resp, err := client.Get(api.URL)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	// A request we cancel (a shutdown) is not the platform's fault.
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	req, _ := http.NewRequestWithContext(ctx, "GET", api.URL+"/slow", nil)
	if _, err := client.Do(req); err == nil {
		t.Fatal("want the cancelled request to fail")
	}
	cancel()
	api.Close()
	if _, err := client.Get(api.URL); err == nil {
		t.Fatal("want a closed server to fail")
	}
	out := scrape(t, m)
	for _, want := range []string{
		`quorum_platform_requests_total{platform="discord",result="ok"} 2`,
		`quorum_platform_requests_total{platform="discord",result="rate_limited"} 1`,
		`quorum_platform_requests_total{platform="discord",result="client_error"} 1`,
		`quorum_platform_requests_total{platform="discord",result="server_error"} 1`,
		`quorum_platform_requests_total{platform="discord",result="network_error"} 1`,
	} {
		if !strings.Contains(out, want+"\n") {
			t.Errorf("missing %s", want)
		}
	}
}

func TestMeterAndHooks(t *testing.T) {
	m := New("v1.2.3")
	var _ bot.Meter = m
	m.Attempt(bot.VerdictPass, bot.GraderLLM)
	m.Attempt(bot.VerdictTimeout, "")
	m.Graded(bot.GraderLLM, 1200*time.Millisecond, nil)
	m.Graded(bot.GraderRubric, time.Millisecond, errors.New("x"))
	m.Answered(bot.GraderRubric, 30*time.Millisecond)
	m.DrillRun(bot.DrillDaily, bot.DrillPosted)
	m.Limited(bot.LimitAudio)
	m.SendFailed("slack")
	m.Resent(bot.ResentVerdict, bot.ResentSent)
	m.LLMCall("transcribe", "rate_limited", 3*time.Second)
	open := 7
	m.OpenSessions(func() int { return open })
	m.Ready(func() bool { return true })
	out := scrape(t, m)
	for _, want := range []string{
		`quorum_attempts_total{grader="llm",verdict="pass"} 1`,
		`quorum_attempts_total{grader="",verdict="timeout"} 1`,
		`quorum_grading_seconds_bucket{grader="llm",result="ok",le="1"} 0`,
		`quorum_grading_seconds_bucket{grader="llm",result="ok",le="2.5"} 1`,
		`quorum_grading_seconds_count{grader="rubric",result="error"} 1`,
		`quorum_answer_seconds_bucket{grader="rubric",le="0.025"} 0`,
		`quorum_answer_seconds_bucket{grader="rubric",le="0.05"} 1`,
		`quorum_drill_runs_total{kind="daily",result="posted"} 1`,
		`quorum_rate_limited_total{kind="audio"} 1`,
		`quorum_send_failures_total{platform="slack"} 1`,
		`quorum_resent_total{kind="verdict",result="sent"} 1`,
		`quorum_llm_calls_total{kind="transcribe",outcome="rate_limited"} 1`,
		`quorum_llm_call_seconds_sum{kind="transcribe"} 3`,
		`quorum_open_sessions 7`,
		`quorum_ready 1`,
		`quorum_build_info{version="v1.2.3"} 1`,
		`go_goroutines `,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %s", want)
		}
	}
}
