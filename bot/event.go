package bot

import (
	"context"
	"errors"
	"time"
)

// User is a person on one platform.
type User struct {
	Platform string `json:"platform"`
	ID       string `json:"id"`
	Name     string `json:"name,omitempty"`
}

// Key identifies the user across platforms: "discord:1234".
func (u User) Key() string { return u.Platform + ":" + u.ID }

// Conversation is where messages go: a DM, a channel, or a thread in a channel.
type Conversation struct {
	Platform string `json:"platform"`
	// ID is the channel (or DM channel) id.
	ID string `json:"id"`
	// Thread is the thread inside ID, if any.
	Thread string `json:"thread,omitempty"`
	// DM is set for a direct conversation with one person.
	DM bool `json:"dm,omitempty"`
	// Guild is the server (Discord) or workspace (Slack) the channel belongs to, if known.
	// It is not part of Key.
	Guild string `json:"guild,omitempty"`
}

// Key identifies the conversation: "discord:c123" or "discord:c123/t456".
func (c Conversation) Key() string {
	k := c.Platform + ":" + c.ID
	if c.Thread != "" {
		k += "/" + c.Thread
	}
	return k
}

// EventKind says what happened.
type EventKind int

// Kinds of event.
const (
	// EventMessage is a message from a person: a command or an answer.
	EventMessage EventKind = iota
	// EventAction is a button press; Event.Action names the button.
	EventAction
)

// Event is something a person did, as an adapter reports it.
type Event struct {
	Kind EventKind
	User User
	Conv Conversation
	// Text is the typed text, or a command with its arguments.
	Text string
	// Action is the pressed button's action id, for EventAction.
	Action string
	// Answer marks Text as an answer typed where only Quorum sees it (a modal, the
	// terminal), never a command. Its verdict does not quote it outside a DM.
	Answer bool
	// Audio is a spoken answer (a voice message, an audio or video clip).
	Audio *Audio
	// Time is when the platform saw the event; zero means now.
	Time time.Time
	// Manager is set when the platform vouches that the person may change what the channel
	// shares (Discord's Manage Server on a slash command). Otherwise the core asks the
	// platform (Moderation).
	Manager bool
}

// Action ids of buttons on messages. Adapters send them back in Event.Action.
const (
	ActionModel    = "model"
	ActionFollowUp = "followup"
	ActionAnother  = "another"
	ActionSkip     = "skip"
)

// MessageKind says what a message is for, so adapters can render it.
type MessageKind int

// Kinds of message.
const (
	MsgInfo MessageKind = iota
	MsgQuestion
	MsgVerdict
	MsgTimeUp
	MsgStats
	MsgHelp
	MsgError
	// MsgReport is the report at the end of a mock interview.
	MsgReport
)

// Message is what the bot says, in a platform-neutral form.
// Text is always complete on its own; other fields let an adapter render it richer.
type Message struct {
	Kind MessageKind
	Conv Conversation
	// To is the person the message is for, if it is personal.
	To User
	// Title is the first line: for verdicts "PASS · 78/100".
	Title string
	Text  string
	// Question and Verdict are set on question and verdict messages.
	Question *Question
	Verdict  *Verdict
	// Deadline is when the answer is due, on question messages.
	Deadline time.Time
	// Fields are labelled values (the four dimensions), in order.
	Fields []Field
	// Actions are buttons to offer.
	Actions []Button
	// Session is the session the message belongs to, if any.
	Session uint64
	// Report is set on interview reports.
	Report *Report
	// Private asks for the message to reach only To: an ephemeral message where the
	// platform has them (Slack), else a direct message (Discord).
	Private bool
	// Files go with the message as attachments (a stats chart, an export). A platform
	// that cannot attach drops them; Text says what they hold.
	Files []File
	// Key names a message across tries and restarts: "q" and its session's id and time,
	// "day" and a daily drill's id and run key, "v" (or "t", a time's-up note) and its
	// attempt's id and time, "d" a channel drill's id and the run's key, "sum" the same
	// for its summary. A platform that can (Redelivering) posts a message sent again with
	// the same Key once.
	Key string
	// Again marks a keyed message sent again because an earlier send was never
	// confirmed (a failed send, which may have gone through, or one cut off by a stop):
	// it may have been posted already, and the platform looks for it first.
	Again bool
}

// File is an attachment: a name with its extension, its MIME type and its bytes.
type File struct {
	Name, ContentType string
	Data              []byte
}

// Field is a labelled value.
type Field struct {
	Label, Value string
}

// Button is an action the person can take.
type Button struct {
	Action, Label string
}

// Sent identifies a message once the platform has it.
type Sent struct {
	// ID is the platform's message id (a thread is started from it).
	ID string
	// Thread is set when the platform opened a thread for the message; answers come there.
	Thread string
}

// Platform is a chat surface the bot talks through.
type Platform interface {
	// Name is the platform's name as it appears in User and Conversation ("discord").
	Name() string
	// Send delivers msg. It returns an error when the message was not delivered;
	// the caller keeps ownership of msg.
	Send(ctx context.Context, msg Message) (Sent, error)
}

// ErrNotSupported is returned by an optional ability a platform lacks.
var ErrNotSupported = errors.New("not supported on this platform")

// Clock tells the time and runs functions later; tests use a fake one.
type Clock interface {
	Now() time.Time
	// AfterFunc calls f in its own goroutine once d has passed.
	AfterFunc(d time.Duration, f func()) Timer
}

// Timer is a pending AfterFunc call.
type Timer interface {
	// Stop cancels the call; it reports false if the call already ran or was stopped.
	Stop() bool
}

// SystemClock is the real clock.
type SystemClock struct{}

// Now returns time.Now().
func (SystemClock) Now() time.Time { return time.Now() }

// AfterFunc wraps time.AfterFunc.
func (SystemClock) AfterFunc(d time.Duration, f func()) Timer { return time.AfterFunc(d, f) }

// Handler takes events from a platform adapter. *Bot is one.
type Handler interface {
	// Handle processes ev and sends the replies; it returns when they are sent.
	Handle(ctx context.Context, ev Event)
}

var _ Handler = (*Bot)(nil)
