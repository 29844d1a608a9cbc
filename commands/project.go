package commands

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/mspbot/mspbot/bot"
	"github.com/mspbot/mspbot/projects"
)

type projectStore interface {
	projects.Store
	CreateProject(ctx context.Context, in bot.Project, createdBy int64) (bot.Project, error)
	ProjectByNumber(ctx context.Context, workspaceID int64, n int) (bot.Project, error)
	ProjectByRequest(ctx context.Context, requestID int64) (bot.Project, error)
	UpdateProject(ctx context.Context, in bot.Project) (bot.Project, error)
	ListProjects(ctx context.Context, workspaceID int64, clientID *int64) ([]bot.Project, error)
	AddMilestone(ctx context.Context, projectID int64, name string, due time.Time) (bot.Milestone, error)
	SetMilestoneProgress(ctx context.Context, projectID int64, name string, percent int, by int64, at time.Time) (bot.Milestone, int, error)
	AddDisruption(ctx context.Context, d bot.Disruption, by int64) (bot.Disruption, error)
	AddOOS(ctx context.Context, it bot.OOSItem, by int64) (bot.OOSItem, error)
	MarkOOSInvoiced(ctx context.Context, projectID int64, number int, by int64, at time.Time) (bot.OOSItem, error)
	LatestWeeklyUpdate(ctx context.Context, projectID int64, postedOnly bool) (bot.WeeklyUpdate, error)
	EditWeeklyUpdate(ctx context.Context, id, by int64, at time.Time, text string) (bot.WeeklyUpdate, error)
	SkipWeeklyUpdate(ctx context.Context, id, by int64, at time.Time, reason string) (bot.WeeklyUpdate, error)
	StartCloseout(ctx context.Context, projectID int64, at time.Time) (bool, error)
	CloseoutChecklist(ctx context.Context, projectID int64) ([]bot.CloseoutItem, error)
	TickCloseout(ctx context.Context, projectID int64, item string, by int64, at time.Time, note string) error
	WaiveCloseout(ctx context.Context, projectID int64, item string, by int64, at time.Time, reason string) error
	FinishProject(ctx context.Context, projectID int64, at time.Time) error
	RateProject(ctx context.Context, projectID int64, rating int, reason string, by int64, at time.Time) error
	ProjectRating(ctx context.Context, projectID int64) (bot.Rating, error)
	lessonStore
}

// projectUsage is what /project says when the words do not fit.
const projectUsage = `/project new CLIENT "name" --start 2026-12-01 --end 2027-01-31 --budget 120h [--channel #acme] | ` +
	`/project open #1002 | /project [P12] | /project status|milestone|progress|disruption|oos|oos-export|oos-invoiced|update|set|close|tick|waive|rate P12 …`

func projectCommand(d Deps) bot.Command {
	return bot.Command{
		Name:    "project",
		Usage:   "/project new|open|status|milestone|progress|disruption|oos|update|close|tick|waive|rate …",
		Summary: "run projects: status, milestones, disruptions, out-of-scope work, client updates, closeout",
		MinRole: bot.RoleClient, // each subcommand checks its own role
		Handler: func(ctx context.Context, ev bot.Event) ([]bot.Message, error) {
			args, err := bot.SplitArgs(ev.Args)
			if err != nil {
				return nil, err
			}
			if len(args) == 0 {
				return listProjects(ctx, d, ev)
			}
			sub, rest := strings.ToLower(args[0]), args[1:]
			need := func(min bot.Role) error {
				if !ev.Caller.Role.AtLeast(min) {
					return bot.Errorf(bot.EForbidden, "/project %s is for %ss and above; you are a %s", sub, min, ev.Caller.Role)
				}
				return nil
			}
			// Only these are open to clients, and they check the client themselves.
			switch sub {
			case "update", "tick", "list":
			default:
				if err := need(bot.RoleTech); err != nil {
					return nil, err
				}
			}
			switch sub {
			case "list":
				return listProjects(ctx, d, ev)
			case "new":
				if err := need(bot.RoleCoordinator); err != nil {
					return nil, err
				}
				return newProject(ctx, d, ev, rest)
			case "open":
				if err := need(bot.RoleCoordinator); err != nil {
					return nil, err
				}
				return openProject(ctx, d, ev, rest)
			case "status", "show":
				return withProject(ctx, d, ev, rest, func(p bot.Project, _ []string) ([]bot.Message, error) {
					return projectStatus(ctx, d, p)
				})
			case "milestone", "task":
				if err := need(bot.RoleCoordinator); err != nil {
					return nil, err
				}
				return withProject(ctx, d, ev, rest, func(p bot.Project, a []string) ([]bot.Message, error) {
					return addMilestone(ctx, d, ev, p, a)
				})
			case "progress":
				return withProject(ctx, d, ev, rest, func(p bot.Project, a []string) ([]bot.Message, error) {
					return setProgress(ctx, d, ev, p, a)
				})
			case "disruption":
				if err := need(bot.RoleCoordinator); err != nil {
					return nil, err
				}
				return withProject(ctx, d, ev, rest, func(p bot.Project, a []string) ([]bot.Message, error) {
					return addDisruption(ctx, d, ev, p, a)
				})
			case "oos":
				if err := need(bot.RoleCoordinator); err != nil {
					return nil, err
				}
				return withProject(ctx, d, ev, rest, func(p bot.Project, a []string) ([]bot.Message, error) {
					return addOOS(ctx, d, ev, p, a)
				})
			case "oos-export":
				if err := need(bot.RoleCoordinator); err != nil {
					return nil, err
				}
				return withProject(ctx, d, ev, rest, func(p bot.Project, _ []string) ([]bot.Message, error) {
					return exportOOS(ctx, d, p)
				})
			case "oos-invoiced":
				if err := need(bot.RoleCoordinator); err != nil {
					return nil, err
				}
				return withProject(ctx, d, ev, rest, func(p bot.Project, a []string) ([]bot.Message, error) {
					return invoiceOOS(ctx, d, ev, p, a)
				})
			case "set":
				if err := need(bot.RoleCoordinator); err != nil {
					return nil, err
				}
				return withProject(ctx, d, ev, rest, func(p bot.Project, a []string) ([]bot.Message, error) {
					return setProject(ctx, d, ev, p, a)
				})
			case "update":
				return withProject(ctx, d, ev, rest, func(p bot.Project, a []string) ([]bot.Message, error) {
					return weeklyUpdate(ctx, d, ev, p, a)
				})
			case "close":
				if err := need(bot.RoleCoordinator); err != nil {
					return nil, err
				}
				return withProject(ctx, d, ev, rest, func(p bot.Project, a []string) ([]bot.Message, error) {
					return closeProject(ctx, d, ev, p, a)
				})
			case "tick":
				return withProject(ctx, d, ev, rest, func(p bot.Project, a []string) ([]bot.Message, error) {
					return tickItem(ctx, d, ev, p, a)
				})
			case "waive":
				if err := need(bot.RoleCoordinator); err != nil {
					return nil, err
				}
				return withProject(ctx, d, ev, rest, func(p bot.Project, a []string) ([]bot.Message, error) {
					return waiveItem(ctx, d, ev, p, a)
				})
			case "rate":
				if err := need(bot.RoleCoordinator); err != nil {
					return nil, err
				}
				return withProject(ctx, d, ev, rest, func(p bot.Project, a []string) ([]bot.Message, error) {
					return rateProject(ctx, d, ev, p, a)
				})
			}
			if _, err := parseProjectRef(sub); err == nil {
				return withProject(ctx, d, ev, args, func(p bot.Project, _ []string) ([]bot.Message, error) {
					return projectStatus(ctx, d, p)
				})
			}
			return nil, bot.Errorf(bot.EInvalid, "/project %s is not something I can do; use %s", args[0], projectUsage)
		},
	}
}

// withProject reads the project the first argument names, if the caller may see
// it (a client only their own client's), and runs fn with the remaining arguments.
func withProject(ctx context.Context, d Deps, ev bot.Event, args []string, fn func(bot.Project, []string) ([]bot.Message, error)) ([]bot.Message, error) {
	if len(args) == 0 {
		return nil, bot.Errorf(bot.EInvalid, "say which project, e.g. P12 (/project lists them)")
	}
	n, err := parseProjectRef(args[0])
	if err != nil {
		return nil, err
	}
	p, err := d.Store.ProjectByNumber(ctx, ev.Caller.WorkspaceID, n)
	if err == nil && ev.Caller.Role == bot.RoleClient && !sameClient(&p.ClientID, ev.Caller.ClientID) {
		err = fmt.Errorf("another client's project: %w", bot.Errorf(bot.ENotFound, "not yours"))
	}
	if err != nil {
		return nil, notFoundAs(err, "there is no project P%d here; /project lists them", n)
	}
	return fn(p, args[1:])
}

// projectToday is today's date in the project coordinator's timezone.
func projectToday(d Deps, p bot.Project) time.Time {
	y, m, dd := d.Clock.Now().In(projects.Location(p, d.Location)).Date()
	return time.Date(y, m, dd, 0, 0, 0, 0, time.UTC)
}

func (d Deps) projectService() *projects.Service {
	return &projects.Service{Store: d.Store, Senders: d.Senders, Clock: d.Clock, Location: d.Location, Log: d.Log,
		Chart: d.ProjectChart}
}

func listProjects(ctx context.Context, d Deps, ev bot.Event) ([]bot.Message, error) {
	var clientID *int64
	if ev.Caller.Role == bot.RoleClient {
		clientID = ev.Caller.ClientID
	}
	list, err := d.Store.ListProjects(ctx, ev.Caller.WorkspaceID, clientID)
	if err != nil {
		return nil, err
	}
	if len(list) == 0 && ev.Caller.Role == bot.RoleClient {
		// Clients cannot open projects; do not tell them how.
		return reply("No running projects for " + ev.Caller.ClientCode + "."), nil
	}
	if len(list) == 0 {
		return reply(`No running projects. Open one with /project new CLIENT "name" --start 2026-12-01 --end 2027-01-31 --budget 120h, or /project open #1002 from a project request.`), nil
	}
	var b strings.Builder
	for _, p := range list {
		fmt.Fprintf(&b, "%-4s %-8s %-8s %s (coordinator %s, ends %s)\n", p.Ref(), p.ClientCode, p.Status, p.Name,
			p.CoordinatorName, p.End.Format("2 Jan 2006"))
	}
	return []bot.Message{{Title: fmt.Sprintf("%d running %s", len(list), plural(len(list), "project", "projects")), Text: strings.TrimRight(b.String(), "\n"), Ephemeral: true}}, nil
}

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
	p, err := d.Store.CreateProject(ctx, in, ev.Caller.ID)
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
		msgs = append(msgs, lessonsMessage("Lessons from similar projects", similar))
	}
	return msgs, nil
}

func budgetText(p bot.Project) string {
	if p.BudgetMinutes == 0 {
		return "not set"
	}
	return projects.Hours(p.BudgetMinutes)
}

func projectStatus(ctx context.Context, d Deps, p bot.Project) ([]bot.Message, error) {
	svc := d.projectService()
	r, err := svc.Gather(ctx, p, d.Clock.Now())
	if err != nil {
		return nil, err
	}
	h := r.Health
	m := bot.Message{Title: fmt.Sprintf("%s %s (%s) — %s", p.Ref(), p.Name, p.ClientCode, p.Status), Ephemeral: true}
	budget := fmt.Sprintf("%s logged, no budget set (/project set %s --budget 120h)", projects.Hours(h.Minutes), p.Ref())
	if p.BudgetMinutes > 0 {
		budget = fmt.Sprintf("%s — %s of %s (%d%%), plan to date %s", h.Budget, projects.Hours(h.Minutes),
			projects.Hours(p.BudgetMinutes), h.Minutes*100/p.BudgetMinutes, projects.Hours(h.PlannedMinutes))
	}
	m.Fields = []bot.Field{
		{Label: "Schedule", Value: fmt.Sprintf("%s — %d%% complete, %d%% of the time gone, ends %s", h.Schedule, h.Percent,
			int(h.Elapsed*100+0.5), p.End.Format("Mon 2 Jan 2006"))},
		{Label: "Budget", Value: budget},
	}
	next := "none — add one with /project milestone " + p.Ref() + ` "name" 2026-12-10`
	if h.Next != nil {
		next = fmt.Sprintf("%s due %s (%d%%)", h.Next.Name, h.Next.Due.Format("Mon 2 Jan"), h.Next.Percent)
	} else if len(r.Milestones) > 0 {
		next = "all milestones done"
	}
	m.Fields = append(m.Fields, bot.Field{Label: "Next milestone", Value: next})
	for _, ms := range h.Overdue {
		m.Fields = append(m.Fields, bot.Field{Label: "Overdue", Value: fmt.Sprintf("%s was due %s (%d%%)", ms.Name, ms.Due.Format("Mon 2 Jan"), ms.Percent)})
	}
	open, openMin := 0, 0
	for _, o := range r.OOS {
		if o.InvoicedAt == nil {
			open++
			openMin += o.Minutes
		}
	}
	m.Fields = append(m.Fields, bot.Field{Label: "Open out-of-scope", Value: fmt.Sprintf("%d %s, %s not invoiced", open, plural(open, "item", "items"), projects.Hours(openMin))})
	var ms []string
	for _, x := range r.Milestones {
		ms = append(ms, fmt.Sprintf("%s %d%% (due %s)", x.Name, x.Percent, x.Due.Format("2 Jan")))
	}
	if len(ms) > 0 {
		m.Fields = append(m.Fields, bot.Field{Label: "Milestones", Value: strings.Join(ms, "; ")})
	}
	for _, dis := range r.Disruptions {
		m.Fields = append(m.Fields, bot.Field{Label: "Disruption", Value: fmt.Sprintf("%s %s: %s", dis.Day.Format("Mon 2 Jan"), dis.Window(), dis.Impact)})
	}
	m.Fields = append(m.Fields, bot.Field{Label: "Coordinator", Value: fmt.Sprintf("%s; updates %s %s %s to %s", p.CoordinatorName,
		p.UpdateWeekday, bot.ClockTime(p.UpdateMinute), projects.Location(p, d.Location), firstNonEmpty(p.Channel, "no channel set"))})
	return []bot.Message{m}, nil
}

func addMilestone(ctx context.Context, d Deps, ev bot.Event, p bot.Project, args []string) ([]bot.Message, error) {
	if len(args) != 2 || strings.TrimSpace(args[0]) == "" {
		return nil, bot.Errorf(bot.EInvalid, `use /project milestone %s "milestone name" 2026-12-10`, p.Ref())
	}
	due, err := parseDate(args[1], projectToday(d, p))
	if err != nil {
		return nil, err
	}
	if err := running(p); err != nil {
		return nil, err
	}
	m, err := d.Store.AddMilestone(ctx, p.ID, strings.TrimSpace(args[0]), due)
	if bot.ErrorCode(err) == bot.EConflict {
		return nil, bot.Errorf(bot.EConflict, "%s already has a milestone %q", p.Ref(), args[0])
	}
	if err != nil {
		return nil, err
	}
	text := fmt.Sprintf("%s: milestone %q due %s. Report progress with /project progress %s %q 50%%", p.Ref(), m.Name,
		m.Due.Format("Mon 2 Jan 2006"), p.Ref(), m.Name)
	if due.After(p.End) {
		text += fmt.Sprintf("\nNote: that is after the project's end date, %s.", p.End.Format("2 Jan 2006"))
	}
	return []bot.Message{{Text: text}}, nil
}

func running(p bot.Project) error {
	if p.Status == bot.ProjectClosed {
		return bot.Errorf(bot.EConflict, "%s is closed", p.Ref())
	}
	return nil
}

func setProgress(ctx context.Context, d Deps, ev bot.Event, p bot.Project, args []string) ([]bot.Message, error) {
	if len(args) < 2 {
		return nil, bot.Errorf(bot.EInvalid, `use /project progress %s "milestone name" 60%%`, p.Ref())
	}
	pct, err := parsePercent(args[len(args)-1])
	if err != nil {
		return nil, err
	}
	if err := running(p); err != nil {
		return nil, err
	}
	name := strings.Join(args[:len(args)-1], " ")
	m, from, err := d.Store.SetMilestoneProgress(ctx, p.ID, name, pct, ev.Caller.ID, d.Clock.Now())
	if err != nil {
		return nil, notFoundAs(err, "%s has no milestone %q; /project status %s lists them", p.Ref(), name, p.Ref())
	}
	text := fmt.Sprintf("%s %s: %d%% → %d%%", p.Ref(), m.Name, from, m.Percent)
	if m.Percent == 100 {
		text += " — done"
	}
	return []bot.Message{{Text: text}}, nil
}

func addDisruption(ctx context.Context, d Deps, ev bot.Event, p bot.Project, args []string) ([]bot.Message, error) {
	if len(args) != 3 || strings.TrimSpace(args[2]) == "" {
		return nil, bot.Errorf(bot.EInvalid, `use /project disruption %s 2026-12-05 18:00-22:00 "what the client will notice"`, p.Ref())
	}
	today := projectToday(d, p)
	on, err := parseDate(args[0], today)
	if err != nil {
		return nil, err
	}
	starts, ends, err := parseWindow(args[1])
	if err != nil {
		return nil, err
	}
	if on.Before(today) {
		return nil, bot.Errorf(bot.EInvalid, "%s is in the past; planned disruptions are for dates to come", args[0])
	}
	if err := running(p); err != nil {
		return nil, err
	}
	dis, err := d.Store.AddDisruption(ctx, bot.Disruption{ProjectID: p.ID, Day: on, Starts: starts, Ends: ends, Impact: strings.TrimSpace(args[2])}, ev.Caller.ID)
	if err != nil {
		return nil, err
	}
	return []bot.Message{{Text: fmt.Sprintf("%s: disruption planned %s %s (%s time) — %s. It will be in the weekly client updates until it has passed.",
		p.Ref(), dis.Day.Format("Mon 2 Jan 2006"), dis.Window(), projects.Location(p, d.Location), dis.Impact)}}, nil
}

func addOOS(ctx context.Context, d Deps, ev bot.Event, p bot.Project, args []string) ([]bot.Message, error) {
	pos, flags, err := splitFlags(args, "approved-by")
	if err != nil {
		return nil, err
	}
	if len(pos) != 2 || strings.TrimSpace(pos[1]) == "" {
		return nil, bot.Errorf(bot.EInvalid, `use /project oos %s 6h "what was done" --approved-by client`, p.Ref())
	}
	minutes, err := parseDuration(pos[0])
	if err != nil {
		return nil, err
	}
	if err := running(p); err != nil {
		return nil, err
	}
	it, err := d.Store.AddOOS(ctx, bot.OOSItem{ProjectID: p.ID, Minutes: minutes, Description: strings.TrimSpace(pos[1]),
		ApprovedBy: strings.TrimSpace(flags["approved-by"])}, ev.Caller.ID)
	if err != nil {
		return nil, err
	}
	approval := "approved by " + it.ApprovedBy
	if it.ApprovedBy == "" {
		approval = "not approved yet: the weekly update asks the client to approve it"
	}
	return []bot.Message{{Text: fmt.Sprintf("%s out-of-scope item %d: %s, %s — %s. Billed separately; /project oos-export %s for billing.",
		p.Ref(), it.Number, it.Description, projects.Hours(it.Minutes), approval, p.Ref())}}, nil
}

// csvCell keeps a cell from being read as a formula by a spreadsheet.
func csvCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

func exportOOS(ctx context.Context, d Deps, p bot.Project) ([]bot.Message, error) {
	items, err := d.Store.OOSItems(ctx, p.ID)
	if err != nil {
		return nil, err
	}
	if len(items) == 0 {
		return reply(fmt.Sprintf("%s has no out-of-scope items. Record one with /project oos %s 6h \"what\" --approved-by client", p.Ref(), p.Ref())), nil
	}
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.Write([]string{"project", "client", "item", "date", "hours", "description", "approved_by", "recorded_by", "invoiced"})
	open := 0
	for _, it := range items {
		invoiced := ""
		if it.InvoicedAt != nil {
			invoiced = it.InvoicedAt.Format("2006-01-02")
		} else {
			open++
		}
		w.Write([]string{p.Ref(), csvCell(p.ClientCode), strconv.Itoa(it.Number), it.CreatedAt.Format("2006-01-02"),
			strconv.FormatFloat(float64(it.Minutes)/60, 'f', 2, 64), csvCell(it.Description), csvCell(it.ApprovedBy),
			csvCell(it.CreatedBy), invoiced})
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return nil, fmt.Errorf("oos csv: %w", err)
	}
	return []bot.Message{{
		Text:        fmt.Sprintf("%s out-of-scope items: %d, %d not invoiced yet. Mark one invoiced with /project oos-invoiced %s <item>.", p.Ref(), len(items), open, p.Ref()),
		Ephemeral:   true,
		Attachments: []bot.Attachment{{Name: fmt.Sprintf("%s-%s-out-of-scope.csv", p.ClientCode, p.Ref()), ContentType: "text/csv", Data: buf.Bytes()}},
	}}, nil
}

func invoiceOOS(ctx context.Context, d Deps, ev bot.Event, p bot.Project, args []string) ([]bot.Message, error) {
	if len(args) != 1 {
		return nil, bot.Errorf(bot.EInvalid, "use /project oos-invoiced %s <item number> (/project oos-export %s lists them)", p.Ref(), p.Ref())
	}
	n, err := strconv.Atoi(strings.TrimPrefix(args[0], "#"))
	if err != nil || n <= 0 {
		return nil, bot.Errorf(bot.EInvalid, "%q is not an item number; /project oos-export %s lists them", args[0], p.Ref())
	}
	it, err := d.Store.MarkOOSInvoiced(ctx, p.ID, n, ev.Caller.ID, d.Clock.Now())
	if bot.ErrorCode(err) == bot.EConflict {
		return nil, bot.Errorf(bot.EConflict, "%s out-of-scope item %d is already invoiced", p.Ref(), n)
	}
	if err != nil {
		return nil, notFoundAs(err, "%s has no out-of-scope item %d; /project oos-export %s lists them", p.Ref(), n, p.Ref())
	}
	return []bot.Message{{Text: fmt.Sprintf("%s out-of-scope item %d (%s, %s) is invoiced.", p.Ref(), it.Number, it.Description, projects.Hours(it.Minutes))}}, nil
}

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

// findUpdate reads the update a week argument names, else the project's latest.
func findUpdate(ctx context.Context, d Deps, p bot.Project, args []string) (bot.WeeklyUpdate, []string, error) {
	if len(args) > 0 {
		if y, w, ok := parseISOWeek(args[0]); ok {
			u, err := d.Store.WeeklyUpdateFor(ctx, p.ID, y, w)
			return u, args[1:], notFoundAs(err, "%s has no update for %s", p.Ref(), args[0])
		}
	}
	u, err := d.Store.LatestWeeklyUpdate(ctx, p.ID, false)
	return u, args, notFoundAs(err, "%s has no weekly update yet; draft one with /project update %s", p.Ref(), p.Ref())
}

func weeklyUpdate(ctx context.Context, d Deps, ev bot.Event, p bot.Project, args []string) ([]bot.Message, error) {
	if ev.Caller.Role == bot.RoleClient {
		// Clients see only what was approved and posted.
		u, err := d.Store.LatestWeeklyUpdate(ctx, p.ID, true)
		if err != nil {
			return nil, notFoundAs(err, "no update for %s has been posted yet", p.Ref())
		}
		m := projects.ClientMessage(p, u)
		m.Ephemeral = true
		return []bot.Message{m}, nil
	}
	if !ev.Caller.Role.AtLeast(bot.RoleCoordinator) {
		return nil, bot.Errorf(bot.EForbidden, "weekly client updates are drafted and approved by coordinators; ask %s", p.CoordinatorName)
	}
	svc := d.projectService()
	action := ""
	if len(args) > 0 {
		action, args = strings.ToLower(args[0]), args[1:]
	}
	switch action {
	case "", "draft", "show":
		if err := running(p); err != nil && action != "show" {
			return nil, err
		}
		u, created, err := svc.Draft(ctx, p, d.Clock.Now(), true)
		if err != nil {
			return nil, err
		}
		switch {
		case u.Status == bot.UpdateDrafted:
			intro := ""
			if !created {
				intro = "This week's draft (already made):"
			}
			return []bot.Message{projects.DraftMessage(p, u, intro)}, nil
		case u.Status == bot.UpdatePosted:
			loc := d.location(ev.Caller.Person)
			return reply(fmt.Sprintf("%s's update for %s was approved by %s and posted %s.", p.Ref(), u.Week(), u.ApprovedBy,
				u.PostedAt.In(loc).Format("Mon 2 Jan 15:04 MST"))), nil
		case u.Status == bot.UpdateApproved:
			return reply(fmt.Sprintf("%s's update for %s is approved and waiting for a client channel: /project set %s --channel #client-channel", p.Ref(), u.Week(), p.Ref())), nil
		default:
			return reply(fmt.Sprintf("%s's update for %s was skipped; the next one is drafted next week.", p.Ref(), u.Week())), nil
		}
	case "approve":
		u, _, err := findUpdate(ctx, d, p, args)
		if err != nil {
			return nil, err
		}
		u, posted, err := svc.Approve(ctx, p, u.ID, ev.Caller.ID)
		if err == projects.ErrNoChannel {
			return reply(fmt.Sprintf("Approved %s's update for %s, but %s has no client channel: /project set %s --channel #client-channel and it is posted within a minute.",
				p.Ref(), u.Week(), p.Ref(), p.Ref())), nil
		}
		if err != nil {
			return nil, err
		}
		if !posted {
			return reply(fmt.Sprintf("Approved %s's update for %s; it is being posted.", p.Ref(), u.Week())), nil
		}
		return []bot.Message{{Text: fmt.Sprintf("Approved by %s and posted %s's update for %s to %s's channel.", ev.Caller.Name, p.Ref(), u.Week(), p.ClientCode)}}, nil
	case "skip":
		u, rest, err := findUpdate(ctx, d, p, args)
		if err != nil {
			return nil, err
		}
		u, err = d.Store.SkipWeeklyUpdate(ctx, u.ID, ev.Caller.ID, d.Clock.Now(), strings.Join(rest, " "))
		if err != nil {
			return nil, err
		}
		return reply(fmt.Sprintf("Skipped %s's update for %s: nothing goes to %s this week.", p.Ref(), u.Week(), p.ClientCode)), nil
	case "edit":
		u, rest, err := findUpdate(ctx, d, p, args)
		if err != nil {
			return nil, err
		}
		text := strings.TrimSpace(strings.Join(rest, " "))
		if text == "" {
			if u.Status != bot.UpdateDrafted {
				return nil, bot.Errorf(bot.EConflict, "the update for %s is already %s", u.Week(), u.Status)
			}
			return []bot.Message{{Title: fmt.Sprintf("Edit %s's update for %s", p.Ref(), u.Week()), Ephemeral: true,
				Text: fmt.Sprintf("Copy the text, change it, and send it back as one quoted argument:\n/project update %s edit %s \"…\"\n\n%s", p.Ref(), u.Week(), u.Body)}}, nil
		}
		u, err = d.Store.EditWeeklyUpdate(ctx, u.ID, ev.Caller.ID, d.Clock.Now(), text)
		if err != nil {
			return nil, err
		}
		return []bot.Message{projects.DraftMessage(p, u, fmt.Sprintf("Edited by %s (edit %d). Approve to post it:", ev.Caller.Name, u.EditCount))}, nil
	}
	return nil, bot.Errorf(bot.EInvalid, `use /project update %s [approve|skip|edit ["new text"]]`, p.Ref())
}

// checklistMessage shows the closeout checklist with a button per open item.
func checklistMessage(p bot.Project, items []bot.CloseoutItem, intro string) bot.Message {
	m := bot.Message{Title: fmt.Sprintf("Closeout of %s %s (%s)", p.Ref(), p.Name, p.ClientCode), Text: intro}
	open := 0
	for _, it := range items {
		v := "open — " + tickHint(p, it.Item)
		switch {
		case it.DoneAt != nil:
			v = "done by " + it.DoneBy
			if it.Note != "" {
				v += " (" + it.Note + ")"
			}
		case it.WaivedAt != nil:
			v = fmt.Sprintf("waived by %s: %s", it.WaivedBy, it.WaivedReason)
		default:
			open++
			m.Actions = append(m.Actions, bot.Action{ID: "project.tick." + it.Item, Label: "✓ " + bot.CloseoutLabels[it.Item],
				Value: p.Ref() + " " + it.Item, Command: "/project tick " + p.Ref() + " " + it.Item})
		}
		m.Fields = append(m.Fields, bot.Field{Label: fmt.Sprintf("%s (%s)", bot.CloseoutLabels[it.Item], it.Item), Value: v})
	}
	if open == 0 {
		m.Text = strings.TrimSpace(m.Text + fmt.Sprintf("\nEverything is done or waived: /project close %s to close it.", p.Ref()))
		m.Actions = []bot.Action{{ID: "project.close", Label: "Close " + p.Ref(), Value: p.Ref(), Style: "primary", Command: "/project close " + p.Ref()}}
	}
	return m
}

func tickHint(p bot.Project, item string) string {
	switch item {
	case "signoff":
		if p.SupportLead != "" {
			return p.SupportLead + " (support lead) ticks it"
		}
		return "name the support lead: /project set " + p.Ref() + " --lead @name"
	case "acceptance":
		return "a " + p.ClientCode + " user, or the coordinator recording who accepted"
	case "docs":
		return "any tech"
	default:
		return "a coordinator"
	}
}

func closeProject(ctx context.Context, d Deps, ev bot.Event, p bot.Project, args []string) ([]bot.Message, error) {
	pos, flags, err := splitFlags(args, "lead")
	if err != nil {
		return nil, err
	}
	if len(pos) > 0 {
		return nil, bot.Errorf(bot.EInvalid, "use /project close %s [--lead @support-lead]", p.Ref())
	}
	if len(flags) > 0 {
		if err := applyProjectFlags(ctx, d, ev, &p, flags, projectToday(d, p)); err != nil {
			return nil, err
		}
		if p, err = d.Store.UpdateProject(ctx, p); err != nil {
			return nil, err
		}
	}
	now := d.Clock.Now()
	switch p.Status {
	case bot.ProjectClosed:
		return nil, bot.Errorf(bot.EConflict, "%s was closed on %s", p.Ref(), p.ClosedAt.Format("2 Jan 2006"))
	case bot.ProjectActive:
		if _, err := d.Store.StartCloseout(ctx, p.ID, now); err != nil {
			return nil, err
		}
		items, err := d.Store.CloseoutChecklist(ctx, p.ID)
		if err != nil {
			return nil, err
		}
		asked, failed, err := d.projectService().AskForLessons(ctx, p)
		if err != nil {
			return nil, err
		}
		intro := fmt.Sprintf("%s is in closeout. It closes when every item below is done or waived (/project waive %s <item> \"reason\").", p.Ref(), p.Ref())
		if len(asked) > 0 {
			intro += "\nAsked privately for lessons learned / the rating: " + strings.Join(asked, ", ") + "."
		}
		if len(failed) > 0 {
			intro += "\nCould not reach " + strings.Join(failed, ", ") + fmt.Sprintf(": ask them to run /lessons add %s \"went well\" \"do differently\".", p.Ref())
		}
		p.Status = bot.ProjectClosing
		return []bot.Message{checklistMessage(p, items, intro)}, nil
	}
	err = d.Store.FinishProject(ctx, p.ID, now)
	if bot.ErrorCode(err) == bot.EConflict {
		items, lerr := d.Store.CloseoutChecklist(ctx, p.ID)
		if lerr != nil {
			return nil, lerr
		}
		m := checklistMessage(p, items, "Not closed: "+bot.ErrorMessage(err)+".")
		m.IsError, m.Ephemeral = true, true
		return []bot.Message{m}, nil
	}
	if err != nil {
		return nil, err
	}
	text := fmt.Sprintf("%s %s is closed.", p.Ref(), p.Name)
	if _, err := d.Store.ProjectRating(ctx, p.ID); bot.ErrorCode(err) == bot.ENotFound {
		text += fmt.Sprintf(" It has no execution rating yet: /project rate %s 1-5 \"why\".", p.Ref())
	}
	return []bot.Message{{Text: text}}, nil
}

// closeoutItem reads an item name: a key or the start of its label.
func closeoutItem(p bot.Project, s string) (string, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	for _, it := range bot.CloseoutItems {
		if s == it || (len(s) >= 3 && strings.HasPrefix(bot.CloseoutLabels[it], s)) {
			return it, nil
		}
	}
	return "", bot.Errorf(bot.EInvalid, "%q is not a closeout item; the items are %s", s, strings.Join(bot.CloseoutItems, ", "))
}

func tickItem(ctx context.Context, d Deps, ev bot.Event, p bot.Project, args []string) ([]bot.Message, error) {
	if len(args) == 0 {
		return nil, bot.Errorf(bot.EInvalid, "use /project tick %s docs|signoff|acceptance|time|oos [note]", p.Ref())
	}
	item, err := closeoutItem(p, args[0])
	if err != nil {
		return nil, err
	}
	note := strings.TrimSpace(strings.Join(args[1:], " "))
	role := ev.Caller.Role
	switch item {
	case "docs":
		if !role.AtLeast(bot.RoleTech) {
			return nil, bot.Errorf(bot.EForbidden, "the documentation is ticked off by the MSP's staff")
		}
	case "signoff":
		switch {
		case p.SupportLeadID == nil:
			return nil, bot.Errorf(bot.EInvalid, "no support lead is named for %s; a coordinator names one with /project set %s --lead @name", p.Ref(), p.Ref())
		case *p.SupportLeadID != ev.Caller.ID:
			return nil, bot.Errorf(bot.EForbidden, "the support team's sign-off is %s's to give, as the named support lead", p.SupportLead)
		}
	case "acceptance":
		switch {
		case role == bot.RoleClient:
			note = strings.TrimSpace("accepted by " + ev.Caller.Name + " for " + p.ClientCode + ". " + note)
		case role.AtLeast(bot.RoleCoordinator):
			if note == "" {
				return nil, bot.Errorf(bot.EInvalid, `say who accepted for %s and how: /project tick %s acceptance "Jane Doe, by email 2 Feb"`, p.ClientCode, p.Ref())
			}
			note = "recorded: " + note
		default:
			return nil, bot.Errorf(bot.EForbidden, "client acceptance comes from %s or is recorded by the coordinator", p.ClientCode)
		}
	case "time", "oos":
		if !role.AtLeast(bot.RoleCoordinator) {
			return nil, bot.Errorf(bot.EForbidden, "%q is ticked by a coordinator", bot.CloseoutLabels[item])
		}
	}
	if item == "oos" {
		items, err := d.Store.OOSItems(ctx, p.ID)
		if err != nil {
			return nil, err
		}
		var open []string
		for _, it := range items {
			if it.InvoicedAt == nil {
				open = append(open, strconv.Itoa(it.Number))
			}
		}
		if len(open) > 0 {
			which := "item " + open[0] + " is"
			if len(open) > 1 {
				which = "items " + strings.Join(open, ", ") + " are"
			}
			return nil, bot.Errorf(bot.EConflict, "out-of-scope %s not invoiced: /project oos-invoiced %s <item> for each, or waive with a reason",
				which, p.Ref())
		}
	}
	if p.Status != bot.ProjectClosing {
		return nil, bot.Errorf(bot.EConflict, "%s is not in closeout; a coordinator starts it with /project close %s", p.Ref(), p.Ref())
	}
	if err := d.Store.TickCloseout(ctx, p.ID, item, ev.Caller.ID, d.Clock.Now(), note); err != nil {
		return nil, err
	}
	items, err := d.Store.CloseoutChecklist(ctx, p.ID)
	if err != nil {
		return nil, err
	}
	return []bot.Message{checklistMessage(p, items, fmt.Sprintf("%s ticked %q.", ev.Caller.Name, bot.CloseoutLabels[item]))}, nil
}

func waiveItem(ctx context.Context, d Deps, ev bot.Event, p bot.Project, args []string) ([]bot.Message, error) {
	if len(args) < 2 {
		return nil, bot.Errorf(bot.EInvalid, `use /project waive %s <item> "reason" (a reason is required)`, p.Ref())
	}
	item, err := closeoutItem(p, args[0])
	if err != nil {
		return nil, err
	}
	reason := strings.TrimSpace(strings.Join(args[1:], " "))
	if reason == "" {
		return nil, bot.Errorf(bot.EInvalid, "a waiver needs a reason")
	}
	if p.Status != bot.ProjectClosing {
		return nil, bot.Errorf(bot.EConflict, "%s is not in closeout; start it with /project close %s", p.Ref(), p.Ref())
	}
	if err := d.Store.WaiveCloseout(ctx, p.ID, item, ev.Caller.ID, d.Clock.Now(), reason); err != nil {
		return nil, err
	}
	items, err := d.Store.CloseoutChecklist(ctx, p.ID)
	if err != nil {
		return nil, err
	}
	return []bot.Message{checklistMessage(p, items, fmt.Sprintf("%s waived %q: %s", ev.Caller.Name, bot.CloseoutLabels[item], reason))}, nil
}

func rateProject(ctx context.Context, d Deps, ev bot.Event, p bot.Project, args []string) ([]bot.Message, error) {
	usage := bot.Errorf(bot.EInvalid, `use /project rate %s 1-5 "why", e.g. /project rate %s 4 "on time, one weekend overrun"`, p.Ref(), p.Ref())
	if len(args) < 2 {
		return nil, usage
	}
	n, err := strconv.Atoi(args[0])
	if err != nil || n < 1 || n > 5 {
		return nil, usage
	}
	reason := strings.TrimSpace(strings.Join(args[1:], " "))
	if reason == "" {
		return nil, usage
	}
	if p.Status == bot.ProjectActive {
		return nil, bot.Errorf(bot.EConflict, "%s is still running; rate it at closeout (/project close %s)", p.Ref(), p.Ref())
	}
	if err := d.Store.RateProject(ctx, p.ID, n, reason, ev.Caller.ID, d.Clock.Now()); err != nil {
		return nil, err
	}
	return []bot.Message{{Text: fmt.Sprintf("%s rated %d/5 by %s: %s", p.Ref(), n, ev.Caller.Name, reason)}}, nil
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
