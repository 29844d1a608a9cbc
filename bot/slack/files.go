package slack

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/slack-go/slack"

	"github.com/mspbot/mspbot/bot"
)

// A message's attachments (the charts of weekly updates and digests) are
// uploaded after its text is posted, into the same channel and thread, through
// Slack's external upload flow: files.getUploadURLExternal, the bytes posted to
// the URL it returns, files.completeUploadExternal sharing the file. Each step
// is retried like a post (a 429 waits its Retry-After).
//
// Under bot.CallerRetries (the outbox worker) a post must not be repeated, so a
// transient upload failure after the text went out does not fail the delivery:
// the file is queued as a delivery of its own (a message with only that
// attachment, keyed by the posted message's ts) and that job is what River
// retries; a message with no text to post is all upload, so its failure is
// returned and retried as is. A file that cannot be uploaded in the end (a
// permanent refusal such as a token without files:write, retries exhausted in
// process, nothing to queue it on) is logged and a note naming it is posted in
// its place.

// hasBody reports whether m has anything for chat.postMessage to show.
func hasBody(m bot.Message) bool {
	return m.Title != "" || strings.TrimSpace(m.Text) != "" || len(m.Fields) > 0 || len(m.Actions) > 0
}

// post posts m into channel (thread) unless it is only attachments, then
// uploads its attachments there. It returns the posted message's ts ("" when
// nothing but files went out). to names the destination for a queued retry of
// an upload; postErr is true when the error is the post's (nothing went out).
func (a *Adapter) post(ctx context.Context, to bot.Destination, channel, thread string, m bot.Message) (ts string, postErr bool, err error) {
	if hasBody(m) || len(m.Attachments) == 0 {
		if ts, err = a.postMessage(ctx, channel, thread, m); err != nil {
			return "", true, err
		}
	}
	return ts, false, a.attach(ctx, to, channel, thread, ts, m.Attachments)
}

// attach uploads files into channel (thread) after the message posted as ts
// ("" when there was none). It returns an error only under bot.CallerRetries,
// for a message that was only files: a retry then posts nothing twice.
func (a *Adapter) attach(ctx context.Context, to bot.Destination, channel, thread, ts string, files []bot.Attachment) error {
	for i, f := range files {
		if len(f.Data) == 0 {
			a.log.Warn("empty attachment not uploaded", "file", f.Name, "channel", channel)
			continue
		}
		err := a.upload(ctx, channel, thread, f)
		if err == nil {
			continue
		}
		if bot.RetriedByCaller(ctx) && !permanentFailure(err) {
			if ts == "" {
				return err // nothing else went out: the whole delivery is retried
			}
			if a.queueUpload(ctx, to, channel, thread, ts, i, f) {
				continue
			}
		}
		a.log.Error("attachment not uploaded; posting a note instead", "file", f.Name, "channel", channel,
			"thread", thread, "err", err, "hint", scopeHint(err))
		a.noteMissing(ctx, channel, thread, f)
	}
	return nil
}

// upload runs the three steps of Slack's external upload for one file.
func (a *Adapter) upload(ctx context.Context, channel, thread string, f bot.Attachment) error {
	name := uploadName(f)
	params := slack.GetUploadURLExternalParameters{FileName: name, FileSize: len(f.Data)}
	if strings.HasPrefix(f.ContentType, "image/") {
		params.AltTxt = name
	}
	var u *slack.GetUploadURLExternalResponse
	if err := a.retry(ctx, "files.getUploadURLExternal", func(ctx context.Context) error {
		var err error
		u, err = a.api.GetUploadURLExternalContext(ctx, params)
		return err
	}); err != nil {
		return err
	}
	if err := a.retry(ctx, "file upload", func(ctx context.Context) error {
		return a.api.UploadToURL(ctx, slack.UploadToURLParameters{UploadURL: u.UploadURL,
			Reader: bytes.NewReader(f.Data), Filename: name})
	}); err != nil {
		return err
	}
	return a.retry(ctx, "files.completeUploadExternal", func(ctx context.Context) error {
		_, err := a.api.CompleteUploadExternalContext(ctx, slack.CompleteUploadExternalParameters{
			Files: []slack.FileSummary{{ID: u.FileID, Title: name}}, Channel: channel, ThreadTimestamp: thread})
		return err
	})
}

// queueUpload hands one file of a posted message to the outbox: a delivery of
// its own, keyed by the message's ts, so River retries the upload alone.
func (a *Adapter) queueUpload(ctx context.Context, to bot.Destination, channel, thread, ts string, i int, f bot.Attachment) bool {
	if a.cfg.Outbox == nil {
		return false
	}
	d := bot.Delivery{
		Key:      fmt.Sprintf("%s/%s/files/%s/%s/%d", bot.PlatformSlack, to.Workspace, channel, ts, i),
		To:       bot.Destination{Platform: bot.PlatformSlack, Workspace: to.Workspace, Channel: channel, Thread: thread},
		Messages: []bot.Message{{Attachments: []bot.Attachment{f}}},
	}
	if err := a.cfg.Outbox.Enqueue(context.WithoutCancel(ctx), d); err != nil {
		a.log.Error("cannot queue attachment upload", "key", d.Key, "err", err)
		return false
	}
	a.log.Warn("attachment upload failed after its message was posted; queued to retry on its own", "key", d.Key, "file", f.Name)
	return true
}

// noteMissing posts, where the file should have been, which file is missing.
func (a *Adapter) noteMissing(ctx context.Context, channel, thread string, f bot.Attachment) {
	text := neutralise(fmt.Sprintf("Attachment %s (%d bytes) could not be uploaded to Slack.", f.Name, len(f.Data)))
	opts := []slack.MsgOption{slack.MsgOptionText(text, false), slack.MsgOptionBlocks(
		slack.NewContextBlock("", slack.NewTextBlockObject(slack.MarkdownType, text, false, true)))}
	if thread != "" {
		opts = append(opts, slack.MsgOptionTS(thread))
	}
	if err := a.retry(ctx, "chat.postMessage", func(ctx context.Context) error {
		_, _, err := a.api.PostMessageContext(ctx, channel, opts...)
		return err
	}); err != nil {
		a.log.Error("note about a missing attachment not posted", "file", f.Name, "channel", channel, "err", err)
	}
}

// attachmentNotes name the attachments of a message shown where Slack cannot
// share a file: ephemeral replies, response_url posts, in-place updates.
func attachmentNotes(m bot.Message) []slack.Block {
	var out []slack.Block
	for _, f := range m.Attachments {
		out = append(out, slack.NewContextBlock("", slack.NewTextBlockObject(slack.MarkdownType,
			neutralise(fmt.Sprintf("Attachment %s (%d bytes) cannot be shared in this reply.", f.Name, len(f.Data))), false, true)))
	}
	return out
}

// uploadName is the file's name as Slack shows it; it cannot be empty.
func uploadName(f bot.Attachment) string {
	if name := strings.TrimSpace(f.Name); name != "" {
		return name
	}
	if strings.HasPrefix(f.ContentType, "image/png") {
		return "attachment.png"
	}
	return "attachment"
}

// permanentFailure reports whether retrying err cannot help (under
// bot.CallerRetries, retry has already classified it).
func permanentFailure(err error) bool {
	if de, ok := bot.AsDeliveryError(err); ok {
		return de.Permanent
	}
	_, ok := transient(err, 0)
	return !ok
}

// scopeHint explains the refusals an app installed before files:write gets.
func scopeHint(err error) string {
	var se slack.SlackErrorResponse
	if errors.As(err, &se) && (se.Err == "missing_scope" || se.Err == "not_allowed_token_type") {
		return "reinstall the app so its token has the files:write scope (manifest.yaml)"
	}
	return ""
}
