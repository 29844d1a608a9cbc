// Package web is mspbot's HTTP server: health and readiness probes, Prometheus
// metrics, and the mount point where platform adapters add their endpoints
// (Slack's /slack/*, Discord's /discord/interactions).
package web

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/mspbot/mspbot/bot"
)

// Metrics are the counters and histograms the bot exports.
type Metrics struct {
	Registry *prometheus.Registry
	commands *prometheus.CounterVec
	errors   *prometheus.CounterVec
	latency  *prometheus.HistogramVec
}

// NewMetrics makes a registry of its own (no global state) with Go runtime metrics.
func NewMetrics() *Metrics {
	m := &Metrics{
		Registry: prometheus.NewRegistry(),
		commands: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "mspbot_commands_total", Help: "Commands handled, by command.",
		}, []string{"command"}),
		errors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "mspbot_command_errors_total", Help: "Commands that ended in an error, by command and error code.",
		}, []string{"command", "code"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "mspbot_command_duration_seconds", Help: "Time to handle a command.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
		}, []string{"command"}),
	}
	m.Registry.MustRegister(m.commands, m.errors, m.latency,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Observe implements bot.Observer.
func (m *Metrics) Observe(command string, code bot.Code, elapsed time.Duration) {
	m.commands.WithLabelValues(command).Inc()
	if code != "" {
		m.errors.WithLabelValues(command, string(code)).Inc()
	}
	m.latency.WithLabelValues(command).Observe(elapsed.Seconds())
}

// ReadyFunc reports whether the bot can serve: database reachable, migrations applied.
type ReadyFunc func(ctx context.Context) error

// Server is the HTTP server. Adapters Handle their paths before Start.
type Server struct {
	mux *http.ServeMux
	srv *http.Server
	log *slog.Logger

	mu     sync.Mutex
	checks []ReadyFunc // more readiness checks: a platform connection lost for good
}

// AddReadyCheck makes /readyz also depend on check, e.g. an adapter whose
// Socket Mode or gateway connection was refused for good: the bot then serves
// nothing on that platform, and an orchestrator should see it.
func (s *Server) AddReadyCheck(check ReadyFunc) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.checks = append(s.checks, check)
}

func (s *Server) ready(ctx context.Context, base ReadyFunc) error {
	if err := base(ctx); err != nil {
		return err
	}
	s.mu.Lock()
	checks := slices.Clone(s.checks)
	s.mu.Unlock()
	for _, c := range checks {
		if err := c(ctx); err != nil {
			return err
		}
	}
	return nil
}

// NewServer serves /healthz, /readyz and /metrics.
func NewServer(addr string, ready ReadyFunc, metrics *Metrics, log *slog.Logger) *Server {
	mux := http.NewServeMux()
	s := &Server{mux: mux, log: log}
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("ok\n"))
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
		defer cancel()
		if err := s.ready(ctx, ready); err != nil {
			log.Warn("not ready", "err", err)
			http.Error(w, "not ready: "+err.Error(), http.StatusServiceUnavailable)
			return
		}
		w.Write([]byte("ready\n"))
	})
	mux.Handle("GET /metrics", promhttp.HandlerFor(metrics.Registry, promhttp.HandlerOpts{}))
	s.srv = &http.Server{Addr: addr, Handler: mux, ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout: 15 * time.Second, WriteTimeout: 30 * time.Second}
	return s
}

// Handle adds an adapter's endpoint, e.g. "POST /slack/events".
func (s *Server) Handle(pattern string, h http.Handler) { s.mux.Handle(pattern, h) }

// Handler returns the server's handler, for tests.
func (s *Server) Handler() http.Handler { return s.mux }

// Start listens and serves in the background; it returns the address bound
// (useful with port 0) or an error when the address is taken.
func (s *Server) Start() (string, error) {
	ln, err := net.Listen("tcp", s.srv.Addr)
	if err != nil {
		return "", err
	}
	go func() {
		if err := s.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.log.Error("http server stopped", "err", err)
		}
	}()
	return ln.Addr().String(), nil
}

// Shutdown stops accepting and waits for requests in flight.
func (s *Server) Shutdown(ctx context.Context) error { return s.srv.Shutdown(ctx) }
