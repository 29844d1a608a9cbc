package storage_test

import (
	"context"
	"testing"
	"time"

	"github.com/mspbot/mspbot/bot"
)

// TestTimeEntryStoredOncePerDelivery: two adds with the same source key (a
// delivery handled twice, the second racing past the command's own check)
// store one entry and both return it; an entry without a key is never merged.
func TestTimeEntryStoredOncePerDelivery(t *testing.T) {
	t.Parallel()
	s, ws, _ := setup(t)
	ctx := context.Background()
	p, _, _, err := s.EnsurePerson(ctx, bot.NewPerson{WorkspaceID: ws, ExternalID: "tom", Name: "tom"}, false)
	if err != nil {
		t.Fatal(err)
	}
	day := time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)
	e := bot.TimeEntry{WorkspaceID: ws, PersonID: p.ID, Minutes: 45, Date: day, CreatedAt: day.Add(10 * time.Hour),
		SourceKey: "slash:trig.1"}
	first, err := s.AddTimeEntry(ctx, e)
	if err != nil {
		t.Fatal(err)
	}
	again, err := s.AddTimeEntry(ctx, e)
	if err != nil {
		t.Fatal(err)
	}
	if again.ID != first.ID {
		t.Fatalf("second add returned entry %d; want the first, %d", again.ID, first.ID)
	}
	if got, err := s.TimeEntryBySource(ctx, ws, "slash:trig.1"); err != nil || got.ID != first.ID {
		t.Fatalf("by source: %v, %v", got.ID, err)
	}
	e.SourceKey = ""
	for range 2 {
		if _, err := s.AddTimeEntry(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	if n, err := s.DayMinutes(ctx, p.ID, day); err != nil || n != 3*45 {
		t.Fatalf("day minutes %d (%v); want 135: one keyed entry and two unkeyed", n, err)
	}
}

// TestOOSItemRecordedOncePerDelivery: /project oos handled twice with the same
// delivery key records one billable item and returns it both times; without a
// key, two adds are two items.
func TestOOSItemRecordedOncePerDelivery(t *testing.T) {
	t.Parallel()
	s, ws, dana := setup(t)
	ctx := context.Background()
	p := newProject(t, s, ws, dana, "ACME", "Firewall replacement", "")
	it := bot.OOSItem{ProjectID: p.ID, Minutes: 360, Description: "extra VLAN", ApprovedBy: "client", SourceKey: "slash:trig.oos"}
	first, err := s.AddOOS(ctx, it, dana.ID)
	if err != nil {
		t.Fatal(err)
	}
	again, err := s.AddOOS(ctx, it, dana.ID)
	if err != nil || again.ID != first.ID || again.Number != 1 {
		t.Fatalf("second add: item %d number %d (%v); want item %d number 1", again.ID, again.Number, err, first.ID)
	}
	it.SourceKey = ""
	if other, err := s.AddOOS(ctx, it, dana.ID); err != nil || other.Number != 2 {
		t.Fatalf("unkeyed add: number %d (%v); want 2", other.Number, err)
	}
	items, err := s.OOSItems(ctx, p.ID)
	if err != nil || len(items) != 2 {
		t.Fatalf("%d items (%v); want 2", len(items), err)
	}
}
