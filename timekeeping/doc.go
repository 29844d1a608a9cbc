// Package timekeeping is the arithmetic and the decisions of mspbot's
// clock-driven work: people's schedules and working windows, the nudge
// decision (Decide), when a digest is due, and the SLA business-hours
// arithmetic (Calendar, ClockStates, NextSLACheck). They are pure functions of
// their inputs and a "now", read by the commands (/schedule, /sla, /request)
// and by the sweeps alike. The rules of a time entry (its limits, a day's 24h,
// locked days) are package timekeeping/timeentry's.
//
// The jobs that act on these decisions live beside it, each a Service shaped
// like projects.Service (Store, Senders, Clock, Location, Log): timekeeping/nudge
// (gap nudges, timer checks, escalations), timekeeping/sla (warnings and
// breaches) and timekeeping/digest (the manager's daily digest). They import
// this package; nothing here imports them. River runs them from package jobs
// (RegisterNudges, RegisterSLA, RegisterDigest).
package timekeeping
