// Package prometheus exports Quorum's metrics in the Prometheus text format through
// client_golang: the core's bot.Meter, LLM calls, and platform HTTP traffic.
package prometheus

import (
	"errors"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/quorum-dev/quorum/bot"
)

// Metrics is Quorum's registry. It implements bot.Meter; the other methods are hooks
// for the adapters. It is safe for concurrent use.
type Metrics struct {
	reg *prometheus.Registry

	attempts    *prometheus.CounterVec
	grading     *prometheus.HistogramVec
	answered    *prometheus.HistogramVec
	drills      *prometheus.CounterVec
	limited     *prometheus.CounterVec
	sendFailed  *prometheus.CounterVec
	resent      *prometheus.CounterVec
	llmCalls    *prometheus.CounterVec
	llmDuration *prometheus.HistogramVec
	requests    *prometheus.CounterVec
}

var _ bot.Meter = (*Metrics)(nil)

// New returns Metrics with every series registered, plus the Go runtime and process
// collectors. version is exported as quorum_build_info.
func New(version string) *Metrics {
	reg := prometheus.NewRegistry()
	m := &Metrics{
		reg: reg,
		attempts: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "quorum_attempts_total", Help: "Attempts recorded, by verdict (pass, fail, timeout, late, skipped) and grader (rubric, llm; empty when nothing was graded).",
		}, []string{"verdict", "grader"}),
		grading: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "quorum_grading_seconds", Help: "Time to grade one answer, by grader and result (ok, error).",
			Buckets: []float64{.001, .005, .01, .05, .1, .5, 1, 2.5, 5, 10, 30, 60},
		}, []string{"grader", "result"}),
		answered: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "quorum_answer_seconds", Help: "Time a person waited for a verdict: from Quorum taking the answer (transcription included) to the platform taking the verdict, by grader.",
			Buckets: []float64{.01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60},
		}, []string{"grader"}),
		drills: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "quorum_drill_runs_total", Help: "Scheduled drill runs, by kind (daily, channel) and result (posted, skipped, failed, duplicate).",
		}, []string{"kind", "result"}),
		limited: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "quorum_rate_limited_total", Help: "Requests turned away by a per-person limit, by kind (answer, audio, command).",
		}, []string{"kind"}),
		sendFailed: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "quorum_send_failures_total", Help: "Messages a platform did not take after its own retries.",
		}, []string{"platform"}),
		resent: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "quorum_resent_total", Help: "Messages whose send a stop cut short, handled at the next start, by kind (question, drill, verdict, report) and result (sent, failed, dropped).",
		}, []string{"kind", "result"}),
		llmCalls: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "quorum_llm_calls_total", Help: "Calls to the LLM and transcription servers, by kind (grade, write, transcribe) and outcome (ok, rate_limited, timeout, circuit_open, canceled, error).",
		}, []string{"kind", "outcome"}),
		llmDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "quorum_llm_call_seconds", Help: "Time of one LLM or transcription call with its retries, by kind.",
			Buckets: []float64{.1, .25, .5, 1, 2.5, 5, 10, 20, 30, 60, 120},
		}, []string{"kind"}),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "quorum_platform_requests_total", Help: "HTTP requests to a platform's API, by platform and result (ok, rate_limited for a 429, client_error, server_error, network_error).",
		}, []string{"platform", "result"}),
	}
	info := prometheus.NewGauge(prometheus.GaugeOpts{Name: "quorum_build_info", Help: "Always 1; the version label says which Quorum runs.", ConstLabels: prometheus.Labels{"version": version}})
	info.Set(1)
	reg.MustRegister(m.attempts, m.grading, m.answered, m.drills, m.limited, m.sendFailed, m.resent, m.llmCalls, m.llmDuration, m.requests, info,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Handler serves the metrics at GET /metrics.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}

// OpenSessions exports n, read at each scrape, as quorum_open_sessions.
func (m *Metrics) OpenSessions(n func() int) {
	m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "quorum_open_sessions", Help: "Questions waiting for an answer now.",
	}, func() float64 { return float64(n()) }))
}

// Ready exports ready, read at each scrape, as quorum_ready (1 or 0), so an alert can
// see readiness without probing /readyz.
func (m *Metrics) Ready(ready func() bool) {
	m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "quorum_ready", Help: "1 when the store is open, every platform connected and the bot started.",
	}, func() float64 {
		if ready() {
			return 1
		}
		return 0
	}))
}

// Attempt implements bot.Meter.
func (m *Metrics) Attempt(verdict, grader string) { m.attempts.WithLabelValues(verdict, grader).Inc() }

// Graded implements bot.Meter.
func (m *Metrics) Graded(grader string, d time.Duration, err error) {
	result := "ok"
	if err != nil {
		result = "error"
	}
	m.grading.WithLabelValues(grader, result).Observe(d.Seconds())
}

// Answered implements bot.Meter.
func (m *Metrics) Answered(grader string, d time.Duration) {
	m.answered.WithLabelValues(grader).Observe(d.Seconds())
}

// DrillRun implements bot.Meter.
func (m *Metrics) DrillRun(kind, result string) { m.drills.WithLabelValues(kind, result).Inc() }

// Limited implements bot.Meter.
func (m *Metrics) Limited(what string) { m.limited.WithLabelValues(what).Inc() }

// SendFailed implements bot.Meter.
func (m *Metrics) SendFailed(platform string) { m.sendFailed.WithLabelValues(platform).Inc() }

// Resent implements bot.Meter.
func (m *Metrics) Resent(what, result string) { m.resent.WithLabelValues(what, result).Inc() }

// LLMCall is the openai.Config.Observe hook.
func (m *Metrics) LLMCall(kind, outcome string, d time.Duration) {
	m.llmCalls.WithLabelValues(kind, outcome).Inc()
	m.llmDuration.WithLabelValues(kind).Observe(d.Seconds())
}

// Transport counts the HTTP requests of a platform's SDK that go through next (nil
// means http.DefaultTransport): 429s are its rate limits, other failures its errors.
func (m *Metrics) Transport(platform string, next http.RoundTripper) http.RoundTripper {
	if next == nil {
		next = http.DefaultTransport
	}
	return &countingTransport{next: next, count: func(result string) { m.requests.WithLabelValues(platform, result).Inc() }}
}

type countingTransport struct {
	next  http.RoundTripper
	count func(result string)
}

func (t *countingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.next.RoundTrip(req)
	switch {
	case err != nil && errors.Is(err, req.Context().Err()):
		// Cancelled by us (a shutdown): not the platform's fault.
	case err != nil:
		t.count("network_error")
	case resp.StatusCode == http.StatusTooManyRequests:
		t.count("rate_limited")
	case resp.StatusCode >= 500:
		t.count("server_error")
	case resp.StatusCode >= 400:
		t.count("client_error")
	default:
		t.count("ok")
	}
	return resp, err
}
