package commands

import (
	"context"
	"fmt"

	"github.com/mspbot/mspbot/bot"
)

type channelStore interface {
	Channel(ctx context.Context, workspaceID int64, channelID string) (bot.ChannelSettings, error)
	SetIntake(ctx context.Context, workspaceID int64, channelID string, on bool, by int64) error
	LinkClient(ctx context.Context, workspaceID int64, channelID, clientCode string, by int64) (bot.ChannelSettings, error)
}

// mspbotCommand configures the channel it is typed in.
func mspbotCommand(d Deps) bot.Command {
	return bot.Command{
		Name:    "mspbot",
		Usage:   "/mspbot intake on|off | /mspbot client link CODE | /mspbot client unlink | /mspbot channel",
		Summary: "make this channel an intake channel, or link it to a client",
		MinRole: bot.RoleManager,
		Handler: func(ctx context.Context, ev bot.Event) ([]bot.Message, error) {
			args, err := bot.SplitArgs(ev.Args)
			if err != nil {
				return nil, err
			}
			if ev.Channel == "" {
				return nil, bot.Errorf(bot.EInvalid, "type this in the channel you want to configure")
			}
			ws, by := ev.Caller.WorkspaceID, ev.Caller.ID
			switch {
			case len(args) == 2 && args[0] == "intake" && (args[1] == "on" || args[1] == "off"):
				if err := d.Store.SetIntake(ctx, ws, ev.Channel, args[1] == "on", by); err != nil {
					return nil, err
				}
				if args[1] == "on" {
					return reply("This is now an intake channel: every new message here opens a request; replies in its thread are comments."), nil
				}
				return reply("Intake is off in this channel."), nil
			case len(args) == 3 && args[0] == "client" && args[1] == "link":
				if _, err := knownClient(ctx, d, ws, args[2]); err != nil {
					return nil, err
				}
				c, err := d.Store.LinkClient(ctx, ws, ev.Channel, args[2], by)
				if err != nil {
					return nil, err
				}
				return reply(fmt.Sprintf("This channel is linked to client %s: people from outside your organisation here are %s's client users, and requests opened here are filed under %s.", c.ClientCode, c.ClientCode, c.ClientCode)), nil
			case len(args) == 2 && args[0] == "client" && args[1] == "unlink":
				if _, err := d.Store.LinkClient(ctx, ws, ev.Channel, "", by); err != nil {
					return nil, err
				}
				return reply("This channel is no longer linked to a client."), nil
			case len(args) == 1 && args[0] == "channel" || len(args) == 0:
				c, err := d.Store.Channel(ctx, ws, ev.Channel)
				if err != nil {
					return nil, err
				}
				return reply(fmt.Sprintf("Intake: %v. Client: %s.", onOff(c.Intake), bot.FirstNonEmpty(c.ClientCode, "none"))), nil
			}
			return nil, bot.Errorf(bot.EInvalid, "use /mspbot intake on|off, /mspbot client link ACME, /mspbot client unlink or /mspbot channel")
		},
	}
}

func reply(text string) []bot.Message { return []bot.Message{{Text: text, Ephemeral: true}} }

func onOff(b bool) string {
	if b {
		return "on"
	}
	return "off"
}
