package commands_test

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/mspbot/mspbot/bot"
	"github.com/mspbot/mspbot/bot/console"
	"github.com/mspbot/mspbot/commands"
	"github.com/mspbot/mspbot/storage"
	"github.com/mspbot/mspbot/storage/storagetest"
)

// harness drives the real router through the console adapter on a real database.
type harness struct {
	t      *testing.T
	store  *storage.Store
	router *bot.Router
}

func newHarness(t *testing.T, admins ...string) *harness {
	t.Helper()
	s := storagetest.New(t)
	d := commands.Deps{Store: s, Admins: admins}
	return withClients(&harness{t: t, store: s, router: commands.NewRouter(d, nil)})
}

// withClients adds the clients most tests use, ACME and GLOBEX, as a
// coordinator would with /client add.
func withClients(h *harness) *harness {
	h.t.Helper()
	ws := h.workspace()
	for _, code := range []string{"ACME", "GLOBEX"} {
		if _, err := h.store.CreateClient(context.Background(), ws, code, code+" Corp"); err != nil {
			h.t.Fatal(err)
		}
	}
	return h
}

// as returns a console for a person, creating them with that role first.
func (h *harness) as(name string, role bot.Role, client string) *console.Console {
	h.t.Helper()
	u := bot.User{ID: name, Name: name}
	if role != "" {
		if _, err := commands.Assume(context.Background(), h.store, bot.PlatformConsole, console.Workspace, u, role, client); err != nil {
			h.t.Fatalf("assume %s: %v", name, err)
		}
	}
	return &console.Console{Router: h.router, User: u}
}

// run types a line and returns everything printed.
func run(c *console.Console, line string) string {
	var out []string
	for _, m := range c.Handle(context.Background(), line) {
		out = append(out, console.Render(m))
	}
	return strings.Join(out, "\n")
}

func (h *harness) workspace() int64 {
	h.t.Helper()
	return storagetest.Workspace(h.t, h.store, bot.PlatformConsole, console.Workspace)
}

func (h *harness) countRequests() int {
	h.t.Helper()
	return storagetest.OpenRequests(h.t, h.store, h.workspace())
}

var opened = regexp.MustCompile(`Opened #(\d+) — (project|support) \(`)

func TestConsoleOpenListShowReclassify(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	mgr := h.as("dana", bot.RoleManager, "")

	out := run(mgr, "/request Outlook keeps asking for my password")
	m := opened.FindStringSubmatch(out)
	if m == nil || m[1] != "1001" || m[2] != "support" {
		t.Fatalf("open support reply:\n%s", out)
	}
	out = run(mgr, "/request Move the Denver office to the new building in March, 30 staff")
	m = opened.FindStringSubmatch(out)
	if m == nil || m[1] != "1002" || m[2] != "project" {
		t.Fatalf("open project reply:\n%s", out)
	}
	r, err := h.store.RequestByNumber(context.Background(), h.workspace(), 1002)
	if err != nil || r.Kind != "project" || len(r.Reasons) == 0 || r.OpenedByName != "dana" {
		t.Fatalf("row for #1002: %+v, %v", r, err)
	}

	out = run(mgr, "/requests")
	if i, j := strings.Index(out, "#1002"), strings.Index(out, "#1001"); i < 0 || j < 0 || i > j {
		t.Fatalf("/requests should list #1002 before #1001:\n%s", out)
	}

	out = run(mgr, "/request show 1002")
	if !strings.Contains(out, "Why:") || !strings.Contains(out, "project") || !strings.Contains(out, "Denver") {
		t.Fatalf("show:\n%s", out)
	}

	out = run(mgr, `/reclassify 1002 support "covered by contract"`)
	if !strings.Contains(out, "#1002 is now support") || !strings.Contains(out, "covered by contract") {
		t.Fatalf("reclassify:\n%s", out)
	}
	hist, err := h.store.ClassificationHistory(context.Background(), r.ID)
	if err != nil || len(hist) != 2 || hist[1].ActorName != "dana" || hist[1].Reason != "covered by contract" {
		t.Fatalf("history: %+v %v", hist, err)
	}
	out = run(mgr, "/request show #1002")
	if !strings.Contains(out, "Reclassified: project → support") || !strings.Contains(out, "Classifier's reasons:") || strings.Contains(out, "Why:") {
		t.Fatalf("show after reclassify:\n%s", out)
	}
}

func TestConsoleBadInputChangesNothing(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	mgr := h.as("dana", bot.RoleManager, "")
	tech := h.as("tom", bot.RoleTech, "")
	run(mgr, "/request Printer on 2nd floor is jammed")
	before := h.countRequests()

	cases := []struct {
		who        *console.Console
		line, want string
	}{
		{mgr, "/frobnicate", "not a command"},
		{mgr, "/request", "say what you need"},
		{mgr, "/request   ", "say what you need"},
		{mgr, "/request " + strings.Repeat("a", 4001), "limit is 4000"},
		{mgr, "/request show 4242", "no request #4242"},
		{mgr, "/request show abc", "not a request number"},
		{mgr, `/reclassify 1001 project "no closing quote`, "quote is not closed"},
		{mgr, "/reclassify 1001 maybe because", "use /reclassify"},
		{tech, `/reclassify 1001 project "big job"`, "for coordinators"},
		{tech, "/role @tom manager", "for managers"},
		{mgr, "hello", "commands start with /"},
		{mgr, "/request --client NOPE fix it", `no client "NOPE"`},
	}
	for _, c := range cases {
		out := run(c.who, c.line)
		if !strings.Contains(out, c.want) {
			t.Errorf("%q by %s:\n got %q\nwant it to contain %q", c.line[:min(len(c.line), 40)], c.who.User.Name, out, c.want)
		}
	}
	if after := h.countRequests(); after != before {
		t.Fatalf("bad input changed the requests: %d → %d", before, after)
	}
	r, err := h.store.RequestByNumber(context.Background(), h.workspace(), 1001)
	if err != nil || r.Kind != "support" {
		t.Fatalf("refused reclassify changed #1001: %+v %v", r, err)
	}
}

func TestFirstUserBecomesManagerAndAssignsRoles(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	first := h.as("alice", "", "")
	out := run(first, "/help")
	if !strings.Contains(out, "you are its manager") || !strings.Contains(out, "/reclassify") {
		t.Fatalf("first contact:\n%s", out)
	}
	second := h.as("bob", "", "")
	if out := run(second, "/help"); strings.Contains(out, "manager") && strings.Contains(out, "first person") {
		t.Fatalf("second person was also told they are the first:\n%s", out)
	}
	if out := run(second, "/role @alice tech"); !strings.Contains(out, "for managers") {
		t.Fatalf("tech assigning roles:\n%s", out)
	}
	if out := run(first, "/role @bob coordinator"); !strings.Contains(out, "bob is now a coordinator") {
		t.Fatalf("assign:\n%s", out)
	}
	run(first, "/request Server is down, urgent")
	if out := run(second, `/reclassify 1001 project "client wants a new server"`); !strings.Contains(out, "#1001 is now project") {
		t.Fatalf("coordinator reclassify:\n%s", out)
	}
	if out := run(first, "/role @carol client ACME"); !strings.Contains(out, "client user of ACME") {
		t.Fatalf("client role:\n%s", out)
	}
	if out := run(first, "/role"); !strings.Contains(out, "coordinator  bob") || !strings.Contains(out, "client       carol (ACME)") {
		t.Fatalf("role list:\n%s", out)
	}
}

func TestAdminsAreManagersAndNoBootstrap(t *testing.T) {
	t.Parallel()
	h := newHarness(t, "boss")
	stranger := h.as("eve", "", "")
	if out := run(stranger, "/role"); !strings.Contains(out, "for managers") {
		t.Fatalf("with MSPBOT_ADMINS set, a stranger must not become manager:\n%s", out)
	}
	boss := h.as("boss", "", "")
	if out := run(boss, "/role @eve coordinator"); !strings.Contains(out, "eve is now a coordinator") {
		t.Fatalf("admin:\n%s", out)
	}
	// Another manager cannot demote an admin: the admin's next message would
	// make them a manager again.
	run(boss, "/role @dana manager")
	dana := h.as("dana", "", "")
	if out := run(dana, "/role @boss tech"); !strings.Contains(out, "MSPBOT_ADMINS") {
		t.Fatalf("an admin demoted:\n%s", out)
	}
	p, err := h.store.FindPerson(context.Background(), h.workspace(), "boss")
	if err != nil || p.Role != bot.RoleManager {
		t.Fatalf("admin's role after a refused demotion: %v %v", p.Role, err)
	}
}

func TestClientSeesOnlyOwnRequests(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	mgr := h.as("dana", bot.RoleManager, "")
	acme := h.as("wile", bot.RoleClient, "ACME")
	globex := h.as("hank", bot.RoleClient, "Globex")
	run(acme, "/request Our printer is jammed")          // #1001 ACME
	run(globex, "/request VPN is down for remote users") // #1002 Globex
	run(mgr, "/request Replace the core switch")         // #1003 no client

	out := run(acme, "/requests")
	if !strings.Contains(out, "#1001") || strings.Contains(out, "#1002") || strings.Contains(out, "#1003") {
		t.Fatalf("ACME client list:\n%s", out)
	}
	if out := run(acme, "/request show 1002"); !strings.Contains(out, "no request #1002") {
		t.Fatalf("ACME client reading Globex's request:\n%s", out)
	}
	if out := run(mgr, "/requests"); !strings.Contains(out, "#1002") || !strings.Contains(out, "GLOBEX") {
		t.Fatalf("manager list:\n%s", out)
	}
	if out := run(acme, `/reclassify 1001 project "x"`); !strings.Contains(out, "for coordinators") {
		t.Fatalf("client reclassify:\n%s", out)
	}
}
