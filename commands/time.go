package commands

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/mspbot/mspbot/bot"
	"github.com/mspbot/mspbot/timekeeping"
)

type timeStore interface {
	AddTimeEntry(ctx context.Context, e bot.TimeEntry) (bot.TimeEntry, error)
	TimeEntryByID(ctx context.Context, workspaceID, id int64) (bot.TimeEntry, error)
	UpdateTimeEntry(ctx context.Context, workspaceID, id int64, minutes int, note *string, at time.Time) (bot.TimeEntry, error)
	DeleteTimeEntry(ctx context.Context, workspaceID, id int64) error
	TimeEntries(ctx context.Context, personID int64, from, to time.Time) ([]bot.TimeEntry, error)
	StartTimer(ctx context.Context, t bot.Timer) error
	RunningTimer(ctx context.Context, personID int64) (bot.Timer, error)
	StopTimer(ctx context.Context, personID int64, note string, at, date time.Time) (bot.TimeEntry, error)
	ConfirmTimer(ctx context.Context, personID int64, at time.Time) error
	TimeSettings(ctx context.Context, workspaceID int64) (bot.TimeSettings, error)
	SetTimeSettings(ctx context.Context, workspaceID int64, t bot.TimeSettings) error
}

// workTarget is what time is logged against: a request, a project, or nothing.
type workTarget struct {
	RequestID, ProjectID *int64
	Label                string // "#1234", "#P12", ""
}

// parseTarget reads "#1234" or "#P12" when tok is one.
func parseTarget(ctx context.Context, d Deps, ev bot.Event, tok string) (workTarget, bool, error) {
	if !strings.HasPrefix(tok, "#") || len(tok) < 2 {
		return workTarget{}, false, nil
	}
	if tok[1] == 'P' || tok[1] == 'p' {
		n, err := strconv.ParseInt(tok[2:], 10, 64)
		if err != nil || n <= 0 {
			return workTarget{}, false, nil
		}
		p, err := d.Store.ProjectByNumber(ctx, ev.Caller.WorkspaceID, int(n))
		if err != nil {
			return workTarget{}, true, notFoundAs(err, "there is no project P%d here; /project lists them", n)
		}
		return workTarget{ProjectID: &p.ID, Label: fmt.Sprintf("#P%d", n)}, true, nil
	}
	if _, err := strconv.ParseInt(tok[1:], 10, 64); err != nil {
		return workTarget{}, false, nil
	}
	r, err := visibleRequest(ctx, d, ev, tok)
	if err != nil {
		return workTarget{}, true, err
	}
	return workTarget{RequestID: &r.ID, Label: fmt.Sprintf("#%d", r.Number)}, true, nil
}

func timeCommand(d Deps) bot.Command {
	return bot.Command{
		Name: "time",
		Usage: "/time <45m|1h30|1.5h> [#1234|#P12] [note] [--billable|--non-billable] [--date yesterday|YYYY-MM-DD]" +
			" | /time today | /time week [@name] | /time edit <id> <duration> [\"note\"] | /time delete <id>",
		Summary: "log time as you work; see today or this week; fix an entry",
		MinRole: bot.RoleTech,
		Handler: func(ctx context.Context, ev bot.Event) ([]bot.Message, error) {
			args, err := bot.SplitArgs(ev.Args)
			if err != nil {
				return nil, err
			}
			if len(args) == 0 {
				return timeReport(ctx, d, ev, "today", nil)
			}
			switch strings.ToLower(args[0]) {
			case "today", "week":
				return timeReport(ctx, d, ev, strings.ToLower(args[0]), args[1:])
			case "edit":
				return editTime(ctx, d, ev, args[1:])
			case "delete", "del", "rm":
				return deleteTime(ctx, d, ev, args[1:])
			}
			return logTime(ctx, d, ev, args)
		},
	}
}

func logTime(ctx context.Context, d Deps, ev bot.Event, args []string) ([]bot.Message, error) {
	minutes, err := timekeeping.ParseDuration(args[0])
	if err != nil {
		return nil, err
	}
	now := d.Clock.Now()
	loc := d.location(ev.Caller.Person)
	today := timekeeping.DateOf(now, loc)
	e := bot.TimeEntry{WorkspaceID: ev.Caller.WorkspaceID, PersonID: ev.Caller.ID, Minutes: minutes, Date: today,
		Billable: true, CreatedAt: now}
	var target workTarget
	var note []string
	for i := 1; i < len(args); i++ {
		a := args[i]
		switch strings.ToLower(a) {
		case "--billable":
			e.Billable = true
			continue
		case "--non-billable", "--nonbillable", "--internal":
			e.Billable = false
			continue
		case "--date":
			if i+1 >= len(args) {
				return nil, bot.Errorf(bot.EInvalid, "--date needs a day: yesterday or YYYY-MM-DD")
			}
			i++
			if e.Date, err = timekeeping.ParseDate(args[i], now, loc); err != nil {
				return nil, err
			}
			continue
		}
		if target.Label == "" {
			t, ok, err := parseTarget(ctx, d, ev, a)
			if err != nil {
				return nil, err
			}
			if ok {
				target = t
				continue
			}
		}
		note = append(note, a)
	}
	set, err := d.Store.TimeSettings(ctx, ev.Caller.WorkspaceID)
	if err != nil {
		return nil, err
	}
	if e.Date.After(today) {
		return nil, bot.Errorf(bot.EInvalid, "%s is in the future; log time when it is done", e.Date.Format("2006-01-02"))
	}
	if locked(e.Date, today, set) {
		return nil, bot.Errorf(bot.EForbidden, "%s is locked: time can be logged up to %d days back. Ask a manager.", e.Date.Format("2006-01-02"), set.LockDays)
	}
	e.RequestID, e.ProjectID = target.RequestID, target.ProjectID
	e.Note = strings.Join(note, " ")
	saved, err := d.Store.AddTimeEntry(ctx, e)
	if err != nil {
		return nil, err
	}
	on := ""
	if target.Label != "" {
		on = " on " + target.Label
	}
	day := ""
	if !e.Date.Equal(today) {
		day = " for " + e.Date.Format("Mon 2 Jan")
	}
	total, err := dayTotal(ctx, d, ev.Caller.ID, e.Date)
	if err != nil {
		return nil, err
	}
	bill := ""
	if !e.Billable {
		bill = " (non-billable)"
	}
	return []bot.Message{{Ephemeral: true, Text: fmt.Sprintf("Logged %s%s%s%s — entry %d. %s total that day.",
		timekeeping.FormatMinutes(minutes), on, day, bill, saved.ID, timekeeping.FormatMinutes(total)),
		Actions: []bot.Action{{ID: "time.undo", Label: "Undo", Command: fmt.Sprintf("/time delete %d", saved.ID)}}}}, nil
}

// locked reports whether entries dated date can no longer change.
func locked(date, today time.Time, set bot.TimeSettings) bool {
	return date.Before(today.AddDate(0, 0, -set.LockDays))
}

func dayTotal(ctx context.Context, d Deps, personID int64, date time.Time) (int, error) {
	list, err := d.Store.TimeEntries(ctx, personID, date, date)
	total := 0
	for _, e := range list {
		total += e.Minutes
	}
	return total, err
}

func timeReport(ctx context.Context, d Deps, ev bot.Event, span string, args []string) ([]bot.Message, error) {
	who := ev.Caller.Person
	if len(args) > 0 {
		p, err := findPerson(ctx, d, ev, args[0])
		if err != nil {
			return nil, err
		}
		if p.ID != who.ID && !ev.Caller.Role.AtLeast(bot.RoleCoordinator) {
			return nil, bot.Errorf(bot.EForbidden, "only coordinators and managers see other people's time")
		}
		who = p
	}
	loc := d.location(who)
	today := timekeeping.DateOf(d.Clock.Now(), loc)
	from := today
	if span == "week" {
		from = today.AddDate(0, 0, -((int(today.Weekday()) + 6) % 7)) // Monday
	}
	list, err := d.Store.TimeEntries(ctx, who.ID, from, today)
	if err != nil {
		return nil, err
	}
	var b strings.Builder
	total, billable := 0, 0
	var day time.Time
	for _, e := range list {
		if span == "week" && !e.Date.Equal(day) {
			day = e.Date
			fmt.Fprintf(&b, "%s\n", day.Format("Mon 2 Jan"))
		}
		on := ""
		switch {
		case e.RequestNumber != nil:
			on = fmt.Sprintf("#%d ", *e.RequestNumber)
		case e.ProjectID != nil:
			on = fmt.Sprintf("project %d ", *e.ProjectID)
		}
		nb := ""
		if !e.Billable {
			nb = " (non-billable)"
		} else {
			billable += e.Minutes
		}
		fmt.Fprintf(&b, "  %d  %6s  %s%s%s\n", e.ID, timekeeping.FormatMinutes(e.Minutes), on, e.Note, nb)
		total += e.Minutes
	}
	title := fmt.Sprintf("%s's time today, %s", who.Name, today.Format("Mon 2 Jan"))
	if span == "week" {
		title = fmt.Sprintf("%s's time this week (from %s)", who.Name, from.Format("Mon 2 Jan"))
	}
	if len(list) == 0 {
		b.WriteString("Nothing logged yet. Log with /time 45m #1234 what you did, or /timer start #1234.\n")
	}
	fmt.Fprintf(&b, "Total %s, billable %s.", timekeeping.FormatMinutes(total), timekeeping.FormatMinutes(billable))
	if t, err := d.Store.RunningTimer(ctx, who.ID); err == nil {
		fmt.Fprintf(&b, " Timer running for %s.", timekeeping.FormatMinutes(int(d.Clock.Now().Sub(t.StartedAt).Minutes())))
	} else if bot.ErrorCode(err) != bot.ENotFound {
		return nil, err
	}
	return []bot.Message{{Title: title, Text: b.String(), Ephemeral: true}}, nil
}

// editableEntry reads an entry the caller may change: their own, or any as a
// manager, and not locked.
func editableEntry(ctx context.Context, d Deps, ev bot.Event, arg string) (bot.TimeEntry, error) {
	id, err := strconv.ParseInt(strings.TrimPrefix(arg, "#"), 10, 64)
	if err != nil || id <= 0 {
		return bot.TimeEntry{}, bot.Errorf(bot.EInvalid, "%q is not an entry number; /time today shows them", arg)
	}
	e, err := d.Store.TimeEntryByID(ctx, ev.Caller.WorkspaceID, id)
	if err != nil {
		return e, notFoundAs(err, "there is no time entry %d; /time today shows yours", id)
	}
	if e.PersonID != ev.Caller.ID && ev.Caller.Role != bot.RoleManager {
		return e, bot.Errorf(bot.EForbidden, "entry %d is %s's; only they or a manager can change it", id, e.PersonName)
	}
	set, err := d.Store.TimeSettings(ctx, ev.Caller.WorkspaceID)
	if err != nil {
		return e, err
	}
	loc := d.location(ev.Caller.Person)
	if locked(e.Date, timekeeping.DateOf(d.Clock.Now(), loc), set) {
		return e, bot.Errorf(bot.EForbidden, "entry %d (%s) is locked: entries older than %d days cannot change", id, e.Date.Format("2006-01-02"), set.LockDays)
	}
	return e, nil
}

func editTime(ctx context.Context, d Deps, ev bot.Event, args []string) ([]bot.Message, error) {
	if len(args) < 2 {
		return nil, bot.Errorf(bot.EInvalid, `use /time edit <id> <duration> ["new note"], e.g. /time edit 42 30m`)
	}
	e, err := editableEntry(ctx, d, ev, args[0])
	if err != nil {
		return nil, err
	}
	minutes, err := timekeeping.ParseDuration(args[1])
	if err != nil {
		return nil, err
	}
	var note *string
	if len(args) > 2 {
		n := strings.Join(args[2:], " ")
		note = &n
	}
	e2, err := d.Store.UpdateTimeEntry(ctx, ev.Caller.WorkspaceID, e.ID, minutes, note, d.Clock.Now())
	if err != nil {
		return nil, err
	}
	return reply(fmt.Sprintf("Entry %d is now %s (was %s).", e2.ID, timekeeping.FormatMinutes(e2.Minutes), timekeeping.FormatMinutes(e.Minutes))), nil
}

func deleteTime(ctx context.Context, d Deps, ev bot.Event, args []string) ([]bot.Message, error) {
	if len(args) != 1 {
		return nil, bot.Errorf(bot.EInvalid, "use /time delete <id>; /time today shows the ids")
	}
	e, err := editableEntry(ctx, d, ev, args[0])
	if err != nil {
		return nil, err
	}
	if err := d.Store.DeleteTimeEntry(ctx, ev.Caller.WorkspaceID, e.ID); err != nil {
		return nil, err
	}
	return reply(fmt.Sprintf("Deleted entry %d (%s by %s on %s).", e.ID, timekeeping.FormatMinutes(e.Minutes), e.PersonName, e.Date.Format("2 Jan"))), nil
}

func timerCommand(d Deps) bot.Command {
	return bot.Command{
		Name:    "timer",
		Usage:   `/timer start [#1234|#P12] [note] | /timer stop ["note"] | /timer keep | /timer`,
		Summary: "time work as you do it; stopping logs the entry",
		MinRole: bot.RoleTech,
		Handler: func(ctx context.Context, ev bot.Event) ([]bot.Message, error) {
			args, err := bot.SplitArgs(ev.Args)
			if err != nil {
				return nil, err
			}
			now := d.Clock.Now()
			sub := "status"
			if len(args) > 0 {
				sub, args = strings.ToLower(args[0]), args[1:]
			}
			switch sub {
			case "start":
				t := bot.Timer{PersonID: ev.Caller.ID, WorkspaceID: ev.Caller.WorkspaceID, Billable: true, StartedAt: now}
				var target workTarget
				var note []string
				for _, a := range args {
					if target.Label == "" {
						tg, ok, err := parseTarget(ctx, d, ev, a)
						if err != nil {
							return nil, err
						}
						if ok {
							target = tg
							continue
						}
					}
					if strings.EqualFold(a, "--non-billable") {
						t.Billable = false
						continue
					}
					note = append(note, a)
				}
				t.RequestID, t.ProjectID, t.Note = target.RequestID, target.ProjectID, strings.Join(note, " ")
				if err := d.Store.StartTimer(ctx, t); err != nil {
					if bot.ErrorCode(err) == bot.EConflict {
						return nil, bot.Errorf(bot.EConflict, "a timer is already running; /timer stop logs it first")
					}
					return nil, err
				}
				on := ""
				if target.Label != "" {
					on = " on " + target.Label
				}
				return []bot.Message{{Ephemeral: true, Text: "Timer started" + on + ". /timer stop logs it.",
					Actions: []bot.Action{{ID: "timer.stop", Label: "Stop", Command: "/timer stop"}}}}, nil
			case "stop":
				loc := d.location(ev.Caller.Person)
				running, err := d.Store.RunningTimer(ctx, ev.Caller.ID)
				if err != nil {
					return nil, notFoundAs(err, "no timer is running; start one with /timer start #1234")
				}
				e, err := d.Store.StopTimer(ctx, ev.Caller.ID, strings.Join(args, " "), now, timekeeping.DateOf(running.StartedAt, loc))
				if err != nil {
					return nil, notFoundAs(err, "no timer is running; start one with /timer start #1234")
				}
				on := ""
				if e.RequestNumber != nil {
					on = fmt.Sprintf(" on #%d", *e.RequestNumber)
				}
				return reply(fmt.Sprintf("Timer stopped: logged %s%s — entry %d.", timekeeping.FormatMinutes(e.Minutes), on, e.ID)), nil
			case "keep":
				if err := d.Store.ConfirmTimer(ctx, ev.Caller.ID, now); err != nil {
					return nil, notFoundAs(err, "no timer is running")
				}
				return reply("Got it: the timer keeps running."), nil
			case "status":
				t, err := d.Store.RunningTimer(ctx, ev.Caller.ID)
				if err != nil {
					return nil, notFoundAs(err, "no timer is running; start one with /timer start #1234")
				}
				on := ""
				if t.RequestNumber != nil {
					on = fmt.Sprintf(" on #%d", *t.RequestNumber)
				}
				return reply(fmt.Sprintf("Timer%s running for %s.", on, timekeeping.FormatMinutes(int(now.Sub(t.StartedAt).Minutes())))), nil
			}
			return nil, bot.Errorf(bot.EInvalid, `use /timer start #1234, /timer stop "what you did", or /timer`)
		},
	}
}
