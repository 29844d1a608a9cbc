package bot

// ChannelSettings is how the bot treats one channel. The zero value (no row) is
// an ordinary channel: not intake, no client.
type ChannelSettings struct {
	Intake     bool
	ClientID   *int64
	ClientCode string
}

// NewPerson describes someone met for the first time.
type NewPerson struct {
	WorkspaceID int64
	ExternalID  string
	Name        string
	Timezone    string
	// Admin: listed in MSPBOT_ADMINS, so a manager from the start.
	Admin bool
	// ClientCode, when set, makes the person a client user of that client
	// (an external user in a channel linked to the client).
	ClientCode string
}

// Recipient is someone the bot can DM.
type Recipient struct {
	PersonID   int64
	Name       string
	Platform   Platform
	Workspace  string
	ExternalID string
	Timezone   string
}
