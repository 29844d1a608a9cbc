package main

import (
	"context"
	"fmt"
	"io"
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
type client struct {
	http *http.Client
	seq  atomic.Int64
	run  string // distinguishes this run's trigger ids from earlier runs'
}

func newClient() *client {
	tr := &http.Transport{MaxIdleConns: 4096, MaxIdleConnsPerHost: 4096, IdleConnTimeout: time.Minute}
	return &client{http: &http.Client{Transport: tr, Timeout: 10 * time.Second},
		run: strconv.FormatInt(time.Now().UnixNano(), 36)}
}

// outcome of one request.
type outcome int

const (
	outOK outcome = iota
	outBusy
	outErr
)

// send posts one signed /request to t, the way Slack does.
func (c *client) send(ctx context.Context, t target) outcome {
	n := c.seq.Add(1)
	team := t.teams[int(n)%len(t.teams)]
	user := fmt.Sprintf("U%04d", n%50)
	form := url.Values{
		"token": {"x"}, "team_id": {team}, "team_domain": {"load"}, "channel_id": {"C1"}, "channel_name": {"support"},
		"user_id": {user}, "user_name": {strings.ToLower(user)}, "command": {"/request"},
		"text":         {fmt.Sprintf("Printer on floor %d is jammed again (load %d)", n%7, n)},
		"response_url": {t.reply + "/" + strconv.FormatInt(n, 10)}, "trigger_id": {c.run + "." + strconv.FormatInt(n, 10)},
	}
	body := form.Encode()
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, t.url+"/slack/commands", strings.NewReader(body))
	if err != nil {
		return outErr
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Slack-Request-Timestamp", ts)
	req.Header.Set("X-Slack-Signature", slack.Sign(t.secret, ts, []byte(body)))
	resp, err := c.http.Do(req)
	if err != nil {
		return outErr
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	switch {
	case resp.StatusCode != http.StatusOK:
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
// server cannot slow the offered load down), and times each from that moment.
func openLoop(ctx context.Context, c *client, t target, rate float64, dur time.Duration) result {
	rec := &recorder{}
	stop := make(chan struct{})
	rss := watchRSS(t.pid, stop)
	cpu0 := readCPU(t.pid)
	var wg sync.WaitGroup
	interval := time.Duration(float64(time.Second) / rate)
	total := int(rate * dur.Seconds())
	start := time.Now()
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	for i := 0; i < total; {
		due := start.Add(time.Duration(i) * interval)
		if wait := time.Until(due); wait > 0 {
			select {
			case <-tick.C:
			case <-ctx.Done():
				i = total
			}
			continue
		}
		for ; i < total && !start.Add(time.Duration(i)*interval).After(time.Now()); i++ {
			sched := start.Add(time.Duration(i) * interval)
			wg.Add(1)
			go func() {
				defer wg.Done()
				o := c.send(ctx, t)
				rec.add(time.Since(sched), o)
			}()
		}
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
