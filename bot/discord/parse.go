package discord

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Interaction types and the response types the adapter uses (Discord's numbers).
const (
	interactionPing         = 1
	interactionCommand      = 2
	interactionComponent    = 3
	interactionAutocomplete = 4
	interactionModalSubmit  = 5
)

// Option types that carry a value.
const (
	optSubCommand      = 1
	optSubCommandGroup = 2
	optString          = 3
	optInteger         = 4
	optBoolean         = 5
	optUser            = 6
)

// maxBody is the largest interaction body read; Discord's are a few kilobytes.
const maxBody = 1 << 20

// Interaction is the part of an interaction payload the adapter uses. It is
// parsed here rather than with discordgo's types so that newer component shapes
// (a modal's label wrapper, type 18) and odd input fail softly, not wholesale.
type Interaction struct {
	ID            string       `json:"id"`
	ApplicationID string       `json:"application_id"`
	Type          int          `json:"type"`
	Token         string       `json:"token"`
	GuildID       string       `json:"guild_id"`
	ChannelID     string       `json:"channel_id"`
	Channel       *ChannelInfo `json:"channel"`
	Member        *Member      `json:"member"`
	User          *User        `json:"user"`
	Message       *Message     `json:"message"`

	Command   *CommandData   `json:"-"`
	Component *ComponentData `json:"-"`
	Modal     *ModalData     `json:"-"`
}

// ChannelInfo is the partial channel an interaction carries.
type ChannelInfo struct {
	ID       string `json:"id"`
	Type     int    `json:"type"`
	ParentID string `json:"parent_id"`
}

// IsThread reports whether the channel is a thread (types 10, 11, 12).
func (c *ChannelInfo) IsThread() bool { return c != nil && c.Type >= 10 && c.Type <= 12 }

// User is a Discord user.
type User struct {
	ID         string `json:"id"`
	Username   string `json:"username"`
	GlobalName string `json:"global_name"`
	Bot        bool   `json:"bot"`
}

// Member is a user in a guild.
type Member struct {
	User  *User    `json:"user"`
	Nick  *string  `json:"nick"`
	Roles []string `json:"roles"` // role ids: MSPBOT_DISCORD_STAFF_ROLES maps some to staff
}

// memberRoles is the member's server role ids, if the payload has them.
func memberRoles(m *Member) []string {
	if m == nil {
		return nil
	}
	return m.Roles
}

// CommandData is an application command's data (also sent for autocomplete).
type CommandData struct {
	ID      string   `json:"id"`
	Name    string   `json:"name"`
	Type    int      `json:"type"`
	Options []Option `json:"options"`
}

// Option is one option given to a command; sub-commands nest options.
type Option struct {
	Name    string          `json:"name"`
	Type    int             `json:"type"`
	Value   json.RawMessage `json:"value"`
	Options []Option        `json:"options"`
	Focused bool            `json:"focused"`
}

// String returns the option's value as text: strings unquoted, numbers and
// booleans as written.
func (o Option) String() string {
	v := bytes.TrimSpace(o.Value)
	if len(v) > 0 && v[0] == '"' {
		var s string
		if json.Unmarshal(v, &s) == nil {
			return s
		}
		return ""
	}
	if len(v) == 0 || string(v) == "null" {
		return ""
	}
	if f, err := strconv.ParseFloat(string(v), 64); err == nil && f == float64(int64(f)) {
		return strconv.FormatInt(int64(f), 10)
	}
	return string(v)
}

// ComponentData is a button or select click.
type ComponentData struct {
	CustomID      string   `json:"custom_id"`
	ComponentType int      `json:"component_type"`
	Values        []string `json:"values"`
}

// ModalData is a submitted modal.
type ModalData struct {
	CustomID   string      `json:"custom_id"`
	Components []Component `json:"components"`
}

// Component is a component in a modal submission: an action row (1) or a label
// (18) holding text inputs (4).
type Component struct {
	Type       int         `json:"type"`
	CustomID   string      `json:"custom_id"`
	Value      string      `json:"value"`
	Components []Component `json:"components"`
	Component  *Component  `json:"component"`
}

// Values returns every text input's value by custom_id, whichever wrapper holds it.
func (m *ModalData) Values() map[string]string {
	out := map[string]string{}
	var walk func(cs []Component, depth int)
	walk = func(cs []Component, depth int) {
		if depth > 4 {
			return
		}
		for _, c := range cs {
			if c.CustomID != "" && c.Type == 4 {
				out[c.CustomID] = c.Value
			}
			walk(c.Components, depth+1)
			if c.Component != nil {
				walk([]Component{*c.Component}, depth+1)
			}
		}
	}
	walk(m.Components, 0)
	return out
}

// Message is the part of a message (gateway MESSAGE_CREATE, or the message a
// clicked button is on) the adapter uses.
type Message struct {
	ID        string  `json:"id"`
	ChannelID string  `json:"channel_id"`
	GuildID   string  `json:"guild_id"`
	Author    *User   `json:"author"`
	Member    *Member `json:"member"`
	Content   string  `json:"content"`
	Type      int     `json:"type"`
	WebhookID string  `json:"webhook_id"`
	Mentions  []User  `json:"mentions"`
}

// Reaction is a MESSAGE_REACTION_ADD event.
type Reaction struct {
	UserID    string  `json:"user_id"`
	ChannelID string  `json:"channel_id"`
	MessageID string  `json:"message_id"`
	GuildID   string  `json:"guild_id"`
	Member    *Member `json:"member"`
	Emoji     struct {
		ID   *string `json:"id"`
		Name string  `json:"name"`
	} `json:"emoji"`
}

// ErrBadInteraction marks a payload that is not a usable interaction.
var ErrBadInteraction = errors.New("bad interaction")

// ParseInteraction decodes and checks an interaction body.
func ParseInteraction(body []byte) (*Interaction, error) {
	if len(body) > maxBody {
		return nil, fmt.Errorf("%w: body of %d bytes", ErrBadInteraction, len(body))
	}
	var raw struct {
		Interaction
		Data json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(body, &raw); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadInteraction, err)
	}
	in := raw.Interaction
	if in.Type < interactionPing || in.Type > interactionModalSubmit {
		return nil, fmt.Errorf("%w: type %d", ErrBadInteraction, in.Type)
	}
	if in.Type == interactionPing {
		return &in, nil
	}
	if in.ID == "" || in.Token == "" || in.ApplicationID == "" {
		return nil, fmt.Errorf("%w: id, token and application_id are required", ErrBadInteraction)
	}
	if in.UserID() == "" {
		return nil, fmt.Errorf("%w: no user", ErrBadInteraction)
	}
	if len(raw.Data) == 0 || string(raw.Data) == "null" {
		return nil, fmt.Errorf("%w: no data", ErrBadInteraction)
	}
	var err error
	switch in.Type {
	case interactionCommand, interactionAutocomplete:
		in.Command = &CommandData{}
		err = json.Unmarshal(raw.Data, in.Command)
		if err == nil && in.Command.Name == "" {
			err = errors.New("no command name")
		}
		if err == nil && depth(in.Command.Options, 0) > 3 {
			err = errors.New("options nested too deep")
		}
	case interactionComponent:
		in.Component = &ComponentData{}
		err = json.Unmarshal(raw.Data, in.Component)
		if err == nil && in.Component.CustomID == "" {
			err = errors.New("no custom_id")
		}
	case interactionModalSubmit:
		in.Modal = &ModalData{}
		err = json.Unmarshal(raw.Data, in.Modal)
		if err == nil && in.Modal.CustomID == "" {
			err = errors.New("no custom_id")
		}
	}
	if err != nil {
		return nil, fmt.Errorf("%w: data: %v", ErrBadInteraction, err)
	}
	return &in, nil
}

func depth(opts []Option, d int) int {
	max := d
	for _, o := range opts {
		if len(o.Options) > 0 {
			if n := depth(o.Options, d+1); n > max {
				max = n
			}
		}
	}
	return max
}

// Caller returns who acted: the member's user in a guild, the user in a DM.
func (in *Interaction) Caller() *User {
	if in.Member != nil && in.Member.User != nil {
		return in.Member.User
	}
	return in.User
}

// UserID is the acting user's id, or "".
func (in *Interaction) UserID() string {
	if u := in.Caller(); u != nil {
		return u.ID
	}
	return ""
}

// displayName is the name people see: server nickname, global name, username.
func displayName(u *User, m *Member) string {
	if m != nil && m.Nick != nil && strings.TrimSpace(*m.Nick) != "" {
		return *m.Nick
	}
	if u == nil {
		return ""
	}
	if u.GlobalName != "" {
		return u.GlobalName
	}
	return u.Username
}
