// Package discordtest is a fake Discord on loopback for tests: the REST API under
// /api/v9/ that Quorum uses, and a gateway websocket (HELLO, IDENTIFY, READY, heartbeats,
// RESUME) through which a test pushes MESSAGE_CREATE and INTERACTION_CREATE dispatches.
// It records what the bot posted, serves attachments, and answers 429s and lost
// responses on demand.
package discordtest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// Message flags and channel types on the wire.
const (
	FlagEphemeral    = 1 << 6
	FlagLoading      = 1 << 7
	FlagVoiceMessage = 1 << 13

	channelText         = 0
	channelDM           = 1
	channelPublicThread = 11

	intentMessageContent = 1 << 15
)

// Interaction types on the wire.
const (
	interactionCommand      = 2
	interactionComponent    = 3
	interactionAutocomplete = 4
	interactionModalSubmit  = 5
)

// Button is a button on a posted message.
type Button struct {
	CustomID, Label string
	Style           int
}

// Embed is the part of a posted embed tests look at.
type Embed struct {
	Title       string  `json:"title"`
	Description string  `json:"description"`
	Color       int     `json:"color"`
	Fields      []Field `json:"fields"`
	Footer      *struct {
		Text string `json:"text"`
	} `json:"footer"`
	Image *struct {
		URL string `json:"url"`
	} `json:"image"`
}

// Field is an embed field.
type Field struct {
	Name   string `json:"name"`
	Value  string `json:"value"`
	Inline bool   `json:"inline"`
}

// Post is a message the bot made visible: a channel message, an interaction's original
// response or a follow-up.
type Post struct {
	// Via is "message" (POST channels/{id}/messages), "original" (the edited deferred
	// response of an interaction), "followup" (POST webhooks/{app}/{token}) or "callback"
	// (a type 4 interaction response).
	Via       string
	ChannelID string
	ID        string
	Content   string
	Embeds    []Embed
	Buttons   []Button
	Flags     int
	Nonce     string
	// Interaction is the token of the interaction a response or follow-up belongs to.
	Interaction string
	// ReplyTo is the message a posted message replies to (its message_reference).
	ReplyTo string
	// Files are the attachments sent with the post (multipart files[n] parts).
	Files []File
	// At is when the fake received it.
	At time.Time
}

// File is an attachment the bot uploaded with a post.
type File struct {
	Name, ContentType string
	Data              []byte
}

// Text is everything a person would read in the post.
func (p Post) Text() string {
	var b strings.Builder
	b.WriteString(p.Content)
	for _, e := range p.Embeds {
		fmt.Fprintf(&b, "\n%s\n%s", e.Title, e.Description)
		for _, f := range e.Fields {
			fmt.Fprintf(&b, "\n%s: %s", f.Name, f.Value)
		}
		if e.Footer != nil {
			fmt.Fprintf(&b, "\n%s", e.Footer.Text)
		}
	}
	return b.String()
}

// Button returns the post's button with custom id id.
func (p Post) Button(id string) (Button, bool) {
	for _, b := range p.Buttons {
		if b.CustomID == id {
			return b, true
		}
	}
	return Button{}, false
}

// Callback is an interaction response the bot made.
type Callback struct {
	Interaction string // the interaction's token
	Type        int
	Flags       int
	// Data is the response's data object as sent.
	Data map[string]any
	// After is how long after the dispatch the callback came.
	After time.Duration
}

// Thread is a thread the bot started.
type Thread struct {
	ID, ParentID, Name string
}

// Invoker is who acts, and where: a guild channel (GuildID set) or a DM channel.
type Invoker struct {
	UserID, Username string
	GuildID          string
	ChannelID        string
	// Permissions is the member's permission bitfield in the channel.
	Permissions int64
}

// Option is a slash command option as Discord sends it.
type Option struct {
	Name    string   `json:"name"`
	Type    int      `json:"type"`
	Value   any      `json:"value,omitempty"`
	Options []Option `json:"options,omitempty"`
	Focused bool     `json:"focused,omitempty"`
}

// String returns a string option.
func String(name, value string) Option { return Option{Name: name, Type: 3, Value: value} }

// Sub returns a subcommand option.
func Sub(name string, opts ...Option) Option { return Option{Name: name, Type: 1, Options: opts} }

// Interaction identifies a dispatched interaction.
type Interaction struct {
	ID, Token string
}

// Attachment is a file the fake serves, as it appears in a message.
type Attachment struct {
	ID           string  `json:"id"`
	Filename     string  `json:"filename"`
	ContentType  string  `json:"content_type,omitempty"`
	Size         int     `json:"size"`
	URL          string  `json:"url"`
	ProxyURL     string  `json:"proxy_url"`
	DurationSecs float64 `json:"duration_secs,omitempty"`
	Waveform     string  `json:"waveform,omitempty"`
}

type pending struct {
	raw       map[string]any
	channelID string
	at        time.Time
	responded bool
	deferred  int    // the response type, once responded
	flags     int    // the deferred response's flags
	original  string // the original response's message id
}

type failure struct {
	method, path string
	status       int
	retryAfter   time.Duration
	commit       bool // carry out the request, then answer status
}

type channel struct {
	ID, GuildID, ParentID, OwnerID, Name string
	Type                                 int
	Recipient                            string
}

// Server is the fake Discord. Create it with New; close it with Close.
type Server struct {
	// URL is the base URL to give the adapter (it replaces https://discord.com).
	URL string
	// Token is the bot token the fake accepts (without "Bot ").
	Token string
	// AppID and BotID are the application's and the bot user's ids.
	AppID, BotID string
	// HeartbeatInterval is what HELLO asks for.
	HeartbeatInterval time.Duration
	// InteractionDeadline is how long an interaction can wait for its first response.
	InteractionDeadline time.Duration
	// DenyMessageContent makes IDENTIFY with the Message Content intent fail with
	// close code 4014, as when the intent is not enabled in the Developer Portal.
	DenyMessageContent bool
	// NoAttachFiles denies the bot the Attach Files permission in every server channel
	// (and its threads): a message with files there answers 403 Missing Permissions.
	NoAttachFiles bool

	srv   *httptest.Server
	up    websocket.Upgrader
	conns atomic.Int64 // TCP connections accepted
	// active counts connections in the middle of an HTTP request (not idle, not the gateway)
	active atomic.Int64

	// order serialises gateway dispatches (taken before mu), so frames go out in
	// sequence order and a new or resumed session gets READY or its missed events first.
	order         sync.Mutex
	mu            sync.Mutex
	refuseThreads bool // see RefuseThreads
	changed       chan struct{}
	seq           int64
	channels      map[string]*channel
	msgChannel    map[string]string         // message id -> channel id
	said          map[string]map[string]any // message id -> its MESSAGE_CREATE, for Repeat
	posts         []Post
	taken         []bool
	byChannel     map[string][]int // channel id -> indexes into posts
	byNonce       map[string]int   // channel id + "\x00" + nonce -> index of a "message" post
	restBusy      int              // REST requests being handled
	callbacks     []Callback
	threads       []Thread
	commands      map[string][]map[string]any // by guild id, "" = global
	interactions  map[string]*pending         // by token
	failures      []failure
	attempts      map[string]int
	attachments   map[string][]byte
	attachTypes   map[string]string
	downloads     []http.Header
	sessions      map[string]*gwSession
	current       *gwSession
	conn          *gwConn
	identifies    int
	deduped       int
	resumes       int
	heartbeats    int
	intents       int
	closed        bool
	// grants are permission bits given to members, by guild id then user id.
	grants map[string]map[string]int64
}

type gwSession struct {
	id  string
	seq int64
	log []frame
}

type gwConn struct {
	ws  *websocket.Conn
	wmu sync.Mutex
}

type frame struct {
	Op int             `json:"op"`
	D  json.RawMessage `json:"d"`
	S  *int64          `json:"s,omitempty"`
	T  string          `json:"t,omitempty"`
}

func (c *gwConn) write(f frame) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	return c.ws.WriteJSON(f)
}

func (c *gwConn) closeWith(code int, text string) {
	c.wmu.Lock()
	c.ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, text), time.Now().Add(time.Second))
	c.wmu.Unlock()
	c.ws.Close()
}

// New starts a fake Discord that accepts token.
func New(token string) *Server {
	s := &Server{
		Token: token, AppID: "900000000000000001", BotID: "900000000000000001",
		HeartbeatInterval: 41250 * time.Millisecond, InteractionDeadline: 3 * time.Second,
		changed: make(chan struct{}), seq: 1000,
		channels: map[string]*channel{}, msgChannel: map[string]string{}, said: map[string]map[string]any{}, commands: map[string][]map[string]any{},
		interactions: map[string]*pending{}, attempts: map[string]int{}, attachments: map[string][]byte{},
		attachTypes: map[string]string{}, sessions: map[string]*gwSession{}, byChannel: map[string][]int{}, byNonce: map[string]int{},
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/api/v9/", s.rest)
	mux.HandleFunc("/gateway/", s.gateway)
	mux.HandleFunc("/attachments/", s.attachment)
	s.srv = httptest.NewUnstartedServer(mux)
	s.srv.Config.ConnState = func(_ net.Conn, state http.ConnState) {
		switch state {
		case http.StateNew:
			s.conns.Add(1)
		case http.StateActive:
			s.active.Add(1)
		case http.StateIdle, http.StateHijacked:
			s.active.Add(-1)
		}
	}
	s.srv.Start()
	s.URL = s.srv.URL
	return s
}

// Connections returns how many TCP connections the fake has accepted (REST and gateway).
func (s *Server) Connections() int64 { return s.conns.Load() }

// ActiveConnections returns how many connections are in the middle of a request.
func (s *Server) ActiveConnections() int64 { return s.active.Load() }

// Close drops the gateway and stops the server.
func (s *Server) Close() {
	s.mu.Lock()
	s.closed = true
	c := s.conn
	s.conn = nil
	s.mu.Unlock()
	if c != nil {
		c.ws.Close()
	}
	s.srv.CloseClientConnections()
	s.srv.Close()
}

// id returns a new snowflake-like id.
func (s *Server) id() string {
	s.seq++
	return strconv.FormatInt(s.seq, 10) + "0000000"
}

// notify wakes waiters; s.mu must be held.
func (s *Server) notify() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// WaitFor waits up to 5 seconds for cond (called with the server's state locked
// out) to hold, failing the test otherwise.
func (s *Server) WaitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.After(5 * time.Second)
	for {
		s.mu.Lock()
		ch := s.changed
		s.mu.Unlock()
		if cond() {
			return
		}
		select {
		case <-ch:
		case <-time.After(20 * time.Millisecond): // conditions that read other state
		case <-deadline:
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

// --- channels -----------------------------------------------------------------

// AddChannel creates a guild text channel.
func (s *Server) AddChannel(guildID, channelID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.channels[channelID] = &channel{ID: channelID, GuildID: guildID, Name: "general", Type: channelText}
}

// Grant gives a member of guild the permission bits perms through a role of their own
// (as a server admin would); GET /guilds/{id} and /guilds/{id}/members/{user} report it.
func (s *Server) Grant(guildID, userID string, perms int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.grants == nil {
		s.grants = map[string]map[string]int64{}
	}
	if s.grants[guildID] == nil {
		s.grants[guildID] = map[string]int64{}
	}
	s.grants[guildID][userID] = perms
}

// guild is GET /guilds/{id}: @everyone (id = guild id) with no permissions, and one role
// per grant. s.mu must be held.
func (s *Server) guild(id string) map[string]any {
	roles := []map[string]any{{"id": id, "name": "@everyone", "permissions": "0"}}
	for user, perms := range s.grants[id] {
		roles = append(roles, map[string]any{"id": "role-" + user, "name": "role of " + user, "permissions": fmt.Sprint(perms)})
	}
	return map[string]any{"id": id, "name": "guild " + id, "owner_id": "owner-" + id, "roles": roles}
}

// DM returns the DM channel with the user, creating it.
func (s *Server) DM(userID string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.dmLocked(userID)
}

func (s *Server) dmLocked(userID string) string {
	for _, c := range s.channels {
		if c.Type == channelDM && c.Recipient == userID {
			return c.ID
		}
	}
	c := &channel{ID: s.id(), Type: channelDM, Recipient: userID}
	s.channels[c.ID] = c
	return c.ID
}

func (c *channel) wire() map[string]any {
	m := map[string]any{"id": c.ID, "type": c.Type, "name": c.Name}
	if c.GuildID != "" {
		m["guild_id"] = c.GuildID
	}
	if c.ParentID != "" {
		m["parent_id"] = c.ParentID
	}
	if c.OwnerID != "" {
		m["owner_id"] = c.OwnerID
	}
	if c.Type == channelPublicThread {
		m["thread_metadata"] = map[string]any{"archived": false, "auto_archive_duration": 1440, "locked": false}
	}
	if c.Recipient != "" {
		m["recipients"] = []map[string]any{{"id": c.Recipient, "username": "user" + c.Recipient}}
	}
	return m
}

// RefuseThreads makes starting a thread fail as it does without the Create Public
// Threads permission (403, Missing Access), or succeed again.
func (s *Server) RefuseThreads(refuse bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refuseThreads = refuse
}

// Threads returns the threads the bot started.
func (s *Server) Threads() []Thread {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Thread(nil), s.threads...)
}

// --- what the bot did -----------------------------------------------------------

// Posts returns everything posted so far.
func (s *Server) Posts() []Post {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Post(nil), s.posts...)
}

// NextPost waits for the first post not yet taken that matches ok (nil: any), marks it
// taken and returns it. It fails the test after 5 seconds.
func (s *Server) NextPost(t testing.TB, what string, ok func(Post) bool) Post {
	t.Helper()
	var got Post
	s.WaitFor(t, what, func() bool {
		s.mu.Lock()
		defer s.mu.Unlock()
		for i, p := range s.posts {
			if !s.taken[i] && (ok == nil || ok(p)) {
				s.taken[i] = true
				got = p
				return true
			}
		}
		return false
	})
	return got
}

// PostsIn returns the posts in channel from the from-th one on (counting only that
// channel's posts), so a test following many conversations reads only what is new.
func (s *Server) PostsIn(channel string, from int) []Post {
	s.mu.Lock()
	defer s.mu.Unlock()
	idx := s.byChannel[channel]
	if from >= len(idx) {
		return nil
	}
	out := make([]Post, 0, len(idx)-from)
	for _, i := range idx[from:] {
		out = append(out, s.posts[i])
	}
	return out
}

// PostsFrom returns the posts from the i-th on, in every channel, so a test following
// thousands of conversations reads each post once.
func (s *Server) PostsFrom(i int) []Post {
	s.mu.Lock()
	defer s.mu.Unlock()
	if i >= len(s.posts) {
		return nil
	}
	return append([]Post(nil), s.posts[i:]...)
}

// Changed returns a channel that is closed at the next change of the fake's state (a
// post, a connection, a request finished), for tests that wait on several conditions
// at once without polling.
func (s *Server) Changed() <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.changed
}

// RESTBusy reports how many REST requests are being handled. After the bot's process
// has died, a test waits for zero before reading posts: a request the process sent
// just before it died may still be on its way into the record.
func (s *Server) RESTBusy() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.restBusy
}

// Untaken returns the posts NextPost has not returned yet.
func (s *Server) Untaken() []Post {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Post
	for i, p := range s.posts {
		if !s.taken[i] {
			out = append(out, p)
		}
	}
	return out
}

// Callbacks returns the interaction responses so far.
func (s *Server) Callbacks() []Callback {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Callback(nil), s.callbacks...)
}

// Commands returns the registered commands of a guild ("" for global ones) by name.
func (s *Server) Commands(guildID string) map[string]map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]map[string]any{}
	for _, c := range s.commands[guildID] {
		out[fmt.Sprint(c["name"])] = c
	}
	return out
}

// Handshakes counts IDENTIFYs, RESUMEs and heartbeats received.
func (s *Server) Handshakes() (identifies, resumes, heartbeats int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.identifies, s.resumes, s.heartbeats
}

// Intents is the intents bitfield of the last IDENTIFY.
func (s *Server) Intents() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.intents
}

// Attempts counts requests to method and path, whatever their answer.
func (s *Server) Attempts(method, path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.attempts[method+" "+path]
}

// Deduped counts posts answered with an earlier message of the same nonce (enforce_nonce).
func (s *Server) Deduped() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.deduped
}

// Downloads returns the request headers of attachment downloads.
func (s *Server) Downloads() []http.Header {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]http.Header(nil), s.downloads...)
}

// --- scripted failures ------------------------------------------------------------

// RateLimitNext answers the next request to method and path with a 429 carrying
// retry_after and the rate-limit headers.
func (s *Server) RateLimitNext(method, path string, retryAfter time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failures = append(s.failures, failure{method: method, path: path, status: http.StatusTooManyRequests, retryAfter: retryAfter})
}

// LoseNextResponse carries out the next request to method and path but answers 502,
// as when the response is lost on the way back.
func (s *Server) LoseNextResponse(method, path string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failures = append(s.failures, failure{method: method, path: path, status: http.StatusBadGateway, commit: true})
}

func (s *Server) takeFailure(method, path string) (failure, bool) {
	for i, f := range s.failures {
		if f.method == method && f.path == path {
			s.failures = append(s.failures[:i], s.failures[i+1:]...)
			return f, true
		}
	}
	return failure{}, false
}

// --- REST ----------------------------------------------------------------------

type apiError struct {
	status int
	code   int
	msg    string
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func (s *Server) rest(w http.ResponseWriter, r *http.Request) {
	path := strings.TrimPrefix(r.URL.Path, "/api/v9")
	body, _ := io.ReadAll(r.Body)
	parts := strings.Split(strings.Trim(path, "/"), "/")
	body, files, ferr := multipartBody(r.Header.Get("Content-Type"), body)
	if ferr != nil {
		writeJSON(w, http.StatusBadRequest, map[string]any{"message": "Invalid Form Body: " + ferr.Error(), "code": 50035})
		return
	}

	s.mu.Lock()
	s.attempts[r.Method+" "+r.URL.Path]++
	s.restBusy++
	f, failing := s.takeFailure(r.Method, r.URL.Path)
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		s.restBusy--
		s.notify()
		s.mu.Unlock()
	}()
	if failing && !f.commit {
		secs := f.retryAfter.Seconds()
		h := w.Header()
		h.Set("X-RateLimit-Limit", "5")
		h.Set("X-RateLimit-Remaining", "0")
		h.Set("X-RateLimit-Reset", strconv.FormatFloat(float64(time.Now().Add(f.retryAfter).UnixMilli())/1000, 'f', 3, 64))
		h.Set("X-RateLimit-Reset-After", strconv.FormatFloat(secs, 'f', 3, 64))
		h.Set("X-RateLimit-Bucket", "fake-"+parts[0])
		h.Set("X-RateLimit-Scope", "user")
		h.Set("Retry-After", strconv.Itoa(int(secs+0.999)))
		writeJSON(w, f.status, map[string]any{"message": "You are being rate limited.", "retry_after": secs, "global": false})
		return
	}

	// Interaction callbacks and webhooks carry their token in the path; the rest need the bot token.
	open := parts[0] == "gateway" || parts[0] == "interactions" || parts[0] == "webhooks"
	if !open && r.Header.Get("Authorization") != "Bot "+s.Token {
		writeJSON(w, http.StatusUnauthorized, map[string]any{"message": "401: Unauthorized", "code": 0})
		return
	}

	status, out, aerr := s.route(r, parts, body, files)
	if aerr != nil {
		writeJSON(w, aerr.status, map[string]any{"message": aerr.msg, "code": aerr.code})
		return
	}
	if failing {
		writeJSON(w, f.status, map[string]any{"message": "502 Bad Gateway", "code": 0})
		return
	}
	if out == nil {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	writeJSON(w, status, out)
}

func (s *Server) route(r *http.Request, p []string, body []byte, files []File) (int, any, *apiError) {
	m := r.Method
	n := len(p)
	switch {
	case m == "GET" && n == 1 && p[0] == "gateway":
		return 200, map[string]any{"url": s.wsURL()}, nil
	case m == "GET" && n == 2 && p[0] == "users" && p[1] == "@me":
		return 200, s.botUser(), nil
	case m == "POST" && n == 3 && p[0] == "users" && p[1] == "@me" && p[2] == "channels":
		var req struct {
			RecipientID string `json:"recipient_id"`
		}
		json.Unmarshal(body, &req)
		s.mu.Lock()
		defer s.mu.Unlock()
		return 200, s.channels[s.dmLocked(req.RecipientID)].wire(), nil
	case m == "PUT" && p[0] == "applications" && (n == 3 && p[2] == "commands" || n == 5 && p[2] == "guilds" && p[4] == "commands"):
		if p[1] != s.AppID {
			return 0, nil, &apiError{404, 10002, "Unknown Application"}
		}
		guild := ""
		if n == 5 {
			guild = p[3]
		}
		var cmds []map[string]any
		if err := json.Unmarshal(body, &cmds); err != nil {
			return 0, nil, &apiError{400, 50035, "Invalid Form Body"}
		}
		for _, c := range cmds {
			c["id"], c["application_id"] = s.nextID(), s.AppID
			if guild != "" {
				c["guild_id"] = guild
			}
		}
		s.mu.Lock()
		s.commands[guild] = cmds
		s.notify()
		s.mu.Unlock()
		return 200, cmds, nil
	case m == "GET" && n == 2 && p[0] == "guilds":
		s.mu.Lock()
		defer s.mu.Unlock()
		return 200, s.guild(p[1]), nil
	case m == "GET" && n == 4 && p[0] == "guilds" && p[2] == "members":
		s.mu.Lock()
		defer s.mu.Unlock()
		roles := []string{}
		if _, ok := s.grants[p[1]][p[3]]; ok {
			roles = append(roles, "role-"+p[3])
		}
		return 200, map[string]any{"user": map[string]any{"id": p[3], "username": p[3]}, "roles": roles}, nil
	case m == "GET" && n == 2 && p[0] == "channels":
		s.mu.Lock()
		defer s.mu.Unlock()
		c := s.channels[p[1]]
		if c == nil {
			return 0, nil, &apiError{404, 10003, "Unknown Channel"}
		}
		return 200, c.wire(), nil
	case m == "POST" && n == 3 && p[0] == "channels" && p[2] == "messages":
		return s.createMessage(p[1], body, files)
	case m == "POST" && n == 5 && p[0] == "channels" && p[2] == "messages" && p[4] == "threads":
		return s.startThread(p[1], p[3], body)
	case m == "POST" && n == 4 && p[0] == "interactions" && p[3] == "callback":
		return s.callback(p[1], p[2], body)
	case m == "PATCH" && n == 5 && p[0] == "webhooks" && p[3] == "messages" && p[4] == "@original":
		return s.editOriginal(p[1], p[2], body, files)
	case m == "POST" && n == 3 && p[0] == "webhooks":
		st, out, err := s.followUp(p[1], p[2], body, files)
		if err == nil && r.URL.Query().Get("wait") != "true" {
			return 204, nil, nil
		}
		return st, out, err
	}
	return 0, nil, &apiError{404, 0, "404: Not Found"}
}

func (s *Server) nextID() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.id()
}

func (s *Server) botUser() map[string]any {
	return map[string]any{"id": s.BotID, "username": "quorum", "discriminator": "0", "bot": true}
}

// wire is a posted message's body as the fake reads it.
type wire struct {
	Content      string            `json:"content"`
	Embeds       []Embed           `json:"embeds"`
	Components   []json.RawMessage `json:"components"`
	Flags        int               `json:"flags"`
	Nonce        any               `json:"nonce"`
	EnforceNonce bool              `json:"enforce_nonce"`
	Reference    *struct {
		MessageID string `json:"message_id"`
	} `json:"message_reference"`
}

func buttons(rows []json.RawMessage) []Button {
	var out []Button
	for _, raw := range rows {
		var row struct {
			Components []struct {
				Type     int    `json:"type"`
				CustomID string `json:"custom_id"`
				Label    string `json:"label"`
				Style    int    `json:"style"`
			} `json:"components"`
		}
		json.Unmarshal(raw, &row)
		for _, c := range row.Components {
			if c.Type == 2 {
				out = append(out, Button{CustomID: c.CustomID, Label: c.Label, Style: c.Style})
			}
		}
	}
	return out
}

// record adds a post and returns the message object Discord would answer. s.mu must be held.
func (s *Server) record(p Post, raw []byte) map[string]any {
	p.At = time.Now()
	s.byChannel[p.ChannelID] = append(s.byChannel[p.ChannelID], len(s.posts))
	s.posts = append(s.posts, p)
	s.taken = append(s.taken, false)
	s.msgChannel[p.ID] = p.ChannelID
	s.notify()
	var msg map[string]any
	json.Unmarshal(raw, &msg)
	if msg == nil {
		msg = map[string]any{}
	}
	delete(msg, "enforce_nonce")
	msg["id"], msg["channel_id"], msg["type"] = p.ID, p.ChannelID, 0
	msg["author"] = s.botUser()
	msg["timestamp"] = time.Now().UTC().Format(time.RFC3339Nano)
	msg["flags"] = p.Flags
	if c := s.channels[p.ChannelID]; c != nil && c.GuildID != "" {
		msg["guild_id"] = c.GuildID
	}
	return msg
}

func (s *Server) createMessage(channelID string, body []byte, files []File) (int, any, *apiError) {
	var in wire
	if err := json.Unmarshal(body, &in); err != nil {
		return 0, nil, &apiError{400, 50035, "Invalid Form Body"}
	}
	if in.Content == "" && len(in.Embeds) == 0 && len(files) == 0 {
		return 0, nil, &apiError{400, 50006, "Cannot send an empty message"}
	}
	nonce := ""
	if in.Nonce != nil {
		nonce = fmt.Sprint(in.Nonce)
	}
	if len(nonce) > 25 {
		return 0, nil, &apiError{400, 50035, "Invalid Form Body: nonce too long"}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.channels[channelID] == nil {
		return 0, nil, &apiError{404, 10003, "Unknown Channel"}
	}
	if len(files) > 0 && s.NoAttachFiles && s.channels[channelID].GuildID != "" {
		return 0, nil, &apiError{403, 50013, "Missing Permissions"}
	}
	key := channelID + "\x00" + nonce
	if i, ok := s.byNonce[key]; ok && in.EnforceNonce && nonce != "" {
		s.deduped++
		s.notify()
		return 200, s.messageObject(s.posts[i]), nil
	}
	p := Post{Via: "message", ChannelID: channelID, ID: s.id(), Content: in.Content, Embeds: in.Embeds,
		Buttons: buttons(in.Components), Flags: in.Flags, Nonce: nonce, Files: files}
	if in.Reference != nil {
		p.ReplyTo = in.Reference.MessageID
	}
	if nonce != "" {
		if _, ok := s.byNonce[key]; !ok {
			s.byNonce[key] = len(s.posts)
		}
	}
	return 200, s.record(p, body), nil
}

func (s *Server) messageObject(p Post) map[string]any {
	return map[string]any{"id": p.ID, "channel_id": p.ChannelID, "content": p.Content, "nonce": p.Nonce,
		"author": s.botUser(), "type": 0, "timestamp": time.Now().UTC().Format(time.RFC3339Nano)}
}

func (s *Server) startThread(channelID, messageID string, body []byte) (int, any, *apiError) {
	var in struct {
		Name string `json:"name"`
	}
	json.Unmarshal(body, &in)
	s.mu.Lock()
	parent := s.channels[channelID]
	switch {
	case parent == nil:
		s.mu.Unlock()
		return 0, nil, &apiError{404, 10003, "Unknown Channel"}
	case s.msgChannel[messageID] != channelID:
		s.mu.Unlock()
		return 0, nil, &apiError{404, 10008, "Unknown Message"}
	case parent.Type != channelText:
		s.mu.Unlock()
		return 0, nil, &apiError{400, 50024, "Cannot execute action on this channel type"}
	case s.refuseThreads:
		s.mu.Unlock()
		return 0, nil, &apiError{403, 50001, "Missing Access"}
	case s.channels[messageID] != nil:
		s.mu.Unlock()
		return 0, nil, &apiError{400, 160004, "A thread has already been created for this message"}
	case in.Name == "" || len([]rune(in.Name)) > 100:
		s.mu.Unlock()
		return 0, nil, &apiError{400, 50035, "Invalid Form Body: name"}
	}
	// A thread started from a message has the message's id.
	th := &channel{ID: messageID, GuildID: parent.GuildID, ParentID: channelID, OwnerID: s.BotID, Name: in.Name, Type: channelPublicThread}
	s.channels[th.ID] = th
	s.threads = append(s.threads, Thread{ID: th.ID, ParentID: channelID, Name: in.Name})
	s.notify()
	w := th.wire()
	s.mu.Unlock()
	created := th.wire()
	created["newly_created"] = true
	s.Dispatch("THREAD_CREATE", created)
	return 201, w, nil
}

func (s *Server) callback(id, token string, body []byte) (int, any, *apiError) {
	var in struct {
		Type int            `json:"type"`
		Data map[string]any `json:"data"`
	}
	if err := json.Unmarshal(body, &in); err != nil {
		return 0, nil, &apiError{400, 50035, "Invalid Form Body"}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	it := s.interactions[token]
	switch {
	case it == nil || it.raw["id"] != id:
		return 0, nil, &apiError{404, 10062, "Unknown interaction"}
	case it.responded:
		return 0, nil, &apiError{400, 40060, "Interaction has already been acknowledged."}
	case time.Since(it.at) > s.InteractionDeadline:
		return 0, nil, &apiError{404, 10062, "Unknown interaction"}
	}
	flags := 0
	if f, ok := in.Data["flags"].(float64); ok {
		flags = int(f)
	}
	it.responded, it.deferred, it.flags = true, in.Type, flags
	s.callbacks = append(s.callbacks, Callback{Interaction: token, Type: in.Type, Flags: flags, Data: in.Data, After: time.Since(it.at)})
	switch in.Type {
	case 4, 5:
		it.original = s.id()
		s.msgChannel[it.original] = it.channelID
		if in.Type == 4 {
			raw, _ := json.Marshal(in.Data)
			var w wire
			json.Unmarshal(raw, &w)
			s.record(Post{Via: "callback", ChannelID: it.channelID, ID: it.original, Content: w.Content, Embeds: w.Embeds,
				Buttons: buttons(w.Components), Flags: flags, Interaction: token}, raw)
		}
	}
	s.notify()
	return 204, nil, nil
}

func (s *Server) editOriginal(app, token string, body []byte, files []File) (int, any, *apiError) {
	var in wire
	json.Unmarshal(body, &in)
	s.mu.Lock()
	defer s.mu.Unlock()
	it := s.interactions[token]
	if app != s.AppID || it == nil {
		return 0, nil, &apiError{404, 10015, "Unknown Webhook"}
	}
	if it.original == "" {
		return 0, nil, &apiError{404, 10008, "Unknown Message"}
	}
	p := Post{Via: "original", ChannelID: it.channelID, ID: it.original, Content: in.Content, Embeds: in.Embeds,
		Buttons: buttons(in.Components), Flags: it.flags, Interaction: token, Files: files}
	return 200, s.record(p, body), nil
}

func (s *Server) followUp(app, token string, body []byte, files []File) (int, any, *apiError) {
	var in wire
	json.Unmarshal(body, &in)
	s.mu.Lock()
	defer s.mu.Unlock()
	it := s.interactions[token]
	if app != s.AppID || it == nil {
		return 0, nil, &apiError{404, 10015, "Unknown Webhook"}
	}
	if !it.responded {
		return 0, nil, &apiError{400, 40060, "Interaction has not been acknowledged"}
	}
	p := Post{Via: "followup", ChannelID: it.channelID, ID: s.id(), Content: in.Content, Embeds: in.Embeds,
		Buttons: buttons(in.Components), Flags: in.Flags & FlagEphemeral, Interaction: token, Files: files}
	return 200, s.record(p, body), nil
}

// --- attachments ---------------------------------------------------------------

// maxUpload is Discord's limit on the files of one message for a bot without boosts.
const maxUpload = 10 << 20

// multipartBody reads a multipart/form-data request as Discord does: the JSON in the
// payload_json part, and files[n] parts as attachments. Other bodies pass through.
func multipartBody(contentType string, body []byte) ([]byte, []File, error) {
	mt, params, err := mime.ParseMediaType(contentType)
	if err != nil || mt != "multipart/form-data" {
		return body, nil, nil
	}
	mr := multipart.NewReader(bytes.NewReader(body), params["boundary"])
	var payload []byte
	var files []File
	total := 0
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, nil, fmt.Errorf("multipart: %w", err)
		}
		data, err := io.ReadAll(part)
		if err != nil {
			return nil, nil, fmt.Errorf("multipart: %w", err)
		}
		switch name := part.FormName(); {
		case name == "payload_json":
			payload = data
		case strings.HasPrefix(name, "files["):
			if part.FileName() == "" {
				return nil, nil, fmt.Errorf("%s has no filename", name)
			}
			total += len(data)
			files = append(files, File{Name: part.FileName(), ContentType: part.Header.Get("Content-Type"), Data: data})
		default:
			return nil, nil, fmt.Errorf("unexpected part %q", name)
		}
	}
	switch {
	case payload == nil:
		return nil, nil, errors.New("no payload_json")
	case len(files) > 10:
		return nil, nil, fmt.Errorf("%d files (at most 10)", len(files))
	case total > maxUpload:
		return nil, nil, fmt.Errorf("%d bytes of files (at most %d)", total, maxUpload)
	}
	return payload, files, nil
}

// Attach serves data as a file and returns it as a message attachment. duration is the
// recording's length as Discord reports it for voice messages (zero: not reported).
func (s *Server) Attach(name, contentType string, data []byte, duration time.Duration) Attachment {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := s.id()
	key := id + "/" + name
	s.attachments[key] = data
	s.attachTypes[key] = contentType
	url := s.URL + "/attachments/" + key + "?ex=1&is=1&hm=fake"
	return Attachment{ID: id, Filename: name, ContentType: contentType, Size: len(data), URL: url, ProxyURL: url,
		DurationSecs: duration.Seconds()}
}

func (s *Server) attachment(w http.ResponseWriter, r *http.Request) {
	key := strings.TrimPrefix(r.URL.Path, "/attachments/")
	s.mu.Lock()
	data, ok := s.attachments[key]
	ct := s.attachTypes[key]
	s.downloads = append(s.downloads, r.Header.Clone())
	s.notify()
	s.mu.Unlock()
	if !ok {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", ct)
	w.Write(data)
}

// --- gateway -------------------------------------------------------------------

func (s *Server) wsURL() string { return "ws" + strings.TrimPrefix(s.URL, "http") + "/gateway" }

// Dispatch sends an event (op 0) on the gateway session. While the connection is down
// the event waits in the session's log and is replayed on RESUME.
func (s *Server) Dispatch(event string, data any) {
	s.order.Lock()
	defer s.order.Unlock()
	s.dispatch(event, data)
}

// dispatch is Dispatch with s.order held.
func (s *Server) dispatch(event string, data any) {
	raw, _ := json.Marshal(data)
	s.mu.Lock()
	sess, c := s.current, s.conn
	if sess == nil {
		s.mu.Unlock()
		return
	}
	sess.seq++
	seq := sess.seq
	f := frame{Op: 0, T: event, S: &seq, D: raw}
	sess.log = append(sess.log, f)
	s.mu.Unlock()
	if c != nil {
		c.write(f)
	}
}

// Drop closes the gateway connection abruptly, as a network failure would.
func (s *Server) Drop() {
	s.mu.Lock()
	c := s.conn
	s.conn = nil
	s.mu.Unlock()
	if c != nil {
		c.ws.NetConn().Close()
	}
}

// Connected reports whether a gateway connection has finished its handshake.
func (s *Server) Connected() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.conn != nil
}

func (s *Server) gateway(w http.ResponseWriter, r *http.Request) {
	ws, err := s.up.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	c := &gwConn{ws: ws}
	hello, _ := json.Marshal(map[string]any{"heartbeat_interval": s.HeartbeatInterval.Milliseconds()})
	if c.write(frame{Op: 10, D: hello}) != nil {
		ws.Close()
		return
	}
	for {
		var f frame
		if err := ws.ReadJSON(&f); err != nil {
			ws.Close()
			s.mu.Lock()
			if s.conn == c {
				s.conn = nil
				s.notify()
			}
			s.mu.Unlock()
			return
		}
		switch f.Op {
		case 1:
			s.mu.Lock()
			s.heartbeats++
			s.notify()
			s.mu.Unlock()
			c.write(frame{Op: 11, D: json.RawMessage("null")})
		case 2:
			s.identify(c, f.D)
		case 6:
			s.resume(c, f.D)
		}
	}
}

func (s *Server) identify(c *gwConn, d json.RawMessage) {
	var in struct {
		Token   string `json:"token"`
		Intents int    `json:"intents"`
	}
	json.Unmarshal(d, &in)
	if strings.TrimPrefix(in.Token, "Bot ") != s.Token {
		c.closeWith(4004, "Authentication failed.")
		return
	}
	if s.DenyMessageContent && in.Intents&intentMessageContent != 0 {
		c.closeWith(4014, "Disallowed intent(s).")
		return
	}
	// No dispatch may reach the new session before its READY, as on Discord.
	s.order.Lock()
	defer s.order.Unlock()
	s.mu.Lock()
	sess := &gwSession{id: "session-" + s.id()}
	s.sessions[sess.id] = sess
	s.current, s.conn = sess, c
	s.identifies++
	s.intents = in.Intents
	ready := map[string]any{
		"v": 9, "user": s.botUser(), "session_id": sess.id, "resume_gateway_url": s.wsURL(),
		"application": map[string]any{"id": s.AppID, "flags": 0}, "guilds": []any{}, "private_channels": []any{},
	}
	s.notify()
	s.mu.Unlock()
	s.dispatch("READY", ready)
}

func (s *Server) resume(c *gwConn, d json.RawMessage) {
	var in struct {
		Token     string `json:"token"`
		SessionID string `json:"session_id"`
		Seq       int64  `json:"seq"`
	}
	json.Unmarshal(d, &in)
	if strings.TrimPrefix(in.Token, "Bot ") != s.Token {
		c.closeWith(4004, "Authentication failed.")
		return
	}
	// The missed events, then RESUMED, before anything new, as on Discord.
	s.order.Lock()
	defer s.order.Unlock()
	s.mu.Lock()
	sess := s.sessions[in.SessionID]
	if sess == nil {
		s.mu.Unlock()
		c.write(frame{Op: 9, D: json.RawMessage("false")})
		return
	}
	var missed []frame
	for _, f := range sess.log {
		if *f.S > in.Seq {
			missed = append(missed, f)
		}
	}
	s.current, s.conn = sess, c
	s.resumes++
	s.notify()
	s.mu.Unlock()
	for _, f := range missed {
		c.write(f)
	}
	s.dispatch("RESUMED", map[string]any{})
}

// --- what people do --------------------------------------------------------------

func (s *Server) author(by Invoker) map[string]any {
	name := by.Username
	if name == "" {
		name = "user" + by.UserID
	}
	return map[string]any{"id": by.UserID, "username": name, "discriminator": "0", "global_name": name}
}

// Say dispatches a MESSAGE_CREATE from by with text and attachments and returns its id.
func (s *Server) Say(by Invoker, text string, attachments ...Attachment) string {
	return s.message(by, text, 0, attachments)
}

// Voice dispatches a voice message (flag 1<<13, one OGG attachment) from by.
func (s *Server) Voice(by Invoker, a Attachment) string {
	return s.message(by, "", FlagVoiceMessage, []Attachment{a})
}

func (s *Server) message(by Invoker, text string, flags int, atts []Attachment) string {
	id := s.nextID()
	m := map[string]any{
		"id": id, "channel_id": by.ChannelID, "author": s.author(by), "content": text, "type": 0, "flags": flags,
		"timestamp": time.Now().UTC().Format(time.RFC3339Nano), "attachments": atts, "embeds": []any{}, "mentions": []any{},
	}
	if atts == nil {
		m["attachments"] = []any{}
	}
	if by.GuildID != "" {
		m["guild_id"] = by.GuildID
		m["member"] = map[string]any{"roles": []any{}, "permissions": strconv.FormatInt(by.Permissions, 10)}
	}
	s.mu.Lock()
	s.msgChannel[id] = by.ChannelID
	s.said[id] = m
	s.mu.Unlock()
	s.Dispatch("MESSAGE_CREATE", m)
	return id
}

// Repeat dispatches the MESSAGE_CREATE of message id (from Say or Voice) again, as
// Discord may deliver an event twice.
func (s *Server) Repeat(id string) {
	s.mu.Lock()
	m, ok := s.said[id]
	s.mu.Unlock()
	if !ok {
		panic("discordtest: Repeat of unknown message " + id)
	}
	s.Dispatch("MESSAGE_CREATE", m)
}

func (s *Server) interaction(by Invoker, typ int, data map[string]any, messageID string) Interaction {
	s.mu.Lock()
	id, token := s.id(), "itoken-"+s.id()
	s.mu.Unlock()
	raw := map[string]any{
		"id": id, "application_id": s.AppID, "type": typ, "data": data, "channel_id": by.ChannelID,
		"token": token, "version": 1, "locale": "en-US",
	}
	if by.GuildID != "" {
		raw["guild_id"] = by.GuildID
		raw["member"] = map[string]any{"user": s.author(by), "roles": []any{}, "permissions": strconv.FormatInt(by.Permissions, 10)}
		raw["app_permissions"] = "0"
	} else {
		raw["user"] = s.author(by)
	}
	if messageID != "" {
		s.mu.Lock()
		ch := s.msgChannel[messageID]
		s.mu.Unlock()
		raw["message"] = map[string]any{"id": messageID, "channel_id": ch, "type": 0, "content": "",
			"author": s.botUser(), "timestamp": time.Now().UTC().Format(time.RFC3339Nano)}
	}
	s.mu.Lock()
	s.interactions[token] = &pending{raw: raw, channelID: by.ChannelID, at: time.Now()}
	s.mu.Unlock()
	s.Dispatch("INTERACTION_CREATE", raw)
	return Interaction{ID: id, Token: token}
}

// Slash dispatches a slash command.
func (s *Server) Slash(by Invoker, name string, opts ...Option) Interaction {
	data := map[string]any{"id": "cmd-" + name, "name": name, "type": 1}
	if len(opts) > 0 {
		data["options"] = opts
	}
	return s.interaction(by, interactionCommand, data, "")
}

// Autocomplete dispatches an autocomplete request for a slash command's focused option.
func (s *Server) Autocomplete(by Invoker, name string, opts ...Option) Interaction {
	return s.interaction(by, interactionAutocomplete, map[string]any{"id": "cmd-" + name, "name": name, "type": 1, "options": opts}, "")
}

// Press dispatches a button press on a message.
func (s *Server) Press(by Invoker, messageID, customID string) Interaction {
	return s.interaction(by, interactionComponent, map[string]any{"custom_id": customID, "component_type": 2}, messageID)
}

// Submit dispatches a modal submission with text input values by custom id.
func (s *Server) Submit(by Invoker, messageID, customID string, values map[string]string) Interaction {
	var rows []any
	for id, v := range values {
		rows = append(rows, map[string]any{"type": 1, "components": []any{map[string]any{"type": 4, "custom_id": id, "value": v}}})
	}
	return s.interaction(by, interactionModalSubmit, map[string]any{"custom_id": customID, "components": rows}, messageID)
}
