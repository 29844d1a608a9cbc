package commands_test

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mspbot/mspbot/bot"
	"github.com/mspbot/mspbot/bot/console"
)

// TestLedgerProperties drives random sequences of /time, /timer, /time edit,
// /time delete and project closeout commands, as several people, against a real
// Postgres, and after every step checks what an invoice relies on:
//   - no entry is an orphan: its request or project exists in the same
//     workspace, and billable time names one of them;
//   - nobody has more than 24h logged on one day;
//   - a project's time does not change once "all time entered" is ticked or it
//     is closed;
//   - a refused command stores nothing.
//
// The seeds are fixed so a failure replays; the failing seed and step are printed.
func TestLedgerProperties(t *testing.T) {
	steps := 250
	if testing.Short() {
		steps = 60
	}
	for _, seed := range []uint64{1, 2, 3} {
		// Each seed has its own database: run them side by side, so the
		// round trips to Postgres overlap instead of adding up.
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) { t.Parallel(); ledgerRun(t, seed, steps) })
	}
}

type ledgerWorld struct {
	t      *testing.T
	h      *harness
	clock  *bot.FakeClock
	rng    *rand.Rand
	people map[string]*console.Console
	frozen map[int]string // project number → its entries when its time closed
	log    []string
	ran    bool      // next typed commands of its own
	checkQ *sql.Stmt // every property in one statement (see check)
}

func ledgerRun(t *testing.T, seed uint64, steps int) {
	h, clock, _ := newProjectHarness(t, time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC))
	w := &ledgerWorld{t: t, h: h, clock: clock, rng: rand.New(rand.NewPCG(seed, 13)), frozen: map[int]string{},
		people: map[string]*console.Console{
			"cora": h.as("cora", bot.RoleCoordinator, ""),
			"tom":  h.as("tom", bot.RoleTech, ""),
			"amy":  h.as("amy", bot.RoleTech, ""),
			"dana": h.as("dana", bot.RoleManager, ""),
		}}
	for _, line := range []string{"/request Replace the core switch", "/request Printer jammed", "/request New starter laptop"} {
		run(w.people["tom"], line) // #1001-#1003
	}
	for i := 1; i <= 3; i++ {
		expect(t, w.people["cora"], fmt.Sprintf(`/project new ACME "Project %d" --start 2026-11-01 --end 2027-03-31 --budget 200h --lead @amy`, i),
			fmt.Sprintf("Opened P%d", i))
	}
	w.prepare()
	logged, before := 0, w.count()
	for step := 0; step < steps; step++ {
		w.ran = false
		who, line := w.next()
		if w.ran { // next typed commands of its own: count again
			before = w.count()
		}
		out := run(w.people[who], line)
		w.log = append(w.log, fmt.Sprintf("%3d %s %s\n      → %s", step, who, line, strings.ReplaceAll(out, "\n", " | ")))
		if len(w.log) > 12 {
			w.log = w.log[1:]
		}
		stored := strings.Contains(out, "Logged ") || strings.Contains(out, "Timer stopped: logged")
		after := w.check(seed)
		if !stored && after > before {
			w.fail(seed, "%q stored an entry but did not say so", line)
		}
		before = after
		if strings.Contains(out, "Logged ") || strings.Contains(out, "Timer stopped: logged") {
			logged++
		}
		if strings.Contains(line, "tick") && strings.Contains(line, " time") && strings.Contains(out, "ticked") {
			n := 0
			fmt.Sscanf(line, "/project tick P%d", &n)
			w.frozen[n] = w.projectEntries(n)
		}
	}
	// A run that logged nothing or froze nothing would prove little.
	t.Logf("seed %d: %d steps, %d entries logged, %d stored now, %d projects with closed time", seed, steps, logged, w.count(), len(w.frozen))
	if logged < steps/10 || len(w.frozen) == 0 {
		t.Errorf("seed %d exercised too little: %d logged, %d frozen", seed, logged, len(w.frozen))
	}
}

// next picks a random command.
func (w *ledgerWorld) next() (who, line string) {
	r := w.rng
	pick := func(xs ...string) string { return xs[r.IntN(len(xs))] }
	who = pick("tom", "amy", "cora")
	refs := []string{"1001", "#1002", "1003", "P1", "#P2", "p3", "9999", "P99", "", "#1001"}
	durations := []string{"15m", "1h 30m", "0:45", "2h", "8h", "1.5h", "20h", "45", "24h", "5h", "1 hour 15 minutes"}
	switch n := r.IntN(100); {
	case n < 40:
		date := pick("", "", "", "--date yesterday", "--date mon", "--date today", "--date 2026-11-20")
		bill := pick("", "", "", "--non-billable")
		return who, strings.Join(strings.Fields(fmt.Sprintf("/time %s %s %s note %s", pick(durations...), pick(refs...), date, bill)), " ")
	case n < 50:
		return who, strings.TrimSpace("/timer start " + pick(refs...) + " " + pick("", "--non-billable"))
	case n < 60:
		return who, "/timer stop"
	case n < 68:
		w.clock.Advance(time.Duration(5+r.IntN(600)) * time.Minute)
		return who, "/time today"
	case n < 80:
		if r.IntN(4) == 0 {
			who = "dana"
		}
		return who, strings.Join(strings.Fields(fmt.Sprintf("/time edit %d %s %s", w.anyEntry(), pick(append(durations, "", "")...), pick(refs...))), " ")
	case n < 88:
		return who, fmt.Sprintf("/time delete %d", w.anyEntry())
	case n < 93:
		return "cora", fmt.Sprintf("/project close P%d", 1+r.IntN(3))
	case n < 97:
		return "cora", fmt.Sprintf("/project tick P%d time", 1+r.IntN(3))
	default:
		p := 1 + r.IntN(3)
		w.ran = true
		for _, line := range []string{"waive P%d docs \"n/a\"", "waive P%d signoff \"n/a\"", "waive P%d acceptance \"n/a\"", "waive P%d oos \"none\"", "rate P%d 4 \"fine\""} {
			run(w.people["cora"], "/project "+fmt.Sprintf(line, p))
		}
		return "cora", fmt.Sprintf("/project close P%d", p)
	}
}

// anyEntry is a stored entry's id (or one that does not exist).
func (w *ledgerWorld) anyEntry() int64 {
	ids := column[int64](w.t, w.h, `SELECT id FROM time_entries ORDER BY id`)
	if len(ids) == 0 || w.rng.IntN(10) == 0 {
		return 424242
	}
	return ids[w.rng.IntN(len(ids))]
}

func (w *ledgerWorld) count() int {
	var n int
	if err := w.h.store.DB().QueryRow(`SELECT count(*) FROM time_entries`).Scan(&n); err != nil {
		w.t.Fatal(err)
	}
	return n
}

// entriesOf is a project's entries as one string (id:minutes:date:note, by
// id): what must not change once its time is closed.
const entriesOf = `coalesce(string_agg(t.id || ':' || t.minutes || ':' || t.entry_date || ':' || t.note, ',' ORDER BY t.id), '')`

func (w *ledgerWorld) projectEntries(number int) string {
	var s string
	if err := w.h.store.DB().QueryRow(`SELECT `+entriesOf+`
		FROM time_entries t JOIN projects p ON p.id = t.project_id WHERE p.number = $1`, number).Scan(&s); err != nil {
		w.t.Fatal(err)
	}
	return s
}

// prepare plans the check once: it runs after every step, and one statement
// instead of one per property (and per closed project) is most of what the
// test costs Postgres.
func (w *ledgerWorld) prepare() {
	stmt, err := w.h.store.DB().Prepare(`SELECT
		(SELECT count(*) FROM time_entries),
		(SELECT to_json(coalesce(array_agg(t.id ORDER BY t.id), '{}')) FROM time_entries t
		WHERE (t.request_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM requests r WHERE r.id = t.request_id AND r.workspace_id = t.workspace_id))
		   OR (t.project_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM projects p WHERE p.id = t.project_id AND p.workspace_id = t.workspace_id))
		   OR (t.billable AND t.request_id IS NULL AND t.project_id IS NULL)
		   OR (t.request_id IS NOT NULL AND t.project_id IS NOT NULL)),
		(SELECT to_json(coalesce(array_agg(d), '{}')) FROM (SELECT p.name || ' ' || t.entry_date || ' ' || sum(t.minutes) AS d
		FROM time_entries t JOIN people p ON p.id = t.person_id
		GROUP BY p.name, t.entry_date HAVING sum(t.minutes) > 1440) over),
		(SELECT to_json(coalesce(array_agg(e ORDER BY n), '{}')) FROM (SELECT n, (SELECT ` + entriesOf + `
		FROM time_entries t JOIN projects p ON p.id = t.project_id WHERE p.number = n) AS e FROM unnest($1::int[]) AS n) frozen)`)
	if err != nil {
		w.t.Fatal(err)
	}
	w.t.Cleanup(func() { stmt.Close() })
	w.checkQ = stmt
}

// check verifies every property at once and returns how many entries are
// stored.
func (w *ledgerWorld) check(seed uint64) int {
	numbers := make([]int64, 0, len(w.frozen))
	for n := range w.frozen {
		numbers = append(numbers, int64(n))
	}
	slices.Sort(numbers)
	// Arrays cross as JSON text, so this package needs no driver types.
	list, err := json.Marshal(numbers)
	if err != nil {
		w.t.Fatal(err)
	}
	var (
		count                int
		orphanJ, daysJ, nowJ []byte
		orphan               []int64
		days, now            []string
	)
	if err := w.checkQ.QueryRow("{"+strings.Trim(string(list), "[]")+"}").Scan(&count, &orphanJ, &daysJ, &nowJ); err != nil {
		w.t.Fatal(err)
	}
	for _, d := range []struct {
		raw []byte
		to  any
	}{{orphanJ, &orphan}, {daysJ, &days}, {nowJ, &now}} {
		if err := json.Unmarshal(d.raw, d.to); err != nil {
			w.t.Fatal(err)
		}
	}
	if len(orphan) > 0 {
		w.fail(seed, "orphan entries %v", orphan)
	}
	if len(days) > 0 {
		w.fail(seed, "days over 24h: %v", days)
	}
	if len(now) != len(numbers) {
		w.t.Fatalf("check returned %d closed projects for %d", len(now), len(numbers))
	}
	for i, n := range numbers {
		if was := w.frozen[int(n)]; now[i] != was {
			w.fail(seed, "P%d's time changed after it closed:\nwas %s\nnow %s", n, was, now[i])
		}
	}
	return count
}

func (w *ledgerWorld) fail(seed uint64, format string, args ...any) {
	w.t.Helper()
	w.t.Fatalf("seed %d: %s\nlast steps:\n%s", seed, fmt.Sprintf(format, args...), strings.Join(w.log, "\n"))
}

// column reads a one-column query.
func column[T any](t *testing.T, h *harness, query string) []T {
	t.Helper()
	rows, err := h.store.DB().Query(query)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		var v T
		if err := rows.Scan(&v); err != nil {
			t.Fatal(err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}
