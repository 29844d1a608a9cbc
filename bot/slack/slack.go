// Package slack is mspbot's Slack adapter (slack-go): signed HTTP and Socket
// Mode intake of slash commands, events and interactions, Block Kit rendering,
// modals, Slack Connect external users, and a bot.Sender for posts the bot
// starts. Commands never see a Slack type: everything becomes a bot.Event and
// every reply is a bot.Message rendered here.
package slack

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/slack-go/slack"

	"github.com/mspbot/mspbot/bot"
	"github.com/mspbot/mspbot/bot/intake"
)

// Dispatcher runs commands (a *bot.Router).
type Dispatcher interface {
	Dispatch(ctx context.Context, ev bot.Event) []bot.Message
	// Run is Dispatch returning the error instead of a reply (thread comments).
	Run(ctx context.Context, ev bot.Event) ([]bot.Message, error)
}

// Directory maps a team to its workspace (a *commands.Directory). Who
// someone is, and what they may do, is the Router's to decide, not the adapter's.
type Directory interface {
	Workspace(ctx context.Context, platform bot.Platform, externalID string) (int64, error)
}

// Store is what the adapter keeps in Postgres itself; *storage.Store implements it.
type Store interface {
	Channel(ctx context.Context, workspaceID int64, channelID string) (bot.ChannelSettings, error)
	RequestByNumber(ctx context.Context, workspaceID, number int64) (bot.Request, error)
	RequestByThread(ctx context.Context, workspaceID int64, channel, thread string) (bot.Request, error)
	SetRequestThread(ctx context.Context, requestID int64, channel, thread string) error
	AddComment(ctx context.Context, c bot.Comment) (bot.Comment, bool, error)
	RequestBySource(ctx context.Context, workspaceID int64, platform bot.Platform, sourceID string) (bot.Request, error)
	// The clients the "Open request" form offers to pick from (modal.go).
	ListClients(ctx context.Context, workspaceID int64) ([]bot.Client, error)
	// The requests the Home tab's "Log time" form offers (logtime.go).
	ListRequests(ctx context.Context, workspaceID int64, q bot.RequestQuery) ([]bot.Request, int, error)
	// The inbox every payload is stored in before it is acknowledged.
	intake.Store
}

// Config is the adapter's settings; cmd/mspbot fills it from the environment.
type Config struct {
	BotToken      string // xoxb-…
	AppToken      string // xapp-…: Socket Mode
	SigningSecret string // HTTP mode
	APIURL        string // Web API base; empty means Slack's
	TicketEmoji   string // reaction that opens a request; default "ticket"

	Clock      bot.Clock
	Log        *slog.Logger
	HTTPClient *http.Client

	// AckBudget is how long a stored payload's handling may take before Slack
	// is acknowledged without its reply (Slack waits 3 s); the reply is then
	// delivered afterwards (response_url, chat.postEphemeral).
	AckBudget time.Duration
	// Intake sizes the inbox's group commit and workers (zero: defaults).
	Intake intake.Options
	// RetryBase is the first backoff for a failed post; it doubles each attempt.
	RetryBase time.Duration
	// PostAttempts is how many times a post is tried before it is given up.
	PostAttempts int

	// Outbox, when set, queues the public posts that follow an ack as jobs
	// (see outbox.go), so a restart loses none; nil posts them in process.
	Outbox bot.Outbox
	// Announce rebuilds the message announcing a request (commands.OpenedMessage):
	// with an Outbox, a redelivered event whose request never got posted has
	// its post queued again. nil turns that off.
	Announce func(bot.Request) bot.Message
}

// Adapter is one Slack app installation.
type Adapter struct {
	cfg    Config
	api    *slack.Client
	router Dispatcher
	dir    Directory
	store  Store
	log    *slog.Logger
	verify Verifier

	users *userCache
	inbox *intake.Intake

	mu        sync.Mutex
	botUserID string
	botID     string
	socketErr error // Socket Mode refused for good (health.go)

	bg     sync.WaitGroup
	bgCtx  context.Context
	cancel context.CancelFunc
}

// New builds the adapter. Call Start before serving.
func New(cfg Config, router Dispatcher, dir Directory, store Store) *Adapter {
	if cfg.Clock == nil {
		cfg.Clock = bot.SystemClock{}
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 15 * time.Second}
	}
	if cfg.TicketEmoji == "" {
		cfg.TicketEmoji = "ticket"
	}
	cfg.TicketEmoji = strings.Trim(cfg.TicketEmoji, ": ")
	if cfg.AckBudget <= 0 {
		cfg.AckBudget = 2500 * time.Millisecond
	}
	if cfg.RetryBase <= 0 {
		cfg.RetryBase = time.Second
	}
	if cfg.PostAttempts <= 0 {
		cfg.PostAttempts = 8
	}
	opts := []slack.Option{slack.OptionHTTPClient(cfg.HTTPClient)}
	if cfg.APIURL != "" {
		u := cfg.APIURL
		if !strings.HasSuffix(u, "/") {
			u += "/"
		}
		opts = append(opts, slack.OptionAPIURL(u))
	}
	if cfg.AppToken != "" {
		opts = append(opts, slack.OptionAppLevelToken(cfg.AppToken))
	}
	ctx, cancel := context.WithCancel(context.Background())
	a := &Adapter{
		cfg: cfg, api: slack.New(cfg.BotToken, opts...), router: router, dir: dir, store: store,
		log: cfg.Log.With("platform", "slack"), verify: Verifier{Secret: []byte(cfg.SigningSecret), Clock: cfg.Clock},
		users: newUserCache(cfg.Clock), bgCtx: ctx, cancel: cancel,
	}
	io := cfg.Intake
	// A slash command's reply reads the same through response_url, so under
	// a stream of deliveries acks never wait for handling (p99 of the ack).
	io.AckFirstWhenStreaming = true
	if io.Log == nil {
		io.Log = a.log.With("part", "inbox")
	}
	if c, ok := cfg.Outbox.(intake.Collector); ok && io.Posts == nil {
		io.Posts = c // a run of rows queues its posts in one insert
	}
	a.inbox = intake.New(store, a.handleInbox, io)
	return a
}

// Start asks Slack who the bot is (auth.test), so the bot ignores its own
// messages and recognises mentions of itself.
func (a *Adapter) Start(ctx context.Context) error {
	res, err := a.api.AuthTestContext(ctx)
	if err != nil {
		return fmt.Errorf("slack auth.test (check SLACK_BOT_TOKEN): %w", err)
	}
	a.mu.Lock()
	a.botUserID, a.botID = res.UserID, res.BotID
	a.mu.Unlock()
	a.log.Info("slack connected", "team", res.TeamID, "bot_user", res.UserID)
	// Workers start once the bot knows itself; rows a crashed process left
	// pending are handled first.
	a.inbox.Start()
	return nil
}

// Close lets deliveries in flight finish for up to 10 seconds, then cancels
// the rest (their retries stop; see deliver.go) and waits for them.
func (a *Adapter) Close() {
	// Rows being handled finish; rows not yet handled wait for the next start.
	a.inbox.Close()
	done := make(chan struct{})
	go func() { a.bg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		a.log.Warn("slack deliveries still pending at shutdown are abandoned")
	}
	a.cancel()
	<-done
}

// Wait blocks until every stored payload is handled and every delivery
// started so far has finished (tests).
func (a *Adapter) Wait() {
	if err := a.inbox.Wait(a.bgCtx); err != nil {
		a.log.Warn("wait for inbox", "err", err)
	}
	a.bg.Wait()
}

func (a *Adapter) self() (userID, botID string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.botUserID, a.botID
}

// background runs slow work after the ack, outliving the request that started it.
func (a *Adapter) background(name string, fn func(ctx context.Context)) {
	a.reserve()(name, fn)
}

// reserve counts background work before it starts and returns the function
// that starts it. Counting first matters when the work starts after the ack:
// otherwise Wait (shutdown, tests) could return between the ack and the start.
func (a *Adapter) reserve() func(name string, fn func(ctx context.Context)) {
	a.bg.Add(1)
	return func(name string, fn func(ctx context.Context)) { a.run(name, fn) }
}

func (a *Adapter) run(name string, fn func(ctx context.Context)) {
	go func() {
		defer a.bg.Done()
		defer func() {
			if r := recover(); r != nil {
				a.log.Error("background work panicked", "work", name, "panic", r)
			}
		}()
		fn(a.bgCtx)
	}()
}

// result is what handling one inbound payload produced.
type result struct {
	// ack is the body of the acknowledgement (a slash command's ephemeral
	// reply, a modal's validation errors); nil acknowledges with nothing.
	ack any
	// late delivers ack's content another way when the ack went out before
	// the work finished (response_url or chat.postEphemeral).
	late func(ctx context.Context)
	// after is the slow work done once Slack has its ack: posting, updating.
	after func(ctx context.Context)
	// status, when not 0, is the HTTP status to answer with (500 asks Slack to retry).
	status int
}

// reserveAfter counts a result's slow work before the ack is written and
// returns what starts it once the ack is on its way.
func (a *Adapter) reserveAfter(r result) func() {
	if r.after == nil {
		return func() {}
	}
	start := a.reserve()
	return func() { start("after ack", r.after) }
}

var errGaveUp = errors.New("slack: gave up")
