package commands_test

import (
	"context"
	"encoding/csv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mspbot/mspbot/bot"
	"github.com/mspbot/mspbot/bot/console"
	"github.com/mspbot/mspbot/chart"
	"github.com/mspbot/mspbot/commands"
	"github.com/mspbot/mspbot/storage/storagetest"
)

// outbox is a bot.Sender that records what the bot says first.
type outbox struct {
	mu   sync.Mutex
	sent []struct {
		to bot.Destination
		m  bot.Message
	}
}

func (o *outbox) Send(ctx context.Context, to bot.Destination, msgs ...bot.Message) (string, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	for _, m := range msgs {
		o.sent = append(o.sent, struct {
			to bot.Destination
			m  bot.Message
		}{to, m})
	}
	return "x", nil
}

func (o *outbox) to(userOrChannel string) []bot.Message {
	o.mu.Lock()
	defer o.mu.Unlock()
	var out []bot.Message
	for _, s := range o.sent {
		if s.to.UserID == userOrChannel || s.to.Channel == userOrChannel {
			out = append(out, s.m)
		}
	}
	return out
}

// newProjectHarness is a harness whose commands see a fake clock and a recording Sender.
func newProjectHarness(t *testing.T, now time.Time) (*harness, *bot.FakeClock, *outbox) {
	t.Helper()
	s := storagetest.New(t)
	clock, box := bot.NewFakeClock(now), &outbox{}
	d := commands.Deps{Store: s, Clock: clock, Location: time.UTC, Senders: bot.Senders{bot.PlatformConsole: box},
		ProjectChart: chart.Lines}
	return withClients(&harness{t: t, store: s, router: commands.NewRouter(d, nil)}), clock, box
}

func expect(t *testing.T, c *console.Console, line string, want ...string) string {
	t.Helper()
	out := run(c, line)
	for _, w := range want {
		if !strings.Contains(out, w) {
			t.Errorf("%s %q: reply lacks %q:\n%s", c.User.Name, line, w, out)
		}
	}
	return out
}

func TestProjectLifecycleOnConsole(t *testing.T) {
	t.Parallel()
	h, clock, box := newProjectHarness(t, time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC))
	ctx := context.Background()
	dana := h.as("dana", bot.RoleManager, "")
	cora := h.as("cora", bot.RoleCoordinator, "")
	tom := h.as("tom", bot.RoleTech, "")
	sam := h.as("sam", bot.RoleTech, "")
	wile := h.as("wile", bot.RoleClient, "ACME")
	hank := h.as("hank", bot.RoleClient, "GLOBEX")

	// A past project with a lesson, so the new one gets it offered.
	expect(t, cora, `/project new GLOBEX "VPN migration to WireGuard" --start 2026-09-01 --end 2026-10-30 --budget 40h`, "Opened P1")
	expect(t, cora, `/project close P1`, "Closeout of P1")
	expect(t, tom, `/lessons add P1 "Pilot group of five found the split-tunnel bug" "Collect home router models before the VPN cut-over"`, "saved")
	expect(t, cora, `/lessons add P1 "" "Book the change window with the client earlier"`, "saved")

	out := expect(t, cora, `/project new ACME "Site-to-site VPN migration" --start 2026-12-01 --end 2027-01-29 --budget 120h --channel <#C-ACME|acme>`,
		"Opened P2 Site-to-site VPN migration for ACME", "budget 120 h", "Lessons from similar projects", "split-tunnel")
	if strings.Contains(out, "No client channel") {
		t.Errorf("channel given but reply says none:\n%s", out)
	}
	expect(t, cora, `/project milestone P2 "Design" 2026-12-04`, `milestone "Design" due Fri 4 Dec 2026`)
	expect(t, cora, `/project milestone P2 "Cut-over" 2026-12-11`, "Cut-over")
	expect(t, cora, `/project milestone P2 "design" 2026-12-05`, "already has a milestone")
	expect(t, tom, `/project progress P2 Design 60%`, "Design: 0% → 60%")
	expect(t, tom, `/project milestone P2 "x" 2026-12-05`, "for coordinators")
	expect(t, cora, `/project disruption P2 2026-12-05 18:00-22:00 "email cut-over, no mail for 2 hours"`, "Sat 5 Dec 2026 18:00-22:00")
	expect(t, cora, `/project oos P2 6h "extra VLAN for cameras" --approved-by client`, "item 1", "6 h", "approved by client")
	expect(t, cora, `/project oos P2 90m "rack a second UPS"`, "item 2", "1.5 h", "not approved yet")

	ws := h.workspace()
	p2, err := h.store.ProjectByNumber(ctx, ws, 2)
	if err != nil {
		t.Fatal(err)
	}
	tomP, _ := h.store.FindPerson(ctx, ws, "tom")
	samP, _ := h.store.FindPerson(ctx, ws, "sam")
	h.store.LogProjectTime(ctx, ws, tomP.ID, p2.ID, 8*60, time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC), "design")
	h.store.LogProjectTime(ctx, ws, samP.ID, p2.ID, 4*60, time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC), "survey")

	expect(t, tom, "/project status P2", "Schedule:", "Budget: on budget — 12 h of 120 h (10%)", "Next milestone: Design due Fri 4 Dec (60%)",
		"Open out-of-scope: 2 items, 7.5 h not invoiced", "Disruption: Sat 5 Dec 18:00-22:00")
	expect(t, wile, "/project status P2", "for techs")
	expect(t, hank, "/project update P2", "no project P2")

	// CSV export for billing; spreadsheet formulas are defused.
	expect(t, cora, `/project oos P2 1h "=HYPERLINK(1)"`, "item 3")
	msgs := cora.Handle(ctx, "/project oos-export P2")
	if len(msgs) != 1 || len(msgs[0].Attachments) != 1 {
		t.Fatalf("export: %+v", msgs)
	}
	rows, err := csv.NewReader(strings.NewReader(string(msgs[0].Attachments[0].Data))).ReadAll()
	if err != nil || len(rows) != 4 || rows[1][4] != "6.00" || rows[2][5] != "rack a second UPS" || rows[3][5] != "'=HYPERLINK(1)" {
		t.Fatalf("csv: %v %v", rows, err)
	}
	expect(t, cora, "/project oos-invoiced P2 1", "item 1", "invoiced")
	expect(t, cora, "/project oos-invoiced P2 1", "P2 out-of-scope item 1 is already invoiced")

	// The weekly update: drafted on demand, approved, posted once; clients see only that.
	expect(t, wile, "/project update P2", "no update for P2 has been posted yet")
	expect(t, tom, "/project update P2", "coordinators")
	clock.Set(time.Date(2026, 12, 4, 16, 0, 0, 0, time.UTC))
	expect(t, cora, "/project update P2", "Draft client update for P2", "[Approve] [Edit] [Skip]", "Decisions needed from you", "approve out-of-scope item 2", "attachment P2-2026-W49-hours.png")
	expect(t, cora, "/project update P2 edit 2026-W49", "Edit one section at a time")
	expect(t, cora, `/project update P2 edit 2026-W49 "All on track. Design done Friday; cut-over Saturday 18:00-22:00."`, "Edited by cora (edit 1)")
	if n := len(box.to("C-ACME")); n != 0 {
		t.Fatalf("%d posts to the client before approval", n)
	}
	expect(t, tom, "/project update P2 approve 2026-W49", "coordinators")
	expect(t, cora, "/project update P2 approve 2026-W49", "Approved by cora and posted")
	expect(t, cora, "/project update P2 approve 2026-W49", "already posted") // posted now: a second click changes nothing
	posts := box.to("C-ACME")
	if len(posts) != 1 || !strings.Contains(posts[0].Text, "All on track") || len(posts[0].Attachments) != 1 {
		t.Fatalf("client posts: %+v", posts)
	}
	expect(t, wile, "/project update P2", "All on track")

	// Closeout: roles per item; the project cannot close with an item open.
	clock.Set(time.Date(2027, 1, 29, 10, 0, 0, 0, time.UTC))
	expect(t, tom, "/project close P2", "for coordinators")
	expect(t, cora, "/project tick P2 docs", "not in closeout")
	out = expect(t, cora, "/project close P2", "Closeout of P2", "Asked privately", "sam", "tom", "[✓ documentation updated]")
	if dm := box.to("tom"); len(dm) == 0 || !strings.Contains(dm[len(dm)-1].Text, `/lessons add P2`) {
		t.Fatalf("tom was not asked for lessons: %+v", dm)
	}
	if dm := box.to("cora"); len(dm) == 0 || !strings.Contains(dm[len(dm)-1].Text, "/project rate P2") {
		t.Fatalf("cora was not asked for the rating: %+v", dm)
	}
	expect(t, tom, "/project tick P2 docs", `tom ticked "documentation updated"`)
	expect(t, tom, "/project tick P2 docs", "already ticked off")
	expect(t, tom, "/project tick P2 signoff", "no support lead is named")
	expect(t, cora, "/project set P2 --lead @sam", "P2")
	expect(t, tom, "/project tick P2 signoff", "sam's to give")
	expect(t, sam, "/project tick P2 signoff", `sam ticked "support team sign-off"`)
	expect(t, tom, "/project tick P2 acceptance", "/project tick acceptance is for clients, coordinators and managers")
	expect(t, hank, "/project tick P2 acceptance", "no project P2")
	expect(t, wile, "/project tick P2 acceptance", "accepted by wile for ACME")
	expect(t, tom, "/project tick P2 time", "/project tick time is for coordinators and managers")
	expect(t, wile, "/project tick P2 documentation", "/project tick docs is for techs, coordinators and managers")
	expect(t, cora, "/project tick P2 time", `cora ticked "all time entered"`)
	expect(t, cora, "/project tick P2 oos", "items 2, 3 are not invoiced")
	out = expect(t, cora, "/project close P2", "Not closed", "oos (out-of-scope work invoiced)")
	if p, _ := h.store.ProjectByNumber(ctx, ws, 2); p.Status != bot.ProjectClosing {
		t.Fatalf("refused close changed status to %s\n%s", p.Status, out)
	}
	expect(t, cora, "/project waive P2 oos", "reason is required")
	expect(t, cora, `/project waive P2 oos "items 2 and 3 billed on the monthly invoice"`, "waived", "/project close P2 to close it")
	expect(t, cora, "/project close P2", "Not closed: P2 has no execution rating", `/project rate P2 skip "why"`)
	expect(t, cora, `/project rate P2 6 "great"`, "1-5")
	expect(t, cora, `/project rate P2 4 "on time, one weekend overrun"`, "P2 rated 4/5 by cora")
	expect(t, cora, "/project close P2", "P2 Site-to-site VPN migration is closed")
	expect(t, cora, "/project close P2", "was closed on")
	expect(t, cora, `/project rate P2 5 "changed my mind"`, "P2 is closed; its rating is final")
	expect(t, tom, `/lessons add P2 "Labelled every tunnel" "Test failover before the cut-over"`, "saved")

	// Search ranks the relevant lesson first, with project and author.
	out = expect(t, tom, "/lessons search split tunnel router", "1. P1 VPN migration to WireGuard (GLOBEX), by tom")
	expect(t, wile, "/lessons search vpn", "for techs")
	expect(t, dana, "/lessons search zzzqqq", "No lessons match")
	_ = out
}

func TestProjectBadInputChangesNothing(t *testing.T) {
	t.Parallel()
	h, _, _ := newProjectHarness(t, time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC))
	ctx := context.Background()
	cora := h.as("cora", bot.RoleCoordinator, "")
	tom := h.as("tom", bot.RoleTech, "")
	expect(t, cora, `/project new ACME "Firewall" --start 2026-12-01 --end 2027-01-31 --budget 120h`, "Opened P1")
	run(tom, "/request Printer jammed") // #1001, support
	cases := []struct {
		who        *console.Console
		line, want string
	}{
		{cora, `/project new ACME "x" --start 2027-02-01 --end 2027-01-01`, "before the start"},
		{cora, `/project new ACME "x" --budget lots`, "not a duration"},
		{cora, `/project new ACME "x" --start 12/01/2026`, "not a date"},
		{cora, `/project new ACME "x" --colour red`, "--colour is not an option"},
		{cora, `/project new ACME`, "use /project new"},
		{cora, `/project new ACME "x" --update "someday 15:00"`, "not a schedule"},
		{tom, `/project new ACME "x"`, "for coordinators"},
		{cora, `/project open #1001`, "is a support request"},
		{cora, `/project open #4242`, "no request #4242"},
		{cora, `/project status P9`, "no project P9"},
		{cora, `/project status Q1`, "not a project"},
		{cora, `/project milestone P1 "Design" 2026-13-01`, "not a date"},
		{cora, `/project progress P1 Design 60%`, `no milestone "Design"`},
		{cora, `/project progress P1 Design 160%`, "not a percentage"},
		{cora, `/project disruption P1 2026-12-05 22:00 "x"`, "not a range of hours"},
		{cora, `/project disruption P1 2026-12-05 25:00-26:00 "x"`, "not a time of day"},
		{cora, `/project disruption P1 2025-12-05 18:00-22:00 "x"`, "in the past"},
		{cora, `/project oos P1 0h "nothing"`, "less than a minute"},
		{cora, `/project oos P1 6h`, "use /project oos"},
		{cora, `/project oos-invoiced P1 7`, "no out-of-scope item 7"},
		{cora, `/project update P1 approve`, "no weekly update yet"},
		{cora, `/project tick P1 docs`, "not in closeout"},
		{cora, `/project tick P1 coffee`, "not a closeout item"},
		{cora, `/project rate P1 4 "good"`, "still running"},
		{cora, `/project frobnicate P1`, "not something I can do"},
		{cora, `/lessons add P1 "" ""`, "use /lessons add"},
		{cora, `/lessons add P9 "a" "b"`, "no project P9"},
		{cora, `/lessons search`, "say what to look for"},
	}
	for _, c := range cases {
		expect(t, c.who, c.line, c.want)
	}
	p, err := h.store.ProjectByNumber(ctx, h.workspace(), 1)
	if err != nil || p.Status != bot.ProjectActive {
		t.Fatalf("P1: %+v %v", p, err)
	}
	if _, err := h.store.ProjectByNumber(ctx, h.workspace(), 2); bot.ErrorCode(err) != bot.ENotFound {
		t.Fatalf("bad input opened a second project: %v", err)
	}
	for _, q := range []func() (int, error){
		func() (int, error) { m, err := h.store.Milestones(ctx, p.ID); return len(m), err },
		func() (int, error) { o, err := h.store.OOSItems(ctx, p.ID); return len(o), err },
		func() (int, error) {
			d, err := h.store.Disruptions(ctx, p.ID, time.Time{}, time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC))
			return len(d), err
		},
	} {
		if n, err := q(); err != nil || n != 0 {
			t.Fatalf("bad input stored something: %d %v", n, err)
		}
	}
}

func TestProjectOpenFromRequest(t *testing.T) {
	t.Parallel()
	h, _, _ := newProjectHarness(t, time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC))
	cora := h.as("cora", bot.RoleCoordinator, "")
	wile := h.as("wile", bot.RoleClient, "ACME")
	out := run(wile, "/request Move the Denver office to the new building in March, 30 staff")
	if !strings.Contains(out, "#1001") || !strings.Contains(out, "project") {
		t.Fatalf("the classifier must call an office move for 30 staff a project: %s", out)
	}
	expect(t, cora, "/project open #1001 --budget 80h", "Opened P1 Move the Denver office", "for ACME", "From request: #1001")
	expect(t, cora, "/project open #1001", "already project P1")
	expect(t, wile, "/project", "P1", "ACME")
}
