package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/riverqueue/river"

	"github.com/mspbot/mspbot/bot"
	"github.com/mspbot/mspbot/bot/console"
	"github.com/mspbot/mspbot/chart"
	"github.com/mspbot/mspbot/commands"
	"github.com/mspbot/mspbot/jobs"
	"github.com/mspbot/mspbot/projects"
	"github.com/mspbot/mspbot/storage"
	"github.com/mspbot/mspbot/timekeeping"
)

// senders are how the bot speaks first (weekly updates, reminders, closeout
// questions). With no platform configured, the console prints them.
func senders(io Streams) bot.Senders {
	return bot.Senders{bot.PlatformConsole: console.Sender{Out: io.Out}}
}

// startJobs registers every feature's workers and periodic jobs (a literal list:
// one line per feature) and starts the River client. stop waits for running jobs.
func startJobs(ctx context.Context, store *storage.Store, d commands.Deps, log *slog.Logger) (stop func(), err error) {
	workers := river.NewWorkers()
	var periodic []*river.PeriodicJob
	periodic = append(periodic, projects.Register(workers, &projects.Service{
		Store: store, Senders: d.Senders, Clock: d.Clock, Location: d.Location, Log: log})...)
	periodic = append(periodic, timekeeping.Register(workers, timekeeping.Deps{
		Store: store, Senders: d.Senders, Clock: d.Clock, Location: d.Location, Log: log, Chart: digestChart,
		Sections: d.Digest.Sections})...)

	client, err := jobs.New(store.DB(), workers, log, jobs.Options{PeriodicJobs: periodic})
	if err != nil {
		return nil, err
	}
	if err := client.Start(ctx); err != nil {
		return nil, err
	}
	return func() {
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := client.Stop(sctx); err != nil {
			log.Warn("jobs stop", "err", err)
		}
	}, nil
}

// digestChart draws the digest's hours-per-tech picture with the chart package.
func digestChart(title, yLabel string, xLabels []string, series []timekeeping.Series) ([]byte, error) {
	cs := make([]chart.Series, len(series))
	for i, s := range series {
		cs[i] = chart.Series{Name: s.Name, Values: s.Values}
	}
	return chart.Bars(title, yLabel, xLabels, cs)
}
