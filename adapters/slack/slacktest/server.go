// Package slacktest is a fake Slack on loopback for tests: the Web API methods Quorum
// uses, apps.connections.open and a Socket Mode websocket that sends envelopes and checks
// that each one is acked, and file downloads that need the bot token.
//
// slack-go's own slacktest speaks RTM, keeps its servers in a package-level hub and checks
// no tokens, so this fake is written from Slack's documented wire format instead.
package slacktest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// Identities the fake answers with.
const (
	BotToken  = "xoxb-test-bot-token"
	AppToken  = "xapp-test-app-token"
	BotUserID = "UQUORUM"
	BotID     = "BQUORUM"
	AppID     = "AQUORUM"
	TeamID    = "TTEST"
)

// waitFor is how long the Wait helpers wait before failing the test.
const waitFor = 5 * time.Second

// Call is one Web API request the fake received.
type Call struct {
	Seq    int
	Method string
	Token  string
	// Form holds form-encoded parameters; JSON the decoded body of JSON requests.
	Form url.Values
	JSON map[string]any
	// Status is the HTTP status the fake answered; Error the Slack error code, if any.
	Status int
	Error  string
	// TS is the timestamp the fake gave a posted message; ViewID a view's id.
	TS     string
	ViewID string
	At     time.Time
}

// Param returns a parameter whether it came as a form value or a JSON string.
func (c Call) Param(name string) string {
	if v := c.Form.Get(name); v != "" {
		return v
	}
	if s, ok := c.JSON[name].(string); ok {
		return s
	}
	return ""
}

// Blocks returns the message's blocks (chat.*) or the view's blocks (views.*), as JSON objects.
func (c Call) Blocks() []map[string]any {
	var blocks []map[string]any
	if raw := c.Form.Get("blocks"); raw != "" {
		json.Unmarshal([]byte(raw), &blocks)
		return blocks
	}
	if v := c.View(); v != nil {
		for _, b := range asList(v["blocks"]) {
			if m, ok := b.(map[string]any); ok {
				blocks = append(blocks, m)
			}
		}
	}
	return blocks
}

// View returns the view of a views.* call.
func (c Call) View() map[string]any {
	if raw := c.Form.Get("view"); raw != "" {
		var v map[string]any
		json.Unmarshal([]byte(raw), &v)
		return v
	}
	v, _ := c.JSON["view"].(map[string]any)
	return v
}

// Envelope is one Socket Mode envelope the fake sent, and its ack.
type Envelope struct {
	ID, Type string
	Body     []byte
	Sent     time.Time
	Acked    time.Time
	// AckPayload is the payload the app sent back with its ack, if any.
	AckPayload json.RawMessage
}

// Latency is how long the app took to ack; zero while unacked.
func (e Envelope) Latency() time.Duration {
	if e.Acked.IsZero() {
		return 0
	}
	return e.Acked.Sub(e.Sent)
}

// File is a file served at its url_private on the fake's host.
type File struct {
	ID, Name, Mimetype string
	Data               []byte
	// DurationMS is what Slack reports for audio and video clips.
	DurationMS int
}

type rateLimit struct {
	times, retryAfter int
}

// Server is the fake. Start it with New; it closes itself when the test ends.
type Server struct {
	*httptest.Server
	// PingInterval is how often the socket sends websocket pings.
	PingInterval time.Duration

	mu           sync.Mutex
	changed      chan struct{} // closed and replaced on every change
	calls        []Call
	taken        map[int]bool
	envs         []*Envelope
	pending      []*Envelope // not yet written to a socket
	conns        []*wsConn
	opened       int
	pongs        int
	triggers     map[string]time.Time
	files        map[string]File
	limits       map[string]*rateLimit
	outside      map[string]bool     // channels the bot is not in
	admins       map[string]bool     // users.info is_admin
	groups       map[string][]string // usergroups.users.list, by group id
	uploads      map[string]*Upload  // by file id, from files.getUploadURLExternal on
	noFilesWrite bool
	// brokenReplies closes response_url connections unanswered (BreakResponseURLs).
	brokenReplies bool
	seq           int
	lastTS        int64
	closeOnce     sync.Once
}

type wsConn struct {
	c  *websocket.Conn
	mu sync.Mutex // serialises writes
}

func (w *wsConn) write(mt int, data []byte) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.c.SetWriteDeadline(time.Now().Add(5 * time.Second))
	return w.c.WriteMessage(mt, data)
}

// New starts a fake Slack on loopback; t's cleanup closes it.
func New(t testing.TB) *Server {
	s := &Server{
		PingInterval: 100 * time.Millisecond,
		changed:      make(chan struct{}),
		taken:        map[int]bool{},
		triggers:     map[string]time.Time{},
		files:        map[string]File{},
		limits:       map[string]*rateLimit{},
		outside:      map[string]bool{},
		uploads:      map[string]*Upload{},
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/api/", s.api)
	mux.HandleFunc("/socket", s.socket)
	mux.HandleFunc("/files-pri/", s.download)
	mux.HandleFunc("/commands/", s.responseURL)
	mux.HandleFunc("/upload/", s.upload)
	s.Server = httptest.NewServer(mux)
	t.Cleanup(s.Close)
	return s
}

// APIURL is what slack.OptionAPIURL (and Quorum's slack.api_url) should be.
func (s *Server) APIURL() string { return s.URL + "/api/" }

// Close drops the sockets and stops the server.
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		s.Drop()
		s.Server.CloseClientConnections()
		s.Server.Close()
	})
}

// notify wakes the waiters. s.mu must be held.
func (s *Server) notify() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// wait calls check under the lock until it returns true, failing t after waitFor.
func (s *Server) wait(t testing.TB, what string, check func() bool) {
	t.Helper()
	deadline := time.NewTimer(waitFor)
	defer deadline.Stop()
	for {
		s.mu.Lock()
		ok := check()
		ch := s.changed
		s.mu.Unlock()
		if ok {
			return
		}
		select {
		case <-ch:
		case <-deadline.C:
			t.Fatalf("slacktest: timed out after %s waiting for %s", waitFor, what)
		}
	}
}

// --- Web API ---

// RateLimit makes the next times calls of method answer 429 with Retry-After: retryAfter (seconds).
func (s *Server) RateLimit(method string, times, retryAfter int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.limits[method] = &rateLimit{times: times, retryAfter: retryAfter}
}

// Outside makes the bot a stranger to channel: posts there answer not_in_channel.
func (s *Server) Outside(channel string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.outside[channel] = true
}

// BreakResponseURLs makes posts to response_urls fail: the connection closes with no
// answer, as when the network drops.
func (s *Server) BreakResponseURLs() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.brokenReplies = true
}

// responseURL takes what an app posts to a slash command's response_url; it is
// recorded as a call of method "response_url" with the JSON body.
func (s *Server) responseURL(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	broken := s.brokenReplies
	s.mu.Unlock()
	if hj, ok := w.(http.Hijacker); ok && broken {
		if conn, _, err := hj.Hijack(); err == nil {
			conn.Close()
			return
		}
	}
	c := Call{Method: "response_url", Form: url.Values{}, At: time.Now(), Status: http.StatusOK}
	body, _ := io.ReadAll(r.Body)
	if json.Unmarshal(body, &c.JSON) != nil {
		c.Status, c.Error = http.StatusBadRequest, "invalid_json"
	}
	s.mu.Lock()
	s.seq++
	c.Seq = s.seq
	s.calls = append(s.calls, c)
	s.notify()
	s.mu.Unlock()
	w.WriteHeader(c.Status)
	io.WriteString(w, "ok")
}

// Calls returns the calls of method received so far (all calls when method is "").
func (s *Server) Calls(method string) []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Call
	for _, c := range s.calls {
		if method == "" || c.Method == method {
			out = append(out, c)
		}
	}
	return out
}

// Wait returns the first successful call of method that matches (match may be nil) and
// that no earlier Wait returned, failing t if none comes within 5 seconds.
func (s *Server) Wait(t testing.TB, method string, match func(Call) bool) Call {
	t.Helper()
	var got Call
	s.wait(t, "a "+method+" call", func() bool {
		for _, c := range s.calls {
			if c.Method == method && c.Error == "" && c.Status == http.StatusOK && !s.taken[c.Seq] && (match == nil || match(c)) {
				s.taken[c.Seq] = true
				got = c
				return true
			}
		}
		return false
	})
	return got
}

// botMethods are the methods that take the bot token.
var botMethods = map[string]bool{
	"auth.test": true, "chat.postMessage": true, "chat.postEphemeral": true, "chat.update": true,
	"conversations.open": true, "views.open": true, "views.publish": true, "files.info": true,
	"users.info": true, "usergroups.users.list": true, "conversations.history": true, "conversations.replies": true,
	"files.getUploadURLExternal": true, "files.completeUploadExternal": true,
}

// Admin makes users.info report user as a workspace admin.
func (s *Server) Admin(user string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.admins == nil {
		s.admins = map[string]bool{}
	}
	s.admins[user] = true
}

// Group sets the members of a user group, as usergroups.users.list reports them.
func (s *Server) Group(id string, users ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.groups == nil {
		s.groups = map[string][]string{}
	}
	s.groups[id] = users
}

func (s *Server) api(w http.ResponseWriter, r *http.Request) {
	method := strings.TrimPrefix(r.URL.Path, "/api/")
	c := Call{Method: method, Form: url.Values{}, At: time.Now(), Status: http.StatusOK}
	body, _ := io.ReadAll(r.Body)
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		json.Unmarshal(body, &c.JSON)
	} else {
		c.Form, _ = url.ParseQuery(string(body))
		for k, v := range r.URL.Query() {
			c.Form[k] = v
		}
	}
	c.Token = strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
	if c.Token == "" {
		c.Token = c.Form.Get("token")
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	s.seq++
	c.Seq = s.seq
	var reply map[string]any
	if l := s.limits[method]; l != nil && l.times > 0 {
		l.times--
		c.Status = http.StatusTooManyRequests
		w.Header().Set("Retry-After", fmt.Sprint(l.retryAfter))
		w.WriteHeader(http.StatusTooManyRequests)
		io.WriteString(w, `{"ok":false,"error":"ratelimited"}`)
		s.calls = append(s.calls, c)
		s.notify()
		return
	}
	reply, c = s.answer(c)
	s.calls = append(s.calls, c)
	s.notify()
	if c.Error != "" {
		reply = map[string]any{"ok": false, "error": c.Error}
	} else {
		reply["ok"] = true
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(reply)
}

// history answers conversations.history (a channel's top-level messages, newest first)
// and conversations.replies (a thread, its parent first), from the messages the bot posted,
// with each message's metadata when include_all_metadata is set. s.mu is held.
func (s *Server) history(c Call) (map[string]any, Call) {
	channel, thread := c.Param("channel"), c.Param("ts")
	if channel == "" || c.Method == "conversations.replies" && thread == "" {
		c.Error = "invalid_arguments"
		return nil, c
	}
	limit, _ := strconv.Atoi(c.Param("limit"))
	if limit <= 0 {
		limit = 100
	}
	withMeta := c.Param("include_all_metadata") == "1" || c.Param("include_all_metadata") == "true"
	var msgs []map[string]any
	for i := len(s.calls) - 1; i >= 0 && len(msgs) < limit; i-- {
		p := s.calls[i]
		if p.Method != "chat.postMessage" || p.Error != "" || p.Param("channel") != channel {
			continue
		}
		parent := p.Param("thread_ts")
		if c.Method == "conversations.history" && parent != "" || c.Method == "conversations.replies" && p.TS != thread && parent != thread {
			continue
		}
		m := map[string]any{"type": "message", "ts": p.TS, "text": p.Param("text"), "bot_id": BotID, "user": BotUserID}
		if parent != "" {
			m["thread_ts"] = parent
		}
		var meta map[string]any
		if withMeta && json.Unmarshal([]byte(p.Param("metadata")), &meta) == nil {
			m["metadata"] = meta
		}
		msgs = append(msgs, m)
	}
	if c.Method == "conversations.replies" {
		slices.Reverse(msgs)
	}
	return map[string]any{"messages": msgs, "has_more": false}, c
}

// answer handles one Web API call. s.mu is held.
func (s *Server) answer(c Call) (map[string]any, Call) {
	want := BotToken
	if c.Method == "apps.connections.open" {
		want = AppToken
	} else if !botMethods[c.Method] {
		c.Error = "unknown_method"
		return nil, c
	}
	switch {
	case c.Token == "":
		c.Error = "not_authed"
		return nil, c
	case c.Token != want:
		c.Error = "invalid_auth"
		return nil, c
	}
	switch c.Method {
	case "auth.test":
		return map[string]any{"url": "https://quorum-test.slack.com/", "team": "Quorum Test", "user": "quorum",
			"team_id": TeamID, "user_id": BotUserID, "bot_id": BotID}, c
	case "apps.connections.open":
		s.opened++
		u := "ws" + strings.TrimPrefix(s.URL, "http") + fmt.Sprintf("/socket?ticket=%d&app_id=%s", s.opened, AppID)
		return map[string]any{"url": u}, c
	case "chat.postMessage", "chat.postEphemeral", "chat.update":
		if c.Param("channel") == "" || (c.Param("text") == "" && c.Param("blocks") == "") ||
			(c.Method == "chat.postEphemeral" && c.Param("user") == "") || (c.Method == "chat.update" && c.Param("ts") == "") {
			c.Error = "invalid_arguments"
			return nil, c
		}
		if s.outside[c.Param("channel")] {
			c.Error = "not_in_channel"
			return nil, c
		}
		if err := checkBlocks(c.Blocks()); err != nil {
			c.Error = "invalid_blocks"
			return map[string]any{"detail": err.Error()}, c
		}
		c.TS = s.nextTS()
		if c.Method == "chat.update" {
			c.TS = c.Param("ts")
		}
		if c.Method == "chat.postEphemeral" {
			return map[string]any{"message_ts": c.TS}, c
		}
		msg := map[string]any{"type": "message", "text": c.Param("text"), "ts": c.TS, "bot_id": BotID, "user": BotUserID}
		if th := c.Param("thread_ts"); th != "" {
			msg["thread_ts"] = th
		}
		return map[string]any{"channel": c.Param("channel"), "ts": c.TS, "text": c.Param("text"), "message": msg}, c
	case "conversations.history", "conversations.replies":
		return s.history(c)
	case "conversations.open":
		users := c.Param("users")
		if users == "" || strings.Contains(users, ",") {
			c.Error = "invalid_arguments"
			return nil, c
		}
		return map[string]any{"channel": map[string]any{"id": "D" + users, "is_im": true}}, c
	case "views.open", "views.publish":
		v := c.View()
		if v == nil || (c.Method == "views.publish" && c.Param("user_id") == "") {
			c.Error = "invalid_arguments"
			return nil, c
		}
		if c.Method == "views.open" {
			at, ok := s.triggers[c.Param("trigger_id")]
			if !ok || time.Since(at) > 3*time.Second {
				c.Error = "expired_trigger_id"
				return nil, c
			}
			delete(s.triggers, c.Param("trigger_id"))
		}
		if err := checkBlocks(c.Blocks()); err != nil {
			c.Error = "invalid_blocks"
			return map[string]any{"detail": err.Error()}, c
		}
		c.ViewID = fmt.Sprintf("V%04d", c.Seq)
		v["id"] = c.ViewID
		v["team_id"] = TeamID
		return map[string]any{"view": v}, c
	case "users.info":
		u := c.Param("user")
		return map[string]any{"user": map[string]any{"id": u, "name": strings.ToLower(u), "team_id": TeamID,
			"is_admin": s.admins[u], "is_owner": false, "is_primary_owner": false}}, c
	case "usergroups.users.list":
		users, ok := s.groups[c.Param("usergroup")]
		if !ok {
			c.Error = "no_such_subteam"
			return nil, c
		}
		return map[string]any{"users": users}, c
	case "files.getUploadURLExternal", "files.completeUploadExternal":
		return s.uploadStep(c)
	case "files.info":
		f, ok := s.files[c.Param("file")]
		if !ok {
			c.Error = "file_not_found"
			return nil, c
		}
		return map[string]any{"file": s.fileJSON(f)}, c
	}
	c.Error = "unknown_method"
	return nil, c
}

// nextTS returns a message timestamp, unique and increasing like Slack's. s.mu is held.
func (s *Server) nextTS() string {
	us := time.Now().UnixMicro()
	if us <= s.lastTS {
		us = s.lastTS + 1
	}
	s.lastTS = us
	return fmt.Sprintf("%d.%06d", us/1e6, us%1e6)
}

// TS returns a fresh message timestamp, for messages the test sends as a person.
func (s *Server) TS() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.nextTS()
}

// checkBlocks applies the Block Kit limits Slack enforces with invalid_blocks.
func checkBlocks(blocks []map[string]any) error {
	if len(blocks) > 50 {
		return fmt.Errorf("%d blocks, the limit is 50", len(blocks))
	}
	textLen := func(o any) int {
		m, _ := o.(map[string]any)
		s, _ := m["text"].(string)
		return len([]rune(s))
	}
	for i, b := range blocks {
		switch b["type"] {
		case "header":
			if n := textLen(b["text"]); n == 0 || n > 150 {
				return fmt.Errorf("block %d: header text of %d characters (1 to 150)", i, n)
			}
			if tm, _ := b["text"].(map[string]any); tm["type"] != "plain_text" {
				return fmt.Errorf("block %d: header text must be plain_text", i)
			}
		case "section":
			if n := textLen(b["text"]); n > 3000 {
				return fmt.Errorf("block %d: section text of %d characters (at most 3000)", i, n)
			}
			fields := asList(b["fields"])
			if len(fields) > 10 {
				return fmt.Errorf("block %d: %d fields (at most 10)", i, len(fields))
			}
			for _, f := range fields {
				if textLen(f) > 2000 {
					return fmt.Errorf("block %d: a field over 2000 characters", i)
				}
			}
			if b["text"] == nil && len(fields) == 0 {
				return fmt.Errorf("block %d: section without text or fields", i)
			}
		case "actions":
			els := asList(b["elements"])
			if len(els) == 0 || len(els) > 25 {
				return fmt.Errorf("block %d: %d elements (1 to 25)", i, len(els))
			}
			seen := map[string]bool{}
			for _, e := range els {
				m, _ := e.(map[string]any)
				id, _ := m["action_id"].(string)
				if seen[id] {
					return fmt.Errorf("block %d: action_id %q twice", i, id)
				}
				seen[id] = true
				if n := textLen(m["text"]); m["type"] == "button" && (n == 0 || n > 75) {
					return fmt.Errorf("block %d: button text of %d characters (1 to 75)", i, n)
				}
			}
		case "context":
			if n := len(asList(b["elements"])); n == 0 || n > 10 {
				return fmt.Errorf("block %d: %d context elements (1 to 10)", i, n)
			}
		case "divider", "input", "rich_text":
		default:
			return fmt.Errorf("block %d: unknown type %v", i, b["type"])
		}
	}
	return nil
}

func asList(v any) []any {
	l, _ := v.([]any)
	return l
}

// --- files ---

// AddFile serves f at its url_private and returns the file object Slack puts on messages.
func (s *Server) AddFile(f File) map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.files[f.ID] = f
	return s.fileJSON(f)
}

// fileJSON is f as Slack describes it. s.mu is held.
func (s *Server) fileJSON(f File) map[string]any {
	u := fmt.Sprintf("%s/files-pri/%s-%s/%s", s.URL, TeamID, f.ID, url.PathEscape(f.Name))
	ft := strings.TrimPrefix(f.Name[strings.LastIndexByte(f.Name, '.')+1:], ".")
	m := map[string]any{
		"id": f.ID, "name": f.Name, "title": f.Name, "mimetype": f.Mimetype, "filetype": ft,
		"size": len(f.Data), "url_private": u, "url_private_download": u + "?download=1", "mode": "hosted",
	}
	if f.DurationMS > 0 {
		m["duration_ms"] = f.DurationMS
		m["subtype"] = "slack_audio"
	}
	return m
}

// Downloads counts file downloads that carried the bot token.
func (s *Server) Downloads() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, c := range s.calls {
		if c.Method == "files-pri" && c.Error == "" {
			n++
		}
	}
	return n
}

func (s *Server) download(w http.ResponseWriter, r *http.Request) {
	rest := strings.TrimPrefix(r.URL.Path, "/files-pri/"+TeamID+"-")
	id, _, _ := strings.Cut(rest, "/")
	token := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
	s.mu.Lock()
	s.seq++
	c := Call{Seq: s.seq, Method: "files-pri", Token: token, Form: url.Values{"file": {id}}, At: time.Now(), Status: http.StatusOK}
	f, ok := s.files[id]
	switch {
	case token != BotToken:
		// Slack sends a request without a valid token to the sign-in page.
		c.Status, c.Error = http.StatusFound, "no_token"
	case !ok:
		c.Status, c.Error = http.StatusNotFound, "file_not_found"
	}
	s.calls = append(s.calls, c)
	s.notify()
	s.mu.Unlock()
	switch c.Status {
	case http.StatusFound:
		http.Redirect(w, r, "/?redir="+url.QueryEscape(r.URL.Path), http.StatusFound)
	case http.StatusNotFound:
		http.NotFound(w, r)
	default:
		w.Header().Set("Content-Type", f.Mimetype)
		w.Write(f.Data)
	}
}
