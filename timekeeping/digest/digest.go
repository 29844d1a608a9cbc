package digest

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/mspbot/mspbot/bot"
	"github.com/mspbot/mspbot/timekeeping"
)

// Section is a part of the digest: a title and a few lines.
type Section struct {
	Title string
	Lines []string
}

// SectionSource adds a digest section owned elsewhere: projects off schedule or
// over budget, weekly updates waiting for approval, lessons captured (package
// projects provides these: projects.DigestSections). ok false leaves the
// section out.
type SectionSource func(ctx context.Context, workspaceID, managerID int64, since, now time.Time) (s Section, ok bool, err error)

// For is who the digest is for.
type For struct {
	ManagerID   int64
	Name        string
	WorkspaceID int64
	Loc         *time.Location
}

// Build writes a manager's digest at now: new and still-open requests
// since yesterday by kind and client, SLA at risk and breached, the other
// sections, and yesterday's time per tech with their nudge answers.
func (d *Service) Build(ctx context.Context, who For, now time.Time) (bot.Message, error) {
	loc := who.Loc
	if loc == nil {
		loc = timekeeping.Locate("", d.Location)
	}
	today := timekeeping.DateOf(now, loc)
	yesterday := today.AddDate(0, 0, -1)
	since := now.Add(-24 * time.Hour)
	var b strings.Builder
	line := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }

	// Requests.
	counts, err := d.Store.NewRequestCounts(ctx, who.WorkspaceID, since, now)
	if err != nil {
		return bot.Message{}, err
	}
	open, err := d.Store.OpenRequestCounts(ctx, who.WorkspaceID)
	if err != nil {
		return bot.Message{}, err
	}
	byKind := map[string][2]int{}
	byClient := map[string]int{}
	for _, c := range counts {
		k := byKind[c.Kind]
		byKind[c.Kind] = [2]int{k[0] + c.New, k[1] + c.StillOpen}
		byClient[bot.FirstNonEmpty(c.ClientCode, "no client")] += c.New
	}
	line("Requests since yesterday:")
	if len(counts) == 0 {
		line("No new requests.")
	} else {
		var parts []string
		for _, k := range []string{bot.KindSupport, bot.KindProject} {
			if v, ok := byKind[k]; ok {
				parts = append(parts, fmt.Sprintf("%d %s (%d still open)", v[0], k, v[1]))
			}
		}
		line("New: %s.", strings.Join(parts, ", "))
		line("By client: %s.", topCounts(byClient, 5))
	}
	var openParts []string
	for _, o := range open {
		openParts = append(openParts, fmt.Sprintf("%d %s (oldest %s)", o.Open, o.Kind, bot.Age(now.Sub(o.Oldest))))
	}
	if len(openParts) > 0 {
		line("Open now: %s. → /requests", strings.Join(openParts, ", "))
	}

	// SLA.
	events, err := d.Store.SLAEventsSince(ctx, who.WorkspaceID, since)
	if err != nil {
		return bot.Message{}, err
	}
	var breached, risk []string
	seen := map[string]bool{}
	for _, e := range events {
		key := fmt.Sprintf("%d/%s", e.RequestNumber, e.Clock)
		if seen[key] {
			continue // the breach (newest) hides the earlier warning
		}
		seen[key] = true
		s := fmt.Sprintf("#%d %s %s %s/%s", e.RequestNumber, e.ClientCode, e.Clock, timekeeping.FormatMinutes(e.ElapsedMinutes), timekeeping.FormatMinutes(e.TargetMinutes))
		if e.Level == "breach" {
			breached = append(breached, s)
		} else {
			risk = append(risk, s)
		}
	}
	line("")
	line("SLA:")
	if len(breached)+len(risk) == 0 {
		line("Nothing at risk or breached.")
	} else {
		line("Breached (%d): %s", len(breached), listOrNone(breached, 6))
		line("At risk (%d): %s", len(risk), listOrNone(risk, 6))
		line("→ /request sla <n>")
	}

	// Sections from elsewhere.
	for _, src := range d.Sections {
		s, ok, err := src(ctx, who.WorkspaceID, who.ManagerID, since, now)
		if err != nil {
			return bot.Message{}, err
		}
		if !ok {
			continue
		}
		line("")
		line("%s:", s.Title)
		for _, l := range s.Lines {
			line("%s", l)
		}
	}

	// Time yesterday.
	team, err := d.Store.Team(ctx, who.WorkspaceID, who.ManagerID, yesterday)
	if err != nil {
		return bot.Message{}, err
	}
	stats, err := d.Store.NudgeStatsBetween(ctx, who.WorkspaceID, yesterday, yesterday)
	if err != nil {
		return bot.Message{}, err
	}
	line("")
	line("Time logged %s:", yesterday.Format("Mon 2 Jan"))
	var names []string
	var logged, expected []float64
	gaps := 0
	for _, m := range team {
		sched := timekeeping.ScheduleOf(m.Schedule, d.Location)
		worked := sched.MinutesSince(yesterday, m.Since)
		names = append(names, m.Name)
		logged = append(logged, float64(m.Minutes)/60)
		expected = append(expected, float64(worked)/60)
		if worked == 0 || m.Minutes >= worked*85/100 {
			continue
		}
		gaps++
		st := stats[m.PersonID]
		nudges := "no nudges"
		if st.Sent > 0 {
			nudges = fmt.Sprintf("answered %d of %d nudges", st.Answered, st.Sent)
		}
		line("%s: %s of %s (%s)", m.Name, timekeeping.FormatMinutes(m.Minutes), timekeeping.FormatMinutes(worked), nudges)
	}
	switch {
	case len(team) == 0:
		line("No techs yet.")
	case gaps == 0:
		line("Everyone logged their day.")
	}
	line("→ /time week @name")

	msg := bot.Message{Title: fmt.Sprintf("Daily digest for %s, %s", who.Name, today.Format("Mon 2 Jan 2006")),
		Text:    strings.TrimRight(b.String(), "\n"),
		Actions: []bot.Action{{ID: "requests", Label: "Open requests", Command: "/requests"}}}
	if d.Chart != nil && len(names) > 0 && len(names) <= 30 {
		png, err := d.Chart("Hours yesterday", "hours", names, []bot.Series{{Name: "logged", Values: logged}, {Name: "scheduled", Values: expected}})
		if err != nil {
			d.log().Warn("digest chart", "err", err)
		} else {
			msg.Attachments = []bot.Attachment{{Name: "hours-" + yesterday.Format("2006-01-02") + ".png", ContentType: "image/png", Data: png}}
		}
	}
	return msg, nil
}

func topCounts(m map[string]int, n int) string {
	type kv struct {
		k string
		v int
	}
	var list []kv
	for k, v := range m {
		list = append(list, kv{k, v})
	}
	sort.Slice(list, func(i, j int) bool { return list[i].v > list[j].v || list[i].v == list[j].v && list[i].k < list[j].k })
	var parts []string
	rest := 0
	for i, e := range list {
		if i < n {
			parts = append(parts, fmt.Sprintf("%s %d", e.k, e.v))
		} else {
			rest += e.v
		}
	}
	if rest > 0 {
		parts = append(parts, fmt.Sprintf("others %d", rest))
	}
	return strings.Join(parts, ", ")
}

func listOrNone(l []string, n int) string {
	if len(l) == 0 {
		return "none"
	}
	if len(l) > n {
		return strings.Join(l[:n], "; ") + fmt.Sprintf("; +%d more", len(l)-n)
	}
	return strings.Join(l, "; ")
}

// Report says what a digest sweep did.
type Report struct {
	Due, Sent int
}

// Job names one manager's digest for one local date: the unique key.
type Job struct {
	ManagerID int64  `json:"manager_id"`
	LocalDate string `json:"local_date"` // 2006-01-02 in the manager's timezone
}

// Sweep finds managers whose digest is due and not yet sent. With
// enqueue set (River) each becomes a unique job; without, it is sent inline.
func (d *Service) Sweep(ctx context.Context, now time.Time, enqueue func(Job) error) (Report, error) {
	var rep Report
	managers, err := d.Store.Managers(ctx)
	if err != nil {
		return rep, err
	}
	for _, m := range managers {
		sched := timekeeping.ScheduleOf(m.Schedule, d.Location)
		date, due := timekeeping.DigestDue(sched, timekeeping.ClockTime(m.Schedule.DigestAt), now)
		if !due {
			continue
		}
		sent, err := d.Store.DigestSent(ctx, m.PersonID, date)
		if err != nil {
			return rep, err
		}
		if sent {
			continue
		}
		rep.Due++
		job := Job{ManagerID: m.PersonID, LocalDate: date.Format("2006-01-02")}
		if enqueue != nil {
			if err := enqueue(job); err != nil {
				return rep, err
			}
			continue
		}
		ok, err := d.Send(ctx, m, date, now)
		if err != nil {
			return rep, err
		}
		if ok {
			rep.Sent++
		}
	}
	return rep, nil
}

// Send builds and sends one manager's digest for a local date, once.
func (d *Service) Send(ctx context.Context, m bot.Manager, date timekeeping.Date, now time.Time) (bool, error) {
	loc := timekeeping.ScheduleOf(m.Schedule, d.Location).Loc
	return d.Store.SendDigestOnce(ctx, m.WorkspaceID, m.PersonID, date, func() (string, error) {
		msg, err := d.Build(ctx, For{ManagerID: m.PersonID, Name: m.Name, WorkspaceID: m.WorkspaceID, Loc: loc}, now)
		if err != nil {
			return "", err
		}
		if d.Senders != nil {
			if _, err := d.Senders.Send(ctx, bot.Destination{Platform: m.Platform, Workspace: m.Workspace, UserID: m.ExternalID}, msg); err != nil {
				return "", err
			}
		}
		return msg.Text, nil
	})
}
