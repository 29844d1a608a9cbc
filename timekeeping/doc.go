// Package timekeeping is mspbot's clock-driven work on people's time: time
// entry rules (the duration limit, lock periods), people's schedules and the
// calendar arithmetic under them, the nudge decision and sweep, and SLA
// business-hours arithmetic and sweep. The decisions are pure functions of
// their inputs and a "now"; the sweeps read only active rows and take a
// bot.Clock so tests drive them with a FakeClock. River runs the sweeps from
// package jobs (RegisterTimekeeping).
//
// The manager's daily digest lives in timekeeping/digest: it reads schedules
// from here and nothing here reads it back.
package timekeeping
