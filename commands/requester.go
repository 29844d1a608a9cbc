package commands

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/mspbot/mspbot/bot"
	"github.com/mspbot/mspbot/timekeeping/digest"
)

// The person who opened a request is kept informed: when staff take it, put
// it on hold waiting for them, resolve it or close it, they get a direct
// message (or, if the platform will not open one, a reply in the request's
// thread). The "resolved" and "closed" messages carry one-click ratings
// (/rate), stored and counted in the manager's daily digest; the "resolved"
// one also "Still broken" (/request reopen, resolve.go).

type requesterStore interface {
	PersonByID(ctx context.Context, id int64) (bot.Person, error)
	RateRequestOnce(ctx context.Context, requestID, personID int64, score int, at time.Time, key string) error
	RatingsBetween(ctx context.Context, workspaceID int64, from, to time.Time) ([]bot.RequestRating, error)
}

// What happened to a request, as its requester is told.
const (
	requestTaken    = "taken"
	requestWaiting  = "waiting"
	requestResolved = "resolved"
	requestClosed   = "closed"
)

// ratings are the one-click answers to "how did we do?", best first.
var ratings = []struct {
	word  string
	score int
	label string
	style string
}{{"good", 3, "👍 Good", "primary"}, {"ok", 2, "👌 OK", ""}, {"poor", 1, "👎 Poor", "danger"}}

// requesterMessage is what the requester is told.
func requesterMessage(r bot.Request, what, by string) bot.Message {
	title := fmt.Sprintf("#%d %s", r.Number, r.Title)
	switch what {
	case requestTaken:
		return bot.Message{Title: title, Text: fmt.Sprintf("%s took your request #%d and is on it. Replies in its thread reach them.", by, r.Number)}
	case requestWaiting:
		return bot.Message{Title: title, Text: fmt.Sprintf("%s is waiting for something from you on #%d: please answer in its thread. Its SLA clocks are paused meanwhile.", by, r.Number)}
	}
	m := bot.Message{Title: title, Text: fmt.Sprintf("%s closed your request #%d. How did we do? One click tells us.", by, r.Number)}
	if what == requestResolved {
		text := fmt.Sprintf("%s resolved your request #%d.", by, r.Number)
		if r.Resolution != "" {
			text += "\nWhat was done: " + r.Resolution
		}
		closes := "in " + bot.Age(bot.ResolvedClosesAfter)
		if r.ResolvedAt != nil {
			closes = "on " + r.ResolvedAt.Add(bot.ResolvedClosesAfter).UTC().Format("Mon 2 Jan")
		}
		m.Text = text + "\nHow did we do? One click tells us. Not fixed? \"Still broken\" puts it back in the queue; otherwise it closes on its own " + closes + "."
	}
	for _, g := range ratings {
		m.Actions = append(m.Actions, bot.Action{ID: "rate." + g.word, Label: g.label, Style: g.style,
			Command: fmt.Sprintf("/rate %d %s", r.Number, g.word)})
	}
	if what == requestResolved {
		m.Actions = append(m.Actions, bot.Action{ID: "request.reopen", Label: "Still broken", Value: fmt.Sprint(r.Number),
			Command: fmt.Sprintf("/request reopen %d", r.Number)})
	}
	return m
}

// notifyRequester tells r's requester what ev's caller did, unless they did it
// themselves. It never fails the command: a message that cannot be sent is
// logged. With an Outbox the message is queued under a key made from the
// event's SourceID and what happened: the same command handled again after a
// crash (or a replayed click) queues nothing new, and a crash between the
// change and this call is repaired by that second handling.
func notifyRequester(ctx context.Context, d Deps, ev bot.Event, r bot.Request, what string) {
	if r.OpenedBy == ev.Caller.ID || (d.Senders == nil && d.Outbox == nil) {
		return
	}
	p, err := d.Store.PersonByID(ctx, r.OpenedBy)
	if err != nil {
		d.Log.Warn("requester not told: unknown person", "request", r.Number, "err", err)
		return
	}
	m := requesterMessage(r, what, bot.FirstNonEmpty(ev.Caller.Name, "Staff"))
	to := bot.Destination{Platform: ev.Platform, Workspace: ev.Workspace, UserID: p.ExternalID}
	var inThread *bot.Fallback
	if r.Channel != "" && r.Thread != "" {
		// No direct message (a guest from another organisation, say): the thread.
		tm := m
		tm.Text = fmt.Sprintf("%s: %s", p.Name, m.Text)
		inThread = &bot.Fallback{To: bot.Destination{Platform: ev.Platform, Workspace: ev.Workspace,
			Channel: r.Channel, Thread: r.Thread}, Messages: []bot.Message{tm}}
	}
	if d.Outbox != nil {
		key := ""
		if ev.SourceID != "" {
			key = bot.DeliveryKey(ev.Platform, ev.Workspace, ev.SourceID+"/requester/"+what, 0)
		}
		err = d.Outbox.Enqueue(ctx, bot.Delivery{Key: key, To: to, Messages: []bot.Message{m}, Else: inThread})
		if err == nil {
			return
		}
		d.Log.Error("requester message not queued; sending it now", "request", r.Number, "err", err)
	}
	if d.Senders == nil {
		return
	}
	if _, err = d.Senders.Send(ctx, to, m); err == nil {
		return
	}
	if inThread != nil {
		if _, terr := d.Senders.Send(ctx, inThread.To, inThread.Messages...); terr == nil {
			return
		}
	}
	d.Log.Warn("requester not told", "request", r.Number, "what", what, "err", err)
}

func rateCommand(d Deps) bot.Command {
	return bot.Command{
		Name:    "rate",
		Usage:   "/rate <number> good|ok|poor",
		Summary: "rate how a request you opened was handled (the buttons on its resolved or closed message)",
		MinRole: bot.RoleClient,
		Target:  bot.RefRequest, // the Router checks the caller may see it, and that a button is on its message
		Args: []bot.Arg{{Name: "number", Kind: bot.ArgRequest, Required: true, Help: "request number, as shown as #N"},
			{Name: "rating", Kind: bot.ArgChoice, Required: true, Choices: []string{"good", "ok", "poor"}, Help: "how it was handled"}},
		Handler: func(ctx context.Context, ev bot.Event) ([]bot.Message, error) {
			args, err := bot.SplitArgs(ev.Args)
			if err != nil {
				return nil, err
			}
			if len(args) != 2 {
				return nil, bot.Errorf(bot.EInvalid, "use /rate 1002 good, /rate 1002 ok or /rate 1002 poor")
			}
			score := 0
			for _, g := range ratings {
				if strings.EqualFold(args[1], g.word) {
					score = g.score
				}
			}
			if score == 0 {
				return nil, bot.Errorf(bot.EInvalid, "rate it good, ok or poor, e.g. /rate %s good", args[0])
			}
			r, err := visibleRequest(ctx, d, ev, args[0])
			if err != nil {
				return nil, err
			}
			if r.OpenedBy != ev.Caller.ID {
				return nil, bot.Errorf(bot.EForbidden, "only %s, who opened #%d, can rate it", r.OpenedByName, r.Number)
			}
			if r.Status == bot.StatusOpen {
				// Reopened since this delivery rated it: handled again, the
				// same answer rather than "still open".
				if again, err := replayedDelivery(ctx, d, ev); err != nil {
					return nil, err
				} else if !again {
					return nil, bot.Errorf(bot.EConflict, "#%d is still open; rate it once it is resolved", r.Number)
				}
			}
			// Handled again (ErrReplayed): rated the first time; a rating
			// changed since stands.
			if err := d.Store.RateRequestOnce(ctx, r.ID, ev.Caller.ID, score, d.Clock.Now(), ev.SourceID); err != nil && !errors.Is(err, bot.ErrReplayed) {
				return nil, err
			}
			// Not ephemeral: clicked on the "resolved" or "closed" message, this replaces its buttons.
			return []bot.Message{{Text: fmt.Sprintf("Thank you: #%d %s rated %s.", r.Number, r.Title, strings.ToLower(args[1]))}}, nil
		},
	}
}

// SatisfactionDigest is the digest section on requesters' ratings and
// resolutions since the last digest: how many of each rating, the poor ones
// by name, how many requests were resolved and how many of those came back
// as still broken, and how many wait for their requester now. Left out when
// there is none of that.
func SatisfactionDigest(store interface {
	RatingsBetween(ctx context.Context, workspaceID int64, from, to time.Time) ([]bot.RequestRating, error)
	ResolutionCounts(ctx context.Context, workspaceID int64, from, to time.Time) (resolved, reopened, awaiting int, err error)
}) digest.SectionSource {
	return func(ctx context.Context, ws, _ int64, since, now time.Time) (digest.Section, bool, error) {
		list, err := store.RatingsBetween(ctx, ws, since, now)
		if err != nil {
			return digest.Section{}, false, err
		}
		resolved, reopened, awaiting, err := store.ResolutionCounts(ctx, ws, since, now)
		if err != nil || len(list)+resolved+reopened+awaiting == 0 {
			return digest.Section{}, false, err
		}
		count := map[int]int{}
		var poor []string
		for _, g := range list {
			count[g.Score]++
			if g.Score == 1 && len(poor) < 5 {
				poor = append(poor, fmt.Sprintf("#%d %s — rated poor by %s → /request show %d", g.RequestNumber, g.Title, g.PersonName, g.RequestNumber))
			}
		}
		s := digest.Section{Title: fmt.Sprintf("Requester satisfaction (%d %s)", len(list), plural(len(list), "rating", "ratings"))}
		if len(list) > 0 {
			s.Lines = append(s.Lines, fmt.Sprintf("%d good, %d ok, %d poor", count[3], count[2], count[1]))
		}
		if resolved+reopened+awaiting > 0 {
			s.Lines = append(s.Lines, fmt.Sprintf("%d resolved, %d reopened as still broken; %d resolved awaiting the requester → /requests resolved",
				resolved, reopened, awaiting))
		}
		s.Lines = append(s.Lines, poor...)
		return s, true, nil
	}
}
