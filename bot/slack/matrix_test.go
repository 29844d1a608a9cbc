package slack

import (
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/mspbot/mspbot/bot"
	"github.com/mspbot/mspbot/commands/commandtest"
	"github.com/mspbot/mspbot/storage/storagetest"
)

// TestRoleMatrixOverSignedSlashCommands: every line of the role matrix, typed
// by the people at its boundary and one in rotation (commandtest.AdapterCases:
// the console runs the whole cross product), as signed slash commands. Staff are of the
// installing team; ACME's and GLOBEX's people are Slack Connect users whose
// teams were recorded as those clients' (they are never given a role by hand);
// the outsider is of a third organisation; the unverified one is a guest
// account of the installing workspace. What the gate refuses stores nothing.
func TestRoleMatrixOverSignedSlashCommands(t *testing.T) {
	t.Parallel()
	var checked, refused atomic.Int64
	t.Run("parts", func(t *testing.T) {
		for i := range commandtest.AdapterShards {
			t.Run(fmt.Sprint(i), func(t *testing.T) {
				t.Parallel()
				c, r := slackMatrixPart(t, i)
				checked.Add(c)
				refused.Add(r)
			})
		}
	})
	if checked.Load() < 2*45 || refused.Load() < checked.Load()/3 {
		t.Fatalf("%d cases, %d refused: the table shrank or the generator broke", checked.Load(), refused.Load())
	}
	t.Logf("%d Slack cases, %d refused", checked.Load(), refused.Load())
}

// slackMatrixPart runs part i of the Slack matrix on a bot of its own and
// returns how many cases it checked and refused.
func slackMatrixPart(t *testing.T, i int) (checked, refused int64) {
	e := newEnv(t)
	var gate commandtest.Gate
	router := e.adapter.router.(*bot.Router)
	router.OnDecision(gate.Record)
	ids := map[string]string{}
	for _, w := range commandtest.Matrix {
		id := "U" + strings.ToUpper(w.Name)
		ids[w.Name] = id
		switch w.Kind {
		case "staff":
			e.person(id, w.Name, testTeam, w.Role, "")
		case "client":
			e.person(id, w.Name, "T"+w.Client, "", "")
		case "outsider":
			e.person(id, w.Name, "TEVIL", "", "")
		case "unverified":
			e.fake.addGuest(id, w.Name)
		}
	}
	setup := append(append([]string{}, commandtest.MatrixSetup...), "/client org ACME TACME", "/client org GLOBEX TGLOBEX")
	for _, line := range setup {
		if _, out := e.slash(ids["dana"], "C1", line); strings.Contains(out, "Not allowed") || strings.Contains(out, "went wrong") {
			t.Fatalf("setup %q: %s", line, out)
		}
		e.adapter.Wait()
	}
	for _, w := range commandtest.Matrix {
		e.slash(ids[w.Name], "C1", "/mspbot help") // first contact: a known person is stored now, not by the case under test
	}
	e.adapter.Wait()
	for _, c := range commandtest.Shard(commandtest.AdapterCases(router.Commands()), i, commandtest.AdapterShards) {
		gate = commandtest.Gate{}
		// Only a refusal must store nothing: rows are counted around those.
		rows := func() int64 {
			if c.Allowed {
				return 0
			}
			return storagetest.Rows(t, e.store)
		}
		before := rows()
		// As typed in Slack: every command through the app's one /mspbot command.
		status, out := e.slash(ids[c.Who.Name], "C1", "/mspbot "+strings.TrimPrefix(c.Line, "/"))
		e.adapter.Wait()
		if status != http.StatusOK {
			t.Errorf("%s %q: status %d", c.Who.Name, c.Line, status)
			continue
		}
		if p := gate.Problem(c, before, rows()); p != "" {
			t.Errorf("%s %q (allowed %v): %s\n%s", c.Who.Name, c.Line, c.Allowed, p, out)
		}
		checked++
		if !c.Allowed {
			refused++
		}
	}
	return checked, refused
}

// TestClientIsolationOverSlack: ACME's Slack Connect user runs the isolation
// lines as slash commands; neither the ack (text, blocks, button values) nor
// anything posted or sent privately shows GLOBEX's.
func TestClientIsolationOverSlack(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.person("UDANA", "dana", testTeam, bot.RoleManager, "")
	e.person("UWILE", "wile", "TACME", "", "")
	e.person("UHANK", "hank", "TGLOBEX", "", "")
	setup := append([]string{`/client add ACME "Acme Corp"`, `/client add GLOBEX "Globex"`, "/client org ACME TACME", "/client org GLOBEX TGLOBEX"},
		commandtest.IsolationSetup...)
	for _, line := range setup {
		if _, out := e.slash("UDANA", "C1", "/mspbot "+strings.TrimPrefix(line, "/")); strings.Contains(out, "Not allowed") || strings.Contains(out, "went wrong") {
			t.Fatalf("setup %q: %s", line, out)
		}
		e.adapter.Wait()
	}
	e.slash("UHANK", "CGLOBEX", "/mspbot "+strings.TrimPrefix(commandtest.IsolationByHank, "/"))
	e.adapter.Wait()
	router := e.adapter.router.(*bot.Router)
	for _, line := range commandtest.IsolationLines(router.Commands()) {
		before := len(e.fake.calls)
		_, out := e.slash("UWILE", "CACME", "/mspbot "+strings.TrimPrefix(line, "/"))
		e.adapter.Wait()
		e.fake.mu.Lock()
		for _, c := range e.fake.calls[before:] {
			out += "\n" + c.Form.Get("text") + c.Form.Get("blocks") + fmt.Sprint(c.JSON)
		}
		e.fake.mu.Unlock()
		if mark := commandtest.Leak(line, out); mark != "" {
			t.Errorf("%s shows %q to ACME's user:\n%s", line, mark, out)
		}
	}
}
