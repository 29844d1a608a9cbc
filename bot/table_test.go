package bot

import (
	"context"
	"log/slog"
	"strings"
	"testing"
)

// tableCommands is a command with a default action and three subcommands of
// different roles and targets, recording what ran with which arguments.
func tableCommands(ran *[]string) []Command {
	run := func(name string) Handler {
		return func(ctx context.Context, ev Event) ([]Message, error) {
			*ran = append(*ran, name+"("+ev.Args+")"+ev.Target.String())
			return []Message{{Text: name}}, nil
		}
	}
	return []Command{{
		Name: "thing", Usage: "/thing …", MinRole: RoleClient, Handler: run("default"),
		Subs: []Subcommand{
			{Name: "show", Aliases: []string{"view"}, MinRole: RoleClient, Target: RefRequest, Handler: run("show")},
			{Name: "close", MinRole: RoleTech, Target: RefRequest, Handler: run("close")},
			{Name: "new", MinRole: RoleCoordinator, Handler: run("new")},
			{Name: "status", MinRole: RoleTech, Target: RefProject, Handler: run("status"),
				Match: func(args string) bool { _, err := ParseRef(RefProject, args); return err == nil }},
		},
	}}
}

func TestRouterRoutesSubcommandsByTheTable(t *testing.T) {
	ctx := context.Background()
	acme, globex := int64(7), int64(8)
	records := map[Ref]int64{{RefRequest, 1002}: acme, {RefRequest, 1003}: globex, {RefRequest, 1004}: 0, {RefProject, 12}: acme}
	var ran []string
	dispatch := func(id fixedIdentity, ev Event) string {
		ran = nil
		id.records = records
		ev.User = User{ID: "u"}
		msgs := NewRouter(tableCommands(&ran), id, slog.New(slog.DiscardHandler), nil).Dispatch(ctx, ev)
		return msgs[len(msgs)-1].Text
	}
	client := fixedIdentity{role: RoleClient, client: &acme}
	tech := fixedIdentity{role: RoleTech}
	cases := []struct {
		who        fixedIdentity
		ev         Event
		ran, reply string
	}{
		{client, Event{Command: "thing", Args: "hello there"}, "default(hello there)", "default"},
		{client, Event{Command: "thing", Args: "SHOW #1002"}, "show(#1002)#1002", "show"},
		{client, Event{Command: "thing", Args: "view 1002"}, "show(1002)#1002", "show"},
		// Another client's request, a request with no client and a missing one all read the same.
		{client, Event{Command: "thing", Args: "show 1003"}, "", "there is no request #1003 here"},
		{client, Event{Command: "thing", Args: "show 1004"}, "", "there is no request #1004 here"},
		{client, Event{Command: "thing", Args: "show 1009"}, "", "there is no request #1009 here"},
		{client, Event{Command: "thing", Args: "close 1002"}, "", "only staff can use /thing close (it is for techs and above)"},
		{client, Event{Command: "thing", Args: "P12"}, "", "only staff can use /thing status"},
		{tech, Event{Command: "thing", Args: "close 1003"}, "close(1003)#1003", "close"},
		{tech, Event{Command: "thing", Args: "close"}, "", "say which request"},
		{tech, Event{Command: "thing", Args: "close P12"}, "", "P12 is a project"},
		{tech, Event{Command: "thing", Args: "new x"}, "", "/thing new is for coordinators and above"},
		{tech, Event{Command: "thing", Args: "p12"}, "status(p12)P12", "status"},
		// A button on #1002's message may act on #1002 only, and only through a targeted subcommand.
		{tech, Event{Command: "thing", Args: "close 1003", Origin: Ref{RefRequest, 1002}}, "", "acts on #1003"},
		{tech, Event{Command: "thing", Args: "close 1002", Origin: Ref{RefRequest, 1002}}, "close(1002)#1002", "close"},
		{tech, Event{Command: "thing", Args: "P12", Origin: Ref{RefRequest, 12}}, "", "acts on P12"},
		{tech, Event{Command: "thing", Args: "anything", Origin: Ref{RefRequest, 1002}}, "", "cannot be run from a message about #1002"},
	}
	for _, c := range cases {
		reply := dispatch(c.who, c.ev)
		got := strings.Join(ran, ",")
		if got != c.ran || !strings.Contains(reply, c.reply) {
			t.Errorf("%s /%s %s (origin %s): ran %q reply %q; want ran %q reply containing %q",
				c.who.role, c.ev.Command, c.ev.Args, c.ev.Origin, got, reply, c.ran, c.reply)
		}
	}
}

func TestClientScopeNeverWidensForAClientWithoutClient(t *testing.T) {
	acme := int64(7)
	if s := (Caller{Person: Person{Role: RoleTech}}).ClientScope(); s != nil {
		t.Fatalf("staff scope %v; want nil (everything)", *s)
	}
	if s := (Caller{Person: Person{Role: RoleClient, ClientID: &acme}}).ClientScope(); s == nil || *s != acme {
		t.Fatalf("client scope %v; want %d", s, acme)
	}
	if s := (Caller{Person: Person{Role: RoleClient}}).ClientScope(); s == nil || *s != -1 {
		t.Fatalf("client without a client got scope %v; want the impossible id", s)
	}
	if s := (Caller{}).ClientScope(); s == nil {
		t.Fatal("a caller without a role sees everything")
	}
}

func TestParseRef(t *testing.T) {
	for in, want := range map[string]Ref{"#1002": {RefRequest, 1002}, " 7 ": {RefRequest, 7}} {
		if got, err := ParseRef(RefRequest, in); err != nil || got != want {
			t.Errorf("ParseRef(request, %q) = %v, %v", in, got, err)
		}
	}
	for in, want := range map[string]Ref{"P12": {RefProject, 12}, "p3": {RefProject, 3}, "#P4": {RefProject, 4}} {
		if got, err := ParseRef(RefProject, in); err != nil || got != want {
			t.Errorf("ParseRef(project, %q) = %v, %v", in, got, err)
		}
	}
	for _, in := range []string{"", "0", "-1", "P", "P0", "12x", "#", "P1 2"} {
		if _, err := ParseRef(RefRequest, in); err == nil && in != "" {
			if _, err2 := ParseRef(RefProject, in); err2 == nil {
				t.Errorf("%q parsed as both", in)
			}
		}
		if _, err := ParseRef(RefProject, in); err == nil {
			t.Errorf("ParseRef(project, %q) accepted", in)
		}
	}
}
