package slacktest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

var upgrader = websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}

// socket serves a Socket Mode connection: hello, pings, envelopes, and the app's acks.
func (s *Server) socket(w http.ResponseWriter, r *http.Request) {
	c, err := upgrader.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	conn := &wsConn{c: c}
	c.SetPongHandler(func(string) error {
		s.mu.Lock()
		s.pongs++
		s.notify()
		s.mu.Unlock()
		return nil
	})
	hello, _ := json.Marshal(map[string]any{
		"type": "hello", "num_connections": 1,
		"connection_info": map[string]any{"app_id": AppID},
		"debug_info":      map[string]any{"host": "slacktest", "approximate_connection_time": 3600},
	})
	if conn.write(websocket.TextMessage, hello) != nil {
		c.Close()
		return
	}
	s.mu.Lock()
	s.conns = append(s.conns, conn)
	// Slack delivers envelopes that found no connection once one is open.
	pending := s.pending
	s.pending = nil
	s.notify()
	s.mu.Unlock()
	for _, e := range pending {
		s.deliver(conn, e)
	}

	done := make(chan struct{})
	go func() {
		t := time.NewTicker(s.PingInterval)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				conn.mu.Lock()
				err := c.WriteControl(websocket.PingMessage, []byte("ping"), time.Now().Add(time.Second))
				conn.mu.Unlock()
				if err != nil {
					return
				}
			}
		}
	}()
	defer func() {
		close(done)
		c.Close()
		s.mu.Lock()
		for i, x := range s.conns {
			if x == conn {
				s.conns = append(s.conns[:i], s.conns[i+1:]...)
				break
			}
		}
		s.notify()
		s.mu.Unlock()
	}()
	for {
		_, data, err := c.ReadMessage()
		if err != nil {
			return
		}
		var ack struct {
			EnvelopeID string          `json:"envelope_id"`
			Payload    json.RawMessage `json:"payload"`
		}
		if json.Unmarshal(data, &ack) != nil || ack.EnvelopeID == "" {
			continue
		}
		s.mu.Lock()
		for _, e := range s.envs {
			if e.ID == ack.EnvelopeID && e.Acked.IsZero() {
				e.Acked, e.AckPayload = time.Now(), ack.Payload
			}
		}
		s.notify()
		s.mu.Unlock()
	}
}

// deliver writes e to conn, or queues it again when the write fails.
func (s *Server) deliver(conn *wsConn, e *Envelope) {
	s.mu.Lock()
	e.Sent = time.Now()
	s.mu.Unlock()
	if conn.write(websocket.TextMessage, e.Body) != nil {
		s.mu.Lock()
		s.pending = append(s.pending, e)
		s.mu.Unlock()
	}
}

// Send sends an envelope of type typ ("slash_commands", "events_api", "interactive")
// with payload, and returns its envelope id. Without an open socket it waits for one.
func (s *Server) Send(typ string, payload any) string {
	return s.send(typ, payload, 0, "")
}

func (s *Server) send(typ string, payload any, attempt int, reason string) string {
	s.mu.Lock()
	s.seq++
	id := fmt.Sprintf("env-%d", s.seq)
	body, _ := json.Marshal(map[string]any{
		"envelope_id": id, "type": typ, "payload": payload,
		"accepts_response_payload": typ != "events_api", "retry_attempt": attempt, "retry_reason": reason,
	})
	e := &Envelope{ID: id, Type: typ, Body: body}
	s.envs = append(s.envs, e)
	var conn *wsConn
	if n := len(s.conns); n > 0 {
		conn = s.conns[n-1]
	} else {
		s.pending = append(s.pending, e)
	}
	s.mu.Unlock()
	if conn != nil {
		s.deliver(conn, e)
	}
	return id
}

// Resend sends envelope id's payload again in a new envelope, as Slack does when it
// saw no ack in time: retry_attempt one more, retry_reason "timeout", the same event_id.
// It returns the new envelope's id.
func (s *Server) Resend(id string) string {
	s.mu.Lock()
	var body map[string]any
	for _, e := range s.envs {
		if e.ID == id {
			json.Unmarshal(e.Body, &body)
		}
	}
	s.mu.Unlock()
	if body == nil {
		panic("slacktest: Resend of unknown envelope " + id)
	}
	typ, _ := body["type"].(string)
	attempt, _ := body["retry_attempt"].(float64)
	return s.send(typ, body["payload"], int(attempt)+1, "timeout")
}

// WaitAck waits for the app to ack envelope id and returns it.
func (s *Server) WaitAck(t testing.TB, id string) Envelope {
	t.Helper()
	var got Envelope
	s.wait(t, "the ack of "+id, func() bool {
		for _, e := range s.envs {
			if e.ID == id && !e.Acked.IsZero() {
				got = *e
				return true
			}
		}
		return false
	})
	return got
}

// Envelopes returns every envelope sent so far.
func (s *Server) Envelopes() []Envelope {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Envelope, len(s.envs))
	for i, e := range s.envs {
		out[i] = *e
	}
	return out
}

// CheckAcks fails t unless every envelope sent was acked within limit; it waits up to
// limit for acks still due.
func (s *Server) CheckAcks(t testing.TB, limit time.Duration) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for {
		var late []string
		for _, e := range s.Envelopes() {
			switch {
			case e.Sent.IsZero():
			case e.Acked.IsZero() && time.Since(e.Sent) > limit:
				late = append(late, e.ID+" ("+e.Type+") never acked")
			case e.Acked.IsZero():
				late = append(late, "")
			case e.Latency() > limit:
				late = append(late, fmt.Sprintf("%s (%s) acked after %s", e.ID, e.Type, e.Latency()))
			}
		}
		if len(late) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Errorf("slacktest: envelopes not acked within %s: %q", limit, late)
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// Connections counts apps.connections.open calls that gave out a socket URL.
func (s *Server) Connections() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.opened
}

// WaitConnected waits until n sockets have been opened in all and one is live.
func (s *Server) WaitConnected(t testing.TB, n int) {
	t.Helper()
	s.wait(t, fmt.Sprintf("socket connection %d", n), func() bool { return s.opened >= n && len(s.conns) > 0 })
}

// WaitPongs waits until the app has answered n websocket pings.
func (s *Server) WaitPongs(t testing.TB, n int) {
	t.Helper()
	s.wait(t, fmt.Sprintf("%d pongs", n), func() bool { return s.pongs >= n })
}

// Drop closes every open socket without a close frame, as a network failure would.
func (s *Server) Drop() {
	s.mu.Lock()
	conns := s.conns
	s.conns = nil
	s.notify()
	s.mu.Unlock()
	for _, c := range conns {
		c.c.UnderlyingConn().Close()
	}
}

// --- envelopes people cause ---

// Slash sends the slash command `/quorum text` from user in channel and returns the envelope id.
func (s *Server) Slash(user, channel, text string) string {
	name := "prep"
	if channel != "" && channel[0] == 'D' {
		name = "directmessage"
	}
	return s.Send("slash_commands", map[string]any{
		"token": "verification", "team_id": TeamID, "team_domain": "quorum-test", "channel_id": channel,
		"channel_name": name, "user_id": user, "user_name": "person-" + user, "command": "/quorum", "text": text,
		"api_app_id": AppID, "is_enterprise_install": "false", "trigger_id": s.trigger(),
		"response_url": s.URL + "/commands/" + TeamID + "/response",
	})
}

// trigger issues a trigger_id, valid for views.open for 3 seconds.
func (s *Server) trigger() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seq++
	id := fmt.Sprintf("%d.%s.trigger", s.seq, TeamID)
	s.triggers[id] = time.Now()
	return id
}

// Message is a message a person posts.
type Message struct {
	User, Channel string
	// ChannelType is "im" for the app's DM, else "channel" (the default) or "group".
	ChannelType string
	Text        string
	// TS is set by Post when empty; ThreadTS puts the message in a thread.
	TS, ThreadTS string
	// Files are file objects from AddFile.
	Files []map[string]any
}

// Post sends a message event (events_api) and returns the envelope id and the message ts.
func (s *Server) Post(m Message) (string, string) {
	if m.TS == "" {
		m.TS = s.TS()
	}
	if m.ChannelType == "" {
		m.ChannelType = "channel"
	}
	ev := map[string]any{
		"type": "message", "user": m.User, "text": m.Text, "ts": m.TS, "channel": m.Channel,
		"channel_type": m.ChannelType, "event_ts": m.TS, "team": TeamID, "client_msg_id": "msg-" + m.TS,
	}
	if m.ThreadTS != "" {
		ev["thread_ts"] = m.ThreadTS
	}
	if len(m.Files) > 0 {
		ev["subtype"] = "file_share"
		ev["files"] = m.Files
		ev["upload"] = false
	}
	return s.event(ev), m.TS
}

// AppHomeOpened sends app_home_opened for user's Home tab.
func (s *Server) AppHomeOpened(user string) string {
	return s.event(map[string]any{"type": "app_home_opened", "user": user, "channel": "D" + user, "tab": "home", "event_ts": s.TS()})
}

// event wraps an inner event in an events_api envelope.
func (s *Server) event(ev map[string]any) string {
	s.mu.Lock()
	s.seq++
	n := s.seq
	s.mu.Unlock()
	return s.Send("events_api", map[string]any{
		"token": "verification", "team_id": TeamID, "api_app_id": AppID, "event": ev, "type": "event_callback",
		"event_id": fmt.Sprintf("Ev%06d", n), "event_time": time.Now().Unix(),
		"authorizations": []map[string]any{{"team_id": TeamID, "user_id": BotUserID, "is_bot": true}},
	})
}

// Click is a button press.
type Click struct {
	User, ActionID, Value string
	// Channel and MessageTS are the message the button is on; ThreadTS its thread.
	// With Channel empty the button is in the App Home.
	Channel, MessageTS, ThreadTS string
	Ephemeral                    bool
	// MessageText is the text of the message the button is on.
	MessageText string
}

// Press sends a block_actions interaction and returns the envelope id.
func (s *Server) Press(c Click) string {
	p := map[string]any{
		"type": "block_actions", "api_app_id": AppID, "token": "verification", "trigger_id": s.trigger(),
		"user": map[string]any{"id": c.User, "username": "person-" + c.User, "name": "person-" + c.User, "team_id": TeamID},
		"team": map[string]any{"id": TeamID, "domain": "quorum-test"},
		"actions": []map[string]any{{
			"type": "button", "action_id": c.ActionID, "block_id": "actions", "value": c.Value,
			"text": map[string]any{"type": "plain_text", "text": c.ActionID}, "action_ts": s.TS(),
		}},
	}
	if c.Channel == "" {
		p["container"] = map[string]any{"type": "view", "view_id": "VHOME"}
		p["view"] = map[string]any{"id": "VHOME", "type": "home"}
	} else {
		cont := map[string]any{"type": "message", "message_ts": c.MessageTS, "channel_id": c.Channel, "is_ephemeral": c.Ephemeral}
		p["channel"] = map[string]any{"id": c.Channel, "name": "prep"}
		if c.ThreadTS != "" {
			cont["thread_ts"] = c.ThreadTS
		}
		p["container"] = cont
		if !c.Ephemeral {
			msg := map[string]any{"type": "message", "ts": c.MessageTS, "text": c.MessageText, "user": BotUserID, "bot_id": BotID}
			if c.ThreadTS != "" {
				msg["thread_ts"] = c.ThreadTS
			}
			p["message"] = msg
		}
		p["response_url"] = s.URL + "/actions/response"
	}
	return s.Send("interactive", p)
}

// Submit sends a view_submission for the modal opened by the views.open call open,
// with values[block_id][action_id] typed into its inputs, and returns the envelope id.
func (s *Server) Submit(user string, open Call, values map[string]map[string]string) string {
	v := open.View()
	state := map[string]any{}
	for block, actions := range values {
		m := map[string]any{}
		for action, val := range actions {
			m[action] = map[string]any{"type": "plain_text_input", "value": val}
		}
		state[block] = m
	}
	view := map[string]any{
		"id": open.ViewID, "team_id": TeamID, "type": "modal", "callback_id": v["callback_id"],
		"private_metadata": v["private_metadata"], "blocks": v["blocks"], "state": map[string]any{"values": state},
		"app_id": AppID, "bot_id": BotID, "hash": "h-" + open.ViewID,
	}
	return s.Send("interactive", map[string]any{
		"type": "view_submission", "api_app_id": AppID, "token": "verification", "trigger_id": s.trigger(),
		"user": map[string]any{"id": user, "username": "person-" + user, "name": "person-" + user, "team_id": TeamID},
		"team": map[string]any{"id": TeamID, "domain": "quorum-test"}, "view": view,
	})
}
