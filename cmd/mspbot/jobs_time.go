package main

import (
	"log/slog"

	"github.com/riverqueue/river"

	"github.com/mspbot/mspbot/bot"
	"github.com/mspbot/mspbot/storage"
	"github.com/mspbot/mspbot/timekeeping"
)

// timeJobs registers the nudge, timer, SLA and digest workers and returns their
// periodic jobs. The lead wires it into the River client with the other
// Register calls (cmd/mspbot/jobs.go when the projects work lands it).
func timeJobs(workers *river.Workers, cfg Config, store *storage.Store, senders bot.Senders, log *slog.Logger) []*river.PeriodicJob {
	return timekeeping.Register(workers, timekeeping.Deps{
		Store: store, Senders: senders, Clock: bot.SystemClock{}, Location: cfg.Location, Log: log,
	})
}
