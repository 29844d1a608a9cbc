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

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
