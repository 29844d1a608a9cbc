package commands

import (
	"context"
	"strings"

	"github.com/mspbot/mspbot/bot"
	"github.com/mspbot/mspbot/timekeeping/digest"
)

// digestStore is what the daily digest reads.
type digestStore interface {
	digest.Store
}

// DigestOptions are the digest's parts owned by other packages.
type DigestOptions struct {
	Sections []digest.SectionSource
	Chart    bot.ChartFunc
}

func digestCommand(d Deps) bot.Command {
	return bot.Command{
		Name:    "digest",
		Usage:   "/digest now",
		Summary: "the manager's daily digest, on demand",
		MinRole: bot.RoleManager,
		Handler: func(ctx context.Context, ev bot.Event) ([]bot.Message, error) {
			if a := strings.ToLower(strings.TrimSpace(ev.Args)); a != "" && a != "now" {
				return nil, bot.Errorf(bot.EInvalid, "use /digest now")
			}
			loc := d.location(ev.Caller.Person)
			svc := &digest.Service{Store: d.Store, Clock: d.Clock, Location: d.Location, Log: d.Log,
				Sections: d.Digest.Sections, Chart: d.Digest.Chart}
			m, err := svc.Build(ctx, digest.For{ManagerID: ev.Caller.ID, Name: ev.Caller.Name,
				WorkspaceID: ev.Caller.WorkspaceID, Loc: loc}, d.Clock.Now())
			if err != nil {
				return nil, err
			}
			m.Ephemeral = true
			return []bot.Message{m}, nil
		},
	}
}
