package commands

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/mspbot/mspbot/bot"
	"github.com/mspbot/mspbot/parse"
	"github.com/mspbot/mspbot/timekeeping"
)

// scheduleStore's setters take the delivery's key (bot.Event.SourceID): the
// same delivery handled again is bot.ErrReplayed and changes nothing, so a
// later change stands; the commands then answer as the first time.
type scheduleStore interface {
	Schedule(ctx context.Context, personID int64) (bot.ScheduleRow, error)
	SetHoursOnce(ctx context.Context, personID int64, start, end, days int, timezone, key string) error
	SetAwayOnce(ctx context.Context, personID int64, from, until time.Time, key string) error
	SetBack(ctx context.Context, personID int64, key string) error
	SetOffToday(ctx context.Context, personID int64, date, at time.Time, key string) error
	Snooze(ctx context.Context, personID int64, at, until time.Time, answer, key string) error
	SetManagerOnce(ctx context.Context, personID int64, managerID *int64, key string) error
	SetDigestTimeOnce(ctx context.Context, personID int64, at int, key string) error
}

// scheduleTarget reads whom a schedule command is for: "/hours @tom
// 08:00-16:00 mon-fri". Who may act for someone else is the table's rule
// (OthersMinRole: managers), enforced by the Router before this runs.
func scheduleTarget(ctx context.Context, d Deps, ev bot.Event, args []string) (bot.Person, []string, error) {
	if len(args) > 0 && (strings.HasPrefix(args[0], "@") || mention.MatchString(args[0])) {
		p, err := findPerson(ctx, d, ev, args[0])
		return p, args[1:], err
	}
	return ev.Caller.Person, args, nil
}

func describeSchedule(p bot.Person, r bot.ScheduleRow, def *time.Location, now time.Time) string {
	s := timekeeping.ScheduleOf(r, def)
	text := fmt.Sprintf("%s works %s.", p.Name, s)
	today := timekeeping.DateOf(now, s.Loc)
	if r.AwayUntil != nil && !r.AwayUntil.Before(today) {
		text += fmt.Sprintf(" Away %s to %s.", r.AwayFrom.Format("2 Jan"), r.AwayUntil.Format("2 Jan 2006"))
	}
	if r.OffDate != nil && r.OffDate.Equal(today) {
		text += " Off today."
	}
	if r.ManagerName != "" {
		text += " Manager: " + r.ManagerName + "."
	}
	if p.Role == bot.RoleManager {
		text += " Daily digest at " + timekeeping.ClockTime(r.DigestAt).String() + "."
	}
	return text
}

func hoursCommand(d Deps) bot.Command {
	return bot.Command{
		Name:    "hours",
		Usage:   "/hours [@person] [08:00-16:30 mon-fri [Europe/London]] | /hours digest 07:30",
		Summary: "show or set working hours, days and timezone (nudges and digests follow them)",
		MinRole: bot.RoleTech,
		Args: []bot.Arg{{Name: "person", Kind: bot.ArgPerson, Help: "whose hours (default: yours)"},
			{Name: "hours", Kind: bot.ArgWord, Help: "working hours, e.g. 08:00-16:30"},
			{Name: "days", Kind: bot.ArgWord, Help: "working days, e.g. mon-fri (default)"},
			{Name: "timezone", Kind: bot.ArgWord, Help: "e.g. Europe/London"},
			{Name: "digest", Kind: bot.ArgClock, Keyword: true, Help: "a manager's daily digest time, e.g. 07:30"}},
		// Setting someone else's schedule is a manager's.
		OthersMinRole: bot.RoleManager,
		Handler: func(ctx context.Context, ev bot.Event) ([]bot.Message, error) {
			args, err := bot.SplitArgs(ev.Args)
			if err != nil {
				return nil, err
			}
			p, args, err := scheduleTarget(ctx, d, ev, args)
			if err != nil {
				return nil, err
			}
			if len(args) == 2 && strings.EqualFold(args[0], "digest") {
				if p.Role != bot.RoleManager {
					return nil, bot.Errorf(bot.EInvalid, "the daily digest is for managers")
				}
				at, err := timekeeping.ParseClockTime(args[1])
				if err != nil {
					return nil, err
				}
				if err := d.Store.SetDigestTimeOnce(ctx, p.ID, int(at), ev.SourceID); err != nil && !errors.Is(err, bot.ErrReplayed) {
					return nil, err
				}
				return reply(fmt.Sprintf("%s's daily digest comes at %s on working days.", p.Name, at)), nil
			}
			if len(args) > 0 {
				if len(args) > 3 {
					return nil, bot.Errorf(bot.EInvalid, "use /hours 08:00-16:30 mon-fri [Europe/London]")
				}
				start, end, err := timekeeping.ParseSpan(args[0])
				if err != nil {
					return nil, err
				}
				days := timekeeping.MonFri
				if len(args) > 1 {
					if days, err = timekeeping.ParseWeekdays(args[1]); err != nil {
						return nil, err
					}
				}
				tz := ""
				if len(args) > 2 {
					loc, err := timekeeping.LoadLocation(args[2])
					if err != nil {
						return nil, err
					}
					tz = loc.String()
				}
				if err := d.Store.SetHoursOnce(ctx, p.ID, int(start), int(end), int(days), tz, ev.SourceID); err != nil && !errors.Is(err, bot.ErrReplayed) {
					return nil, err
				}
			}
			r, err := d.Store.Schedule(ctx, p.ID)
			if err != nil {
				return nil, err
			}
			return reply(describeSchedule(p, r, d.location(p), d.Clock.Now())), nil
		},
	}
}

func awayCommand(d Deps) bot.Command {
	return bot.Command{
		Name:    "away",
		Usage:   "/away [@person] until 2026-12-02 | /away 2026-12-01 2026-12-05 | /away today",
		Summary: "out of office: no nudges, not counted as a gap",
		MinRole: bot.RoleTech,
		Args: []bot.Arg{{Name: "person", Kind: bot.ArgPerson, Help: "who is away (default: you)"},
			{Name: "when", Kind: bot.ArgText, Required: true, Help: "until 2026-12-02, 2026-12-01 2026-12-05, or today"}},
		// Setting someone else's schedule is a manager's.
		OthersMinRole: bot.RoleManager,
		Handler: func(ctx context.Context, ev bot.Event) ([]bot.Message, error) {
			args, err := bot.SplitArgs(ev.Args)
			if err != nil {
				return nil, err
			}
			p, args, err := scheduleTarget(ctx, d, ev, args)
			if err != nil {
				return nil, err
			}
			now := d.Clock.Now()
			loc := d.location(p)
			today := timekeeping.DateOf(now, loc)
			usage := bot.Errorf(bot.EInvalid, "use /away until 2026-12-02, /away 2026-12-01 2026-12-05 or /away today")
			var from, until time.Time
			switch {
			case len(args) == 1 && strings.EqualFold(args[0], "today"):
				// Replayed: this delivery's day off stands; the same answer.
				if err := d.Store.SetOffToday(ctx, p.ID, today, now, ev.SourceID); err != nil && !errors.Is(err, bot.ErrReplayed) {
					return nil, err
				}
				return reply(fmt.Sprintf("Enjoy your day off, %s: no nudges until tomorrow.", p.Name)), nil
			case len(args) == 2 && strings.EqualFold(args[0], "until"):
				from = today
				if until, err = parse.Date(args[1], today, parse.Future); err != nil {
					return nil, err
				}
			case len(args) == 2:
				if from, err = parse.Date(args[0], today, parse.Future); err != nil {
					return nil, err
				}
				if until, err = parse.Date(args[1], today, parse.Future); err != nil {
					return nil, err
				}
			default:
				return nil, usage
			}
			if until.Before(from) {
				return nil, bot.Errorf(bot.EInvalid, "%s is before %s", until.Format("2006-01-02"), from.Format("2006-01-02"))
			}
			if until.Before(today) {
				return nil, bot.Errorf(bot.EInvalid, "%s has passed", until.Format("2006-01-02"))
			}
			if err := d.Store.SetAwayOnce(ctx, p.ID, from, until, ev.SourceID); err != nil && !errors.Is(err, bot.ErrReplayed) {
				return nil, err
			}
			return reply(fmt.Sprintf("%s is away %s to %s (inclusive): no nudges. /back ends it early.",
				p.Name, from.Format("Mon 2 Jan"), until.Format("Mon 2 Jan 2006"))), nil
		},
	}
}

func backCommand(d Deps) bot.Command {
	return bot.Command{
		Name:    "back",
		Usage:   "/back [@person]",
		Args:    []bot.Arg{{Name: "person", Kind: bot.ArgPerson, Help: "who is back (default: you)"}},
		Summary: "end an out-of-office period or day off",
		MinRole: bot.RoleTech,
		// Setting someone else's schedule is a manager's.
		OthersMinRole: bot.RoleManager,
		Handler: func(ctx context.Context, ev bot.Event) ([]bot.Message, error) {
			args, err := bot.SplitArgs(ev.Args)
			if err != nil {
				return nil, err
			}
			p, _, err := scheduleTarget(ctx, d, ev, args)
			if err != nil {
				return nil, err
			}
			if err := d.Store.SetBack(ctx, p.ID, ev.SourceID); err != nil && !errors.Is(err, bot.ErrReplayed) {
				return nil, err
			}
			return reply(fmt.Sprintf("Welcome back, %s.", p.Name)), nil
		},
	}
}

func snoozeCommand(d Deps) bot.Command {
	return bot.Command{
		Name:    "snooze",
		Usage:   "/snooze 30m|2h",
		Summary: "hold time nudges for a while",
		MinRole: bot.RoleTech,
		Args:    []bot.Arg{{Name: "for", Kind: bot.ArgDuration, Help: "how long, e.g. 30m or 2h (default 30m, at most 8h)"}},
		Handler: func(ctx context.Context, ev bot.Event) ([]bot.Message, error) {
			arg := strings.TrimSpace(ev.Args)
			if arg == "" {
				arg = "30m"
			}
			m, err := parse.DurationUpTo(arg, 8*60, "snooze for at most 8h, or use /away for longer")
			if err != nil {
				return nil, err
			}
			now := d.Clock.Now()
			until := now.Add(time.Duration(m) * time.Minute)
			loc := d.location(ev.Caller.Person)
			err = d.Store.Snooze(ctx, ev.Caller.ID, now, until, "snooze "+timekeeping.FormatMinutes(m), ev.SourceID)
			if errors.Is(err, bot.ErrReplayed) {
				// The same click or command handled again (after a crash): the
				// snooze it set stands, unmoved.
				if s, err := d.Store.Schedule(ctx, ev.Caller.ID); err == nil && s.SnoozedUntil != nil {
					until = *s.SnoozedUntil
				}
				err = nil
			}
			if err != nil {
				return nil, err
			}
			return reply(fmt.Sprintf("Snoozed until %s.", until.In(loc).Format("15:04"))), nil
		},
	}
}

func managerCommand(d Deps) bot.Command {
	return bot.Command{
		Name:    "manager",
		Usage:   "/manager @tech @manager | /manager @tech none | /manager @tech",
		Summary: "set who a tech's manager is (escalations and digests go to them)",
		MinRole: bot.RoleManager,
		Args: []bot.Arg{{Name: "tech", Kind: bot.ArgPerson, Required: true, Help: "whose manager (alone: show it)"},
			{Name: "manager", Kind: bot.ArgPerson, Help: "their manager"},
			{Name: "none", Kind: bot.ArgSwitch, Help: "they have no manager"}},
		Handler: func(ctx context.Context, ev bot.Event) ([]bot.Message, error) {
			args, err := bot.SplitArgs(ev.Args)
			if err != nil {
				return nil, err
			}
			if len(args) == 0 || len(args) > 2 {
				return nil, bot.Errorf(bot.EInvalid, "use /manager @tom @dana")
			}
			tech, err := findPerson(ctx, d, ev, args[0])
			if err != nil {
				return nil, err
			}
			if len(args) == 2 {
				var mgr *int64
				if !strings.EqualFold(args[1], "none") {
					m, err := findPerson(ctx, d, ev, args[1])
					if err != nil {
						return nil, err
					}
					if m.Role != bot.RoleManager {
						return nil, bot.Errorf(bot.EInvalid, "%s is a %s, not a manager; /role @%s manager first", m.Name, m.Role, m.Name)
					}
					if m.ID == tech.ID {
						return nil, bot.Errorf(bot.EInvalid, "nobody manages themselves")
					}
					mgr = &m.ID
				}
				if err := d.Store.SetManagerOnce(ctx, tech.ID, mgr, ev.SourceID); err != nil && !errors.Is(err, bot.ErrReplayed) {
					return nil, err
				}
			}
			r, err := d.Store.Schedule(ctx, tech.ID)
			if err != nil {
				return nil, err
			}
			return reply(fmt.Sprintf("%s's manager: %s.", tech.Name, bot.FirstNonEmpty(r.ManagerName, "none"))), nil
		},
	}
}

func teamCommand(d Deps) bot.Command {
	return bot.Command{
		Name:    "team",
		Usage:   "/team [gap 90m | lock 7 | timer 4h | escalate 3]",
		Summary: "the team's time rules: allowed gap, edit lock (days), timer check, nudges before escalation",
		MinRole: bot.RoleTech,
		Handler: func(ctx context.Context, ev bot.Event) ([]bot.Message, error) {
			args, err := bot.SplitArgs(ev.Args)
			if err != nil {
				return nil, err
			}
			set, err := d.Store.TimeSettings(ctx, ev.Caller.WorkspaceID)
			if err != nil {
				return nil, err
			}
			if len(args) > 0 {
				// Only managers get here with words: teamTable declares gap, lock,
				// timer and escalate as managers' and the Router enforces it.
				if len(args) != 2 {
					return nil, bot.Errorf(bot.EInvalid, "use /team gap 90m, /team lock 7, /team timer 4h or /team escalate 3")
				}
				n := 0
				switch strings.ToLower(args[0]) {
				case "gap", "timer":
					if n, err = parse.Duration(args[1]); err != nil {
						return nil, err
					}
				case "lock", "escalate":
					if _, err := fmt.Sscanf(strings.TrimSuffix(args[1], "d"), "%d", &n); err != nil || n < 0 {
						return nil, bot.Errorf(bot.EInvalid, "%q is not a whole number", args[1])
					}
				default:
					return nil, bot.Errorf(bot.EInvalid, "use /team gap 90m, /team lock 7, /team timer 4h or /team escalate 3")
				}
				switch strings.ToLower(args[0]) {
				case "gap":
					set.GapMinutes = n
				case "timer":
					set.TimerLimitMinutes = n
				case "lock":
					set.LockDays = n
				case "escalate":
					set.EscalateAfter = n
				}
				if err := d.Store.SetTimeSettings(ctx, ev.Caller.WorkspaceID, set, ev.SourceID); err != nil && !errors.Is(err, bot.ErrReplayed) {
					if bot.ErrorCode(err) == bot.EInternal {
						return nil, bot.Errorf(bot.EInvalid, "out of range: gap 15m-8h, lock 0-366 days, timer 30m-24h, escalate 1-20")
					}
					return nil, err
				}
			}
			return reply(fmt.Sprintf("Allowed gap %s; entries lock after %d days; timers checked after %s; %d unanswered nudges escalate.",
				timekeeping.FormatMinutes(set.GapMinutes), set.LockDays, timekeeping.FormatMinutes(set.TimerLimitMinutes), set.EscalateAfter)), nil
		},
	}
}
