// Package localpg finds a PostgreSQL to use when DATABASE_URL is not set: first
// the local server on 127.0.0.1:5432 (user postgres), then a private cluster this
// package starts from the installed PostgreSQL binaries. When neither is
// possible it says exactly what to install or set.
package localpg

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/lib/pq"
)

// DefaultServer is the local server tried first.
const DefaultServer = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"

// PrivatePort is where a private cluster listens, away from a system server's port.
const PrivatePort = 54329

// Database is the database name the bot uses on a local server.
const Database = "mspbot"

// Resolve returns the database URL to use. An explicit URL is returned as it is.
// Otherwise it tries the local server, then a private cluster under dataDir, and
// creates the mspbot database on whichever answers.
func Resolve(ctx context.Context, explicit, dataDir string, log *slog.Logger) (string, error) {
	if explicit != "" {
		return explicit, nil
	}
	if err := ping(ctx, DefaultServer); err == nil {
		return ensureDatabase(ctx, DefaultServer)
	}
	private := fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", PrivatePort)
	if err := ping(ctx, private); err == nil {
		return ensureDatabase(ctx, private)
	}
	bindir, err := FindBinaries()
	if err != nil {
		return "", err
	}
	log.Info("no PostgreSQL answers on 127.0.0.1:5432; starting a private cluster", "bindir", bindir, "datadir", dataDir)
	if err := StartCluster(ctx, bindir, dataDir, PrivatePort); err != nil {
		return "", err
	}
	return ensureDatabase(ctx, private)
}

// DefaultDataDir is where a private cluster lives: under the user's data home,
// or under /var/lib when running as root (the postgres user cannot enter /root).
func DefaultDataDir() string {
	if os.Geteuid() == 0 {
		return "/var/lib/mspbot/postgres"
	}
	if d := os.Getenv("XDG_DATA_HOME"); d != "" {
		return filepath.Join(d, "mspbot", "postgres")
	}
	home, _ := os.UserHomeDir()
	return filepath.Join(home, ".local", "share", "mspbot", "postgres")
}

func ping(ctx context.Context, dsn string) error {
	db, err := sql.Open("postgres", dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	return db.PingContext(ctx)
}

func ensureDatabase(ctx context.Context, adminDSN string) (string, error) {
	db, err := sql.Open("postgres", adminDSN)
	if err != nil {
		return "", err
	}
	defer db.Close()
	_, err = db.ExecContext(ctx, `CREATE DATABASE `+Database)
	var pqErr *pq.Error
	if err != nil && !(errors.As(err, &pqErr) && pqErr.Code == "42P04") { // 42P04: already exists
		return "", fmt.Errorf("create database %s: %w", Database, err)
	}
	u, err := url.Parse(adminDSN)
	if err != nil {
		return "", err
	}
	u.Path = "/" + Database
	return u.String(), nil
}

// FindBinaries locates initdb and pg_ctl: pg_config's bindir, else the newest
// /usr/lib/postgresql/*/bin.
func FindBinaries() (string, error) {
	if out, err := exec.Command("pg_config", "--bindir").Output(); err == nil {
		dir := strings.TrimSpace(string(out))
		if exists(filepath.Join(dir, "initdb")) {
			return dir, nil
		}
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return versionOf(dirs[i]) > versionOf(dirs[j]) })
	for _, d := range dirs {
		if exists(filepath.Join(d, "initdb")) {
			return d, nil
		}
	}
	return "", errors.New("no PostgreSQL found: nothing answers on 127.0.0.1:5432 and no initdb is installed. " +
		"Install PostgreSQL (Debian/Ubuntu: apt-get install postgresql) or set DATABASE_URL=postgres://USER@HOST:5432/DB")
}

func versionOf(dir string) int {
	v, _ := strconv.Atoi(filepath.Base(filepath.Dir(dir)))
	return v
}

func exists(p string) bool { _, err := os.Stat(p); return err == nil }

// StartCluster initialises dataDir (once) and starts a server on 127.0.0.1:port
// with trust auth for user postgres. initdb refuses to run as root, so as root
// the cluster is owned by and run as the postgres system user.
func StartCluster(ctx context.Context, bindir, dataDir string, port int) error {
	var cred *syscall.Credential
	var uid, gid = -1, -1
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			return errors.New("running as root, and initdb refuses root: create a 'postgres' user or set DATABASE_URL")
		}
		uid, _ = strconv.Atoi(u.Uid)
		gid, _ = strconv.Atoi(u.Gid)
		cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
	}
	sockDir := filepath.Join(dataDir, "socket")
	pgdata := filepath.Join(dataDir, "data")
	if err := os.MkdirAll(sockDir, 0o700); err != nil {
		return fmt.Errorf("private cluster: %w", err)
	}
	if uid >= 0 {
		for _, d := range []string{dataDir, sockDir} {
			if err := os.Chown(d, uid, gid); err != nil {
				return fmt.Errorf("private cluster: chown %s: %w", d, err)
			}
		}
	}
	run := func(name string, args ...string) error {
		cmd := exec.CommandContext(ctx, filepath.Join(bindir, name), args...)
		cmd.Dir = dataDir
		if cred != nil {
			cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
		}
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("%s: %w: %s", name, err, strings.TrimSpace(string(out)))
		}
		return nil
	}
	if !exists(filepath.Join(pgdata, "PG_VERSION")) {
		if err := run("initdb", "-D", pgdata, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-instructions"); err != nil {
			return fmt.Errorf("private cluster: %w", err)
		}
	}
	opts := fmt.Sprintf("-c listen_addresses=127.0.0.1 -p %d -k %s", port, sockDir)
	if err := run("pg_ctl", "-D", pgdata, "-o", opts, "-l", filepath.Join(dataDir, "postgres.log"), "-w", "-t", "60", "start"); err != nil {
		return fmt.Errorf("private cluster: %w", err)
	}
	return nil
}

// StopCluster stops a cluster StartCluster started.
func StopCluster(ctx context.Context, bindir, dataDir string) error {
	cmd := exec.CommandContext(ctx, filepath.Join(bindir, "pg_ctl"), "-D", filepath.Join(dataDir, "data"), "-m", "fast", "-w", "stop")
	cmd.Dir = dataDir
	if os.Geteuid() == 0 {
		if u, err := user.Lookup("postgres"); err == nil {
			uid, _ := strconv.Atoi(u.Uid)
			gid, _ := strconv.Atoi(u.Gid)
			cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}}
		}
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("pg_ctl stop: %w: %s", err, out)
	}
	return nil
}
