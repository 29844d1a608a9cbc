package bot

import (
	"context"
	"fmt"
	"strings"
)

// This file holds the table's rules that depend on what an entry's arguments
// say rather than on the entry alone: acting on someone else
// (OthersMinRole) and per-choice roles (Arg.ChoiceRoles). Both are data on
// the table entry; the Router alone reads them, so handlers never decide who
// may do what.

// looksLikePerson reports whether s is written as a person: @name or the
// start of a platform mention (<@U123>, <@!123>, <@U123|name>). It errs wide:
// whatever a handler could read as a person, the Router checks.
func looksLikePerson(s string) bool {
	return strings.HasPrefix(s, "@") || strings.HasPrefix(s, "<@")
}

// checkOthers enforces OthersMinRole: when the first word after the
// subcommand names a person other than the caller, the caller needs at least
// that role. A handle that does not resolve to the caller counts as someone
// else, so a name that is ambiguous or unknown grants nothing.
func (r *Router) checkOthers(ctx context.Context, ev *Event, entry Subcommand, label string) error {
	if entry.OthersMinRole == "" || ev.Caller.Role.AtLeast(entry.OthersMinRole) {
		return nil
	}
	word, _ := firstWord(ev.Args)
	if !looksLikePerson(word) {
		return nil
	}
	if id, err := r.ident.PersonID(ctx, ev.Caller.WorkspaceID, word); err == nil && id == ev.Caller.ID {
		return nil
	}
	who := string(entry.OthersMinRole) + "s and above"
	if entry.OthersMinRole == RoleManager {
		who = "managers"
	}
	return Errorf(EForbidden, "%s for someone else is for %s; you are a %s. Leave out %s to act for yourself.",
		label, who, ev.Caller.Role, word)
}

// checkChoices enforces Arg.ChoiceRoles: the value typed for such an argument
// (positional, counted after the target) must be one the caller's role may
// choose. A value the map does not name is left to the handler to refuse as
// bad input.
func checkChoices(ev *Event, entry Subcommand, label string) error {
	pos := 0
	for _, a := range entry.Args {
		if a.Flag {
			continue
		}
		if a.ChoiceRoles != nil {
			words, err := SplitArgs(ev.Args)
			if err != nil {
				return nil // the handler reports the quoting
			}
			value := ""
			if pos < len(words) {
				value = strings.ToLower(words[pos])
			}
			if a.Canon != nil {
				if c, ok := a.Canon(value); ok {
					value = c
				}
			}
			roles, ok := a.ChoiceRoles[value]
			if !ok {
				return nil
			}
			for _, role := range roles {
				if ev.Caller.Role == role {
					return nil
				}
			}
			what := value
			if what == "" {
				what = "without " + a.Name
			}
			return Errorf(EForbidden, "%s %s is for %s; you are a %s.", label, what, roleList(roles), ev.Caller.Role)
		}
		pos++
	}
	return nil
}

// ChoiceAllows reports whether role may type value for the arguments with
// ChoiceRoles, as the Router decides it; the role-matrix generator uses it.
func (a Arg) ChoiceAllows(role Role, value string) bool {
	value = strings.ToLower(value)
	if a.Canon != nil {
		if c, ok := a.Canon(value); ok {
			value = c
		}
	}
	roles, ok := a.ChoiceRoles[value]
	if !ok {
		return true
	}
	for _, r := range roles {
		if r == role {
			return true
		}
	}
	return false
}

// RolesFrom lists the roles from min up, for ChoiceRoles entries that are a
// plain minimum.
func RolesFrom(min Role) []Role {
	var out []Role
	for _, r := range []Role{RoleClient, RoleTech, RoleCoordinator, RoleManager} {
		if r.AtLeast(min) {
			out = append(out, r)
		}
	}
	return out
}

func roleList(roles []Role) string {
	names := make([]string, len(roles))
	for i, r := range roles {
		names[i] = fmt.Sprintf("%ss", r)
	}
	switch len(names) {
	case 0:
		return "nobody"
	case 1:
		return names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}
