package main

import "testing"

// Every load user is a member of the workspace its commands come from, so a
// run over many workspaces opens requests in each, not only the first.
func TestLoadUsersBelongToTheirWorkspace(t *testing.T) {
	for i := range 60 {
		team := loadTeam(i)
		for k := range 50 {
			if got := loadUserTeam(loadUser(team, k), "TOTHER"); got != team {
				t.Fatalf("user %d of %s: users.info says team %q", k, team, got)
			}
		}
	}
	for _, id := range []string{"U0001", "UDRILL", "UTLOAD00", "", "XTLOAD000001"} {
		if got := loadUserTeam(id, "TFIRST"); got != "TFIRST" {
			t.Fatalf("%q is no load user, yet users.info says team %q", id, got)
		}
	}
}
