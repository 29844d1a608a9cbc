package jobs

import (
	"strings"
	"testing"
)

// River keeps the client id as its leader's id, which must be shorter than
// 128 characters: a long host name must not make the leader election fail.
func TestLeaseIDFitsRiversLeaderID(t *testing.T) {
	for _, host := range []string{"", "bot-1", strings.Repeat("a", 63) + "." + strings.Repeat("b", 63) + "." + strings.Repeat("c", 63) + ".example.com"} {
		id := leaseID(host, make([]byte, 6))
		if len(id) >= 128 || !strings.HasPrefix(id, leasePrefix) {
			t.Fatalf("lease id for host %q: %q (%d characters)", host, id, len(id))
		}
	}
}
