package main

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/mspbot/mspbot/storage/storagetest"
)

// builtBot builds cmd/mspbot and returns the binary's path. The path is kept
// between runs, one per checkout: go build leaves an up-to-date binary as it
// is, where linking a fresh one took 4–10 s of a loaded machine each run.
func builtBot(t *testing.T) string {
	t.Helper()
	cache, err := os.UserCacheDir()
	if err != nil {
		cache = os.TempDir()
	}
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte(wd))
	bin := filepath.Join(cache, "mspbot-test", hex.EncodeToString(sum[:6]), "mspbot")
	if b, err := exec.Command("go", "build", "-o", bin, "github.com/mspbot/mspbot/cmd/mspbot").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, b)
	}
	return bin
}

// The drill of issue 11, for real: a built mspbot serving signed slash
// commands while Slack's users.info is slow, killed with SIGKILL after every
// command was acknowledged and before any was handled, then started again.
// Every acknowledged command must become exactly one request and exactly one
// post in Slack.
func TestKillNineLosesNoAcknowledgedCommand(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and kills a real process")
	}
	dr := newDrill(t)
	fake, db := dr.fake, dr.db
	fake.slowUsers(time.Hour) // Slack is stuck: nothing can be handled in the first life
	first, addr := dr.start(t)

	const n = 20
	c := newClient()
	tg := dr.target(addr)
	var wg sync.WaitGroup
	acked := make(chan outcome, n)
	for range n {
		wg.Add(1)
		go func() { defer wg.Done(); acked <- c.send(context.Background(), tg) }()
	}
	wg.Wait()
	close(acked)
	for o := range acked {
		if o != outOK {
			t.Fatalf("a command was not acknowledged (%d); the drill needs all %d acked", o, n)
		}
	}
	// Every command is acknowledged and none is handled: users.info hangs.
	if err := first.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	waitExit(t, first.cmd.Process.Pid)
	if got := count(t, db, `SELECT count(*) FROM requests`); got != 0 {
		t.Fatalf("%d requests before the restart; the kill came too late for this drill", got)
	}
	if got := count(t, db, `SELECT count(*) FROM inbox WHERE done_at IS NULL`); got != n {
		t.Fatalf("%d pending inbox rows after the kill; want %d", got, n)
	}

	fake.slowUsers(0) // Slack is back
	second, _ := dr.start(t)
	t.Cleanup(second.stop)
	waitHandledAndPosted(t, db, fake, n)
	if got := count(t, db, `SELECT count(*) FROM requests`); got != n {
		t.Fatalf("%d requests; want %d", got, n)
	}
	posts := replyPosts(fake)
	numbers := map[string]bool{}
	for text, times := range posts {
		if times != 1 {
			t.Errorf("posted %d times: %.80s", times, text)
		}
		if i := strings.Index(text, "#"); i >= 0 {
			numbers[strings.Fields(text[i:])[0]] = true
		}
	}
	if len(posts) != n || len(numbers) != n {
		t.Fatalf("%d distinct posts naming %d requests; want %d each", len(posts), len(numbers), n)
	}
}

// waitHandledAndPosted waits (up to 2 min) until no inbox row is pending,
// at least posts distinct texts reached the fake, and every deliver job is
// completed: any duplicate post would have been made by then.
func waitHandledAndPosted(t *testing.T, db *sql.DB, fake *fakeSlack, posts int) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for {
		posted := len(replyPosts(fake))
		pending := count(t, db, `SELECT count(*) FROM inbox WHERE done_at IS NULL`)
		unfinished := count(t, db, `SELECT count(*) FROM river_job WHERE kind = 'deliver' AND state <> 'completed'`)
		if posted >= posts && pending == 0 && unfinished == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("after 2 min: %d of %d posted, %d inbox rows pending, %d deliver jobs unfinished", posted, posts, pending, unfinished)
		}
		time.Sleep(50 * time.Millisecond) // polling the fake and the database for the condition
	}
}

// drill is a kill drill's setting: a built mspbot, its own migrated
// database (and a connection to it), and a fake Slack on loopback.
type drill struct {
	bin  string
	env  map[string]string
	fake *fakeSlack
	api  *httptest.Server
	db   *sql.DB
}

func newDrill(t *testing.T) *drill {
	t.Helper()
	dsn := storagetest.NewMigratedDatabase(t)
	dr := &drill{bin: builtBot(t), fake: newFakeSlack("TKILL")}
	dr.api = httptest.NewServer(dr.fake)
	t.Cleanup(dr.api.Close)
	dr.env = map[string]string{"DATABASE_URL": dsn, "MSPBOT_LOG_LEVEL": "warn",
		"SLACK_BOT_TOKEN": "xoxb-kill", "SLACK_SIGNING_SECRET": secret, "SLACK_API_URL": dr.api.URL + "/api/"}
	var err error
	if dr.db, err = sql.Open("postgres", dsn); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { dr.db.Close() })
	return dr
}

// start starts the bot (again) and returns it and its address.
func (dr *drill) start(t *testing.T) (*process, string) { return startBot(t, dr.bin, dr.env) }

// target is where the load client sends signed commands to the bot at addr.
func (dr *drill) target(addr string) target {
	return target{url: "http://" + addr, secret: []byte(secret), teams: []string{"TKILL"}, reply: dr.api.URL + "/response"}
}

// startBot starts bin run with env on a free loopback address and returns
// it and the address. A port found free can be taken by another test's
// server before the bot binds it: the bot then exits, and another is tried.
func startBot(t *testing.T, bin string, env map[string]string) (*process, string) {
	t.Helper()
	var err error
	for range 5 {
		var addr string
		if addr, err = freeAddr(); err != nil {
			break
		}
		with := map[string]string{"MSPBOT_HTTP_ADDR": addr}
		for k, v := range env {
			with[k] = v
		}
		var p *process
		if p, err = startProcess(bin, []string{"run"}, with, "http://"+addr); err == nil {
			return p, addr
		}
	}
	t.Fatal(err)
	return nil, ""
}

func count(t *testing.T, db *sql.DB, q string) int {
	t.Helper()
	var n int
	if err := db.QueryRow(q).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// waitExit waits until pid is gone (reaped by startProcess's goroutine).
func waitExit(t *testing.T, pid int) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); {
		if _, err := os.Stat(fmt.Sprintf("/proc/%d", pid)); os.IsNotExist(err) {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("process %d still there after SIGKILL", pid)
}

// replyPosts are the fake's posts that answer a load command (they name
// it: "(load n)"), with how many times each was posted. The bot posts
// other things on its own schedule — a manager's daily digest and hours
// report, whenever the test runs at that hour — which a count of every post
// took for duplicates.
func replyPosts(fake *fakeSlack) map[string]int {
	out := map[string]int{}
	for text, times := range fake.postsSnapshot() {
		if strings.Contains(text, "(load ") {
			out[text] = times
		}
	}
	return out
}
