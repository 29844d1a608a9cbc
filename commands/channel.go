package commands

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/mspbot/mspbot/bot"
)

type channelStore interface {
	Channel(ctx context.Context, workspaceID int64, channelID string) (bot.ChannelSettings, error)
	SetIntakeOnce(ctx context.Context, workspaceID int64, channelID string, on bool, by int64, key string) error
	LinkClientOnce(ctx context.Context, workspaceID int64, channelID, clientCode string, by int64, key string) (bot.ChannelSettings, error)
}

// mspbotCommand configures the channel it is typed in.
func mspbotCommand(d Deps) bot.Command {
	here := func(fn func(ctx context.Context, ev bot.Event, args []string) ([]bot.Message, error)) bot.Handler {
		return func(ctx context.Context, ev bot.Event) ([]bot.Message, error) {
			args, err := bot.SplitArgs(ev.Args)
			if err != nil {
				return nil, err
			}
			if ev.Channel == "" {
				return nil, bot.Errorf(bot.EInvalid, "type this in the channel you want to configure")
			}
			return fn(ctx, ev, args)
		}
	}
	show := here(func(ctx context.Context, ev bot.Event, _ []string) ([]bot.Message, error) {
		c, err := d.Store.Channel(ctx, ev.Caller.WorkspaceID, ev.Channel)
		if err != nil {
			return nil, err
		}
		return reply(fmt.Sprintf("Intake: %v. Client: %s.", onOff(c.Intake), bot.FirstNonEmpty(c.ClientCode, "none"))), nil
	})
	return bot.Command{
		Name:    "mspbot",
		Usage:   "/mspbot intake on|off | /mspbot client link CODE | /mspbot client unlink | /mspbot channel",
		Summary: "make this channel an intake channel, or link it to a client",
		MinRole: bot.RoleManager,
		Handler: func(ctx context.Context, ev bot.Event) ([]bot.Message, error) {
			if strings.TrimSpace(ev.Args) == "" {
				return show(ctx, ev)
			}
			return nil, bot.Errorf(bot.EInvalid, "use /mspbot intake on|off, /mspbot client link ACME, /mspbot client unlink or /mspbot channel")
		},
		Subs: []bot.Subcommand{
			{Name: "intake", Usage: "/mspbot intake on|off", Summary: "every new message here opens a request", MinRole: bot.RoleManager,
				Args: []bot.Arg{{Name: "state", Kind: bot.ArgChoice, Required: true, Choices: []string{"on", "off"}}},
				Handler: here(func(ctx context.Context, ev bot.Event, args []string) ([]bot.Message, error) {
					if len(args) != 1 || (args[0] != "on" && args[0] != "off") {
						return nil, bot.Errorf(bot.EInvalid, "use /mspbot intake on or /mspbot intake off")
					}
					// Handled again (ErrReplayed): set the first time; a later
					// /mspbot intake stands.
					if err := d.Store.SetIntakeOnce(ctx, ev.Caller.WorkspaceID, ev.Channel, args[0] == "on", ev.Caller.ID, ev.SourceID); err != nil && !errors.Is(err, bot.ErrReplayed) {
						return nil, err
					}
					if args[0] == "on" {
						return reply("This is now an intake channel: every new message here opens a request; replies in its thread are comments."), nil
					}
					return reply("Intake is off in this channel."), nil
				})},
			{Name: "client", Usage: "/mspbot client link CODE | /mspbot client unlink", MinRole: bot.RoleManager,
				Summary: "link this channel to a client: requests here are filed under it, and the outside organisations it is shared with become the client's",
				Args:    []bot.Arg{{Name: "action", Kind: bot.ArgChoice, Required: true, Choices: []string{"link", "unlink"}}, {Name: "client", Kind: bot.ArgClient}},
				Handler: here(func(ctx context.Context, ev bot.Event, args []string) ([]bot.Message, error) {
					switch {
					case len(args) == 2 && args[0] == "link":
						return linkChannel(ctx, d, ev, args[1])
					case len(args) == 1 && args[0] == "unlink":
						if _, err := d.Store.LinkClientOnce(ctx, ev.Caller.WorkspaceID, ev.Channel, "", ev.Caller.ID, ev.SourceID); err != nil && !errors.Is(err, bot.ErrReplayed) {
							return nil, err
						}
						return reply("This channel is no longer linked to a client."), nil
					}
					return nil, bot.Errorf(bot.EInvalid, "use /mspbot client link ACME or /mspbot client unlink")
				})},
			{Name: "channel", Usage: "/mspbot channel", Summary: "this channel's settings", MinRole: bot.RoleManager, Handler: show},
		},
	}
}

// linkChannel links the channel to a client and records the outside
// organisations the channel is shared with as the client's, so their people
// are that client's users wherever they write. An organisation already another
// client's is refused, and then nothing changes.
func linkChannel(ctx context.Context, d Deps, ev bot.Event, code string) ([]bot.Message, error) {
	ws := ev.Caller.WorkspaceID
	client, err := knownClient(ctx, d, ws, code)
	if err != nil {
		return nil, err
	}
	var orgs []string
	if ev.ChannelOrgs != nil {
		if orgs, err = ev.ChannelOrgs(ctx); err != nil {
			return nil, fmt.Errorf("link %s: %w", code, err)
		}
	}
	if err := d.Store.RecordClientOrgs(ctx, ws, client.ID, orgs, ev.Caller.ID); err != nil {
		return nil, err
	}
	c, err := d.Store.LinkClientOnce(ctx, ws, ev.Channel, client.Code, ev.Caller.ID, ev.SourceID)
	if errors.Is(err, bot.ErrReplayed) {
		// Linked by this delivery the first time; a later link or unlink
		// stands, and the answer is the first one.
		c.ClientCode, err = client.Code, nil
	}
	if err != nil {
		return nil, err
	}
	text := fmt.Sprintf("This channel is linked to client %s: requests opened here are filed under %s.", c.ClientCode, c.ClientCode)
	if len(orgs) > 0 {
		text += fmt.Sprintf(" People of %s (the organisation this channel is shared with) are %s's client users.", strings.Join(orgs, ", "), c.ClientCode)
	} else {
		text += fmt.Sprintf(" Nobody outside your organisation shares it; add %s's people with /client user %s @person.", c.ClientCode, c.ClientCode)
	}
	return reply(text), nil
}

func reply(text string) []bot.Message { return []bot.Message{{Text: text, Ephemeral: true}} }

func onOff(b bool) string {
	if b {
		return "on"
	}
	return "off"
}
