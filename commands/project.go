package commands

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/mspbot/mspbot/bot"
	"github.com/mspbot/mspbot/projects"
)

type projectStore interface {
	projects.Store
	CreateProject(ctx context.Context, in bot.Project, createdBy int64) (bot.Project, error)
	ProjectByNumber(ctx context.Context, workspaceID int64, n int) (bot.Project, error)
	ProjectByRequest(ctx context.Context, requestID int64) (bot.Project, error)
	UpdateProject(ctx context.Context, in bot.Project) (bot.Project, error)
	UpdateProjectOnce(ctx context.Context, in bot.Project, key string) (bot.Project, error)
	ListProjects(ctx context.Context, workspaceID int64, clientID *int64) ([]bot.Project, error)
	AddMilestoneOnce(ctx context.Context, projectID int64, name string, due time.Time, key string) (bot.Milestone, error)
	SetMilestoneProgressOnce(ctx context.Context, projectID int64, name string, percent int, by int64, at time.Time, key string) (bot.Milestone, int, error)
	AddDisruptionOnce(ctx context.Context, d bot.Disruption, by int64, key string) (bot.Disruption, error)
	AddOOS(ctx context.Context, it bot.OOSItem, by int64) (bot.OOSItem, error)
	MarkOOSInvoicedOnce(ctx context.Context, projectID int64, number int, by int64, at time.Time, key string) (bot.OOSItem, error)
	LatestWeeklyUpdate(ctx context.Context, projectID int64, postedOnly bool) (bot.WeeklyUpdate, error)
	EditWeeklyUpdateOnce(ctx context.Context, id, by int64, at time.Time, text, key string) (bot.WeeklyUpdate, int, error)
	SkipWeeklyUpdateOnce(ctx context.Context, id, by int64, at time.Time, reason, key string) (bot.WeeklyUpdate, error)
	StartCloseoutOnce(ctx context.Context, projectID int64, at time.Time, key string, asks bot.Owed) (bool, error)
	CloseoutChecklist(ctx context.Context, projectID int64) ([]bot.CloseoutItem, error)
	TickCloseoutOnce(ctx context.Context, projectID int64, item string, by int64, at time.Time, note, key string) error
	WaiveCloseoutOnce(ctx context.Context, projectID int64, item string, by int64, at time.Time, reason, key string) error
	FinishProjectOnce(ctx context.Context, projectID int64, at time.Time, key string) error
	DeliveryRefused(ctx context.Context, workspaceID int64, key string) (bool, error)
	DeliveryAnswered(ctx context.Context, workspaceID int64, key string) (bool, error)
	RateProjectOnce(ctx context.Context, projectID int64, rating int, reason string, by int64, at time.Time, key string) error
	ProjectRating(ctx context.Context, projectID int64) (bot.Rating, error)
	lessonStore
}

// projectUsage is what /project says when the words do not fit.
const projectUsage = `/project new CLIENT "name" --start 2026-12-01 --end 2027-01-31 --budget 120h [--channel #acme] | ` +
	`/project open #1002 | /project [P12] | /project status|milestone|progress|disruption|oos|oos-export|oos-invoiced|update|set|close|tick|waive|rate P12 …`

func projectCommand(d Deps) bot.Command {
	// on runs fn on the project the Router already resolved and checked.
	on := func(fn func(ctx context.Context, ev bot.Event, p bot.Project, args []string) ([]bot.Message, error)) bot.Handler {
		return func(ctx context.Context, ev bot.Event) ([]bot.Message, error) {
			args, err := bot.SplitArgs(ev.Args)
			if err != nil {
				return nil, err
			}
			return withProject(ctx, d, ev, args, func(p bot.Project, rest []string) ([]bot.Message, error) {
				return fn(ctx, ev, p, rest)
			})
		}
	}
	words := func(fn func(ctx context.Context, d Deps, ev bot.Event, args []string) ([]bot.Message, error)) bot.Handler {
		return func(ctx context.Context, ev bot.Event) ([]bot.Message, error) {
			args, err := bot.SplitArgs(ev.Args)
			if err != nil {
				return nil, err
			}
			return fn(ctx, d, ev, args)
		}
	}
	ref := bot.Arg{Name: "project", Kind: bot.ArgProject, Help: "the project, e.g. P12", Required: true}
	text := func(name, help string, required bool) bot.Arg {
		return bot.Arg{Name: name, Kind: bot.ArgText, Help: help, Required: required}
	}
	// quoted text is one argument to its handler, even when it comes last.
	quoted := func(name, help string) bot.Arg {
		return bot.Arg{Name: name, Kind: bot.ArgText, Help: help, Required: true, Quoted: true}
	}
	status := on(func(ctx context.Context, ev bot.Event, p bot.Project, _ []string) ([]bot.Message, error) {
		return projectStatus(ctx, d, p)
	})
	return bot.Command{
		Name:    "project",
		Usage:   "/project new|open|status|milestone|progress|disruption|oos|update|close|tick|waive|rate …",
		Summary: "run projects: status, milestones, disruptions, out-of-scope work, client updates, closeout",
		MinRole: bot.RoleClient,
		Handler: func(ctx context.Context, ev bot.Event) ([]bot.Message, error) {
			return nil, bot.Errorf(bot.EInvalid, "/project %s is not something I can do; use %s", ev.Args, projectUsage)
		},
		Subs: []bot.Subcommand{
			{Name: "list", Usage: "/project list", Summary: "running projects (a client sees their own)", MinRole: bot.RoleClient,
				Match:   func(args string) bool { return strings.TrimSpace(args) == "" },
				Args:    []bot.Arg{{Name: "page", Kind: bot.ArgNumber, Flag: true, Help: "page of 25 (the reply says how many there are)"}},
				Handler: func(ctx context.Context, ev bot.Event) ([]bot.Message, error) { return listProjects(ctx, d, ev) }},
			{Name: "new", Usage: `/project new CLIENT "name" --start 2026-12-01 --end 2027-01-31 --budget 120h [--channel #acme]`,
				Summary: "open a project", MinRole: bot.RoleCoordinator, Handler: words(newProject), Form: "New project",
				Args: []bot.Arg{{Name: "client", Kind: bot.ArgClient, Required: true}, quoted("name", "the project's name"),
					{Name: "start", Kind: bot.ArgDate, Flag: true, Help: "first day (default today), e.g. 2026-12-01"},
					{Name: "end", Kind: bot.ArgDate, Flag: true, Help: "last day (default in 4 weeks), e.g. 2027-01-31"},
					{Name: "budget", Kind: bot.ArgDuration, Flag: true, Help: "hours budgeted, e.g. 120h"}}},
			{Name: "open", Usage: "/project open #1002", Summary: "open a project from a project request", MinRole: bot.RoleCoordinator,
				Target: bot.RefRequest, Handler: words(openProject),
				Args: []bot.Arg{{Name: "request", Kind: bot.ArgRequest, Required: true}}},
			{Name: "status", Aliases: []string{"show"}, Usage: "/project [status] P12", Summary: "a project's status", MinRole: bot.RoleTech,
				Target: bot.RefProject, Handler: status, Args: []bot.Arg{ref},
				Match: func(args string) bool { w, _ := firstWord(args); _, err := parseProjectRef(w); return err == nil }},
			{Name: "milestone", Aliases: []string{"task"}, Usage: `/project milestone P12 "name" 2026-12-15`, Summary: "add a milestone",
				MinRole: bot.RoleCoordinator, Target: bot.RefProject, Handler: on(func(ctx context.Context, ev bot.Event, p bot.Project, a []string) ([]bot.Message, error) {
					return addMilestone(ctx, d, ev, p, a)
				}), Args: []bot.Arg{ref, text("name", "the milestone", true), {Name: "due", Kind: bot.ArgDate, Required: true}}},
			{Name: "progress", Usage: `/project progress P12 "milestone" 50%`, Summary: "record a milestone's progress",
				MinRole: bot.RoleTech, Target: bot.RefProject, Handler: on(func(ctx context.Context, ev bot.Event, p bot.Project, a []string) ([]bot.Message, error) {
					return setProgress(ctx, d, ev, p, a)
				}), Args: []bot.Arg{ref, text("milestone", "which milestone", true), {Name: "percent", Kind: bot.ArgNumber, Required: true}}},
			{Name: "disruption", Usage: `/project disruption P12 2026-12-05 18:00-22:00 "what the client will notice"`, Summary: "record a disruption",
				MinRole: bot.RoleCoordinator, Target: bot.RefProject, Handler: on(func(ctx context.Context, ev bot.Event, p bot.Project, a []string) ([]bot.Message, error) {
					return addDisruption(ctx, d, ev, p, a)
				}), Args: []bot.Arg{ref, {Name: "on", Kind: bot.ArgDate, Required: true, Help: "the day, e.g. 2026-12-05"},
					{Name: "window", Kind: bot.ArgWord, Required: true, Help: "when, e.g. 18:00-22:00"}, quoted("what", "what the client will notice")}},
			{Name: "oos", Usage: `/project oos P12 6h "what was done" [--approved-by "name"]`, Summary: "record out-of-scope work",
				MinRole: bot.RoleCoordinator, Target: bot.RefProject, Handler: on(func(ctx context.Context, ev bot.Event, p bot.Project, a []string) ([]bot.Message, error) {
					return addOOS(ctx, d, ev, p, a)
				}), Form: "Out-of-scope work", Args: []bot.Arg{ref, {Name: "hours", Kind: bot.ArgDuration, Required: true, Help: "time it takes, e.g. 6h"},
					quoted("what", "the out-of-scope work"), {Name: "approved-by", Kind: bot.ArgText, Flag: true, Help: "who approved it (the client's name)"}}},
			{Name: "oos-export", Usage: "/project oos-export P12", Summary: "out-of-scope work as CSV",
				MinRole: bot.RoleCoordinator, Target: bot.RefProject, Handler: on(func(ctx context.Context, ev bot.Event, p bot.Project, _ []string) ([]bot.Message, error) {
					return exportOOS(ctx, d, p)
				}), Args: []bot.Arg{ref}},
			{Name: "oos-invoiced", Usage: "/project oos-invoiced P12 3", Summary: "mark out-of-scope work invoiced",
				MinRole: bot.RoleCoordinator, Target: bot.RefProject, Handler: on(func(ctx context.Context, ev bot.Event, p bot.Project, a []string) ([]bot.Message, error) {
					return invoiceOOS(ctx, d, ev, p, a)
				}), Args: []bot.Arg{ref, {Name: "item", Kind: bot.ArgNumber, Required: true}}},
			{Name: "set", Usage: "/project set P12 --end 2027-02-28 [--budget …] [--coordinator @x] [--lead @y]", Summary: "change a project",
				MinRole: bot.RoleCoordinator, Target: bot.RefProject, Handler: on(func(ctx context.Context, ev bot.Event, p bot.Project, a []string) ([]bot.Message, error) {
					return setProject(ctx, d, ev, p, a)
				}), Args: []bot.Arg{ref, {Name: "end", Kind: bot.ArgDate, Flag: true, Help: "new last day, e.g. 2027-02-28"},
					{Name: "start", Kind: bot.ArgDate, Flag: true, Help: "new first day"},
					{Name: "budget", Kind: bot.ArgDuration, Flag: true, Help: "hours budgeted, e.g. 140h"},
					{Name: "name", Kind: bot.ArgText, Flag: true, Help: "the project's new name"},
					{Name: "coordinator", Kind: bot.ArgPerson, Flag: true, Help: "the coordinator (a coordinator or manager)"},
					{Name: "lead", Kind: bot.ArgPerson, Flag: true, Help: "the support lead who signs off the handover"},
					{Name: "update", Kind: bot.ArgWord, Flag: true, Help: "when the weekly update is drafted, e.g. \"fri 15:00\""},
					{Name: "desc", Kind: bot.ArgText, Flag: true, Help: "a description"}}},
			{Name: "update", Usage: "/project update P12 [approve|edit|skip [week]]",
				Summary: "the weekly client update: clients read the posted one, coordinators draft and approve",
				MinRole: bot.RoleClient, Target: bot.RefProject, Handler: on(func(ctx context.Context, ev bot.Event, p bot.Project, a []string) ([]bot.Message, error) {
					return weeklyUpdate(ctx, d, ev, p, a)
				}), Args: []bot.Arg{ref, {Name: "action", Kind: bot.ArgChoice, Choices: []string{"approve", "edit", "skip"},
					ChoiceRoles: updateActionRoles()}, {Name: "week", Kind: bot.ArgWord, Help: "which week's update, e.g. 2026-W48 (default: this one)"}}},
			{Name: "close", Usage: "/project close P12", Summary: "start the closeout checklist",
				MinRole: bot.RoleCoordinator, Target: bot.RefProject, Handler: on(func(ctx context.Context, ev bot.Event, p bot.Project, a []string) ([]bot.Message, error) {
					return closeProject(ctx, d, ev, p, a)
				}), Args: []bot.Arg{ref}},
			{Name: "tick", Usage: "/project tick P12 docs|signoff|acceptance|time|oos [note]",
				Summary: "tick a closeout item (a client gives acceptance)",
				MinRole: bot.RoleClient, Target: bot.RefProject, Handler: on(func(ctx context.Context, ev bot.Event, p bot.Project, a []string) ([]bot.Message, error) {
					return tickItem(ctx, d, ev, p, a)
				}), Args: []bot.Arg{ref, {Name: "item", Kind: bot.ArgChoice, Required: true, Choices: bot.CloseoutItems,
					ChoiceRoles: closeoutItemRoles(), Canon: canonCloseoutItem}, text("note", "", false)}},
			{Name: "waive", Usage: `/project waive P12 ITEM "why"`, Summary: "waive a closeout item",
				MinRole: bot.RoleCoordinator, Target: bot.RefProject, Handler: on(func(ctx context.Context, ev bot.Event, p bot.Project, a []string) ([]bot.Message, error) {
					return waiveItem(ctx, d, ev, p, a)
				}), Args: []bot.Arg{ref, {Name: "item", Kind: bot.ArgChoice, Required: true, Choices: bot.CloseoutItems}, text("why", "", true)}},
			{Name: "rate", Usage: `/project rate P12 1-5|skip "why"`, Summary: "rate a project at closeout (required to close; skip only with a reason)",
				MinRole: bot.RoleCoordinator, Target: bot.RefProject, Handler: on(func(ctx context.Context, ev bot.Event, p bot.Project, a []string) ([]bot.Message, error) {
					return rateProject(ctx, d, ev, p, a)
				}), Args: []bot.Arg{ref, {Name: "rating", Kind: bot.ArgWord, Help: "1-5, or skip", Required: true}, text("why", "", true)}},
		},
	}
}

// firstWord is the first word of s.
func firstWord(s string) (string, string) {
	s = strings.TrimSpace(s)
	w, rest, _ := strings.Cut(s, " ")
	return w, strings.TrimSpace(rest)
}

// withProject reads the project the first argument names and runs fn with the
// remaining arguments. The Router has already checked the caller may see it.
func withProject(ctx context.Context, d Deps, ev bot.Event, args []string, fn func(bot.Project, []string) ([]bot.Message, error)) ([]bot.Message, error) {
	if len(args) == 0 {
		return nil, bot.Errorf(bot.EInvalid, "say which project, e.g. P12 (/project lists them)")
	}
	n, err := parseProjectRef(args[0])
	if err != nil {
		return nil, err
	}
	p, err := d.Store.ProjectByNumber(ctx, ev.Caller.WorkspaceID, n)
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
	args, err := bot.SplitArgs(ev.Args)
	if err != nil {
		return nil, err
	}
	args, pg, err := cutPage(args, "/project list")
	if err != nil {
		return nil, err
	}
	if len(args) > 0 {
		return nil, bot.Errorf(bot.EInvalid, "use /project list, or /project list page 2")
	}
	all, err := d.Store.ListProjects(ctx, ev.Caller.WorkspaceID, ev.Caller.ClientScope())
	if err != nil {
		return nil, err
	}
	list, ok := pageOf(pg, all)
	if !ok {
		return []bot.Message{pg.pastEnd(len(all), "running project", "running projects")}, nil
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
	m := bot.Message{Title: fmt.Sprintf("%d running %s", len(all), plural(len(all), "project", "projects")), Text: strings.TrimRight(b.String(), "\n"), Ephemeral: true}
	pg.decorate(&m, len(list), len(all))
	return []bot.Message{m}, nil
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
