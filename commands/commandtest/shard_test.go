package commandtest

import (
	"context"
	"testing"

	"github.com/mspbot/mspbot/bot"
)

// The parts of a matrix are the whole list, in order, each command in one part.
func TestShardsCoverTheCasesOnce(t *testing.T) {
	var cmds []bot.Command
	handler := func(context.Context, bot.Event) ([]bot.Message, error) { return nil, nil }
	for _, name := range []string{"alpha", "beta", "gamma", "delta", "eps", "zeta", "eta"} {
		cmds = append(cmds, bot.Command{Name: name, MinRole: bot.RoleTech, Handler: handler,
			Subs: []bot.Subcommand{{Name: "one", Handler: handler}, {Name: "two", MinRole: bot.RoleManager, Handler: handler}}})
	}
	cases := Cases(cmds)
	var joined []Case
	owner := map[string]int{}
	for i := 0; i < MatrixShards; i++ {
		part := Shard(cases, i, MatrixShards)
		if len(part) == 0 {
			t.Errorf("part %d is empty", i)
		}
		for _, c := range part {
			if p, ok := owner[command(c.Entry)]; ok && p != i {
				t.Errorf("%s in parts %d and %d", c.Entry, p, i)
			}
			owner[command(c.Entry)] = i
		}
		joined = append(joined, part...)
	}
	if len(joined) != len(cases) {
		t.Fatalf("parts hold %d cases; want %d", len(joined), len(cases))
	}
	for k := range cases {
		if joined[k] != cases[k] {
			t.Fatalf("case %d is %+v; want %+v", k, joined[k], cases[k])
		}
	}
}
