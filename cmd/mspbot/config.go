package main

import (
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"time"
)

// Config is everything mspbot reads from its environment, read once here and
// passed down. Secrets never reach the log.
type Config struct {
	DatabaseURL string // empty: the local Postgres (see storage/localpg)
	HTTPAddr    string
	Location    *time.Location
	LogLevel    slog.Level
	Admins      []string
	// InboxWorkers is MSPBOT_INBOX_WORKERS: stored payloads handled at once
	// (0: bot/intake's default). Fewer leave more of a small machine to the acks.
	InboxWorkers int

	Slack   SlackConfig
	Discord DiscordConfig
}

// SlackConfig holds Slack's credentials; Slack starts when the bot token is set
// with either an app token (Socket Mode) or a signing secret (HTTP mode).
type SlackConfig struct {
	BotToken      string
	AppToken      string
	SigningSecret string
	APIURL        string
	TicketEmoji   string // SLACK_TICKET_EMOJI: the reaction that opens a request (default ticket)
}

// DiscordConfig holds Discord's credentials.
type DiscordConfig struct {
	BotToken  string
	AppID     string
	PublicKey string
	GuildID   string
	APIURL    string
}

// ParseConfig reads the environment through getenv (os.Getenv in main).
func ParseConfig(getenv func(string) string) (Config, error) {
	c := Config{
		DatabaseURL: getenv("DATABASE_URL"),
		HTTPAddr:    orDefault(getenv("MSPBOT_HTTP_ADDR"), "127.0.0.1:8080"),
		Slack: SlackConfig{
			BotToken:      getenv("SLACK_BOT_TOKEN"),
			AppToken:      getenv("SLACK_APP_TOKEN"),
			SigningSecret: getenv("SLACK_SIGNING_SECRET"),
			APIURL:        getenv("SLACK_API_URL"),
			TicketEmoji:   getenv("SLACK_TICKET_EMOJI"),
		},
		Discord: DiscordConfig{
			BotToken:  getenv("DISCORD_BOT_TOKEN"),
			AppID:     getenv("DISCORD_APP_ID"),
			PublicKey: getenv("DISCORD_PUBLIC_KEY"),
			GuildID:   getenv("DISCORD_GUILD_ID"),
			APIURL:    getenv("DISCORD_API_URL"),
		},
	}
	tz := orDefault(getenv("MSPBOT_TZ"), "UTC")
	loc, err := time.LoadLocation(tz)
	if err != nil {
		return c, fmt.Errorf("MSPBOT_TZ=%q is not a timezone; use an IANA name such as America/Denver", tz)
	}
	c.Location = loc
	if err := c.LogLevel.UnmarshalText([]byte(orDefault(getenv("MSPBOT_LOG_LEVEL"), "info"))); err != nil {
		return c, fmt.Errorf("MSPBOT_LOG_LEVEL: use debug, info, warn or error")
	}
	if w := getenv("MSPBOT_INBOX_WORKERS"); w != "" {
		n, err := strconv.Atoi(w)
		if err != nil || n < 0 {
			return c, fmt.Errorf("MSPBOT_INBOX_WORKERS=%q: use a count such as 4", w)
		}
		c.InboxWorkers = n
	}
	for _, a := range strings.Split(getenv("MSPBOT_ADMINS"), ",") {
		if a = strings.TrimSpace(a); a != "" {
			c.Admins = append(c.Admins, a)
		}
	}
	return c, nil
}

// HasPlatform reports whether any chat platform is configured.
func (c Config) HasPlatform() bool {
	return c.Slack.BotToken != "" || c.Discord.BotToken != "" || c.Discord.PublicKey != ""
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

func newLogger(level slog.Level) *slog.Logger {
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
}
