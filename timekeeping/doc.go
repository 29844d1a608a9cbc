// Package timekeeping is mspbot's clock-driven work on people's time: time
// entry rules (the duration limit, lock periods), people's schedules and the
// calendar arithmetic under them, the nudge decision and sweep, and the SLA
// business-hours arithmetic (Calendar, ClockStates, NextSLACheck) that both the
// /sla and /request commands and the SLA sweep read. The decisions are pure
// functions of their inputs and a "now"; the nudge sweep reads only active rows
// and takes a bot.Clock so tests drive it with a FakeClock. River runs it from
// package jobs (RegisterTimekeeping).
//
// The jobs that act on these decisions for other people live beside it, each a
// Service shaped like projects.Service: timekeeping/sla (warnings and breaches)
// and timekeeping/digest (the manager's daily digest). They import this
// package; nothing here imports them.
package timekeeping
