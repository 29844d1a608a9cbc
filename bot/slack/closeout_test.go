package slack

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/mspbot/mspbot/bot"
	"github.com/mspbot/mspbot/storage/storagetest"
)

// TestCloseoutAsksSurviveACrashAndReachSlackOnce: /project close through the
// signed slash endpoint, in a process whose direct messages cannot get
// through (Slack unreachable for them) and which then dies before its inbox
// row is marked done. The lessons and rating questions are deliver jobs in
// Postgres when the command has answered, before anything was posted; the
// next process handles the row again (queueing nothing more) and its
// deliverer posts each question to its person exactly once.
func TestCloseoutAsksSurviveACrashAndReachSlackOnce(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	store := storagetest.New(t)
	fake := newFakeSlack(t, testTeam, testBot)
	first := newOutboxEnv(t, store, fake) // no deliverer: nothing is posted from here
	first.person("UCORA", "cora", testTeam, bot.RoleCoordinator, "")
	first.person("UTOM", "tom", testTeam, bot.RoleTech, "")
	first.person("USAM", "sam", testTeam, bot.RoleTech, "")
	first.slashWith("trig.client", "UCORA", "C1", `/mspbot client add ACME "Acme Corp"`)
	first.slashWith("trig.project", "UCORA", "C1", `/mspbot project new ACME "Office move" --start 2030-01-07 --end 2030-03-29 --budget 10h`)
	ws := storagetest.Workspace(t, store, bot.PlatformSlack, testTeam)
	p1, err := store.ProjectByNumber(ctx, ws, 1)
	if err != nil {
		t.Fatal(err)
	}
	for _, who := range []string{"tom", "sam"} {
		p, err := store.FindPerson(ctx, ws, who)
		if err != nil {
			t.Fatal(err)
		}
		if err := store.LogProjectTime(ctx, ws, p.ID, p1.ID, 60, time.Date(2030, 1, 8, 0, 0, 0, 0, time.UTC), "work"); err != nil {
			t.Fatal(err)
		}
	}

	fake.fail("conversations.open", 1000) // what this process would DM does not get through
	_, out := first.slashWith("trig.close", "UCORA", "C1", "/mspbot project close P1")
	if out != "" {
		t.Fatalf("/project close answered privately %q; its checklist is a post to the channel", out)
	}
	asks := 0
	for _, j := range deliverJobs(t, store) {
		if strings.Contains(j.Key, "trig.close/closeout/") {
			asks++
		}
	}
	if asks != 3 {
		t.Errorf("deliver jobs %+v; want the three asks queued with the closeout", deliverJobs(t, store))
	}
	if dms := fake.callsTo("chat.postMessage"); len(dms) != 0 {
		t.Errorf("posted before any deliverer ran: %+v", dms)
	}

	// The process dies with the row pending; Slack is reachable again for the next.
	first.bot.Close()
	first.adapter.Close()
	diedBeforeDone(t, store)
	fake.fail("conversations.open", 0)
	second := newOutboxEnv(t, store, fake)
	d2 := deliverer(t, store, second.adapter, "second")
	waitInboxDone(t, second)
	settle(t, second, d2)

	want := map[string]string{"DTOM": "lessons add P1", "DSAM": "lessons add P1", "DCORA": "project rate P1",
		"C1": "Asking privately for lessons learned / the rating: sam, tom, cora."}
	got := map[string]int{}
	for _, c := range fake.callsTo("chat.postMessage") {
		ch := c.Form.Get("channel")
		if strings.Contains(c.Form.Get("text"), "Opened P1") {
			continue // /project new's post, also left to this process
		}
		if says, ok := want[ch]; !ok || !strings.Contains(c.Form.Get("text")+c.Form.Get("blocks"), says) {
			t.Errorf("unexpected post to %s: %s", ch, c.Form.Get("text"))
			continue
		}
		got[ch]++
	}
	for ch := range want {
		if got[ch] != 1 {
			t.Errorf("%s got %d posts saying %q; want exactly 1", ch, got[ch], want[ch])
		}
	}
	if n := len(deliverJobs(t, store)); n != 5 {
		t.Errorf("%d deliver jobs after the row was handled again; want 5 (two replies, three asks), none queued twice", n)
	}
}
