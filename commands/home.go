package commands

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/mspbot/mspbot/bot"
	"github.com/mspbot/mspbot/timekeeping"
)

// homeLines caps each part of /home, so it stays a glance (each ends with the
// command that lists the rest).
const homeLines = 8

// homeCommand is "what is on my plate": the caller's open requests with their
// SLA clocks, their timer and today's hours; for coordinators and managers also
// the unassigned queue, projects off track and weekly updates waiting for
// approval. Slack shows it as the App Home tab; every platform can type it.
// Each part is built by the same code as the command it summarises, and its
// buttons run those commands through the Router.
func homeCommand(d Deps) bot.Command {
	return bot.Command{
		Name:    "home",
		Usage:   "/home",
		Summary: "what is on your plate: your requests and SLA clocks, your timer and today's hours, and the queue",
		MinRole: bot.RoleClient,
		Handler: func(ctx context.Context, ev bot.Event) ([]bot.Message, error) {
			var out []bot.Message
			mine, err := homeRequests(ctx, d, ev, bot.RequestQuery{PersonID: ev.Caller.ID, ClientID: clientScope(ev)},
				"Your open requests", "/requests mine", "Nothing open that you opened or took.")
			if err != nil {
				return nil, err
			}
			out = append(out, mine)
			if ev.Caller.Role.AtLeast(bot.RoleTech) {
				out = append(out, homeTime(ctx, d, ev))
			}
			if ev.Caller.Role.AtLeast(bot.RoleCoordinator) {
				queue, err := homeRequests(ctx, d, ev, bot.RequestQuery{Unassigned: true},
					"The queue: not taken yet", "/requests queue", "The queue is empty.")
				if err != nil {
					return nil, err
				}
				out = append(out, queue)
				now := d.Clock.Now()
				for _, src := range d.Digest.Sections {
					s, ok, err := src(ctx, ev.Caller.WorkspaceID, ev.Caller.ID, now.Add(-24*time.Hour), now)
					if err != nil {
						d.Log.Warn("home: a section failed", "err", err)
						continue
					}
					if ok && !strings.HasPrefix(s.Title, "Lessons") {
						out = append(out, bot.Message{Title: s.Title, Text: strings.Join(s.Lines, "\n"), Ephemeral: true})
					}
				}
			}
			return out, nil
		},
	}
}

func clientScope(ev bot.Event) *int64 {
	if ev.Caller.Role == bot.RoleClient {
		return ev.Caller.ClientID
	}
	return nil
}

// homeRequests is one list of /home: a few requests (with SLA clocks), how
// many there are, and buttons to take the queue's or close one's own.
func homeRequests(ctx context.Context, d Deps, ev bot.Event, q bot.RequestQuery, title, all, none string) (bot.Message, error) {
	q.Limit = homeLines
	list, total, err := d.Store.ListRequests(ctx, ev.Caller.WorkspaceID, q)
	if err != nil {
		return bot.Message{}, err
	}
	m := bot.Message{Title: fmt.Sprintf("%s (%d)", title, total), Ephemeral: true}
	if total == 0 {
		m.Text = none
		return m, nil
	}
	m.Text = requestLines(ctx, d, list, true)
	if total > len(list) {
		m.Text += fmt.Sprintf("\n…and %d more: %s", total-len(list), all)
	}
	for i, r := range list {
		if i == 3 {
			break
		}
		switch {
		case q.Unassigned:
			m.Actions = append(m.Actions, bot.Action{ID: fmt.Sprintf("home.take.%d", r.Number), Label: fmt.Sprintf("Take #%d", r.Number),
				Value: fmt.Sprint(r.Number), Command: fmt.Sprintf("/request take %d", r.Number)})
		case ev.Caller.Role.AtLeast(bot.RoleTech):
			m.Actions = append(m.Actions, bot.Action{ID: fmt.Sprintf("home.show.%d", r.Number), Label: fmt.Sprintf("Show #%d", r.Number),
				Value: fmt.Sprint(r.Number), Command: fmt.Sprintf("/request show %d", r.Number)})
		}
	}
	return m, nil
}

// homeTime is the caller's timer and today's hours, as /timer and /time today say them.
func homeTime(ctx context.Context, d Deps, ev bot.Event) bot.Message {
	m := bot.Message{Title: "Your time today", Ephemeral: true}
	var lines []string
	if t, err := d.Store.RunningTimer(ctx, ev.Caller.ID); err == nil {
		on := targetLabel(t.RequestNumber, t.ProjectNumber)
		if on != "" {
			on = " on " + on
		}
		lines = append(lines, fmt.Sprintf("Timer%s running for %s.", on, timekeeping.FormatMinutes(int(d.Clock.Now().Sub(t.StartedAt).Minutes()))))
		m.Actions = append(m.Actions, bot.Action{ID: "home.timer.stop", Label: "Stop timer", Style: "primary", Command: "/timer stop"})
	} else {
		lines = append(lines, "No timer running (/timer start #1042).")
	}
	if today, err := timeReport(ctx, d, ev, "today", nil); err == nil {
		for _, r := range today {
			lines = append(lines, strings.TrimSpace(r.Title+"\n"+r.Text))
		}
	}
	m.Text = strings.Join(lines, "\n")
	return m
}
