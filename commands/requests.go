package commands

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/mspbot/mspbot/bot"
	"github.com/mspbot/mspbot/timekeeping"
)

// requestListStore pages filtered request lists.
type requestListStore interface {
	ListRequests(ctx context.Context, workspaceID int64, q bot.RequestQuery) ([]bot.Request, int, error)
	RequestSLAClock(ctx context.Context, requestID int64) (bot.SLAClock, error)
}

// requestsArgs are the filters /requests takes, kept as typed so the "next
// page" button repeats them.
type requestsArgs struct {
	q       bot.RequestQuery
	words   []string // the filters, for the next page's command
	page    paging
	mineSet bool
}

func parseRequestsArgs(ctx context.Context, d Deps, ev bot.Event) (requestsArgs, error) {
	args, err := bot.SplitArgs(ev.Args)
	if err != nil {
		return requestsArgs{}, err
	}
	args, pg, err := cutPage(args, "/requests")
	if err != nil {
		return requestsArgs{}, err
	}
	a := requestsArgs{q: bot.RequestQuery{Limit: pageSize}}
	for i := 0; i < len(args); i++ {
		w := strings.ToLower(args[i])
		switch {
		case w == "mine":
			a.q.PersonID, a.mineSet = ev.Caller.ID, true
			a.words = append(a.words, w)
		case w == "queue" || w == "unassigned":
			a.q.Unassigned = true
			a.words = append(a.words, "queue")
		case w == "waiting":
			a.q.Waiting = true
			a.words = append(a.words, w)
		case w == "resolved":
			// Resolved, waiting for their requester to confirm or reopen.
			a.q.Resolved = true
			a.words = append(a.words, w)
		case (w == "--client" || w == "client") && i+1 < len(args):
			c, err := knownClient(ctx, d, ev.Caller.WorkspaceID, args[i+1])
			if err != nil {
				return a, err
			}
			a.q.ClientID = &c.ID
			a.words = append(a.words, "--client", c.Code)
			i++
		default:
			return a, bot.Errorf(bot.EInvalid, "use /requests, /requests mine, /requests queue, /requests waiting, /requests resolved, /requests --client ACME, each with page 2 for more")
		}
	}
	if ev.Caller.Role == bot.RoleClient {
		a.q.ClientID = ev.Caller.ClientID // clients see their own company's, whatever they ask
	}
	a.page = paging{page: pg.page, base: strings.Join(append([]string{"/requests"}, a.words...), " ")}
	a.q.Offset = a.page.offset()
	return a, nil
}

func requestsCommand(d Deps) bot.Command {
	return bot.Command{
		Name:    "requests",
		Usage:   "/requests [mine|queue|waiting|resolved] [--client ACME] [page 2]",
		Summary: "list requests, 25 at a time: open, yours, the queue, waiting, resolved, or one client's",
		MinRole: bot.RoleClient,
		Args: []bot.Arg{{Name: "show", Kind: bot.ArgChoice, Choices: []string{"mine", "queue", "waiting", "resolved"}, Help: "which requests (default: all open)"},
			{Name: "client", Kind: bot.ArgClient, Flag: true, Help: "one client's (a client sees only their own)"},
			{Name: "page", Kind: bot.ArgNumber, Keyword: true, Help: "page of 25 (the reply says how many there are)"}},
		Handler: func(ctx context.Context, ev bot.Event) ([]bot.Message, error) {
			a, err := parseRequestsArgs(ctx, d, ev)
			if err != nil {
				return nil, err
			}
			list, total, err := d.Store.ListRequests(ctx, ev.Caller.WorkspaceID, a.q)
			if err != nil {
				return nil, err
			}
			state := "open"
			if a.q.Resolved {
				state = "resolved"
			}
			if total == 0 {
				return []bot.Message{{Text: "No " + state + " requests" + filterNote(a) + ". Open one with /request <what you need>.", Ephemeral: true}}, nil
			}
			if len(list) == 0 {
				m := a.page.pastEnd(total, state+" request", state+" requests"+filterNote(a))
				return []bot.Message{m}, nil
			}
			m := bot.Message{Title: fmt.Sprintf("%d %s %s%s", total, state, plural(total, "request", "requests"), filterNote(a)),
				Text: requestLines(ctx, d, list, a.mineSet), Ephemeral: true}
			a.page.decorate(&m, len(list), total)
			return []bot.Message{m}, nil
		},
	}
}

func filterNote(a requestsArgs) string {
	var parts []string
	if a.mineSet {
		parts = append(parts, "yours")
	}
	if a.q.Unassigned {
		parts = append(parts, "not taken")
	}
	if a.q.Waiting {
		parts = append(parts, "waiting on the client")
	}
	if a.q.Resolved {
		parts = append(parts, "awaiting the requester")
	}
	if len(parts) == 0 {
		return ""
	}
	return " (" + strings.Join(parts, ", ") + ")"
}

// requestLines is the table of a request list; withSLA adds each request's
// most urgent SLA clock (one query per request: only for short lists).
func requestLines(ctx context.Context, d Deps, list []bot.Request, withSLA bool) string {
	now := d.Clock.Now()
	var b strings.Builder
	for _, r := range list {
		fmt.Fprintf(&b, "#%d  %-7s  %-15s  %-8s  %5s  %s", r.Number, r.Kind, typeLabel(r.Type),
			bot.FirstNonEmpty(r.ClientCode, "—"), bot.Age(now.Sub(r.CreatedAt)), r.Title)
		if withSLA {
			if s := slaSummary(ctx, d, r, now); s != "" {
				b.WriteString("  [" + s + "]")
			}
		}
		b.WriteString("\n")
	}
	return strings.TrimRight(b.String(), "\n")
}

// slaSummary is a request's most urgent running SLA clock, e.g. "resolution
// 3h10m of 8h, at risk"; empty when it has no SLA.
func slaSummary(ctx context.Context, d Deps, r bot.Request, now time.Time) string {
	c, err := d.Store.RequestSLAClock(ctx, r.ID)
	if err != nil {
		return ""
	}
	var worst *timekeeping.ClockState
	for _, st := range timekeeping.ClockStates(c, d.location(bot.Person{}), now) {
		if st.Stopped && st.Level != timekeeping.SLABreach {
			continue
		}
		if worst == nil || st.Level > worst.Level || st.Level == worst.Level && st.Target-st.Elapsed < worst.Target-worst.Elapsed {
			s := st
			worst = &s
		}
	}
	if worst == nil {
		return "SLA met"
	}
	state := map[timekeeping.SLALevel]string{timekeeping.SLAOK: "ok", timekeeping.SLAWarning: "at risk", timekeeping.SLABreach: "BREACHED"}[worst.Level]
	return fmt.Sprintf("%s %s of %s, %s", worst.Clock, timekeeping.FormatMinutes(int(worst.Elapsed.Minutes())),
		timekeeping.FormatMinutes(int(worst.Target.Minutes())), state)
}
