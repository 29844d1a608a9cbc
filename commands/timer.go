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
	"github.com/mspbot/mspbot/timekeeping/timeentry"
)

func timerCommand(d Deps) bot.Command {
	words := func(fn func(ctx context.Context, d Deps, ev bot.Event, args []string) ([]bot.Message, error)) bot.Handler {
		return func(ctx context.Context, ev bot.Event) ([]bot.Message, error) {
			args, err := bot.SplitArgs(ev.Args)
			if err != nil {
				return nil, err
			}
			return fn(ctx, d, ev, args)
		}
	}
	status := func(ctx context.Context, ev bot.Event) ([]bot.Message, error) {
		t, err := d.Store.RunningTimer(ctx, ev.Caller.ID)
		if err != nil {
			return nil, notFoundAs(err, "no timer is running; start one with /timer start 1001")
		}
		on := targetLabel(t.RequestNumber, t.ProjectNumber)
		if on != "" {
			on = " on " + on
		}
		return reply(fmt.Sprintf("Timer%s running for %s.", on, timekeeping.FormatMinutes(int(d.Clock.Now().Sub(t.StartedAt).Minutes())))), nil
	}
	return bot.Command{
		Name:    "timer",
		Usage:   `/timer start <1001|P12> [note] [--non-billable] | /timer stop ["note"] | /timer keep | /timer`,
		Summary: "time work as you do it; stopping logs the entry",
		MinRole: bot.RoleTech,
		Handler: func(ctx context.Context, ev bot.Event) ([]bot.Message, error) {
			if strings.TrimSpace(ev.Args) == "" {
				return status(ctx, ev)
			}
			return nil, bot.Errorf(bot.EInvalid, `use /timer start 1001, /timer stop "what you did", or /timer`)
		},
		Subs: []bot.Subcommand{
			{Name: "start", Usage: "/timer start <1001|P12> [note] [--non-billable]", Summary: "start timing work on a request or project",
				MinRole: bot.RoleTech, Args: []bot.Arg{{Name: "on", Kind: bot.ArgRecord, Help: "the request (1001) or project (P12)"},
					{Name: "note", Kind: bot.ArgText, Help: "what you are doing"}, {Name: "non-billable", Kind: bot.ArgSwitch, Flag: true, Help: "internal time"}},
				Handler: words(startTimer)},
			{Name: "stop", Usage: `/timer stop ["note"]`, Summary: "stop the timer and log the entry", MinRole: bot.RoleTech,
				Args: []bot.Arg{{Name: "note", Kind: bot.ArgText}}, Handler: words(stopTimer)},
			{Name: "keep", Usage: "/timer keep", Summary: "the long-running timer is still right", MinRole: bot.RoleTech,
				Handler: func(ctx context.Context, ev bot.Event) ([]bot.Message, error) {
					// Handled again (ErrReplayed): confirmed the first time, even
					// if the timer has been stopped since; the same answer.
					if err := d.Store.ConfirmTimerOnce(ctx, ev.Caller.ID, d.Clock.Now(), ev.SourceID); err != nil && !errors.Is(err, bot.ErrReplayed) {
						return nil, notFoundAs(err, "no timer is running")
					}
					return reply("Got it: the timer keeps running."), nil
				}},
		},
	}
}

// startTimer starts a timer on the request or project named, like /time: a
// reference that names nothing is refused, and billable time names something.
func startTimer(ctx context.Context, d Deps, ev bot.Event, args []string) ([]bot.Message, error) {
	now := d.Clock.Now()
	if ev.SourceID != "" {
		if done, err := d.Store.DeliveryApplied(ctx, ev.Caller.WorkspaceID, ev.SourceID); err != nil {
			return nil, err
		} else if done {
			return timerStartedAgain(ctx, d, ev)
		}
	}
	// One timer at a time comes first: it is the likelier mistake.
	if _, err := d.Store.RunningTimer(ctx, ev.Caller.ID); err == nil {
		return nil, bot.Errorf(bot.EConflict, "a timer is already running; /timer stop logs it first")
	} else if bot.ErrorCode(err) != bot.ENotFound {
		return nil, err
	}
	t := bot.Timer{PersonID: ev.Caller.ID, WorkspaceID: ev.Caller.WorkspaceID, Billable: true, StartedAt: now,
		SourceKey: ev.SourceID}
	var target workTarget
	var note []string
	for _, a := range args {
		switch strings.ToLower(a) {
		case "--non-billable", "--nonbillable", "--internal":
			t.Billable = false
			continue
		case "--billable":
			continue
		}
		if target.Label == "" && (len(note) == 0 || strings.HasPrefix(a, "#")) && parse.LooksLikeRef(a) {
			var err error
			if target, err = resolveTarget(ctx, d, ev, a); err != nil {
				return nil, err
			}
			continue
		}
		note = append(note, a)
	}
	if target.Label == "" && t.Billable {
		return nil, bot.Errorf(bot.EInvalid, "say what the timer is for: /timer start #1001 (or P12 for a project); for internal work, /timer start --non-billable")
	}
	loc := d.location(ev.Caller.Person)
	if logged, err := d.Store.DayMinutes(ctx, ev.Caller.ID, timekeeping.DateOf(now, loc)); err != nil {
		return nil, err
	} else if timeentry.DayFull(logged) {
		return nil, bot.Errorf(bot.EConflict, "today already holds 24h of logged time; fix an entry with /time edit first")
	}
	t.RequestID, t.ProjectID, t.Note = target.RequestID, target.ProjectID, strings.Join(note, " ")
	if err := d.Store.StartTimer(ctx, t); errors.Is(err, bot.ErrReplayed) {
		return timerStartedAgain(ctx, d, ev)
	} else if err != nil {
		if bot.ErrorCode(err) == bot.EConflict && strings.Contains(bot.ErrorMessage(err), "already exists") {
			return nil, bot.Errorf(bot.EConflict, "a timer is already running; /timer stop logs it first")
		}
		return nil, err
	}
	on := ""
	if target.Label != "" {
		on = " on " + target.Label
	} else {
		on = " (non-billable)"
	}
	return []bot.Message{{Ephemeral: true, Text: "Timer started" + on + ". /timer stop logs it.",
		Actions: []bot.Action{{ID: "timer.stop", Label: "Stop", Command: "/timer stop"}}}}, nil
}

// timerStartedAgain answers a /timer start handled again after a crash (its
// timer was stored, its inbox row not yet marked done): it starts nothing.
func timerStartedAgain(ctx context.Context, d Deps, ev bot.Event) ([]bot.Message, error) {
	running, err := d.Store.RunningTimer(ctx, ev.Caller.ID)
	if bot.ErrorCode(err) == bot.ENotFound {
		return reply("That /timer start was handled already; its timer has since stopped."), nil
	}
	if err != nil {
		return nil, err
	}
	on := targetLabel(running.RequestNumber, running.ProjectNumber)
	if on != "" {
		on = " on " + on
	} else {
		on = " (non-billable)"
	}
	return []bot.Message{{Ephemeral: true, Text: "Timer started" + on + ". /timer stop logs it.",
		Actions: []bot.Action{{ID: "timer.stop", Label: "Stop", Command: "/timer stop"}}}}, nil
}

// stopTimer turns the running timer into an entry. What does not fit in the
// day's 24h is not logged, and the reply says so.
func stopTimer(ctx context.Context, d Deps, ev bot.Event, args []string) ([]bot.Message, error) {
	now := d.Clock.Now()
	loc := d.location(ev.Caller.Person)
	if ev.SourceID != "" {
		// Handled again after a crash: the entry it logged is the answer.
		if e, err := d.Store.TimeEntryBySource(ctx, ev.Caller.WorkspaceID, ev.SourceID); err == nil {
			ran := e.Minutes
			if e.StartedAt != nil && e.EndedAt != nil {
				ran = max(1, int(e.EndedAt.Sub(*e.StartedAt).Round(time.Minute).Minutes()))
			}
			return timerStopped(e, ran), nil
		} else if !errors.Is(err, bot.ErrNotFound) {
			return nil, err
		}
	}
	running, err := d.Store.RunningTimer(ctx, ev.Caller.ID)
	if err != nil {
		return nil, notFoundAs(err, "no timer is running; start one with /timer start #1234")
	}
	e, err := d.Store.StopTimer(ctx, ev.Caller.ID, strings.Join(args, " "), ev.SourceID, now, timekeeping.DateOf(running.StartedAt, loc))
	if err != nil {
		return nil, notFoundAs(err, "no timer is running; start one with /timer start #1234")
	}
	ran := max(1, int(now.Sub(running.StartedAt).Round(time.Minute).Minutes()))
	if e.ID == 0 {
		return reply(fmt.Sprintf("Timer stopped after %s, but %s already holds 24h of logged time, so nothing was logged.",
			timekeeping.FormatMinutes(ran), e.Date.Format("Mon 2 Jan"))), nil
	}
	return timerStopped(e, ran), nil
}

// timerStopped tells what a stopped timer logged; ran is how long it ran.
func timerStopped(e bot.TimeEntry, ran int) []bot.Message {
	on := targetLabel(e.RequestNumber, e.ProjectNumber)
	if on != "" {
		on = " on " + on
	}
	clipped := ""
	if e.Minutes < ran {
		clipped = fmt.Sprintf(" (it ran %s; a day holds at most 24h)", timekeeping.FormatMinutes(ran))
	}
	return reply(fmt.Sprintf("Timer stopped: logged %s%s — entry %d.%s", timekeeping.FormatMinutes(e.Minutes), on, e.ID, clipped))
}
