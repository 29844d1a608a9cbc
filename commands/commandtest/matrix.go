package commandtest

import (
	"sort"
	"strings"

	"github.com/mspbot/mspbot/bot"
)

// The role matrix: every entry of every command's table (its own action and
// each subcommand), typed by every kind of person, must be let through the
// Router's gate exactly when the table says, and store nothing when refused.
// It is generated from the commands the Router serves, so a new command or
// subcommand is covered without touching the tests.

// Who is one kind of person in the matrix. Role is "" for people the bot must
// not know: an Outsider (from an organisation that is not a client's) and an
// Unverified member (of the platform workspace, given no role).
type Who struct {
	Name   string
	Role   bot.Role
	Client string
	Kind   string // "staff", "client", "outsider", "unverified"
}

// Matrix are the people the role matrix types as.
var Matrix = []Who{
	{"wile", bot.RoleClient, "ACME", "client"},
	{"hank", bot.RoleClient, "GLOBEX", "client"},
	{"tom", bot.RoleTech, "", "staff"},
	{"cora", bot.RoleCoordinator, "", "staff"},
	{"dana", bot.RoleManager, "", "staff"},
	{"eve", "", "", "outsider"},
	{"uma", "", "", "unverified"},
}

// MatrixSetup is typed by dana (a manager) before the matrix: ACME's request
// #1001, GLOBEX's #1002, ACME's project P1 and dana's time entry are the
// records entries act on.
var MatrixSetup = []string{
	`/client add ACME "Acme Corp"`,
	`/client add GLOBEX "Globex"`,
	`/request --client ACME Printer on the 2nd floor is jammed`,
	`/request --client GLOBEX VPN is down for remote users`,
	`/project new ACME "Office move" --start 2030-01-07 --end 2030-03-29 --budget 10h`,
	`/time 30m 1001 matrix setup`, // dana's time entry, DanasEntry
}

// DanasEntry is the id of the time entry dana logs in the setup (the first
// in a new database): entries owned by someone are acted on through it.
const DanasEntry = "1"

// Case is one entry typed by one person.
type Case struct {
	Who   Who
	Entry string // "/project close", or "/time" for a command's own action
	Line  string
	// Allowed: the gate must let it through (the handler may still refuse the
	// words); otherwise it must refuse and store nothing.
	Allowed bool
}

// Cases generates the matrix from the commands.
func Cases(cmds []bot.Command) []Case {
	var out []Case
	sorted := append([]bot.Command(nil), cmds...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].Name < sorted[j].Name })
	for _, c := range sorted {
		for _, e := range c.Entries() {
			line, entry := "/"+c.Name, "/"+c.Name
			if e.Name != "" {
				line += " " + e.Name
				entry += " " + e.Name
			}
			switch e.Target {
			case bot.RefRequest:
				line += " 1001" // ACME's request
			case bot.RefProject:
				line += " P1" // ACME's project
			}
			base := line
			for _, a := range e.Args {
				// Required words the entry is chosen by ("/mspbot client link ACME").
				switch {
				case a.Flag || !a.Required:
				case a.Kind == bot.ArgChoice && len(a.Choices) > 0:
					line += " " + a.Choices[0]
				case a.Kind == bot.ArgClient:
					line += " ACME"
				}
			}
			if e.Name == "" && e.Target == bot.RefNone {
				line += " matrix check" // reaches the command's own action, matching no subcommand
			}
			for _, w := range Matrix {
				out = append(out, Case{Who: w, Entry: entry, Line: strings.TrimSpace(line), Allowed: allowed(w, c, e, line)})
			}
			// Each value of a choice the table gives roles to, typed in its
			// place (the arguments before it are the target's).
			for _, a := range e.Args {
				if a.ChoiceRoles == nil {
					continue
				}
				values := make([]string, 0, len(a.ChoiceRoles))
				for v := range a.ChoiceRoles {
					values = append(values, v)
				}
				sort.Strings(values)
				for _, v := range values {
					l := strings.TrimSpace(base + " " + v)
					for _, w := range Matrix {
						out = append(out, Case{Who: w, Entry: entry, Line: l, Allowed: allowed(w, c, e, l)})
					}
				}
			}
			// Acting for someone else: dana (a manager, in the workspace from
			// the setup) is the other person for everyone but herself.
			if e.OthersMinRole != "" {
				l := strings.TrimSpace(base + " @dana")
				if e.OwnedBy == bot.OwnedTimeEntry {
					l = strings.TrimSpace(base + " " + DanasEntry)
				}
				for _, w := range Matrix {
					ok := allowed(w, c, e, l) && (w.Name == "dana" || w.Role.AtLeast(e.OthersMinRole))
					out = append(out, Case{Who: w, Entry: entry, Line: l, Allowed: ok})
				}
			}
		}
	}
	return out
}

// choiceAllowed applies the entry's per-choice roles to the words of line
// after the command (and subcommand) words, as the Router reads them.
func choiceAllowed(w Who, c bot.Command, e bot.Subcommand, line string) bool {
	words := strings.Fields(line)[1:]
	if e.Name != "" && len(words) > 0 {
		words = words[1:]
	}
	pos := 0
	for _, a := range e.Args {
		if a.Flag {
			continue
		}
		if a.ChoiceRoles != nil {
			v := ""
			if pos < len(words) {
				v = words[pos]
			}
			if !a.ChoiceAllows(w.Role, v) {
				return false
			}
		}
		pos++
	}
	return true
}

// allowed is what the table says: a known person whose role reaches both the
// command's and the entry's minimum and may type the choices in line, and, for a client, only their own
// client's records (the fixture's records are ACME's).
func allowed(w Who, c bot.Command, e bot.Subcommand, line string) bool {
	if w.Role == "" || !w.Role.AtLeast(c.MinRole) || !w.Role.AtLeast(e.MinRole) {
		return false
	}
	if !choiceAllowed(w, c, e, line) {
		return false
	}
	if w.Role == bot.RoleClient && e.Target != bot.RefNone && w.Client != "ACME" {
		return false
	}
	return true
}

// Gate records the Router's decisions (bot.Router.OnDecision) so a matrix
// test can tell the gate's refusal from a handler's.
type Gate struct {
	Entry   string
	Refusal error
	Seen    int
}

// Record is the bot.Decision to install.
func (g *Gate) Record(ev bot.Event, entry string, refusal error) {
	g.Entry, g.Refusal = entry, refusal
	g.Seen++
}

// Problem checks one case against what the gate decided and the rows stored;
// it returns "" when the case holds.
func (g *Gate) Problem(c Case, rowsBefore, rowsAfter int64) string {
	switch {
	case g.Seen == 0:
		return "never reached the Router"
	case g.Entry != c.Entry:
		return "the Router saw " + g.Entry + ", not " + c.Entry
	case c.Allowed && g.Refusal != nil:
		return "refused: " + g.Refusal.Error()
	case !c.Allowed && g.Refusal == nil:
		return "let through"
	case !c.Allowed && rowsAfter != rowsBefore:
		return "refused, but stored rows"
	}
	return ""
}

// IsolationSetup is typed by dana before the isolation test; then GLOBEX's
// hank opens #1003. Everything of GLOBEX's carries GLOBEXMARK.
var IsolationSetup = []string{
	"/request --client ACME Printer ACMEMARK is jammed",                                          // #1001
	"/request --client GLOBEX VPN GLOBEXMARK is down",                                            // #1002
	`/project new ACME "ACMEMARK move" --start 2030-01-07 --end 2030-03-29 --budget 10h`,         // P1
	`/project new GLOBEX "GLOBEXMARK firewall" --start 2030-01-07 --end 2030-03-29 --budget 10h`, // P2
	`/lessons add P2 "GLOBEXMARK went well" "GLOBEXMARK do differently"`,
	"/request take 1002",
}

// IsolationByHank is what GLOBEX's own user types before the test: #1003.
const IsolationByHank = "/request GLOBEXMARK the printer in Springfield too"

// IsolationLines are what ACME's user (wile) types: autocomplete, lists, and
// every entry a client may run (generated), aimed at ACME's records and at
// GLOBEX's.
func IsolationLines(cmds []bot.Command) []string {
	lines := []string{"/suggest number", "/suggest number 100", "/suggest client", "/suggest client G", "/requests", "/project", "/help"}
	for _, c := range Cases(cmds) {
		if c.Who.Name != "wile" || !c.Allowed {
			continue
		}
		other := strings.NewReplacer(" 1001", " 1002", " P1", " P2").Replace(c.Line)
		lines = append(lines, c.Line, other, strings.Replace(other, "1002", "1003", 1), strings.Replace(c.Line, "matrix check", "GLOBEX", 1))
	}
	return lines
}

// Leak returns what of GLOBEX's a reply to line shows ("" for nothing). A
// refusal may repeat what was typed, so the typed words are not counted.
func Leak(line, reply string) string {
	if _, args, err := bot.ParseLine(line); err == nil && args != "" {
		reply = strings.ReplaceAll(reply, args, "")
	}
	for _, mark := range []string{"GLOBEX", "Springfield"} {
		if strings.Contains(reply, mark) {
			return mark
		}
	}
	return ""
}

// MatrixShards is how many parts a role matrix runs in, side by side, each on
// a database and a bot of its own (the cases mostly wait on Postgres).
const MatrixShards = 4

// Shard returns part i of n of cases. Parts are cut between commands, so each
// part runs every case of its commands in the order the whole list has them,
// after MatrixSetup, as the whole list did; together the parts are the list.
func Shard(cases []Case, i, n int) []Case {
	var starts []int // where each command's cases begin
	for k, c := range cases {
		if k == 0 || command(c.Entry) != command(cases[k-1].Entry) {
			starts = append(starts, k)
		}
	}
	from, to := -1, len(cases)
	for _, s := range starts {
		part := s * n / max(len(cases), 1) // the part the command starting at s falls in
		if part == i && from < 0 {
			from = s
		}
		if part > i {
			to = s
			break
		}
	}
	if from < 0 {
		return nil
	}
	return cases[from:to]
}

func command(entry string) string {
	name, _, _ := strings.Cut(entry, " ")
	return name
}
