package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/mspbot/mspbot/storage/storagetest"
)

func env(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

// pipe returns a file that reads the given text, as a script piped to the bot.
func pipe(t *testing.T, text string) *os.File {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	go func() { io.WriteString(w, text); w.Close() }()
	t.Cleanup(func() { r.Close() })
	return r
}

func TestClassifySubcommandWritesOneJSONLinePerInput(t *testing.T) {
	t.Parallel()
	in := "Outlook keeps asking for my password\nMove the Denver office to the new building in March, 30 staff\n\n"
	var out bytes.Buffer
	if err := Main(context.Background(), []string{"classify"}, env(nil), Streams{In: pipe(t, in), Out: &out}); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(&out)
	var kinds []string
	for sc.Scan() {
		var r struct {
			Kind       string   `json:"kind"`
			Type       string   `json:"type"`
			Confidence float64  `json:"confidence"`
			Reasons    []string `json:"reasons"`
		}
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("line %q: %v", sc.Text(), err)
		}
		if r.Confidence < 0 || r.Confidence > 1 || r.Reasons == nil || r.Type == "" {
			t.Fatalf("bad result %+v", r)
		}
		kinds = append(kinds, r.Kind)
	}
	if len(kinds) != 3 || kinds[0] != "support" || kinds[1] != "project" {
		t.Fatalf("kinds = %v; want support, project, then the blank line's, in input order", kinds)
	}
}

func TestConsoleScriptAgainstPostgres(t *testing.T) {
	t.Parallel()
	dsn := storagetest.NewDatabase(t)
	vars := map[string]string{"DATABASE_URL": dsn, "MSPBOT_LOG_LEVEL": "error"}
	script := "# a comment\n/request Outlook keeps asking for my password\n/request Deploy Intune to all 120 laptops\n/requests\n/frobnicate\n"
	var out bytes.Buffer
	err := Main(context.Background(), []string{"console", "--as", "dana", "--role", "coordinator"}, env(vars), Streams{In: pipe(t, script), Out: &out})
	if err != nil {
		t.Fatal(err)
	}
	got := out.String()
	for _, want := range []string{"Opened #1001 — support", "Opened #1002 — project", "2 open requests", "not a command"} {
		if !strings.Contains(got, want) {
			t.Errorf("console output lacks %q:\n%s", want, got)
		}
	}
	// A second run sees what the first stored: nothing is lost between runs.
	out.Reset()
	if err := Main(context.Background(), []string{"console", "--as", "tom", "--role", "tech"}, env(vars), Streams{In: pipe(t, "/request show 1002\n"), Out: &out}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "Intune") {
		t.Fatalf("second run:\n%s", out.String())
	}
	if err := Main(context.Background(), []string{"console", "--role", "wizard"}, env(vars), Streams{In: pipe(t, ""), Out: &out}); err == nil || !strings.Contains(err.Error(), "not a role") {
		t.Fatalf("bad role: %v", err)
	}
}

func TestRunServesHealthReadyMetrics(t *testing.T) {
	t.Parallel()
	// Migrated already: a first start on an empty database is
	// TestConsoleScriptAgainstPostgres's (migrating costs a CPU-second).
	dsn := storagetest.NewMigratedDatabase(t)
	vars := map[string]string{"DATABASE_URL": dsn, "MSPBOT_LOG_LEVEL": "error", "MSPBOT_HTTP_ADDR": "127.0.0.1:0"}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// The console reads from a pipe we keep open until the checks are done.
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	// Port 0: the OS picks a free port, so overlapping runs never collide.
	bound := make(chan string, 1)
	var out bytes.Buffer
	go func() {
		done <- Main(ctx, []string{"run"}, env(vars), Streams{In: r, Out: &out, Listening: func(a string) { bound <- a }})
	}()
	var base string
	select {
	case a := <-bound:
		base = "http://" + a
	case err := <-done:
		t.Fatalf("run stopped before listening: %v", err)
	case <-time.After(30 * time.Second):
		t.Fatal("run never reported its address")
	}
	waitFor(t, base+"/healthz")
	io.WriteString(w, "/request Printer on 2nd floor is jammed\n")
	for _, path := range []string{"/healthz", "/readyz"} {
		resp, err := http.Get(base + path)
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("GET %s: %v %v", path, resp, err)
		}
		resp.Body.Close()
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		resp, err := http.Get(base + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if strings.Contains(string(body), `mspbot_commands_total{command="request"} 1`) &&
			strings.Contains(string(body), "mspbot_command_duration_seconds_bucket") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("metrics never counted the command:\n%.2000s", body)
		}
		time.Sleep(50 * time.Millisecond)
	}
	w.Close() // end of input ends the console, and with it the bot
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("run did not stop at end of input")
	}
}

func waitFor(t *testing.T, url string) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		if resp, err := http.Get(url); err == nil {
			resp.Body.Close()
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("%s never answered", url)
}

func TestConfigRefusesBadTimezone(t *testing.T) {
	t.Parallel()
	if _, err := ParseConfig(env(map[string]string{"MSPBOT_TZ": "Mars/Olympus"})); err == nil || !strings.Contains(err.Error(), "IANA") {
		t.Fatalf("bad tz: %v", err)
	}
	c, err := ParseConfig(env(map[string]string{"MSPBOT_ADMINS": " dana, U123 ,"}))
	if err != nil || len(c.Admins) != 2 || c.HTTPAddr != "127.0.0.1:8080" || c.HasPlatform() {
		t.Fatalf("config %+v %v", c, err)
	}
}

func TestClassifyEvalPrintsAccuracyConfusionAndMisses(t *testing.T) {
	t.Parallel()
	file := t.TempDir() + "/small.tsv"
	tsv := "# label<TAB>text\nsupport\tOutlook keeps asking for my password\nproject\tMigrate our file server to SharePoint Online\n" +
		"project\tPrinter on 2nd floor is jammed\n"
	if err := os.WriteFile(file, []byte(tsv), 0o644); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := Main(context.Background(), []string{"classify", "--eval", file}, env(nil), Streams{In: pipe(t, ""), Out: &out}); err != nil {
		t.Fatal(err)
	}
	got := out.String()
	for _, want := range []string{"accuracy: 66.7% (2/3)", "want project", "want support", "Printer on 2nd floor is jammed"} {
		if !strings.Contains(got, want) {
			t.Errorf("eval output lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "SharePoint") {
		t.Errorf("a correct line is listed as a miss:\n%s", got)
	}
	os.WriteFile(file, []byte("support\tfine\nbogus line without a tab\n"), 0o644)
	err := Main(context.Background(), []string{"classify", "--eval", file}, env(nil), Streams{In: pipe(t, ""), Out: &out})
	if err == nil || !strings.Contains(err.Error(), "line 2") {
		t.Fatalf("malformed eval file: %v; want an error naming line 2", err)
	}
}

// Help answers without configuration, database or port: the environment below
// would fail if anything were opened (an unreachable database, a taken address).
func TestHelpPrintsUsageAndStartsNothing(t *testing.T) {
	t.Parallel()
	vars := map[string]string{"DATABASE_URL": "postgres://nobody@127.0.0.1:1/none?connect_timeout=1", "MSPBOT_HTTP_ADDR": "256.0.0.1:99999"}
	for _, args := range [][]string{{"--help"}, {"-h"}, {"help"}, {"console", "--help"}, {"run", "-help"}} {
		var out bytes.Buffer
		if err := Main(context.Background(), args, env(vars), Streams{In: pipe(t, ""), Out: &out}); err != nil {
			t.Fatalf("mspbot %v: %v", args, err)
		}
		if !strings.Contains(out.String(), "usage: mspbot") {
			t.Errorf("mspbot %v printed %q", args, out.String())
		}
	}
}

// A client console user names an existing client; a mistyped code is refused
// and no client is created.
func TestConsoleClientMustExist(t *testing.T) {
	t.Parallel()
	dsn := storagetest.NewMigratedDatabase(t)
	vars := map[string]string{"DATABASE_URL": dsn, "MSPBOT_LOG_LEVEL": "error"}
	var out bytes.Buffer
	err := Main(context.Background(), []string{"console", "--as", "wile", "--role", "client", "--client", "NOPE"}, env(vars), Streams{In: pipe(t, "/requests\n"), Out: &out})
	if err == nil || !strings.Contains(err.Error(), `there is no client "NOPE"`) {
		t.Fatalf("console --client NOPE: err %v, output %q", err, out.String())
	}
	out.Reset()
	if err := Main(context.Background(), []string{"console", "--as", "dana", "--role", "manager"}, env(vars), Streams{In: pipe(t, "/client\n"), Out: &out}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out.String(), "NOPE") {
		t.Fatalf("client NOPE was created:\n%s", out.String())
	}
}
