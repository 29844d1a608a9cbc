package bot

import "context"

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
	Args     string // everything after the command (and after the subcommand word, once routed)
	// ChannelOrgs, when the platform can tell, returns the outside
	// organisations the channel is shared with (Slack Connect team ids, never
	// the installing team's). Linking a channel to a client records them as the
	// client's. It is looked up only when called.
	ChannelOrgs func(ctx context.Context) ([]string, error)
	// Origin is the record the message a button sits on, or the thread a
	// comment is posted in, is about. Adapters set it; the Router refuses a
	// command that acts on any other record.
	Origin Ref
	// BadInput, set by an adapter that read a typed option it could not
	// parse (Discord's "duration: …"), is the reply once the Router's gate
	// has let the caller through: the gate still decides first, and the
	// handler does not run.
	BadInput error
	// Filled in by the Router before the handler runs:
	Caller Caller
	Sub    string // the subcommand chosen from the command's table ("" for the command itself)
	Target Ref    // the record the subcommand acts on, already checked against the caller
}

// User is who sent the event, as the platform knows them.
type User struct {
	ID     string // platform user id; the name on the console
	Name   string
	TeamID string // the user's own organisation (Slack Connect external users)
	// External: not of the installing organisation (a Slack Connect guest, a
	// workspace guest, or someone whose team is unknown). Never staff.
	External bool
	// Roles are the platform role ids the user holds where they sent this from
	// (Discord: the member's server roles). Only ids, never role names.
	Roles    []string
	Timezone string
}

// Caller is the person behind an event as mspbot knows them.
type Caller struct {
	Person
	WorkspaceID int64
	// Notice is told to the caller once, e.g. "you are this bot's first manager".
	Notice string
}

// ClientScope is the client whose records this caller may see: nil for staff
// (everything), their own client for a client user. A client user without a
// client sees nothing (an impossible id), never everything.
func (c Caller) ClientScope() *int64 {
	if c.Role.AtLeast(RoleTech) {
		return nil
	}
	if c.Role == RoleClient && c.ClientID != nil {
		return c.ClientID
	}
	none := int64(-1)
	return &none
}
