package commands

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/mspbot/mspbot/bot"
	"github.com/mspbot/mspbot/commands/classify"
	"github.com/mspbot/mspbot/parse"
)

type requestStore interface {
	CreateRequest(ctx context.Context, in bot.Request) (bot.Request, bool, error)
	RequestByNumber(ctx context.Context, workspaceID, number int64) (bot.Request, error)
	ListOpenRequests(ctx context.Context, workspaceID int64, f bot.RequestFilter) ([]bot.Request, error)
	Reclassify(ctx context.Context, workspaceID, number, actorID int64, kind, typ, reason, key string) (bot.Request, error)
	ClassificationHistory(ctx context.Context, requestID int64) ([]bot.ClassificationEvent, error)
	ClientByCode(ctx context.Context, workspaceID int64, code string) (bot.Client, error)
	AssignRequest(ctx context.Context, workspaceID, number, personID int64, key string) (bot.Request, error)
	CloseRequest(ctx context.Context, workspaceID, number int64, key string) (bot.Request, error)
}

// typeLabels are how request types read in replies.
var typeLabels = map[string]string{
	string(classify.TypeIncident):       "incident",
	string(classify.TypeServiceRequest): "service request",
	string(classify.TypeMAC):            "move/add/change",
	string(classify.TypeRecurring):      "recurring visit",
	string(classify.TypeProject):        "project",
}

func typeLabel(t string) string {
	if l, ok := typeLabels[t]; ok {
		return l
	}
	return t
}

func requestCommand(d Deps) bot.Command {
	num := bot.Arg{Name: "number", Kind: bot.ArgRequest, Help: "request number, as shown as #N", Required: true}
	// sla passes a subcommand to the SLA handler, which reads the whole line.
	sla := func(sub string) bot.Handler {
		return func(ctx context.Context, ev bot.Event) ([]bot.Message, error) {
			ev.Args = sub + " " + ev.Args
			msgs, _, err := requestSLASubcommand(ctx, d, ev)
			return msgs, err
		}
	}
	change := func(fn func(ctx context.Context, ev bot.Event, ws, n int64) (bot.Request, error)) bot.Handler {
		return func(ctx context.Context, ev bot.Event) ([]bot.Message, error) {
			return changeRequest(ctx, d, ev, func(ws, n int64) (bot.Request, error) { return fn(ctx, ev, ws, n) })
		}
	}
	return bot.Command{
		Name:    "request",
		Usage:   "/request [--client CODE] [--priority P1-P4] <what you need> | /request show|take|resolve|close|wait|resume|sla <number> | /request reopen <number> | /request priority <number> P1",
		Summary: "open a request (classified project or support), or show one with the reasons",
		MinRole: bot.RoleClient,
		// The flags come first: the handler reads them before the text.
		Args: []bot.Arg{{Name: "client", Kind: bot.ArgClient, Flag: true, Help: "the client it is for, e.g. ACME"},
			{Name: "priority", Kind: bot.ArgChoice, Flag: true, Choices: []string{"P1", "P2", "P3", "P4"}, Help: "P1 (urgent) to P4; default P3"},
			{Name: "text", Kind: bot.ArgText, Help: "what you need, in your own words", Required: true}},
		Handler: func(ctx context.Context, ev bot.Event) ([]bot.Message, error) { return openRequest(ctx, d, ev) },
		Subs: []bot.Subcommand{
			{Name: "show", Usage: "/request show <number>", Summary: "show a request with the classifier's reasons",
				MinRole: bot.RoleClient, Target: bot.RefRequest, Args: []bot.Arg{num},
				Handler: func(ctx context.Context, ev bot.Event) ([]bot.Message, error) {
					return showRequest(ctx, d, ev, ev.Target.String())
				}},
			{Name: "take", YieldsToText: true, Usage: "/request take <number>", Summary: "assign a request to yourself",
				MinRole: bot.RoleTech, Target: bot.RefRequest, Args: []bot.Arg{num},
				Handler: change(func(ctx context.Context, ev bot.Event, ws, n int64) (bot.Request, error) {
					r, err := d.Store.AssignRequest(ctx, ws, n, ev.Caller.ID, ev.SourceID)
					if errors.Is(err, bot.ErrReplayed) {
						err = nil // taken by this very delivery before a crash: the same answer
					}
					if err == nil {
						// Taking a request is the first staff response (SLA).
						err = d.Store.RecordStaffReply(ctx, r.ID, d.Clock.Now())
					}
					if err == nil {
						notifyRequester(ctx, d, ev, r, requestTaken) // requester.go
					}
					return r, err
				})},
			{Name: "close", YieldsToText: true, Usage: "/request close <number>", Summary: "close a request",
				MinRole: bot.RoleTech, Target: bot.RefRequest, Args: []bot.Arg{num},
				Handler: change(func(ctx context.Context, ev bot.Event, ws, n int64) (bot.Request, error) {
					r, err := d.Store.CloseRequest(ctx, ws, n, ev.SourceID)
					if errors.Is(err, bot.ErrReplayed) {
						err = nil // closed by this very delivery before a crash: the same answer
					}
					if err == nil {
						notifyRequester(ctx, d, ev, r, requestClosed) // with the rating buttons
					}
					return r, err
				})},
			resolveSub(d, num, change), reopenSub(d, num), // resolve.go
			{Name: "priority", YieldsToText: true, Usage: "/request priority <number> P1", Summary: "set a request's priority (its SLA targets follow)",
				MinRole: bot.RoleTech, Target: bot.RefRequest, Handler: sla("priority"),
				Args: []bot.Arg{num, {Name: "priority", Kind: bot.ArgChoice, Required: true, Choices: []string{"P1", "P2", "P3", "P4"}}}},
			{Name: "wait", YieldsToText: true, Usage: "/request wait <number>", Summary: "waiting on the client: pause the SLA clock",
				MinRole: bot.RoleTech, Target: bot.RefRequest, Args: []bot.Arg{num}, Handler: sla("wait")},
			{Name: "resume", YieldsToText: true, Usage: "/request resume <number>", Summary: "restart the SLA clock",
				MinRole: bot.RoleTech, Target: bot.RefRequest, Args: []bot.Arg{num}, Handler: sla("resume")},
			{Name: "sla", YieldsToText: true, Usage: "/request sla <number>", Summary: "a request's SLA clocks",
				MinRole: bot.RoleTech, Target: bot.RefRequest, Args: []bot.Arg{num}, Handler: sla("sla")},
		},
	}
}

// openRequest opens a request from an event's text. Adapters turn mentions,
// intake-channel messages, reactions and shortcuts into a "request" event, so
// every way in leads to this same flow.
func openRequest(ctx context.Context, d Deps, ev bot.Event) ([]bot.Message, error) {
	text := strings.TrimSpace(ev.Args)
	clientCode, priority := "", ""
	for {
		if rest, ok := cutWord(text, "--client"); ok {
			code, after, _ := strings.Cut(strings.TrimSpace(rest), " ")
			clientCode, text = code, strings.TrimSpace(after)
		} else if rest, ok := cutWord(text, "--priority"); ok {
			p, after, _ := strings.Cut(strings.TrimSpace(rest), " ")
			priority, text = strings.ToUpper(p), strings.TrimSpace(after)
			if priority != "P1" && priority != "P2" && priority != "P3" && priority != "P4" {
				return nil, bot.Errorf(bot.EInvalid, "priority is P1, P2, P3 or P4")
			}
		} else {
			break
		}
	}
	if text == "" {
		return nil, bot.Errorf(bot.EInvalid, "say what you need after /request, for example: /request Outlook keeps asking for my password")
	}
	if n := utf8.RuneCountInString(text); n > bot.MaxTextLen {
		return nil, bot.Errorf(bot.EInvalid, "that is %d characters; the limit is %d", n, bot.MaxTextLen)
	}
	caller := ev.Caller
	in := bot.Request{
		WorkspaceID:    caller.WorkspaceID,
		Title:          titleOf(text),
		Body:           text,
		OpenedBy:       caller.ID,
		Channel:        ev.Channel,
		Thread:         ev.Thread,
		SourcePlatform: ev.Platform,
		SourceID:       ev.SourceID,
		Priority:       priority,
	}
	switch {
	case caller.Role == bot.RoleClient:
		// A client's requests are always their own client's, whatever they typed.
		in.ClientID = caller.ClientID
	case clientCode != "":
		c, err := knownClient(ctx, d, caller.WorkspaceID, clientCode)
		if err != nil {
			return nil, err
		}
		in.ClientID = &c.ID
	default:
		// Staff opening a request in a client's channel file it under that client.
		ch, err := d.Store.Channel(ctx, caller.WorkspaceID, ev.Channel)
		if err != nil {
			return nil, err
		}
		in.ClientID = ch.ClientID
	}
	res, err := classifyRequest(ctx, d, caller.WorkspaceID, in.ClientID, text)
	if err != nil {
		return nil, err
	}
	in.Kind, in.Type, in.Confidence, in.Reasons = string(res.Kind), string(res.Type), res.Confidence, res.Reasons
	req, created, err := d.Store.CreateRequest(ctx, in)
	if err != nil {
		return nil, err
	}
	if !created {
		// A retried delivery: say nothing new, so nothing is posted twice.
		d.Log.Info("duplicate delivery ignored", "request", req.Number, "source", ev.SourceID)
		return nil, nil
	}
	m := OpenedMessage(req)
	m.Opened = true
	return []bot.Message{m}, nil
}

// OpenedMessage is the message that announces a request; adapters update it in
// place when the request changes.
func OpenedMessage(r bot.Request) bot.Message {
	// The card says what state the request is in: it is updated in place.
	head := fmt.Sprintf("Opened #%d", r.Number)
	switch {
	case r.Status == bot.StatusClosed:
		head = fmt.Sprintf("Closed #%d", r.Number)
	case r.Status == bot.StatusResolved:
		head = fmt.Sprintf("Resolved #%d", r.Number)
	case r.AssigneeName != "":
		head = fmt.Sprintf("#%d taken by %s", r.Number, r.AssigneeName)
	}
	text := fmt.Sprintf("%s — %s (%s, %.2f): %s", head, r.Kind, typeLabel(r.Type), r.Confidence,
		strings.Join(r.Reasons, ", "))
	unsure := r.Status == bot.StatusOpen && r.Confidence < classify.AskThreshold
	if unsure {
		// Better to ask than to guess silently: a coordinator picks with one click.
		text += "\nNot sure — coordinator: project or support?"
	}
	m := bot.Message{Title: fmt.Sprintf("#%d %s", r.Number, r.Title), Text: text, RequestNumber: r.Number}
	if r.AssigneeName != "" {
		m.Fields = append(m.Fields, bot.Field{Label: "Assignee", Value: r.AssigneeName})
	}
	if r.ClientCode != "" {
		m.Fields = append(m.Fields, bot.Field{Label: "Client", Value: r.ClientCode})
	}
	if r.Status == bot.StatusOpen {
		num := strconv.FormatInt(r.Number, 10)
		m.Actions = []bot.Action{{ID: "request.take", Label: "Take it", Value: num, Style: "primary", Command: "/request take " + num}}
		if r.Kind == bot.KindSupport || unsure {
			m.Actions = append(m.Actions, bot.Action{ID: "request.project", Label: "It's a project", Value: num,
				Command: "/reclassify " + num + ` project "marked a project from the request message"`})
		}
		if r.Kind == bot.KindProject || unsure {
			m.Actions = append(m.Actions, bot.Action{ID: "request.support", Label: "It's support", Value: num,
				Command: "/reclassify " + num + ` support "marked support from the request message"`})
		}
		// Staff resolve (the requester is asked to confirm); /request close
		// is still there for what needs no confirmation.
		m.Actions = append(m.Actions, bot.Action{ID: "request.resolve", Label: "Resolve", Value: num, Command: "/request resolve " + num})
	}
	return m
}

func showRequest(ctx context.Context, d Deps, ev bot.Event, arg string) ([]bot.Message, error) {
	r, err := visibleRequest(ctx, d, ev, arg)
	if err != nil {
		return nil, err
	}
	// The caller's own timezone (/hours), as /time and /snooze use.
	loc := d.location(ev.Caller.Person)
	m := bot.Message{
		Title:         fmt.Sprintf("#%d %s", r.Number, r.Title),
		Text:          r.Body,
		Ephemeral:     true,
		RequestNumber: r.Number,
		Fields: []bot.Field{
			{Label: "Kind", Value: fmt.Sprintf("%s (%s), confidence %.2f", r.Kind, typeLabel(r.Type), r.Confidence)},
			{Label: "Why", Value: strings.Join(r.Reasons, "; ")},
			{Label: "Status", Value: string(r.Status)},
			{Label: "Client", Value: bot.FirstNonEmpty(r.ClientCode, "—")},
			{Label: "Opened", Value: fmt.Sprintf("%s by %s", r.CreatedAt.In(loc).Format("Mon 2 Jan 2006 15:04 MST"), r.OpenedByName)},
			{Label: "Assignee", Value: bot.FirstNonEmpty(r.AssigneeName, "nobody yet")},
		},
	}
	resolutionFields(ctx, d, r, &m) // resolve.go
	hist, err := d.Store.ClassificationHistory(ctx, r.ID)
	if err != nil {
		return nil, err
	}
	for _, h := range hist {
		if h.ActorID == nil {
			continue
		}
		// The reasons are the classifier's; once a person decided, say so.
		m.Fields[1].Label = "Classifier's reasons"
		m.Fields = append(m.Fields, bot.Field{Label: "Reclassified",
			Value: fmt.Sprintf("%s → %s (%s) by %s on %s: %s", h.FromKind, h.ToKind, typeLabel(h.ToType),
				h.ActorName, h.CreatedAt.In(loc).Format("2 Jan 15:04"), h.Reason)})
	}
	return []bot.Message{m}, nil
}

// visibleRequest reads the request numbered in arg ("1002" or "#1002") if the
// caller may see it. A client asking for another client's request is told it does
// not exist, so numbers leak nothing.
func visibleRequest(ctx context.Context, d Deps, ev bot.Event, arg string) (bot.Request, error) {
	n, err := parseRequestNumber(arg)
	if err != nil {
		return bot.Request{}, err
	}
	r, err := d.Store.RequestByNumber(ctx, ev.Caller.WorkspaceID, n)
	if err == nil && ev.Caller.Role == bot.RoleClient && !sameClient(r.ClientID, ev.Caller.ClientID) {
		err = bot.ErrNotFound
	}
	if err != nil {
		return r, notFoundAs(err, "there is no request #%d here; /requests lists the open ones", n)
	}
	return r, nil
}

// changeRequest applies a change to the request the Router resolved and
// returns the request's message, which adapters update in place.
func changeRequest(ctx context.Context, d Deps, ev bot.Event, change func(ws, n int64) (bot.Request, error)) ([]bot.Message, error) {
	cur, err := visibleRequest(ctx, d, ev, ev.Target.String())
	if err != nil {
		return nil, err
	}
	if refusal := settled(cur, ev.Sub); refusal != nil {
		// Closed by this same delivery, handled again after a crash, is no
		// conflict: the change answers as it did the first time.
		if again, err := replayedDelivery(ctx, d, ev); err != nil {
			return nil, err
		} else if !again {
			return nil, refusal
		}
	}
	r, err := change(ev.Caller.WorkspaceID, cur.Number)
	if err != nil {
		return nil, err
	}
	return []bot.Message{OpenedMessage(r)}, nil
}

func isNumber(s string) bool { _, err := parseRequestNumber(s); return err == nil }

// knownClient finds a client by code. Clients are created only on purpose
// (/client add), so a mistyped code is an error, never a new client.
func knownClient(ctx context.Context, d Deps, workspaceID int64, code string) (bot.Client, error) {
	c, err := d.Store.ClientByCode(ctx, workspaceID, code)
	return c, notFoundAs(err, "there is no client %q; check the spelling (/client lists them) or add it with /client add %s \"Full name\"", code, code)
}

func sameClient(a, b *int64) bool { return a != nil && b != nil && *a == *b }

func parseRequestNumber(s string) (int64, error) { return parse.RequestNumber(s) }

func reclassifyCommand(d Deps) bot.Command {
	return bot.Command{
		Name:    "reclassify",
		Usage:   `/reclassify <number> project|support [type] "<why>"`,
		Summary: "override the classifier; the reason is recorded and teaches it",
		MinRole: bot.RoleCoordinator,
		Args: []bot.Arg{{Name: "number", Kind: bot.ArgRequest, Required: true, Help: "request number, as shown as #N"},
			{Name: "kind", Kind: bot.ArgChoice, Required: true, Choices: []string{"project", "support"}, Help: "project or support"},
			{Name: "type", Kind: bot.ArgChoice, Choices: []string{"incident", "service_request", "mac", "recurring", "project"}, Help: "finer type"},
			{Name: "reason", Kind: bot.ArgText, Required: true, Quoted: true, Help: "why (recorded, and teaches the classifier)"}},
		Handler: func(ctx context.Context, ev bot.Event) ([]bot.Message, error) {
			args, err := bot.SplitArgs(ev.Args)
			if err != nil {
				return nil, err
			}
			usage := bot.Errorf(bot.EInvalid, `use /reclassify <number> project|support [type] "<why>", e.g. /reclassify 1002 support "covered by contract"`)
			if len(args) < 3 {
				return nil, usage
			}
			n, err := parseRequestNumber(args[0])
			if err != nil {
				return nil, err
			}
			kind := strings.ToLower(args[1])
			if kind != bot.KindProject && kind != bot.KindSupport {
				return nil, usage
			}
			typ, reason := "", strings.Join(args[2:], " ")
			if len(args) >= 4 {
				if t, ok := parseType(args[2]); ok {
					typ, reason = t, strings.Join(args[3:], " ")
				}
			}
			if strings.TrimSpace(reason) == "" {
				return nil, bot.Errorf(bot.EInvalid, `say why: the reason is recorded and teaches the classifier, e.g. /reclassify %d %s "covered by contract"`, n, kind)
			}
			cur, err := visibleRequest(ctx, d, ev, args[0])
			if err != nil {
				return nil, err
			}
			if typ == "" {
				typ = defaultTypeFor(kind, cur.Type)
			}
			r, err := d.Store.Reclassify(ctx, ev.Caller.WorkspaceID, n, ev.Caller.ID, kind, typ, reason, ev.SourceID)
			if errors.Is(err, bot.ErrReplayed) {
				// This delivery reclassified it before a crash: answer as then.
				cur.Kind, err = kindBefore(ctx, d, r, ev.Caller.ID, kind, reason, cur.Kind), nil
			}
			if err != nil {
				return nil, notFoundAs(err, "there is no request #%d here", n)
			}
			m := OpenedMessage(r)
			m.Text = fmt.Sprintf("#%d is now %s (%s), was %s — by %s: %s", r.Number, r.Kind, typeLabel(r.Type), cur.Kind, ev.Caller.Name, reason)
			if note := refitAfterOverride(ctx, d, ev.Caller.WorkspaceID, ev.Caller.ID); note != "" {
				m.Text += "\n" + note
			}
			return []bot.Message{m}, nil
		},
	}
}

// parseType accepts a type name or its label ("mac", "move/add/change", "service-request").
func parseType(s string) (string, bool) {
	s = strings.NewReplacer("-", "_", " ", "_").Replace(strings.ToLower(s))
	for t, label := range typeLabels {
		if s == t || s == strings.ReplaceAll(label, " ", "_") {
			return t, true
		}
	}
	return "", false
}

// defaultTypeFor keeps the current type when it fits the new kind: a support
// request turned project becomes type project unless it was a move/add/change.
func defaultTypeFor(kind, current string) string {
	if kind == bot.KindProject {
		if current == string(classify.TypeMAC) {
			return current
		}
		return string(classify.TypeProject)
	}
	if current == string(classify.TypeProject) {
		return string(classify.TypeServiceRequest)
	}
	return current
}

func titleOf(text string) string {
	line, _, _ := strings.Cut(text, "\n")
	if utf8.RuneCountInString(line) > 80 {
		return string([]rune(line)[:79]) + "…"
	}
	return line
}

// cutWord reports whether s starts with the word w (case-insensitive) and returns the rest.
func cutWord(s, w string) (string, bool) {
	s = strings.TrimSpace(s)
	if len(s) < len(w) || !strings.EqualFold(s[:len(w)], w) {
		return s, false
	}
	rest := s[len(w):]
	if rest != "" && rest[0] != ' ' && rest[0] != '\t' {
		return s, false
	}
	return strings.TrimSpace(rest), true
}

// notFoundAs replaces a not-found error's message with one that says what to do.
func notFoundAs(err error, format string, args ...any) error {
	if bot.ErrorCode(err) == bot.ENotFound {
		return bot.Errorf(bot.ENotFound, format, args...)
	}
	return err
}
