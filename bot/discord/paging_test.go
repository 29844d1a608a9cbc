package discord_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/mspbot/mspbot/bot"
)

// TestListNextButtonPages: on Discord a list longer than a page says which
// rows it shows and carries a Next button (accepted by the strict fake's
// component checks) whose press shows the next page.
func TestListNextButtonPages(t *testing.T) {
	e := newEnv(t)
	mia := person{ID: "80351110224678912", Name: "mia"}
	e.assume(mia, bot.RoleManager, "")
	for i := 1; i <= 31; i++ {
		if _, err := e.store.CreateClient(context.Background(), e.ws(), fmt.Sprintf("C%02d", i), fmt.Sprintf("Client %02d", i)); err != nil {
			t.Fatal(err)
		}
	}
	code, resp := e.signed(e.interaction(2, mia, commandData("client"), nil))
	if code != 200 || !strings.Contains(text(resp), "31 clients — showing 1–25 of 31") || strings.Contains(text(resp), "Client 26") {
		t.Fatalf("/client → %d %s", code, text(resp))
	}
	data, _ := resp["data"].(map[string]any)
	next := buttonIDs(data)["Next 25"]
	if next != "/client page 2" {
		t.Fatalf("Next button custom_id %q in %v", next, data["components"])
	}
	code, resp = e.signed(e.interaction(3, mia, map[string]any{"component_type": 2, "custom_id": next}, nil))
	if code != 200 || !strings.Contains(text(resp), "showing 26–31 of 31") || !strings.Contains(text(resp), "Client 31") || strings.Contains(text(resp), "Client 01") {
		t.Fatalf("Next → %d %s", code, text(resp))
	}
	if ids := buttonIDs(resp["data"].(map[string]any)); ids["Next 25"] != "" {
		t.Fatalf("the last page offers more: %v", ids)
	}
}
