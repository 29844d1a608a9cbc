package commands

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/mspbot/mspbot/bot"
)

type lessonStore interface {
	AddLessonOnce(ctx context.Context, projectID, authorID int64, wentWell, doDifferently, key string) (bot.Lesson, error)
	SearchLessons(ctx context.Context, workspaceID int64, text string, limit int, excludeProject int64) ([]bot.Lesson, error)
}

func lessonsCommand(d Deps) bot.Command {
	return bot.Command{
		Name:    "lessons",
		Usage:   `/lessons add P12 "what went well" "what to do differently" | /lessons search <words>`,
		Summary: "record what a project taught you, or find what past projects taught",
		MinRole: bot.RoleTech,
		Handler: func(ctx context.Context, ev bot.Event) ([]bot.Message, error) {
			if rest, ok := cutWord(ev.Args, "search"); ok {
				return searchLessons(ctx, d, ev, rest)
			}
			args, err := bot.SplitArgs(ev.Args)
			if err != nil {
				return nil, err
			}
			if len(args) == 0 || !strings.EqualFold(args[0], "add") {
				return nil, bot.Errorf(bot.EInvalid, `use /lessons add P12 "what went well" "what to do differently", or /lessons search vpn migration`)
			}
			if len(args) != 4 || (strings.TrimSpace(args[2]) == "" && strings.TrimSpace(args[3]) == "") {
				return nil, bot.Errorf(bot.EInvalid, `use /lessons add P12 "what went well" "what to do differently" (quote each part; either may be "")`)
			}
			return withProject(ctx, d, ev, args[1:2], func(p bot.Project, _ []string) ([]bot.Message, error) {
				well, diff := strings.TrimSpace(args[2]), strings.TrimSpace(args[3])
				if utf8.RuneCountInString(well)+utf8.RuneCountInString(diff) > 2000 {
					return nil, bot.Errorf(bot.EInvalid, "keep a lesson under 2,000 characters; add a second one for more")
				}
				// Handled again after a crash (ErrReplayed): saved the first time; the same answer.
				if _, err := d.Store.AddLessonOnce(ctx, p.ID, ev.Caller.ID, well, diff, ev.SourceID); err != nil && !errors.Is(err, bot.ErrReplayed) {
					return nil, err
				}
				return reply(fmt.Sprintf("Thanks, %s: your lesson from %s %s is saved, and will be offered when a similar project opens.",
					ev.Caller.Name, p.Ref(), p.Name)), nil
			})
		},
	}
}

// maxLessonMatches bounds a search; past it the reply says "more than".
const maxLessonMatches = 500

func searchLessons(ctx context.Context, d Deps, ev bot.Event, text string) ([]bot.Message, error) {
	words, err := bot.SplitArgs(text)
	if err != nil {
		return nil, err
	}
	words, pg, err := cutPage(words, "/lessons search <words>")
	if err != nil {
		return nil, err
	}
	text = strings.Join(words, " ")
	pg.base = "/lessons search " + text
	if strings.TrimSpace(text) == "" {
		return nil, bot.Errorf(bot.EInvalid, "say what to look for, e.g. /lessons search vpn migration")
	}
	all, err := d.Store.SearchLessons(ctx, ev.Caller.WorkspaceID, text, maxLessonMatches, 0)
	if err != nil {
		return nil, err
	}
	if len(all) == 0 {
		return reply(fmt.Sprintf("No lessons match %q yet.", text)), nil
	}
	found, ok := pageOf(pg, all)
	if !ok {
		return []bot.Message{pg.pastEnd(len(all), "matching lesson", "matching lessons")}, nil
	}
	title := fmt.Sprintf("%d %s about %q, most relevant first", len(all), plural(len(all), "lesson", "lessons"), text)
	if len(all) == maxLessonMatches {
		title = fmt.Sprintf("The %d lessons most relevant to %q (more match: narrow the words)", len(all), text)
	}
	m := lessonsMessage(title, found, pg.number(0))
	m.Ephemeral = true
	pg.decorate(&m, len(found), len(all))
	return []bot.Message{m}, nil
}

// lessonsMessage lists lessons with their project and author, numbered from
// first (a later page goes on from where the one before stopped).
func lessonsMessage(title string, lessons []bot.Lesson, first int) bot.Message {
	var b strings.Builder
	for i, l := range lessons {
		fmt.Fprintf(&b, "%d. %s %s (%s), by %s", first+i, l.ProjectRef, l.ProjectName, l.ClientCode, l.Author)
		if l.Rank > 0 {
			fmt.Fprintf(&b, " — relevance %.2f", l.Rank)
		}
		b.WriteByte('\n')
		if l.WentWell != "" {
			fmt.Fprintf(&b, "   went well: %s\n", l.WentWell)
		}
		if l.DoDifferently != "" {
			fmt.Fprintf(&b, "   do differently: %s\n", l.DoDifferently)
		}
	}
	return bot.Message{Title: title, Text: strings.TrimRight(b.String(), "\n")}
}
