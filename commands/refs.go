package commands

import (
	"context"

	"github.com/mspbot/mspbot/bot"
	"github.com/mspbot/mspbot/parse"
)

// workTarget is what time is logged against: a request or a project.
type workTarget struct {
	RequestID, ProjectID *int64
	Label                string // "#1234", "P12"; "" when nothing was named
}

// resolveTarget reads a reference (1001, #1001, P12, #P12) and finds what it
// names. Anything that names nothing here is refused, so time is never stored
// against a request or project that does not exist, nor on a closed project.
func resolveTarget(ctx context.Context, d Deps, ev bot.Event, tok string) (workTarget, error) {
	ref, err := parse.ReadRef(tok)
	if err != nil {
		return workTarget{}, err
	}
	if ref.Kind == parse.Project {
		p, err := d.Store.ProjectByNumber(ctx, ev.Caller.WorkspaceID, int(ref.Number))
		if err == nil && ev.Caller.Role == bot.RoleClient && !sameClient(&p.ClientID, ev.Caller.ClientID) {
			return workTarget{}, bot.Errorf(bot.ENotFound, "there is no project %s here; /project lists them", ref)
		}
		if err != nil {
			return workTarget{}, notFoundAs(err, "there is no project %s here; /project lists them", ref)
		}
		if p.Status == bot.ProjectClosed {
			return workTarget{}, bot.Errorf(bot.EConflict, "%s is closed; no time can be logged or changed on it", ref)
		}
		return workTarget{ProjectID: &p.ID, Label: ref.String()}, nil
	}
	r, err := visibleRequest(ctx, d, ev, tok)
	if err != nil {
		return workTarget{}, err
	}
	return workTarget{RequestID: &r.ID, Label: parse.RequestRef(r.Number)}, nil
}

// targetLabel prints what an entry or timer is on, the one way references are
// printed: #1001 or P12.
func targetLabel(requestNumber, projectNumber *int64) string {
	switch {
	case requestNumber != nil:
		return parse.RequestRef(*requestNumber)
	case projectNumber != nil:
		return parse.ProjectRef(*projectNumber)
	}
	return ""
}
