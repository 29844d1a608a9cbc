package commands

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/mspbot/mspbot/bot"
	"github.com/mspbot/mspbot/projects"
)

func addOOS(ctx context.Context, d Deps, ev bot.Event, p bot.Project, args []string) ([]bot.Message, error) {
	pos, flags, err := splitFlags(args, "approved-by")
	if err != nil {
		return nil, err
	}
	if len(pos) != 2 || strings.TrimSpace(pos[1]) == "" {
		return nil, bot.Errorf(bot.EInvalid, `use /project oos %s 6h "what was done" --approved-by client`, p.Ref())
	}
	minutes, err := parseDuration(pos[0])
	if err != nil {
		return nil, err
	}
	if err := runningOrReplayed(ctx, d, ev, p); err != nil {
		return nil, err
	}
	it, err := d.Store.AddOOS(ctx, bot.OOSItem{ProjectID: p.ID, Minutes: minutes, Description: strings.TrimSpace(pos[1]),
		ApprovedBy: strings.TrimSpace(flags["approved-by"]), SourceKey: ev.SourceID}, ev.Caller.ID)
	if err != nil {
		return nil, err
	}
	approval := "approved by " + it.ApprovedBy
	if it.ApprovedBy == "" {
		approval = "not approved yet: the weekly update asks the client to approve it"
	}
	return []bot.Message{{Text: fmt.Sprintf("%s out-of-scope item %d: %s, %s — %s. Billed separately; /project oos-export %s for billing.",
		p.Ref(), it.Number, it.Description, projects.Hours(it.Minutes), approval, p.Ref())}}, nil
}

// csvCell keeps a cell from being read as a formula by a spreadsheet.
func csvCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

func exportOOS(ctx context.Context, d Deps, p bot.Project) ([]bot.Message, error) {
	items, err := d.Store.OOSItems(ctx, p.ID)
	if err != nil {
		return nil, err
	}
	if len(items) == 0 {
		return reply(fmt.Sprintf("%s has no out-of-scope items. Record one with /project oos %s 6h \"what\" --approved-by client", p.Ref(), p.Ref())), nil
	}
	waiver, err := oosWaiver(ctx, d, p)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.Write([]string{"project", "client", "item", "date", "hours", "description", "approved_by", "recorded_by", "invoiced", "waived"})
	open, waived := 0, 0
	for _, it := range items {
		invoiced, waivedBy := "", ""
		switch {
		case it.InvoicedAt != nil:
			invoiced = it.InvoicedAt.Format("2006-01-02")
		case waiver != "":
			waivedBy = waiver
			waived++
		default:
			open++
		}
		w.Write([]string{p.Ref(), csvCell(p.ClientCode), strconv.Itoa(it.Number), it.CreatedAt.Format("2006-01-02"),
			strconv.FormatFloat(float64(it.Minutes)/60, 'f', 2, 64), csvCell(it.Description), csvCell(it.ApprovedBy),
			csvCell(it.CreatedBy), invoiced, csvCell(waivedBy)})
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return nil, fmt.Errorf("oos csv: %w", err)
	}
	return []bot.Message{{
		Text:        oosSummary(p, len(items), open, waived),
		Ephemeral:   true,
		Attachments: []bot.Attachment{{Name: fmt.Sprintf("%s-%s-out-of-scope.csv", p.ClientCode, p.Ref()), ContentType: "text/csv", Data: buf.Bytes()}},
	}}, nil
}

func oosSummary(p bot.Project, total, open, waived int) string {
	if waived > 0 {
		return fmt.Sprintf("%s out-of-scope items: %d, %d waived at closeout (not invoiced).", p.Ref(), total, waived)
	}
	return fmt.Sprintf("%s out-of-scope items: %d, %d not invoiced yet. Mark one invoiced with /project oos-invoiced %s <item>.", p.Ref(), total, open, p.Ref())
}

func invoiceOOS(ctx context.Context, d Deps, ev bot.Event, p bot.Project, args []string) ([]bot.Message, error) {
	if len(args) != 1 {
		return nil, bot.Errorf(bot.EInvalid, "use /project oos-invoiced %s <item number> (/project oos-export %s lists them)", p.Ref(), p.Ref())
	}
	n, err := strconv.Atoi(strings.TrimPrefix(args[0], "#"))
	if err != nil || n <= 0 {
		return nil, bot.Errorf(bot.EInvalid, "%q is not an item number; /project oos-export %s lists them", args[0], p.Ref())
	}
	// Replayed (the same delivery handled again): marked by this delivery the
	// first time, so the same answer, not "already invoiced".
	it, err := d.Store.MarkOOSInvoicedOnce(ctx, p.ID, n, ev.Caller.ID, d.Clock.Now(), ev.SourceID)
	if errors.Is(err, bot.ErrReplayed) {
		err = nil
	}
	if bot.ErrorCode(err) == bot.EConflict {
		return nil, bot.Errorf(bot.EConflict, "%s out-of-scope item %d is already invoiced", p.Ref(), n)
	}
	if err != nil {
		return nil, notFoundAs(err, "%s has no out-of-scope item %d; /project oos-export %s lists them", p.Ref(), n, p.Ref())
	}
	return []bot.Message{{Text: fmt.Sprintf("%s out-of-scope item %d (%s, %s) is invoiced.", p.Ref(), it.Number, it.Description, projects.Hours(it.Minutes))}}, nil
}
