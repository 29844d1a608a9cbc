package projects

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/mspbot/mspbot/bot"
	"github.com/mspbot/mspbot/timekeeping/digest"
)

// DigestStore is what the manager's digest reads about projects;
// *storage.Store implements it.
type DigestStore interface {
	ListProjects(ctx context.Context, workspaceID int64, clientID *int64) ([]bot.Project, error)
	Milestones(ctx context.Context, projectID int64) ([]bot.Milestone, error)
	ProjectMinutes(ctx context.Context, projectID int64) (int, error)
	PendingDrafts(ctx context.Context, workspaceID int64) ([]bot.WeeklyUpdate, error)
	LessonsSince(ctx context.Context, workspaceID int64, from, to time.Time, limit int) ([]bot.Lesson, int, error)
}

// digestLines caps each section, so the digest stays a glance.
const digestLines = 6

// DigestSections are the projects' parts of the manager's daily digest:
// projects off schedule or over budget, weekly updates waiting for approval,
// and lessons captured since yesterday. loc is MSPBOT_TZ, for coordinators
// with no timezone of their own. cmd/mspbot passes them to the scheduled
// digest and to /digest now alike.
func DigestSections(store DigestStore, loc *time.Location) []digest.SectionSource {
	return []digest.SectionSource{
		func(ctx context.Context, ws, _ int64, _, now time.Time) (digest.Section, bool, error) {
			return offTrackSection(ctx, store, loc, ws, now)
		},
		func(ctx context.Context, ws, _ int64, _, now time.Time) (digest.Section, bool, error) {
			return pendingSection(ctx, store, loc, ws, now)
		},
		func(ctx context.Context, ws, _ int64, since, now time.Time) (digest.Section, bool, error) {
			return lessonsSection(ctx, store, ws, since, now)
		},
	}
}

type offTrack struct {
	p     bot.Project
	h     Health
	worst int // 2: late or over budget, 1: at risk
}

// offTrackSection judges every project not closed with Assess, as /project
// status does, and lists those late or at risk, over or at risk on budget,
// worst first. Left out when the workspace runs no projects.
func offTrackSection(ctx context.Context, store DigestStore, def *time.Location, ws int64, now time.Time) (digest.Section, bool, error) {
	list, err := store.ListProjects(ctx, ws, nil)
	if err != nil {
		return digest.Section{}, false, err
	}
	var bad []offTrack
	running := 0
	for _, p := range list {
		if p.Status == bot.ProjectClosed {
			continue
		}
		running++
		ms, err := store.Milestones(ctx, p.ID)
		if err != nil {
			return digest.Section{}, false, err
		}
		minutes, err := store.ProjectMinutes(ctx, p.ID)
		if err != nil {
			return digest.Section{}, false, err
		}
		h := Assess(p, dateOf(now.In(Location(p, def))), ms, minutes)
		o := offTrack{p: p, h: h}
		if h.Schedule == Late || h.Budget == OverBudget {
			o.worst = 2
		} else if h.Schedule == AtRisk || h.Budget == AtRisk {
			o.worst = 1
		}
		if o.worst > 0 {
			bad = append(bad, o)
		}
	}
	if running == 0 {
		return digest.Section{}, false, nil
	}
	s := digest.Section{Title: "Projects off track"}
	if len(bad) == 0 {
		s.Lines = []string{fmt.Sprintf("All %d running projects are on time and on budget.", running)}
		return s, true, nil
	}
	sort.SliceStable(bad, func(i, j int) bool { return bad[i].worst > bad[j].worst })
	for i, o := range bad {
		if i == digestLines {
			s.Lines = append(s.Lines, fmt.Sprintf("+%d more → /project list", len(bad)-i))
			break
		}
		s.Lines = append(s.Lines, offTrackLine(o.p, o.h))
	}
	s.Title = fmt.Sprintf("Projects off track (%d of %d)", len(bad), running)
	return s, true, nil
}

// offTrackLine: "P12 Office move (ACME): late — target end Fri 4 Dec passed, 60% done;
// over budget — 130 h of 120 h (108%) → /project status P12".
func offTrackLine(p bot.Project, h Health) string {
	var parts []string
	switch h.Schedule {
	case Late:
		parts = append(parts, fmt.Sprintf("late — target end %s passed, %d%% done", p.End.Format("Mon 2 Jan"), h.Percent))
	case AtRisk:
		why := fmt.Sprintf("%d%% done with %d%% of the time gone", h.Percent, int(h.Elapsed*100+0.5))
		if len(h.Overdue) > 0 {
			why = fmt.Sprintf("%s overdue since %s, %s", h.Overdue[0].Name, h.Overdue[0].Due.Format("Mon 2 Jan"), why)
		}
		parts = append(parts, "schedule at risk — "+why)
	}
	if p.BudgetMinutes > 0 {
		used := fmt.Sprintf("%s of %s (%d%%)", Hours(h.Minutes), Hours(p.BudgetMinutes), h.Minutes*100/p.BudgetMinutes)
		switch h.Budget {
		case OverBudget:
			parts = append(parts, "over budget — "+used)
		case AtRisk:
			parts = append(parts, fmt.Sprintf("budget at risk — %s used, %d%% done", used, h.Percent))
		}
	}
	return fmt.Sprintf("%s %s (%s): %s → /project status %s", p.Ref(), p.Name, p.ClientCode, strings.Join(parts, "; "), p.Ref())
}

// pendingSection lists weekly updates drafted and not yet approved, oldest
// deadline first, with the command that approves each. Left out when none wait.
func pendingSection(ctx context.Context, store DigestStore, def *time.Location, ws int64, now time.Time) (digest.Section, bool, error) {
	drafts, err := store.PendingDrafts(ctx, ws)
	if err != nil || len(drafts) == 0 {
		return digest.Section{}, false, err
	}
	list, err := store.ListProjects(ctx, ws, nil)
	if err != nil {
		return digest.Section{}, false, err
	}
	byID := make(map[int64]bot.Project, len(list))
	for _, p := range list {
		byID[p.ID] = p
	}
	s := digest.Section{Title: fmt.Sprintf("Weekly updates waiting for approval (%d)", len(drafts))}
	for i, u := range drafts {
		if i == digestLines {
			s.Lines = append(s.Lines, fmt.Sprintf("+%d more", len(drafts)-i))
			break
		}
		p, ok := byID[u.ProjectID]
		if !ok {
			continue // closed since it was drafted
		}
		due := "approve by " + u.Deadline.In(Location(p, def)).Format("Mon 2 Jan 15:04 MST")
		if !u.Deadline.After(now) {
			due = "overdue since " + u.Deadline.In(Location(p, def)).Format("Mon 2 Jan 15:04 MST")
		}
		s.Lines = append(s.Lines, fmt.Sprintf("%s %s (%s) %s, coordinator %s, %s → /project update %s approve %s",
			p.Ref(), p.Name, p.ClientCode, u.Week(), p.CoordinatorName, due, p.Ref(), u.Week()))
	}
	return s, true, nil
}

// lessonsSection counts the lessons captured in [since, now) and shows the
// newest few. Left out when there are none.
func lessonsSection(ctx context.Context, store DigestStore, ws int64, since, now time.Time) (digest.Section, bool, error) {
	lessons, total, err := store.LessonsSince(ctx, ws, since, now, 3)
	if err != nil || total == 0 {
		return digest.Section{}, false, err
	}
	s := digest.Section{Title: fmt.Sprintf("Lessons captured since yesterday (%d)", total)}
	for _, l := range lessons {
		s.Lines = append(s.Lines, fmt.Sprintf("%s %s (%s), %s: %s", l.ProjectRef, l.ProjectName, l.ClientCode, l.Author, lessonTitle(l)))
	}
	if total > len(lessons) {
		s.Lines = append(s.Lines, fmt.Sprintf("+%d more", total-len(lessons)))
	}
	s.Lines = append(s.Lines, "→ /lessons search "+searchHint(lessons))
	return s, true, nil
}

// lessonTitle is a lesson in a few words: what to do differently, else what went well.
func lessonTitle(l bot.Lesson) string {
	text := strings.TrimSpace(l.DoDifferently)
	label := "do differently"
	if text == "" {
		text, label = strings.TrimSpace(l.WentWell), "went well"
	}
	text = strings.Join(strings.Fields(text), " ")
	const maxRunes = 70
	if utf8.RuneCountInString(text) > maxRunes {
		r := []rune(text)[:maxRunes]
		text = strings.TrimRight(string(r), " ,.;:") + "…"
	}
	return fmt.Sprintf("%s: “%s”", label, text)
}

// searchHint is the newest lesson's project name, lower case: words that find it.
func searchHint(lessons []bot.Lesson) string {
	if len(lessons) == 0 || strings.TrimSpace(lessons[0].ProjectName) == "" {
		return "<words>"
	}
	return strings.ToLower(strings.Join(strings.Fields(lessons[0].ProjectName), " "))
}
