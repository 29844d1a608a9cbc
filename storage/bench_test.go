package storage_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/mspbot/mspbot/bot"
	"github.com/mspbot/mspbot/storage/storagetest"
)

// BenchmarkCreateRequest measures the request insert path (number allocation,
// insert, first classification event, read back). The sub-benchmark with a
// source id adds the dedupe key; "baseline" is a bare single-row insert on the
// same database, so the ratio shows what the request path costs over the floor.
func BenchmarkCreateRequest(b *testing.B) {
	s := storagetest.New(b)
	ctx := context.Background()
	ws, err := s.EnsureWorkspace(ctx, bot.PlatformConsole, "bench", "")
	if err != nil {
		b.Fatal(err)
	}
	p, _, _, err := s.EnsurePerson(ctx, bot.NewPerson{WorkspaceID: ws, ExternalID: "b", Name: "b"}, true)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("baseline-insert", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			if _, err := s.DB().ExecContext(ctx, `INSERT INTO clients (workspace_id, code, name) VALUES ($1, $2, $2)`, ws, fmt.Sprintf("c%d-%d", b.N, i)); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("create-request", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			if _, _, err := s.CreateRequest(ctx, newRequest(ws, p, "printer jammed", "")); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("create-request-with-source", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			if _, _, err := s.CreateRequest(ctx, newRequest(ws, p, "printer jammed", fmt.Sprintf("src-%d-%d", b.N, i))); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("duplicate-delivery", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			if _, _, err := s.CreateRequest(ctx, newRequest(ws, p, "printer jammed", "same-source")); err != nil {
				b.Fatal(err)
			}
		}
	})
}
