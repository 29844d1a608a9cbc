package mspbot_test

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

const module = "github.com/mspbot/mspbot"

// guarded are the packages that hold the domain and the features. They reach
// the database, the job queue, the chat platforms and the chart renderer only
// through interfaces and functions handed to them, so they build, test and
// read without any of those: cmd/mspbot wires the real parts in.
var guarded = []string{"./bot", "./commands/...", "./projects", "./timekeeping/..."}

// forbiddenInternal are this module's packages that wrap an outside system.
var forbiddenInternal = []string{
	module + "/storage",     // sqlx, lib/pq, goose
	module + "/jobs",        // River
	module + "/chart",       // drawing
	module + "/bot/slack",   // slack-go
	module + "/bot/discord", // discordgo
	module + "/web",         // HTTP server, Prometheus
	module + "/cmd",         // wiring
}

// forbiddenStd are standard-library packages that mean the same leak: a
// database driver layer or drawing.
var forbiddenStd = []string{"database/sql", "image"}

func under(pkg, root string) bool { return pkg == root || strings.HasPrefix(pkg, root+"/") }

// forbidden says why pkg may not be among a guarded package's dependencies, or "".
func forbidden(pkg string, standard bool) string {
	if standard {
		for _, f := range forbiddenStd {
			if under(pkg, f) {
				return "standard-library " + f + " (database driver layer or drawing)"
			}
		}
		return ""
	}
	if !under(pkg, module) {
		return "a package from outside the module (driver, SDK, River or plotting library)"
	}
	for _, f := range forbiddenInternal {
		if under(pkg, f) {
			return "an adapter package"
		}
	}
	return ""
}

// TestArchitecture fails when a guarded package imports, directly or through
// another package, a driver, a platform SDK, River, a plotting library or one
// of this module's adapter packages. It reads the real import graph with
// go list -deps, so it checks what the compiler links, not what files say.
func TestArchitecture(t *testing.T) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		goBin = filepath.Join(runtime.GOROOT(), "bin", "go")
	}
	args := append([]string{"list", "-deps", "-f", "{{.ImportPath}}|{{.Standard}}|{{.Dir}}|{{join .Imports \",\"}}"}, guarded...)
	cmd := exec.Command(goBin, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.String())
	}
	imports := map[string][]string{}
	var order []string
	std := map[string]bool{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		parts := strings.SplitN(sc.Text(), "|", 4)
		if len(parts) != 4 {
			t.Fatalf("go list line %q", sc.Text())
		}
		pkg := parts[0]
		order = append(order, pkg)
		std[pkg] = parts[1] == "true"
		if parts[3] != "" {
			imports[pkg] = strings.Split(parts[3], ",")
		}
		if under(pkg, module) {
			touchSources(t, parts[2])
		}
	}
	touchSources(t, ".") // go.mod
	roots := guardedRoots(order)
	if len(roots) < len(guarded) {
		t.Fatalf("go list found %d guarded packages for %v; the patterns are stale", len(roots), guarded)
	}
	checked := 0
	for _, pkg := range order {
		checked++
		why := forbidden(pkg, std[pkg])
		if why == "" {
			continue
		}
		// Name only the first forbidden package on each path, not everything behind it.
		path := chain(roots, imports, pkg)
		first := true
		for _, p := range path[:len(path)-1] {
			if forbidden(p, std[p]) != "" {
				first = false
			}
		}
		if first {
			t.Errorf("%s is %s: %s", pkg, why, strings.Join(path, " -> "))
		}
	}
	t.Logf("%d guarded packages, %d dependencies checked", len(roots), checked)
}

// touchSources reads dir's listing and its Go files. go test caches a passing
// result and does not know what go list read; files the test itself opens
// are part of the cache key, so an edit or a new file in any guarded package
// (or any module package they use) runs the test again.
func touchSources(t *testing.T, dir string) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if n := e.Name(); strings.HasSuffix(n, ".go") || n == "go.mod" {
			if _, err := os.ReadFile(filepath.Join(dir, n)); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// guardedRoots are the module's packages the guarded patterns name.
func guardedRoots(pkgs []string) []string {
	var roots []string
	for _, pkg := range pkgs {
		for _, g := range guarded {
			rel := strings.TrimPrefix(g, ".")
			if strings.HasSuffix(rel, "/...") {
				if under(pkg, module+strings.TrimSuffix(rel, "/...")) {
					roots = append(roots, pkg)
					break
				}
			} else if pkg == module+rel {
				roots = append(roots, pkg)
				break
			}
		}
	}
	return roots
}

// chain is the shortest import path from a guarded package to target, so a
// failure names the file's package that brought the import in.
func chain(roots []string, imports map[string][]string, target string) []string {
	prev := map[string]string{}
	queue := append([]string(nil), roots...)
	seen := map[string]bool{}
	for _, r := range roots {
		seen[r] = true
	}
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		if p == target {
			path := []string{p}
			for q, ok := prev[p]; ok; q, ok = prev[q] {
				path = append([]string{q}, path...)
			}
			return path
		}
		for _, q := range imports[p] {
			if !seen[q] {
				seen[q] = true
				prev[q] = p
				queue = append(queue, q)
			}
		}
	}
	return []string{target}
}

// TestForbidden pins the rule the architecture test applies.
func TestForbidden(t *testing.T) {
	for pkg, bad := range map[string]bool{
		"github.com/lib/pq":                     true,
		"github.com/riverqueue/river":           true,
		"gonum.org/v1/plot":                     true,
		"github.com/slack-go/slack":             true,
		module + "/storage":                     true,
		module + "/storage/storagetest":         true,
		module + "/jobs":                        true,
		module + "/chart":                       true,
		module + "/bot/slack":                   true,
		module + "/bot":                         false,
		module + "/timekeeping":                 false,
		module + "/commands/classify":           false,
		module + "/botanic":                     false, // shares a prefix with bot, is another package
		module + "/storagex":                    false,
		"database/sql/driver":                   true,
		"image/png":                             true,
		"strings":                               false,
		"imagery":                               false,
		"github.com/mspbot/mspbot-dev/whatever": true,
	} {
		std := !strings.Contains(strings.SplitN(pkg, "/", 2)[0], ".")
		if got := forbidden(pkg, std) != ""; got != bad {
			t.Errorf("forbidden(%q) = %v, want %v", pkg, got, bad)
		}
	}
}

// TestBotShipsNoDevCode: the bot's binary links no load-test generator and no
// test helper; those are for cmd/mspbot-dev and tests only.
func TestBotShipsNoDevCode(t *testing.T) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		goBin = filepath.Join(runtime.GOROOT(), "bin", "go")
	}
	out, err := exec.Command(goBin, "list", "-deps", "-f", "{{.ImportPath}}|{{.Dir}}", "./cmd/mspbot").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	devOnly := []string{module + "/internal/devdata", module + "/cmd/mspbot-dev"}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		pkg, dir, _ := strings.Cut(line, "|")
		if under(pkg, module) {
			touchSources(t, dir)
		}
		if strings.HasSuffix(pkg, "test") && under(pkg, module) {
			t.Errorf("cmd/mspbot links the test helper %s", pkg)
		}
		for _, d := range devOnly {
			if under(pkg, d) {
				t.Errorf("cmd/mspbot links the dev-only package %s", pkg)
			}
		}
	}
}
