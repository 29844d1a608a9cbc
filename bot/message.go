package bot

import (
	"context"
	"fmt"
	"strconv"
	"strings"
)

// Message is what a command says back. Adapters render it: Block Kit on Slack,
// embeds and components on Discord, plain text on the console.
type Message struct {
	Title     string
	Text      string
	Fields    []Field
	Actions   []Action
	Ephemeral bool // only the caller sees it (where the platform can do that)
	IsError   bool
	// Where it goes. Empty means: reply where the event came from, in its thread.
	Channel string
	Thread  string
	// RequestNumber ties the message to a request so adapters can follow its thread
	// and update it in place.
	RequestNumber int64
	// Opened says the message announces RequestNumber's request, just opened
	// by the event it answers (in the event's channel and thread): an adapter
	// queueing it knows where the request is without reading it back.
	Opened bool `json:",omitempty"`
	// ProjectNumber ties the message to a project (a closeout checklist, an
	// update draft): its buttons may act on that project only.
	ProjectNumber int64
	// Attachments carry files such as chart images.
	Attachments []Attachment
	// Form, when set, asks the caller for text in a native form (form.go).
	Form *Form `json:",omitempty"`
}

// Field is a labelled value shown beside others.
type Field struct {
	Label string
	Value string
}

// Action is a button. ID names what it does ("request.take"); Value carries its
// argument (a request number). Command is the command line a click runs, e.g.
// "/request take 1001": adapters dispatch it through the Router like a typed
// command, so a click is checked against the clicker's role exactly as typing is.
type Action struct {
	ID      string
	Label   string
	Value   string
	Style   string // "primary", "danger" or ""
	Command string
}

// Attachment is a file sent with a message.
type Attachment struct {
	Name        string
	ContentType string
	Data        []byte
}

// Destination is where a message goes when the bot speaks first (a weekly update,
// a nudge, a digest): a channel (and thread) or a person's direct messages.
type Destination struct {
	Platform  Platform
	Workspace string // platform workspace id
	Channel   string
	Thread    string
	UserID    string // platform user id: a direct message when Channel is empty
	// ReplyTo is the platform message this post answers (Discord shows it as a
	// reply); empty for none.
	ReplyTo string `json:",omitempty"`
	// ReplyURL is a hook that still reaches the channel when posting into it is
	// refused (Slack's response_url, valid for 30 minutes); empty for none.
	ReplyURL string `json:",omitempty"`
	// NotifyUser is the platform user to tell privately (a direct message)
	// when the post is refused for good (the bot is not in the channel, say),
	// so whoever caused it is never left without an answer; empty for none.
	NotifyUser string `json:",omitempty"`
}

// Sender posts messages the bot starts. Each platform adapter implements it; the
// scheduled jobs use it through a Senders map so they never see a platform type.
// It returns the platform's id of the last message posted.
type Sender interface {
	Send(ctx context.Context, to Destination, msgs ...Message) (string, error)
}

// Senders picks the Sender for a destination's platform.
type Senders map[Platform]Sender

// Send posts through the destination's platform.
func (s Senders) Send(ctx context.Context, to Destination, msgs ...Message) (string, error) {
	sender, ok := s[to.Platform]
	if !ok {
		return "", Errorf(EInternal, "no sender for platform %q", to.Platform)
	}
	return sender.Send(ctx, to, msgs...)
}

// About is the record the message is about: its buttons may act on that record
// only (the Router refuses any other, see Event.Origin).
func (m Message) About() Ref {
	switch {
	case m.RequestNumber > 0:
		return Ref{Kind: RefRequest, Number: m.RequestNumber}
	case m.ProjectNumber > 0:
		return Ref{Kind: RefProject, Number: m.ProjectNumber}
	}
	return Ref{}
}

// RefOfBlock reads the record an adapter wrote into a message's button block
// id ("request:1002", "project:12", with an optional ":k" for a second block).
// Unknown ids name nothing.
func RefOfBlock(id string) Ref {
	kind, rest, _ := strings.Cut(id, ":")
	num, _, _ := strings.Cut(rest, ":")
	switch RefKind(kind) {
	case RefRequest, RefProject:
		if n, err := strconv.ParseInt(num, 10, 64); err == nil && n > 0 {
			return Ref{Kind: RefKind(kind), Number: n}
		}
	}
	return Ref{}
}

// BlockOf is the block id RefOfBlock reads: "request:1002", "project:12", or
// "actions" for a message about no record.
func BlockOf(r Ref) string {
	if r.IsZero() {
		return "actions"
	}
	return fmt.Sprintf("%s:%d", r.Kind, r.Number)
}
