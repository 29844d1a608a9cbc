package main

import (
	"log/slog"

	"github.com/riverqueue/river"

	"github.com/mspbot/mspbot/bot"
	"github.com/mspbot/mspbot/chart"
	"github.com/mspbot/mspbot/storage"
	"github.com/mspbot/mspbot/timekeeping"
)

// timeJobs registers the nudge, timer, SLA and digest workers and returns their
// periodic jobs. The lead wires it into the River client with the other
// Register calls (cmd/mspbot/jobs.go when the projects work lands it).
func timeJobs(workers *river.Workers, cfg Config, store *storage.Store, senders bot.Senders, log *slog.Logger) []*river.PeriodicJob {
	return timekeeping.Register(workers, timekeeping.Deps{
		Store: store, Senders: senders, Clock: bot.SystemClock{}, Location: cfg.Location, Log: log, Chart: digestChart,
	})
}

// digestChart draws the digest's hours-per-tech picture with the chart package.
func digestChart(title, yLabel string, xLabels []string, series []timekeeping.Series) ([]byte, error) {
	cs := make([]chart.Series, len(series))
	for i, s := range series {
		cs[i] = chart.Series{Name: s.Name, Values: s.Values}
	}
	return chart.Bars(title, yLabel, xLabels, cs)
}
