// Package digest writes and sends each manager's daily digest: new and open
// requests, SLA at risk and breached, sections other features add, and
// yesterday's time per tech against their schedule. Its periodic sweep runs on
// River (package jobs, RegisterDigest); the /digest command uses the same
// Service, so a digest asked for by hand reads as the scheduled one.
package digest

import (
	"context"
	"log/slog"
	"time"

	"github.com/mspbot/mspbot/bot"
)

// Store is what the digest reads and writes; *storage.Store implements it.
type Store interface {
	Managers(ctx context.Context) ([]bot.Manager, error)
	DigestSent(ctx context.Context, managerID int64, localDate time.Time) (bool, error)
	SendDigestOnce(ctx context.Context, workspaceID, managerID int64, localDate time.Time, send func() (string, error)) (bool, error)
	NewRequestCounts(ctx context.Context, workspaceID int64, from, to time.Time) ([]bot.RequestCount, error)
	OpenRequestCounts(ctx context.Context, workspaceID int64) ([]bot.OpenCount, error)
	SLAEventsSince(ctx context.Context, workspaceID int64, since time.Time) ([]bot.SLAEvent, error)
	Team(ctx context.Context, workspaceID, managerID int64, date time.Time) ([]bot.TeamMember, error)
	NudgeStatsBetween(ctx context.Context, workspaceID int64, from, to time.Time) (map[int64]bot.NudgeStats, error)
}

// Service is the digest feature; the same shape as projects.Service.
type Service struct {
	Store    Store
	Senders  bot.Senders
	Clock    bot.Clock
	Location *time.Location // MSPBOT_TZ: for managers with no timezone of their own
	Log      *slog.Logger
	// Sections add digest parts owned by other packages (projects off track,
	// weekly updates awaiting approval, lessons captured).
	Sections []SectionSource
	// Chart renders the digest's picture (chart.Bars); nil: no picture.
	Chart bot.ChartFunc
}

func (d *Service) log() *slog.Logger { return bot.LoggerOr(d.Log) }

// Now is the service's clock reading (the system clock when none is set).
func (d *Service) Now() time.Time { return bot.NowOf(d.Clock) }

// SendTo sends one manager's digest for one local date, unless sent;
// someone no longer a manager gets nothing.
func (d *Service) SendTo(ctx context.Context, managerID int64, date time.Time) error {
	managers, err := d.Store.Managers(ctx)
	if err != nil {
		return err
	}
	for _, m := range managers {
		if m.PersonID == managerID {
			_, err := d.Send(ctx, m, date, d.Now())
			return err
		}
	}
	return nil
}
