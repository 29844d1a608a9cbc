package storage_test

import (
	"context"
	"errors"
	"testing"

	"github.com/mspbot/mspbot/bot"
	"github.com/mspbot/mspbot/storage"
)

func TestCommentsDedupeAndThreadLookup(t *testing.T) {
	s, ws, p := setup(t)
	ctx := context.Background()
	r, _, err := s.CreateRequest(ctx, newRequest(ws, p, "VPN down", "m1"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.RequestInThread(ctx, ws, "T-9"); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("no thread yet: %v; want ErrNotFound", err)
	}
	if err := s.SetRequestThread(ctx, r.ID, "C1", "T-9"); err != nil {
		t.Fatal(err)
	}
	got, err := s.RequestInThread(ctx, ws, "T-9")
	if err != nil || got.Number != r.Number {
		t.Fatalf("request in thread: %+v %v", got, err)
	}
	c := storage.Comment{RequestID: r.ID, Platform: bot.PlatformDiscord, AuthorID: p.ID, Body: "rebooted, still down", SourceID: "msg-1"}
	first, created, err := s.AddComment(ctx, c)
	if err != nil || !created {
		t.Fatalf("add: %v created=%v", err, created)
	}
	again, created, err := s.AddComment(ctx, c)
	if err != nil || created || again.ID != first.ID {
		t.Fatalf("replayed comment: %+v created=%v %v; want the first one", again, created, err)
	}
	list, err := s.Comments(ctx, r.ID)
	if err != nil || len(list) != 1 || list[0].Author != "dana" || list[0].Body != "rebooted, still down" {
		t.Fatalf("comments: %+v %v", list, err)
	}
}

func TestActionTemplatesAndClientSearch(t *testing.T) {
	s, ws, _ := setup(t)
	ctx := context.Background()
	if _, err := s.ActionTemplate(ctx, "request.take"); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("unknown template: %v", err)
	}
	for _, tpl := range []string{"/request take {value}", "/request take {value}", "/request assign {value}"} {
		if err := s.SaveActionTemplate(ctx, "request.take", tpl); err != nil {
			t.Fatal(err)
		}
	}
	if got, err := s.ActionTemplate(ctx, "request.take"); err != nil || got != "/request assign {value}" {
		t.Fatalf("template = %q, %v", got, err)
	}
	for _, code := range []string{"ACME", "Acorn", "GLOBEX", "a_b"} {
		if _, err := s.EnsureClient(ctx, ws, code); err != nil {
			t.Fatal(err)
		}
	}
	list, err := s.SearchClients(ctx, ws, "ac", 10)
	if err != nil || len(list) != 2 || list[0].Code != "ACME" || list[1].Code != "Acorn" {
		t.Fatalf("search ac: %+v %v", list, err)
	}
	if list, err := s.SearchClients(ctx, ws, "a_", 10); err != nil || len(list) != 1 {
		t.Fatalf("search a_ must treat _ literally: %+v %v", list, err)
	}
}
