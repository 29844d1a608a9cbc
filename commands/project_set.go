package commands

import (
	"context"
	"errors"

	"github.com/mspbot/mspbot/bot"
)

func setProject(ctx context.Context, d Deps, ev bot.Event, p bot.Project, args []string) ([]bot.Message, error) {
	pos, flags, err := splitFlags(args, projectFlags...)
	if err != nil {
		return nil, err
	}
	if len(pos) > 0 || len(flags) == 0 {
		return nil, bot.Errorf(bot.EInvalid, `use /project set %s --end 2027-02-28 --budget 140h --channel #acme --coordinator @cora --lead @sam --update "fri 15:00"`, p.Ref())
	}
	if err := runningOrReplayed(ctx, d, ev, p); err != nil {
		return nil, err
	}
	if err := applyProjectFlags(ctx, d, ev, &p, flags, projectToday(d, p)); err != nil {
		return nil, err
	}
	// Handled again (ErrReplayed): changed the first time; a later change
	// stands, and the answer is the project's status, as then.
	p, err = d.Store.UpdateProjectOnce(ctx, p, ev.SourceID)
	if err != nil && !errors.Is(err, bot.ErrReplayed) {
		return nil, err
	}
	return projectStatus(ctx, d, p)
}
