package storage_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/mspbot/mspbot/bot"
	"github.com/mspbot/mspbot/storage"
	"github.com/mspbot/mspbot/storage/storagetest"
)

func setup(t *testing.T) (*storage.Store, int64, bot.Person) {
	t.Helper()
	s := storagetest.New(t)
	ctx := context.Background()
	ws, err := s.EnsureWorkspace(ctx, bot.PlatformConsole, "console", "Console")
	if err != nil {
		t.Fatal(err)
	}
	p, _, _, err := s.EnsurePerson(ctx, bot.NewPerson{WorkspaceID: ws, ExternalID: "dana", Name: "dana"}, true)
	if err != nil {
		t.Fatal(err)
	}
	return s, ws, p
}

func newRequest(ws int64, by bot.Person, title, source string) bot.Request {
	return bot.Request{WorkspaceID: ws, Title: title, Body: title, Kind: "support", Type: "incident",
		Confidence: 0.93, Reasons: []string{`"password"`}, OpenedBy: by.ID,
		SourcePlatform: bot.PlatformConsole, SourceID: source}
}

func TestCreateRequestNumbersPerWorkspace(t *testing.T) {
	t.Parallel()
	s, ws, p := setup(t)
	ctx := context.Background()
	a, created, err := s.CreateRequest(ctx, newRequest(ws, p, "first", ""))
	if err != nil || !created {
		t.Fatalf("create: %v created=%v", err, created)
	}
	b, _, err := s.CreateRequest(ctx, newRequest(ws, p, "second", ""))
	if err != nil {
		t.Fatal(err)
	}
	if a.Number != 1001 || b.Number != 1002 {
		t.Fatalf("numbers = %d, %d; want 1001, 1002", a.Number, b.Number)
	}
	other, err := s.EnsureWorkspace(ctx, bot.PlatformSlack, "T1", "Acme IT")
	if err != nil {
		t.Fatal(err)
	}
	q, _, _, err := s.EnsurePerson(ctx, bot.NewPerson{WorkspaceID: other, ExternalID: "U1", Name: "sam"}, true)
	if err != nil {
		t.Fatal(err)
	}
	c, _, err := s.CreateRequest(ctx, newRequest(other, q, "elsewhere", ""))
	if err != nil || c.Number != 1001 {
		t.Fatalf("other workspace number = %d, %v; want 1001", c.Number, err)
	}
	got, err := s.RequestByNumber(ctx, ws, 1001)
	if err != nil {
		t.Fatal(err)
	}
	if got.Title != "first" || got.Confidence != 0.93 || len(got.Reasons) != 1 || got.OpenedByName != "dana" {
		t.Fatalf("read back %+v", got)
	}
	hist, err := s.ClassificationHistory(ctx, got.ID)
	if err != nil || len(hist) != 1 || hist[0].ToKind != "support" || hist[0].ActorID != nil {
		t.Fatalf("history = %+v, %v", hist, err)
	}
}

func TestCreateRequestDedupesConcurrentRetries(t *testing.T) {
	t.Parallel()
	s, ws, p := setup(t)
	ctx := context.Background()
	var wg sync.WaitGroup
	results := make([]bot.Request, 8)
	createdCount := make([]bool, 8)
	for i := range results {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			r, created, err := s.CreateRequest(ctx, newRequest(ws, p, "retried", "Ev123"))
			if err != nil {
				t.Errorf("create %d: %v", i, err)
			}
			results[i], createdCount[i] = r, created
		}(i)
	}
	wg.Wait()
	n := 0
	for i, r := range results {
		if createdCount[i] {
			n++
		}
		if r.Number != results[0].Number {
			t.Fatalf("delivery %d got #%d, first got #%d", i, r.Number, results[0].Number)
		}
	}
	if n != 1 {
		t.Fatalf("%d deliveries created a request; want 1", n)
	}
	next, _, err := s.CreateRequest(ctx, newRequest(ws, p, "next", ""))
	if err != nil {
		t.Fatal(err)
	}
	if next.Number != results[0].Number+1 {
		t.Fatalf("duplicates used up numbers: next is #%d after #%d", next.Number, results[0].Number)
	}
}

func TestReclassifyRecordsEvent(t *testing.T) {
	t.Parallel()
	s, ws, p := setup(t)
	ctx := context.Background()
	r, _, err := s.CreateRequest(ctx, newRequest(ws, p, "move office", ""))
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.Reclassify(ctx, ws, r.Number, p.ID, "project", "mac", "office move", "")
	if err != nil {
		t.Fatal(err)
	}
	if got.Kind != "project" || got.Type != "mac" || got.Confidence != 1 {
		t.Fatalf("after reclassify: %+v", got)
	}
	_, err = s.Reclassify(ctx, ws, r.Number, p.ID, "project", "mac", "again", "")
	if bot.ErrorCode(err) != bot.EConflict {
		t.Fatalf("same class again: %v; want conflict", err)
	}
	hist, err := s.ClassificationHistory(ctx, r.ID)
	if err != nil || len(hist) != 2 {
		t.Fatalf("history %+v, %v", hist, err)
	}
	if h := hist[1]; h.ActorName != "dana" || h.FromKind != "support" || h.ToKind != "project" || h.Reason != "office move" {
		t.Fatalf("event = %+v", h)
	}
	_, err = s.Reclassify(ctx, ws, 9999, p.ID, "project", "mac", "x", "")
	if !errors.Is(err, bot.ErrNotFound) {
		t.Fatalf("unknown number: %v; want ErrNotFound", err)
	}
}

func TestListOpenRequestsFiltersByClient(t *testing.T) {
	t.Parallel()
	s, ws, p := setup(t)
	ctx := context.Background()
	acme, err := s.EnsureClient(ctx, ws, "ACME")
	if err != nil {
		t.Fatal(err)
	}
	globex, err := s.EnsureClient(ctx, ws, "Globex")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []*int64{&acme.ID, &globex.ID, &acme.ID} {
		r := newRequest(ws, p, "x", "")
		r.ClientID = c
		if _, _, err := s.CreateRequest(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.CloseRequest(ctx, ws, 1003, ""); err != nil {
		t.Fatal(err)
	}
	all, err := s.ListOpenRequests(ctx, ws, bot.RequestFilter{})
	if err != nil || len(all) != 2 || all[0].Number != 1002 {
		t.Fatalf("all open = %d, %v", len(all), err)
	}
	mine, err := s.ListOpenRequests(ctx, ws, bot.RequestFilter{ClientID: &acme.ID})
	if err != nil || len(mine) != 1 || mine[0].ClientCode != "ACME" {
		t.Fatalf("acme open = %+v, %v", mine, err)
	}
}

func TestEnsurePersonBootstrapsOneManager(t *testing.T) {
	t.Parallel()
	s := storagetest.New(t)
	ctx := context.Background()
	ws, err := s.EnsureWorkspace(ctx, bot.PlatformSlack, "T9", "")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	roles := make(chan bot.Role, 5)
	for i := 0; i < 5; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			p, _, _, err := s.EnsurePerson(ctx, bot.NewPerson{WorkspaceID: ws, ExternalID: string(rune('A' + i)), Name: "u"}, true)
			if err != nil {
				t.Error(err)
			}
			roles <- p.Role
		}(i)
	}
	wg.Wait()
	close(roles)
	managers := 0
	for r := range roles {
		if r == bot.RoleManager {
			managers++
		}
	}
	if managers != 1 {
		t.Fatalf("%d first-contact managers; want exactly 1", managers)
	}
	p, err := s.FindPerson(ctx, ws, "@A")
	if err != nil {
		t.Fatal(err)
	}
	p, err = s.SetRole(ctx, p.ID, bot.RoleClient, "ACME")
	if err != nil || p.Role != bot.RoleClient || p.ClientCode != "ACME" {
		t.Fatalf("set client role: %+v %v", p, err)
	}
	if _, err := s.FindPerson(ctx, ws, "nobody"); !errors.Is(err, bot.ErrNotFound) {
		t.Fatalf("unknown person: %v", err)
	}
}

// A closed request is never due for an SLA look again; reopening work is a new
// request. (Closed rows marked due made the sweep's planner read the whole table.)
func TestClosedRequestIsNeverSLADue(t *testing.T) {
	t.Parallel()
	s, ws, p := setup(t)
	ctx := context.Background()
	r, _, err := s.CreateRequest(ctx, newRequest(ws, p, "printer", ""))
	if err != nil {
		t.Fatal(err)
	}
	var due string
	read := func() string {
		t.Helper()
		if err := s.DB().QueryRowContext(ctx, `SELECT sla_next_check_at::text FROM requests WHERE id = $1`, r.ID).Scan(&due); err != nil {
			t.Fatal(err)
		}
		return due
	}
	if got := read(); got != "-infinity" {
		t.Fatalf("a new open request must be checked at once, got %s", got)
	}
	if _, err := s.CloseRequest(ctx, ws, r.Number, ""); err != nil {
		t.Fatal(err)
	}
	if got := read(); got != "infinity" {
		t.Fatalf("a closed request must never be due, got %s", got)
	}
}
