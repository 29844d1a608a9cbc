// Package timekeeping is mspbot's clock-driven work: time entry rules (the
// duration parser, lock periods), people's schedules, the nudge decision, SLA
// business-hours arithmetic, and the manager's daily digest, plus the River
// jobs that sweep them (Register). The decisions are pure functions of their
// inputs and a "now"; the sweeps read only active rows and take a bot.Clock so
// tests drive them with a FakeClock.
//
// It is one package rather than several because the nudge sweep, the SLA sweep
// and the digest share the same schedule and calendar arithmetic and the same
// storage view of "who works when"; splitting them would export that plumbing
// only to import it back.
package timekeeping
