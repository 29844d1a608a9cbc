package web_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/mspbot/mspbot/bot"
	"github.com/mspbot/mspbot/storage"
	"github.com/mspbot/mspbot/storage/storagetest"
	"github.com/mspbot/mspbot/web"
)

func quiet() *slog.Logger { return slog.New(slog.DiscardHandler) }

func get(t *testing.T, h http.Handler, method, path string) (int, string) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(method, path, nil))
	return rec.Code, rec.Body.String()
}

func ready(context.Context) error { return nil }

func TestHealthz(t *testing.T) {
	t.Parallel()
	s := web.NewServer("127.0.0.1:0", ready, web.NewMetrics(), quiet())
	if code, body := get(t, s.Handler(), "GET", "/healthz"); code != 200 || body != "ok\n" {
		t.Fatalf("GET /healthz: %d %q", code, body)
	}
	if code, _ := get(t, s.Handler(), "POST", "/healthz"); code != http.StatusMethodNotAllowed {
		t.Fatalf("POST /healthz: %d; want 405", code)
	}
	if code, _ := get(t, s.Handler(), "GET", "/nothing-here"); code != http.StatusNotFound {
		t.Fatalf("GET /nothing-here: %d; want 404", code)
	}
}

// Readiness asks the real database: a migrated one is ready, one with
// migrations pending is not, and one that cannot be reached is not.
func TestReadyzAgainstTheDatabase(t *testing.T) {
	t.Parallel()
	migrated := storagetest.New(t)
	s := web.NewServer("127.0.0.1:0", migrated.Ready, web.NewMetrics(), quiet())
	if code, body := get(t, s.Handler(), "GET", "/readyz"); code != 200 || body != "ready\n" {
		t.Fatalf("migrated database: %d %q", code, body)
	}

	empty, err := storage.Open(context.Background(), storagetest.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	defer empty.Close()
	s = web.NewServer("127.0.0.1:0", empty.Ready, web.NewMetrics(), quiet())
	if code, body := get(t, s.Handler(), "GET", "/readyz"); code != http.StatusServiceUnavailable || !strings.Contains(body, "migrations pending") {
		t.Fatalf("unmigrated database: %d %q; want 503 migrations pending", code, body)
	}

	gone, err := storage.Open(context.Background(), storagetest.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	gone.Close()
	s = web.NewServer("127.0.0.1:0", gone.Ready, web.NewMetrics(), quiet())
	if code, body := get(t, s.Handler(), "GET", "/readyz"); code != http.StatusServiceUnavailable || !strings.Contains(body, "database unreachable") {
		t.Fatalf("closed database: %d %q; want 503 database unreachable", code, body)
	}
}

func TestReadyzGivesTheCheckADeadline(t *testing.T) {
	t.Parallel()
	var deadline time.Time
	check := func(ctx context.Context) error {
		deadline, _ = ctx.Deadline()
		return errors.New("still starting")
	}
	s := web.NewServer("127.0.0.1:0", check, web.NewMetrics(), quiet())
	code, body := get(t, s.Handler(), "GET", "/readyz")
	if code != http.StatusServiceUnavailable || !strings.Contains(body, "still starting") {
		t.Fatalf("%d %q", code, body)
	}
	if left := time.Until(deadline); deadline.IsZero() || left <= 0 || left > 3*time.Second {
		t.Fatalf("the readiness check got deadline %v (%v left); want one within 3s", deadline, left)
	}
}

func TestMetricsCountCommandsErrorsAndLatency(t *testing.T) {
	t.Parallel()
	m := web.NewMetrics()
	m.Observe("time", "", 12*time.Millisecond)
	m.Observe("time", bot.EInvalid, 3*time.Millisecond)
	m.Observe("request", "", 40*time.Millisecond)
	s := web.NewServer("127.0.0.1:0", ready, m, quiet())
	code, body := get(t, s.Handler(), "GET", "/metrics")
	if code != 200 {
		t.Fatalf("GET /metrics: %d", code)
	}
	for _, want := range []string{
		`mspbot_commands_total{command="time"} 2`,
		`mspbot_commands_total{command="request"} 1`,
		`mspbot_command_errors_total{code="invalid",command="time"} 1`,
		`mspbot_command_duration_seconds_count{command="time"} 2`,
		`mspbot_command_duration_seconds_bucket{command="time",le="0.005"} 1`,
		`mspbot_command_duration_seconds_bucket{command="time",le="0.025"} 2`,
		"go_goroutines ",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
	if strings.Contains(body, `mspbot_command_errors_total{code="invalid",command="request"}`) {
		t.Error("a command without an error was counted as one")
	}
	// Each Metrics has a registry of its own: a second bot in the same process
	// (as in tests) starts from zero.
	_, fresh := get(t, web.NewServer("127.0.0.1:0", ready, web.NewMetrics(), quiet()).Handler(), "GET", "/metrics")
	if strings.Contains(fresh, "mspbot_commands_total{") {
		t.Error("a new registry already has command counts")
	}
}

// The server really listens: adapters' endpoints mounted before Start answer
// over TCP, a taken address is an error, and Shutdown stops it.
func TestServeMountedEndpointsOverTCP(t *testing.T) {
	t.Parallel()
	s := web.NewServer("127.0.0.1:0", ready, web.NewMetrics(), quiet())
	s.Handle("POST /slack/events", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		w.Write([]byte("got " + string(b)))
	}))
	addr, err := s.Start()
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Post("http://"+addr+"/slack/events", "text/plain", strings.NewReader("hello"))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(b) != "got hello" {
		t.Fatalf("POST /slack/events: %d %q", resp.StatusCode, b)
	}
	resp, err = http.Get("http://" + addr + "/slack/events")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Fatalf("GET /slack/events: %d; want 405", resp.StatusCode)
	}

	if _, err := web.NewServer(addr, ready, web.NewMetrics(), quiet()).Start(); err == nil {
		t.Fatal("a second server on the same address started")
	}

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := s.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := http.Get("http://" + addr + "/healthz"); err == nil {
		t.Fatal("the server still answers after Shutdown")
	}
}
