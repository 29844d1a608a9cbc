package slack

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/mspbot/mspbot/bot"
	"github.com/mspbot/mspbot/storage/storagetest"
)

// Every state-changing thing done to a request — a "Take it" click, /request
// wait, /reclassify, /request close — and a nudge's "Log 30m" and "Snooze"
// clicks, all handled, their changes committed, then the bot killed before any
// inbox row was marked done. The next process handles every row again: each
// change applied once (one entry, the snooze unmoved, one reclassification,
// still closed), the requester got each of their three DMs once (queued in
// the outbox under the delivery's key), and the replayed commands answer as
// the first time, never "already closed" or "already a project".
func TestClicksAndRequestChangesHandledAgainAfterCrashApplyOnce(t *testing.T) {
	t.Parallel()
	store := storagetest.New(t)
	fake := newFakeSlack(t, testTeam, testBot)
	first := newOutboxEnv(t, store, fake)
	// The first life runs two minutes in the past (well inside Slack's signature
	// window): a snooze applied again by the second would then move.
	first.clock.Advance(-2 * time.Minute)
	first.person("UWILE", "wile", testTeam, bot.RoleTech, "")
	first.person("UCORA", "cora", testTeam, bot.RoleCoordinator, "")
	first.person("UTOM", "tom", testTeam, bot.RoleTech, "")
	d1 := deliverer(t, store, first.adapter, "first")
	first.slashWith("trig.open", "UWILE", "C1", "/mspbot request The scanner on floor 3 jams") // #1001
	settle(t, first, d1)
	d1 = deliverer(t, store, first.adapter, "first-again")

	take := click(t, "UCORA", "C1", "1700000000.000001", "request.take", "/request take 1001")
	if status, _ := first.interact(take); status != 200 {
		t.Fatalf("take click: %d", status)
	}
	first.adapter.Wait()
	_, waited := first.slashWith("trig.wait", "UCORA", "C1", "/mspbot request wait 1001")
	logged := click(t, "UTOM", "DTOM", "1700000100.000001", "time.log30", "/time 30m #1001")
	first.interact(logged)
	snooze := click(t, "UTOM", "DTOM", "1700000100.000001", "nudge.snooze30", "/snooze 30m")
	first.interact(snooze)
	first.adapter.Wait()
	// Both answer publicly (the request's card, through the outbox): nothing private.
	_, reclassified := first.slashWith("trig.recl", "UCORA", "C1", `/mspbot reclassify 1001 project "a move, really"`)
	_, closed := first.slashWith("trig.close", "UCORA", "C1", "/mspbot request close 1001")
	settle(t, first, d1)
	if strings.TrimSpace(reclassified+closed) != "" || !strings.Contains(waited, "#1001 is waiting on the client") {
		t.Fatalf("first handling: wait %q, reclassify %q, close %q", waited, reclassified, closed)
	}
	calls := len(fake.calls)
	var snoozedBefore time.Time
	if err := store.DB().QueryRow(`SELECT snoozed_until FROM schedules s JOIN people p ON p.id = s.person_id
		WHERE p.external_id = 'UTOM'`).Scan(&snoozedBefore); err != nil {
		t.Fatal(err)
	}
	first.bot.Close()
	first.adapter.Close()
	diedBeforeDone(t, store)

	second := newOutboxEnv(t, store, fake)
	d2 := deliverer(t, store, second.adapter, "second")
	_, reclassifiedAgain := second.slashWith("trig.recl", "UCORA", "C1", `/mspbot reclassify 1001 project "a move, really"`)
	_, closedAgain := second.slashWith("trig.close", "UCORA", "C1", "/mspbot request close 1001")
	second.interact(take) // Slack sending the same click again, too
	waitInboxDone(t, second)
	settle(t, second, d2)

	var entries, minutes, reclassifications int
	var snoozed time.Time
	if err := store.DB().QueryRow(`SELECT (SELECT count(*) FROM time_entries), (SELECT coalesce(sum(minutes), 0) FROM time_entries),
		(SELECT count(*) FROM classification_events WHERE actor_id IS NOT NULL),
		(SELECT snoozed_until FROM schedules s JOIN people p ON p.id = s.person_id WHERE p.external_id = 'UTOM')`).
		Scan(&entries, &minutes, &reclassifications, &snoozed); err != nil {
		t.Fatal(err)
	}
	if entries != 1 || minutes != 30 {
		t.Errorf("%d entries, %d minutes after the replay; want the one 30-minute entry", entries, minutes)
	}
	if !snoozed.Equal(snoozedBefore) {
		t.Errorf("snoozed until %v after the replay; want %v, unmoved", snoozed, snoozedBefore)
	}
	if reclassifications != 1 {
		t.Errorf("%d reclassifications; want 1", reclassifications)
	}
	if r := second.request(1001); r.Status != bot.StatusClosed || r.Kind != bot.KindProject || r.AssigneeName != "cora" {
		t.Errorf("request after the replay: %s, %s, assignee %q", r.Status, r.Kind, r.AssigneeName)
	}
	var dms []string
	for _, c := range fake.callsTo("chat.postMessage") {
		if c.Form.Get("channel") == "DWILE" {
			dms = append(dms, c.Form.Get("text"))
		}
	}
	if len(dms) != 3 {
		t.Errorf("%d DMs to the requester; want taken, waiting and closed once each: %q", len(dms), dms)
	}
	if strings.TrimSpace(reclassifiedAgain+closedAgain) != "" {
		t.Errorf("replayed /reclassify and close answered privately %q, %q; want their first answers (public, posted once)", reclassifiedAgain, closedAgain)
	}
	fake.mu.Lock()
	defer fake.mu.Unlock()
	for _, c := range fake.calls[calls:] {
		text := c.Form.Get("text") + fmt.Sprint(c.JSON["text"])
		if strings.Contains(text, "already") || strings.Contains(text, "didn't work") {
			t.Errorf("after the restart %s said %q", c.Method, text)
		}
	}
	announced := 0
	for _, c := range fake.calls {
		if c.Method == "chat.postMessage" && strings.Contains(c.Form.Get("text"), "#1001 is now project") {
			announced++
		}
	}
	if announced != 1 {
		t.Errorf("the reclassification was announced %d times; want once", announced)
	}
}

// A Home tab click taking a request says so in the request's thread, through
// the outbox under the click's key: the click handled again after a crash
// (its row left pending) posts nothing twice and DMs the requester once.
func TestHomeClickHandledAgainAfterCrashPostsOnce(t *testing.T) {
	t.Parallel()
	store := storagetest.New(t)
	fake := newFakeSlack(t, testTeam, testBot)
	first := newOutboxEnv(t, store, fake)
	first.person("UWILE", "wile", testTeam, bot.RoleTech, "")
	first.person("UCORA", "cora", testTeam, bot.RoleCoordinator, "")
	d1 := deliverer(t, store, first.adapter, "first")
	first.slashWith("trig.open", "UWILE", "C1", "/mspbot request The scanner on floor 3 jams") // #1001
	settle(t, first, d1)
	thread := first.request(1001).Thread
	if thread == "" {
		t.Fatal("the request follows no thread")
	}
	d1 = deliverer(t, store, first.adapter, "first-again")
	home := map[string]any{"type": "block_actions", "team": map[string]any{"id": testTeam}, "user": map[string]any{"id": "UCORA"},
		"trigger_id": "trig.home", "view": map[string]any{"id": "VHOME", "type": "home", "team_id": testTeam},
		"container": map[string]any{"type": "view", "view_id": "VHOME"},
		"actions": []any{map[string]any{"type": "button", "action_id": "request.take", "block_id": "home.requests",
			"value": "/request take 1001", "action_ts": "1700000200.000001"}}}
	first.interact(home)
	settle(t, first, d1)
	inThread := func() int {
		n := 0
		for _, c := range fake.callsTo("chat.postMessage") {
			if c.Form.Get("thread_ts") == thread && strings.Contains(c.Form.Get("text"), "taken by cora") {
				n++
			}
		}
		return n
	}
	if n := inThread(); n != 1 {
		t.Fatalf("%d posts of the take in the request's thread; want 1", n)
	}
	first.bot.Close()
	first.adapter.Close()
	diedBeforeDone(t, store)

	second := newOutboxEnv(t, store, fake)
	d2 := deliverer(t, store, second.adapter, "second")
	waitInboxDone(t, second)
	settle(t, second, d2)
	if n := inThread(); n != 1 {
		t.Errorf("%d posts of the take in the request's thread after the replay; want 1", n)
	}
	dms := 0
	for _, c := range fake.callsTo("chat.postMessage") {
		if c.Form.Get("channel") == "DWILE" {
			dms++
		}
	}
	if dms != 1 {
		t.Errorf("%d DMs to the requester; want 1", dms)
	}
}

// projectChanges add a row each to P1, with a private answer.
var projectChanges = []struct{ trigger, line string }{
	{"trig.client2", `/mspbot client add GLOBEX "Globex"`},
	{"trig.priority", "/mspbot request priority 1001 P1"},
	{"trig.contract", `/mspbot contract ACME covers "printer maintenance"`},
	{"trig.milestone", `/mspbot project milestone P1 "Cabling done" 2030-02-01`},
	{"trig.disruption", `/mspbot project disruption P1 2030-02-03 18:00-22:00 "network down for the switch swap"`},
	{"trig.lesson", `/mspbot lessons add P1 "early site survey" "order switches sooner"`},
	{"trig.pclose", "/mspbot project close P1"}, // starts the closeout
}

// A /client add, a priority, a contract clause, a /project new, a milestone,
// a disruption, a lesson and the project's closeout started, each handled
// again after a crash (committed, inbox row not marked done): no second row,
// the same answers (never "already"), and the project announced once.
func TestProjectNewHandledAgainAfterCrashOpensOnce(t *testing.T) {
	t.Parallel()
	store := storagetest.New(t)
	fake := newFakeSlack(t, testTeam, testBot)
	first := newOutboxEnv(t, store, fake)
	first.person("UDANA", "dana", testTeam, bot.RoleManager, "")
	d1 := deliverer(t, store, first.adapter, "first")
	first.slashWith("trig.client", "UDANA", "C1", `/mspbot client add ACME "Acme Corp"`)
	first.slashWith("trig.project", "UDANA", "C1", `/mspbot project new ACME "Office move" --start 2030-01-07 --end 2030-03-29 --budget 10h`)
	first.slashWith("trig.request", "UDANA", "C1", "/mspbot request --client ACME The printer jams") // #1001
	var firstAnswers []string
	for _, c := range projectChanges {
		_, out := first.slashWith(c.trigger, "UDANA", "C1", c.line)
		firstAnswers = append(firstAnswers, out)
	}
	settle(t, first, d1)
	first.bot.Close()
	first.adapter.Close()
	diedBeforeDone(t, store)

	second := newOutboxEnv(t, store, fake)
	d2 := deliverer(t, store, second.adapter, "second")
	_, again := second.slashWith("trig.project", "UDANA", "C1", `/mspbot project new ACME "Office move" --start 2030-01-07 --end 2030-03-29 --budget 10h`)
	for i, c := range projectChanges {
		// The text, not the blocks: an ack and a response_url message encode them differently.
		// A replayed priority cannot say what it was before the first handling.
		firstLine := func(s string) string { l, _, _ := strings.Cut(s, "\n"); l, _, _ = strings.Cut(l, " ("); return l }
		if _, out := second.slashWith(c.trigger, "UDANA", "C1", c.line); firstLine(out) != firstLine(firstAnswers[i]) {
			t.Errorf("replayed %s answered %q; want the first answer %q", c.line, out, firstAnswers[i])
		}
	}
	waitInboxDone(t, second)
	settle(t, second, d2)
	var projects, milestones, disruptions, lessons, clients, clauses int
	if err := store.DB().QueryRow(`SELECT (SELECT count(*) FROM projects), (SELECT count(*) FROM milestones),
		(SELECT count(*) FROM disruptions), (SELECT count(*) FROM lessons), (SELECT count(*) FROM clients),
		(SELECT count(*) FROM contract_clauses)`).Scan(&projects, &milestones, &disruptions, &lessons, &clients, &clauses); err != nil {
		t.Fatal(err)
	}
	if projects != 1 || milestones != 1 || disruptions != 1 || lessons != 1 || clients != 2 || clauses != 1 {
		t.Errorf("%d projects, %d milestones, %d disruptions, %d lessons, %d clients, %d clauses after the replay; want 1 of each, 2 clients",
			projects, milestones, disruptions, lessons, clients, clauses)
	}
	if strings.Contains(again, "didn't work") || strings.Contains(again, "Can't") {
		t.Errorf("replayed /project new answered %q", again)
	}
	for _, said := range []string{"Opened P1", "Cabling done", "disruption planned"} {
		n := 0
		for _, c := range fake.callsTo("chat.postMessage") {
			if strings.Contains(c.Form.Get("text"), said) {
				n++
			}
		}
		if n != 1 {
			t.Errorf("%q posted %d times; want once", said, n)
		}
	}
}
