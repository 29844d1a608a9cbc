package devdata_test

import (
	"context"
	"testing"

	"github.com/mspbot/mspbot/internal/devdata"
	"github.com/mspbot/mspbot/storage/storagetest"
)

func TestSeedMakesWhatItSays(t *testing.T) {
	store := storagetest.New(t)
	ctx := context.Background()
	c, err := devdata.Seed(ctx, store.DB(), devdata.Options{Workspace: "load", Techs: 40, Requests: 1000, Entries: 3000})
	if err != nil {
		t.Fatal(err)
	}
	if c.Techs != 40 || c.Managers != 2 || c.Clients != 50 || c.Requests != 1000 || c.Entries != 3000 {
		t.Fatalf("seeded %+v", c)
	}
	// About 3 % open: the newest 2 % and every 97th.
	if c.OpenRequests < 25 || c.OpenRequests > 35 {
		t.Fatalf("%d open of 1000; want about 30", c.OpenRequests)
	}
	ws, err := devdata.WorkspaceID(ctx, store.DB(), "load")
	if err != nil {
		t.Fatal(err)
	}
	// The numbers the seed took are the workspace's: the next request follows them.
	var next, top int64
	if err := store.DB().QueryRow(`SELECT next_request_number FROM workspaces WHERE id = $1`, ws).Scan(&next); err != nil {
		t.Fatal(err)
	}
	if err := store.DB().QueryRow(`SELECT max(number) FROM requests WHERE workspace_id = $1`, ws).Scan(&top); err != nil {
		t.Fatal(err)
	}
	if next != top+1 {
		t.Fatalf("next request number %d after seeding up to %d", next, top)
	}
	// Seeding again adds requests and entries but no second set of people or clients.
	c2, err := devdata.Seed(ctx, store.DB(), devdata.Options{Workspace: "load", Techs: 40, Requests: 10})
	if err != nil {
		t.Fatal(err)
	}
	if c2.Techs != 40 || c2.Clients != 50 || c2.Requests != 1010 {
		t.Fatalf("second seed: %+v", c2)
	}
	if _, err := devdata.WorkspaceID(ctx, store.DB(), "nowhere"); err == nil {
		t.Fatal("an unknown workspace has no id")
	}
}
