package main

import (
	"context"
	"log/slog"

	"github.com/mspbot/mspbot/bot"
	"github.com/mspbot/mspbot/bot/discord"
	"github.com/mspbot/mspbot/bot/intake"
	"github.com/mspbot/mspbot/commands"
	"github.com/mspbot/mspbot/storage"
	"github.com/mspbot/mspbot/web"
)

// startDiscord starts the Discord adapter when its credentials are set and
// returns it (nil when Discord is not configured). DISCORD_PUBLIC_KEY mounts
// POST /discord/interactions on the web server, so call it before the server
// starts; DISCORD_BOT_TOKEN adds command registration and the gateway.
// DISCORD_APP_ID is needed either way.
func startDiscord(ctx context.Context, cfg Config, store *storage.Store, router *bot.Router, srv *web.Server, ob *outbox, log *slog.Logger) (*discord.Adapter, error) {
	dc := cfg.Discord
	if dc.BotToken == "" && dc.PublicKey == "" {
		return nil, nil
	}
	queue, announce := ob.adapter()
	a, err := discord.New(discord.Config{
		AppID: dc.AppID, PublicKey: dc.PublicKey, BotToken: dc.BotToken, GuildID: dc.GuildID, APIURL: dc.APIURL,
		Router: router, Directory: commands.NewDirectory(store, cfg.Admins), Store: store,
		Log: log, Clock: bot.SystemClock{}, Outbox: queue, Announce: announce,
		Inbox: store, Intake: intake.Options{Workers: cfg.InboxWorkers, StreamingShare: cfg.InboxShare},
	})
	if err != nil {
		return nil, err
	}
	ob.add(bot.PlatformDiscord, a)
	if dc.PublicKey != "" {
		srv.Handle("POST /discord/interactions", a)
		log.Info("discord interactions endpoint mounted", "path", "/discord/interactions")
	}
	if err := a.Start(ctx); err != nil {
		a.Close()
		return nil, err
	}
	srv.AddReadyCheck(a.Ready) // a gateway lost for good fails /readyz
	log.Info("add the Discord bot to a server with this link", "invite_url", discord.InviteURL(dc.AppID))
	return a, nil
}
