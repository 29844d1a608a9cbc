package commands

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/mspbot/mspbot/bot"
	"github.com/mspbot/mspbot/projects"
)

// projectFlags are the options /project new, open and set take.
var projectFlags = []string{"start", "end", "budget", "channel", "coordinator", "desc", "update", "lead", "name"}

// applyProjectFlags sets the fields the flags name on p.
func applyProjectFlags(ctx context.Context, d Deps, ev bot.Event, p *bot.Project, flags map[string]string, today time.Time) error {
	var err error
	if v, ok := flags["start"]; ok {
		if p.Start, err = parseDate(v, today); err != nil {
			return err
		}
	}
	if v, ok := flags["end"]; ok {
		if p.End, err = parseDate(v, today); err != nil {
			return err
		}
	}
	if v, ok := flags["budget"]; ok {
		if p.BudgetMinutes, err = parseDuration(v); err != nil {
			return err
		}
	}
	if v, ok := flags["channel"]; ok {
		if p.Channel, err = parseChannel(v); err != nil {
			return err
		}
	}
	if v, ok := flags["desc"]; ok {
		p.Description = strings.TrimSpace(v)
	}
	if v, ok := flags["name"]; ok {
		if strings.TrimSpace(v) == "" {
			return bot.Errorf(bot.EInvalid, "a project needs a name")
		}
		p.Name = strings.TrimSpace(v)
	}
	if v, ok := flags["update"]; ok {
		if p.UpdateWeekday, p.UpdateMinute, err = parseSchedule(v); err != nil {
			return err
		}
	}
	if v, ok := flags["coordinator"]; ok {
		who, err := findPerson(ctx, d, ev, v)
		if err != nil {
			return err
		}
		if !who.Role.AtLeast(bot.RoleCoordinator) {
			return bot.Errorf(bot.EInvalid, "%s is a %s; a project's coordinator must be a coordinator or manager (/role @%s coordinator)", who.Name, who.Role, who.Name)
		}
		p.CoordinatorID, p.CoordinatorName = who.ID, who.Name
	}
	if v, ok := flags["lead"]; ok {
		who, err := findPerson(ctx, d, ev, v)
		if err != nil {
			return err
		}
		if !who.Role.AtLeast(bot.RoleTech) {
			return bot.Errorf(bot.EInvalid, "%s is a client user; the support lead must be staff", who.Name)
		}
		p.SupportLeadID, p.SupportLead = &who.ID, who.Name
	}
	if p.SupportLeadID != nil && *p.SupportLeadID == p.CoordinatorID {
		ref := "the project"
		if p.Number > 0 {
			ref = p.Ref()
		}
		return bot.Errorf(bot.EInvalid, "%s coordinates %s; the support lead signs off for the support team, so name someone else with --lead @name",
			p.CoordinatorName, ref)
	}
	if p.End.Before(p.Start) {
		return bot.Errorf(bot.EInvalid, "the end date %s is before the start %s", p.End.Format("2006-01-02"), p.Start.Format("2006-01-02"))
	}
	if utf8.RuneCountInString(p.Name) > 200 {
		return bot.Errorf(bot.EInvalid, "keep the project name under 200 characters; put the rest in --desc")
	}
	return nil
}

// newProjectDefaults fills what the caller did not say: coordinated by them,
// starting today for four weeks, updates on Friday at 15:00, and the current
// channel when it is linked to the project's client.
func newProjectDefaults(ctx context.Context, d Deps, ev bot.Event, clientID int64) (bot.Project, error) {
	loc := d.location(ev.Caller.Person)
	y, m, dd := d.Clock.Now().In(loc).Date()
	today := time.Date(y, m, dd, 0, 0, 0, 0, time.UTC)
	p := bot.Project{WorkspaceID: ev.Caller.WorkspaceID, ClientID: clientID, CoordinatorID: ev.Caller.ID,
		CoordinatorName: ev.Caller.Name, Start: today, End: today.AddDate(0, 0, 28), UpdateWeekday: time.Friday, UpdateMinute: 15 * 60}
	ch, err := d.Store.Channel(ctx, ev.Caller.WorkspaceID, ev.Channel)
	if err != nil {
		return p, err
	}
	if ch.ClientID != nil && *ch.ClientID == clientID {
		p.Channel = ev.Channel
	}
	return p, nil
}

func newProject(ctx context.Context, d Deps, ev bot.Event, args []string) ([]bot.Message, error) {
	pos, flags, err := splitFlags(args, projectFlags...)
	if err != nil {
		return nil, err
	}
	if len(pos) != 2 || strings.TrimSpace(pos[1]) == "" {
		return nil, bot.Errorf(bot.EInvalid, `use /project new CLIENT "project name" --start 2026-12-01 --end 2027-01-31 --budget 120h --channel #acme (quote a name with spaces)`)
	}
	c, err := knownClient(ctx, d, ev.Caller.WorkspaceID, pos[0])
	if err != nil {
		return nil, err
	}
	p, err := newProjectDefaults(ctx, d, ev, c.ID)
	if err != nil {
		return nil, err
	}
	p.Name = strings.TrimSpace(pos[1])
	if err := applyProjectFlags(ctx, d, ev, &p, flags, p.Start); err != nil {
		return nil, err
	}
	return createProject(ctx, d, ev, p)
}

func openProject(ctx context.Context, d Deps, ev bot.Event, args []string) ([]bot.Message, error) {
	pos, flags, err := splitFlags(args, append(projectFlags, "client")...)
	if err != nil {
		return nil, err
	}
	if len(pos) != 1 {
		return nil, bot.Errorf(bot.EInvalid, "use /project open #1002 [--client ACME] [--start …] [--end …] [--budget 120h]")
	}
	r, err := visibleRequest(ctx, d, ev, pos[0])
	if err != nil {
		return nil, err
	}
	if r.Kind != bot.KindProject {
		return nil, bot.Errorf(bot.EInvalid, `#%d is a support request; if it is really a project, first /reclassify %d project "why"`, r.Number, r.Number)
	}
	if existing, err := d.Store.ProjectByRequest(ctx, r.ID); err == nil {
		return nil, bot.Errorf(bot.EConflict, "#%d is already project %s; see /project status %s", r.Number, existing.Ref(), existing.Ref())
	} else if bot.ErrorCode(err) != bot.ENotFound {
		return nil, err
	}
	var clientID int64
	switch {
	case flags["client"] != "":
		c, err := knownClient(ctx, d, ev.Caller.WorkspaceID, flags["client"])
		if err != nil {
			return nil, err
		}
		clientID = c.ID
	case r.ClientID != nil:
		clientID = *r.ClientID
	default:
		return nil, bot.Errorf(bot.EInvalid, "#%d has no client; say whose it is: /project open #%d --client ACME", r.Number, r.Number)
	}
	delete(flags, "client")
	p, err := newProjectDefaults(ctx, d, ev, clientID)
	if err != nil {
		return nil, err
	}
	p.Name, p.Description, p.RequestID = r.Title, r.Body, &r.ID
	if err := applyProjectFlags(ctx, d, ev, &p, flags, p.Start); err != nil {
		return nil, err
	}
	return createProject(ctx, d, ev, p)
}

func createProject(ctx context.Context, d Deps, ev bot.Event, in bot.Project) ([]bot.Message, error) {
	in.SourceKey = ev.SourceID
	p, err := d.Store.CreateProject(ctx, in, ev.Caller.ID)
	if errors.Is(err, bot.ErrReplayed) {
		// This delivery opened it before a crash: answer as then, open nothing.
		err = nil
	}
	if bot.ErrorCode(err) == bot.EConflict && in.RequestID != nil {
		return nil, bot.Errorf(bot.EConflict, "that request is already a project; /project lists them")
	}
	if err != nil {
		return nil, err
	}
	loc := projects.Location(p, d.Location)
	m := bot.Message{
		Title: fmt.Sprintf("Opened %s %s for %s", p.Ref(), p.Name, p.ClientCode),
		Text: fmt.Sprintf("Coordinator %s, %s to %s, budget %s. Weekly client update drafted %s %s (%s) and sent to %s to approve.",
			p.CoordinatorName, p.Start.Format("Mon 2 Jan 2006"), p.End.Format("Mon 2 Jan 2006"), budgetText(p),
			p.UpdateWeekday, bot.ClockTime(p.UpdateMinute), loc, p.CoordinatorName),
	}
	if p.Channel == "" {
		m.Text += fmt.Sprintf("\nNo client channel yet: set one with /project set %s --channel #client-channel so approved updates reach the client.", p.Ref())
	}
	if p.RequestNumber != 0 {
		m.Fields = append(m.Fields, bot.Field{Label: "From request", Value: fmt.Sprintf("#%d", p.RequestNumber)})
	}
	m.Fields = append(m.Fields, bot.Field{Label: "Next", Value: fmt.Sprintf(`/project milestone %s "name" 2026-12-10`, p.Ref())})
	msgs := []bot.Message{m}
	// Offer what was learned on similar projects.
	similar, err := d.Store.SearchLessons(ctx, p.WorkspaceID, p.Name+" "+p.Description, 3, p.ID)
	if err != nil {
		d.Log.Warn("similar lessons", "project", p.Ref(), "err", err)
	} else if len(similar) > 0 {
		msgs = append(msgs, lessonsMessage("Lessons from similar projects", similar, 1))
	}
	return msgs, nil
}

func budgetText(p bot.Project) string {
	if p.BudgetMinutes == 0 {
		return "not set"
	}
	return projects.Hours(p.BudgetMinutes)
}
