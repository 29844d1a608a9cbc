package discord

import (
	"context"
	"errors"
	"regexp"
	"strings"

	"github.com/mspbot/mspbot/bot"
)

// A Discord click carries only the button's custom_id and value; these
// templates turn it back into the command line the button runs.

// templateValue stands for an action's value in a stored command template.
const templateValue = "{value}"

// learnTemplates remembers the command each button runs, as a template over its
// value, so a click (which carries only id and value) can be turned back into
// that command — also after a restart, from the store.
func (a *Adapter) learnTemplates(ctx context.Context, msgs []bot.Message) {
	for _, m := range msgs {
		for _, act := range m.Actions {
			if id := customID(act); act.Command == "" || id == "" || isCommandID(id) {
				continue // a button carrying its command line needs no template
			}
			tpl := templateOf(act)
			a.mu.Lock()
			known := a.templates[act.ID] == tpl
			a.templates[act.ID] = tpl
			a.mu.Unlock()
			if !known {
				if err := a.cfg.Store.SaveActionTemplate(ctx, act.ID, tpl); err != nil {
					a.log.Warn("saving button command failed", "action", act.ID, "err", err)
				}
			}
		}
	}
}

// actionCommand returns the command line a button runs, or "" when unknown.
func (a *Adapter) actionCommand(ctx context.Context, id, value string) string {
	a.mu.Lock()
	tpl, ok := a.templates[id]
	a.mu.Unlock()
	if !ok {
		var err error
		tpl, err = a.cfg.Store.ActionTemplate(ctx, id)
		if err != nil {
			if !errors.Is(err, bot.ErrNotFound) {
				a.log.Warn("reading button command failed", "action", id, "err", err)
			}
			return ""
		}
		a.mu.Lock()
		a.templates[id] = tpl
		a.mu.Unlock()
	}
	return fillTemplate(tpl, value)
}

// templateOf is the command an action runs with its value replaced by
// templateValue.
func templateOf(act bot.Action) string {
	if act.Value == "" {
		return act.Command
	}
	return regexp.MustCompile(`(^|[^\w])`+regexp.QuoteMeta(act.Value)+`($|[^\w])`).
		ReplaceAllString(act.Command, "${1}"+templateValue+"${2}")
}

// fillTemplate puts a clicked button's value into its template, or "" when the
// value is not one word: anything else was not made by us.
func fillTemplate(tpl, value string) string {
	if tpl == "" || !oneWord(value) {
		return ""
	}
	return strings.ReplaceAll(tpl, templateValue, value)
}

func oneWord(s string) bool { return !strings.ContainsAny(s, " \t\n\"'“‘") }
