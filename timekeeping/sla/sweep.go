// Package sla watches the SLA clocks of open requests under a contract: it
// warns at 75 % of a target and tells the coordinators at a breach, once each.
// The business-hours arithmetic (timekeeping.Calendar, ClockStates,
// NextSLACheck) stays in timekeeping, where the /sla and /request commands
// read it too; this package is the sweep that acts on it. River runs the sweep
// from package jobs (RegisterSLA).
package sla

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/mspbot/mspbot/bot"
	"github.com/mspbot/mspbot/timekeeping"
)

// Store is what the SLA sweep reads and writes; *storage.Store implements it.
type Store interface {
	OpenSLAClocks(ctx context.Context, now time.Time) ([]bot.SLAClock, error)
	SetSLANextChecks(ctx context.Context, checks []bot.SLANextCheck) error
	RecordSLAEvent(ctx context.Context, e bot.SLAEvent) (bool, error)
	Recipient(ctx context.Context, personID int64) (bot.Recipient, error)
	PeopleWithRole(ctx context.Context, workspaceID int64, role bot.Role) ([]bot.Recipient, error)
	ClientCoordinators(ctx context.Context, clientID int64) ([]bot.Recipient, error)
}

// Service is the SLA sweep; the same shape as projects.Service.
type Service struct {
	Store    Store
	Senders  bot.Senders
	Clock    bot.Clock
	Location *time.Location // MSPBOT_TZ: for clients with no timezone of their own
	Log      *slog.Logger
}

// Logger is the service's logger (one that discards when none is set).
func (d *Service) Logger() *slog.Logger { return d.log() }

func (d *Service) log() *slog.Logger { return bot.LoggerOr(d.Log) }

// Now is the service's clock reading (the system clock when none is set).
func (d *Service) Now() time.Time { return bot.NowOf(d.Clock) }

// send posts and logs a failure: one unreachable person must not stop a sweep.
func (d *Service) send(ctx context.Context, to bot.Destination, msgs ...bot.Message) {
	if d.Senders == nil {
		return
	}
	if _, err := d.Senders.Send(ctx, to, msgs...); err != nil {
		d.log().Warn("send failed", "platform", to.Platform, "user", to.UserID, "channel", to.Channel, "err", err)
	}
}

func dm(r bot.Recipient) bot.Destination {
	return bot.Destination{Platform: r.Platform, Workspace: r.Workspace, UserID: r.ExternalID}
}

// Report says what an SLA sweep did.
type Report struct {
	Checked, Warnings, Breaches int
}

// Sweep checks the clocks of open requests under a contract that are due a
// look: at 75 % of a target it warns the assignee (for a request nobody took,
// the client's coordinators, else the managers), at breach it tells the
// coordinators, once each (RecordSLAEvent's unique key decides who sends).
// Then it stores, per request, the earliest moment its next level can come
// (timekeeping.NextSLACheck), so later sweeps skip it until then and never read clocks
// already stopped or breached.
func (d *Service) Sweep(ctx context.Context, now time.Time) (Report, error) {
	var rep Report
	clocks, err := d.Store.OpenSLAClocks(ctx, now)
	if err != nil {
		return rep, err
	}
	checks := make([]bot.SLANextCheck, 0, len(clocks))
	// Verdicts are stored even when a send or record fails half way: what was
	// judged stands, the rest stays due.
	defer func() {
		if err := d.Store.SetSLANextChecks(context.WithoutCancel(ctx), checks); err != nil {
			d.log().Warn("SLA next checks", "err", err)
		}
	}()
	for _, c := range clocks {
		if !c.Contract {
			checks = append(checks, bot.SLANextCheck{RequestID: c.RequestID, Version: c.Version})
			continue
		}
		rep.Checked++
		states := timekeeping.ClockStates(c, d.Location, now)
		recorded := map[string]bool{}
		for k, v := range c.Recorded {
			recorded[k] = v
		}
		for _, st := range states {
			level := ""
			switch {
			case st.Level == timekeeping.SLABreach && !c.Recorded[st.Clock+"/breach"]:
				level = "breach"
			case st.Level == timekeeping.SLAWarning && !c.Recorded[st.Clock+"/warning"] && !st.Stopped:
				level = "warning"
			default:
				continue
			}
			ev := bot.SLAEvent{WorkspaceID: c.WorkspaceID, RequestID: c.RequestID, RequestNumber: c.Number,
				ClientID: c.ClientID, ClientCode: c.ClientCode, Clock: st.Clock, Level: level,
				TargetMinutes: int(st.Target.Minutes()), ElapsedMinutes: int(st.Elapsed.Minutes()), At: now}
			fresh, err := d.Store.RecordSLAEvent(ctx, ev)
			if err != nil {
				return rep, err
			}
			recorded[st.Clock+"/"+level] = true // by this sweep or another: either way done
			if !fresh {
				continue
			}
			text := fmt.Sprintf("#%d %s (%s %s): %s clock at %s of %s.", c.Number, c.Title, c.ClientCode, c.Priority,
				st.Clock, timekeeping.FormatMinutes(ev.ElapsedMinutes), timekeeping.FormatMinutes(ev.TargetMinutes))
			actions := []bot.Action{{ID: "request.show", Label: "Show #" + strconv.FormatInt(c.Number, 10),
				Command: "/request show " + strconv.FormatInt(c.Number, 10)}}
			if level == "warning" {
				rep.Warnings++
				to, err := d.warnWhom(ctx, c)
				if err != nil {
					return rep, err
				}
				note := " 75% of the target is used."
				if c.AssigneeID == nil {
					note += " Nobody has taken it yet."
					actions = append(actions, bot.Action{ID: "request.take", Label: "Take #" + strconv.FormatInt(c.Number, 10),
						Command: "/request take " + strconv.FormatInt(c.Number, 10)})
				}
				for _, r := range to {
					d.send(ctx, dm(r), bot.Message{Title: "SLA warning", Text: text + note, Actions: actions})
				}
				continue
			}
			rep.Breaches++
			to, err := d.Store.PeopleWithRole(ctx, c.WorkspaceID, bot.RoleCoordinator)
			if err != nil {
				return rep, err
			}
			if len(to) == 0 {
				if to, err = d.Store.PeopleWithRole(ctx, c.WorkspaceID, bot.RoleManager); err != nil {
					return rep, err
				}
			}
			for _, r := range to {
				d.send(ctx, dm(r), bot.Message{Title: "SLA breached", Text: text, Actions: actions})
			}
		}
		checks = append(checks, bot.SLANextCheck{RequestID: c.RequestID, Version: c.Version,
			At: timekeeping.NextSLACheck(timekeeping.CalendarOf(c.Calendar, d.Location), states, recorded, now)})
	}
	return rep, nil
}

// warnWhom is who hears an SLA warning: the assignee; for a request nobody has
// taken, the coordinators of the client's running projects, else the managers,
// so that a warning always reaches someone who can act.
func (d *Service) warnWhom(ctx context.Context, c bot.SLAClock) ([]bot.Recipient, error) {
	if c.AssigneeID != nil {
		r, err := d.Store.Recipient(ctx, *c.AssigneeID)
		return []bot.Recipient{r}, err
	}
	to, err := d.Store.ClientCoordinators(ctx, c.ClientID)
	if err != nil || len(to) > 0 {
		return to, err
	}
	return d.Store.PeopleWithRole(ctx, c.WorkspaceID, bot.RoleManager)
}
