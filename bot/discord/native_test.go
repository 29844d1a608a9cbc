package discord_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/mspbot/mspbot/bot"
	"github.com/mspbot/mspbot/bot/discord"
	"github.com/mspbot/mspbot/commands"
	"github.com/mspbot/mspbot/web"
)

// TestGatewayLostFailsReadyz: a disconnect with a token Discord refuses (401
// on GET users/@me, as after a reset) fails /readyz at once, naming
// DISCORD_BOT_TOKEN; a disconnect with a good token fails it only once the
// gateway has stayed down past LostAfter, and READY makes it ready again.
func TestGatewayLostFailsReadyz(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(cfg *discord.Config, _ *commands.Deps, _ *[]bot.Command) { cfg.LostAfter = time.Minute })
	srv := web.NewServer("127.0.0.1:0", e.store.Ready, web.NewMetrics(), slog.New(slog.DiscardHandler))
	srv.AddReadyCheck(e.a.Ready)
	hs := httptest.NewServer(srv.Handler())
	defer hs.Close()
	readyz := func() (int, string) {
		resp, err := http.Get(hs.URL + "/readyz")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	ctx := context.Background()

	e.a.HandleEvent(ctx, discord.EventDisconnect, nil)
	if s, body := readyz(); s != http.StatusOK {
		t.Fatalf("just disconnected, token fine: %d %s", s, body)
	}
	e.clock.Advance(2 * time.Minute)
	if s, body := readyz(); s != http.StatusServiceUnavailable || !strings.Contains(body, "4014") {
		t.Fatalf("down for 2 minutes: %d %s", s, body)
	}
	e.a.HandleEvent(ctx, "READY", []byte(`{"user":{"id":"`+appID+`"}}`))
	if s, body := readyz(); s != http.StatusOK {
		t.Fatalf("after READY: %d %s", s, body)
	}

	e.fake.mu.Lock()
	e.fake.tokenRefused = true
	e.fake.mu.Unlock()
	e.a.HandleEvent(ctx, discord.EventDisconnect, nil)
	if s, body := readyz(); s != http.StatusServiceUnavailable || !strings.Contains(body, "DISCORD_BOT_TOKEN") || !strings.Contains(body, "401") {
		t.Fatalf("token refused: %d %s", s, body)
	}
	if n := len(e.fake.Exact("GET /api/v9/users/@me")); n != 2 {
		t.Fatalf("%d token checks; want one per disconnect", n)
	}
}

// TestUserMarkdownShownAsTyped: a request whose text disguises a link and
// opens a code block it never closes, opened by a signed interaction, is
// stored as typed (Postgres) and shown escaped in the bot's reply (the
// interaction response the strict checks accepted): the link's address shows,
// and the code fence cannot swallow the buttons' text.
func TestUserMarkdownShownAsTyped(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.assume(tom, bot.RoleTech, "")
	typed := "**Pay** <@123> [your invoice](https://evil.example/pay) ```never closed"
	resp := e.openAs(tom, typed)
	if r := e.request(1001); r.Title != typed && !strings.Contains(r.Body, "evil.example") {
		t.Fatalf("stored: %+v", r)
	}
	b, _ := json.Marshal(resp)
	shown := text(resp)
	for _, raw := range []string{"[your invoice](", "```", "**Pay**", " <@123>"} {
		if strings.Contains(shown, raw) {
			t.Fatalf("user Markdown %q rendered as Markdown: %s", raw, b)
		}
	}
	for _, esc := range []string{`\[your invoice\](https://evil.example/pay)`, "\\`\\`\\`", `\*\*Pay\*\*`, `\<@123>`} {
		if !strings.Contains(shown, esc) {
			t.Fatalf("want %q in %s", esc, shown)
		}
	}
	if got := discord.EscapeMarkdown("> quoted\n# heading\nplain"); got != "\\> quoted\n\\# heading\nplain" {
		t.Fatalf("line starts: %q", got)
	}
}

// TestManagerCommandsHiddenAndTyped: the registered commands (the PUT the
// strict fake accepted) carry default_member_permissions "32" (Manage Server)
// exactly on the manager-only commands, and /requests and /rate take typed
// options that come back as the command line the Router expects.
func TestManagerCommandsHiddenAndTyped(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	if err := e.a.RegisterCommands(context.Background()); err != nil {
		t.Fatal(err)
	}
	puts := e.fake.Answered("PUT /api/v9/applications/" + appID + "/guilds/" + guildID + "/commands")
	if len(puts) != 1 {
		t.Fatalf("%d registrations", len(puts))
	}
	var cmds []map[string]any
	if err := json.Unmarshal(puts[0].Body, &cmds); err != nil {
		t.Fatal(err)
	}
	byName := map[string]map[string]any{}
	for _, c := range cmds {
		byName[c["name"].(string)] = c
	}
	for _, c := range e.router.Commands() {
		ac, ok := byName[c.Name]
		if !ok {
			continue
		}
		perm, has := ac["default_member_permissions"]
		if want := c.MinRole == bot.RoleManager; has != want || has && perm != "32" {
			t.Errorf("/%s (for %ss): default_member_permissions %v", c.Name, c.MinRole, perm)
		}
	}
	// Every command is typed: no free-text "args" line anywhere, a person
	// is a user picker, and a page is a whole number.
	var walk func(where string, opts []any)
	kinds := map[string]int{}
	walk = func(where string, opts []any) {
		for _, o := range opts {
			om := o.(map[string]any)
			name := om["name"].(string)
			if name == "args" {
				t.Errorf("%s takes a free-text args option", where)
			}
			if name == "person" || name == "tech" || name == "page" {
				kinds[fmt.Sprint(name, num(om["type"]))]++
			}
			sub, _ := om["options"].([]any)
			walk(where+" "+name, sub)
		}
	}
	for name, c := range byName {
		opts, _ := c["options"].([]any)
		walk("/"+name, opts)
	}
	if kinds["person3"]+kinds["page3"] > 0 || kinds["person6"] < 5 || kinds["tech6"] != 1 || kinds["page4"] < 5 {
		t.Errorf("option types: %v", kinds)
	}
	if len(byName["requests"]["options"].([]any)) != 3 || len(byName["rate"]["options"].([]any)) != 2 {
		t.Fatalf("typed options: /requests %v, /rate %v", byName["requests"]["options"], byName["rate"]["options"])
	}
	e.assume(tom, bot.RoleTech, "")
	for i := 0; i < 3; i++ {
		e.openAs(tom, fmt.Sprintf("The printer in room %d is jammed", i))
	}
	e.a.Wait() // a busy intake defers an open and finishes it after the ack
	code, resp := e.reply(e.interaction(2, tom, commandData("requests", opt("show", 3, "mine"), opt("page", 4, 1)), nil))
	if code != 200 || !strings.Contains(text(resp), "3 open requests (yours)") {
		t.Fatalf("/requests show:mine page:1 → %d %s", code, text(resp))
	}
}

// TestFormOpensAsModal: a button whose command answers with a bot.Form (as
// the weekly draft's Edit does) opens a Discord modal holding the text to
// start from (the response the strict checks accepted); submitting it runs
// the form's command with the text, lines and quotes kept, as one argument.
func TestFormOpensAsModal(t *testing.T) {
	t.Parallel()
	var saved []string
	note := bot.Command{Name: "note", Usage: "/note [save \"text\"]", Summary: "a note", MinRole: bot.RoleTech,
		Handler: func(_ context.Context, ev bot.Event) ([]bot.Message, error) {
			args, err := bot.SplitArgs(ev.Args)
			if err != nil {
				return nil, err
			}
			if len(args) == 2 && args[0] == "save" {
				saved = append(saved, args[1])
				return []bot.Message{{Text: "Saved.", Ephemeral: true}}, nil
			}
			return []bot.Message{{Text: "Type /note save \"…\"", Ephemeral: true,
				Form: &bot.Form{Title: "Edit the note", Label: "The note", Initial: "Done:\n- switch racked", Submit: "/note save"}}}, nil
		}}
	e := newEnv(t, func(_ *discord.Config, _ *commands.Deps, extra *[]bot.Command) { *extra = append(*extra, note) })
	e.assume(tom, bot.RoleTech, "")
	_, r := e.signed(e.interaction(3, tom, map[string]any{"component_type": 2, "custom_id": "/note"}, nil))
	d, _ := r["data"].(map[string]any)
	if num(r["type"]) != 9 || d["custom_id"] != "form:/note save" {
		t.Fatalf("click: %v; want the form as a modal", r)
	}
	input := d["components"].([]any)[0].(map[string]any)["components"].([]any)[0].(map[string]any)
	if input["value"] != "Done:\n- switch racked" || num(input["style"]) != 2 {
		t.Fatalf("field: %v", input)
	}
	typed := "Done:\n- switch racked\n- \"cut-over\" on Friday"
	sub := map[string]any{"custom_id": "form:/note save", "components": []any{map[string]any{"type": 1,
		"components": []any{map[string]any{"type": 4, "custom_id": "text", "value": typed}}}}}
	_, r = e.signed(e.interaction(5, tom, sub, nil))
	if !strings.Contains(text(r), "Saved.") || len(saved) != 1 || saved[0] != typed {
		t.Fatalf("submit: %v; saved %q", r, saved)
	}
}

// TestRefusedPostToldPrivately: a 🎫 reaction in a channel where the bot may
// not post opens the request (Postgres), the post there is refused (403), and
// the person who reacted gets it by direct message with why.
func TestRefusedPostToldPrivately(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.assume(tom, bot.RoleTech, "")
	e.fake.messages["556"] = "The badge reader at the back door is dead"
	e.fake.forbidden[chanID] = true
	raw := json.RawMessage(`{"user_id":"` + tom.ID + `","channel_id":"` + chanID + `","message_id":"556","guild_id":"` + guildID +
		`","member":{"user":{"id":"` + tom.ID + `","username":"tom"}},"emoji":{"id":null,"name":"🎫"}}`)
	e.a.HandleEvent(context.Background(), "MESSAGE_REACTION_ADD", raw)
	e.a.Wait()
	if r := e.request(1001); r.Body != "The badge reader at the back door is dead" {
		t.Fatalf("request: %+v", r)
	}
	if n := len(e.fake.Exact("POST /api/v9/channels/" + chanID + "/messages")); n != 1 {
		t.Fatalf("%d tries in the channel; want 1", n)
	}
	var dms []string
	for _, c := range e.fake.Calls("POST /api/v9/channels/dm") {
		dms = append(dms, text(jsonMap(t, c.Body)))
	}
	all := strings.Join(dms, "\n")
	if len(dms) != 2 || !strings.Contains(all, "(403)") || !strings.Contains(all, "Send Messages") || !strings.Contains(all, "#1001") {
		t.Fatalf("direct messages: %q", dms)
	}
}

// TestTableCommandsTyped: commands described by the table (/time, /timer,
// /project) register as typed sub-commands (the PUT the strict fake accepted);
// a signed /time log, /timer start and /time today with a user picked come
// back as the command lines typing would give: the entry and the timer are in
// Postgres.
func TestTableCommandsTyped(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	if err := e.a.RegisterCommands(context.Background()); err != nil {
		t.Fatal(err)
	}
	puts := e.fake.Answered("PUT /api/v9/applications/" + appID + "/guilds/" + guildID + "/commands")
	var cmds []map[string]any
	if err := json.Unmarshal(puts[0].Body, &cmds); err != nil {
		t.Fatal(err)
	}
	subs := map[string][]string{}
	for _, c := range cmds {
		opts, _ := c["options"].([]any)
		for _, o := range opts {
			if om := o.(map[string]any); num(om["type"]) == 1 {
				subs[c["name"].(string)] = append(subs[c["name"].(string)], om["name"].(string))
			}
		}
	}
	if got := strings.Join(subs["time"], ","); got != "log,today,week,edit,delete" {
		t.Fatalf("/time sub-commands: %s", got)
	}
	if len(subs["project"]) < 10 || subs["project"][0] != "list" || len(subs["timer"]) < 3 {
		t.Fatalf("/project %v, /timer %v", subs["project"], subs["timer"])
	}
	e.assume(tom, bot.RoleTech, "")
	e.openAs(tom, "The scanner on floor 3 jams")
	e.a.Wait()
	_, r := e.signed(e.interaction(2, tom, commandData("time", subOpt("log", opt("duration", 3, "45m"), opt("on", 3, "#1001"), opt("note", 3, "swapped the roller"))), nil))
	if !strings.Contains(text(r), "45m") {
		t.Fatalf("/time log: %s", text(r))
	}
	_, r = e.signed(e.interaction(2, tom, commandData("timer", subOpt("start", opt("on", 3, "#1001"), opt("note", 3, "looking at it"))), nil))
	if !strings.Contains(strings.ToLower(text(r)), "timer") {
		t.Fatalf("/timer start: %s", text(r))
	}
	_, r = e.signed(e.interaction(2, tom, commandData("time", subOpt("today", opt("person", 6, tom.ID))), nil))
	if !strings.Contains(text(r), "45m") {
		t.Fatalf("/time today person: %s", text(r))
	}
	var minutes int
	if err := e.store.DB().QueryRow(`SELECT t.minutes FROM time_entries t JOIN requests r ON r.id = t.request_id WHERE r.number = 1001`).Scan(&minutes); err != nil || minutes != 45 {
		t.Fatalf("time entry: %d %v", minutes, err)
	}
	var timers int
	if err := e.store.DB().QueryRow(`SELECT count(*) FROM timers`).Scan(&timers); err != nil || timers != 1 {
		t.Fatalf("timers: %d %v", timers, err)
	}
}

// TestRequesterToldOnDiscord: when a coordinator takes and then resolves
// tom's request with the buttons (signed interactions), tom gets direct
// messages (the fake's DM channel posts): taken, then resolved with
// Good/OK/Poor buttons that run /rate and Still broken; his click stores the
// rating in Postgres.
func TestRequesterToldOnDiscord(t *testing.T) {
	t.Parallel()
	senders := bot.Senders{}
	e := newEnv(t, func(_ *discord.Config, d *commands.Deps, _ *[]bot.Command) { d.Senders = senders })
	senders[bot.PlatformDiscord] = e.a
	e.assume(tom, bot.RoleTech, "")
	e.assume(cora, bot.RoleCoordinator, "")
	e.openAs(tom, "The scanner on floor 3 jams")
	e.a.Wait()
	for _, id := range []string{"request.take:1001", "request.resolve:1001"} {
		if code, r := e.signed(e.interaction(3, cora, map[string]any{"component_type": 2, "custom_id": id}, nil)); code != 200 || flags(r) == 64 {
			t.Fatalf("%s: %d %v", id, code, r)
		}
		e.a.Wait()
	}
	var dms []map[string]any
	for _, c := range e.fake.Calls("POST /api/v9/channels/dm") {
		dms = append(dms, jsonMap(t, c.Body))
	}
	if len(dms) != 2 || !strings.Contains(text(dms[0]), "cora took your request #1001") || !strings.Contains(text(dms[1]), "cora resolved your request #1001") {
		t.Fatalf("direct messages to tom: %v", dms)
	}
	rows, _ := dms[1]["components"].([]any)
	if len(rows) != 1 || !strings.Contains(fmt.Sprint(rows), "/rate 1001 good") || !strings.Contains(fmt.Sprint(rows), "request.reopen:1001") {
		t.Fatalf("rating buttons: %v", rows)
	}
	if _, r := e.signed(e.interaction(3, tom, map[string]any{"component_type": 2, "custom_id": "/rate 1001 good"}, nil)); !strings.Contains(text(r), "rated good") {
		t.Fatalf("rating click: %v", r)
	}
	var score int
	if err := e.store.DB().QueryRow(`SELECT score FROM request_ratings`).Scan(&score); err != nil || score != 3 {
		t.Fatalf("rating stored: %d %v", score, err)
	}
}
