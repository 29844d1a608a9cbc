// Package projects runs the work the bot does on its own for projects: it
// drafts each project's weekly client update exactly once per ISO week, sends
// the draft privately to the coordinator with Approve / Edit / Skip, posts only
// approved updates to the client's channel, reminds about drafts left waiting,
// and asks for lessons learned at closeout. Its jobs run on River (package jobs);
// cmd/mspbot wires them with Register. Commands use the same Service, so a
// draft made by hand and one made by the schedule are the same draft.
package projects

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/mspbot/mspbot/bot"
)

// Store is what the projects feature needs from storage; *storage.Store implements it.
type Store interface {
	ProjectByID(ctx context.Context, id int64) (bot.Project, error)
	RunningProjects(ctx context.Context) ([]bot.Project, error)
	Milestones(ctx context.Context, projectID int64) ([]bot.Milestone, error)
	MilestoneChanges(ctx context.Context, projectID int64, from, to time.Time) ([]bot.MilestoneChange, error)
	ProjectMinutes(ctx context.Context, projectID int64) (int, error)
	ProjectMinutesByDay(ctx context.Context, projectID int64) ([]bot.DayMinutes, error)
	ProjectTimeLoggers(ctx context.Context, projectID int64) ([]bot.Person, error)
	Disruptions(ctx context.Context, projectID int64, from, to time.Time) ([]bot.Disruption, error)
	OOSItems(ctx context.Context, projectID int64) ([]bot.OOSItem, error)

	CreateWeeklyUpdate(ctx context.Context, in bot.WeeklyUpdate) (bot.WeeklyUpdate, bool, error)
	WeeklyUpdateByID(ctx context.Context, id int64) (bot.WeeklyUpdate, error)
	WeeklyUpdateFor(ctx context.Context, projectID int64, year, week int) (bot.WeeklyUpdate, error)
	ClaimUpdateDM(ctx context.Context, id int64, at time.Time) (bool, error)
	ReleaseUpdateDM(ctx context.Context, id int64) error
	ApproveWeeklyUpdateOnce(ctx context.Context, id, by int64, at time.Time, key string) (bot.WeeklyUpdate, error)
	ClaimUpdatePost(ctx context.Context, id int64, at, staleBefore time.Time) (bot.WeeklyUpdate, bool, error)
	ReleaseUpdatePost(ctx context.Context, id int64) error
	MarkUpdatePosted(ctx context.Context, id int64, at time.Time, messageID string) error
	UnpostedApprovals(ctx context.Context, staleBefore time.Time) ([]int64, error)
	ClaimDueReminders(ctx context.Context, now time.Time) ([]bot.WeeklyUpdate, error)
}

// Service is the projects feature's scheduled and bot-initiated work.
type Service struct {
	Store    Store
	Senders  bot.Senders
	Clock    bot.Clock
	Location *time.Location // MSPBOT_TZ: for coordinators whose timezone is unknown
	Log      *slog.Logger
	// Chart draws the update's hours chart (package chart's Lines, injected by
	// cmd/mspbot); nil: updates go without a picture.
	Chart bot.ChartFunc
}

func (s *Service) log() *slog.Logger { return bot.LoggerOr(s.Log) }

// Now is the service's clock reading (the system clock when none is set).
func (s *Service) Now() time.Time { return s.now() }

func (s *Service) now() time.Time { return bot.NowOf(s.Clock) }

// postLease is how long a claim to post an update holds before another
// instance may take it over (the first one died mid-post).
const postLease = 5 * time.Minute

// ErrNoChannel says an approved update cannot be posted yet.
var ErrNoChannel = bot.Errorf(bot.EInvalid, "the project has no client channel for updates")

// Draft writes the project's update for the ISO week containing now, unless
// that week has one already, and returns it. created is false when it existed.
// shown marks the draft as already in front of someone (a coordinator who asked
// for it by command), so the scheduled job does not send it privately again.
func (s *Service) Draft(ctx context.Context, p bot.Project, now time.Time, shown bool) (u bot.WeeklyUpdate, created bool, err error) {
	r, err := s.Gather(ctx, p, now)
	if err != nil {
		return u, false, err
	}
	if existing, err := s.Store.WeeklyUpdateFor(ctx, p.ID, r.Year, r.Week); err == nil {
		return existing, false, nil
	} else if bot.ErrorCode(err) != bot.ENotFound {
		return u, false, err
	}
	in := bot.WeeklyUpdate{ProjectID: p.ID, ISOYear: r.Year, ISOWeek: r.Week, Draft: r.Title() + "\n" + r.Text(),
		DraftedAt: now, Deadline: Deadline(now, Location(p, s.Location))}
	if s.Chart != nil {
		if png, err := r.Chart(s.Chart); err == nil {
			in.Chart = png
		} else {
			s.log().Warn("weekly update chart", "project", p.Ref(), "err", err)
		}
	}
	if shown {
		in.DMSentAt = &now
	}
	return s.Store.CreateWeeklyUpdate(ctx, in)
}

// DraftAndSend is the scheduled job's work for one project and ISO week: write
// the draft (once) and send it privately to the coordinator (once).
func (s *Service) DraftAndSend(ctx context.Context, projectID int64, year, week int) error {
	p, err := s.Store.ProjectByID(ctx, projectID)
	if err != nil {
		if bot.ErrorCode(err) == bot.ENotFound {
			return nil // deleted since it was scheduled
		}
		return err
	}
	if p.Status != bot.ProjectActive {
		return nil
	}
	now := s.now()
	u, err := s.Store.WeeklyUpdateFor(ctx, projectID, year, week)
	if bot.ErrorCode(err) == bot.ENotFound {
		if y, w := now.In(Location(p, s.Location)).ISOWeek(); y != year || w != week {
			// The job ran so late that its week is over: a stale week gets no draft.
			s.log().Warn("weekly update job for a past week skipped", "project", p.Ref(), "week", bot.ISOWeekName(year, week))
			return nil
		}
		u, _, err = s.Draft(ctx, p, now, false)
	}
	if err != nil {
		return err
	}
	if u.Status != bot.UpdateDrafted || u.DMSentAt != nil {
		return nil
	}
	ok, err := s.Store.ClaimUpdateDM(ctx, u.ID, now)
	if err != nil || !ok {
		return err
	}
	if _, err := s.Senders.Send(ctx, coordinatorDM(p), DraftMessage(p, u, "")); err != nil {
		if rerr := s.Store.ReleaseUpdateDM(ctx, u.ID); rerr != nil {
			s.log().Error("release update message", "project", p.Ref(), "err", rerr)
		}
		return fmt.Errorf("send draft of %s to %s: %w", p.Ref(), p.CoordinatorName, err)
	}
	s.log().Info("weekly update drafted", "project", p.Ref(), "week", u.Week(), "coordinator", p.CoordinatorName)
	return nil
}

func coordinatorDM(p bot.Project) bot.Destination {
	return bot.Destination{Platform: p.Platform, Workspace: p.WorkspaceExternalID, UserID: p.CoordinatorExternalID}
}

func clientChannel(p bot.Project) bot.Destination {
	return bot.Destination{Platform: p.Platform, Workspace: p.WorkspaceExternalID, Channel: p.Channel}
}

// DraftMessage is the private message with a draft and its buttons. Each button
// runs a command naming the week, so an old button never acts on a newer draft.
func DraftMessage(p bot.Project, u bot.WeeklyUpdate, intro string) bot.Message {
	ref, week := p.Ref(), u.Week()
	loc := Location(p, nil)
	text := u.Body
	if intro != "" {
		text = intro + "\n\n" + text
	}
	m := bot.Message{
		Title: fmt.Sprintf("Draft client update for %s %s (%s) — only you see this", ref, p.Name, week),
		Text: text + fmt.Sprintf("\n\nNothing reaches %s until you approve. Approve by %s, or change a section with "+
			`/project update %s edit next "…" (sections: %s)`, p.ClientCode, u.Deadline.In(loc).Format("Mon 2 Jan 15:04 MST"), ref,
			strings.Join(SectionKeys(), ", ")),
		Ephemeral:     true,
		ProjectNumber: int64(p.Number),
		Actions: []bot.Action{
			{ID: "project.update.approve", Label: "Approve", Value: ref + " " + week, Style: "primary", Command: "/project update " + ref + " approve " + week},
			{ID: "project.update.edit", Label: "Edit", Value: ref + " " + week, Command: "/project update " + ref + " edit " + week},
			{ID: "project.update.skip", Label: "Skip", Value: ref + " " + week, Style: "danger", Command: "/project update " + ref + " skip " + week},
		},
	}
	if line := Unresolved(u.Body); line != "" {
		// No Approve button while a line still asks to be filled in.
		m.Text += fmt.Sprintf("\nFill in %q before approving: /project update %s edit %s next \"…\"", line, ref, week)
		m.Actions = m.Actions[1:]
	}
	if len(u.Chart) > 0 {
		m.Attachments = []bot.Attachment{{Name: fmt.Sprintf("%s-%s-hours.png", ref, week), ContentType: "image/png", Data: u.Chart}}
	}
	return m
}

// ClientMessage is the update as the client sees it.
func ClientMessage(p bot.Project, u bot.WeeklyUpdate) bot.Message {
	m := bot.Message{Text: u.Body}
	if len(u.Chart) > 0 {
		m.Attachments = []bot.Attachment{{Name: fmt.Sprintf("%s-%s-hours.png", p.Ref(), u.Week()), ContentType: "image/png", Data: u.Chart}}
	}
	return m
}

// Approve approves a draft and posts it to the client's channel at once. posted
// is false (with ErrNoChannel) when the project has no client channel yet: the
// approval stands and the sweep posts it once a channel is set.
func (s *Service) Approve(ctx context.Context, p bot.Project, updateID, by int64) (u bot.WeeklyUpdate, posted bool, err error) {
	return s.ApproveOnce(ctx, p, updateID, by, "")
}

// ApproveOnce is Approve by the delivery key (bot.Event's SourceID), recorded
// with the approval so that delivery handled again can tell it was its own.
func (s *Service) ApproveOnce(ctx context.Context, p bot.Project, updateID, by int64, key string) (u bot.WeeklyUpdate, posted bool, err error) {
	u, err = s.Store.ApproveWeeklyUpdateOnce(ctx, updateID, by, s.now(), key)
	if err != nil {
		return u, false, err
	}
	posted, err = s.Post(ctx, updateID)
	if err != nil {
		return u, false, err
	}
	u, err = s.Store.WeeklyUpdateByID(ctx, updateID)
	return u, posted, err
}

// Post posts an approved update to its client's channel, once: the claim makes
// concurrent posters (a click and the sweep, two instances) post it one time.
func (s *Service) Post(ctx context.Context, updateID int64) (bool, error) {
	now := s.now()
	u, ok, err := s.Store.ClaimUpdatePost(ctx, updateID, now, now.Add(-postLease))
	if err != nil || !ok {
		return false, err
	}
	p, err := s.Store.ProjectByID(ctx, u.ProjectID)
	if err == nil && p.Channel == "" {
		err = ErrNoChannel
	}
	var id string
	if err == nil {
		id, err = s.Senders.Send(ctx, clientChannel(p), ClientMessage(p, u))
	}
	if err != nil {
		if rerr := s.Store.ReleaseUpdatePost(ctx, updateID); rerr != nil {
			s.log().Error("release post", "update", updateID, "err", rerr)
		}
		return false, err
	}
	if err := s.Store.MarkUpdatePosted(ctx, updateID, s.now(), id); err != nil {
		return true, err
	}
	s.log().Info("weekly update posted", "project", p.Ref(), "week", u.Week(), "channel", p.Channel)
	return true, nil
}

// DraftJob names one project's update for one ISO week: the draft job's whole
// identity (package jobs makes it a unique River job).
type DraftJob struct {
	ProjectID int64 `json:"project_id"`
	ISOYear   int   `json:"iso_year"`
	ISOWeek   int   `json:"iso_week"`
}

// Enqueuer inserts draft jobs; package jobs implements it over River.
type Enqueuer interface {
	EnqueueDraft(ctx context.Context, j DraftJob) (inserted bool, err error)
}

// SweepResult says what a sweep did.
type SweepResult struct {
	Enqueued, Duplicates, Reminded, Posted int
}

// Sweep does the periodic work at now: it enqueues a unique draft job for every
// project whose update time has passed this ISO week (in its coordinator's
// timezone) and has no update yet, reminds coordinators once about drafts past
// their deadline, and posts approved updates a failed post left behind. Tests
// call it directly with a fake now; River's periodic job calls it every minute.
func (s *Service) Sweep(ctx context.Context, now time.Time, q Enqueuer) (SweepResult, error) {
	var res SweepResult
	list, err := s.Store.RunningProjects(ctx)
	if err != nil {
		return res, err
	}
	for _, p := range list {
		year, week, due := DueWeek(p, now, s.Location)
		if !due {
			continue
		}
		if _, err := s.Store.WeeklyUpdateFor(ctx, p.ID, year, week); err == nil {
			continue
		} else if bot.ErrorCode(err) != bot.ENotFound {
			return res, err
		}
		inserted, err := q.EnqueueDraft(ctx, DraftJob{ProjectID: p.ID, ISOYear: year, ISOWeek: week})
		if err != nil {
			return res, err
		}
		if inserted {
			res.Enqueued++
		} else {
			res.Duplicates++
		}
	}

	reminders, err := s.Store.ClaimDueReminders(ctx, now)
	if err != nil {
		return res, err
	}
	for _, u := range reminders {
		p, err := s.Store.ProjectByID(ctx, u.ProjectID)
		if err != nil {
			return res, err
		}
		intro := fmt.Sprintf("Reminder: this update for %s was due for approval %s and has not gone to %s. "+
			"It is never posted without your approval.", p.Ref(), u.Deadline.In(Location(p, s.Location)).Format("Mon 2 Jan 15:04"), p.ClientCode)
		if _, err := s.Senders.Send(ctx, coordinatorDM(p), DraftMessage(p, u, intro)); err != nil {
			s.log().Error("weekly update reminder", "project", p.Ref(), "week", u.Week(), "err", err)
			continue
		}
		res.Reminded++
	}

	ids, err := s.Store.UnpostedApprovals(ctx, now.Add(-postLease))
	if err != nil {
		return res, err
	}
	for _, id := range ids {
		posted, err := s.Post(ctx, id)
		if err != nil {
			s.log().Log(ctx, levelFor(err), "post approved update", "update", id, "err", err)
			continue
		}
		if posted {
			res.Posted++
		}
	}
	return res, nil
}

func levelFor(err error) slog.Level {
	if err == ErrNoChannel {
		return slog.LevelDebug
	}
	return slog.LevelError
}

// Ask is one closeout question: who is asked, and the direct message asking.
type Ask struct {
	Name     string
	Delivery bot.Delivery
}

// LessonAsks are the questions a project's closeout asks privately: everyone
// who logged time on it, for the lessons they learned, and the coordinator,
// for the execution rating. Each is keyed by source (the delivery starting the
// closeout, "" for none) and the project's id: deliver jobs are unique by key,
// and without a source a key without the project would be the same for every
// project in the workspace, dropping a later project's asks as already
// queued. closer is the direct-message destination of whoever closes the
// project: an ask the platform refuses for good (direct messages closed to the
// bot) tells them instead, to pass on, unless it was theirs.
func (s *Service) LessonAsks(ctx context.Context, p bot.Project, closer bot.Destination, source string) ([]Ask, error) {
	people, err := s.Store.ProjectTimeLoggers(ctx, p.ID)
	if err != nil {
		return nil, err
	}
	ref := p.Ref()
	var asks []Ask
	add := func(kind, ext, name, what, instead string, m bot.Message) {
		d := bot.Delivery{Key: bot.DeliveryKey(p.Platform, p.WorkspaceExternalID, fmt.Sprintf("%s/closeout/%d/%s/%s", source, p.ID, kind, ext), 0),
			To: bot.Destination{Platform: p.Platform, Workspace: p.WorkspaceExternalID, UserID: ext}, Messages: []bot.Message{m}}
		if closer.UserID != "" && closer.UserID != ext {
			d.Else = &bot.Fallback{To: closer, Messages: []bot.Message{{
				Title:     fmt.Sprintf("Could not ask %s privately", name),
				Text:      fmt.Sprintf("%s does not take direct messages from the bot, so was not asked %s. %s", name, what, instead),
				Ephemeral: true,
			}}}
		}
		asks = append(asks, Ask{Name: name, Delivery: d})
	}
	for _, person := range people {
		add("lessons", person.ExternalID, person.Name, "for lessons learned on "+ref,
			fmt.Sprintf("Ask them to run /lessons add %s \"went well\" \"do differently\".", ref), bot.Message{
				Title: fmt.Sprintf("Lessons learned: %s %s (%s)", ref, p.Name, p.ClientCode),
				Text: fmt.Sprintf("You logged time on %s, which is closing. What went well, and what would you do differently? "+
					"Reply with:\n/lessons add %s \"what went well\" \"what to do differently\"", ref, ref),
				Ephemeral: true,
			})
	}
	add("rating", p.CoordinatorExternalID, p.CoordinatorName, "to rate the execution of "+ref,
		fmt.Sprintf("Ask them to rate it with /project rate %s 1-5 \"why\" (%s cannot close without a rating, or a skip with a reason).", ref, ref), bot.Message{
			Title: fmt.Sprintf("Rate the execution of %s %s", ref, p.Name),
			Text: fmt.Sprintf("%s is in closeout. How well was it run, 1 (badly) to 5 (very well)? Reply with:\n"+
				"/project rate %s 4 \"why\"\nYour own lessons: /lessons add %s \"went well\" \"do differently\"", ref, ref, ref),
			Ephemeral: true,
		})
	return asks, nil
}

// SendAsks sends asks at once, without an outbox (the console): who was
// asked, and who could not be reached (logged).
func (s *Service) SendAsks(ctx context.Context, p bot.Project, asks []Ask) (asked, failed []string) {
	for _, a := range asks {
		if _, err := s.Senders.Send(ctx, a.Delivery.To, a.Delivery.Messages...); err != nil {
			s.log().Warn("closeout message", "project", p.Ref(), "to", a.Name, "err", err)
			failed = append(failed, a.Name)
			continue
		}
		asked = append(asked, a.Name)
	}
	return asked, failed
}
