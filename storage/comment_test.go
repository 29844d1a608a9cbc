package storage_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/mspbot/mspbot/bot"
)

func TestClaimEventOnce(t *testing.T) {
	t.Parallel()
	s, _, _ := setup(t)
	ctx := context.Background()
	for i, want := range []bool{true, false, false} {
		got, err := s.ClaimEvent(ctx, bot.PlatformSlack, "T1", "Ev1")
		if err != nil || got != want {
			t.Fatalf("claim %d = %v, %v; want %v", i, got, err, want)
		}
	}
	if got, err := s.ClaimEvent(ctx, bot.PlatformSlack, "T2", "Ev1"); err != nil || !got {
		t.Fatalf("same id in another workspace = %v, %v; want claimed", got, err)
	}
	if err := s.ReleaseEvent(ctx, bot.PlatformSlack, "T1", "Ev1"); err != nil {
		t.Fatal(err)
	}
	if got, err := s.ClaimEvent(ctx, bot.PlatformSlack, "T1", "Ev1"); err != nil || !got {
		t.Fatalf("claim after release = %v, %v; want claimed", got, err)
	}
	n, err := s.PruneEvents(ctx, time.Now().Add(time.Hour))
	if err != nil || n != 2 {
		t.Fatalf("prune = %d, %v; want 2", n, err)
	}
}

func TestCommentsFollowThreadOnce(t *testing.T) {
	t.Parallel()
	s, ws, p := setup(t)
	ctx := context.Background()
	r, _, err := s.CreateRequest(ctx, newRequest(ws, p, "printer jammed", "C1:1.1"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.RequestByThread(ctx, ws, "C1", "9.9"); !errors.Is(err, bot.ErrNotFound) {
		t.Fatalf("unknown thread: %v; want ErrNotFound", err)
	}
	if err := s.SetRequestThread(ctx, r.ID, "C1", "2.2"); err != nil {
		t.Fatal(err)
	}
	got, err := s.RequestByThread(ctx, ws, "C1", "2.2")
	if err != nil || got.Number != r.Number {
		t.Fatalf("request by thread = %+v, %v", got, err)
	}
	in := bot.Comment{RequestID: r.ID, AuthorID: p.ID, Body: "still jammed", SourcePlatform: bot.PlatformSlack, SourceID: "C1:3.3"}
	c1, created, err := s.AddComment(ctx, in)
	if err != nil || !created || c1.AuthorName != "dana" {
		t.Fatalf("add = %+v, %v, %v", c1, created, err)
	}
	c2, created, err := s.AddComment(ctx, in)
	if err != nil || created || c2.ID != c1.ID {
		t.Fatalf("retried add = %+v, created %v, %v; want the first", c2, created, err)
	}
	list, err := s.Comments(ctx, r.ID)
	if err != nil || len(list) != 1 || list[0].Body != "still jammed" {
		t.Fatalf("comments = %+v, %v", list, err)
	}
}
func TestDiscordThreadLookupAndComments(t *testing.T) {
	t.Parallel()
	s, ws, p := setup(t)
	ctx := context.Background()
	r, _, err := s.CreateRequest(ctx, newRequest(ws, p, "VPN down", "m1"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.RequestInThread(ctx, ws, "T-9"); !errors.Is(err, bot.ErrNotFound) {
		t.Fatalf("no thread yet: %v; want ErrNotFound", err)
	}
	if err := s.SetRequestThread(ctx, r.ID, "C1", "T-9"); err != nil {
		t.Fatal(err)
	}
	got, err := s.RequestInThread(ctx, ws, "T-9")
	if err != nil || got.Number != r.Number {
		t.Fatalf("request in thread: %+v %v", got, err)
	}
	c := bot.Comment{RequestID: r.ID, SourcePlatform: bot.PlatformDiscord, AuthorID: p.ID, Body: "rebooted, still down", SourceID: "msg-1"}
	first, created, err := s.AddComment(ctx, c)
	if err != nil || !created {
		t.Fatalf("add: %v created=%v", err, created)
	}
	again, created, err := s.AddComment(ctx, c)
	if err != nil || created || again.ID != first.ID {
		t.Fatalf("replayed comment: %+v created=%v %v; want the first one", again, created, err)
	}
	list, err := s.Comments(ctx, r.ID)
	if err != nil || len(list) != 1 || list[0].AuthorName != "dana" || list[0].Body != "rebooted, still down" {
		t.Fatalf("comments: %+v %v", list, err)
	}
}
func TestActionTemplatesAndClientSearch(t *testing.T) {
	t.Parallel()
	s, ws, _ := setup(t)
	ctx := context.Background()
	if _, err := s.ActionTemplate(ctx, "request.take"); !errors.Is(err, bot.ErrNotFound) {
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

// TestStaffCommentStopsResponseClock: a client's comment leaves the SLA
// response clock running; the first staff comment stops it at the comment's
// time; a later staff comment (or a retried delivery) does not move it.
func TestStaffCommentStopsResponseClock(t *testing.T) {
	t.Parallel()
	s, ws, _ := setup(t)
	ctx := context.Background()
	person := func(name string, role bot.Role) bot.Person {
		p, _, _, err := s.EnsurePerson(ctx, bot.NewPerson{WorkspaceID: ws, ExternalID: name, Name: name}, false)
		if err == nil {
			p, err = s.SetRole(ctx, p.ID, role, "ACME")
		}
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	carl := person("carl", bot.RoleClient)
	tom := person("tom", bot.RoleTech)
	r, _, err := s.CreateRequest(ctx, newRequest(ws, carl, "VPN down", ""))
	if err != nil {
		t.Fatal(err)
	}
	firstResponse := func() *time.Time {
		t.Helper()
		var at *time.Time
		if err := s.DB().QueryRow(`SELECT first_response_at FROM requests WHERE id = $1`, r.ID).Scan(&at); err != nil {
			t.Fatal(err)
		}
		return at
	}
	t0 := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	add := func(by bot.Person, src string, at time.Time) {
		t.Helper()
		if _, _, err := s.AddComment(ctx, bot.Comment{RequestID: r.ID, AuthorID: by.ID, Body: "…",
			SourcePlatform: bot.PlatformSlack, SourceID: src, CreatedAt: at}); err != nil {
			t.Fatal(err)
		}
	}
	add(carl, "m1", t0)
	if at := firstResponse(); at != nil {
		t.Fatalf("a client's comment stopped the clock at %v", at)
	}
	add(tom, "m2", t0.Add(20*time.Minute))
	if at := firstResponse(); at == nil || !at.Equal(t0.Add(20*time.Minute)) {
		t.Fatalf("first response after tom's reply = %v; want %v", at, t0.Add(20*time.Minute))
	}
	add(tom, "m3", t0.Add(time.Hour))
	add(tom, "m2", t0.Add(2*time.Hour)) // retried delivery of the first reply
	if at := firstResponse(); at == nil || !at.Equal(t0.Add(20*time.Minute)) {
		t.Fatalf("a later reply moved the first response to %v", at)
	}
	// Without a time of its own the comment's database time is used.
	r2, _, err := s.CreateRequest(ctx, newRequest(ws, carl, "printer", ""))
	if err != nil {
		t.Fatal(err)
	}
	before := time.Now().Add(-time.Minute)
	if _, _, err := s.AddComment(ctx, bot.Comment{RequestID: r2.ID, AuthorID: tom.ID, Body: "on it", SourcePlatform: bot.PlatformDiscord}); err != nil {
		t.Fatal(err)
	}
	var at2 *time.Time
	if err := s.DB().QueryRow(`SELECT first_response_at FROM requests WHERE id = $1`, r2.ID).Scan(&at2); err != nil || at2 == nil || at2.Before(before) {
		t.Fatalf("first response without a comment time = %v, %v", at2, err)
	}
}
