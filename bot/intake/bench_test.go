package intake_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mspbot/mspbot/bot/intake"
	"github.com/mspbot/mspbot/storage"
	"github.com/mspbot/mspbot/storage/storagetest"
)

// BenchmarkSubmit stores deliveries from many concurrent callers (8 per
// core) through the group commit, against a baseline in the same run and
// database: each caller inserting its row with its own statement and commit.
// Nothing handles the rows, so this is the storing alone.
//
//	go test -run '^$' -bench BenchmarkSubmit -benchtime 20000x ./bot/intake/
func BenchmarkSubmit(b *testing.B) {
	store := storagetest.New(b)
	ctx := context.Background()
	if _, err := store.DB().Exec(`CREATE TABLE baseline (id bigserial PRIMARY KEY, platform text NOT NULL,
		kind text NOT NULL, dedupe_key text NOT NULL UNIQUE, payload bytea NOT NULL)`); err != nil {
		b.Fatal(err)
	}
	payload := make([]byte, 600) // a slash command's size
	var seq atomic.Int64
	key := func() string { return fmt.Sprint("k", seq.Add(1)) }
	var perOp [2]time.Duration
	b.Run("baseline-1-row-insert", func(b *testing.B) {
		b.SetParallelism(8)
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if _, err := store.DB().ExecContext(ctx, `INSERT INTO baseline (platform, kind, dedupe_key, payload)
					VALUES ($1, $2, $3, $4)`, "slack", "slash", key(), payload); err != nil {
					b.Error(err)
				}
			}
		})
		perOp[0] = b.Elapsed() / time.Duration(b.N)
	})
	for _, writers := range []int{2, 4, 8} {
		b.Run(fmt.Sprintf("group-commit-%d-writers", writers), func(b *testing.B) {
			q := intake.New(store, func(context.Context, storage.InboxRow, func(any) bool) error { return nil },
				intake.Options{Workers: 1, Poll: time.Hour, Writers: writers})
			// Writers only: started workers would handle the rows as they come.
			q.StartWriters()
			defer q.Close()
			b.SetParallelism(8)
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if out := q.Submit(ctx, storage.InboxItem{Platform: "slack", Kind: "slash", Key: key(), Payload: payload}, 0); !out.Stored() {
						b.Errorf("not stored: %+v", out)
					}
				}
			})
			perOp[1] = b.Elapsed() / time.Duration(b.N)
			st := q.Stats()
			b.ReportMetric(float64(st.Stored)/float64(max(st.Commits, 1)), "rows/commit")
			b.ReportMetric(float64(perOp[0])/float64(perOp[1]), "×baseline")
		})
	}
}
