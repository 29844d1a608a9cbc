package slack

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/mspbot/mspbot/bot"
	"github.com/mspbot/mspbot/commands"
	"github.com/mspbot/mspbot/projects"
	"github.com/mspbot/mspbot/storage"
	"github.com/mspbot/mspbot/storage/storagetest"
)

// newEnvWithSenders is newEnv with the router's Deps.Senders set to the
// adapter itself, as cmd/mspbot wires it: an approved update is posted through
// the same Slack adapter the click came in on.
func newEnvWithSenders(t *testing.T) (*env, bot.Senders) {
	t.Helper()
	store := storagetest.New(t)
	fake := newFakeSlack(t, testTeam, testBot)
	clock := bot.NewFakeClock(time.Now().Truncate(time.Second))
	log := slog.New(slog.DiscardHandler)
	senders := bot.Senders{}
	d := commands.Deps{Store: store, Clock: clock, Log: log, Senders: senders}
	router := commands.NewRouter(d, nil)
	cfg := Config{BotToken: "xoxb-test", SigningSecret: testSecret, APIURL: fake.apiURL(), Clock: clock, Log: log,
		RetryBase: 20 * time.Millisecond}
	a := New(cfg, router, commands.NewDirectory(store, nil), store)
	if err := a.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	senders[bot.PlatformSlack] = a
	mux := http.NewServeMux()
	a.Mount(mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(func() { srv.Close(); a.Close() })
	return &env{t: t, store: store, fake: fake, adapter: a, bot: srv, clock: clock}, senders
}

// postsTo returns the successful chat.postMessage calls into channel.
func postsTo(f *fakeSlack, channel string) []apiCall {
	var out []apiCall
	for _, c := range f.callsTo("chat.postMessage") {
		if c.Form.Get("channel") == channel {
			out = append(out, c)
		}
	}
	return out
}

// TestWeeklyDraftApproveClick: the scheduled draft reaches the coordinator's
// DM with an Approve button; that button, clicked exactly as rendered, is
// refused for a tech (privately, nothing reaches the client) and, clicked by
// the coordinator, posts the update to the client's channel once; the row is
// 'posted' and a second click posts nothing more.
func TestWeeklyDraftApproveClick(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e, senders := newEnvWithSenders(t)
	e.person("UCORA", "cora", testTeam, bot.RoleCoordinator, "")
	e.person("UTOM", "tom", testTeam, bot.RoleTech, "")
	const clientChan = "CACME"

	if _, out := e.slash("UCORA", "C1", `/client add ACME "Acme Corp"`); !strings.Contains(out, "Client ACME (Acme Corp) added") {
		t.Fatalf("client add: %s", out)
	}
	now := e.clock.Now()
	start, end := now.AddDate(0, 0, -7).Format("2006-01-02"), now.AddDate(0, 0, 60).Format("2006-01-02")
	_, out := e.slash("UCORA", "C1", `/project new ACME "Firewall replacement" --start `+start+` --end `+end+
		` --budget 40h --channel `+clientChan)
	e.adapter.Wait()
	if opened := postsTo(e.fake, "C1"); len(opened) != 1 || !strings.Contains(postedText(opened[0]), "Opened P") {
		t.Fatalf("project new: ack %q, posts to C1 %+v", out, opened)
	}
	list, err := e.store.RunningProjects(ctx)
	if err != nil || len(list) != 1 {
		t.Fatalf("running projects: %v %v", list, err)
	}
	p := list[0]
	if p.Channel != clientChan || p.CoordinatorExternalID != "UCORA" {
		t.Fatalf("project: channel %q coordinator %q", p.Channel, p.CoordinatorExternalID)
	}
	if n := len(postsTo(e.fake, clientChan)); n != 0 {
		t.Fatalf("%d posts to the client channel before any draft", n)
	}

	// A planned milestone: a draft without one asks to be filled in and offers no Approve.
	if _, err := e.store.AddMilestone(ctx, p.ID, "Cut-over", e.clock.Now().AddDate(0, 0, 5)); err != nil {
		t.Fatal(err)
	}
	// The scheduler's work: draft this ISO week's update and DM it to the coordinator.
	svc := &projects.Service{Store: e.store, Senders: senders, Clock: e.clock, Location: time.UTC}
	year, week := now.In(projects.Location(p, time.UTC)).ISOWeek()
	if err := svc.DraftAndSend(ctx, p.ID, year, week); err != nil {
		t.Fatal(err)
	}
	isoWeek := bot.ISOWeekName(year, week)
	var dm apiCall
	for _, c := range e.fake.callsTo("chat.postMessage") {
		if strings.HasPrefix(c.Form.Get("channel"), "D") && buttons(t, c)["project.update.approve"] != "" {
			dm = c
		}
	}
	if dm.Method == "" {
		t.Fatalf("no DM with an Approve button; chat.postMessage calls: %+v", e.fake.callsTo("chat.postMessage"))
	}
	if dm.Form.Get("channel") != "DCORA" {
		t.Fatalf("draft went to %s; want cora's DM", dm.Form.Get("channel"))
	}
	value := buttons(t, dm)["project.update.approve"]
	if want := "/project update " + p.Ref() + " approve " + isoWeek; value != want {
		t.Fatalf("Approve button value %q; want %q", value, want)
	}
	dmChannel := dm.Form.Get("channel")
	// The fake answers chat.postMessage with ts 1700000000.<n>, n counting its
	// posts: the click names the draft message by that ts.
	dmTS := ""
	for i, c := range e.fake.callsTo("chat.postMessage") {
		if c.Form.Get("channel") == dmChannel && buttons(t, c)["project.update.approve"] != "" {
			dmTS = fmt.Sprintf("1700000000.%06d", i+1)
		}
	}

	// A tech clicks it: refused privately, nothing reaches the client.
	ephBefore := len(e.fake.callsTo("chat.postEphemeral")) + len(e.fake.callsTo("response_url"))
	if s, _ := e.interact(click(t, "UTOM", dmChannel, dmTS, "project.update.approve", value)); s != http.StatusOK {
		t.Fatalf("tech click: status %d", s)
	}
	e.adapter.Wait()
	var refusal string
	for _, c := range e.fake.callsTo("chat.postEphemeral") {
		if c.Form.Get("user") == "UTOM" {
			refusal += postedText(c)
		}
	}
	if ephAfter := len(e.fake.callsTo("chat.postEphemeral")) + len(e.fake.callsTo("response_url")); ephAfter == ephBefore ||
		!strings.Contains(refusal, "coordinators") {
		t.Fatalf("tech's click: no private refusal (%q)", refusal)
	}
	if n := len(postsTo(e.fake, clientChan)); n != 0 {
		t.Fatalf("a tech's click posted %d messages to the client channel", n)
	}
	if n := len(e.fake.callsTo("chat.update")); n != 0 {
		t.Fatalf("a tech's click updated the draft message")
	}
	u, err := e.store.WeeklyUpdateFor(ctx, p.ID, year, week)
	if err != nil || u.Status != bot.UpdateDrafted {
		t.Fatalf("after the tech's click: %+v %v; want drafted", u.Status, err)
	}

	// The coordinator clicks it: posted to the client channel, once.
	if s, _ := e.interact(click(t, "UCORA", dmChannel, dmTS, "project.update.approve", value)); s != http.StatusOK {
		t.Fatalf("coordinator click: status %d", s)
	}
	e.adapter.Wait()
	posts := postsTo(e.fake, clientChan)
	if len(posts) != 1 {
		t.Fatalf("%d posts to the client channel after approval; want 1", len(posts))
	}
	body := postedText(posts[0])
	if !strings.Contains(body, "Firewall replacement") || !strings.Contains(body, isoWeek) {
		t.Fatalf("client post lacks the project name or %s:\n%s", isoWeek, body)
	}
	var status string
	if err := e.store.DB().QueryRowContext(ctx, `SELECT status FROM weekly_updates WHERE id = $1`, u.ID).Scan(&status); err != nil {
		t.Fatal(err)
	}
	if status != "posted" {
		t.Fatalf("weekly_updates.status = %q; want posted", status)
	}
	up := e.fake.callsTo("chat.update")
	if len(up) != 1 || up[0].Form.Get("channel") != dmChannel || up[0].Form.Get("ts") != dmTS ||
		!strings.Contains(postedText(up[0]), "Approved by cora") {
		t.Fatalf("the draft message was not updated in place: %+v", up)
	}

	// The same click again: Slack sending it twice (stored once, so not
	// handled again), then its inbox row handled again as after a crash.
	// Nothing more is posted, and it answers as the first time, not "already
	// posted".
	same := click(t, "UCORA", dmChannel, dmTS, "project.update.approve", value)
	e.interact(same)
	e.adapter.Wait()
	row := storage.InboxRow{ID: 1 << 40, Platform: string(bot.PlatformSlack), Kind: kindInteraction, Key: "again", Payload: mustJSON(t, same)}
	if err := e.adapter.handleInbox(ctx, row, func(any) bool { return false }); err != nil {
		t.Fatal(err)
	}
	if n := len(postsTo(e.fake, clientChan)); n != 1 {
		t.Fatalf("a second click posted again: %d posts to the client channel", n)
	}
	if err := e.store.DB().QueryRowContext(ctx, `SELECT status FROM weekly_updates WHERE id = $1`, u.ID).Scan(&status); err != nil || status != "posted" {
		t.Fatalf("after the second click status %q %v", status, err)
	}
	for _, c := range e.fake.callsTo("chat.postEphemeral") {
		if c.Form.Get("user") == "UCORA" {
			t.Fatalf("the repeated click was answered %q", postedText(c))
		}
	}
	if up := e.fake.callsTo("chat.update"); len(up) != 2 || !strings.Contains(postedText(up[1]), "Approved by cora") {
		t.Fatalf("the repeated click's answer: %+v", up)
	}
	// A new click (another action_ts) on a posted update is told so.
	again := click(t, "UCORA", dmChannel, dmTS, "project.update.approve", value)
	again["actions"].([]any)[0].(map[string]any)["action_ts"] = "1596530999.000001"
	e.interact(again)
	e.adapter.Wait()
	told := ""
	for _, c := range e.fake.callsTo("chat.postEphemeral") {
		if c.Form.Get("user") == "UCORA" {
			told += postedText(c)
		}
	}
	if !strings.Contains(told, "already") {
		t.Fatalf("a new click on a posted update was told %q; want that it is already posted", told)
	}
}
