// Command intakeload measures mspbot's Slack intake under load against a
// baseline measured in the same run: it starts a fake Slack Web API on
// loopback, the bot (a built cmd/mspbot) and a baseline app that verifies,
// inserts one row and acks, each as its own process on its own scratch
// database; then it offers signed /request slash commands to each at fixed
// rates (open loop) and back to back (saturation), printing achieved rate,
// p50/p99, refusals, errors and the server's peak RSS, and the ratios.
//
//	go build -o mspbot-load ./cmd/mspbot
//	go run ./cmd/intakeload -bin ./mspbot-load -rates 300,1200,2400 -duration 5s
//
// After the bot's runs it waits for its inbox to drain and prints how fast the
// stored commands became requests.
package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"
)

const secret = "intakeload-signing-secret"

func main() {
	if len(os.Args) > 1 && os.Args[1] == "baseline" {
		if err := runBaseline(os.Getenv("INTAKELOAD_DSN"), os.Getenv("INTAKELOAD_ADDR"), secret); err != nil {
			fmt.Fprintln(os.Stderr, "baseline:", err)
			os.Exit(1)
		}
		return
	}
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "intakeload:", err)
		os.Exit(1)
	}
}

func run(args []string, out io.Writer) error {
	fs := flag.NewFlagSet("intakeload", flag.ContinueOnError)
	bin := fs.String("bin", "", "the mspbot binary to run (default: go build ./cmd/mspbot into a temporary directory)")
	admin := fs.String("admin-url", "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable", "Postgres URL allowed to create databases")
	rates := fs.String("rates", "300,1200,2400", "offered rates in req/s, open loop")
	dur := fs.Duration("duration", 5*time.Second, "length of each phase")
	conc := fs.Int("concurrency", 64, "callers for the saturation phase (0: no saturation phase)")
	workspaces := fs.Int("workspaces", 1, "Slack teams the commands are spread over")
	skipBaseline := fs.Bool("skip-baseline", false, "measure the bot alone")
	drainWait := fs.Duration("drain-wait", time.Minute, "how long to wait for the bot's inbox to drain afterwards")
	if err := fs.Parse(args); err != nil {
		return err
	}
	var rs []float64
	for _, s := range strings.Split(*rates, ",") {
		r, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
		if err != nil || r <= 0 {
			return fmt.Errorf("-rates: %q is not a rate", s)
		}
		rs = append(rs, r)
	}
	// Interrupted, the servers are still stopped and the databases dropped.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	tmp, err := os.MkdirTemp("", "intakeload")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	if *bin == "" {
		*bin = filepath.Join(tmp, "mspbot")
		fmt.Fprintln(out, "building cmd/mspbot …")
		if b, err := exec.Command("go", "build", "-o", *bin, "github.com/mspbot/mspbot/cmd/mspbot").CombinedOutput(); err != nil {
			return fmt.Errorf("go build: %v\n%s", err, b)
		}
	}
	teams := make([]string, *workspaces)
	for i := range teams {
		teams[i] = loadTeam(i)
	}
	fake := newFakeSlack(teams[0])
	api := httptest.NewServer(fake)
	defer api.Close()

	botDB, dropBot, err := scratchDB(ctx, *admin)
	if err != nil {
		return err
	}
	defer dropBot()
	botAddr, err := freeAddr()
	if err != nil {
		return err
	}
	bot, err := startProcess(*bin, []string{"run"}, map[string]string{
		"DATABASE_URL": botDB, "MSPBOT_HTTP_ADDR": botAddr, "MSPBOT_LOG_LEVEL": "error",
		"SLACK_BOT_TOKEN": "xoxb-load", "SLACK_SIGNING_SECRET": secret, "SLACK_API_URL": api.URL + "/api/",
	}, "http://"+botAddr)
	if err != nil {
		return fmt.Errorf("bot: %w", err)
	}
	defer bot.stop()

	targets := []target{{name: "mspbot", url: "http://" + botAddr, pid: bot.cmd.Process.Pid}}
	if !*skipBaseline {
		baseDB, dropBase, err := scratchDB(ctx, *admin)
		if err != nil {
			return err
		}
		defer dropBase()
		baseAddr, err := freeAddr()
		if err != nil {
			return err
		}
		self, err := os.Executable()
		if err != nil {
			return err
		}
		base, err := startProcess(self, []string{"baseline"}, map[string]string{
			"INTAKELOAD_DSN": baseDB, "INTAKELOAD_ADDR": baseAddr}, "http://"+baseAddr)
		if err != nil {
			return fmt.Errorf("baseline: %w", err)
		}
		defer base.stop()
		targets = append([]target{{name: "baseline (verify + 1-row insert + ack)", url: "http://" + baseAddr,
			pid: base.cmd.Process.Pid}}, targets...)
	}
	fmt.Fprintf(out, "load on %d cores, load average %s; %d workspace(s), %v per phase\n",
		runtime.NumCPU(), loadavg(), *workspaces, *dur)

	c := newClient()
	results := map[string][]result{}
	inbox, err := openInbox(botDB)
	if err != nil {
		return err
	}
	defer inbox.Close()
	for _, t := range targets {
		t.secret, t.teams, t.reply = []byte(secret), teams, api.URL+"/response"
		fmt.Fprintf(out, "\n%s\n", t.name)
		openLoop(ctx, c, t, 200, time.Second) // warm connections and caches
		// For the bot, what its workers did during each phase: the work the
		// acks stand for (stored commands turned into requests and posts).
		var workers func() string
		if t.name == "mspbot" {
			workers = inbox.phase(ctx)
		}
		for _, r := range rs {
			res := openLoop(ctx, c, t, r, *dur)
			results[t.name] = append(results[t.name], res)
			fmt.Fprintln(out, "  "+res.String()+res.cpuLine())
			if workers != nil {
				fmt.Fprintln(out, "    "+workers())
			}
		}
		if *conc <= 0 {
			continue
		}
		res := closedLoop(ctx, c, t, *conc, *dur)
		results[t.name] = append(results[t.name], res)
		fmt.Fprintf(out, "  %s  (saturation, %d callers)%s\n", res.String(), *conc, res.cpuLine())
		if workers != nil {
			fmt.Fprintln(out, "    "+workers())
		}
	}
	if len(targets) == 2 {
		b, m := results[targets[0].name], results[targets[1].name]
		fmt.Fprintln(out, "\nmspbot / baseline")
		for i := range b {
			label := "saturation"
			if i < len(rs) {
				label = fmt.Sprintf("%.0f/s", rs[i])
			}
			fmt.Fprintf(out, "  %-10s achieved ×%.2f  p99 ×%.2f\n", label, ratio(m[i].achieved, b[i].achieved),
				ratio(float64(m[i].p99), float64(b[i].p99)))
		}
	}
	return inbox.drained(ctx, out, *drainWait)
}

func ratio(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return a / b
}

type process struct {
	cmd    *exec.Cmd
	exited chan error
}

// startProcess runs bin with env added and waits for url/healthz.
func startProcess(bin string, args []string, env map[string]string, url string) (*process, error) {
	cmd := exec.Command(bin, args...)
	cmd.Env = os.Environ()
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	exited := make(chan error, 1)
	p := &process{cmd: cmd, exited: exited}
	go func() { exited <- cmd.Wait() }()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case err := <-exited:
			return nil, fmt.Errorf("exited before it was healthy: %v", err)
		default:
		}
		if resp, err := http.Get(url + "/healthz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return p, nil
			}
		}
		time.Sleep(50 * time.Millisecond) // polling for health
	}
	p.stop()
	return nil, errors.New("not healthy within 60 s")
}

// stop asks the process to finish and waits for it (killing it after 10 s), so
// its scratch database is dropped only once nothing uses it any more.
func (p *process) stop() {
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.exited:
	case <-time.After(10 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.exited
	}
}

// scratchDB creates an empty database and returns its URL and what drops it.
func scratchDB(ctx context.Context, admin string) (string, func(), error) {
	db, err := sql.Open("postgres", admin)
	if err != nil {
		return "", nil, err
	}
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	name := "intakeload_" + hex.EncodeToString(b)
	if _, err := db.ExecContext(ctx, `CREATE DATABASE `+name); err != nil {
		db.Close()
		return "", nil, fmt.Errorf("create scratch database: %w", err)
	}
	u := strings.Replace(admin, "/postgres?", "/"+name+"?", 1)
	return u, func() {
		_, _ = db.Exec(`DROP DATABASE IF EXISTS ` + name + ` WITH (FORCE)`)
		db.Close()
	}, nil
}

func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}
