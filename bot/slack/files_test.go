package slack

import (
	"bytes"
	"context"
	"encoding/json"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mspbot/mspbot/bot"
	"github.com/mspbot/mspbot/storage/storagetest"
)

// testPNG is a small real PNG, as the chart code produces.
func testPNG(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 40, 20))
	for x := range 40 {
		for y := range 20 {
			img.Set(x, y, color.RGBA{uint8(x * 6), uint8(y * 12), 200, 255})
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// flow returns the methods called (successfully or not), in order, without
// auth.test.
func (f *fakeSlack) flow() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for _, c := range f.calls {
		if c.Method != "auth.test" {
			out = append(out, c.Method)
		}
	}
	return out
}

// sharedFile is the file files.completeUploadExternal shared in call c.
func (f *fakeSlack) sharedFile(t *testing.T, c apiCall) *fakeFile {
	t.Helper()
	var list []struct{ ID, Title string }
	if err := json.Unmarshal([]byte(c.Form.Get("files")), &list); err != nil || len(list) != 1 {
		t.Fatalf("files.completeUploadExternal files=%q: %v", c.Form.Get("files"), err)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	file := f.files[list[0].ID]
	if file == nil || !file.Shared {
		t.Fatalf("file %s: %+v; want uploaded and shared", list[0].ID, file)
	}
	return file
}

// A message with a PNG sent into a thread: the text is posted first, then the
// file goes through the three upload steps with its exact bytes and name and
// is shared into the same channel and thread. A message at the top of a
// channel has its file there too, with no thread_ts.
func TestSendUploadsAttachmentAfterTheMessage(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	chart := testPNG(t)
	const name = "ACME-P3-2026-W10-hours.png"
	msg := bot.Message{Text: "This week: 12.5 h on the firewall migration.",
		Attachments: []bot.Attachment{{Name: name, ContentType: "image/png", Data: chart}}}
	to := bot.Destination{Platform: bot.PlatformSlack, Workspace: testTeam, Channel: "C42", Thread: "1699999999.000100"}

	ts, err := e.adapter.Send(context.Background(), to, msg)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"chat.postMessage", "files.getUploadURLExternal", methodUpload, "files.completeUploadExternal"}
	if got := e.fake.flow(); strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("calls %v; want %v", got, want)
	}
	post := e.fake.callsTo("chat.postMessage")[0]
	if ts != "1700000000.000001" || post.Form.Get("channel") != "C42" || post.Form.Get("thread_ts") != to.Thread {
		t.Fatalf("ts %q, post %v", ts, post.Form)
	}
	if text := postedText(post); !strings.Contains(text, "firewall migration") || strings.Contains(text, "Attachment") {
		t.Fatalf("posted text %q; want the update and no attachment note", text)
	}
	get := e.fake.callsTo("files.getUploadURLExternal")[0]
	if get.Form.Get("filename") != name || get.Form.Get("length") != strconv.Itoa(len(chart)) || get.Form.Get("alt_txt") != name {
		t.Fatalf("getUploadURLExternal %v", get.Form)
	}
	up := e.fake.callsTo(methodUpload)[0].Upload
	if up.Filename != name || !bytes.Equal(up.Data, chart) || !up.Authorized {
		t.Fatalf("upload: name %q, %d bytes (want %d), authorized %v", up.Filename, len(up.Data), len(chart), up.Authorized)
	}
	done := e.fake.callsTo("files.completeUploadExternal")[0]
	if done.Form.Get("channel_id") != "C42" || done.Form.Get("thread_ts") != to.Thread {
		t.Fatalf("completeUploadExternal %v; want channel_id C42, thread_ts %s", done.Form, to.Thread)
	}
	if f := e.fake.sharedFile(t, done); f.Name != name || !bytes.Equal(f.Data, chart) {
		t.Fatalf("shared file %q, %d bytes", f.Name, len(f.Data))
	}

	// At the top of a channel.
	to.Thread = ""
	if _, err := e.adapter.Send(context.Background(), to, msg); err != nil {
		t.Fatal(err)
	}
	done = e.fake.callsTo("files.completeUploadExternal")[1]
	if done.Form.Get("channel_id") != "C42" || done.Form.Has("thread_ts") {
		t.Fatalf("completeUploadExternal %v; want channel_id C42 and no thread", done.Form)
	}
	t.Logf("%d-byte PNG: post, get URL, upload, complete", len(chart))
}

// A 429 on files.getUploadURLExternal and another on the upload URL are
// waited out (Retry-After: 1) in process; the text is posted once.
func TestSendUploadWaitsOutRateLimits(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	chart := testPNG(t)
	e.fake.rateLimit("files.getUploadURLExternal", 1)
	e.fake.rateLimit(methodUpload, 1)
	start := time.Now()
	_, err := e.adapter.Send(context.Background(), bot.Destination{Platform: bot.PlatformSlack, Channel: "C42", Thread: "1.2"},
		bot.Message{Title: "Daily digest", Text: "3 open requests",
			Attachments: []bot.Attachment{{Name: "hours-2026-03-09.png", ContentType: "image/png", Data: chart}}})
	if err != nil {
		t.Fatal(err)
	}
	took := time.Since(start)
	for _, m := range []string{"files.getUploadURLExternal", methodUpload} {
		tries := e.fake.attempts(m)
		if len(tries) != 2 || tries[0].Status != http.StatusTooManyRequests || tries[1].Status != http.StatusOK {
			t.Fatalf("%s: %d attempts; want a 429 then a 200", m, len(tries))
		}
		if gap := tries[1].At.Sub(tries[0].At); gap < 950*time.Millisecond {
			t.Fatalf("%s retried after %v; want Retry-After's 1 s", m, gap)
		}
	}
	if n := len(e.fake.attempts("chat.postMessage")); n != 1 {
		t.Fatalf("%d chat.postMessage; want 1", n)
	}
	done := e.fake.callsTo("files.completeUploadExternal")
	if len(done) != 1 || done[0].Form.Get("thread_ts") != "1.2" {
		t.Fatalf("completeUploadExternal: %+v", done)
	}
	if f := e.fake.sharedFile(t, done[0]); !bytes.Equal(f.Data, chart) {
		t.Fatal("shared bytes differ")
	}
	t.Logf("two 429s waited out; delivered in %v", took)
}

// An upload that keeps failing in process is given up after PostAttempts: it
// is logged and a note naming the file takes its place in the thread; the
// text is not posted again.
func TestSendUploadGivenUpLeavesANote(t *testing.T) {
	t.Parallel()
	e := newEnvOn(t, storagetest.New(t), newFakeSlack(t, testTeam, testBot), func(c *Config) { c.PostAttempts = 2 })
	e.fake.fail("files.completeUploadExternal", 10)
	_, err := e.adapter.Send(context.Background(), bot.Destination{Platform: bot.PlatformSlack, Channel: "C42", Thread: "1.2"},
		bot.Message{Text: "update", Attachments: []bot.Attachment{{Name: "chart.png", ContentType: "image/png", Data: []byte("png")}}})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(e.fake.attempts("files.completeUploadExternal")); n != 2 {
		t.Fatalf("%d completeUploadExternal attempts; want 2", n)
	}
	posts := e.fake.callsTo("chat.postMessage")
	if len(posts) != 2 || !strings.Contains(postedText(posts[0]), "update") {
		t.Fatalf("%d posts; want the message and a note", len(posts))
	}
	if note := postedText(posts[1]); !strings.Contains(note, "chart.png (3 bytes) could not be uploaded") || posts[1].Form.Get("thread_ts") != "1.2" {
		t.Fatalf("note %q in thread %q", note, posts[1].Form.Get("thread_ts"))
	}
}

// An ephemeral reply cannot carry a file: nothing is uploaded and a note says so.
func TestEphemeralAttachmentIsNamedNotUploaded(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	_, err := e.adapter.Send(context.Background(), bot.Destination{Platform: bot.PlatformSlack, Channel: "C42", UserID: "UTOM"},
		bot.Message{Text: "P1 out-of-scope items: 2", Ephemeral: true,
			Attachments: []bot.Attachment{{Name: "ACME-P1-out-of-scope.csv", ContentType: "text/csv", Data: []byte("a,b\n")}}})
	if err != nil {
		t.Fatal(err)
	}
	eph := e.fake.callsTo("chat.postEphemeral")
	if len(eph) != 1 || !strings.Contains(postedText(eph[0]), "ACME-P1-out-of-scope.csv (4 bytes) cannot be shared in this reply") {
		t.Fatalf("ephemeral: %+v", eph)
	}
	if n := len(e.fake.attempts("files.getUploadURLExternal")); n != 0 {
		t.Fatalf("%d uploads; want none", n)
	}
}

// Through the outbox (the worker retries, Send tries once). The first upload
// step is rate limited after the text went out: the delivery completes and the
// file becomes a delivery of its own. That job is snoozed for the next 429's
// Retry-After, then retried by River after a 500 on the upload URL. The text
// is posted once; the file lands in the same thread with its exact bytes.
func TestOutboxUploadRetriedWithoutRepostingText(t *testing.T) {
	t.Parallel()
	e := newOutboxEnv(t, storagetest.New(t), newFakeSlack(t, testTeam, testBot))
	chart := testPNG(t)
	e.fake.rateLimit("files.getUploadURLExternal", 2)
	e.fake.fail(methodUpload, 1)
	deliverer(t, e.store, e.adapter, "w")
	err := e.adapter.cfg.Outbox.Enqueue(context.Background(), bot.Delivery{Key: "test/weekly/1",
		To: bot.Destination{Platform: bot.PlatformSlack, Workspace: testTeam, Channel: "C42", Thread: "1.2"},
		Messages: []bot.Message{{Text: "Weekly update", Attachments: []bot.Attachment{
			{Name: "ACME-P3-2026-W10-hours.png", ContentType: "image/png", Data: chart}}}}})
	if err != nil {
		t.Fatal(err)
	}
	list := waitDelivered(t, e.store, 2)
	if list[0].Key != "test/weekly/1" || list[0].Attempt != 1 || list[1].Key != "slack/T111/files/C42/1700000000.000001/0" {
		t.Fatalf("jobs %+v", list)
	}
	if n := len(e.fake.attempts("chat.postMessage")); n != 1 {
		t.Fatalf("%d chat.postMessage; want 1", n)
	}
	gets := e.fake.attempts("files.getUploadURLExternal")
	want := []int{429, 429, 200, 200}
	if len(gets) != len(want) {
		t.Fatalf("%d getUploadURLExternal attempts; want %d", len(gets), len(want))
	}
	for i, c := range gets {
		if c.Status != want[i] {
			t.Fatalf("getUploadURLExternal attempt %d: %d; want %d", i+1, c.Status, want[i])
		}
	}
	if gap := gets[2].At.Sub(gets[1].At); gap < 950*time.Millisecond {
		t.Fatalf("snoozed %v after a 429; want Retry-After's 1 s", gap)
	}
	if ups := e.fake.attempts(methodUpload); len(ups) != 2 || ups[0].Status != 500 || ups[1].Status != 200 {
		t.Fatalf("%d uploads; want a 500, then through", len(ups))
	}
	done := e.fake.callsTo("files.completeUploadExternal")
	if len(done) != 1 || done[0].Form.Get("channel_id") != "C42" || done[0].Form.Get("thread_ts") != "1.2" {
		t.Fatalf("completeUploadExternal: %+v", done)
	}
	if f := e.fake.sharedFile(t, done[0]); !bytes.Equal(f.Data, chart) {
		t.Fatal("shared bytes differ")
	}
	t.Logf("jobs %+v; file shared %v after the post", list, done[0].At.Sub(e.fake.callsTo("chat.postMessage")[0].At))
}
