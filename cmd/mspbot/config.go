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
	// Admins: MSPBOT_ADMINS, platform user ids (console names on the console)
	// who are always managers. Never display names.
	Admins []string
	// StaffRoles: MSPBOT_DISCORD_STAFF_ROLES, Discord server role ids whose
	// members are techs. Other members are unverified until given a role.
	StaffRoles []string
	// InboxWorkers is MSPBOT_INBOX_WORKERS: stored payloads handled at once
	// while deliveries arrive (0: bot/intake's default, 2; its idle workers
	// join once none arrives). Fewer leave more of a small machine to the acks.
	InboxWorkers int
	// InboxShare is MSPBOT_INBOX_SHARE: the most of a floor slot's time
	// background work (inbox runs, the deliverer's reads and writes) may
	// take while acks are slowed (intake.Floor fits the share below it; 0:
	// 1, fitted freely).
	InboxShare float64
	// AckBudget is MSPBOT_ACK_BUDGET: how long storing a delivery may take
	// before background work yields to the acks (intake.Floor; 0: its
	// default, 3 ms). Higher: replies keep pace under heavier load, acks
	// wait longer.
	AckBudget time.Duration

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
	if v := getenv("MSPBOT_INBOX_SHARE"); v != "" {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || f <= 0 || f > 1 {
			return c, fmt.Errorf("MSPBOT_INBOX_SHARE=%q: use a share between 0 and 1, such as 0.5", v)
		}
		c.InboxShare = f
	}
	if v := getenv("MSPBOT_ACK_BUDGET"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			return c, fmt.Errorf("MSPBOT_ACK_BUDGET=%q: use a duration such as 3ms", v)
		}
		c.AckBudget = d
	}
	c.Admins = list(getenv("MSPBOT_ADMINS"))
	c.StaffRoles = list(getenv("MSPBOT_DISCORD_STAFF_ROLES"))
	for _, r := range c.StaffRoles {
		if strings.Trim(r, "0123456789") != "" {
			// A role name would never match: only ids are compared.
			return c, fmt.Errorf("MSPBOT_DISCORD_STAFF_ROLES takes Discord role ids (numbers; Server Settings → Roles → Copy Role ID), not names such as %q", r)
		}
	}
	return c, nil
}

// list splits a comma-separated setting.
func list(v string) []string {
	var out []string
	for _, a := range strings.Split(v, ",") {
		if a = strings.TrimSpace(a); a != "" {
			out = append(out, a)
		}
	}
	return out
}

// redacted stands for a secret that is set.
func redacted(v string) string {
	if v == "" {
		return ""
	}
	return "[set]"
}

// String never shows the tokens or the signing secret, however the config is printed.
func (s SlackConfig) String() string {
	return fmt.Sprintf("{BotToken:%s AppToken:%s SigningSecret:%s APIURL:%s TicketEmoji:%s}",
		redacted(s.BotToken), redacted(s.AppToken), redacted(s.SigningSecret), s.APIURL, s.TicketEmoji)
}

// String never shows the bot token.
func (d DiscordConfig) String() string {
	return fmt.Sprintf("{BotToken:%s AppID:%s PublicKey:%s GuildID:%s APIURL:%s}",
		redacted(d.BotToken), d.AppID, d.PublicKey, d.GuildID, d.APIURL)
}

// String never shows the database password or any token.
func (c Config) String() string {
	return fmt.Sprintf("{DatabaseURL:%s HTTPAddr:%s Location:%s LogLevel:%s Admins:%v StaffRoles:%v Slack:%s Discord:%s}",
		redacted(c.DatabaseURL), c.HTTPAddr, c.Location, c.LogLevel, c.Admins, c.StaffRoles, c.Slack, c.Discord)
}

// LogValue is the config as the log may show it: no secrets.
func (c Config) LogValue() slog.Value { return slog.StringValue(c.String()) }

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
