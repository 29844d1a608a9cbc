// Command mspbot-dev holds the developer's tools that the bot itself does not
// ship: generated load-test data and the digest/sweep benchmark. They share
// the bot's storage and migrations but live apart, so the production binary
// links no generator.
//
//	mspbot-dev seed    generate load-test data: --techs N --requests N --entries N
//	mspbot-dev bench   time the digest and sweeps at growing sizes
//
// DATABASE_URL says where; unset, the local Postgres as for mspbot.
package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/mspbot/mspbot/jobs"
	"github.com/mspbot/mspbot/storage"
	"github.com/mspbot/mspbot/storage/localpg"
)

const usage = `usage: mspbot-dev seed|bench [flags]
  seed       --techs N --requests N --entries N [--workspace NAME]: generate load-test data
  bench      [--sizes 10000,100000,1000000]: time the digest and sweeps as data grows`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv("DATABASE_URL")); err != nil {
		fmt.Fprintln(os.Stderr, "mspbot-dev:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, databaseURL string) error {
	if len(args) == 0 {
		return fmt.Errorf("no subcommand\n%s", usage)
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	switch args[0] {
	case "seed":
		return runSeed(ctx, databaseURL, log, args[1:])
	case "bench":
		return runBench(ctx, databaseURL, log, args[1:])
	case "help", "-h", "--help":
		fmt.Println(usage)
		return nil
	default:
		return fmt.Errorf("unknown subcommand %q\n%s", args[0], usage)
	}
}

// openStore finds the database, connects and applies mspbot's and River's
// migrations, as the bot does at start.
func openStore(ctx context.Context, databaseURL string, log *slog.Logger) (*storage.Store, error) {
	dsn, err := localpg.Resolve(ctx, databaseURL, localpg.DefaultDataDir(), log)
	if err != nil {
		return nil, err
	}
	store, err := storage.Open(ctx, dsn)
	if err != nil {
		return nil, err
	}
	if _, err := store.Migrate(ctx); err != nil {
		store.Close()
		return nil, err
	}
	if err := jobs.Migrate(ctx, store.DB()); err != nil {
		store.Close()
		return nil, err
	}
	return store, nil
}
