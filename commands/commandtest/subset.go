package commandtest

import "github.com/mspbot/mspbot/bot"

// The adapters' matrix. The console runs the whole cross product and so
// proves the Router's gate for every person on every line. An adapter adds
// two things that can go wrong: who a platform user turns out to be (person,
// role, client) and how each line reaches the Router through the platform's
// syntax. Both are caught without typing every line as every person: each
// line still goes through the adapter (routing), typed by the people on
// either side of its boundary (the most privileged one refused, the least
// privileged one allowed) and by one more in rotation, so that every person
// is typed, allowed and refused, on many lines (identity). An adapter that
// resolves someone one rank too high or too low, or to the wrong client,
// crosses a boundary the subset types at.

// rank orders people by what they may do: nobody known, the client whose
// records the matrix acts on not, the one whose records they are, then
// staff by role.
func rank(w Who) int {
	switch {
	case w.Role == "":
		return 0
	case w.Role == bot.RoleClient && w.Client != "ACME":
		return 1
	case w.Role == bot.RoleClient:
		return 2
	case w.Role == bot.RoleTech:
		return 3
	case w.Role == bot.RoleCoordinator:
		return 4
	}
	return 5
}

// AdapterCases is the part of Cases(cmds) an adapter's matrix types: for
// every line of the full matrix, its most privileged refused person, its
// least privileged allowed person and one more person in rotation (ties
// between people of one rank rotate too). The order is Cases', so Shard
// cuts it the same way.
func AdapterCases(cmds []bot.Command) []Case {
	all := Cases(cmds)
	var out []Case
	line := 0
	for from := 0; from < len(all); line++ {
		to := from + 1
		for to < len(all) && all[to].Entry == all[from].Entry && all[to].Line == all[from].Line {
			to++
		}
		group := all[from:to]
		pick := map[int]bool{}
		refused, allowed := -1, -1
		// Start at a rotating index so that among equals a different one
		// is the boundary on successive lines.
		for k := range group {
			i := (k + line) % len(group)
			r := rank(group[i].Who)
			if group[i].Allowed && (allowed < 0 || r < rank(group[allowed].Who)) {
				allowed = i
			}
			if !group[i].Allowed && (refused < 0 || r > rank(group[refused].Who)) {
				refused = i
			}
		}
		if refused >= 0 {
			pick[refused] = true
		}
		if allowed >= 0 {
			pick[allowed] = true
		}
		// The one in rotation is someone the boundary did not pick, so each
		// person is typed on about one line in len(Matrix) besides.
		for k := range group {
			if i := (k + line) % len(group); !pick[i] {
				pick[i] = true
				break
			}
		}
		for i, c := range group {
			if pick[i] {
				out = append(out, c)
			}
		}
		from = to
	}
	return out
}

// AdapterShards is how many parts an adapter's matrix runs in. Each part
// pays for a database, a bot and the setup; with the subset's few hundred
// cases, two parts overlap the round trips enough (four cost ~15% more
// statements for the same cases).
const AdapterShards = 2
