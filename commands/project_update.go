package commands

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/mspbot/mspbot/bot"
	"github.com/mspbot/mspbot/projects"
)

// findUpdate reads the update a week argument names, else the project's latest.
func findUpdate(ctx context.Context, d Deps, p bot.Project, args []string) (bot.WeeklyUpdate, []string, error) {
	if len(args) > 0 {
		if y, w, ok := parseISOWeek(args[0]); ok {
			u, err := d.Store.WeeklyUpdateFor(ctx, p.ID, y, w)
			return u, args[1:], notFoundAs(err, "%s has no update for %s", p.Ref(), args[0])
		}
	}
	u, err := d.Store.LatestWeeklyUpdate(ctx, p.ID, false)
	return u, args, notFoundAs(err, "%s has no weekly update yet; draft one with /project update %s", p.Ref(), p.Ref())
}

// updateActionRoles is who may type each action of /project update, as table
// data the Router enforces: reading ("" or show) is for the client and for
// coordinators, who draft; drafting, approving, editing and skipping are
// coordinators'. A tech does neither: the update is the coordinator's voice.
func updateActionRoles() map[string][]bot.Role {
	read := []bot.Role{bot.RoleClient, bot.RoleCoordinator, bot.RoleManager}
	write := bot.RolesFrom(bot.RoleCoordinator)
	return map[string][]bot.Role{"": read, "show": read, "draft": write, "approve": write, "edit": write, "skip": write}
}

func weeklyUpdate(ctx context.Context, d Deps, ev bot.Event, p bot.Project, args []string) ([]bot.Message, error) {
	// Who may read and who may draft, approve, edit or skip is the table's
	// (updateActionRoles); the Router has enforced it. A client reads the
	// posted update where staff read the draft: that is what they see, not
	// what they may do.
	if ev.Caller.Role == bot.RoleClient {
		// Clients see only what was approved and posted.
		u, err := d.Store.LatestWeeklyUpdate(ctx, p.ID, true)
		if err != nil {
			return nil, notFoundAs(err, "no update for %s has been posted yet", p.Ref())
		}
		m := projects.ClientMessage(p, u)
		m.Ephemeral = true
		return []bot.Message{m}, nil
	}
	svc := d.projectService()
	action := ""
	if len(args) > 0 {
		action, args = strings.ToLower(args[0]), args[1:]
	}
	switch action {
	case "", "draft", "show":
		if err := running(p); err != nil && action != "show" {
			return nil, err
		}
		u, created, err := svc.Draft(ctx, p, d.Clock.Now(), true)
		if err != nil {
			return nil, err
		}
		switch {
		case u.Status == bot.UpdateDrafted:
			intro := ""
			if !created {
				intro = "This week's draft (already made):"
			}
			return []bot.Message{projects.DraftMessage(p, u, intro)}, nil
		case u.Status == bot.UpdatePosted:
			loc := d.location(ev.Caller.Person)
			return reply(fmt.Sprintf("%s's update for %s was approved by %s and posted %s.", p.Ref(), u.Week(), u.ApprovedBy,
				u.PostedAt.In(loc).Format("Mon 2 Jan 15:04 MST"))), nil
		case u.Status == bot.UpdateApproved:
			return reply(fmt.Sprintf("%s's update for %s is approved and waiting for a client channel: /project set %s --channel #client-channel", p.Ref(), u.Week(), p.Ref())), nil
		default:
			return reply(fmt.Sprintf("%s's update for %s was skipped; the next one is drafted next week.", p.Ref(), u.Week())), nil
		}
	case "approve":
		u, _, err := findUpdate(ctx, d, p, args)
		if err != nil {
			return nil, err
		}
		if u.Status != bot.UpdateDrafted {
			// Approved by this very delivery before a crash: post it if that
			// did not happen yet (the claim posts it once), and answer as then.
			if again, err := replayedDelivery(ctx, d, ev); err != nil {
				return nil, err
			} else if again {
				if _, err := svc.Post(ctx, u.ID); err != nil && err != projects.ErrNoChannel {
					return nil, err
				}
				if u, err = d.Store.WeeklyUpdateByID(ctx, u.ID); err != nil {
					return nil, err
				}
				if u.Status != bot.UpdatePosted {
					return reply(fmt.Sprintf("Approved %s's update for %s; it is posted once %s has a client channel (/project set %s --channel #client-channel).",
						p.Ref(), u.Week(), p.Ref(), p.Ref())), nil
				}
				return []bot.Message{{Text: fmt.Sprintf("Approved by %s and posted %s's update for %s to %s's channel.", ev.Caller.Name, p.Ref(), u.Week(), p.ClientCode)}}, nil
			}
		}
		if line := projects.Unresolved(u.Body); line != "" && u.Status == bot.UpdateDrafted {
			return nil, bot.Errorf(bot.EConflict, "the draft still has a line to fill in: %q. Edit that section, e.g. /project update %s edit next \"what comes next\", then approve",
				line, p.Ref())
		}
		u, posted, err := svc.ApproveOnce(ctx, p, u.ID, ev.Caller.ID, ev.SourceID)
		if err == projects.ErrNoChannel {
			return reply(fmt.Sprintf("Approved %s's update for %s, but %s has no client channel: /project set %s --channel #client-channel and it is posted within a minute.",
				p.Ref(), u.Week(), p.Ref(), p.Ref())), nil
		}
		if err != nil {
			return nil, err
		}
		if !posted {
			return reply(fmt.Sprintf("Approved %s's update for %s; it is being posted.", p.Ref(), u.Week())), nil
		}
		return []bot.Message{{Text: fmt.Sprintf("Approved by %s and posted %s's update for %s to %s's channel.", ev.Caller.Name, p.Ref(), u.Week(), p.ClientCode)}}, nil
	case "skip":
		u, rest, err := findUpdate(ctx, d, p, args)
		if err != nil {
			return nil, err
		}
		// Replayed: skipped by this very delivery; the same answer, not "already skipped".
		u, err = d.Store.SkipWeeklyUpdateOnce(ctx, u.ID, ev.Caller.ID, d.Clock.Now(), strings.Join(rest, " "), ev.SourceID)
		if err != nil && !errors.Is(err, bot.ErrReplayed) {
			return nil, err
		}
		return reply(fmt.Sprintf("Skipped %s's update for %s: nothing goes to %s this week.", p.Ref(), u.Week(), p.ClientCode)), nil
	case "edit":
		u, rest, err := findUpdate(ctx, d, p, args)
		if err != nil {
			return nil, err
		}
		// Made by this delivery before a crash, the edit is answered as then
		// even if the update was approved since.
		again, err := replayedDelivery(ctx, d, ev)
		if err != nil {
			return nil, err
		}
		if u.Status != bot.UpdateDrafted && !again {
			return nil, bot.Errorf(bot.EConflict, "the update for %s is already %s", u.Week(), u.Status)
		}
		if strings.TrimSpace(strings.Join(rest, " ")) == "" {
			// Where the platform has forms (Slack), the whole update opens in
			// one, multi-line and as drafted; elsewhere the text says how to type it.
			return []bot.Message{{Title: fmt.Sprintf("Edit %s's update for %s", p.Ref(), u.Week()), Ephemeral: true,
				Text: fmt.Sprintf("Edit one section at a time (%s), lines separated by ;\n/project update %s edit %s next \"cut-over Saturday; handover Monday\"\nText without a section name is added as a note.\n\n%s",
					strings.Join(projects.SectionKeys(), ", "), p.Ref(), u.Week(), u.Body),
				Form: &bot.Form{Title: "Edit weekly update", Label: fmt.Sprintf("%s's update for %s, as %s will see it", p.Ref(), u.Week(), p.ClientCode),
					Initial: u.Body, Submit: fmt.Sprintf("/project update %s edit %s", p.Ref(), u.Week())}}}, nil
		}
		body, what, err := editedBody(u.Body, rest)
		if err != nil && !again {
			return nil, err
		}
		// The edit's number is this delivery's, replayed or not: a note is
		// added once, and a replay answers "edit 2" as the first time did.
		u, n, err := d.Store.EditWeeklyUpdateOnce(ctx, u.ID, ev.Caller.ID, d.Clock.Now(), body, ev.SourceID)
		if err != nil && !errors.Is(err, bot.ErrReplayed) {
			return nil, err
		}
		return []bot.Message{projects.DraftMessage(p, u, fmt.Sprintf("Edited by %s (edit %d): %s. Approve to post it:", ev.Caller.Name, n, what))}, nil
	}
	return nil, bot.Errorf(bot.EInvalid, `use /project update %s [approve|skip|edit ["new text"]]`, p.Ref())
}

// editedBody applies an edit to a draft and says what changed. A section name
// first (next, done, …) replaces that section's lines; a whole text that keeps
// every section replaces the update; anything else is a note, so an edit never
// flattens the structured update into one line.
func editedBody(body string, args []string) (string, string, error) {
	if sec, ok := projects.FindSection(args[0]); ok {
		out, err := projects.EditSection(body, sec, strings.Join(args[1:], " "))
		return out, fmt.Sprintf("the %q section", strings.TrimSuffix(sec.Heading, ":")), err
	}
	text := strings.TrimSpace(strings.Join(args, " "))
	if strings.Contains(text, "\n") && projects.KeepsStructure(body, text) {
		return text, "the whole text", nil
	}
	note, _ := projects.FindSection("note")
	out, err := projects.EditSection(body, note, text)
	return out, "a note", err
}
