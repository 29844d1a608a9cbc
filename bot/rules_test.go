package bot

import (
	"context"
	"log/slog"
	"testing"
)

// TestRouterEnforcesOthersAndChoiceRoles: the table's rules that read the
// arguments — acting for someone else and per-choice roles — are decided by
// the Router, before any handler runs.
func TestRouterEnforcesOthersAndChoiceRoles(t *testing.T) {
	ran := 0
	h := func(ctx context.Context, ev Event) ([]Message, error) { ran++; return []Message{{Text: "ran"}}, nil }
	cmds := []Command{
		{Name: "hours", MinRole: RoleTech, OthersMinRole: RoleManager, Handler: h},
		{Name: "edit", MinRole: RoleTech, OthersMinRole: RoleManager, OwnedBy: OwnedTimeEntry, Handler: h},
		{Name: "pick", MinRole: RoleClient, Subs: []Subcommand{{Name: "item", MinRole: RoleClient, Handler: h,
			Args: []Arg{{Name: "what", Kind: ArgChoice, ChoiceRoles: map[string][]Role{
				"staff": RolesFrom(RoleTech), "mixed": {RoleClient, RoleCoordinator}, "": {RoleCoordinator}},
				Canon: func(s string) (string, bool) { return map[string]string{"sta": "staff"}[s], s == "sta" }}}}}},
	}
	cases := []struct {
		role Role
		line string // command, then arguments
		cmd  string
		ok   bool
	}{
		{RoleTech, "", "hours", true},
		{RoleTech, "@me 08:00-16:00", "hours", true}, // naming oneself
		{RoleTech, "@dana 08:00-16:00", "hours", false},
		{RoleTech, "<@U999|dana> 08:00-16:00", "hours", false},
		{RoleTech, "@ghost", "hours", false}, // unknown grants nothing
		{RoleCoordinator, "@dana", "hours", false},
		{RoleManager, "@dana", "hours", true},
		{RoleTech, "1 30m", "edit", true}, // the caller's own entry
		{RoleTech, "#2 30m", "edit", false},
		{RoleCoordinator, "2 30m", "edit", false},
		{RoleManager, "2 30m", "edit", true},
		{RoleTech, "9 30m", "edit", true}, // missing: the handler says so
		{RoleTech, "abc", "edit", true},   // not a number: the handler says so
		{RoleClient, "item staff", "pick", false},
		{RoleClient, "item STA", "pick", false}, // read as the handler reads it
		{RoleTech, "item staff", "pick", true},
		{RoleClient, "item mixed", "pick", true},
		{RoleTech, "item mixed", "pick", false},
		{RoleManager, "item mixed", "pick", false}, // not a minimum: the list
		{RoleTech, "item", "pick", false},          // the argument left out
		{RoleCoordinator, "item", "pick", true},
		{RoleTech, "item other", "pick", true}, // unnamed values are the handler's
	}
	for _, c := range cases {
		r := NewRouter(cmds, fixedIdentity{role: c.role}, slog.New(slog.DiscardHandler), nil)
		var refusal error
		r.OnDecision(func(ev Event, entry string, err error) { refusal = err })
		before := ran
		r.Dispatch(context.Background(), Event{Command: c.cmd, Args: c.line, User: User{ID: "u", Name: "me"}})
		if got := refusal == nil; got != c.ok {
			t.Errorf("%s /%s %s: allowed %v, want %v (%v)", c.role, c.cmd, c.line, got, c.ok, refusal)
		}
		if c.ok != (ran == before+1) {
			t.Errorf("%s /%s %s: handler ran %d times", c.role, c.cmd, c.line, ran-before)
		}
		if !c.ok && ErrorCode(refusal) != EForbidden {
			t.Errorf("%s /%s %s: refused with %v, want forbidden", c.role, c.cmd, c.line, ErrorCode(refusal))
		}
	}
}
