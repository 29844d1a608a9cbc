package commands

import (
	"context"

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
	if err := running(p); err != nil {
		return nil, err
	}
	if err := applyProjectFlags(ctx, d, ev, &p, flags, projectToday(d, p)); err != nil {
		return nil, err
	}
	p, err = d.Store.UpdateProject(ctx, p)
	if err != nil {
		return nil, err
	}
	return projectStatus(ctx, d, p)
}
