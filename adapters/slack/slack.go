// Package slack is Quorum's Slack platform: a Socket Mode app (no public URL needed) with
// the /quorum command, Block Kit messages, question threads, a private-answer modal and an App Home.
package slack

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	slackgo "github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"

	"github.com/quorum-dev/quorum/adapters/internal/dedup"
	"github.com/quorum-dev/quorum/bot"
)

// Name is the platform name in users and conversations.
const Name = "slack"

// DefaultAPIURL is Slack's Web API.
const DefaultAPIURL = "https://slack.com/api/"

const (
	// seenFor and seenMax bound the events remembered to drop a redelivery: Slack retries
	// an event three times over a few minutes.
	seenFor = 10 * time.Minute
	seenMax = 4096
	// maxRateLimitRetries is how often one Web API call is retried after a 429.
	maxRateLimitRetries = 5
	// drainTimeout is how long Run lets events being handled finish once ctx ends.
	drainTimeout = 20 * time.Second
)

// Config is what the adapter needs. AppToken and BotToken are required.
type Config struct {
	// AppToken is the app-level token (xapp-...) with connections:write, for Socket Mode.
	AppToken string
	// BotToken is the bot token (xoxb-...) for the Web API and file downloads.
	BotToken string
	// APIURL is passed to slack.OptionAPIURL; Socket Mode connects to whatever
	// apps.connections.open answers there. Empty means DefaultAPIURL.
	APIURL string
	// EphemeralFeedback posts personal replies in channels (verdicts, stats, model
	// answers) as ephemeral messages only the person sees. Questions stay public.
	EphemeralFeedback bool
	// ManagerGroup is a user group id (S...) whose members may manage channel drills,
	// besides workspace admins and owners.
	ManagerGroup string
	Logger       *slog.Logger
	// HTTPClient is used for the Web API and downloads; nil means http.DefaultClient.
	HTTPClient *http.Client
}

// Adapter is Slack as a bot.Platform. It is safe for concurrent use.
type Adapter struct {
	cfg Config
	api *slackgo.Client
	log *slog.Logger

	mu      sync.Mutex
	botUser string // the bot's own user id, from auth.test
	teamID  string // the workspace, from auth.test
	// threads are the question threads this process opened, for handlers that
	// cannot say which threads hold open questions.
	threads map[string]bool
	// replies are the response_urls of recent slash commands by channel and person:
	// the one way to tell someone in a channel the bot has not joined.
	replies map[string]reply
	// up is set while the Socket Mode connection is open.
	up atomic.Bool
	// scopeOnce logs a missing files:write scope once.
	scopeOnce sync.Once
	// seen are the Events API events handled lately: Slack sends one again when it
	// saw no ack in time.
	seen *dedup.Set
}

// Connected reports whether the Socket Mode connection is open: the adapter's part
// of readiness.
func (a *Adapter) Connected() bool { return a.up.Load() }

// reply is a slash command's response_url and when it came.
type reply struct {
	url string
	at  time.Time
}

// responseURLLife is how long Slack accepts posts to a response_url.
const responseURLLife = 30 * time.Minute

var _ bot.Platform = (*Adapter)(nil)

// New checks cfg and returns an Adapter; Run connects it.
func New(cfg Config) (*Adapter, error) {
	switch {
	case cfg.AppToken == "":
		return nil, errors.New("slack: slack.app_token is empty; set it to the app-level token (xapp-...)")
	case !strings.HasPrefix(cfg.AppToken, "xapp-"):
		return nil, errors.New("slack: slack.app_token must be an app-level token starting with xapp-")
	case cfg.BotToken == "":
		return nil, errors.New("slack: slack.bot_token is empty; set it to the bot token (xoxb-...)")
	case !strings.HasPrefix(cfg.BotToken, "xoxb-"):
		return nil, errors.New("slack: slack.bot_token must be a bot token starting with xoxb-")
	}
	if cfg.APIURL == "" {
		cfg.APIURL = DefaultAPIURL
	}
	if !strings.HasSuffix(cfg.APIURL, "/") {
		cfg.APIURL += "/" // slack-go appends the method name
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	opts := []slackgo.Option{slackgo.OptionAPIURL(cfg.APIURL), slackgo.OptionAppLevelToken(cfg.AppToken)}
	if cfg.HTTPClient != nil {
		opts = append(opts, slackgo.OptionHTTPClient(cfg.HTTPClient))
	}
	return &Adapter{
		cfg:     cfg,
		api:     slackgo.New(cfg.BotToken, opts...),
		log:     cfg.Logger.With("component", "slack"),
		threads: map[string]bool{},
		replies: map[string]reply{},
		seen:    dedup.New(seenFor, seenMax, nil),
	}, nil
}

// Name implements bot.Platform.
func (a *Adapter) Name() string { return Name }

// authErrors are the Slack errors that mean a token is wrong, not that Slack is unwell.
var authErrors = map[string]bool{
	"invalid_auth": true, "not_authed": true, "token_revoked": true, "account_inactive": true,
	"token_expired": true, "not_allowed_token_type": true,
}

func isAuthError(err error) bool {
	var se slackgo.SlackErrorResponse
	if errors.As(err, &se) {
		return authErrors[se.Err]
	}
	return err != nil && authErrors[err.Error()]
}

// Run connects over Socket Mode and hands events to h until ctx ends. Each event is
// acked at once and handled in its own goroutine. A rejected token ends Run at once
// with one line saying which setting to check.
func (a *Adapter) Run(ctx context.Context, h bot.Handler) error {
	var auth *slackgo.AuthTestResponse
	err := a.retry(ctx, "auth.test", func(ctx context.Context) (err error) {
		auth, err = a.api.AuthTestContext(ctx)
		return err
	})
	switch {
	case isAuthError(err):
		return fmt.Errorf("slack: the bot token was rejected (%s); check slack.bot_token", slackError(err))
	case err != nil && ctx.Err() != nil:
		return nil
	case err != nil:
		return fmt.Errorf("slack: cannot reach the Slack API at %s: %s", a.cfg.APIURL, slackError(err))
	}
	a.mu.Lock()
	a.botUser, a.teamID = auth.UserID, auth.TeamID
	a.mu.Unlock()
	a.log.Info("authenticated", "team", auth.TeamID, "bot_user", auth.UserID)

	sm := socketmode.New(a.api)
	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	smErr := make(chan error, 1)
	go func() { smErr <- sm.RunContext(runCtx) }()

	// Handlers outlive ctx by up to drainTimeout, so an answer being graded is not lost.
	hctx, cancelHandlers := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelHandlers()
	var wg sync.WaitGroup
	d := &dispatcher{a: a, sm: sm, h: h, ctx: hctx, wg: &wg}

	var runErr error
loop:
	for {
		select {
		case <-ctx.Done():
			break loop
		case err := <-smErr:
			if ctx.Err() != nil {
				break loop
			}
			if isAuthError(err) {
				runErr = fmt.Errorf("slack: the app-level token was rejected (%s); check slack.app_token (an xapp- token with connections:write)", slackError(err))
			} else {
				runErr = fmt.Errorf("slack: socket mode stopped: %s", slackError(err))
			}
			break loop
		case evt := <-sm.Events:
			d.dispatch(evt)
		}
	}
	stop()
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(drainTimeout):
		a.log.Warn("events still being handled at shutdown; cancelling them")
		cancelHandlers()
		<-done
	}
	a.up.Store(false)
	a.log.Info("disconnected")
	return runErr
}

// slackError is an error as one short line, without anything a token could leak into:
// nor a URL's path, which for an upload_url, a response_url or the socket's URL is a
// capability.
func slackError(err error) string {
	var se slackgo.SlackErrorResponse
	if errors.As(err, &se) {
		return se.Err
	}
	return strings.ReplaceAll(scrub(err).Error(), "\n", " ")
}

// scrub drops the path and query from the URL in a transport error.
func scrub(err error) error {
	var ue *url.Error
	if !errors.As(err, &ue) {
		return err
	}
	where := "…"
	if u, perr := url.Parse(ue.URL); perr == nil {
		where = u.Scheme + "://" + u.Host + "/…"
	}
	return fmt.Errorf("%s %s: %w", ue.Op, where, ue.Err)
}

// retry calls f, and again after the server's Retry-After while Slack answers 429.
func (a *Adapter) retry(ctx context.Context, method string, f func(context.Context) error) error {
	for attempt := 0; ; attempt++ {
		err := f(ctx)
		var rl *slackgo.RateLimitedError
		if !errors.As(err, &rl) || attempt >= maxRateLimitRetries {
			return err
		}
		wait := max(rl.RetryAfter, time.Second)
		a.log.Warn("rate limited", "method", method, "retry_after", wait, "attempt", attempt+1)
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		}
	}
}

// Send implements bot.Platform. A question in a channel opens a thread (its own
// message); answers come there. Personal replies in channels are ephemeral when
// Config.EphemeralFeedback is set.
func (a *Adapter) Send(ctx context.Context, m bot.Message) (bot.Sent, error) {
	blocks, text := render(m)
	opts := []slackgo.MsgOption{slackgo.MsgOptionText(text, false), slackgo.MsgOptionBlocks(blocks...)}
	if m.Conv.Thread != "" {
		opts = append(opts, slackgo.MsgOptionTS(m.Conv.Thread))
	}
	if a.ephemeral(m) {
		var ts string
		err := a.retry(ctx, "chat.postEphemeral", func(ctx context.Context) (err error) {
			ts, err = a.api.PostEphemeralContext(ctx, m.Conv.ID, m.To.ID, opts...)
			return err
		})
		if err != nil {
			return bot.Sent{}, fmt.Errorf("post ephemeral to %s: %s", m.Conv.ID, slackError(err))
		}
		if len(m.Files) > 0 {
			// Slack has no ephemeral files; the text is complete without them.
			a.log.Info("dropped files of an ephemeral message", "channel", m.Conv.ID, "files", len(m.Files))
		}
		return bot.Sent{ID: ts}, nil
	}
	opts = append(opts, slackgo.MsgOptionDisableLinkUnfurl())
	if m.Key != "" {
		// Marks the post with the message's key, so a send again after a restart can
		// find it (posted).
		opts = append(opts, slackgo.MsgOptionMetadata(slackgo.SlackMetadata{EventType: keyedEvent,
			EventPayload: map[string]any{"key": m.Key}}))
	}
	var ts string
	if m.Again {
		var err error
		if ts, err = a.posted(ctx, m); err != nil {
			return bot.Sent{}, err
		}
	}
	if ts == "" {
		err := a.retry(ctx, "chat.postMessage", func(ctx context.Context) (err error) {
			_, ts, err = a.api.PostMessageContext(ctx, m.Conv.ID, opts...)
			return err
		})
		if err != nil {
			if code := slackError(err); code == "not_in_channel" || code == "channel_not_found" {
				a.notInChannel(ctx, m.Conv.ID, m.To.ID)
			}
			return bot.Sent{}, fmt.Errorf("post message to %s: %s", m.Conv.ID, slackError(err))
		}
		a.uploadFiles(ctx, m)
	}
	sent := bot.Sent{ID: ts}
	if m.Kind == bot.MsgQuestion && !m.Conv.DM {
		sent.Thread = m.Conv.Thread
		if sent.Thread == "" {
			sent.Thread = ts // the question starts its own thread
		}
		a.mu.Lock()
		a.threads[m.Conv.ID+"/"+sent.Thread] = true
		a.mu.Unlock()
	}
	return sent, nil
}

// keyedEvent is the metadata event type of a message with a key (a question or a
// verdict; Send), whose payload holds the key.
const keyedEvent = "quorum_message"

// redeliveryWindow is how long after a message was first sent a send again looks for it
// (RedeliveryWindow), and redeliveryScan how many of the conversation's latest messages
// it reads: a busy channel posts far fewer in that time.
const (
	redeliveryWindow = 10 * time.Minute
	redeliveryScan   = 200
)

// RedeliveryWindow implements bot.Redelivering. Slack has no idempotency key for
// chat.postMessage, but a question, verdict, report or time's-up note carries its key in
// its metadata, so a send again after a restart reads the conversation (or thread) first
// and returns the message if it was posted (posted). An ephemeral message cannot be read back.
func (a *Adapter) RedeliveryWindow(_ context.Context, m bot.Message) time.Duration {
	if m.Kind != bot.MsgQuestion && m.Kind != bot.MsgVerdict && m.Kind != bot.MsgReport && m.Kind != bot.MsgTimeUp || a.ephemeral(m) {
		return 0
	}
	return redeliveryWindow
}

// posted returns the ts of keyed message m if it was posted already, or "" if it was
// not. An error means it cannot tell: the message is not posted again.
func (a *Adapter) posted(ctx context.Context, m bot.Message) (string, error) {
	var msgs []slackgo.Message
	err := a.retry(ctx, "conversations.history", func(ctx context.Context) (err error) {
		if m.Conv.Thread != "" {
			msgs, _, _, err = a.api.GetConversationRepliesContext(ctx, &slackgo.GetConversationRepliesParameters{
				ChannelID: m.Conv.ID, Timestamp: m.Conv.Thread, Limit: redeliveryScan, IncludeAllMetadata: true})
			return err
		}
		var h *slackgo.GetConversationHistoryResponse
		h, err = a.api.GetConversationHistoryContext(ctx, &slackgo.GetConversationHistoryParameters{
			ChannelID: m.Conv.ID, Limit: redeliveryScan, IncludeAllMetadata: true})
		if err == nil {
			msgs = h.Messages
		}
		return err
	})
	if err != nil {
		return "", fmt.Errorf("look for the message in %s: %s", m.Conv.ID, slackError(err))
	}
	for _, msg := range msgs {
		if msg.Metadata.EventType == keyedEvent && msg.Metadata.EventPayload["key"] == m.Key {
			return msg.Timestamp, nil
		}
	}
	return "", nil
}

// ephemeral reports whether m goes only to its person: personal feedback in a channel
// when configured. Questions and time's-up notes stay in the thread for everyone.
func (a *Adapter) ephemeral(m bot.Message) bool {
	if m.Conv.DM || m.To.ID == "" || !a.cfg.EphemeralFeedback && !m.Private {
		return false
	}
	switch m.Kind {
	case bot.MsgQuestion, bot.MsgTimeUp:
		return false
	}
	return true
}

// remember keeps a slash command's response_url for notInChannel.
func (a *Adapter) remember(channel, user, url string) {
	if url == "" {
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	now := time.Now()
	for k, r := range a.replies {
		if now.Sub(r.at) > responseURLLife {
			delete(a.replies, k)
		}
	}
	a.replies[channel+"|"+user] = reply{url: url, at: now}
}

// notInChannel tells the person, through their slash command's response_url, that the
// bot must be invited first. It says so once per command.
func (a *Adapter) notInChannel(ctx context.Context, channel, user string) {
	a.mu.Lock()
	r, ok := a.replies[channel+"|"+user]
	delete(a.replies, channel+"|"+user)
	a.mu.Unlock()
	if !ok || time.Since(r.at) > responseURLLife {
		return
	}
	body, _ := json.Marshal(map[string]any{"response_type": "ephemeral", "replace_original": false,
		"text": "I'm not in this channel yet, so I can't post questions here. Invite me with `/invite @Quorum` and try again, or message me directly."})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, r.url, bytes.NewReader(body))
	if err != nil {
		return
	}
	req.Header.Set("Content-Type", "application/json")
	client := a.cfg.HTTPClient
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		a.log.Warn("post to the response_url", "channel", channel, "err", slackError(err))
		return
	}
	resp.Body.Close()
}
