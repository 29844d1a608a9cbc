package slack

import (
	"strings"
	"testing"
	"time"

	"github.com/mspbot/mspbot/bot"
	"github.com/mspbot/mspbot/storage/storagetest"
)

// A /time whose entry committed but whose inbox row was not marked done (the
// bot killed in between) is handled again after the restart: the person's
// day still holds one 45-minute entry, and the answer names that entry.
func TestSlashTimeHandledAgainAfterCrashLogsOnce(t *testing.T) {
	t.Parallel()
	store := storagetest.New(t)
	fake := newFakeSlack(t, testTeam, testBot)
	first := newEnvOn(t, store, fake, nil)
	first.person("UTOM", "tom", testTeam, bot.RoleTech, "")
	first.slash("UTOM", "C1", "/request Printer on the 2nd floor is jammed") // #1001
	_, before := first.slashWith("trig.time", "UTOM", "C1", "/time 45m #1001 cleared the jam")
	if !strings.Contains(before, "Logged 45m on #1001") || !strings.Contains(before, "45m total") {
		t.Fatalf("first /time: %q", before)
	}
	first.bot.Close()
	first.adapter.Close()
	diedBeforeDone(t, store)

	second := newEnvOn(t, store, fake, nil)
	_, after := second.slashWith("trig.time", "UTOM", "C1", "/time 45m #1001 cleared the jam")
	second.adapter.Wait()
	waitInboxDone(t, second)
	var entries, minutes int
	if err := store.DB().QueryRow(`SELECT count(*), coalesce(sum(minutes), 0) FROM time_entries`).Scan(&entries, &minutes); err != nil {
		t.Fatal(err)
	}
	if entries != 1 || minutes != 45 {
		t.Fatalf("%d entries, %d minutes after the replay; want 1 entry of 45", entries, minutes)
	}
	firstLine := func(s string) string { l, _, _ := strings.Cut(s, "\n"); return l }
	if firstLine(after) != firstLine(before) {
		t.Fatalf("replayed answer %q; want the first one %q", after, before)
	}
}

// waitInboxDone waits until no inbox row is pending.
func waitInboxDone(t *testing.T, e *env) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		var n int
		if err := e.store.DB().QueryRow(`SELECT count(*) FROM inbox WHERE done_at IS NULL`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d inbox rows still pending", n)
		}
		time.Sleep(20 * time.Millisecond) // polling the condition, not waiting a fixed time
	}
}

// A /timer start and a /timer stop, each handled again after a crash between
// its commit and its inbox row's done-mark: one timer ran, one entry was
// logged, and a replayed start after the stop starts no second timer.
func TestSlashTimerHandledAgainAfterCrashRunsOnce(t *testing.T) {
	t.Parallel()
	store := storagetest.New(t)
	fake := newFakeSlack(t, testTeam, testBot)
	first := newEnvOn(t, store, fake, nil)
	first.person("UTOM", "tom", testTeam, bot.RoleTech, "")
	first.slash("UTOM", "C1", "/request Printer on the 2nd floor is jammed") // #1001
	_, started := first.slashWith("trig.start", "UTOM", "C1", "/timer start #1001")
	if !strings.Contains(started, "Timer started on #1001") {
		t.Fatalf("start: %q", started)
	}
	first.clock.Advance(30 * time.Minute)
	_, stopped := first.slashWith("trig.stop", "UTOM", "C1", "/timer stop")
	if !strings.Contains(stopped, "logged 30m on #1001") {
		t.Fatalf("stop: %q", stopped)
	}
	first.bot.Close()
	first.adapter.Close()
	diedBeforeDone(t, store)

	second := newEnvOn(t, store, fake, nil)
	_, startAgain := second.slashWith("trig.start", "UTOM", "C1", "/timer start #1001")
	_, stopAgain := second.slashWith("trig.stop", "UTOM", "C1", "/timer stop")
	second.adapter.Wait()
	waitInboxDone(t, second)
	var entries, minutes, timers int
	if err := store.DB().QueryRow(`SELECT count(*), coalesce(sum(minutes), 0), (SELECT count(*) FROM timers)
		FROM time_entries`).Scan(&entries, &minutes, &timers); err != nil {
		t.Fatal(err)
	}
	if entries != 1 || minutes != 30 || timers != 0 {
		t.Fatalf("%d entries, %d minutes, %d timers running after the replay; want 1 entry of 30, no timer", entries, minutes, timers)
	}
	if !strings.Contains(startAgain, "handled already") {
		t.Fatalf("replayed start answered %q", startAgain)
	}
	if !strings.Contains(stopAgain, "logged 30m on #1001 — entry 1.") {
		t.Fatalf("replayed stop answered %q", stopAgain)
	}
}

// A /time delete handled again after a crash answers as a delete, not "no
// such entry", and removes nothing else.
func TestSlashTimeDeleteHandledAgainAfterCrash(t *testing.T) {
	t.Parallel()
	store := storagetest.New(t)
	fake := newFakeSlack(t, testTeam, testBot)
	first := newEnvOn(t, store, fake, nil)
	first.person("UTOM", "tom", testTeam, bot.RoleTech, "")
	first.slash("UTOM", "C1", "/request Printer on the 2nd floor is jammed") // #1001
	first.slash("UTOM", "C1", "/time 45m #1001 cleared the jam")             // entry 1
	first.slash("UTOM", "C1", "/time 30m #1001 tested it")                   // entry 2
	if _, out := first.slashWith("trig.del", "UTOM", "C1", "/time delete 1"); !strings.Contains(out, "Deleted entry 1") {
		t.Fatalf("delete: %q", out)
	}
	first.bot.Close()
	first.adapter.Close()
	diedBeforeDone(t, store)

	second := newEnvOn(t, store, fake, nil)
	_, again := second.slashWith("trig.del", "UTOM", "C1", "/time delete 1")
	second.adapter.Wait()
	waitInboxDone(t, second)
	if !strings.Contains(again, "Deleted entry 1") {
		t.Fatalf("replayed delete answered %q", again)
	}
	var entries, minutes int
	if err := store.DB().QueryRow(`SELECT count(*), coalesce(sum(minutes), 0) FROM time_entries`).Scan(&entries, &minutes); err != nil {
		t.Fatal(err)
	}
	if entries != 1 || minutes != 30 {
		t.Fatalf("%d entries, %d minutes; want entry 2's 30 minutes left", entries, minutes)
	}
}
