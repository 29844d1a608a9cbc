package commands

import (
	"context"

	"github.com/mspbot/mspbot/bot"
)

type commentStore interface {
	AddComment(ctx context.Context, in bot.Comment) (bot.Comment, bool, error)
}

// commentCommand stores a reply posted in a request's thread. Adapters raise it
// (Args "#1002 the text", Origin the thread's request) instead of storing the
// comment themselves, so the Router decides who may comment where: a client
// only on their own client's requests, and nobody unknown.
func commentCommand(d Deps) bot.Command {
	return bot.Command{
		Name:     "comment",
		Usage:    "/comment #1002 <text>",
		Summary:  "a reply in a request's thread",
		MinRole:  bot.RoleClient,
		Target:   bot.RefRequest,
		Internal: true,
		Handler: func(ctx context.Context, ev bot.Event) ([]bot.Message, error) {
			_, text := firstWord(ev.Args)
			if text == "" {
				return nil, nil
			}
			r, err := d.Store.RequestByNumber(ctx, ev.Caller.WorkspaceID, ev.Target.Number)
			if err != nil {
				return nil, err
			}
			_, created, err := d.Store.AddComment(ctx, bot.Comment{RequestID: r.ID, AuthorID: ev.Caller.ID, Body: text,
				SourcePlatform: ev.Platform, SourceID: ev.SourceID})
			if err == nil && created && d.Log != nil {
				d.Log.Info("comment added", "request", r.Number, "platform", ev.Platform, "user", ev.User.ID)
			}
			return nil, err
		},
	}
}
