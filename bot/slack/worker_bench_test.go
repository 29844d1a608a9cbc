package slack

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/mspbot/mspbot/bot/intake"
	"github.com/mspbot/mspbot/commands"
	"github.com/mspbot/mspbot/jobs"
	"github.com/mspbot/mspbot/jobs/jobstest"
	"github.com/mspbot/mspbot/storage"
	"github.com/mspbot/mspbot/storage/storagetest"
)

// BenchmarkInboxWorkers times the work after the ack: b.N stored slash
// /requests (one person, one channel, one workspace) turned by the inbox
// workers into requests and queued deliver jobs, with commits durable as in
// production. The baseline, same run and database, is b.N single-row inserts
// from as many goroutines as there are workers, each its own commit: the
// floor for "one durable commit per row". It reports handled rows per
// second, the ratio to the baseline, and the Postgres statements (round
// trips, BEGIN and COMMIT included) per handled request. The +deliver
// variant also runs the outbox's deliverer in the same process, as the bot
// does, and times until every request is posted to the fake Slack.
//
//	go test -run '^$' -bench BenchmarkInboxWorkers -benchtime 2000x ./bot/slack/
func BenchmarkInboxWorkers(b *testing.B) {
	for _, v := range []struct {
		workers int
		deliver bool
	}{{2, false}, {8, false}, {2, true}} {
		name := fmt.Sprintf("workers-%d", v.workers)
		if v.deliver {
			name += "+deliver"
		}
		b.Run(name, func(b *testing.B) { benchWorkers(b, v.workers, v.deliver) })
	}
}

func benchWorkers(b *testing.B, workers int, deliver bool) {
	ctx := context.Background()
	store, stmts := storagetest.NewCounted(b, true)
	fake := newFakeSlack(b, testTeam, testBot)
	fake.addUser("UBENCH", "bench", testTeam, "UTC")
	if err := jobs.Migrate(ctx, store.DB()); err != nil {
		b.Fatal(err)
	}
	inserter, err := jobs.New(store.DB(), nil, testLog(), jobs.Options{})
	if err != nil {
		b.Fatal(err)
	}

	base := baselineInserts(b, store, b.N, workers)

	items := make([]storage.InboxItem, b.N)
	for i := range items {
		c := slack.SlashCommand{TeamID: testTeam, ChannelID: "C1", UserID: "UBENCH", UserName: "bench",
			Command: "/request", Text: fmt.Sprintf("Printer on floor %d is jammed (bench %d)", i%7, i),
			ResponseURL: fake.responseURL("UBENCH"), TriggerID: fmt.Sprintf("bench.workers.%d", i)}
		payload, _ := json.Marshal(c)
		items[i] = storage.InboxItem{Platform: "slack", Kind: kindSlash, Key: inboxKey(kindSlash, testTeam, c.TriggerID, nil), Payload: payload}
	}
	for i := 0; i < len(items); i += 256 {
		if _, err := store.AppendInbox(ctx, items[i:min(i+256, len(items))]); err != nil {
			b.Fatal(err)
		}
	}

	before := stmts.Load()
	b.ResetTimer()
	start := time.Now()
	// Start runs the drain, which hands every pending row to the workers.
	e := newEnvOn(b, store, fake, func(c *Config) {
		c.Outbox = jobs.NewOutbox(inserter, testLog())
		c.Announce = commands.OpenedMessage
		c.Intake = intake.Options{Workers: workers}
	})
	if deliver {
		d := newDeliverer(b, store, e.adapter, "bench")
		if err := d.Start(ctx); err != nil {
			b.Fatal(err)
		}
		e.adapter.Wait()
		jobstest.Drain(b, store.DB(), 10*time.Minute, b.N, []jobstest.Stopper{d}, "deliver")
		if n := len(e.fake.callsTo("chat.postMessage")); n != b.N {
			b.Fatalf("%d posts for %d requests", n, b.N)
		}
	}
	e.adapter.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	used := stmts.Load() - before

	if n := storagetest.Count(b, store, `SELECT count(*) FROM requests`); n != b.N {
		b.Fatalf("%d requests for %d stored commands", n, b.N)
	}
	if n := storagetest.Count(b, store, `SELECT count(*) FROM river_job WHERE kind = 'deliver'`); n != b.N {
		b.Fatalf("%d deliver jobs for %d stored commands", n, b.N)
	}
	rate := float64(b.N) / elapsed.Seconds()
	b.ReportMetric(rate, "handled/s")
	b.ReportMetric(base, "baseline-inserts/s")
	b.ReportMetric(rate/base, "×baseline")
	b.ReportMetric(float64(used)/float64(b.N), "stmts/request")
	if testing.Verbose() {
		for _, t := range stmts.Slowest(12) {
			b.Logf("%6d × %8.3f ms  %s", t.Count, float64(t.Total.Microseconds())/1000/float64(t.Count), t.Query)
		}
	}
}

// baselineInserts inserts n rows from workers goroutines, each row its own
// statement and commit, and returns rows per second.
func baselineInserts(b *testing.B, store *storage.Store, n, workers int) float64 {
	if _, err := store.DB().Exec(`CREATE TABLE baseline_rows (id bigserial PRIMARY KEY, body text NOT NULL)`); err != nil {
		b.Fatal(err)
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for next.Add(1) <= int64(n) {
				if _, err := store.DB().Exec(`INSERT INTO baseline_rows (body) VALUES ($1)`, "Printer is jammed"); err != nil {
					b.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	return float64(n) / time.Since(start).Seconds()
}
