package bot

import "context"

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
	// Attachments carry files such as chart images.
	Attachments []Attachment
}

// Field is a labelled value shown beside others.
type Field struct {
	Label string
	Value string
}

// Action is a button. ID names what it does ("request.take"); Value carries its
// argument (a request number).
type Action struct {
	ID    string
	Label string
	Value string
	Style string // "primary", "danger" or ""
}

// Attachment is a file sent with a message.
type Attachment struct {
	Name        string
	ContentType string
	Data        []byte
}

// Responder delivers messages for an event back to its platform.
type Responder interface {
	Respond(ctx context.Context, ev Event, msgs ...Message) error
}
