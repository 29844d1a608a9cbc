package projects

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/mspbot/mspbot/bot"
)

// Schedule and budget verdicts.
const (
	OnTime     = "on time"
	AtRisk     = "at risk"
	Late       = "late"
	Closed     = "closed"
	OnBudget   = "on budget"
	OverBudget = "over budget"
	NoBudget   = "no budget set"
)

// Health is a project's standing at a glance.
type Health struct {
	Percent        int     // complete, the average of its milestones
	Elapsed        float64 // share of the planned duration gone, 0..1
	Schedule       string  // on time, at risk, late; closed once closed
	Budget         string  // on budget, at risk, over budget, no budget set
	Minutes        int     // logged
	PlannedMinutes int     // the budget's share for the time elapsed
	Overdue        []bot.Milestone
	Next           *bot.Milestone // the next milestone not done
}

// Assess judges a project on a date (in the coordinator's timezone, as midnight
// UTC like every date here). It is a pure function, so the thresholds are tested
// on their own: behind the clock by more than 15 points or with an overdue
// milestone is at risk; past the end date unfinished is late; spending more than
// 15 points ahead of progress is a budget risk; past the budget is over.
func Assess(p bot.Project, today time.Time, milestones []bot.Milestone, minutes int) Health {
	h := Health{Minutes: minutes}
	total := 0
	for i, m := range milestones {
		total += m.Percent
		if m.Percent < 100 && m.Due.Before(today) {
			h.Overdue = append(h.Overdue, m)
		}
		if m.Percent < 100 && h.Next == nil {
			h.Next = &milestones[i]
		}
	}
	if len(milestones) > 0 {
		h.Percent = total / len(milestones)
	}
	span := p.End.Sub(p.Start).Hours()/24 + 1
	gone := today.Sub(p.Start).Hours()/24 + 1
	h.Elapsed = min(max(gone/span, 0), 1)
	h.PlannedMinutes = int(float64(p.BudgetMinutes) * h.Elapsed)

	if p.Status == bot.ProjectClosed {
		// A closed project is judged no more: nothing is at risk or overdue,
		// and its budget is what it used.
		h.Schedule, h.Overdue, h.Next, h.Elapsed = Closed, nil, nil, 1
		h.PlannedMinutes = p.BudgetMinutes
		switch {
		case p.BudgetMinutes == 0:
			h.Budget = NoBudget
		case minutes > p.BudgetMinutes:
			h.Budget = OverBudget
		default:
			h.Budget = OnBudget
		}
		return h
	}
	switch {
	case h.Percent >= 100 && len(milestones) > 0:
		h.Schedule = OnTime
	case today.After(p.End):
		h.Schedule = Late
	case len(h.Overdue) > 0 || float64(h.Percent) < h.Elapsed*100-15:
		h.Schedule = AtRisk
	default:
		h.Schedule = OnTime
	}
	switch {
	case p.BudgetMinutes == 0:
		h.Budget = NoBudget
	case minutes > p.BudgetMinutes:
		h.Budget = OverBudget
	case float64(minutes)/float64(p.BudgetMinutes)*100 > float64(h.Percent)+15:
		h.Budget = AtRisk
	default:
		h.Budget = OnBudget
	}
	return h
}

// Hours renders minutes as hours: "6 h", "1.5 h".
func Hours(minutes int) string {
	h := float64(minutes) / 60
	if minutes%60 == 0 {
		return fmt.Sprintf("%d h", minutes/60)
	}
	return strings.TrimRight(strings.TrimRight(fmt.Sprintf("%.1f", h), "0"), ".") + " h"
}

// Report is everything a weekly update says, gathered for one project and week.
type Report struct {
	Project     bot.Project
	Year, Week  int
	WeekStart   time.Time // Monday, local midnight
	Today       time.Time // date, midnight UTC
	Health      Health
	Milestones  []bot.Milestone
	Changes     []bot.MilestoneChange // this week
	WeekMinutes int                   // logged this week
	DueSoon     []bot.Milestone       // due within the next 7 days, not done
	Disruptions []bot.Disruption      // from today for 14 days
	OOS         []bot.OOSItem
	ByDay       []bot.DayMinutes
}

// Gather reads what the report on a project for the ISO week containing now needs.
func (s *Service) Gather(ctx context.Context, p bot.Project, now time.Time) (Report, error) {
	loc := Location(p, s.Location)
	local := now.In(loc)
	r := Report{Project: p, WeekStart: Monday(local), Today: dateOf(local)}
	r.Year, r.Week = local.ISOWeek()
	var err error
	if r.Milestones, err = s.Store.Milestones(ctx, p.ID); err != nil {
		return r, err
	}
	minutes, err := s.Store.ProjectMinutes(ctx, p.ID)
	if err != nil {
		return r, err
	}
	r.Health = Assess(p, r.Today, r.Milestones, minutes)
	if r.Changes, err = s.Store.MilestoneChanges(ctx, p.ID, r.WeekStart, r.WeekStart.AddDate(0, 0, 7)); err != nil {
		return r, err
	}
	if r.ByDay, err = s.Store.ProjectMinutesByDay(ctx, p.ID); err != nil {
		return r, err
	}
	weekFrom := dateOf(r.WeekStart)
	for _, d := range r.ByDay {
		if !d.Day.Before(weekFrom) && d.Day.Before(weekFrom.AddDate(0, 0, 7)) {
			r.WeekMinutes += d.Minutes
		}
	}
	for _, m := range r.Milestones {
		if m.Percent < 100 && !m.Due.After(r.Today.AddDate(0, 0, 7)) {
			r.DueSoon = append(r.DueSoon, m)
		}
	}
	if r.Disruptions, err = s.Store.Disruptions(ctx, p.ID, r.Today, r.Today.AddDate(0, 0, 14)); err != nil {
		return r, err
	}
	if r.OOS, err = s.Store.OOSItems(ctx, p.ID); err != nil {
		return r, err
	}
	return r, nil
}

// Text renders the client update. It says on time / on budget with the numbers,
// what was done this week, what is next, upcoming disruptions, out-of-scope work
// and the decisions the client needs to make.
func (r Report) Text() string {
	p, h := r.Project, r.Health
	var b strings.Builder
	fmt.Fprintf(&b, "Schedule: %s — %d%% complete, %d%% of the planned time gone (target end %s)\n",
		h.Schedule, h.Percent, int(h.Elapsed*100+0.5), p.End.Format("Mon 2 Jan 2006"))
	if p.BudgetMinutes > 0 {
		fmt.Fprintf(&b, "Budget: %s — %s of %s used (%d%%); plan to date %s\n", h.Budget, Hours(h.Minutes),
			Hours(p.BudgetMinutes), h.Minutes*100/p.BudgetMinutes, Hours(h.PlannedMinutes))
	} else {
		fmt.Fprintf(&b, "Budget: %s — %s logged\n", h.Budget, Hours(h.Minutes))
	}

	b.WriteString("\nDone this week:\n")
	for _, c := range r.Changes {
		if c.To == 100 {
			fmt.Fprintf(&b, "- %s: finished\n", c.Milestone)
		} else {
			fmt.Fprintf(&b, "- %s: %d%% → %d%%\n", c.Milestone, c.From, c.To)
		}
	}
	fmt.Fprintf(&b, "- %s of work logged this week\n", Hours(r.WeekMinutes))

	b.WriteString("\nPlanned next week:\n")
	switch {
	case len(r.DueSoon) > 0:
		for _, m := range r.DueSoon {
			fmt.Fprintf(&b, "- %s (due %s, now %d%%)\n", m.Name, m.Due.Format("Mon 2 Jan"), m.Percent)
		}
	case h.Next != nil:
		fmt.Fprintf(&b, "- %s (due %s, now %d%%)\n", h.Next.Name, h.Next.Due.Format("Mon 2 Jan"), h.Next.Percent)
	case len(r.Milestones) == 0:
		// The coordinator reviews every draft; this line asks them to fill it in.
		b.WriteString("- (no milestones planned yet: " + bot.UpdatePlaceholder + ")\n")
	default:
		b.WriteString("- wrapping up and closeout\n")
	}

	if len(r.Disruptions) > 0 {
		b.WriteString("\nPlanned disruptions:\n")
		for _, d := range r.Disruptions {
			fmt.Fprintf(&b, "- %s %s: %s\n", d.Day.Format("Mon 2 Jan"), d.Window(), d.Impact)
		}
	}

	var decisions []string
	if len(r.OOS) > 0 {
		total := 0
		b.WriteString("\nOut-of-scope work:\n")
		for _, o := range r.OOS {
			total += o.Minutes
			approval := "approved by " + o.ApprovedBy
			if o.ApprovedBy == "" {
				approval = "awaiting your approval"
				decisions = append(decisions, fmt.Sprintf("approve out-of-scope item %d (%s, %s)", o.Number, o.Description, Hours(o.Minutes)))
			}
			fmt.Fprintf(&b, "- %d. %s — %s, %s\n", o.Number, o.Description, Hours(o.Minutes), approval)
		}
		fmt.Fprintf(&b, "- total %s, billed separately\n", Hours(total))
	}
	if h.Budget == OverBudget {
		decisions = append(decisions, fmt.Sprintf("agree how to cover the %s beyond the budget", Hours(h.Minutes-p.BudgetMinutes)))
	}
	if h.Schedule == Late {
		decisions = append(decisions, "agree a new target end date")
	}
	for _, m := range h.Overdue {
		if h.Schedule != Late {
			decisions = append(decisions, fmt.Sprintf("%s was due %s: confirm the new date", m.Name, m.Due.Format("Mon 2 Jan")))
		}
	}
	if len(decisions) > 0 {
		b.WriteString("\nDecisions needed from you:\n")
		for _, d := range decisions {
			fmt.Fprintf(&b, "- %s\n", d)
		}
	}
	return strings.TrimRight(b.String(), "\n")
}

// Title names the update.
func (r Report) Title() string {
	return fmt.Sprintf("Weekly update — %s %s (%s), week %s", r.Project.Ref(), r.Project.Name, r.Project.ClientCode,
		bot.ISOWeekName(r.Year, r.Week))
}

// maxChartWeeks keeps the chart readable in a chat message.
const maxChartWeeks = 26

// Chart draws hours used vs budget vs plan per ISO week, from the project's
// start week to the report's week, as a PNG drawn by draw.
func (r Report) Chart(draw bot.ChartFunc) ([]byte, error) {
	p := r.Project
	start := Monday(time.Date(p.Start.Year(), p.Start.Month(), p.Start.Day(), 12, 0, 0, 0, time.UTC))
	last := dateOf(r.WeekStart)
	if last.Before(start) {
		last = start
	}
	var weeks []time.Time
	for w := start; !w.After(last); w = w.AddDate(0, 0, 7) {
		weeks = append(weeks, w)
	}
	if len(weeks) > maxChartWeeks {
		weeks = weeks[len(weeks)-maxChartWeeks:]
	}
	labels := make([]string, len(weeks))
	used := make([]float64, len(weeks))
	budget := make([]float64, len(weeks))
	plan := make([]float64, len(weeks))
	span := p.End.Sub(p.Start).Hours()/24 + 1
	for i, w := range weeks {
		_, wk := w.ISOWeek()
		labels[i] = fmt.Sprintf("W%02d", wk)
		end := w.AddDate(0, 0, 7) // exclusive
		for _, d := range r.ByDay {
			if d.Day.Before(end) {
				used[i] += float64(d.Minutes) / 60
			}
		}
		budget[i] = float64(p.BudgetMinutes) / 60
		gone := end.Sub(p.Start).Hours() / 24
		plan[i] = budget[i] * min(max(gone/span, 0), 1)
	}
	return draw(fmt.Sprintf("%s hours: used vs budget vs plan", p.Ref()), "hours", labels, []bot.Series{
		{Name: "used", Values: used}, {Name: "budget", Values: budget}, {Name: "plan", Values: plan},
	})
}
