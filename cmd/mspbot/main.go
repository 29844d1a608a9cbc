// Command mspbot is the chat-ops bot for managed-service providers.
//
//	mspbot [run]       start the bot: Slack/Discord when their tokens are set, else the console
//	mspbot console     the console adapter only: --as NAME --role ROLE [--client CODE]
//	mspbot classify    classify request texts from stdin, one JSON object per line
//	mspbot migrate     apply database migrations and exit
//
// Load-test data and benchmarks are in cmd/mspbot-dev.
package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"runtime/pprof"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	// MSPBOT_CPUPROFILE names a file to write a CPU profile of the whole run
	// to (go tool pprof reads it): how the load command's figures are explained.
	if path := os.Getenv("MSPBOT_CPUPROFILE"); path != "" {
		if f, err := os.Create(path); err == nil && pprof.StartCPUProfile(f) == nil {
			defer f.Close()
			defer pprof.StopCPUProfile()
		}
	}
	if err := Main(ctx, os.Args[1:], os.Getenv, Streams{In: os.Stdin, Out: os.Stdout}); err != nil {
		fmt.Fprintln(os.Stderr, "mspbot:", err)
		os.Exit(1)
	}
}

// Streams are where the console reads commands and writes replies.
type Streams struct {
	In  *os.File // a file, so the console can tell a terminal from a pipe
	Out io.Writer
	// Listening, when set, is told the address the HTTP server bound, so a
	// caller that asked for port 0 learns which port the OS chose.
	Listening func(addr string)
}

// Main runs one subcommand; it is main without the process, so tests can call it.
func Main(ctx context.Context, args []string, getenv func(string) string, io Streams) error {
	sub := "run"
	if len(args) > 0 && args[0] != "" && args[0][0] != '-' {
		sub, args = args[0], args[1:]
	}
	// Help is answered before anything else: no configuration read, no
	// database opened or created, no port bound.
	if sub == "help" || wantsHelp(args) {
		fmt.Fprintln(io.Out, usage)
		return nil
	}
	if sub == "classify" {
		return runClassify(ctx, args, io.In, io.Out)
	}
	cfg, err := ParseConfig(getenv)
	if err != nil {
		return err
	}
	if getenv("MSPBOT_LOG_LEVEL") == "" && (sub == "console" || sub == "run" && !cfg.HasPlatform()) {
		// The console shares the terminal with the log: keep to warnings unless asked.
		cfg.LogLevel = slog.LevelWarn
	}
	log := newLogger(cfg.LogLevel)
	switch sub {
	case "run":
		return runBot(ctx, cfg, log, io)
	case "console":
		return runConsole(ctx, cfg, log, args, io)
	case "migrate":
		return runMigrate(ctx, cfg, log, io)
	default:
		return fmt.Errorf("unknown subcommand %q\n%s", sub, usage)
	}
}

// wantsHelp reports whether the arguments ask for help (-h, -help, --help),
// before a "--" that ends the flags.
func wantsHelp(args []string) bool {
	for _, a := range args {
		switch a {
		case "--":
			return false
		case "-h", "-help", "--help":
			return true
		}
	}
	return false
}

const usage = `usage: mspbot [run|console|classify|migrate]
  run        start the bot (Slack/Discord when tokens are set, else the console)
  console    --as NAME --role tech|coordinator|manager|client [--client CODE]
  classify   read request texts on stdin, write JSON classifications on stdout
             (--eval [FILE.tsv]: accuracy, ask rate, confusion; --train: refit the model)
  migrate    apply database migrations and exit`
