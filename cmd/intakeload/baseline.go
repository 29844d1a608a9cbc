package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"syscall"

	_ "github.com/lib/pq" // the baseline writes with the same driver as the bot

	"github.com/mspbot/mspbot/bot"
	"github.com/mspbot/mspbot/bot/slack"
)

// runBaseline serves the reference the issue measures against: an app that
// verifies Slack's signature, inserts the command as one row in its own
// commit, and acknowledges — what a minimal Bolt app does. It runs as its own
// process, like the bot, so both are measured the same way.
func runBaseline(dsn, addr, secret string) error {
	db, err := sql.Open("postgres", dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	db.SetMaxOpenConns(20) // the bot's pool before the intake work
	ctx := context.Background()
	if _, err := db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS baseline_commands (
		id bigserial PRIMARY KEY, team text NOT NULL, trigger_id text NOT NULL UNIQUE,
		body text NOT NULL, received_at timestamptz NOT NULL DEFAULT now())`); err != nil {
		return fmt.Errorf("baseline table: %w", err)
	}
	v := slack.Verifier{Secret: []byte(secret), Clock: bot.SystemClock{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "ok") })
	mux.HandleFunc("POST /slack/commands", func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<20))
		if err != nil {
			http.Error(w, "cannot read body", http.StatusBadRequest)
			return
		}
		if err := v.Verify(r.Header, body); err != nil {
			http.Error(w, "invalid signature", http.StatusUnauthorized)
			return
		}
		form, err := url.ParseQuery(string(body))
		if err != nil {
			http.Error(w, "bad form", http.StatusBadRequest)
			return
		}
		if _, err := db.ExecContext(r.Context(), `INSERT INTO baseline_commands (team, trigger_id, body)
			VALUES ($1, $2, $3) ON CONFLICT (trigger_id) DO NOTHING`,
			form.Get("team_id"), form.Get("trigger_id"), string(body)); err != nil {
			http.Error(w, "store failed", http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusOK)
	})
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: mux}
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, os.Interrupt)
	go func() { <-sig; _ = srv.Close() }()
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
