package main

import (
	"context"
	"database/sql"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/mspbot/mspbot/bot"
	"github.com/mspbot/mspbot/internal/devdata"
	"github.com/mspbot/mspbot/projects"
	"github.com/mspbot/mspbot/storage"
	"github.com/mspbot/mspbot/storage/localpg"
	"github.com/mspbot/mspbot/timekeeping"
	"github.com/mspbot/mspbot/timekeeping/digest"
	"github.com/mspbot/mspbot/timekeeping/nudge"
	"github.com/mspbot/mspbot/timekeeping/sla"
)

// runBench seeds a scratch database per size and times the daily digest, the
// nudge sweep and the SLA sweep, printing each against the smallest size.
func runBench(ctx context.Context, databaseURL string, log *slog.Logger, args []string) error {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	sizes := fs.String("sizes", "10000,100000,1000000", "request counts to measure")
	techs := fs.Int("techs", 1000, "techs")
	perRequest := fs.Int("entries-per-request", 10, "time entries per request")
	runs := fs.Int("runs", 5, "timed runs per measure (the median is shown)")
	keep := fs.Bool("keep", false, "keep the scratch databases")
	explain := fs.Bool("explain", true, "print query plans at the largest size")
	if err := fs.Parse(args); err != nil {
		return err
	}
	dsn, err := localpg.Resolve(ctx, databaseURL, localpg.DefaultDataDir(), log)
	if err != nil {
		return err
	}
	var ns []int
	for _, s := range strings.Split(*sizes, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n <= 0 {
			return fmt.Errorf("--sizes: %q is not a count", s)
		}
		ns = append(ns, n)
	}
	type row struct {
		n                 int
		seed              time.Duration
		digest, nudge, sl time.Duration
		slFull            time.Duration
	}
	var rows []row
	for i, n := range ns {
		r, err := benchOne(ctx, dsn, n, *techs, n**perRequest, *runs, *keep, *explain && i == len(ns)-1, os.Stdout)
		if err != nil {
			return err
		}
		rows = append(rows, row{n, r[0], r[1], r[2], r[3], r[4]})
	}
	ratio := func(a, b time.Duration) string { return fmt.Sprintf("%.2fx", float64(a)/float64(max(b, 1))) }
	fmt.Printf("\n%-10s %-11s %-10s %-10s %-10s %-10s %-8s %-8s %-8s %-8s\n", "requests", "seed", "digest", "nudges", "sla",
		"sla-all", "digest×", "nudges×", "sla×", "sla-all×")
	for _, r := range rows {
		b := rows[0]
		fmt.Printf("%-10d %-11s %-10s %-10s %-10s %-10s %-8s %-8s %-8s %-8s\n", r.n, r.seed.Round(time.Millisecond),
			r.digest.Round(10*time.Microsecond), r.nudge.Round(10*time.Microsecond), r.sl.Round(10*time.Microsecond),
			r.slFull.Round(10*time.Microsecond), ratio(r.digest, b.digest), ratio(r.nudge, b.nudge), ratio(r.sl, b.sl),
			ratio(r.slFull, b.slFull))
	}
	fmt.Println("sla: the sweep as it runs each minute (reads clocks due only); sla-all: one sweep judging every open clock," +
		" as every sweep did before sla_next_check_at")
	return nil
}

func benchOne(ctx context.Context, dsn string, n, techs, entries, runs int, keep, explain bool, out io.Writer) ([5]time.Duration, error) {
	var res [5]time.Duration
	name := fmt.Sprintf("mspbot_bench_%d", n)
	u, err := url.Parse(dsn)
	if err != nil {
		return res, err
	}
	admin, err := sql.Open("postgres", dsn)
	if err != nil {
		return res, err
	}
	defer admin.Close()
	if _, err := admin.ExecContext(ctx, `DROP DATABASE IF EXISTS `+name+` WITH (FORCE)`); err != nil {
		return res, err
	}
	if _, err := admin.ExecContext(ctx, `CREATE DATABASE `+name); err != nil {
		return res, fmt.Errorf("create scratch database: %w", err)
	}
	if !keep {
		defer admin.ExecContext(context.Background(), `DROP DATABASE IF EXISTS `+name+` WITH (FORCE)`)
	}
	u.Path = "/" + name
	store, err := storage.Open(ctx, u.String())
	if err != nil {
		return res, err
	}
	defer store.Close()
	if _, err := store.Migrate(ctx); err != nil {
		return res, err
	}
	start := time.Now()
	c, err := devdata.Seed(ctx, store.DB(), devdata.Options{Workspace: "bench", Techs: techs, Requests: n, Entries: entries})
	if err != nil {
		return res, err
	}
	res[0] = time.Since(start)
	fmt.Fprintf(out, "%d requests (%d open), %d time entries, %d techs, %d managers: seeded in %s\n",
		c.Requests, c.OpenRequests, c.Entries, c.Techs, c.Managers, res[0].Round(time.Millisecond))
	ws, err := devdata.WorkspaceID(ctx, store.DB(), "bench")
	if err != nil {
		return res, err
	}
	mgrs, err := store.Managers(ctx)
	if err != nil || len(mgrs) == 0 {
		return res, fmt.Errorf("no managers seeded: %v", err)
	}
	m := mgrs[0]
	nd := &nudge.Service{Store: store, Clock: bot.SystemClock{}, Location: time.UTC}
	sl := &sla.Service{Store: store, Clock: bot.SystemClock{}, Location: time.UTC}
	dg := &digest.Service{Store: store, Clock: bot.SystemClock{}, Location: time.UTC, Sections: projects.DigestSections(store, time.UTC)}
	// A weekday mid-morning in New York, when nudges are live for many techs.
	now := time.Now()
	median := func(f func() error) (time.Duration, error) {
		var ts []time.Duration
		for i := 0; i < runs; i++ {
			t0 := time.Now()
			if err := f(); err != nil {
				return 0, err
			}
			ts = append(ts, time.Since(t0))
		}
		sort.Slice(ts, func(i, j int) bool { return ts[i] < ts[j] })
		return ts[len(ts)/2], nil
	}
	if res[1], err = median(func() error {
		_, err := dg.Build(ctx, digest.For{ManagerID: m.PersonID, Name: m.Name, WorkspaceID: ws}, now)
		return err
	}); err != nil {
		return res, err
	}
	// Time the sweep's read and decisions; sending is off (no senders), but
	// nudges due are recorded on the first run as in production.
	if res[2], err = median(func() error { _, err := nd.Sweep(ctx, now); return err }); err != nil {
		return res, err
	}
	if _, err := sl.Sweep(ctx, now); err != nil { // first run records the backlog of breaches
		return res, err
	}
	// The sweep runs every minute: each timed run is a minute later.
	minute := 0
	if res[3], err = median(func() error {
		minute++
		_, err := sl.Sweep(ctx, now.Add(time.Duration(minute)*time.Minute))
		return err
	}); err != nil {
		return res, err
	}
	// For comparison, a sweep that judges every open clock under contract, as
	// each sweep did before requests.sla_next_check_at (the reset is not timed).
	var full []time.Duration
	for i := 0; i < runs; i++ {
		if _, err := store.DB().ExecContext(ctx, `UPDATE requests SET sla_next_check_at = '-infinity'
			WHERE status = 'open' AND client_id IS NOT NULL`); err != nil {
			return res, err
		}
		t0 := time.Now()
		if _, err := sl.Sweep(ctx, now.Add(time.Duration(minute)*time.Minute)); err != nil {
			return res, err
		}
		full = append(full, time.Since(t0))
	}
	sort.Slice(full, func(i, j int) bool { return full[i] < full[j] })
	res[4] = full[len(full)/2]
	fmt.Fprintf(out, "  digest %s, nudge sweep %s (%d techs), SLA sweep %s (judging every open clock %s)\n",
		res[1].Round(10*time.Microsecond), res[2].Round(10*time.Microsecond), techs, res[3].Round(10*time.Microsecond),
		res[4].Round(10*time.Microsecond))
	if explain {
		day := timekeeping.DateOf(now, time.UTC).AddDate(0, 0, -1)
		for _, q := range []struct {
			what, sql string
			args      []any
		}{
			{"new requests since yesterday", `SELECT r.kind, count(*) FROM requests r WHERE r.workspace_id = $1 AND r.created_at >= $2 AND r.created_at < $3 GROUP BY 1`, []any{ws, now.Add(-24 * time.Hour), now}},
			{"open requests by kind", `SELECT kind, count(*), min(created_at) FROM requests WHERE workspace_id = $1 AND status = 'open' GROUP BY kind`, []any{ws}},
			{"a tech's last entry", `SELECT created_at FROM time_entries WHERE person_id = $1 ORDER BY created_at DESC LIMIT 1`, []any{m.PersonID + 1}},
			{"minutes logged yesterday", `SELECT person_id, sum(minutes) FROM time_entries WHERE person_id = ANY(ARRAY[$1::bigint, $2::bigint]) AND entry_date = $3 GROUP BY person_id`, []any{m.PersonID + 1, m.PersonID + 2, day}},
		} {
			plan, err := store.Explain(ctx, q.sql, q.args...)
			if err != nil {
				return res, err
			}
			fmt.Fprintf(out, "  plan, %s:\n    %s\n", q.what, strings.ReplaceAll(strings.TrimSpace(plan), "\n", "\n    "))
		}
	}
	return res, nil
}
