package commands

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/mspbot/mspbot/bot"
	"github.com/mspbot/mspbot/commands/classify"
)

type learningStore interface {
	SimilarOverrides(ctx context.Context, workspaceID int64, text string, limit int) ([]bot.LearnedOverride, error)
	ListOverrides(ctx context.Context, workspaceID int64) ([]bot.LearnedOverride, error)
	ForgetOverrideOnce(ctx context.Context, workspaceID, number, by int64, key string) (time.Time, error)
	AddContractClauseOnce(ctx context.Context, workspaceID int64, clientCode, kind, text string, by int64, key string) (bot.ContractClause, error)
	ContractClauses(ctx context.Context, clientID int64) ([]bot.ContractClause, error)
	RemoveContractClauseOnce(ctx context.Context, workspaceID, clauseID int64, key string) error
	TrainingRows(ctx context.Context, workspaceID int64) ([]bot.LearnedOverride, error)
	SaveWorkspaceModel(ctx context.Context, workspaceID int64, model []byte, rows int, by int64) error
	LoadWorkspaceModel(ctx context.Context, workspaceID int64) (bot.WorkspaceModel, error)
	DropWorkspaceModel(ctx context.Context, workspaceID int64) error
}

// classifyRequest classifies a new request with what the workspace has taught
// the classifier: its refitted model (/classify retrain), the client's
// contract and coordinators' earlier overrides of near-identical requests.
// The classifier itself stays a pure function; this gathers its inputs.
func classifyRequest(ctx context.Context, d Deps, workspaceID int64, clientID *int64, text string) (classify.Result, error) {
	var opts classify.Options
	wm, err := d.Store.LoadWorkspaceModel(ctx, workspaceID)
	switch {
	case err == nil:
		m, perr := parsedModel(workspaceID, wm.Model)
		if perr != nil {
			// A model written by an older version: the committed model
			// still answers, and /classify retrain writes a new one.
			d.Log.Warn("workspace model unreadable; using the committed model", "workspace", workspaceID, "err", perr)
		}
		opts.Model = m
	case bot.ErrorCode(err) != bot.ENotFound:
		return classify.Result{}, err
	}
	if clientID != nil {
		clauses, err := d.Store.ContractClauses(ctx, *clientID)
		if err != nil {
			return classify.Result{}, err
		}
		if len(clauses) > 0 {
			opts.Contract = &classify.Contract{Client: clauses[0].ClientCode}
			for _, c := range clauses {
				if c.Kind == "covered" {
					opts.Contract.Covered = append(opts.Contract.Covered, c.Text)
				} else {
					opts.Contract.AlwaysProject = append(opts.Contract.AlwaysProject, c.Text)
				}
			}
		}
	}
	similar, err := d.Store.SimilarOverrides(ctx, workspaceID, text, 20)
	if err != nil {
		return classify.Result{}, err
	}
	for _, o := range similar {
		opts.Overrides = append(opts.Overrides, classify.Override{RequestNumber: o.RequestNumber, Text: o.Text, Similarity: o.Similarity,
			Kind: classify.Kind(o.Kind), Type: classify.Type(o.Type), By: o.ByName, Reason: o.Reason})
	}
	return classify.ClassifyWith(text, opts), nil
}

func classifyCommand(d Deps) bot.Command {
	return bot.Command{
		Name:    "classify",
		Usage:   "/classify rules | /classify retrain | /classify forget <number> | /classify [--client CODE] <text>",
		Summary: "see, refit on and undo what overrides taught the classifier, or try it on a text",
		MinRole: bot.RoleCoordinator,
		Handler: func(ctx context.Context, ev bot.Event) ([]bot.Message, error) {
			ws := ev.Caller.WorkspaceID
			// "rules" alone or with "page N"; other words after it are a text to classify.
			if rest, ok := cutWord(ev.Args, "rules"); ok && pageWords.MatchString(rest) || strings.TrimSpace(ev.Args) == "rules" {
				return classifyRules(ctx, d, ws, rest)
			}
			if rest, ok := cutWord(ev.Args, "forget"); ok {
				n, err := parseRequestNumber(rest)
				if err != nil {
					return nil, err
				}
				forgotten, err := d.Store.ForgetOverrideOnce(ctx, ws, n, ev.Caller.ID, ev.SourceID)
				replayed := errors.Is(err, bot.ErrReplayed)
				if err != nil && !replayed {
					return nil, notFoundAs(err, "nothing was learned from #%d; /classify rules lists what was", n)
				}
				msg := fmt.Sprintf("Forgotten: new requests like #%d are classified on their own again.", n)
				// A refitted model still holds the row's weight: refit it
				// without the row — on a repeat of this delivery only if the
				// model is older than the forget (a crash came in between).
				if model, err := d.Store.LoadWorkspaceModel(ctx, ws); err == nil && replayed && !model.TrainedAt.Before(forgotten) {
					msg += " This workspace's model was refitted without it."
				} else if err == nil {
					summary, err := retrainWorkspace(ctx, d, ws, ev.Caller.ID)
					if err != nil {
						return nil, err
					}
					msg += " " + summary
				} else if bot.ErrorCode(err) != bot.ENotFound {
					return nil, err
				}
				return reply(msg), nil
			}
			if strings.EqualFold(strings.TrimSpace(ev.Args), "retrain") {
				summary, err := retrainWorkspace(ctx, d, ws, ev.Caller.ID)
				if err != nil {
					return nil, err
				}
				return reply(summary), nil
			}
			text := strings.TrimSpace(ev.Args)
			var clientID *int64
			if rest, ok := cutWord(text, "--client"); ok {
				code, after, _ := strings.Cut(rest, " ")
				if code == "" {
					return nil, bot.Errorf(bot.EInvalid, "use /classify --client CODE <a request text>")
				}
				c, err := knownClient(ctx, d, ws, code)
				if err != nil {
					return nil, err
				}
				clientID, text = &c.ID, strings.TrimSpace(after)
			}
			if text == "" {
				return nil, bot.Errorf(bot.EInvalid, "use /classify rules, /classify retrain, /classify forget <number>, or /classify [--client CODE] <a request text> to try it")
			}
			res, err := classifyRequest(ctx, d, ws, clientID, text)
			if err != nil {
				return nil, err
			}
			return reply(fmt.Sprintf("Would be %s (%s, %.2f): %s", res.Kind, typeLabel(string(res.Type)), res.Confidence, strings.Join(res.Reasons, ", "))), nil
		},
	}
}

// retrainWorkspace refits the workspace's model on its overrides (each a
// weighted training row) on top of the committed model, stores it, and says
// how many of the rows each model agrees with. With no rows left the
// workspace's model is dropped and the committed one applies.
func retrainWorkspace(ctx context.Context, d Deps, ws, by int64) (string, error) {
	list, err := d.Store.TrainingRows(ctx, ws)
	if err != nil {
		return "", err
	}
	if len(list) == 0 {
		if err := d.Store.DropWorkspaceModel(ctx, ws); err != nil {
			return "", err
		}
		return "Nothing to learn from: no overrides are left, so the committed model applies.", nil
	}
	rows := make([]classify.Row, len(list))
	for i, o := range list {
		rows[i] = classify.Row{Set: "override", Line: int(o.RequestNumber), Text: o.Text, Kind: classify.Kind(o.Kind), Weight: o.Weight}
		if t := classify.Type(o.Type); classify.TypeFits(rows[i].Kind, t) {
			rows[i].Type = t
		}
	}
	start := time.Now()
	m, err := classify.Train(rows, classify.TrainOptions{Prior: classify.Default()})
	if err != nil {
		return "", err
	}
	took := time.Since(start)
	data, err := m.Marshal()
	if err != nil {
		return "", err
	}
	if err := d.Store.SaveWorkspaceModel(ctx, ws, data, len(rows), by); err != nil {
		return "", err
	}
	before, after := 0, 0
	for _, r := range rows {
		if classify.Classify(r.Text).Kind == r.Kind {
			before++
		}
		if classify.ClassifyWith(r.Text, classify.Options{Model: m}).Kind == r.Kind {
			after++
		}
	}
	return fmt.Sprintf("Retrained on %d override(s) in %s: this workspace's model agrees with %d of them (the committed model with %d).",
		len(rows), took.Round(time.Millisecond), after, before), nil
}

// refitAfterOverride keeps a workspace's refitted model in step with its
// overrides: once /classify retrain has made one, every new override refits
// it (a few milliseconds). A workspace without one is left to /classify
// retrain. The override itself is already stored, so a failed refit is
// logged, not returned.
func refitAfterOverride(ctx context.Context, d Deps, ws, by int64) string {
	if _, err := d.Store.LoadWorkspaceModel(ctx, ws); err != nil {
		if bot.ErrorCode(err) != bot.ENotFound {
			d.Log.Warn("refit after override: load model", "workspace", ws, "err", err)
		}
		return ""
	}
	summary, err := retrainWorkspace(ctx, d, ws, by)
	if err != nil {
		d.Log.Warn("refit after override", "workspace", ws, "err", err)
		return ""
	}
	return summary
}

func contractCommand(d Deps) bot.Command {
	return bot.Command{
		Name:    "contract",
		Usage:   `/contract CLIENT [covers "<clause>" | project "<clause>" | remove <id>]`,
		Summary: "what a client's contract covers (support) and what is always a project",
		MinRole: bot.RoleCoordinator,
		Args: []bot.Arg{{Name: "client", Kind: bot.ArgClient, Required: true},
			{Name: "action", Kind: bot.ArgChoice, Choices: []string{"covers", "project", "remove"}, Help: "add a clause (covers: support; project: always a project) or remove one"},
			{Name: "clause", Kind: bot.ArgText, Help: "the clause, e.g. \"patching\" (to remove: its id)"}},
		Handler: func(ctx context.Context, ev bot.Event) ([]bot.Message, error) {
			args, err := bot.SplitArgs(ev.Args)
			if err != nil {
				return nil, err
			}
			usage := bot.Errorf(bot.EInvalid, `use /contract ACME, /contract ACME covers "patching", /contract ACME project "new site" or /contract ACME remove <id>`)
			if len(args) == 0 {
				return nil, usage
			}
			ws, code := ev.Caller.WorkspaceID, args[0]
			if len(args) == 1 {
				return listContract(ctx, d, ws, code)
			}
			switch {
			case len(args) >= 3 && (args[1] == "covers" || args[1] == "project"):
				kind := map[string]string{"covers": "covered", "project": "always_project"}[args[1]]
				text := strings.TrimSpace(strings.Join(args[2:], " "))
				if text == "" || len([]rune(text)) > 200 {
					return nil, bot.Errorf(bot.EInvalid, "a clause is a short phrase (up to 200 characters), e.g. \"workstation setup up to 2 per month\"")
				}
				if _, err := knownClient(ctx, d, ws, code); err != nil {
					return nil, err
				}
				c, err := d.Store.AddContractClauseOnce(ctx, ws, code, kind, text, ev.Caller.ID, ev.SourceID)
				if errors.Is(err, bot.ErrReplayed) {
					err = nil // added by this very delivery before a crash: the same answer
				}
				if bot.ErrorCode(err) == bot.EConflict {
					return nil, bot.Errorf(bot.EConflict, "%s's contract already says %q", code, text)
				}
				if err != nil {
					return nil, err
				}
				what := "covered (support)"
				if kind == "always_project" {
					what = "always a project"
				}
				msg := fmt.Sprintf("Clause %d added to %s's contract: %q is %s.", c.ID, code, c.Text, what)
				if texts := corpusTexts(); len(texts) > 0 && classify.ClauseMatches(c.Text, texts) == 0 {
					msg += fmt.Sprintf("\nWarning: it matches none of the %d labelled requests the classifier is tested on, so it may never apply. Word it as clients write requests (\"new laptops\", \"firewall rules\"), or give examples: \"network changes such as VLANs and firewall rules\".", len(texts))
				}
				return reply(msg), nil
			case len(args) == 3 && args[1] == "remove":
				id, err := strconv.ParseInt(args[2], 10, 64)
				if err != nil {
					return nil, usage
				}
				// Handled again (ErrReplayed): removed by this delivery the
				// first time; the same answer, not "there is no clause".
				if err := d.Store.RemoveContractClauseOnce(ctx, ws, id, ev.SourceID); err != nil && !errors.Is(err, bot.ErrReplayed) {
					return nil, notFoundAs(err, "there is no clause %d; /contract %s lists them", id, code)
				}
				return reply(fmt.Sprintf("Clause %d removed.", id)), nil
			}
			return nil, usage
		},
	}
}

// corpusTexts are the texts of the classifier's labelled sets, for checking
// that a clause would match something.
func corpusTexts() []string {
	rows, err := classify.Corpus()
	if err != nil {
		return nil
	}
	texts := make([]string, len(rows))
	for i, r := range rows {
		texts[i] = r.Text
	}
	return texts
}

func listContract(ctx context.Context, d Deps, ws int64, code string) ([]bot.Message, error) {
	c, err := knownClient(ctx, d, ws, code)
	if err != nil {
		return nil, err
	}
	clauses, err := d.Store.ContractClauses(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	if len(clauses) == 0 {
		return reply(fmt.Sprintf("%s's contract lists nothing yet.", c.Code)), nil
	}
	var b strings.Builder
	for _, cl := range clauses {
		what := "covers"
		if cl.Kind == "always_project" {
			what = "always a project"
		}
		fmt.Fprintf(&b, "%d. %s: %s\n", cl.ID, what, cl.Text)
	}
	return []bot.Message{{Title: c.Code + "'s contract", Text: strings.TrimRight(b.String(), "\n"), Ephemeral: true}}, nil
}

// classifyRules lists what the classifier learned, a page at a time.
func classifyRules(ctx context.Context, d Deps, ws int64, rest string) ([]bot.Message, error) {
	args, err := bot.SplitArgs(rest)
	if err != nil {
		return nil, err
	}
	args, pg, err := cutPage(args, "/classify rules")
	if err != nil {
		return nil, err
	}
	if len(args) > 0 {
		return nil, bot.Errorf(bot.EInvalid, "use /classify rules, or /classify rules page 2")
	}
	all, err := d.Store.ListOverrides(ctx, ws)
	if err != nil {
		return nil, err
	}
	if len(all) == 0 {
		return reply("Nothing learned yet. Every /reclassify (or project/support button) teaches the classifier."), nil
	}
	list, ok := pageOf(pg, all)
	if !ok {
		return []bot.Message{pg.pastEnd(len(all), "learned override", "learned overrides")}, nil
	}
	var b strings.Builder
	for _, o := range list {
		fmt.Fprintf(&b, "#%d → %s (%s) by %s: %s — %q\n", o.RequestNumber, o.Kind, typeLabel(o.Type), o.ByName, o.Reason, titleOf(o.Text))
	}
	m := bot.Message{Title: fmt.Sprintf("What the classifier learned: %d %s (similar requests follow these)", len(all), plural(len(all), "override", "overrides")),
		Text: strings.TrimRight(b.String(), "\n"), Ephemeral: true}
	pg.decorate(&m, len(list), len(all))
	return []bot.Message{m}, nil
}
