// Package openai talks to any OpenAI-compatible server (OpenAI, Azure, Groq, Ollama,
// vLLM) through go-openai: the LLM grader and the question writer.
package openai

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"strconv"
	"sync"
	"time"

	openai "github.com/sashabaranov/go-openai"
)

// Config says where the server is and how to treat it.
type Config struct {
	BaseURL string
	APIKey  string
	Model   string
	// Timeout bounds each call (each retry gets its own).
	Timeout time.Duration
	// MaxConcurrency caps calls in flight; more wait their turn.
	MaxConcurrency int
	// ResponseFormat is "json_schema" (structured output) or "json_object", for servers
	// without schema support.
	ResponseFormat string
	// MaxRetries is how many times a call is retried on 429, 5xx and timeouts; zero means
	// DefaultMaxRetries and a negative number means none.
	MaxRetries int
	// BackoffBase and BackoffMax shape the exponential backoff with full jitter.
	BackoffBase, BackoffMax time.Duration
	// BreakerFailures consecutive failed calls open the circuit for BreakerCooldown.
	BreakerFailures int
	BreakerCooldown time.Duration
	// HTTPClient is used for requests; nil means a default client.
	HTTPClient *http.Client
	Logger     *slog.Logger
	// Now is the clock of the circuit breaker; nil means time.Now.
	Now func() time.Time
	// Observe, when set, is told of every call once it ends: its kind (CallGrade,
	// CallWrite, CallTranscribe), its outcome (Outcome*) and how long it took with
	// retries. It must not block.
	Observe func(kind, outcome string, d time.Duration)
}

// Kinds of call, for Config.Observe.
const (
	CallGrade      = "grade"
	CallWrite      = "write"
	CallTranscribe = "transcribe"
)

// Outcomes of a call, for Config.Observe.
const (
	OutcomeOK          = "ok"
	OutcomeRateLimited = "rate_limited" // the last try got a 429
	OutcomeTimeout     = "timeout"
	OutcomeCircuitOpen = "circuit_open"
	OutcomeCanceled    = "canceled"
	OutcomeError       = "error"
)

// outcomeOf names how a call ended.
func outcomeOf(err error) string {
	switch {
	case err == nil:
		return OutcomeOK
	case errors.Is(err, ErrCircuitOpen):
		return OutcomeCircuitOpen
	case errors.Is(err, context.Canceled):
		return OutcomeCanceled
	case errors.Is(err, context.DeadlineExceeded):
		return OutcomeTimeout
	case statusOf(err) == http.StatusTooManyRequests:
		return OutcomeRateLimited
	}
	return OutcomeError
}

// Defaults for Config fields left zero.
const (
	DefaultTimeout         = 30 * time.Second
	DefaultMaxConcurrency  = 4
	DefaultMaxRetries      = 3
	DefaultBackoffBase     = 500 * time.Millisecond
	DefaultBackoffMax      = 8 * time.Second
	DefaultBreakerFailures = 5
	DefaultBreakerCooldown = 30 * time.Second
	// maxRetryAfter caps how long a Retry-After header can make us wait.
	maxRetryAfter = 60 * time.Second
)

// Errors a call can end with. Callers fall back to the rubric on any of them.
var (
	ErrCircuitOpen = errors.New("the LLM circuit breaker is open after repeated failures")
	ErrBadResponse = errors.New("the LLM answered something that is not the JSON asked for")
)

// Client is a rate-aware, retrying go-openai client. It is safe for concurrent use.
type Client struct {
	cfg     Config
	api     *openai.Client
	sem     chan struct{}
	log     *slog.Logger
	breaker breaker

	rngMu sync.Mutex
	rng   *rand.Rand
}

// New returns a Client.
func New(cfg Config) *Client {
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.MaxConcurrency <= 0 {
		cfg.MaxConcurrency = DefaultMaxConcurrency
	}
	if cfg.MaxRetries < 0 {
		cfg.MaxRetries = 0
	} else if cfg.MaxRetries == 0 {
		cfg.MaxRetries = DefaultMaxRetries
	}
	if cfg.BackoffBase <= 0 {
		cfg.BackoffBase = DefaultBackoffBase
	}
	if cfg.BackoffMax <= 0 {
		cfg.BackoffMax = DefaultBackoffMax
	}
	if cfg.BreakerFailures <= 0 {
		cfg.BreakerFailures = DefaultBreakerFailures
	}
	if cfg.BreakerCooldown <= 0 {
		cfg.BreakerCooldown = DefaultBreakerCooldown
	}
	if cfg.ResponseFormat == "" {
		cfg.ResponseFormat = "json_schema"
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	oc := openai.DefaultConfig(cfg.APIKey)
	if cfg.BaseURL != "" {
		oc.BaseURL = cfg.BaseURL
	}
	hc := cfg.HTTPClient
	if hc == nil {
		hc = &http.Client{}
	}
	oc.HTTPClient = hintDoer{hc}
	seed := uint64(cfg.Now().UnixNano())
	return &Client{
		cfg:     cfg,
		api:     openai.NewClientWithConfig(oc),
		sem:     make(chan struct{}, cfg.MaxConcurrency),
		log:     log.With("component", "llm"),
		breaker: breaker{failures: cfg.BreakerFailures, cooldown: cfg.BreakerCooldown, now: cfg.Now},
		rng:     rand.New(rand.NewPCG(seed, seed>>9|1)),
	}
}

// chat runs one chat completion of the given kind through call.
func (c *Client) chat(ctx context.Context, kind string, req openai.ChatCompletionRequest) (openai.ChatCompletionResponse, error) {
	var resp openai.ChatCompletionResponse
	err := c.call(ctx, kind, func(ctx context.Context) error {
		var err error
		resp, err = c.api.CreateChatCompletion(ctx, req)
		return err
	})
	return resp, err
}

// call runs fn with the concurrency cap, the circuit breaker, a timeout per attempt
// and retries with backoff on 429, 5xx and timeouts. fn must be safe to run again.
// Config.Observe hears of the call's end.
func (c *Client) call(ctx context.Context, kind string, fn func(ctx context.Context) error) error {
	if c.cfg.Observe == nil {
		return c.try(ctx, fn)
	}
	start := time.Now()
	err := c.try(ctx, fn)
	c.cfg.Observe(kind, outcomeOf(err), time.Since(start))
	return err
}

// try is call without the observing.
func (c *Client) try(ctx context.Context, fn func(ctx context.Context) error) error {
	select {
	case c.sem <- struct{}{}:
		defer func() { <-c.sem }()
	case <-ctx.Done():
		return ctx.Err()
	}
	if !c.breaker.allow() {
		return ErrCircuitOpen
	}
	var lastErr error
	for attempt := 0; attempt <= c.cfg.MaxRetries; attempt++ {
		hint := &retryHint{}
		actx, cancel := context.WithTimeout(context.WithValue(ctx, hintKey{}, hint), c.cfg.Timeout)
		err := fn(actx)
		cancel()
		if err == nil {
			c.breaker.success()
			return nil
		}
		lastErr = err
		if ctx.Err() != nil || !retryable(err) || attempt == c.cfg.MaxRetries {
			break
		}
		wait := c.backoff(attempt, hint.after)
		c.log.Warn("llm call failed, retrying", "attempt", attempt+1, "status", statusOf(err), "wait", wait)
		select {
		case <-time.After(wait):
		case <-ctx.Done():
			c.breaker.failure()
			return ctx.Err()
		}
	}
	c.breaker.failure()
	if unreadable(lastErr) {
		return fmt.Errorf("llm call: %w: %w", ErrBadResponse, lastErr)
	}
	return fmt.Errorf("llm call: %w", lastErr)
}

// backoff is the wait before retry attempt+1: the server's Retry-After when it sent
// one, else exponential backoff with full jitter.
func (c *Client) backoff(attempt int, retryAfter time.Duration) time.Duration {
	if retryAfter > 0 {
		return min(retryAfter, maxRetryAfter)
	}
	ceil := c.cfg.BackoffBase << attempt
	if ceil > c.cfg.BackoffMax || ceil <= 0 {
		ceil = c.cfg.BackoffMax
	}
	c.rngMu.Lock()
	defer c.rngMu.Unlock()
	return time.Duration(c.rng.Int64N(int64(ceil) + 1))
}

// retryable reports errors worth another try: rate limits, server errors, timeouts.
func retryable(err error) bool {
	if errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	if unreadable(err) {
		return false // the same page (a proxy's login page, say) would come again
	}
	switch s := statusOf(err); {
	case s == http.StatusTooManyRequests, s >= 500:
		return true
	case s == 0:
		return true // the connection failed: worth another try
	}
	return false
}

// unreadable reports a success status whose body is not JSON: an HTML or plain-text page
// from a proxy or a server that is not an OpenAI-compatible API.
func unreadable(err error) bool {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	return errors.As(err, &se) || errors.As(err, &te)
}

// rejected reports an error the server answered with a 4xx other than 408 and 429: the
// request itself was refused (a bad key, an unknown model, a setting the server does not
// support, a file it cannot read), so trying again cannot help.
func rejected(err error) bool {
	s := statusOf(err)
	return s >= 400 && s < 500 && s != http.StatusRequestTimeout && s != http.StatusTooManyRequests
}

// rejection returns the status of a rejected request and the API's error code, if any,
// for a log line: the message is left out, since servers quote part of a bad key in it.
func rejection(err error) (status int, code any) {
	var ae *openai.APIError
	if errors.As(err, &ae) {
		code = ae.Code
	}
	return statusOf(err), code
}

func statusOf(err error) int {
	var ae *openai.APIError
	var re *openai.RequestError
	switch {
	case errors.As(err, &ae):
		return ae.HTTPStatusCode
	case errors.As(err, &re):
		return re.HTTPStatusCode
	}
	return 0
}

// retryHint carries a response's Retry-After from the HTTP layer to the retry loop.
type retryHint struct{ after time.Duration }

type hintKey struct{}

// hintDoer records Retry-After on 429 and 5xx responses.
type hintDoer struct{ next *http.Client }

func (h hintDoer) Do(req *http.Request) (*http.Response, error) {
	resp, err := h.next.Do(req)
	if err != nil || (resp.StatusCode != http.StatusTooManyRequests && resp.StatusCode < 500) {
		return resp, err
	}
	if hint, ok := req.Context().Value(hintKey{}).(*retryHint); ok {
		hint.after = parseRetryAfter(resp.Header.Get("Retry-After"), time.Now())
	}
	return resp, err
}

// parseRetryAfter reads seconds or an HTTP date.
func parseRetryAfter(v string, now time.Time) time.Duration {
	if v == "" {
		return 0
	}
	if secs, err := strconv.ParseFloat(v, 64); err == nil && secs >= 0 {
		return time.Duration(secs * float64(time.Second))
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

// breaker opens after a run of failed calls and lets one call through per cooldown.
type breaker struct {
	failures int
	cooldown time.Duration
	now      func() time.Time

	mu        sync.Mutex
	run       int // consecutive failures
	openUntil time.Time
	probing   bool
}

func (b *breaker) allow() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.run < b.failures {
		return true
	}
	if b.now().Before(b.openUntil) || b.probing {
		return false
	}
	b.probing = true // half-open: one call finds out whether the server is back
	return true
}

func (b *breaker) success() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.run, b.probing = 0, false
}

func (b *breaker) failure() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.run++
	b.probing = false
	if b.run >= b.failures {
		b.openUntil = b.now().Add(b.cooldown)
	}
}
