package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// clockTicks is USER_HZ, the unit of /proc's CPU times: 100 on every Linux
// the load command runs on (it is fixed by the kernel ABI, not configurable).
const clockTicks = 100

// cpuUse is CPU time spent so far, in seconds, by the process under load,
// by every Postgres process (its backends, WAL writer, checkpointer), by
// the load command itself, and by the whole machine (busy time, all cores).
type cpuUse struct {
	server, self, machine float64
	postgres              map[string]float64 // by pid: backends come and go
}

// readCPU reads cpuUse from /proc; on a system without /proc every figure
// is zero and the phase lines leave CPU out.
func readCPU(serverPID int) cpuUse {
	u := cpuUse{server: procCPU(strconv.Itoa(serverPID)), self: procCPU("self"), machine: machineBusy(),
		postgres: map[string]float64{}}
	dirs, _ := filepath.Glob("/proc/[0-9]*")
	for _, d := range dirs {
		if comm, err := os.ReadFile(d + "/comm"); err == nil && strings.TrimSpace(string(comm)) == "postgres" {
			u.postgres[filepath.Base(d)] = procCPU(filepath.Base(d))
		}
	}
	return u
}

// procCPU is utime+stime of /proc/<pid>/stat in seconds (0 if it is gone).
func procCPU(pid string) float64 {
	b, err := os.ReadFile("/proc/" + pid + "/stat")
	if err != nil {
		return 0
	}
	// The command name may hold spaces; the fields after it do not.
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(f) < 13 {
		return 0
	}
	ut, _ := strconv.ParseFloat(f[11], 64)
	st, _ := strconv.ParseFloat(f[12], 64)
	return (ut + st) / clockTicks
}

// machineBusy is the whole machine's non-idle CPU time from /proc/stat.
func machineBusy() float64 {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0
	}
	line, _, _ := strings.Cut(string(b), "\n")
	f := strings.Fields(line) // cpu user nice system idle iowait irq softirq steal ...
	var busy float64
	for i, v := range f[1:] {
		n, _ := strconv.ParseFloat(v, 64)
		if i != 3 && i != 4 { // idle, iowait
			busy += n
		}
	}
	return busy / clockTicks
}

// perRequest describes the CPU used between two readings per answered
// request: where the milliseconds of a request go.
func perRequest(before, after cpuUse, requests int) string {
	if requests == 0 || after.machine == 0 {
		return ""
	}
	per := func(a, b float64) float64 { return (b - a) * 1000 / float64(requests) }
	// A Postgres process that started during the phase counts from zero; one
	// that ended during it is missed (connections closed by an idle pool).
	var pg float64
	for pid, t := range after.postgres {
		pg += t - before.postgres[pid]
	}
	return fmt.Sprintf("cpu per request: server %.2f ms  postgres %.2f ms  load command %.2f ms  whole machine %.2f ms",
		per(before.server, after.server), per(0, pg), per(before.self, after.self),
		per(before.machine, after.machine))
}
