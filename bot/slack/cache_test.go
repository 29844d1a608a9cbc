package slack

import (
	"context"
	"strings"
	"testing"

	"github.com/mspbot/mspbot/bot"
)

// The settings a request reads (channel intake and client, contract clauses,
// the workspace's model) are cached in process (storage.SettingsTTL), and
// people's roles are not cached at all: a change made through this bot
// must be honoured by the very next delivery.

// TestIntakeOffHonouredOnTheNextMessage: a channel's intake, read (and so
// cached) by a message that opened a request, is turned off; the next message
// there opens nothing.
func TestIntakeOffHonouredOnTheNextMessage(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.person("UDANA", "dana", testTeam, bot.RoleManager, "")
	e.person("W111", "owner", testTeam, bot.RoleTech, "")
	e.adapter.botUserID = "UBOT"
	e.slash("UDANA", "C111", "/mspbot intake on")
	msg := fixture(t, "event_message.json")
	ev := msg["event"].(map[string]any)
	ev["text"] = "The Denver office wifi keeps dropping"
	e.event(mustJSON(t, msg), 0)
	e.adapter.Wait()
	if n := e.requestCount(); n != 1 {
		t.Fatalf("%d requests from a message in an intake channel; want 1", n)
	}
	if _, ack := e.slash("UDANA", "C111", "/mspbot intake off"); !strings.Contains(strings.ToLower(ack), "intake") {
		t.Fatalf("/mspbot intake off: %q", ack)
	}
	msg["event_id"], ev["ts"], ev["text"] = "Ev2", "1596183990.000100", "The printer is jammed again"
	e.event(mustJSON(t, msg), 0)
	e.adapter.Wait()
	if n := e.requestCount(); n != 1 {
		t.Fatalf("%d requests: a message after intake was turned off opened one", n)
	}
}

// TestDemotionHonouredOnTheNextCommand: a coordinator may list what the
// classifier learned; demoted to tech, the next try is refused.
func TestDemotionHonouredOnTheNextCommand(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.person("UDANA", "dana", testTeam, bot.RoleManager, "")
	e.person("UTOM", "tom", testTeam, bot.RoleCoordinator, "")
	if _, ack := e.slash("UTOM", "C1", "/classify rules"); strings.Contains(ack, "coordinators and above") {
		t.Fatalf("a coordinator was refused /classify rules: %q", ack)
	}
	tom, err := e.store.PersonByExternalID(context.Background(), e.workspace(), "UTOM")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.store.SetRole(context.Background(), tom.ID, bot.RoleTech, ""); err != nil {
		t.Fatal(err)
	}
	if _, ack := e.slash("UTOM", "C1", "/classify rules"); !strings.Contains(ack, "you are a tech") {
		t.Fatalf("a demoted coordinator ran /classify rules: %q", ack)
	}
}
