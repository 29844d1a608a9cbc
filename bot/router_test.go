package bot

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"
)

type fixedIdentity struct {
	role   Role
	client *int64
	// records maps a record to its client id (0: no client); absent: not found.
	records map[Ref]int64
}

func (f fixedIdentity) Identify(ctx context.Context, ev Event) (Caller, error) {
	return Caller{Person: Person{ID: 1, Name: ev.User.Name, Role: f.role, ClientID: f.client}}, nil
}

func (f fixedIdentity) RecordClient(ctx context.Context, ws int64, ref Ref) (*int64, error) {
	c, ok := f.records[ref]
	if !ok {
		return nil, Errorf(ENotFound, "no %s", ref)
	}
	if c == 0 {
		return nil, nil
	}
	return &c, nil
}

// PersonID knows only the caller, as @me.
func (f fixedIdentity) PersonID(ctx context.Context, ws int64, handle string) (int64, error) {
	if handle == "@me" {
		return 1, nil
	}
	return 0, Errorf(ENotFound, "nobody called %s", handle)
}

func TestRouterChecksRolesAndTurnsErrorsIntoReplies(t *testing.T) {
	ran := 0
	var observed []Code
	cmds := []Command{
		{Name: "secret", MinRole: RoleManager, Handler: func(ctx context.Context, ev Event) ([]Message, error) {
			ran++
			return []Message{{Text: "done"}}, nil
		}},
		{Name: "boom", MinRole: RoleClient, Handler: func(ctx context.Context, ev Event) ([]Message, error) {
			return nil, errors.New("pq: connection refused to 10.0.0.1 password=hunter2")
		}},
	}
	observe := func(c string, code Code, _ time.Duration) { observed = append(observed, code) }
	r := NewRouter(cmds, fixedIdentity{role: RoleTech}, slog.New(slog.DiscardHandler), observe)
	ctx := context.Background()

	msgs := r.Dispatch(ctx, Event{Command: "secret", User: User{ID: "u", Name: "tom"}})
	if ran != 0 || len(msgs) != 1 || !msgs[0].Ephemeral || !strings.Contains(msgs[0].Text, "for managers") {
		t.Fatalf("tech ran a manager command: ran=%d msgs=%+v", ran, msgs)
	}
	msgs = r.Dispatch(ctx, Event{Command: "boom", User: User{ID: "u"}})
	if strings.Contains(msgs[0].Text, "hunter2") || !strings.Contains(msgs[0].Text, "went wrong") {
		t.Fatalf("internal error leaked or unclear: %q", msgs[0].Text)
	}
	msgs = r.Dispatch(ctx, Event{Command: "nope", User: User{ID: "u"}})
	if !strings.Contains(msgs[0].Text, "/help") {
		t.Fatalf("unknown command reply: %q", msgs[0].Text)
	}
	if want := []Code{EForbidden, EInternal, EInvalid}; len(observed) != 3 || observed[0] != want[0] || observed[1] != want[1] || observed[2] != want[2] {
		t.Fatalf("observed %v; want %v", observed, want)
	}
	r2 := NewRouter(cmds, fixedIdentity{role: RoleManager}, slog.New(slog.DiscardHandler), nil)
	if msgs := r2.Dispatch(ctx, Event{Command: "SECRET", User: User{ID: "u"}}); ran != 1 || msgs[0].Text != "done" {
		t.Fatalf("manager: ran=%d %+v", ran, msgs)
	}
}
