package commands

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/mspbot/mspbot/bot"
	"github.com/mspbot/mspbot/projects"
)

// checklistMessage shows the closeout checklist with a button per open item.
func checklistMessage(p bot.Project, items []bot.CloseoutItem, intro string) bot.Message {
	m := bot.Message{Title: fmt.Sprintf("Closeout of %s %s (%s)", p.Ref(), p.Name, p.ClientCode), Text: intro, ProjectNumber: int64(p.Number)}
	open := 0
	for _, it := range items {
		v := "open — " + tickHint(p, it.Item)
		switch {
		case it.DoneAt != nil:
			v = "done by " + it.DoneBy
			if it.Note != "" {
				v += " (" + it.Note + ")"
			}
		case it.WaivedAt != nil:
			v = fmt.Sprintf("waived by %s: %s", it.WaivedBy, it.WaivedReason)
		default:
			open++
			m.Actions = append(m.Actions, bot.Action{ID: "project.tick." + it.Item, Label: "✓ " + bot.CloseoutLabels[it.Item],
				Value: p.Ref() + " " + it.Item, Command: "/project tick " + p.Ref() + " " + it.Item})
		}
		m.Fields = append(m.Fields, bot.Field{Label: fmt.Sprintf("%s (%s)", bot.CloseoutLabels[it.Item], it.Item), Value: v})
	}
	switch {
	case p.Status == bot.ProjectClosed:
		// A tick or waiver handled again after the project closed shows the
		// final checklist: no button to close it again.
		m.Text = strings.TrimSpace(m.Text + fmt.Sprintf("\n%s is closed; its checklist is final.", p.Ref()))
		m.Actions = nil
	case open == 0:
		m.Text = strings.TrimSpace(m.Text + fmt.Sprintf("\nEverything is done or waived: /project close %s to close it.", p.Ref()))
		m.Actions = []bot.Action{{ID: "project.close", Label: "Close " + p.Ref(), Value: p.Ref(), Style: "primary", Command: "/project close " + p.Ref()}}
	}
	return m
}

func tickHint(p bot.Project, item string) string {
	switch item {
	case "signoff":
		if p.SupportLead != "" {
			return p.SupportLead + " (support lead) ticks it"
		}
		return "name the support lead: /project set " + p.Ref() + " --lead @name"
	case "acceptance":
		return "a " + p.ClientCode + " user, or the coordinator recording who accepted"
	case "docs":
		return "any tech"
	default:
		return "a coordinator"
	}
}

func closeProject(ctx context.Context, d Deps, ev bot.Event, p bot.Project, args []string) ([]bot.Message, error) {
	pos, flags, err := splitFlags(args, "lead")
	if err != nil {
		return nil, err
	}
	if len(pos) > 0 {
		return nil, bot.Errorf(bot.EInvalid, "use /project close %s [--lead @support-lead]", p.Ref())
	}
	if len(flags) > 0 {
		if err := applyProjectFlags(ctx, d, ev, &p, flags, projectToday(d, p)); err != nil {
			return nil, err
		}
		// The lead is saved in a transaction of its own, before the closeout
		// starts or the project closes, so it is recorded under a key of its
		// own: the same delivery handled again leaves a lead named since
		// standing (ErrReplayed: p as it is now), while the delivery's own
		// key still says only whether the closeout step was taken.
		leadKey := ""
		if ev.SourceID != "" {
			leadKey = ev.SourceID + "/lead"
		}
		if p, err = d.Store.UpdateProjectOnce(ctx, p, leadKey); err != nil && !errors.Is(err, bot.ErrReplayed) {
			return nil, err
		}
	}
	now := d.Clock.Now()
	if p.Status != bot.ProjectActive {
		// This very delivery started the closeout, or closed the project, or
		// was refused, or found the closeout started by another, before a
		// crash: answer as then, not "was closed" or "not closed" — and never
		// close what it was told stays open or answered with the checklist.
		if again, err := replayedDelivery(ctx, d, ev); err != nil {
			return nil, err
		} else if refused, checklist, err := unchangedBefore(ctx, d, ev, again); err != nil {
			return nil, err
		} else if refused {
			return notClosedAgain(ctx, d, p)
		} else if checklist {
			return checklistReply(ctx, d, p, closeoutIntro(p), nil)
		} else if again && p.Status == bot.ProjectClosing {
			items, err := d.Store.CloseoutChecklist(ctx, p.ID)
			if err != nil {
				return nil, err
			}
			intro := closeoutIntro(p)
			if d.Outbox != nil {
				// Its asks were queued with the closeout and are not queued
				// again; the answer names them as the first did (read again:
				// someone who logged time since would be named, not asked).
				asks, err := d.projectService().LessonAsks(ctx, p, closerOf(ev), ev.SourceID)
				if err != nil {
					return nil, err
				}
				intro += askingLine(asks)
			}
			return []bot.Message{checklistMessage(p, items, intro)}, nil
		} else if again {
			return closedReply(p), nil
		}
	}
	switch p.Status {
	case bot.ProjectClosed:
		return nil, bot.Errorf(bot.EConflict, "%s was closed on %s", p.Ref(), p.ClosedAt.Format("2 Jan 2006"))
	case bot.ProjectActive:
		return startCloseout(ctx, d, ev, p, now)
	}
	err = d.Store.FinishProjectOnce(ctx, p.ID, now, ev.SourceID)
	if bot.ErrorCode(err) == bot.EConflict {
		items, lerr := d.Store.CloseoutChecklist(ctx, p.ID)
		if lerr != nil {
			return nil, lerr
		}
		return notClosed(p, items, notClosedWhy(p, err)), nil
	}
	if err != nil {
		return nil, err
	}
	return closedReply(p), nil
}

// startCloseout moves an active project into closeout and asks, privately,
// everyone who logged time on it for lessons learned and its coordinator for
// the rating. With an outbox the asks are queued in the closeout's own
// transaction, so they are posted, once, whatever crash follows the commit;
// they are on their way, not yet delivered, when this answers. Without one
// (the console) they are sent at once and the reply says who was reached.
func startCloseout(ctx context.Context, d Deps, ev bot.Event, p bot.Project, now time.Time) ([]bot.Message, error) {
	// Who logged time is read just before the transaction: someone logging
	// their first time on the project in that instant is not asked.
	asks, err := d.projectService().LessonAsks(ctx, p, closerOf(ev), ev.SourceID)
	if err != nil {
		return nil, err
	}
	owed := bot.Owed{Via: d.Outbox}
	if d.Outbox != nil {
		for _, a := range asks {
			owed.Deliveries = append(owed.Deliveries, a.Delivery)
		}
	}
	started, err := d.Store.StartCloseoutOnce(ctx, p.ID, now, ev.SourceID, owed)
	if err != nil {
		return nil, err
	}
	items, err := d.Store.CloseoutChecklist(ctx, p.ID)
	if err != nil {
		return nil, err
	}
	intro := closeoutIntro(p)
	switch {
	case !started:
		// Another delivery started it a moment ago and asked; the store
		// recorded this answer under ev's key (closeProject repeats it).
	case d.Outbox != nil:
		intro += askingLine(asks)
	default:
		asked, failed := d.projectService().SendAsks(ctx, p, asks)
		if len(asked) > 0 {
			intro += "\nAsked privately for lessons learned / the rating: " + strings.Join(asked, ", ") + "."
		}
		if len(failed) > 0 {
			intro += "\nCould not reach " + strings.Join(failed, ", ") + fmt.Sprintf(": ask them to run /lessons add %s \"went well\" \"do differently\".", p.Ref())
		}
	}
	p.Status = bot.ProjectClosing
	return []bot.Message{checklistMessage(p, items, intro)}, nil
}

// closerOf is where ev's caller is messaged privately.
func closerOf(ev bot.Event) bot.Destination {
	return bot.Destination{Platform: ev.Platform, Workspace: ev.Workspace, UserID: ev.User.ID}
}

// askingLine tells the closer who is being asked. The asks are queued, not
// yet posted, so it says "asking", and who will hear of a refused one.
func askingLine(asks []projects.Ask) string {
	var names []string
	passedOn := false
	for _, a := range asks {
		names = append(names, a.Name)
		passedOn = passedOn || a.Delivery.Else != nil
	}
	line := "\nAsking privately for lessons learned / the rating: " + strings.Join(names, ", ") + "."
	if passedOn {
		line += " Anyone whose direct messages are closed to the bot is named to you privately, to ask yourself."
	}
	return line
}

// unchangedBefore says how ev's delivery (again: it was handled before) was
// answered if it changed nothing: a close the store refused, or the checklist
// of a closeout another delivery had started.
func unchangedBefore(ctx context.Context, d Deps, ev bot.Event, again bool) (refused, checklist bool, err error) {
	if !again {
		return false, false, nil
	}
	if refused, err = d.Store.DeliveryRefused(ctx, ev.Caller.WorkspaceID, ev.SourceID); err != nil || refused {
		return refused, false, err
	}
	checklist, err = d.Store.DeliveryAnswered(ctx, ev.Caller.WorkspaceID, ev.SourceID)
	return false, checklist, err
}

// notClosedWhy is what a refused close says for the store's conflict err.
func notClosedWhy(p bot.Project, err error) string {
	if errors.Is(err, bot.ErrNoRating) {
		return fmt.Sprintf("Not closed: %s has no execution rating. Rate it with /project rate %s 1-5 \"why\", or skip the rating with /project rate %s skip \"why\".",
			p.Ref(), p.Ref(), p.Ref())
	}
	return "Not closed: " + bot.ErrorMessage(err) + "."
}

// notClosed is a refused close's reply: the checklist, privately, as an error.
func notClosed(p bot.Project, items []bot.CloseoutItem, why string) []bot.Message {
	m := checklistMessage(p, items, why)
	m.IsError, m.Ephemeral = true, true
	return []bot.Message{m}
}

// notClosedAgain answers a refused close handled again. It changes nothing:
// the person saw "Not closed", so items finished since do not make this old
// delivery close the project (a new /project close does). While the reason
// still holds it reads as the first answer did.
func notClosedAgain(ctx context.Context, d Deps, p bot.Project) ([]bot.Message, error) {
	items, err := d.Store.CloseoutChecklist(ctx, p.ID)
	if err != nil {
		return nil, err
	}
	var open []string
	for _, it := range items {
		if !it.Finished() {
			open = append(open, it.Item)
		}
	}
	why := fmt.Sprintf("Not closed: %s could not close yet when this was first handled; handled again, it changes nothing.", p.Ref())
	switch {
	case p.Status == bot.ProjectClosed:
		why = fmt.Sprintf("Not closed by this command: %s could not close yet when it was first handled.", p.Ref())
	case len(open) > 0:
		why = notClosedWhy(p, bot.ErrOpenItems(open))
	default:
		if _, rerr := d.Store.ProjectRating(ctx, p.ID); bot.ErrorCode(rerr) == bot.ENotFound {
			why = notClosedWhy(p, bot.ErrNoRating)
		} else if rerr != nil {
			return nil, rerr
		}
	}
	return notClosed(p, items, why), nil
}

func closeoutIntro(p bot.Project) string {
	return fmt.Sprintf("%s is in closeout. It closes when every item below is done or waived (/project waive %s <item> \"reason\").", p.Ref(), p.Ref())
}

func closedReply(p bot.Project) []bot.Message {
	return []bot.Message{{Text: fmt.Sprintf("%s %s is closed. Its time, checklist and rating are final.", p.Ref(), p.Name)}}
}

// closeoutItemRoles is who may tick each closeout item, as table data the
// Router enforces: the documentation is staff's; acceptance comes from the
// client or is recorded by a coordinator (a tech may not record it); the time
// and out-of-scope checks are coordinators'. The sign-off is open to every
// role here because it belongs to one person, the project's named support
// lead, which only the project record can say (tickItem checks it).
func closeoutItemRoles() map[string][]bot.Role {
	return map[string][]bot.Role{
		"docs":       bot.RolesFrom(bot.RoleTech),
		"signoff":    bot.RolesFrom(bot.RoleClient),
		"acceptance": {bot.RoleClient, bot.RoleCoordinator, bot.RoleManager},
		"time":       bot.RolesFrom(bot.RoleCoordinator),
		"oos":        bot.RolesFrom(bot.RoleCoordinator),
	}
}

// canonCloseoutItem is closeoutItem for the Router: the same reading of a
// typed item, so the table's rule applies to "documentation" as to "docs".
func canonCloseoutItem(s string) (string, bool) {
	it, err := closeoutItem(bot.Project{}, s)
	return it, err == nil
}

// closeoutItem reads an item name: a key or the start of its label.
func closeoutItem(p bot.Project, s string) (string, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	for _, it := range bot.CloseoutItems {
		if s == it || (len(s) >= 3 && strings.HasPrefix(bot.CloseoutLabels[it], s)) {
			return it, nil
		}
	}
	return "", bot.Errorf(bot.EInvalid, "%q is not a closeout item; the items are %s", s, strings.Join(bot.CloseoutItems, ", "))
}

func tickItem(ctx context.Context, d Deps, ev bot.Event, p bot.Project, args []string) ([]bot.Message, error) {
	if len(args) == 0 {
		return nil, bot.Errorf(bot.EInvalid, "use /project tick %s docs|signoff|acceptance|time|oos [note]", p.Ref())
	}
	item, err := closeoutItem(p, args[0])
	if err != nil {
		return nil, err
	}
	note := strings.TrimSpace(strings.Join(args[1:], " "))
	// Which role may tick which item is the table's (closeoutItemRoles), and
	// the Router has enforced it; what remains here depends on the project:
	// the sign-off is the named support lead's, whatever their role.
	switch item {
	case "signoff":
		switch {
		case p.SupportLeadID == nil:
			return nil, bot.Errorf(bot.EInvalid, "no support lead is named for %s; a coordinator names one with /project set %s --lead @name", p.Ref(), p.Ref())
		case ev.Caller.ID == p.CoordinatorID && *p.SupportLeadID != ev.Caller.ID:
			return nil, bot.Errorf(bot.EForbidden, "the support team signs off %s, not its coordinator: it is %s's to give, as the named support lead", p.Ref(), p.SupportLead)
		case ev.Caller.ID == p.CoordinatorID:
			return nil, bot.Errorf(bot.EForbidden, "the support team signs off %s, not its coordinator; name someone else with /project set %s --lead @name", p.Ref(), p.Ref())
		case *p.SupportLeadID != ev.Caller.ID:
			return nil, bot.Errorf(bot.EForbidden, "the support team's sign-off is %s's to give, as the named support lead", p.SupportLead)
		}
	case "acceptance":
		// A client gives acceptance in their own words; staff (coordinators,
		// by the table) record someone else's and must say whose.
		if ev.Caller.Role == bot.RoleClient {
			note = strings.TrimSpace("accepted by " + ev.Caller.Name + " for " + p.ClientCode + ". " + note)
			break
		}
		if note == "" {
			return nil, bot.Errorf(bot.EInvalid, `say who accepted for %s and how: /project tick %s acceptance "Jane Doe, by email 2 Feb"`, p.ClientCode, p.Ref())
		}
		note = "recorded: " + note
	}
	intro := fmt.Sprintf("%s ticked %q.", ev.Caller.Name, bot.CloseoutLabels[item])
	// This delivery ticked it before a crash: the same answer, whatever the
	// project has become since (invoiced, closed).
	if again, err := replayedDelivery(ctx, d, ev); err != nil || again {
		return checklistReply(ctx, d, p, intro, err)
	}
	if item == "oos" {
		items, err := d.Store.OOSItems(ctx, p.ID)
		if err != nil {
			return nil, err
		}
		var open []string
		for _, it := range items {
			if it.InvoicedAt == nil {
				open = append(open, strconv.Itoa(it.Number))
			}
		}
		if len(open) > 0 {
			which := "item " + open[0] + " is"
			if len(open) > 1 {
				which = "items " + strings.Join(open, ", ") + " are"
			}
			return nil, bot.Errorf(bot.EConflict, "out-of-scope %s not invoiced: /project oos-invoiced %s <item> for each, or waive with a reason",
				which, p.Ref())
		}
	}
	if p.Status != bot.ProjectClosing {
		return nil, bot.Errorf(bot.EConflict, "%s is not in closeout; a coordinator starts it with /project close %s", p.Ref(), p.Ref())
	}
	err = d.Store.TickCloseoutOnce(ctx, p.ID, item, ev.Caller.ID, d.Clock.Now(), note, ev.SourceID)
	return checklistReply(ctx, d, p, intro, err)
}

// checklistReply answers a tick or waiver that returned err with the
// checklist; bot.ErrReplayed (the same delivery handled again) answers as the
// change did the first time.
func checklistReply(ctx context.Context, d Deps, p bot.Project, intro string, err error) ([]bot.Message, error) {
	if err != nil && !errors.Is(err, bot.ErrReplayed) {
		return nil, err
	}
	items, err := d.Store.CloseoutChecklist(ctx, p.ID)
	if err != nil {
		return nil, err
	}
	return []bot.Message{checklistMessage(p, items, intro)}, nil
}

func waiveItem(ctx context.Context, d Deps, ev bot.Event, p bot.Project, args []string) ([]bot.Message, error) {
	if len(args) < 2 {
		return nil, bot.Errorf(bot.EInvalid, `use /project waive %s <item> "reason" (a reason is required)`, p.Ref())
	}
	item, err := closeoutItem(p, args[0])
	if err != nil {
		return nil, err
	}
	reason := strings.TrimSpace(strings.Join(args[1:], " "))
	if reason == "" {
		return nil, bot.Errorf(bot.EInvalid, "a waiver needs a reason")
	}
	intro := fmt.Sprintf("%s waived %q: %s", ev.Caller.Name, bot.CloseoutLabels[item], reason)
	// Waived by this delivery before a crash: the same answer, as for a tick.
	if again, err := replayedDelivery(ctx, d, ev); err != nil || again {
		return checklistReply(ctx, d, p, intro, err)
	}
	if p.Status != bot.ProjectClosing {
		return nil, bot.Errorf(bot.EConflict, "%s is not in closeout; start it with /project close %s", p.Ref(), p.Ref())
	}
	err = d.Store.WaiveCloseoutOnce(ctx, p.ID, item, ev.Caller.ID, d.Clock.Now(), reason, ev.SourceID)
	return checklistReply(ctx, d, p, intro, err)
}

func rateProject(ctx context.Context, d Deps, ev bot.Event, p bot.Project, args []string) ([]bot.Message, error) {
	usage := bot.Errorf(bot.EInvalid, `use /project rate %s 1-5 "why", e.g. /project rate %s 4 "on time, one weekend overrun", or /project rate %s skip "why not"`, p.Ref(), p.Ref(), p.Ref())
	if len(args) < 2 {
		return nil, usage
	}
	n, err := strconv.Atoi(args[0])
	skip := strings.EqualFold(args[0], "skip")
	if !skip && (err != nil || n < 1 || n > 5) {
		return nil, usage
	}
	reason := strings.TrimSpace(strings.Join(args[1:], " "))
	if reason == "" {
		return nil, usage
	}
	if skip {
		n = 0
	}
	// Rated by this delivery before a crash: the same answer, whatever the
	// project has become since (rated again, closed), and no second write.
	again, err := replayedDelivery(ctx, d, ev)
	if err != nil {
		return nil, err
	}
	switch {
	case again:
	case p.Status == bot.ProjectActive:
		return nil, bot.Errorf(bot.EConflict, "%s is still running; rate it at closeout (/project close %s)", p.Ref(), p.Ref())
	case p.Status == bot.ProjectClosed:
		return nil, bot.Errorf(bot.EConflict, "%s is closed; its rating is final", p.Ref())
	default:
		err = d.Store.RateProjectOnce(ctx, p.ID, n, reason, ev.Caller.ID, d.Clock.Now(), ev.SourceID)
		if err != nil && !errors.Is(err, bot.ErrReplayed) {
			return nil, err
		}
	}
	if skip {
		return []bot.Message{{Text: fmt.Sprintf("%s: rating skipped by %s: %s", p.Ref(), ev.Caller.Name, reason)}}, nil
	}
	return []bot.Message{{Text: fmt.Sprintf("%s rated %d/5 by %s: %s", p.Ref(), n, ev.Caller.Name, reason)}}, nil
}
