package storagetest

import (
	"flag"
	"os"
	"runtime"
	"strconv"
	"testing"
)

// Parallel is how many parallel tests run at once in a package that starts
// through Main, unless -parallel is given.
const Parallel = 4

// Main runs a package's tests, more of them at once than the machine has
// cores: tests against Postgres spend most of their time waiting on it (and
// on the disk), not computing, so go test's default (GOMAXPROCS) leaves a
// small machine idle. Bounded, because every test holds a few connections and
// the server allows 100. A package calls it from its TestMain.
func Main(m *testing.M) {
	flag.Parse()
	given := false
	flag.Visit(func(f *flag.Flag) { given = given || f.Name == "test.parallel" })
	if !given {
		_ = flag.Set("test.parallel", strconv.Itoa(max(Parallel, runtime.GOMAXPROCS(0))))
	}
	os.Exit(m.Run())
}
