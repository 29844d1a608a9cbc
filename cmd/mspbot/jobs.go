package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/riverqueue/river"

	"github.com/mspbot/mspbot/bot"
	"github.com/mspbot/mspbot/bot/console"
	"github.com/mspbot/mspbot/commands"
	"github.com/mspbot/mspbot/jobs"
	"github.com/mspbot/mspbot/projects"
	"github.com/mspbot/mspbot/storage"
	"github.com/mspbot/mspbot/timekeeping/digest"
	"github.com/mspbot/mspbot/timekeeping/nudge"
	"github.com/mspbot/mspbot/timekeeping/sla"
)

// senders are how the bot speaks first (weekly updates, nudges, digests, queued
// posts). The console prints; each platform adapter adds itself when it starts.
func senders(io Streams) bot.Senders {
	return bot.Senders{bot.PlatformConsole: console.Sender{Out: io.Out}}
}

// newJobs builds the one River client of this process: every feature's workers
// and periodic jobs (a literal list: one line per feature) plus the outbox's
// deliver worker. One client matters: River runs periodic jobs on the elected
// leader only, and a second client without them could win the election.
// Nothing runs until start is called, after the adapters joined d.Senders.
// Posts yield to acknowledgements through floor (see intake.Floor). The
// client runs its jobs under the lease's id, so that the other processes
// know them for this one's (jobs.Lease).
func newJobs(store *storage.Store, d commands.Deps, floor jobs.Floor, lease *jobs.Lease, log *slog.Logger) (*jobs.Client, *outbox, error) {
	workers := river.NewWorkers()
	var periodic []*river.PeriodicJob
	periodic = append(periodic, jobs.RegisterProjects(workers, &projects.Service{
		Store: store, Senders: d.Senders, Clock: d.Clock, Location: d.Location, Log: log, Chart: d.ProjectChart})...)
	periodic = append(periodic, jobs.RegisterNudges(workers, &nudge.Service{
		Store: store, Senders: d.Senders, Clock: d.Clock, Location: d.Location, Log: log})...)
	periodic = append(periodic, jobs.RegisterSLA(workers, &sla.Service{
		Store: store, Senders: d.Senders, Clock: d.Clock, Location: d.Location, Log: log})...)
	periodic = append(periodic, jobs.RegisterDigest(workers, &digest.Service{
		Store: store, Senders: d.Senders, Clock: d.Clock, Location: d.Location, Log: log, Chart: d.Digest.Chart,
		Sections: d.Digest.Sections})...)
	periodic = append(periodic, jobs.RegisterMaintenance(workers, store, d.Senders, d.Clock, log.With("worker", "maintenance"))...)
	jobs.AddWorker(workers, &jobs.DeliverWorker{Senders: d.Senders, Store: store, Floor: floor, Lease: lease, Log: log.With("worker", "deliver")})

	client, err := jobs.New(store.DB(), workers, log, jobs.Options{PeriodicJobs: periodic, ID: lease.ID(),
		Queues: []string{river.QueueDefault, jobs.QueueOutbox}})
	if err != nil {
		return nil, nil, err
	}
	return client, &outbox{senders: d.Senders, queue: jobs.NewOutbox(client, log)}, nil
}

// startJobs starts the client and the lease's rounds (which take up the jobs
// of processes that ended); stop waits for running jobs, then gives the
// lease up.
func startJobs(ctx context.Context, client *jobs.Client, lease *jobs.Lease, log *slog.Logger) (stop func(), err error) {
	if err := client.Start(ctx); err != nil {
		return nil, err
	}
	lctx, stopLease := context.WithCancel(ctx)
	leaseDone := make(chan struct{})
	go func() { defer close(leaseDone); lease.Run(lctx) }()
	return func() {
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		stopped := true
		if err := client.Stop(sctx); err != nil {
			log.Warn("jobs stop", "err", err)
			// Jobs still running: cancel them, and wait for them a little.
			cctx, ccancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer ccancel()
			if err := client.StopAndCancel(cctx); err != nil {
				log.Warn("jobs stop and cancel", "err", err)
				stopped = false
			}
		}
		stopLease()
		<-leaseDone
		if !stopped {
			// A job may still run: giving the lease up would let another
			// process take it up beside it. The lock goes when the process
			// exits.
			return
		}
		if err := lease.Close(); err != nil {
			log.Warn("jobs lease", "err", err)
		}
	}, nil
}
