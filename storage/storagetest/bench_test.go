package storagetest

import (
	"context"
	"testing"
)

// BenchmarkNew is what each test pays for its migrated database: a claim,
// the emptying of the previous test's rows, a Store opened and pinged, and
// the release. Run against a private server to read the server's CPU per
// claim from its process times.
func BenchmarkNew(b *testing.B) {
	for b.Loop() {
		tb := &iteration{TB: b}
		s := New(tb)
		if err := s.Ready(context.Background()); err != nil {
			b.Fatal(err)
		}
		tb.end()
	}
}

// iteration is one benchmark iteration posing as a test: its cleanups run
// when it ends, as a test's do.
type iteration struct {
	testing.TB
	cleanups []func()
}

func (it *iteration) Cleanup(f func()) { it.cleanups = append(it.cleanups, f) }

func (it *iteration) end() {
	for i := len(it.cleanups) - 1; i >= 0; i-- {
		it.cleanups[i]()
	}
}
