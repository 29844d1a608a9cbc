package bot

// Event is one thing a person asked of the bot, in platform-neutral form.
type Event struct {
	Platform  Platform
	Workspace string // Slack team id, Discord guild id, "console"
	Channel   string
	Thread    string
	// SourceID is the platform id of the message or event this came from. A
	// request opened from it is unique per workspace on this id, so a retried
	// delivery never opens a second request.
	SourceID string
	User     User
	Command  string // without the slash: "request"
	Args     string // everything after the command
	Caller   Caller // filled in by the Router before the handler runs
}

// User is who sent the event, as the platform knows them.
type User struct {
	ID       string // platform user id; the name on the console
	Name     string
	TeamID   string // the user's own organisation (Slack Connect external users)
	External bool   // from another organisation: treated as a client user
	Timezone string
}

// Caller is the person behind an event as mspbot knows them.
type Caller struct {
	Person
	WorkspaceID int64
	// Notice is told to the caller once, e.g. "you are this bot's first manager".
	Notice string
}
