package main

import (
	"context"
	"database/sql"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/mspbot/mspbot/jobs"
)

// The drill at an arbitrary moment: a built mspbot takes a steady stream of
// signed /requests while its workers open requests and its deliverer posts
// replies, and is killed with SIGKILL in the middle of all three. After a
// restart, every command that was acknowledged is exactly one request, no
// command (acknowledged or not) is two, and every request is posted exactly
// once.
func TestKillNineUnderLoadLosesNothingAcknowledged(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and kills a real process under load")
	}
	dr := newDrill(t)
	fake, db := dr.fake, dr.db
	first, addr := dr.start(t)

	// Four callers, each sending every 20 ms (~200/s) until the kill and a
	// little after it.
	c := newClient()
	tg := dr.target(addr)
	ctx, stop := context.WithCancel(context.Background())
	var (
		mu    sync.Mutex
		acked = map[int64]bool{}
		wg    sync.WaitGroup
	)
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tick := time.NewTicker(20 * time.Millisecond)
			defer tick.Stop()
			for ctx.Err() == nil {
				if n, o := c.sendNumbered(context.Background(), tg); o == outOK {
					mu.Lock()
					acked[n] = true
					mu.Unlock()
				}
				<-tick.C
			}
		}()
	}
	// Kill once requests are being opened and replies posted, the stream
	// still coming in.
	deadline := time.Now().Add(time.Minute)
	for count(t, db, `SELECT count(*) FROM requests`) < 50 || len(replyPosts(fake)) < 10 {
		if time.Now().After(deadline) {
			t.Fatal("no requests opened and posted within a minute of load")
		}
		time.Sleep(10 * time.Millisecond) // polling for the moment to kill
	}
	if err := first.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	killedAt := time.Now()
	waitExit(t, first.cmd.Process.Pid)
	for time.Since(killedAt) < 200*time.Millisecond {
		time.Sleep(10 * time.Millisecond) // the callers keep sending to a dead bot for a moment
	}
	stop()
	wg.Wait()
	requestsAtKill, postsAtKill := count(t, db, `SELECT count(*) FROM requests`), len(replyPosts(fake))
	pendingAtKill := count(t, db, `SELECT count(*) FROM inbox WHERE done_at IS NULL`)
	runningAtKill := count(t, db, `SELECT count(*) FROM river_job WHERE state = 'running'`)
	t.Logf("killed with %d commands acknowledged, %d requests opened, %d posted, %d inbox rows pending, %d jobs running",
		len(acked), requestsAtKill, postsAtKill, pendingAtKill, runningAtKill)
	if pendingAtKill == 0 && runningAtKill == 0 && postsAtKill >= requestsAtKill {
		// The moment is chance's: rare, and no failure of the bot's.
		t.Skipf("the kill caught nothing in flight (no row pending, no job running, %d of %d posted); the drill proves nothing this time", postsAtKill, requestsAtKill)
	}

	second, _ := dr.start(t)
	t.Cleanup(second.stop)
	restarted := time.Now()
	stored := count(t, db, `SELECT count(*) FROM inbox`)
	waitHandledAndPosted(t, db, fake, stored)
	// Jobs the dead process left running were taken up by the lease, not
	// after River's own rescue, which would have taken RescueAfter.
	rescued := count(t, db, `SELECT count(*) FROM river_job WHERE (metadata->>'river:rescue_count')::int > 0`)
	t.Logf("%d jobs rescued; everything handled and posted %v after the restart", rescued, time.Since(restarted).Round(time.Millisecond))
	if runningAtKill > 0 && (rescued == 0 || time.Since(restarted) >= jobs.DefaultRescueAfter) {
		t.Fatalf("%d jobs were running at the kill, %d rescued, all done %v after the restart: not by the lease", runningAtKill, rescued, time.Since(restarted))
	}

	byCommand := requestsByLoadNumber(t, db)
	for n := range acked {
		if len(byCommand[n]) != 1 {
			t.Errorf("acknowledged command %d became %d requests", n, len(byCommand[n]))
		}
	}
	for n, numbers := range byCommand {
		if len(numbers) > 1 {
			t.Errorf("command %d became %d requests: %v", n, len(numbers), numbers)
		}
	}
	posted := map[string]int{}
	for text, times := range replyPosts(fake) {
		if times != 1 {
			t.Errorf("posted %d times: %.80s", times, text)
		}
		if i := strings.Index(text, "#"); i >= 0 {
			posted[strings.Fields(text[i:])[0]] += times
		}
	}
	for _, numbers := range byCommand {
		for _, num := range numbers {
			if got := posted["#"+num]; got != 1 {
				t.Errorf("request #%s posted %d times", num, got)
			}
		}
	}
	if stored < len(acked) {
		t.Fatalf("%d inbox rows for %d acknowledged commands", stored, len(acked))
	}
}

var loadNumber = regexp.MustCompile(`\(load (\d+)\)`)

// requestsByLoadNumber maps each load command's number to the numbers of
// the requests its text opened.
func requestsByLoadNumber(t *testing.T, db *sql.DB) map[int64][]string {
	t.Helper()
	rows, err := db.Query(`SELECT number, title || ' ' || body FROM requests`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[int64][]string{}
	for rows.Next() {
		var number int64
		var text string
		if err := rows.Scan(&number, &text); err != nil {
			t.Fatal(err)
		}
		m := loadNumber.FindStringSubmatch(text)
		if m == nil {
			t.Fatalf("request #%d is no load command's: %q", number, text)
		}
		n, _ := strconv.ParseInt(m[1], 10, 64)
		out[n] = append(out[n], strconv.FormatInt(number, 10))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}
