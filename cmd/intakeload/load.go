package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mspbot/mspbot/bot/slack"
)

// target is a server taking signed slash commands.
type target struct {
	name   string
	url    string // base URL; POST url + /slack/commands
	pid    int    // for RSS; 0 when unknown
	secret []byte
	teams  []string
	reply  string // response_url base
}

// result is one measured phase.
type result struct {
	offered  float64 // req/s asked for (0: closed loop)
	sent     int
	ok       int
	busy     int // answered "busy, try again"
	errs     int // transport errors and non-200s
	achieved float64
	p50, p99 time.Duration
	maxRSSKB int64
	cpu      string // CPU per request during the phase (perRequest)
}

func (r result) String() string {
	off := "closed"
	if r.offered > 0 {
		off = fmt.Sprintf("%.0f/s", r.offered)
	}
	return fmt.Sprintf("offered %-7s achieved %7.0f/s  p50 %7.2f ms  p99 %7.2f ms  ok %6d  busy %5d  errors %4d  max RSS %5.1f MB",
		off, r.achieved, ms(r.p50), ms(r.p99), r.ok, r.busy, r.errs, float64(r.maxRSSKB)/1024)
}

func (r result) cpuLine() string {
	if r.cpu == "" {
		return ""
	}
	return "\n    " + r.cpu
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// client sends signed slash commands, numbering them so each is unique.
// It speaks HTTP/1.1 over its own keep-alive connections (wire), one request
// at a time on each, the way wrk does: net/http's client hands every request
// between two goroutines per connection, and on two cores that cost as much
// CPU as the server under test (0.27 ms a request) and competed with it.
type client struct {
	seq  atomic.Int64
	run  string // distinguishes this run's trigger ids from earlier runs'
	mu   sync.Mutex
	idle map[string][]*wire // by host:port
}

func newClient() *client {
	return &client{run: strconv.FormatInt(time.Now().UnixNano(), 36), idle: map[string][]*wire{}}
}

// outcome of one request.
type outcome int

const (
	outOK outcome = iota
	outBusy
	outErr
)

// send posts one signed /request to t on an idle connection (or a new one).
func (c *client) send(ctx context.Context, t target) outcome {
	_, o := c.sendNumbered(ctx, t)
	return o
}

// sendNumbered is send that also says which command it sent (its "load n";
// 0 when it could not connect and sent none).
func (c *client) sendNumbered(ctx context.Context, t target) (int64, outcome) {
	w, err := c.get(t)
	if err != nil {
		return 0, outErr
	}
	n, o := c.post(ctx, w, t)
	c.put(w)
	return n, o
}

func (c *client) get(t target) (*wire, error) {
	host := strings.TrimPrefix(t.url, "http://")
	c.mu.Lock()
	if ws := c.idle[host]; len(ws) > 0 {
		w := ws[len(ws)-1]
		c.idle[host] = ws[:len(ws)-1]
		c.mu.Unlock()
		return w, nil
	}
	c.mu.Unlock()
	return dial(host)
}

// put keeps a healthy connection for the next request.
func (c *client) put(w *wire) {
	if w.broken {
		w.conn.Close()
		return
	}
	c.mu.Lock()
	c.idle[w.host] = append(c.idle[w.host], w)
	c.mu.Unlock()
}

// form is one slash command the way Slack sends it, and its signature.
func (c *client) form(t target, n int64) (body, ts, sig string) {
	team := t.teams[int(n)%len(t.teams)]
	// Fifty users per team, each a member of its team: the fake's users.info
	// reads the team back out of the id (loadUserTeam).
	user := loadUser(team, int(n%50))
	body = url.Values{
		"token": {"x"}, "team_id": {team}, "team_domain": {"load"}, "channel_id": {"C1"}, "channel_name": {"support"},
		"user_id": {user}, "user_name": {strings.ToLower(user)}, "command": {"/request"},
		"text":         {fmt.Sprintf("Printer on floor %d is jammed again (load %d)", n%7, n)},
		"response_url": {t.reply + "/" + strconv.FormatInt(n, 10)}, "trigger_id": {c.run + "." + strconv.FormatInt(n, 10)},
	}.Encode()
	ts = strconv.FormatInt(time.Now().Unix(), 10)
	return body, ts, slack.Sign(t.secret, ts, []byte(body))
}

// wire is one keep-alive HTTP/1.1 connection, used by one caller at a time.
type wire struct {
	host   string
	conn   net.Conn
	r      *bufio.Reader
	w      *bufio.Writer
	broken bool
}

func dial(host string) (*wire, error) {
	conn, err := net.DialTimeout("tcp", host, 10*time.Second)
	if err != nil {
		return nil, err
	}
	return &wire{host: host, conn: conn, r: bufio.NewReader(conn), w: bufio.NewWriter(conn)}, nil
}

// post sends one signed /request on w and reads the answer; n numbers the
// command. A connection that failed is marked broken and not used again.
func (c *client) post(ctx context.Context, w *wire, t target) (int64, outcome) {
	n := c.seq.Add(1)
	body, ts, sig := c.form(t, n)
	return n, exchange(ctx, w, body, ts, sig)
}

// exchange writes one signed slash command on w and reads Slack's answer.
func exchange(ctx context.Context, w *wire, body, ts, sig string) outcome {
	deadline := time.Now().Add(10 * time.Second)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	_ = w.conn.SetDeadline(deadline)
	fmt.Fprintf(w.w, "POST /slack/commands HTTP/1.1\r\nHost: %s\r\nContent-Type: application/x-www-form-urlencoded\r\n"+
		"X-Slack-Request-Timestamp: %s\r\nX-Slack-Signature: %s\r\nContent-Length: %d\r\n\r\n%s",
		w.host, ts, sig, len(body), body)
	if err := w.w.Flush(); err != nil {
		w.broken = true
		return outErr
	}
	resp, err := http.ReadResponse(w.r, nil)
	if err != nil {
		w.broken = true
		return outErr
	}
	raw, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || resp.Close {
		w.broken = true
	}
	switch {
	case err != nil || resp.StatusCode != http.StatusOK:
		return outErr
	case strings.Contains(string(raw), "try again"):
		return outBusy
	}
	return outOK
}

// recorder collects latencies and outcomes, and samples the target's RSS.
type recorder struct {
	mu    sync.Mutex
	lat   []time.Duration
	count [3]int
}

func (r *recorder) add(d time.Duration, o outcome) {
	r.mu.Lock()
	r.lat = append(r.lat, d)
	r.count[o]++
	r.mu.Unlock()
}

func (r *recorder) result(offered float64, elapsed time.Duration, rss int64) result {
	r.mu.Lock()
	defer r.mu.Unlock()
	sort.Slice(r.lat, func(i, j int) bool { return r.lat[i] < r.lat[j] })
	res := result{offered: offered, sent: len(r.lat), ok: r.count[outOK], busy: r.count[outBusy], errs: r.count[outErr], maxRSSKB: rss}
	if elapsed > 0 {
		res.achieved = float64(res.ok) / elapsed.Seconds()
	}
	if n := len(r.lat); n > 0 {
		res.p50, res.p99 = r.lat[n/2], r.lat[min(n-1, n*99/100)]
	}
	return res
}

// watchRSS samples pid's resident set every 50 ms until stop is closed and
// returns the largest, in kB.
func watchRSS(pid int, stop <-chan struct{}) <-chan int64 {
	out := make(chan int64, 1)
	go func() {
		var peak int64
		t := time.NewTicker(50 * time.Millisecond)
		defer t.Stop()
		for {
			peak = max(peak, rssKB(pid))
			select {
			case <-stop:
				out <- peak
				return
			case <-t.C:
			}
		}
	}()
	return out
}

// rssKB reads VmRSS from /proc (0 where there is no /proc).
func rssKB(pid int) int64 {
	if pid == 0 {
		return 0
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return n
		}
	}
	return 0
}

// openLoop offers rate requests per second for dur, each sent at its
// scheduled moment whether or not earlier ones were answered (so a slow
// server cannot slow the offered load down), and times each from that
// moment. Like wrk2, each of the connections owns every conns-th moment: a
// request whose connection is still waiting for an earlier answer goes out
// late, and that lateness counts in its time.
func openLoop(ctx context.Context, c *client, t target, rate float64, dur time.Duration) result {
	rec := &recorder{}
	stop := make(chan struct{})
	rss := watchRSS(t.pid, stop)
	cpu0 := readCPU(t.pid)
	interval := time.Duration(float64(time.Second) / rate)
	total := int(rate * dur.Seconds())
	// Enough connections that one slow answer delays few others: 64 (as
	// many as the saturation phase's callers), or more where the rate needs
	// more for answers of 20 ms.
	conns := max(1, min(total, max(64, int(rate/50))))
	start := time.Now().Add(10 * time.Millisecond) // after the dials below
	var wg sync.WaitGroup
	for k := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var w *wire
			for i := k; i < total && ctx.Err() == nil; i += conns {
				sched := start.Add(time.Duration(i) * interval)
				if wait := time.Until(sched); wait > 0 {
					time.Sleep(wait) // the schedule itself: open loop
				}
				o := outErr
				if w == nil || w.broken {
					w, _ = c.get(t)
				}
				if w != nil {
					_, o = c.post(ctx, w, t)
				}
				rec.add(time.Since(sched), o)
			}
			if w != nil {
				c.put(w)
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	close(stop)
	res := rec.result(rate, elapsed, <-rss)
	res.cpu = perRequest(cpu0, readCPU(t.pid), res.ok)
	return res
}

// closedLoop runs conc senders back to back for dur: the most the server
// does with that many callers, its saturation.
func closedLoop(ctx context.Context, c *client, t target, conc int, dur time.Duration) result {
	rec := &recorder{}
	stop := make(chan struct{})
	rss := watchRSS(t.pid, stop)
	ctx, cancel := context.WithTimeout(ctx, dur)
	defer cancel()
	cpu0 := readCPU(t.pid)
	var wg sync.WaitGroup
	start := time.Now()
	for range conc {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				t0 := time.Now()
				o := c.send(context.WithoutCancel(ctx), t)
				rec.add(time.Since(t0), o)
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	close(stop)
	res := rec.result(0, elapsed, <-rss)
	res.cpu = perRequest(cpu0, readCPU(t.pid), res.ok)
	return res
}
