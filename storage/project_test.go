package storage_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/mspbot/mspbot/bot"
	"github.com/mspbot/mspbot/storage"
)

func date(s string) time.Time {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return t
}

func newProject(t *testing.T, s *storage.Store, ws int64, by bot.Person, client, name, desc string) bot.Project {
	t.Helper()
	ctx := context.Background()
	c, err := s.EnsureClient(ctx, ws, client)
	if err != nil {
		t.Fatal(err)
	}
	p, err := s.CreateProject(ctx, bot.Project{WorkspaceID: ws, ClientID: c.ID, Name: name, Description: desc,
		CoordinatorID: by.ID, Start: date("2026-12-01"), End: date("2027-01-31"), BudgetMinutes: 120 * 60,
		Channel: "C-ACME", UpdateWeekday: time.Friday, UpdateMinute: 15 * 60}, by.ID)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestProjectNumbersMilestonesOOSAndHours(t *testing.T) {
	t.Parallel()
	s, ws, dana := setup(t)
	ctx := context.Background()
	p1 := newProject(t, s, ws, dana, "ACME", "Firewall replacement", "")
	p2 := newProject(t, s, ws, dana, "ACME", "Office move", "")
	if p1.Ref() != "P1" || p2.Ref() != "P2" {
		t.Fatalf("refs %s %s; want P1 P2", p1.Ref(), p2.Ref())
	}
	got, err := s.ProjectByNumber(ctx, ws, 1)
	if err != nil || got.Name != "Firewall replacement" || got.ClientCode != "ACME" || got.CoordinatorName != "dana" ||
		got.UpdateWeekday != time.Friday || got.UpdateMinute != 900 || !got.End.Equal(date("2027-01-31")) ||
		got.Platform != bot.PlatformConsole || got.WorkspaceExternalID != "console" {
		t.Fatalf("read back: %+v %v", got, err)
	}
	if _, err := s.ProjectByNumber(ctx, ws, 99); bot.ErrorCode(err) != bot.ENotFound {
		t.Fatalf("missing project: %v", err)
	}

	if _, err := s.AddMilestone(ctx, p1.ID, "Design", date("2026-12-10")); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddMilestone(ctx, p1.ID, "design", date("2026-12-11")); bot.ErrorCode(err) != bot.EConflict {
		t.Fatalf("duplicate milestone: %v", err)
	}
	at := time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)
	m, from, err := s.SetMilestoneProgress(ctx, p1.ID, "DESIGN", 100, dana.ID, at)
	if err != nil || from != 0 || m.Percent != 100 || m.DoneAt == nil {
		t.Fatalf("progress: %+v from %d %v", m, from, err)
	}
	ch, err := s.MilestoneChanges(ctx, p1.ID, at.Add(-time.Hour), at.Add(time.Hour))
	if err != nil || len(ch) != 1 || ch[0].To != 100 || ch[0].By != "dana" {
		t.Fatalf("changes: %+v %v", ch, err)
	}

	a, err := s.AddOOS(ctx, bot.OOSItem{ProjectID: p1.ID, Minutes: 360, Description: "extra VLAN", ApprovedBy: "client"}, dana.ID)
	if err != nil || a.Number != 1 {
		t.Fatalf("oos: %+v %v", a, err)
	}
	if _, err := s.MarkOOSInvoiced(ctx, p1.ID, 1, dana.ID, at); err != nil {
		t.Fatal(err)
	}
	if _, err := s.MarkOOSInvoiced(ctx, p1.ID, 1, dana.ID, at); bot.ErrorCode(err) != bot.EConflict {
		t.Fatalf("invoicing twice: %v", err)
	}

	for _, d := range []string{"2026-12-01", "2026-12-01", "2026-12-08"} {
		if err := s.LogProjectTime(ctx, ws, dana.ID, p1.ID, 90, date(d), "work"); err != nil {
			t.Fatal(err)
		}
	}
	if n, err := s.ProjectMinutes(ctx, p1.ID); err != nil || n != 270 {
		t.Fatalf("minutes = %d, %v; want 270", n, err)
	}
	byDay, err := s.ProjectMinutesByDay(ctx, p1.ID)
	if err != nil || len(byDay) != 2 || byDay[0].Minutes != 180 {
		t.Fatalf("by day: %+v %v", byDay, err)
	}
	if n, _ := s.ProjectMinutes(ctx, p2.ID); n != 0 {
		t.Fatalf("P2 minutes = %d; want 0", n)
	}
}

func TestWeeklyUpdateOncePerWeekAndOneApprovalOnePost(t *testing.T) {
	t.Parallel()
	s, ws, dana := setup(t)
	ctx := context.Background()
	p := newProject(t, s, ws, dana, "ACME", "Firewall", "")
	now := time.Date(2026, 12, 4, 22, 0, 0, 0, time.UTC)
	in := bot.WeeklyUpdate{ProjectID: p.ID, ISOYear: 2026, ISOWeek: 49, Draft: "draft", DraftedAt: now, Deadline: now.Add(72 * time.Hour)}

	var wg sync.WaitGroup
	created := make([]bool, 5)
	for i := range created {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			_, c, err := s.CreateWeeklyUpdate(ctx, in)
			if err != nil {
				t.Error(err)
			}
			created[i] = c
		}(i)
	}
	wg.Wait()
	n := 0
	for _, c := range created {
		if c {
			n++
		}
	}
	if n != 1 {
		t.Fatalf("%d concurrent creates succeeded; want 1", n)
	}
	u, err := s.WeeklyUpdateFor(ctx, p.ID, 2026, 49)
	if err != nil {
		t.Fatal(err)
	}
	if ok, _ := s.ClaimUpdateDM(ctx, u.ID, now); !ok {
		t.Fatal("first DM claim failed")
	}
	if ok, _ := s.ClaimUpdateDM(ctx, u.ID, now); ok {
		t.Fatal("second DM claim succeeded")
	}
	if _, err := s.EditWeeklyUpdate(ctx, u.ID, dana.ID, now, "edited"); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := s.ClaimUpdatePost(ctx, u.ID, now, now.Add(-5*time.Minute)); ok {
		t.Fatal("a draft must not be postable")
	}
	if _, err := s.ApproveWeeklyUpdate(ctx, u.ID, dana.ID, now); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ApproveWeeklyUpdate(ctx, u.ID, dana.ID, now); bot.ErrorCode(err) != bot.EConflict {
		t.Fatalf("second approval: %v", err)
	}
	if _, err := s.EditWeeklyUpdate(ctx, u.ID, dana.ID, now, "late edit"); bot.ErrorCode(err) != bot.EConflict {
		t.Fatalf("editing an approved update: %v", err)
	}
	got, ok, err := s.ClaimUpdatePost(ctx, u.ID, now, now.Add(-5*time.Minute))
	if err != nil || !ok || got.Body != "edited" || got.EditCount != 1 || got.ApprovedBy != "dana" {
		t.Fatalf("claim post: %+v %v %v", got, ok, err)
	}
	if _, ok, _ := s.ClaimUpdatePost(ctx, u.ID, now, now.Add(-5*time.Minute)); ok {
		t.Fatal("a fresh claim was taken twice")
	}
	if err := s.MarkUpdatePosted(ctx, u.ID, now, "m1"); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := s.ClaimUpdatePost(ctx, u.ID, now.Add(time.Hour), now.Add(time.Hour)); ok {
		t.Fatal("a posted update was claimed again")
	}

	// A second week's draft, left alone, is reminded about once after its deadline.
	in.ISOWeek, in.Deadline = 50, now.Add(7*24*time.Hour)
	if _, _, err := s.CreateWeeklyUpdate(ctx, in); err != nil {
		t.Fatal(err)
	}
	if r, _ := s.ClaimDueReminders(ctx, now.Add(6*24*time.Hour)); len(r) != 0 {
		t.Fatalf("reminded before the deadline: %d", len(r))
	}
	if r, _ := s.ClaimDueReminders(ctx, now.Add(8*24*time.Hour)); len(r) != 1 || r[0].ISOWeek != 50 {
		t.Fatalf("reminders: %+v", r)
	}
	if r, _ := s.ClaimDueReminders(ctx, now.Add(9*24*time.Hour)); len(r) != 0 {
		t.Fatalf("reminded twice: %d", len(r))
	}
}

func TestCloseoutRefusesWithOpenItem(t *testing.T) {
	t.Parallel()
	s, ws, dana := setup(t)
	ctx := context.Background()
	p := newProject(t, s, ws, dana, "ACME", "Firewall", "")
	at := time.Date(2027, 2, 1, 9, 0, 0, 0, time.UTC)
	if err := s.FinishProject(ctx, p.ID, at); bot.ErrorCode(err) != bot.EConflict {
		t.Fatalf("finishing an active project: %v", err)
	}
	if started, err := s.StartCloseout(ctx, p.ID, at); err != nil || !started {
		t.Fatalf("start: %v %v", started, err)
	}
	if started, err := s.StartCloseout(ctx, p.ID, at); err != nil || started {
		t.Fatalf("second start: %v %v", started, err)
	}
	// The support sign-off is someone else's than the coordinator's (dana).
	sam, _, _, err := s.EnsurePerson(ctx, bot.NewPerson{WorkspaceID: ws, ExternalID: "sam", Name: "sam"}, false)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.TickCloseout(ctx, p.ID, "signoff", dana.ID, at, ""); bot.ErrorCode(err) != bot.EConflict {
		t.Fatalf("the coordinator signed off: %v", err)
	}
	for _, it := range []string{"docs", "signoff", "acceptance", "time"} {
		by := dana.ID
		if it == "signoff" {
			by = sam.ID
		}
		if err := s.TickCloseout(ctx, p.ID, it, by, at, ""); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.TickCloseout(ctx, p.ID, "docs", dana.ID, at, ""); bot.ErrorCode(err) != bot.EConflict {
		t.Fatalf("ticking twice: %v", err)
	}
	err = s.FinishProject(ctx, p.ID, at)
	if bot.ErrorCode(err) != bot.EConflict || !contains(bot.ErrorMessage(err), "oos") {
		t.Fatalf("finishing with oos open: %v", err)
	}
	if got, _ := s.ProjectByID(ctx, p.ID); got.Status != bot.ProjectClosing {
		t.Fatalf("refused finish changed status to %s", got.Status)
	}
	if err := s.WaiveCloseout(ctx, p.ID, "oos", dana.ID, at, "no out-of-scope work"); err != nil {
		t.Fatal(err)
	}
	if err := s.FinishProject(ctx, p.ID, at); !errors.Is(err, bot.ErrNoRating) {
		t.Fatalf("finishing without a rating: %v", err)
	}
	if err := s.RateProject(ctx, p.ID, 4, "fine", dana.ID, at); err != nil {
		t.Fatal(err)
	}
	if err := s.FinishProject(ctx, p.ID, at); err != nil {
		t.Fatal(err)
	}
	list, err := s.CloseoutChecklist(ctx, p.ID)
	if err != nil || len(list) != 5 || list[0].Item != "docs" || list[4].WaivedReason != "no out-of-scope work" {
		t.Fatalf("checklist: %+v %v", list, err)
	}
	if got, _ := s.ProjectByID(ctx, p.ID); got.Status != bot.ProjectClosed || got.ClosedAt == nil {
		t.Fatalf("status %s", got.Status)
	}
}

func TestLessonSearchRanksRelevantFirst(t *testing.T) {
	t.Parallel()
	s, ws, dana := setup(t)
	ctx := context.Background()
	vpn := newProject(t, s, ws, dana, "ACME", "VPN migration to WireGuard", "Move 40 remote users off the old IPsec VPN")
	mail := newProject(t, s, ws, dana, "GLOBEX", "Email migration", "Exchange to Microsoft 365 mailbox migration")
	move := newProject(t, s, ws, dana, "INITECH", "Office move", "Move the Denver office, 30 staff")
	if _, err := s.AddLesson(ctx, mail.ID, dana.ID, "Staged mailbox batches overnight", "Check DNS TTLs a week before cut-over"); err != nil {
		t.Fatal(err)
	}
	want, err := s.AddLesson(ctx, vpn.ID, dana.ID, "Pilot group of five users found the split-tunnel bug",
		"Collect every remote user's home router model before the VPN cut-over")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddLesson(ctx, move.ID, dana.ID, "Labelled every desk", "Book the lift earlier"); err != nil {
		t.Fatal(err)
	}
	got, err := s.SearchLessons(ctx, ws, "vpn migration", 5, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) < 2 || got[0].ID != want.ID || got[0].ProjectRef != vpn.Ref() || got[0].Author != "dana" {
		t.Fatalf("search ranked %+v; want the VPN lesson first", got)
	}
	for _, l := range got {
		if l.ProjectID == move.ID {
			t.Fatalf("the office move lesson matched 'vpn migration': %+v", l)
		}
	}
	if got, _ := s.SearchLessons(ctx, ws, "vpn", 5, vpn.ID); len(got) != 0 {
		t.Fatalf("excluded project's lesson returned: %+v", got)
	}
	if got, err := s.SearchLessons(ctx, ws, `!!! & | ' "`, 5, 0); err != nil || len(got) != 0 {
		t.Fatalf("punctuation-only search: %+v %v", got, err)
	}
}

func contains(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}
