package commands

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/mspbot/mspbot/bot"
)

type suggestStore interface {
	SearchClients(ctx context.Context, workspaceID int64, prefix string, limit int) ([]bot.Client, error)
}

// suggestCommand answers a platform's autocomplete ("number 10" → open
// requests whose number or title starts so; "client AC" → client codes) with
// one message whose fields are the choices (label, value). It is internal:
// adapters raise it so that what a caller is offered is decided by the Router
// and the caller's scope, like everything else (a client sees only their own).
func suggestCommand(d Deps) bot.Command {
	return bot.Command{
		Name:     "suggest",
		Usage:    "/suggest number|client|project|record|mine <typed>",
		Summary:  "autocomplete choices",
		MinRole:  bot.RoleClient,
		Internal: true,
		Handler: func(ctx context.Context, ev bot.Event) ([]bot.Message, error) {
			what, typed := firstWord(ev.Args)
			typed = strings.ToLower(strings.TrimPrefix(typed, "#"))
			var m bot.Message
			switch what {
			case "number":
				list, err := d.Store.ListOpenRequests(ctx, ev.Caller.WorkspaceID, bot.RequestFilter{Limit: 100, ClientID: ev.Caller.ClientScope()})
				if err != nil {
					return nil, err
				}
				for _, r := range list {
					num := strconv.FormatInt(r.Number, 10)
					if typed == "" || strings.HasPrefix(num, typed) || strings.Contains(strings.ToLower(r.Title), typed) {
						m.Fields = append(m.Fields, bot.Field{Label: "#" + num + " " + r.Title, Value: num})
					}
				}
			case "project", "record":
				// Running projects in the caller's scope; "record" (what time
				// or a timer is on) offers the open requests first.
				if what == "record" {
					reqs, err := d.Store.ListOpenRequests(ctx, ev.Caller.WorkspaceID, bot.RequestFilter{Limit: 100, ClientID: ev.Caller.ClientScope()})
					if err != nil {
						return nil, err
					}
					for _, r := range reqs {
						num := strconv.FormatInt(r.Number, 10)
						if typed == "" || strings.HasPrefix(num, typed) || strings.Contains(strings.ToLower(r.Title), typed) {
							m.Fields = append(m.Fields, bot.Field{Label: "#" + num + " " + r.Title, Value: "#" + num})
						}
					}
				}
				list, err := d.Store.ListProjects(ctx, ev.Caller.WorkspaceID, ev.Caller.ClientScope())
				if err != nil {
					return nil, err
				}
				for _, p := range list {
					ref := p.Ref()
					if typed == "" || strings.HasPrefix(strings.ToLower(ref), typed) || strings.Contains(strings.ToLower(p.Name), typed) {
						m.Fields = append(m.Fields, bot.Field{Label: ref + " " + p.Name, Value: ref})
					}
				}
			case "mine":
				// The caller's own open requests (the Home tab's Log time form).
				list, _, err := d.Store.ListRequests(ctx, ev.Caller.WorkspaceID, bot.RequestQuery{PersonID: ev.Caller.ID, ClientID: ev.Caller.ClientScope(), Limit: 99})
				if err != nil {
					return nil, err
				}
				for _, r := range list {
					m.Fields = append(m.Fields, bot.Field{Label: fmt.Sprintf("#%d %s", r.Number, r.Title), Value: strconv.FormatInt(r.Number, 10)})
				}
			case "client":
				if ev.Caller.Role == bot.RoleClient {
					// A client's own code is the only one they may name.
					m.Fields = append(m.Fields, bot.Field{Label: ev.Caller.ClientCode, Value: ev.Caller.ClientCode})
					break
				}
				list, err := d.Store.SearchClients(ctx, ev.Caller.WorkspaceID, typed, 25)
				if err != nil {
					return nil, err
				}
				for _, c := range list {
					m.Fields = append(m.Fields, bot.Field{Label: c.Code, Value: c.Code})
				}
			default:
				return nil, bot.Errorf(bot.EInvalid, "nothing to suggest for %q", what)
			}
			return []bot.Message{m}, nil
		},
	}
}
