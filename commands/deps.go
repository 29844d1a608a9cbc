// Package commands holds mspbot's commands, one file per command family, and the
// registry that lists them. Commands see only bot types: never a Slack or
// Discord type, never SQL. They reach storage through small interfaces declared
// beside the code that uses them.
package commands

import (
	"context"
	"log/slog"
	"time"

	"github.com/mspbot/mspbot/bot"
)

// Store is everything the commands need from storage; *storage.Store implements it.
type Store interface {
	directoryStore
	commentStore
	suggestStore
	requestStore
	requestListStore
	requesterStore
	resolveStore
	roleStore
	channelStore
	timeStore
	scheduleStore
	slaStore
	digestStore
	learningStore
	projectStore
}

// Deps is what commands are built with. It is made once in cmd/mspbot.
type Deps struct {
	Store    Store
	Clock    bot.Clock
	Log      *slog.Logger
	Location *time.Location // MSPBOT_TZ: times for people whose own timezone is unknown
	// Senders posts what the bot says first (closeout questions, approved updates).
	Senders bot.Senders
	// Outbox, when set, queues the messages a command sends besides its reply
	// (the requester's DM) as durable jobs, keyed by the event's SourceID: a
	// command handled again after a crash never sends them twice, and a crash
	// right after the change cannot lose them. Nil: sent at once via Senders.
	Outbox bot.Outbox
	// Admins are platform user ids (console names on the console) that are
	// always managers (MSPBOT_ADMINS). Never matched against display names.
	Admins []string
	// StaffRoles are Discord server role ids whose members are techs
	// (MSPBOT_DISCORD_STAFF_ROLES); other members are unverified until given a role.
	StaffRoles []string
	// Digest holds the digest sections and chart other packages provide.
	Digest DigestOptions
	// ProjectChart draws a weekly update's hours chart (chart.Lines); nil: none.
	ProjectChart bot.ChartFunc
}

// location is where a person's days begin and end: storage already gives each
// person the timezone set with /hours, else their platform profile's; failing
// both, MSPBOT_TZ.
func (d Deps) location(p bot.Person) *time.Location {
	if p.Timezone != "" {
		if loc, err := time.LoadLocation(p.Timezone); err == nil {
			return loc
		}
	}
	if d.Location != nil {
		return d.Location
	}
	return time.UTC
}

type directoryStore interface {
	EnsureWorkspace(ctx context.Context, platform bot.Platform, externalID, name string) (int64, error)
	EnsurePerson(ctx context.Context, np bot.NewPerson, allowBootstrap bool) (bot.Person, bool, bool, error)
	PersonByExternalID(ctx context.Context, workspaceID int64, externalID string) (bot.Person, error)
	ClientByOrg(ctx context.Context, workspaceID int64, org string) (bot.Client, error)
	RecordClientOrgs(ctx context.Context, workspaceID, clientID int64, orgs []string, by int64) error
	ClientOrgs(ctx context.Context, clientID int64) ([]string, error)
}
