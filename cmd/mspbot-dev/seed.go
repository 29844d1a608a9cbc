package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"time"

	"github.com/mspbot/mspbot/internal/devdata"
)

// runSeed fills a workspace with generated data: mspbot-dev seed --techs N --requests N --entries N.
func runSeed(ctx context.Context, databaseURL string, log *slog.Logger, args []string) error {
	fs := flag.NewFlagSet("seed", flag.ContinueOnError)
	o := devdata.Options{}
	fs.IntVar(&o.Techs, "techs", 100, "techs to create")
	fs.IntVar(&o.Requests, "requests", 10000, "requests to create, spread over a year (about 3% open)")
	fs.IntVar(&o.Entries, "entries", 100000, "time entries to create")
	fs.StringVar(&o.Workspace, "workspace", "seed", "console workspace to fill")
	if err := fs.Parse(args); err != nil {
		return err
	}
	store, err := openStore(ctx, databaseURL, log)
	if err != nil {
		return err
	}
	defer store.Close()
	start := time.Now()
	c, err := devdata.Seed(ctx, store.DB(), o)
	if err != nil {
		return err
	}
	fmt.Printf("seeded workspace %q in %s: %d managers, %d techs, %d clients, %d requests (%d open), %d time entries\n",
		o.Workspace, time.Since(start).Round(time.Millisecond), c.Managers, c.Techs, c.Clients, c.Requests, c.OpenRequests, c.Entries)
	return nil
}
