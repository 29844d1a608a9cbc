// Package discord is mspbot's Discord adapter (discordgo): slash commands
// derived from the router's commands, the signed HTTP interactions endpoint
// (Ed25519), buttons and the request form, and — with a bot token — command
// registration and a gateway session that turns intake-channel messages,
// mentions and the 🎫 reaction into requests and thread replies into comments.
// Commands never see a Discord type: everything becomes a bot.Event.
package discord

import (
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/mspbot/mspbot/bot"
	"github.com/mspbot/mspbot/bot/intake"
)

// Router is what the adapter sends events to (a *bot.Router).
type Router interface {
	Dispatch(ctx context.Context, ev bot.Event) []bot.Message
	// Run is Dispatch returning the error instead of a reply (thread comments).
	Run(ctx context.Context, ev bot.Event) ([]bot.Message, error)
	Commands() []bot.Command
}

// Directory maps a guild to its workspace (a *commands.Directory). Who
// someone is, and what they may do, is the Router's to decide, not the adapter's.
type Directory interface {
	Workspace(ctx context.Context, platform bot.Platform, externalID string) (int64, error)
}

// Store is what the adapter itself reads and writes; *storage.Store implements it.
type Store interface {
	Channel(ctx context.Context, workspaceID int64, channelID string) (bot.ChannelSettings, error)
	RequestByNumber(ctx context.Context, workspaceID, number int64) (bot.Request, error)
	RequestBySource(ctx context.Context, workspaceID int64, platform bot.Platform, sourceID string) (bot.Request, error)
	ListOpenRequests(ctx context.Context, workspaceID int64, f bot.RequestFilter) ([]bot.Request, error)
	SetRequestThread(ctx context.Context, requestID int64, channel, thread string) error
	RequestInThread(ctx context.Context, workspaceID int64, thread string) (bot.Request, error)
	AddComment(ctx context.Context, c bot.Comment) (bot.Comment, bool, error)
	SearchClients(ctx context.Context, workspaceID int64, prefix string, limit int) ([]bot.Client, error)
	SaveActionTemplate(ctx context.Context, actionID, template string) error
	ActionTemplate(ctx context.Context, actionID string) (string, error)
}

// Config is how the adapter is built; cmd/mspbot fills it from the environment.
type Config struct {
	AppID     string // DISCORD_APP_ID
	PublicKey string // DISCORD_PUBLIC_KEY, hex: enables the interactions endpoint
	BotToken  string // DISCORD_BOT_TOKEN: enables registration and the gateway
	GuildID   string // DISCORD_GUILD_ID: register per guild; also the workspace for DMs
	APIURL    string // DISCORD_API_URL: REST base instead of Discord's (tests, proxies)

	Router    Router
	Directory Directory
	Store     Store
	Log       *slog.Logger
	Clock     bot.Clock

	// Budget is how long a command may run before its reply is deferred (type 5)
	// and sent later through the interaction webhook. Discord allows 3 s; default 2 s.
	Budget time.Duration
	// MaxSignatureAge refuses signed requests whose timestamp is further than this
	// from the clock (replays). Default 5 minutes.
	MaxSignatureAge time.Duration
	// TicketEmoji is the reaction that opens a request from a message. Default 🎫.
	TicketEmoji string
	// HTTPClient is the base client for REST calls; its transport is wrapped to
	// honour APIURL. Default: a client with a 20 s timeout.
	HTTPClient *http.Client

	// Outbox, when set, queues the replies to gateway events (an opened
	// request's announcement, direct messages) as jobs posted through Send, so
	// a restart loses none; nil posts them in process (see outbox.go).
	Outbox bot.Outbox
	// Announce rebuilds the message announcing a request (commands.OpenedMessage),
	// so a replayed event whose request never got posted is posted after all.
	Announce func(bot.Request) bot.Message
	// Inbox, when set, stores gateway messages and reactions before they are
	// handled (see inbox.go); Intake sizes its workers.
	Inbox  intake.Store
	Intake intake.Options
	// LostAfter is how long the gateway may be down before Ready fails
	// (health.go). Default 2 minutes.
	LostAfter time.Duration
}

// Adapter is a running Discord integration.
type Adapter struct {
	cfg     Config
	log     *slog.Logger
	pub     ed25519.PublicKey
	session *discordgo.Session // REST (always) and gateway (with a bot token)

	mu        sync.Mutex
	botUserID string
	templates map[string]string // action id → command template
	warned    bool              // told the log about missing message content once
	health    gatewayHealth     // health.go

	inbox *intake.Intake // nil without Config.Inbox

	wg sync.WaitGroup // follow-ups, posts and gateway handlers still running
	// gate guards wg.Add against Close: discordgo runs each gateway handler on a
	// goroutine of its own, so one can arrive while Close is waiting.
	gate    sync.RWMutex
	closing bool
}

// track counts fn as running work Close waits for; after Close it is dropped.
func (a *Adapter) track(fn func()) {
	a.gate.RLock()
	if a.closing {
		a.gate.RUnlock()
		return
	}
	a.wg.Add(1)
	a.gate.RUnlock()
	defer a.wg.Done()
	fn()
}

// New checks the configuration and prepares the REST client. It connects to nothing.
func New(cfg Config) (*Adapter, error) {
	if cfg.Router == nil || cfg.Directory == nil || cfg.Store == nil {
		return nil, errors.New("discord: Router, Directory and Store are required")
	}
	if cfg.AppID == "" {
		return nil, errors.New("DISCORD_APP_ID is required (the application id from the Developer Portal)")
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.Clock == nil {
		cfg.Clock = bot.SystemClock{}
	}
	if cfg.Budget <= 0 {
		cfg.Budget = 2 * time.Second
	}
	if cfg.MaxSignatureAge <= 0 {
		cfg.MaxSignatureAge = 5 * time.Minute
	}
	if cfg.TicketEmoji == "" {
		cfg.TicketEmoji = "🎫"
	}
	if cfg.LostAfter <= 0 {
		cfg.LostAfter = defaultLostAfter
	}
	a := &Adapter{cfg: cfg, log: cfg.Log.With("platform", "discord"), templates: map[string]string{}}
	if cfg.PublicKey != "" {
		key, err := hex.DecodeString(cfg.PublicKey)
		if err != nil || len(key) != ed25519.PublicKeySize {
			return nil, errors.New("DISCORD_PUBLIC_KEY must be the 64 hex characters shown on the application's General Information page")
		}
		a.pub = ed25519.PublicKey(key)
	}
	s, err := newSession(cfg.BotToken, cfg.APIURL, cfg.HTTPClient)
	if err != nil {
		return nil, err
	}
	a.session = s
	a.startInbox()
	return a, nil
}

// Start registers the application commands and opens the gateway; both need a
// bot token, so without one Start does nothing (interactions-only mode).
func (a *Adapter) Start(ctx context.Context) error {
	if a.cfg.BotToken == "" {
		a.log.Info("no DISCORD_BOT_TOKEN: interactions only (no command registration, no gateway)")
		return nil
	}
	if err := a.RegisterCommands(ctx); err != nil {
		return err
	}
	a.session.Identify.Intents = Intents
	a.session.AddHandler(func(_ *discordgo.Session, e *discordgo.Event) {
		a.track(func() { a.HandleEvent(ctx, e.Type, e.RawData) })
	})
	a.session.AddHandler(func(_ *discordgo.Session, _ *discordgo.Disconnect) {
		a.track(func() { a.HandleEvent(ctx, EventDisconnect, nil) })
	})
	if err := a.session.Open(); err != nil {
		return fmt.Errorf("discord gateway: %w", err)
	}
	a.log.Info("discord gateway connected")
	return nil
}

// Close closes the gateway and waits for replies still being sent.
func (a *Adapter) Close() error {
	var err error
	if a.cfg.BotToken != "" {
		err = a.session.Close()
	}
	a.gate.Lock()
	a.closing = true
	a.gate.Unlock()
	if a.inbox != nil {
		a.inbox.Close() // rows being handled finish; the rest wait for the next start
	}
	a.wg.Wait()
	return err
}

// Wait blocks until stored gateway events are handled and background
// replies (deferred follow-ups, posts) are sent.
func (a *Adapter) Wait() {
	if a.inbox != nil {
		if err := a.inbox.Wait(context.Background()); err != nil {
			a.log.Warn("wait for inbox", "err", err)
		}
	}
	a.wg.Wait()
}

// Intents are the gateway intents the bot asks for. MESSAGE_CONTENT is
// privileged: it must be switched on in the Developer Portal (Bot page).
const Intents = discordgo.IntentsGuildMessages | discordgo.IntentMessageContent | discordgo.IntentsGuildMessageReactions

// RegisterCommands overwrites the application's commands with the router's:
// per guild when GuildID is set (instant), globally otherwise (can take an hour).
func (a *Adapter) RegisterCommands(ctx context.Context) error {
	cmds := ApplicationCommands(a.cfg.Router.Commands())
	got, err := a.session.ApplicationCommandBulkOverwrite(a.cfg.AppID, a.cfg.GuildID, cmds, discordgo.WithContext(ctx))
	if err != nil {
		return fmt.Errorf("register Discord commands: %w", err)
	}
	scope := "global"
	if a.cfg.GuildID != "" {
		scope = "guild " + a.cfg.GuildID
	}
	a.log.Info("discord commands registered", "count", len(got), "scope", scope)
	return nil
}

// workspace maps a guild to its workspace; direct messages belong to the
// configured guild, or are refused when there is none.
func (a *Adapter) workspace(ctx context.Context, guildID string) (string, int64, error) {
	if guildID == "" {
		guildID = a.cfg.GuildID
	}
	if guildID == "" {
		return "", 0, bot.Errorf(bot.EInvalid, "use mspbot in a server channel; direct messages are not linked to a server")
	}
	id, err := a.cfg.Directory.Workspace(ctx, bot.PlatformDiscord, guildID)
	return guildID, id, err
}

// background runs fn after the current reply, detached from the request that
// started it but bounded in time.
func (a *Adapter) background(ctx context.Context, fn func(ctx context.Context)) {
	a.wg.Add(1)
	// An interaction handled from the inbox waits for its own follow-ups
	// before its row is marked done (see inbox.go).
	call, _ := ctx.Value(callWork{}).(*sync.WaitGroup)
	if call != nil {
		call.Add(1)
	}
	go func() {
		defer a.wg.Done()
		if call != nil {
			defer call.Done()
		}
		bctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Minute)
		defer cancel()
		fn(bctx)
	}()
}
