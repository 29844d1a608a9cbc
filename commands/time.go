package commands

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/mspbot/mspbot/bot"
	"github.com/mspbot/mspbot/parse"
	"github.com/mspbot/mspbot/timekeeping"
	"github.com/mspbot/mspbot/timekeeping/timeentry"
)

type timeStore interface {
	AddTimeEntry(ctx context.Context, e bot.TimeEntry) (bot.TimeEntry, error)
	TimeEntryBySource(ctx context.Context, workspaceID int64, key string) (bot.TimeEntry, error)
	TimeEntryByID(ctx context.Context, workspaceID, id int64) (bot.TimeEntry, error)
	EditTimeEntry(ctx context.Context, workspaceID, id int64, c bot.TimeEntryEdit, key string) (bot.TimeEntry, error)
	DayMinutes(ctx context.Context, personID int64, date time.Time) (int, error)
	DeleteTimeEntry(ctx context.Context, workspaceID, id int64, key string) error
	TimeEntries(ctx context.Context, personID int64, from, to time.Time) ([]bot.TimeEntry, error)
	StartTimer(ctx context.Context, t bot.Timer) error
	RunningTimer(ctx context.Context, personID int64) (bot.Timer, error)
	StopTimer(ctx context.Context, personID int64, note, key string, at, date time.Time) (bot.TimeEntry, error)
	DeliveryApplied(ctx context.Context, workspaceID int64, key string) (bool, error)
	ConfirmTimerOnce(ctx context.Context, personID int64, at time.Time, key string) error
	TimeSettings(ctx context.Context, workspaceID int64) (bot.TimeSettings, error)
	SetTimeSettings(ctx context.Context, workspaceID int64, t bot.TimeSettings, key string) error
}

func timeCommand(d Deps) bot.Command {
	// words runs fn on the arguments after the subcommand word.
	words := func(fn func(args []string) ([]bot.Message, error)) bot.Handler {
		return func(ctx context.Context, ev bot.Event) ([]bot.Message, error) {
			args, err := bot.SplitArgs(ev.Args)
			if err != nil {
				return nil, err
			}
			return fn(args)
		}
	}
	report := func(span string) bot.Handler {
		return func(ctx context.Context, ev bot.Event) ([]bot.Message, error) {
			return words(func(args []string) ([]bot.Message, error) { return timeReport(ctx, d, ev, span, args) })(ctx, ev)
		}
	}
	entry := bot.Arg{Name: "entry", Kind: bot.ArgNumber, Help: "the entry's id (/time today shows them)", Required: true}
	return bot.Command{
		Name: "time",
		Usage: "/time <45m|1h 30m|1.5h|0:45> <1001|P12> [note] [--non-billable] [--date yesterday|fri|YYYY-MM-DD]" +
			" | /time today | /time week [@name] | /time edit <id> [duration] [1001|P12] [\"note\"] | /time delete <id>",
		Summary: "log time as you work; see today or this week; fix an entry",
		MinRole: bot.RoleTech,
		Args: []bot.Arg{{Name: "duration", Kind: bot.ArgDuration, Required: true, Help: "how long, e.g. 45m, 1h30 or 0:45"},
			{Name: "on", Kind: bot.ArgRecord, Help: "the request (1001) or project (P12) it is for"},
			{Name: "note", Kind: bot.ArgText, Help: "what you did"},
			{Name: "date", Kind: bot.ArgDate, Flag: true, Help: "the day, if not today: yesterday, fri or 2026-12-05"},
			{Name: "non-billable", Kind: bot.ArgSwitch, Flag: true, Help: "internal time, billed to nobody"}},
		Form: "Log time",
		Handler: func(ctx context.Context, ev bot.Event) ([]bot.Message, error) {
			args, err := bot.SplitArgs(ev.Args)
			if err != nil {
				return nil, err
			}
			if len(args) == 0 {
				return timeReport(ctx, d, ev, "today", nil)
			}
			return logTime(ctx, d, ev, args)
		},
		Subs: []bot.Subcommand{
			{Name: "today", Usage: "/time today [@name]", Summary: "what you (or someone) logged today", MinRole: bot.RoleTech, OthersMinRole: bot.RoleCoordinator,
				Args: []bot.Arg{{Name: "person", Kind: bot.ArgPerson}}, Handler: report("today")},
			{Name: "week", Usage: "/time week [@name]", Summary: "this week's time, day by day", MinRole: bot.RoleTech, OthersMinRole: bot.RoleCoordinator,
				Args: []bot.Arg{{Name: "person", Kind: bot.ArgPerson}}, Handler: report("week")},
			{Name: "edit", Usage: `/time edit <id> [duration] [1001|P12] ["note"]`, Summary: "change an entry's time, what it is on, or its note",
				MinRole: bot.RoleTech, OthersMinRole: bot.RoleManager, OwnedBy: bot.OwnedTimeEntry,
				Args: []bot.Arg{entry, {Name: "duration", Kind: bot.ArgDuration, Help: "the new time, e.g. 1h15"},
					{Name: "on", Kind: bot.ArgRecord, Help: "move it to this request (1001) or project (P12)"},
					{Name: "note", Kind: bot.ArgText, Quoted: true, Help: "the new note"}},
				Handler: func(ctx context.Context, ev bot.Event) ([]bot.Message, error) {
					return words(func(args []string) ([]bot.Message, error) { return editTime(ctx, d, ev, args) })(ctx, ev)
				}},
			{Name: "delete", Aliases: []string{"del", "rm"}, Usage: "/time delete <id>", Summary: "remove an entry", MinRole: bot.RoleTech, OthersMinRole: bot.RoleManager, OwnedBy: bot.OwnedTimeEntry,
				Args: []bot.Arg{entry}, Handler: func(ctx context.Context, ev bot.Event) ([]bot.Message, error) {
					return words(func(args []string) ([]bot.Message, error) { return deleteTime(ctx, d, ev, args) })(ctx, ev)
				}},
		},
	}
}

func logTime(ctx context.Context, d Deps, ev bot.Event, args []string) ([]bot.Message, error) {
	minutes, used, err := timeentry.LeadingDuration(args)
	if err != nil {
		return nil, err
	}
	now := d.Clock.Now()
	loc := d.location(ev.Caller.Person)
	today := timekeeping.DateOf(now, loc)
	if ev.SourceID != "" {
		// The same delivery handled again (the bot died after the entry was
		// stored, before its inbox row was marked done): answer with the
		// entry it logged, and log nothing.
		prev, err := d.Store.TimeEntryBySource(ctx, ev.Caller.WorkspaceID, ev.SourceID)
		if err == nil {
			return loggedReply(ctx, d, prev, today)
		}
		if !errors.Is(err, bot.ErrNotFound) {
			return nil, err
		}
		if done, err := d.Store.DeliveryApplied(ctx, ev.Caller.WorkspaceID, ev.SourceID); err != nil {
			return nil, err
		} else if done {
			return reply("That /time was logged already; its entry has since been deleted."), nil
		}
	}
	e := bot.TimeEntry{WorkspaceID: ev.Caller.WorkspaceID, PersonID: ev.Caller.ID, Minutes: minutes, Date: today,
		Billable: true, CreatedAt: now, SourceKey: ev.SourceID}
	var target workTarget
	var note []string
	saidBillable := false
	for i := used; i < len(args); i++ {
		a := args[i]
		switch flag, val, hasVal := strings.Cut(strings.ToLower(a), "="); flag {
		case "--billable":
			e.Billable, saidBillable = true, true
			continue
		case "--non-billable", "--nonbillable", "--internal":
			e.Billable = false
			continue
		case "--date":
			if !hasVal {
				if i+1 >= len(args) {
					return nil, bot.Errorf(bot.EInvalid, "--date needs a day: yesterday, a weekday (mon) or YYYY-MM-DD")
				}
				i++
				val = args[i]
			}
			if e.Date, err = parse.Date(val, today, parse.Past); err != nil {
				return nil, err
			}
			continue
		}
		// The word right after the duration is a reference when it is written as
		// one (1001, #1001, P12); later, only a word starting with # is. Either
		// way it must name something that exists.
		if target.Label == "" && len(note) == 0 && parse.LooksLikeRef(a) ||
			target.Label == "" && strings.HasPrefix(a, "#") && parse.LooksLikeRef(a) {
			if target, err = resolveTarget(ctx, d, ev, a); err != nil {
				return nil, err
			}
			continue
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
	if timeentry.Locked(e.Date, today, set.LockDays) {
		return nil, bot.Errorf(bot.EForbidden, "%s is locked: time can be logged up to %d days back. Ask a manager.", e.Date.Format("2006-01-02"), set.LockDays)
	}
	if target.Label == "" && e.Billable {
		hint := "/time " + timekeeping.FormatMinutes(minutes) + " #1001 what you did (or P12 for a project)"
		if saidBillable {
			return nil, bot.Errorf(bot.EInvalid, "billable time needs a request or project: %s", hint)
		}
		return nil, bot.Errorf(bot.EInvalid, "say what the time is for: %s; time billed to nobody is --non-billable", hint)
	}
	if err := fitsDay(ctx, d, ev.Caller.ID, e.Date, minutes, loc, now); err != nil {
		return nil, err
	}
	e.RequestID, e.ProjectID = target.RequestID, target.ProjectID
	e.Note = strings.Join(note, " ")
	saved, err := d.Store.AddTimeEntry(ctx, e)
	if errors.Is(err, bot.ErrReplayed) {
		return reply("That /time was logged already; its entry has since been deleted."), nil
	}
	if err != nil {
		return nil, err
	}
	return loggedReply(ctx, d, saved, today)
}

// loggedReply tells what an entry logged, from the stored entry, so a
// delivery handled twice gets the same answer both times.
func loggedReply(ctx context.Context, d Deps, saved bot.TimeEntry, today time.Time) ([]bot.Message, error) {
	on := ""
	switch {
	case saved.RequestNumber != nil:
		on = " on " + parse.RequestRef(*saved.RequestNumber)
	case saved.ProjectNumber != nil:
		on = " on " + parse.ProjectRef(*saved.ProjectNumber)
	}
	day := ""
	if !saved.Date.Equal(today) {
		day = " for " + saved.Date.Format("Mon 2 Jan")
	}
	total, err := d.Store.DayMinutes(ctx, saved.PersonID, saved.Date)
	if err != nil {
		return nil, err
	}
	bill := ""
	if !saved.Billable {
		bill = " (non-billable)"
	}
	return []bot.Message{{Ephemeral: true, Text: fmt.Sprintf("Logged %s%s%s%s — entry %d. %s total that day.",
		timekeeping.FormatMinutes(saved.Minutes), on, day, bill, saved.ID, timekeeping.FormatMinutes(total)),
		Actions: []bot.Action{{ID: "time.undo", Label: "Undo", Command: fmt.Sprintf("/time delete %d", saved.ID)}}}}, nil
}

// fitsDay refuses time that would take a person's day past 24h, counting what
// is logged and a timer running since that day. The database holds the same
// line for stored entries (migration 00130); this says it with the timer.
func fitsDay(ctx context.Context, d Deps, personID int64, date time.Time, minutes int, loc *time.Location, now time.Time) error {
	logged, err := d.Store.DayMinutes(ctx, personID, date)
	if err != nil {
		return err
	}
	running := 0
	if t, err := d.Store.RunningTimer(ctx, personID); err == nil {
		running = timeentry.Running(t.StartedAt, date, now, loc)
	} else if bot.ErrorCode(err) != bot.ENotFound {
		return err
	}
	return timeentry.FitsDay(date, logged, running, minutes)
}

func timeReport(ctx context.Context, d Deps, ev bot.Event, span string, args []string) ([]bot.Message, error) {
	who := ev.Caller.Person
	if len(args) > 0 {
		// Seeing someone else's time is for coordinators and above: the table
		// says so (OthersMinRole) and the Router enforces it before this runs.
		p, err := findPerson(ctx, d, ev, args[0])
		if err != nil {
			return nil, err
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
		on := targetLabel(e.RequestNumber, e.ProjectNumber)
		if on != "" {
			on += " "
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

// editableEntry reads an entry that is not locked. Whose entries the caller
// may change (their own, or anyone's as a manager) is the table's rule
// (OwnedBy, OthersMinRole), enforced by the Router before this runs.
func editableEntry(ctx context.Context, d Deps, ev bot.Event, arg string) (bot.TimeEntry, error) {
	id, err := strconv.ParseInt(strings.TrimPrefix(arg, "#"), 10, 64)
	if err != nil || id <= 0 {
		return bot.TimeEntry{}, bot.Errorf(bot.EInvalid, "%q is not an entry number; /time today shows them", arg)
	}
	e, err := d.Store.TimeEntryByID(ctx, ev.Caller.WorkspaceID, id)
	if err != nil {
		return e, notFoundAs(err, "there is no time entry %d; /time today shows yours", id)
	}
	set, err := d.Store.TimeSettings(ctx, ev.Caller.WorkspaceID)
	if err != nil {
		return e, err
	}
	loc := d.location(ev.Caller.Person)
	if timeentry.Locked(e.Date, timekeeping.DateOf(d.Clock.Now(), loc), set.LockDays) {
		return e, bot.Errorf(bot.EForbidden, "entry %d (%s) is locked: entries older than %d days cannot change", id, e.Date.Format("2006-01-02"), set.LockDays)
	}
	return e, nil
}

const editUsage = `use /time edit <id> [duration] [#1001|P12] ["new note"], e.g. /time edit 42 30m, /time edit 42 #1002`

// editTime changes an entry's duration, what it is logged on, and/or its note.
func editTime(ctx context.Context, d Deps, ev bot.Event, args []string) ([]bot.Message, error) {
	if len(args) < 2 {
		return nil, bot.Errorf(bot.EInvalid, editUsage)
	}
	// Handled again after a crash: the edit was made, and a later edit or
	// the lock since must not change the answer.
	if id, err := strconv.ParseInt(strings.TrimPrefix(args[0], "#"), 10, 64); err == nil {
		if again, err := replayedDelivery(ctx, d, ev); err != nil {
			return nil, err
		} else if again {
			return editedBefore(ctx, d, ev, id)
		}
	}
	e, err := editableEntry(ctx, d, ev, args[0])
	if err != nil {
		return nil, err
	}
	c := bot.TimeEntryEdit{At: d.Clock.Now()}
	rest := args[1:]
	if m, used, err := timeentry.LeadingDuration(rest); err == nil {
		c.Minutes, rest = m, rest[used:]
	} else if r := rest[0]; r[0] >= '0' && r[0] <= '9' && !parse.LooksLikeRef(r) {
		return nil, err // a duration mistyped (1h90), not a note
	}
	var target workTarget
	if len(rest) > 0 && parse.LooksLikeRef(rest[0]) {
		if target, err = resolveTarget(ctx, d, ev, rest[0]); err != nil {
			return nil, err
		}
		c.Move, c.RequestID, c.ProjectID, rest = true, target.RequestID, target.ProjectID, rest[1:]
	}
	if len(rest) > 0 {
		n := strings.Join(rest, " ")
		c.Note = &n
	}
	e2, err := d.Store.EditTimeEntry(ctx, ev.Caller.WorkspaceID, e.ID, c, ev.SourceID)
	if errors.Is(err, bot.ErrReplayed) {
		return editedBefore(ctx, d, ev, e.ID)
	}
	if err != nil {
		return nil, err
	}
	var changes []string
	if c.Minutes > 0 {
		changes = append(changes, fmt.Sprintf("is now %s (was %s)", timekeeping.FormatMinutes(e2.Minutes), timekeeping.FormatMinutes(e.Minutes)))
	}
	if c.Move {
		was := targetLabel(e.RequestNumber, e.ProjectNumber)
		if was == "" {
			was = "nothing"
		}
		changes = append(changes, fmt.Sprintf("is on %s (was %s)", target.Label, was))
	}
	if c.Note != nil {
		changes = append(changes, fmt.Sprintf("reads %q", *c.Note))
	}
	return reply(fmt.Sprintf("Entry %d %s.", e2.ID, strings.Join(changes, ", "))), nil
}

// editedBefore answers a /time edit handled again: the entry as it is now,
// never "was 30m" about the edit's own 30m.
func editedBefore(ctx context.Context, d Deps, ev bot.Event, id int64) ([]bot.Message, error) {
	e, err := d.Store.TimeEntryByID(ctx, ev.Caller.WorkspaceID, id)
	if errors.Is(err, bot.ErrNotFound) {
		return reply(fmt.Sprintf("This /time edit was handled already; entry %d has since been deleted.", id)), nil
	}
	if err != nil {
		return nil, err
	}
	on := targetLabel(e.RequestNumber, e.ProjectNumber)
	if on != "" {
		on = " on " + on
	}
	return reply(fmt.Sprintf("Entry %d is %s%s, reading %q (this /time edit was handled already).",
		e.ID, timekeeping.FormatMinutes(e.Minutes), on, e.Note)), nil
}

func deleteTime(ctx context.Context, d Deps, ev bot.Event, args []string) ([]bot.Message, error) {
	if len(args) != 1 {
		return nil, bot.Errorf(bot.EInvalid, "use /time delete <id>; /time today shows the ids")
	}
	if ev.SourceID != "" {
		// Handled again after a crash: the entry is gone already, by this command.
		if done, err := d.Store.DeliveryApplied(ctx, ev.Caller.WorkspaceID, ev.SourceID); err != nil {
			return nil, err
		} else if done {
			return reply(fmt.Sprintf("Deleted entry %s (this /time delete was handled already).", args[0])), nil
		}
	}
	e, err := editableEntry(ctx, d, ev, args[0])
	if err != nil {
		return nil, err
	}
	if err := d.Store.DeleteTimeEntry(ctx, ev.Caller.WorkspaceID, e.ID, ev.SourceID); errors.Is(err, bot.ErrReplayed) {
		return reply(fmt.Sprintf("Deleted entry %d (this /time delete was handled already).", e.ID)), nil
	} else if err != nil {
		return nil, err
	}
	return reply(fmt.Sprintf("Deleted entry %d (%s by %s on %s).", e.ID, timekeeping.FormatMinutes(e.Minutes), e.PersonName, e.Date.Format("2 Jan"))), nil
}
