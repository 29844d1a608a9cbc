package commands

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/mspbot/mspbot/bot"
)

// Resolving is how staff finish a request, as in any service desk: the
// requester is told what was done, rates it with one click, or says it is
// still broken, which reopens it into the queue and tells staff. A resolved
// request nobody reopens closes on its own after bot.ResolvedClosesAfter
// (jobs: the hourly maintenance sweep); its SLA resolution clock stopped when
// it was resolved.

type resolveStore interface {
	ResolveRequest(ctx context.Context, workspaceID, number, byID int64, resolution string, at time.Time, key string) (bot.Request, error)
	ReopenRequest(ctx context.Context, workspaceID, number, byID int64, reason string, at time.Time, key string) (bot.Request, *int64, error)
	LatestResolution(ctx context.Context, requestID int64) (text, by string, ok bool, err error)
}

// maxResolutionLen bounds what staff write as the resolution.
const maxResolutionLen = 2000

// settled refuses a change to a request that is no longer being worked: a
// closed one whatever the change, a resolved one anything but closing it.
func settled(r bot.Request, sub string) error {
	switch {
	case r.Status == bot.StatusClosed:
		return bot.Errorf(bot.EConflict, "#%d is already closed", r.Number)
	case r.Status == bot.StatusResolved && sub != "close":
		return bot.Errorf(bot.EConflict, "#%d is resolved, waiting for %s to confirm; if it needs more work, /request reopen %d first",
			r.Number, r.OpenedByName, r.Number)
	}
	return nil
}

// textAfterNumber is what follows the request number in a subcommand's line.
func textAfterNumber(line string) (string, error) {
	args, err := bot.SplitArgs(line)
	if err != nil || len(args) < 2 {
		return "", err
	}
	return strings.TrimSpace(strings.Join(args[1:], " ")), nil
}

func resolveSub(d Deps, num bot.Arg, change func(func(ctx context.Context, ev bot.Event, ws, n int64) (bot.Request, error)) bot.Handler) bot.Subcommand {
	return bot.Subcommand{Name: "resolve", YieldsToText: true, Usage: `/request resolve <number> ["what was done"]`,
		Summary: "resolved: the requester is told what was done and rates it, or reopens it; it closes on its own after 3 days",
		MinRole: bot.RoleTech, Target: bot.RefRequest,
		Args: []bot.Arg{num, {Name: "resolution", Kind: bot.ArgText, Help: "what was done, for the requester"}},
		Handler: change(func(ctx context.Context, ev bot.Event, ws, n int64) (bot.Request, error) {
			note, err := textAfterNumber(ev.Args)
			if err != nil {
				return bot.Request{}, err
			}
			if l := utf8.RuneCountInString(note); l > maxResolutionLen {
				return bot.Request{}, bot.Errorf(bot.EInvalid, "that resolution is %d characters; keep it under %d and put details in the request's thread", l, maxResolutionLen)
			}
			r, err := d.Store.ResolveRequest(ctx, ws, n, ev.Caller.ID, note, d.Clock.Now(), ev.SourceID)
			if errors.Is(err, bot.ErrReplayed) {
				err = nil // resolved by this very delivery before a crash: the same answer
				r.Resolution = note
			}
			if err == nil {
				notifyRequester(ctx, d, ev, r, requestResolved) // with the rating and "Still broken" buttons
			}
			return r, err
		})}
}

func reopenSub(d Deps, num bot.Arg) bot.Subcommand {
	return bot.Subcommand{Name: "reopen", YieldsToText: true, Usage: `/request reopen <number> ["what is still wrong"]`,
		Summary: "still broken: a resolved request goes back in the queue and staff are told (its requester, or staff)",
		MinRole: bot.RoleClient, Target: bot.RefRequest,
		Args:    []bot.Arg{num, {Name: "why", Kind: bot.ArgText, Help: "what is still wrong"}},
		Handler: func(ctx context.Context, ev bot.Event) ([]bot.Message, error) { return reopenRequest(ctx, d, ev) }}
}

func reopenRequest(ctx context.Context, d Deps, ev bot.Event) ([]bot.Message, error) {
	cur, err := visibleRequest(ctx, d, ev, ev.Target.String())
	if err != nil {
		return nil, err
	}
	if cur.OpenedBy != ev.Caller.ID && !ev.Caller.Role.AtLeast(bot.RoleTech) {
		return nil, bot.Errorf(bot.EForbidden, "only %s, who opened #%d, or staff can reopen it", cur.OpenedByName, cur.Number)
	}
	why, err := textAfterNumber(ev.Args)
	if err != nil {
		return nil, err
	}
	if l := utf8.RuneCountInString(why); l > maxResolutionLen {
		return nil, bot.Errorf(bot.EInvalid, "that is %d characters; keep it under %d and say more in the request's thread", l, maxResolutionLen)
	}
	r, hadIt, err := d.Store.ReopenRequest(ctx, ev.Caller.WorkspaceID, cur.Number, ev.Caller.ID, why, d.Clock.Now(), ev.SourceID)
	switch {
	case errors.Is(err, bot.ErrReplayed):
		// Reopened by this very delivery before a crash: the same answer.
	case bot.ErrorCode(err) == bot.EConflict && cur.Status == bot.StatusClosed:
		return nil, bot.Errorf(bot.EConflict, "#%d is closed; open a new request and mention #%d in it", cur.Number, cur.Number)
	case err != nil:
		return nil, err
	}
	tellStaffReopened(ctx, d, ev, r, hadIt, why)
	// Not ephemeral: clicked on the "resolved" message, this replaces its buttons.
	return []bot.Message{{Text: fmt.Sprintf("Reopened #%d %s: it is back in the queue and staff are told. Replies in its thread reach them.", r.Number, r.Title)}}, nil
}

// tellStaffReopened posts in the request's thread, and tells whoever had it,
// that the request is still broken: a reopened request must not wait unseen.
func tellStaffReopened(ctx context.Context, d Deps, ev bot.Event, r bot.Request, hadIt *int64, why string) {
	text := fmt.Sprintf("%s says #%d %s is still broken", bot.FirstNonEmpty(ev.Caller.Name, "The requester"), r.Number, r.Title)
	if why != "" {
		text += ": " + why
	}
	text += ". It is open again and back in the queue."
	m := bot.Message{Title: fmt.Sprintf("#%d reopened", r.Number), Text: text, RequestNumber: r.Number}
	num := fmt.Sprint(r.Number)
	m.Actions = []bot.Action{{ID: "request.take", Label: "Take it", Value: num, Style: "primary", Command: "/request take " + num}}
	var sent []string
	if r.Channel != "" && r.Thread != "" {
		sent = append(sent, "thread")
		tell(ctx, d, ev, bot.Destination{Platform: ev.Platform, Workspace: ev.Workspace, Channel: r.Channel, Thread: r.Thread}, m, "reopened/thread")
	}
	if hadIt != nil && *hadIt != ev.Caller.ID {
		if p, err := d.Store.PersonByID(ctx, *hadIt); err == nil && p.ExternalID != "" {
			sent = append(sent, "assignee")
			tell(ctx, d, ev, bot.Destination{Platform: ev.Platform, Workspace: ev.Workspace, UserID: p.ExternalID}, m, "reopened/assignee")
		}
	}
	if len(sent) == 0 {
		d.Log.Warn("reopened request: nowhere to tell staff", "request", r.Number)
	}
}

// tell sends m besides a command's reply, through the outbox when there is
// one (keyed by the event's source and what, so a replay sends nothing new).
func tell(ctx context.Context, d Deps, ev bot.Event, to bot.Destination, m bot.Message, what string) {
	if d.Outbox != nil {
		key := ""
		if ev.SourceID != "" {
			key = bot.DeliveryKey(ev.Platform, ev.Workspace, ev.SourceID+"/"+what, 0)
		}
		if err := d.Outbox.Enqueue(ctx, bot.Delivery{Key: key, To: to, Messages: []bot.Message{m}}); err == nil {
			return
		} else {
			d.Log.Error("message not queued; sending it now", "what", what, "err", err)
		}
	}
	if d.Senders == nil {
		return
	}
	if _, err := d.Senders.Send(ctx, to, m); err != nil {
		d.Log.Warn("staff not told", "what", what, "err", err)
	}
}

// resolutionFields adds a resolved request's resolution to /request show.
func resolutionFields(ctx context.Context, d Deps, r bot.Request, m *bot.Message) {
	text, by, ok, err := d.Store.LatestResolution(ctx, r.ID)
	if err != nil || !ok || r.Status == bot.StatusOpen {
		return
	}
	m.Fields = append(m.Fields, bot.Field{Label: "Resolution", Value: fmt.Sprintf("by %s: %s", by, bot.FirstNonEmpty(text, "(no note)"))})
	if r.Status == bot.StatusResolved && r.ResolvedAt != nil {
		m.Fields = append(m.Fields, bot.Field{Label: "Closes", Value: fmt.Sprintf("on its own on %s unless reopened",
			r.ResolvedAt.Add(bot.ResolvedClosesAfter).In(d.location(bot.Person{})).Format("Mon 2 Jan 15:04"))})
	}
}
