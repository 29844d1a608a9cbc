package main

import (
	"context"
	"errors"
	"log/slog"

	"github.com/mspbot/mspbot/bot"
	"github.com/mspbot/mspbot/bot/intake"
	"github.com/mspbot/mspbot/bot/slack"
	"github.com/mspbot/mspbot/commands"
	"github.com/mspbot/mspbot/storage"
	"github.com/mspbot/mspbot/web"
)

// startSlack starts the Slack adapter when SLACK_BOT_TOKEN is set: HTTP mode
// (POST /slack/* on the web server) when SLACK_SIGNING_SECRET is set, Socket
// Mode when SLACK_APP_TOKEN is set, both when both are. It must run before the
// web server starts. The returned function stops it.
func startSlack(ctx context.Context, cfg Config, store *storage.Store, router *bot.Router, srv *web.Server, ob *outbox,
	floor *intake.Floor, log *slog.Logger) (func(), error) {
	sc := cfg.Slack
	if sc.BotToken == "" {
		return func() {}, nil
	}
	if sc.SigningSecret == "" && sc.AppToken == "" {
		return nil, errors.New("SLACK_BOT_TOKEN is set but neither SLACK_APP_TOKEN (Socket Mode) nor SLACK_SIGNING_SECRET (HTTP mode) is")
	}
	queue, announce := ob.adapter()
	a := slack.New(slack.Config{
		BotToken: sc.BotToken, AppToken: sc.AppToken, SigningSecret: sc.SigningSecret, APIURL: sc.APIURL,
		TicketEmoji: sc.TicketEmoji, Clock: bot.SystemClock{}, Log: log, Outbox: queue, Announce: announce,
		Intake: intake.Options{Workers: cfg.InboxWorkers, Floor: floor},
	}, router, commands.NewDirectory(store, cfg.Admins), store)
	ob.add(bot.PlatformSlack, a)
	if err := a.Start(ctx); err != nil {
		return nil, err
	}
	if sc.SigningSecret != "" {
		a.Mount(srv)
		log.Info("slack HTTP mode: POST /slack/commands, /slack/events, /slack/interactions")
	}
	ctx, cancel := context.WithCancel(ctx)
	if sc.AppToken != "" {
		// A token Slack refuses for good fails /readyz (the adapter logs the fix).
		srv.AddReadyCheck(a.Ready)
		go func() {
			log.Info("slack Socket Mode: connecting")
			_ = a.RunSocketMode(ctx)
		}()
	}
	return func() { cancel(); a.Close() }, nil
}
