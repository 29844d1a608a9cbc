package commands

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/mspbot/mspbot/bot"
	"github.com/mspbot/mspbot/projects"
)

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
	schedule := fmt.Sprintf("%s — %d%% complete, %d%% of the time gone, ends %s", h.Schedule, h.Percent,
		int(h.Elapsed*100+0.5), p.End.Format("Mon 2 Jan 2006"))
	if p.Status == bot.ProjectClosed && p.ClosedAt != nil {
		schedule = fmt.Sprintf("closed on %s — %d%% complete (target end was %s)", p.ClosedAt.Format("Mon 2 Jan 2006"), h.Percent, p.End.Format("Mon 2 Jan 2006"))
		if p.BudgetMinutes > 0 {
			budget = fmt.Sprintf("%s — %s of %s (%d%%)", h.Budget, projects.Hours(h.Minutes), projects.Hours(p.BudgetMinutes), h.Minutes*100/p.BudgetMinutes)
		}
	}
	m.Fields = []bot.Field{
		{Label: "Schedule", Value: schedule},
		{Label: "Budget", Value: budget},
	}
	next := "none — add one with /project milestone " + p.Ref() + ` "name" 2026-12-10`
	if p.Status == bot.ProjectClosed {
		next = "none: the project is closed"
	} else if h.Next != nil {
		next = fmt.Sprintf("%s due %s (%d%%)", h.Next.Name, h.Next.Due.Format("Mon 2 Jan"), h.Next.Percent)
	} else if len(r.Milestones) > 0 {
		next = "all milestones done"
	}
	m.Fields = append(m.Fields, bot.Field{Label: "Next milestone", Value: next})
	for _, ms := range h.Overdue {
		m.Fields = append(m.Fields, bot.Field{Label: "Overdue", Value: fmt.Sprintf("%s was due %s (%d%%)", ms.Name, ms.Due.Format("Mon 2 Jan"), ms.Percent)})
	}
	waiver, err := oosWaiver(ctx, d, p)
	if err != nil {
		return nil, err
	}
	open, openMin := 0, 0
	for _, o := range r.OOS {
		if o.InvoicedAt == nil {
			open++
			openMin += o.Minutes
		}
	}
	if waiver != "" && open > 0 {
		// Waived at closeout: not owed, and not to be read as forgotten.
		m.Fields = append(m.Fields, bot.Field{Label: "Waived out-of-scope", Value: fmt.Sprintf("%d %s, %s, waived by %s", open, plural(open, "item", "items"), projects.Hours(openMin), waiver)})
	} else {
		m.Fields = append(m.Fields, bot.Field{Label: "Open out-of-scope", Value: fmt.Sprintf("%d %s, %s not invoiced", open, plural(open, "item", "items"), projects.Hours(openMin))})
	}
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
		p.UpdateWeekday, bot.ClockTime(p.UpdateMinute), projects.Location(p, d.Location), bot.FirstNonEmpty(p.Channel, "no channel set"))})
	return []bot.Message{m}, nil
}

// oosWaiver is why the closeout waived invoicing the out-of-scope work ("" when
// it did not): items not invoiced are then waived, not forgotten.
func oosWaiver(ctx context.Context, d Deps, p bot.Project) (string, error) {
	if p.Status == bot.ProjectActive {
		return "", nil
	}
	items, err := d.Store.CloseoutChecklist(ctx, p.ID)
	if err != nil {
		return "", err
	}
	for _, it := range items {
		if it.Item == "oos" && it.WaivedAt != nil {
			return fmt.Sprintf("%s: %s", it.WaivedBy, it.WaivedReason), nil
		}
	}
	return "", nil
}

func addMilestone(ctx context.Context, d Deps, ev bot.Event, p bot.Project, args []string) ([]bot.Message, error) {
	if len(args) != 2 || strings.TrimSpace(args[0]) == "" {
		return nil, bot.Errorf(bot.EInvalid, `use /project milestone %s "milestone name" 2026-12-10`, p.Ref())
	}
	due, err := parseDate(args[1], projectToday(d, p))
	if err != nil {
		return nil, err
	}
	if err := runningOrReplayed(ctx, d, ev, p); err != nil {
		return nil, err
	}
	m, err := d.Store.AddMilestoneOnce(ctx, p.ID, strings.TrimSpace(args[0]), due, ev.SourceID)
	if errors.Is(err, bot.ErrReplayed) {
		// Added by this very delivery before a crash: the same answer.
		m.Due, err = due, nil
	}
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

// runningOrReplayed is running for a change a delivery asks of a project,
// except that a delivery which made its change before (handled again after
// the project closed) passes: its store method changes nothing the second
// time, and it answers as it did, not "is closed".
func runningOrReplayed(ctx context.Context, d Deps, ev bot.Event, p bot.Project) error {
	err := running(p)
	if err == nil {
		return nil
	}
	if again, aerr := replayedDelivery(ctx, d, ev); aerr != nil {
		return aerr
	} else if again {
		return nil
	}
	return err
}

func setProgress(ctx context.Context, d Deps, ev bot.Event, p bot.Project, args []string) ([]bot.Message, error) {
	if len(args) < 2 {
		return nil, bot.Errorf(bot.EInvalid, `use /project progress %s "milestone name" 60%%`, p.Ref())
	}
	pct, err := parsePercent(args[len(args)-1])
	if err != nil {
		return nil, err
	}
	if err := runningOrReplayed(ctx, d, ev, p); err != nil {
		return nil, err
	}
	name := strings.Join(args[:len(args)-1], " ")
	// Replayed (the same delivery handled again): the change it recorded the first time, the same answer.
	m, from, err := d.Store.SetMilestoneProgressOnce(ctx, p.ID, name, pct, ev.Caller.ID, d.Clock.Now(), ev.SourceID)
	if err != nil && !errors.Is(err, bot.ErrReplayed) {
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
	// Handled again (the backlog after midnight, a crash recovered the next
	// day), the day it planned may be past or the project closed by now:
	// neither is checked again, and storage answers with the disruption it
	// planned, not the day "fri" means today.
	again, err := replayedDelivery(ctx, d, ev)
	if err != nil {
		return nil, err
	}
	if !again {
		if on.Before(today) {
			return nil, bot.Errorf(bot.EInvalid, "%s is in the past; planned disruptions are for dates to come", args[0])
		}
		if err := running(p); err != nil {
			return nil, err
		}
	}
	dis, err := d.Store.AddDisruptionOnce(ctx, bot.Disruption{ProjectID: p.ID, Day: on, Starts: starts, Ends: ends, Impact: strings.TrimSpace(args[2])}, ev.Caller.ID, ev.SourceID)
	if err != nil && !errors.Is(err, bot.ErrReplayed) { // replayed: planned the first time; the same answer
		return nil, err
	}
	return []bot.Message{{Text: fmt.Sprintf("%s: disruption planned %s %s (%s time) — %s. It will be in the weekly client updates until it has passed.",
		p.Ref(), dis.Day.Format("Mon 2 Jan 2006"), dis.Window(), projects.Location(p, d.Location), dis.Impact)}}, nil
}
