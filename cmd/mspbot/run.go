package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/user"
	"strings"
	"time"

	"github.com/mspbot/mspbot/bot"
	"github.com/mspbot/mspbot/bot/console"
	"github.com/mspbot/mspbot/bot/intake"
	"github.com/mspbot/mspbot/chart"
	"github.com/mspbot/mspbot/commands"
	"github.com/mspbot/mspbot/jobs"
	"github.com/mspbot/mspbot/projects"
	"github.com/mspbot/mspbot/storage"
	"github.com/mspbot/mspbot/storage/localpg"
	"github.com/mspbot/mspbot/web"
)

// openStore finds the database, connects and applies migrations.
func openStore(ctx context.Context, cfg Config, log *slog.Logger) (*storage.Store, error) {
	dsn, err := localpg.Resolve(ctx, cfg.DatabaseURL, localpg.DefaultDataDir(), log)
	if err != nil {
		return nil, err
	}
	store, err := storage.Open(ctx, dsn)
	if err != nil {
		return nil, err
	}
	n, err := store.Migrate(ctx)
	if err != nil {
		store.Close()
		return nil, err
	}
	if n > 0 {
		log.Info("migrations applied", "count", n)
	}
	if err := jobs.Migrate(ctx, store.DB()); err != nil {
		store.Close()
		return nil, err
	}
	return store, nil
}

func runMigrate(ctx context.Context, cfg Config, log *slog.Logger, io Streams) error {
	store, err := openStore(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer store.Close()
	fmt.Fprintln(io.Out, "migrations up to date")
	return nil
}

func deps(cfg Config, store *storage.Store, log *slog.Logger) commands.Deps {
	return commands.Deps{Store: store, Clock: bot.SystemClock{}, Log: log, Location: cfg.Location, Admins: cfg.Admins, StaffRoles: cfg.StaffRoles,
		Digest:       commands.DigestOptions{Chart: chart.Bars, Sections: append(projects.DigestSections(store, cfg.Location), commands.SatisfactionDigest(store))},
		ProjectChart: chart.Lines}
}

// runBot serves HTTP (health, metrics, platform endpoints) and starts every
// platform whose credentials are set; with none it opens the console.
func runBot(ctx context.Context, cfg Config, log *slog.Logger, io Streams) error {
	store, err := openStore(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer store.Close()
	metrics := web.NewMetrics()
	d := deps(cfg, store, log)
	d.Senders = senders(io)
	// One floor for the process: inbox workers and posts yield to the acks
	// together (intake.Floor).
	floor := intake.NewFloor(cfg.InboxShare, cfg.AckBudget)
	lease, err := jobs.NewLease(ctx, store.DB(), log)
	if err != nil {
		return err
	}
	client, ob, err := newJobs(store, d, floor, lease, log)
	if err != nil {
		return err
	}
	// Messages commands send besides their reply (the requester's DM) are
	// queued too, keyed by the event they answer.
	d.Outbox = ob.queue
	router := commands.NewRouter(d, metrics.Observe)
	srv := web.NewServer(cfg.HTTPAddr, store.Ready, metrics, log)
	// Adapters join d.Senders before anything starts reading it.
	stopSlack, err := startSlack(ctx, cfg, store, router, srv, ob, floor, log)
	if err != nil {
		return err
	}
	defer stopSlack()
	dc, err := startDiscord(ctx, cfg, store, router, srv, ob, log)
	if err != nil {
		return err
	}
	if dc != nil {
		defer dc.Close()
	}
	stopJobs, err := startJobs(ctx, client, lease, log)
	if err != nil {
		return err
	}
	defer stopJobs()
	addr, err := srv.Start()
	if err != nil {
		return fmt.Errorf("listen on MSPBOT_HTTP_ADDR=%s: %w (set MSPBOT_HTTP_ADDR to a free address)", cfg.HTTPAddr, err)
	}
	log.Info("http server listening", "addr", addr)
	if io.Listening != nil {
		io.Listening(addr)
	}
	defer func() {
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		srv.Shutdown(sctx)
	}()
	if !cfg.HasPlatform() {
		log.Info("no Slack or Discord credentials set: opening the console")
		return consoleLoop(ctx, store, router, consoleUser(""), bot.RoleManager, "", io)
	}
	<-ctx.Done()
	return nil
}

func runConsole(ctx context.Context, cfg Config, log *slog.Logger, args []string, io Streams) error {
	fs := flag.NewFlagSet("console", flag.ContinueOnError)
	as := fs.String("as", "", "who you are (default: your OS user name)")
	role := fs.String("role", "manager", "tech, coordinator, manager or client")
	client := fs.String("client", "", "the client a client user belongs to, e.g. ACME")
	if err := fs.Parse(args); err != nil {
		return err
	}
	r, err := bot.ParseRole(*role)
	if err != nil {
		return errors.New(bot.ErrorMessage(err))
	}
	store, err := openStore(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer store.Close()
	d := deps(cfg, store, log)
	d.Senders = senders(io)
	router := commands.NewRouter(d, nil)
	return consoleLoop(ctx, store, router, consoleUser(*as), r, *client, io)
}

func consoleUser(name string) bot.User {
	if name == "" {
		name = "operator"
		if u, err := user.Current(); err == nil && u.Username != "" {
			name = u.Username
		}
	}
	return bot.User{ID: name, Name: name}
}

// consoleLoop sets who the console user is, then reads commands. A terminal gets
// a prompt; piped input is read one command per line, so it can be scripted.
func consoleLoop(ctx context.Context, store *storage.Store, router *bot.Router, u bot.User, role bot.Role, client string, io Streams) error {
	in, out := io.In, io.Out
	if role == bot.RoleClient && client != "" {
		// A mistyped code is refused, never created: clients are added by staff.
		ws, err := store.EnsureWorkspace(ctx, bot.PlatformConsole, console.Workspace, console.Workspace)
		if err != nil {
			return err
		}
		if _, err := store.ClientByCode(ctx, ws, client); bot.ErrorCode(err) == bot.ENotFound {
			return fmt.Errorf("there is no client %q: check the code, or add it first as staff with /client add %s \"Full name\"", client, strings.ToUpper(client))
		} else if err != nil {
			return err
		}
	}
	p, err := commands.Assume(ctx, store, bot.PlatformConsole, console.Workspace, u, role, client)
	if err != nil {
		return errors.New(bot.ErrorMessage(err))
	}
	c := &console.Console{Router: router, User: u, In: in, Out: out}
	if fi, err := in.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
		c.Prompt = "mspbot> "
		fmt.Fprintf(out, "mspbot console — you are %s (%s). Type /help, or /quit to leave.\n", p.Name, p.Role)
	}
	return c.Run(ctx)
}
