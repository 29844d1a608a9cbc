package commands

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/mspbot/mspbot/bot"
	"github.com/mspbot/mspbot/parse"
	"github.com/mspbot/mspbot/timekeeping"
)

type slaStore interface {
	CreateClientOnce(ctx context.Context, workspaceID int64, code, name, key string) (bot.Client, error)
	ListClients(ctx context.Context, workspaceID int64) ([]bot.Client, error)
	SetSLATargetOnce(ctx context.Context, clientID int64, t bot.SLATarget, key string) error
	SetSLACalendarOnce(ctx context.Context, clientID int64, c bot.SLACalendarRow, key string) error
	ClientSLA(ctx context.Context, clientID int64) ([]bot.SLATarget, bot.SLACalendarRow, error)
	BreachCount(ctx context.Context, clientID int64, since time.Time) (int, error)
	SetPriorityOnce(ctx context.Context, workspaceID, number int64, priority, key string) error
	RecordStaffReply(ctx context.Context, requestID int64, at time.Time) error
	WaitOnClient(ctx context.Context, requestID, byID int64, at time.Time, key string) error
	ResumeFromClient(ctx context.Context, requestID int64, at time.Time, key string) error
	RequestSLAClock(ctx context.Context, requestID int64) (bot.SLAClock, error)
}

func clientCommand(d Deps) bot.Command {
	return bot.Command{
		Name:    "client",
		Usage:   `/client | /client add ACME "Acme Corp" | /client ACME | /client sla ACME P1 15m 4h | /client hours ACME 24x7|08:00-18:00 mon-fri [TZ]`,
		Summary: "list or add clients; set a client's SLA targets per priority and business hours",
		MinRole: bot.RoleCoordinator,
		Handler: func(ctx context.Context, ev bot.Event) ([]bot.Message, error) {
			args, err := bot.SplitArgs(ev.Args)
			if err != nil {
				return nil, err
			}
			usage := bot.Errorf(bot.EInvalid, `use /client, /client add ACME "Acme Corp", /client ACME, /client sla ACME P1 15m 4h, or /client hours ACME 08:00-18:00 mon-fri Europe/London`)
			if len(args) == 0 || len(args) == 2 && strings.EqualFold(args[0], "page") {
				return listClients(ctx, d, ev.Caller.WorkspaceID, args)
			}
			sub := strings.ToLower(args[0])
			if sub == "add" {
				return addClient(ctx, d, ev, args[1:])
			}
			// /client sla and /client hours are managers': the table says so
			// (clientTable) and the Router enforces it before this runs.
			switch {
			case sub == "sla" && len(args) == 5:
				prio, err := timekeeping.ParsePriority(args[2])
				if err != nil {
					return nil, err
				}
				resp, err := parse.DurationUpTo(args[3], 90*24*60, "give a response target under 90 days")
				if err != nil {
					return nil, err
				}
				resol, err := parseLongDuration(args[4])
				if err != nil {
					return nil, err
				}
				if resol < resp {
					return nil, bot.Errorf(bot.EInvalid, "resolution (%s) cannot be shorter than response (%s)", args[4], args[3])
				}
				c, err := knownClient(ctx, d, ev.Caller.WorkspaceID, args[1])
				if err != nil {
					return nil, err
				}
				// Handled again (ErrReplayed): set the first time; a target
				// changed since stands.
				if err := d.Store.SetSLATargetOnce(ctx, c.ID, bot.SLATarget{Priority: prio, ResponseMinutes: resp, ResolutionMinutes: resol}, ev.SourceID); err != nil && !errors.Is(err, bot.ErrReplayed) {
					return nil, err
				}
				return showClientSLA(ctx, d, c)
			case sub == "hours" && len(args) >= 3:
				cal, err := timekeeping.ParseCalendar(args[2:], d.location(bot.Person{}))
				if err != nil {
					return nil, err
				}
				c, err := knownClient(ctx, d, ev.Caller.WorkspaceID, args[1])
				if err != nil {
					return nil, err
				}
				row := bot.SLACalendarRow{Always: cal.Always, DayStart: int(cal.Start), DayEnd: int(cal.End), Days: int(cal.Days)}
				if !cal.Always {
					row.Timezone = cal.Loc.String()
				}
				if err := d.Store.SetSLACalendarOnce(ctx, c.ID, row, ev.SourceID); err != nil && !errors.Is(err, bot.ErrReplayed) {
					return nil, err
				}
				return showClientSLA(ctx, d, c)
			case len(args) == 1 && sub != "sla" && sub != "hours":
				c, err := knownClient(ctx, d, ev.Caller.WorkspaceID, args[0])
				if err != nil {
					return nil, err
				}
				return showClientSLA(ctx, d, c)
			}
			return nil, usage
		},
	}
}

// clientCode is what a client code may look like: short, no spaces, so it reads
// well in commands ("/request --client ACME").
var clientCode = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$`)

func addClient(ctx context.Context, d Deps, ev bot.Event, args []string) ([]bot.Message, error) {
	if len(args) == 0 || len(args) > 2 || !clientCode.MatchString(args[0]) {
		return nil, bot.Errorf(bot.EInvalid, `use /client add ACME "Acme Corp": a code of up to 32 letters, digits, ".", "-" or "_", then the full name`)
	}
	name := args[0]
	if len(args) == 2 && strings.TrimSpace(args[1]) != "" {
		name = strings.TrimSpace(args[1])
	}
	if len([]rune(name)) > 120 {
		return nil, bot.Errorf(bot.EInvalid, "a client name is at most 120 characters")
	}
	c, err := d.Store.CreateClientOnce(ctx, ev.Caller.WorkspaceID, args[0], name, ev.SourceID)
	if errors.Is(err, bot.ErrReplayed) {
		err = nil // added by this very delivery before a crash: the same answer
	}
	if bot.ErrorCode(err) == bot.EConflict {
		return nil, bot.Errorf(bot.EConflict, "there is already a client %s; /client %s shows it", args[0], args[0])
	}
	if err != nil {
		return nil, err
	}
	return reply(fmt.Sprintf("Client %s (%s) added. Next: /client sla %s P1 15m 4h, /contract %s covers \"patching\", /mspbot client link %s in their channel.",
		c.Code, c.Name, c.Code, c.Code, c.Code)), nil
}

func listClients(ctx context.Context, d Deps, ws int64, args []string) ([]bot.Message, error) {
	_, pg, err := cutPage(args, "/client")
	if err != nil {
		return nil, err
	}
	all, err := d.Store.ListClients(ctx, ws)
	if err != nil {
		return nil, err
	}
	list, ok := pageOf(pg, all)
	if !ok {
		return []bot.Message{pg.pastEnd(len(all), "client", "clients")}, nil
	}
	if len(list) == 0 {
		return reply(`No clients yet. Add one with /client add ACME "Acme Corp".`), nil
	}
	var b strings.Builder
	for _, c := range list {
		fmt.Fprintf(&b, "%-10s %s\n", c.Code, c.Name)
	}
	m := bot.Message{Title: fmt.Sprintf("%d %s", len(all), plural(len(all), "client", "clients")), Text: strings.TrimRight(b.String(), "\n"), Ephemeral: true}
	pg.decorate(&m, len(list), len(all))
	return []bot.Message{m}, nil
}

// parseLongDuration reads a resolution target, which may run to days: 4h, 2d, 3d12h.
func parseLongDuration(s string) (int, error) {
	return parse.LongDuration(s, 90*24*60, "give a resolution target of 90 days or less")
}

func showClientSLA(ctx context.Context, d Deps, c bot.Client) ([]bot.Message, error) {
	targets, cal, err := d.Store.ClientSLA(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	breaches, err := d.Store.BreachCount(ctx, c.ID, d.Clock.Now().AddDate(0, 0, -30))
	if err != nil {
		return nil, err
	}
	var b strings.Builder
	if len(targets) == 0 {
		b.WriteString("No targets yet: /client sla " + c.Code + " P1 15m 4h\n")
	}
	for _, t := range targets {
		fmt.Fprintf(&b, "%s: respond within %s, resolve within %s\n", t.Priority,
			timekeeping.FormatMinutes(t.ResponseMinutes), timekeeping.FormatMinutes(t.ResolutionMinutes))
	}
	fmt.Fprintf(&b, "Clock runs %s. Breaches in the last 30 days: %d.", timekeeping.CalendarOf(cal, d.location(bot.Person{})), breaches)
	return []bot.Message{{Title: c.Code + " SLA", Text: b.String(), Ephemeral: true}}, nil
}

// requestSLASubcommand handles /request priority|wait|resume|sla <n>; ok false
// means the line is not one of them.
func requestSLASubcommand(ctx context.Context, d Deps, ev bot.Event) ([]bot.Message, bool, error) {
	args, err := bot.SplitArgs(ev.Args)
	if err != nil || len(args) < 2 || !isNumber(args[1]) {
		return nil, false, nil
	}
	sub := strings.ToLower(args[0])
	switch sub {
	case "priority", "wait", "resume", "sla":
	default:
		return nil, false, nil
	}
	r, err := visibleRequest(ctx, d, ev, args[1])
	if err != nil {
		return nil, true, err
	}
	now := d.Clock.Now()
	switch sub {
	case "priority":
		if len(args) != 3 {
			return nil, true, bot.Errorf(bot.EInvalid, "use /request priority %d P1", r.Number)
		}
		p, err := timekeeping.ParsePriority(args[2])
		if err != nil {
			return nil, true, err
		}
		if err := d.Store.SetPriorityOnce(ctx, ev.Caller.WorkspaceID, r.Number, p, ev.SourceID); errors.Is(err, bot.ErrReplayed) {
			// Set by this very delivery before a crash: what it was before is gone.
			return reply(fmt.Sprintf("#%d is now %s (set by this same command before).", r.Number, p)), true, nil
		} else if err != nil {
			return nil, true, err
		}
		return reply(fmt.Sprintf("#%d is now %s (was %s).", r.Number, p, r.Priority)), true, nil
	case "wait":
		if err := settled(r, "wait"); err != nil {
			// This very delivery handled again after the request closed
			// answers as the first time (replay.go), not "is closed".
			if again, rerr := replayedDelivery(ctx, d, ev); rerr != nil || !again {
				return nil, true, err
			}
		}
		// The same delivery handled again (a crash before its inbox row was
		// done) answers as the first time: ErrReplayed, nothing changed.
		if err := d.Store.WaitOnClient(ctx, r.ID, ev.Caller.ID, now, ev.SourceID); err != nil && !errors.Is(err, bot.ErrReplayed) {
			if bot.ErrorCode(err) == bot.EConflict {
				return nil, true, bot.Errorf(bot.EConflict, "#%d is already waiting on the client", r.Number)
			}
			return nil, true, err
		}
		notifyRequester(ctx, d, ev, r, requestWaiting) // requester.go
		return reply(fmt.Sprintf("#%d is waiting on the client: its SLA clocks are paused. /request resume %d restarts them.", r.Number, r.Number)), true, nil
	case "resume":
		if err := d.Store.ResumeFromClient(ctx, r.ID, now, ev.SourceID); err != nil && !errors.Is(err, bot.ErrReplayed) {
			return nil, true, notFoundAs(err, "#%d is not waiting on the client", r.Number)
		}
		return reply(fmt.Sprintf("#%d: SLA clocks running again.", r.Number)), true, nil
	}
	c, err := d.Store.RequestSLAClock(ctx, r.ID)
	if err != nil && r.ClientCode == "" {
		return nil, true, notFoundAs(err, "#%d has no SLA: it is not filed under a client, and SLA targets are per client", r.Number)
	}
	if err != nil {
		return nil, true, notFoundAs(err, "#%d has no SLA: %s has no target for %s (/client sla %s %s 1h 8h)", r.Number, r.ClientCode, r.Priority, r.ClientCode, r.Priority)
	}
	var b strings.Builder
	for _, st := range timekeeping.ClockStates(c, d.location(bot.Person{}), now) {
		state := map[timekeeping.SLALevel]string{timekeeping.SLAOK: "ok", timekeeping.SLAWarning: "at risk", timekeeping.SLABreach: "BREACHED"}[st.Level]
		stopped := ""
		if st.Stopped {
			stopped = ", stopped"
			if st.Level != timekeeping.SLABreach {
				state = "met"
			}
		}
		fmt.Fprintf(&b, "%s: %s of %s (%s%s)\n", st.Clock, timekeeping.FormatMinutes(int(st.Elapsed.Minutes())),
			timekeeping.FormatMinutes(int(st.Target.Minutes())), state, stopped)
	}
	if r.Status == bot.StatusOpen && len(c.Pauses) > 0 && c.Pauses[len(c.Pauses)-1].End == nil {
		b.WriteString("Paused: waiting on the client.\n")
	}
	fmt.Fprintf(&b, "Clock runs %s.", timekeeping.CalendarOf(c.Calendar, d.location(bot.Person{})))
	return []bot.Message{{Title: fmt.Sprintf("#%d SLA (%s %s)", r.Number, c.ClientCode, c.Priority), Text: b.String(), Ephemeral: true}}, true, nil
}
