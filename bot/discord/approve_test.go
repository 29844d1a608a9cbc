package discord_test

import (
	"bytes"
	"context"
	"io"
	"mime/multipart"
	"strings"
	"testing"
	"time"

	"github.com/mspbot/mspbot/bot"
	"github.com/mspbot/mspbot/bot/discord"
	"github.com/mspbot/mspbot/commands"
	"github.com/mspbot/mspbot/projects"
)

// messageJSON is the message a create-message call carried: the JSON body, or
// the payload_json part of a multipart body (a message with files).
func messageJSON(t *testing.T, c call) map[string]any {
	t.Helper()
	if bytes.HasPrefix(bytes.TrimSpace(c.Body), []byte("{")) {
		return jsonMap(t, c.Body)
	}
	first, _, _ := bytes.Cut(c.Body, []byte("\r\n"))
	boundary := strings.TrimPrefix(string(first), "--")
	mr := multipart.NewReader(bytes.NewReader(c.Body), boundary)
	for {
		part, err := mr.NextPart()
		if err != nil {
			t.Fatalf("no payload_json in %s %s: %v", c.Method, c.Path, err)
		}
		if part.FormName() == "payload_json" {
			b, _ := io.ReadAll(part)
			return jsonMap(t, b)
		}
	}
}

// buttonIDs returns label → custom_id of a message's buttons.
func buttonIDs(msg map[string]any) map[string]string {
	out := map[string]string{}
	rows, _ := msg["components"].([]any)
	for _, r := range rows {
		row, _ := r.(map[string]any)
		cs, _ := row["components"].([]any)
		for _, c := range cs {
			b, _ := c.(map[string]any)
			if num(b["type"]) == 2 {
				label, _ := b["label"].(string)
				id, _ := b["custom_id"].(string)
				out[label] = id
			}
		}
	}
	return out
}

// TestWeeklyDraftApproveClick: the scheduled draft reaches the coordinator's
// DM with an Approve button; that button's custom_id, clicked from the DM as
// Discord sends it (no guild, a top-level user), is refused for a tech
// (ephemerally, nothing reaches the client) and, clicked by the coordinator,
// posts the update to the client's channel once; the row is 'posted' and a
// second click posts nothing more.
func TestWeeklyDraftApproveClick(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	senders := bot.Senders{}
	e := newEnv(t, func(_ *discord.Config, d *commands.Deps, _ *[]bot.Command) { d.Senders = senders })
	senders[bot.PlatformDiscord] = e.a
	e.assume(cora, bot.RoleCoordinator, "")
	e.assume(tom, bot.RoleTech, "")
	const clientChan = "700000000000000001"
	clientPosts := "POST /api/v9/channels/" + clientChan + "/messages"

	run := func(who person, name, args string) map[string]any {
		t.Helper()
		_, r := e.signed(e.interaction(2, who, commandData(name, opt("args", 3, args)), nil))
		e.a.Wait()
		return r
	}
	if r := run(cora, "client", `add ACME "Acme Corp"`); !strings.Contains(text(r), "ACME") || strings.Contains(text(r), "rror") {
		t.Fatalf("client add: %v", r)
	}
	now := e.clock.Now()
	start, end := now.AddDate(0, 0, -7).Format("2006-01-02"), now.AddDate(0, 0, 60).Format("2006-01-02")
	if r := run(cora, "project", `new ACME "Firewall replacement" --start `+start+` --end `+end+` --budget 40h --channel `+clientChan); !strings.Contains(text(r), "Opened P") {
		t.Fatalf("project new: %v", r)
	}
	list, err := e.store.RunningProjects(ctx)
	if err != nil || len(list) != 1 {
		t.Fatalf("running projects: %v %v", list, err)
	}
	p := list[0]
	if p.Channel != clientChan || p.CoordinatorExternalID != cora.ID {
		t.Fatalf("project: channel %q coordinator %q", p.Channel, p.CoordinatorExternalID)
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
	if n := len(e.fake.Answered("POST /api/v9/users/@me/channels")); n != 1 {
		t.Fatalf("%d DM channels opened; want 1", n)
	}
	var dmChannel, approveID string
	for _, c := range e.fake.Calls("POST /api/v9/channels/") {
		parts := strings.Split(c.Path, "/")
		if c.Status != 0 || len(parts) != 6 || !strings.HasPrefix(parts[4], "dm") {
			continue
		}
		if id := buttonIDs(messageJSON(t, c))["Approve"]; id != "" {
			dmChannel, approveID = parts[4], id
		}
	}
	if approveID == "" {
		t.Fatalf("no DM with an Approve button; calls: %v", e.fake.Calls("POST"))
	}
	if want := "/project update " + p.Ref() + " approve " + isoWeek; approveID != want {
		t.Fatalf("Approve custom_id %q; want %q", approveID, want)
	}

	// A click in the DM, as Discord sends it: no guild, the user at top level.
	click := func(who person) map[string]any {
		t.Helper()
		_, r := e.signed(e.interaction(3, who, map[string]any{"component_type": 2, "custom_id": approveID},
			map[string]any{"guild_id": nil, "member": nil, "channel_id": dmChannel,
				"user":    map[string]any{"id": who.ID, "username": who.Name},
				"message": map[string]any{"id": "m1", "channel_id": dmChannel, "content": ""}}))
		e.a.Wait()
		return r
	}

	r := click(tom)
	if num(r["type"]) != 4 || flags(r) != 64 || !strings.Contains(text(r), "coordinators") {
		t.Fatalf("tech click: %v; want an ephemeral refusal", r)
	}
	if n := len(e.fake.Exact(clientPosts)); n != 0 {
		t.Fatalf("a tech's click posted %d messages to the client channel", n)
	}
	u, err := e.store.WeeklyUpdateFor(ctx, p.ID, year, week)
	if err != nil || u.Status != bot.UpdateDrafted {
		t.Fatalf("after the tech's click: %q %v; want drafted", u.Status, err)
	}

	r = click(cora)
	if num(r["type"]) != 7 || !strings.Contains(text(r), "Approved by cora") {
		t.Fatalf("coordinator click: %v; want the draft updated in place", r)
	}
	posts := e.fake.Answered(clientPosts)
	if len(posts) != 1 {
		t.Fatalf("%d posts to the client channel after approval; want 1", len(posts))
	}
	body := text(messageJSON(t, posts[0]))
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

	// A second click on the same Approve: nothing more is posted.
	r = click(cora)
	if n := len(e.fake.Exact(clientPosts)); n != 1 {
		t.Fatalf("a second click posted again: %d posts to the client channel (reply %v)", n, r)
	}
	if num(r["type"]) == 7 {
		t.Fatalf("a second click reported success: %v", r)
	}
	if err := e.store.DB().QueryRowContext(ctx, `SELECT status FROM weekly_updates WHERE id = $1`, u.ID).Scan(&status); err != nil || status != "posted" {
		t.Fatalf("after the second click status %q %v", status, err)
	}
}
